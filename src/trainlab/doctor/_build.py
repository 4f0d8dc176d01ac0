"""Build the data, model and optimizer of a validated run configuration (CLI)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .config import ConfigError

__all__ = ["DataBundle", "load_data", "build_model", "build_optimizer", "AUGMENTATION_LAYERS"]

CLASS_NAMES = {
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                      "Ankle boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
}

#: config key -> (Keras layer name, how to call it)
AUGMENTATION_LAYERS = {
    "random_flip": ("RandomFlip", lambda v: ((v,), {})),
    "random_rotation": ("RandomRotation", lambda v: ((v,), {})),
    "random_zoom": ("RandomZoom", lambda v: ((v,), {})),
    "random_translation": ("RandomTranslation", lambda v: ((v, v), {})),
    "random_contrast": ("RandomContrast", lambda v: ((v,), {})),
}


@dataclasses.dataclass
class DataBundle:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str  # "classification" | "regression"
    num_classes: int
    class_names: list[str] | None
    image_shape: tuple[int, ...] | None


def load_data(cfg: dict[str, dict[str, Any]]) -> DataBundle:
    from .. import datasets

    name = cfg["data"]["dataset"]
    (x, y), (xt, yt) = getattr(datasets, name).load_data()
    limit = cfg["data"]["limit"]
    if limit is not None:
        x, y = x[:limit], y[:limit]
    y, yt = np.asarray(y).reshape(len(y), -1), np.asarray(yt).reshape(len(yt), -1)
    if name == "california_housing":
        x, xt = x.astype("float32"), xt.astype("float32")
        if cfg["data"]["normalize"]:
            mean, std = x.mean(0), x.std(0) + 1e-7
            x, xt = (x - mean) / std, (xt - mean) / std
        return DataBundle(x, y.astype("float32"), xt, yt.astype("float32"), "regression", 0, None, None)
    scale = 16.0 if name == "digits" else 255.0
    x, xt = x.astype("float32"), xt.astype("float32")
    if cfg["data"]["normalize"]:
        x, xt = x / scale, xt / scale
    y, yt = y[:, 0].astype("int32"), yt[:, 0].astype("int32")
    k = int(max(y.max(), yt.max())) + 1
    return DataBundle(x, y, xt, yt, "classification", k, CLASS_NAMES.get(name), tuple(x.shape[1:]))


def _augmentation(cfg: dict[str, dict[str, Any]]) -> list[Any]:
    """The [augmentation] section as Keras preprocessing layers (active only in training)."""
    from .. import layers

    out = []
    for key, (cls_name, args) in AUGMENTATION_LAYERS.items():
        value = cfg["augmentation"][key]
        if value in (0.0, "none"):
            continue
        a, kw = args(value)
        out.append(getattr(layers, cls_name)(*a, **kw))
    return out


def build_model(cfg: dict[str, dict[str, Any]], data: DataBundle) -> Any:
    """The model of the configuration, compiled."""
    from .. import layers, regularizers
    from ..models import Sequential, load_model

    m = cfg["model"]
    loss = "sparse_categorical_crossentropy" if data.task == "classification" else "mse"
    metrics = ["accuracy"] if data.task == "classification" else ["mae"]
    if m["file"]:
        try:
            model = load_model(m["file"], compile=False)
        except (OSError, ValueError, TypeError, KeyError) as exc:  # missing, unreadable or not a model file
            raise ConfigError(f"`model.file` {m['file']!r} could not be read: {exc}".rstrip(".") + ".") from None
        model.compile(optimizer=build_optimizer(cfg), loss=loss, metrics=metrics)
        return model
    act = m["activation"]
    init = m["kernel_initializer"]
    if init == "auto":
        init = "he_normal" if act in ("relu", "elu", "selu", "gelu", "swish", "leaky_relu") else "glorot_uniform"
    reg_cfg = cfg["regularization"]
    reg = regularizers.L1L2(l1=reg_cfg["l1"], l2=reg_cfg["l2"]) if (reg_cfg["l1"] or reg_cfg["l2"]) else None
    stack: list[Any] = [layers.Input(data.x_train.shape[1:])]
    augmentation = _augmentation(cfg)
    preset = m["preset"]
    if preset == "cnn" and data.image_shape is None:
        raise ConfigError(f"`model.preset` 'cnn' needs image data; `data.dataset` {cfg['data']['dataset']!r} "
                          f"is tabular. Use preset 'mlp'.")
    if (preset == "cnn" or augmentation) and len(data.x_train.shape) == 3:
        stack.append(layers.Reshape(data.x_train.shape[1:] + (1,)))  # grayscale: add the channel axis
    stack += augmentation
    if preset == "cnn":
        stack += [layers.Conv2D(32, 3, activation=act, padding="same", kernel_initializer=init),
                  layers.MaxPooling2D(2),
                  layers.Conv2D(64, 3, activation=act, padding="same", kernel_initializer=init),
                  layers.MaxPooling2D(2)]
    if len(data.x_train.shape) > 2:
        stack.append(layers.Flatten())
    if preset in ("mlp", "cnn"):
        for units in m["hidden_units"]:
            stack.append(layers.Dense(units, activation=act, kernel_initializer=init, kernel_regularizer=reg))
            if reg_cfg["dropout"]:
                stack.append(layers.Dropout(reg_cfg["dropout"]))
    if data.task == "classification":
        stack.append(layers.Dense(data.num_classes, activation="softmax"))
    else:
        stack.append(layers.Dense(1))
    model = Sequential(stack, name=f"{preset}_{cfg['data']['dataset']}")
    model.compile(optimizer=build_optimizer(cfg), loss=loss, metrics=metrics)
    return model


def build_optimizer(cfg: dict[str, dict[str, Any]]) -> Any:
    from .. import optimizers, schedules

    o, s = cfg["optimizer"], cfg["schedule"]
    lr: Any = o["learning_rate"]
    if s["name"] == "exponential_decay":
        lr = schedules.ExponentialDecay(lr, s["decay_steps"], s["decay_rate"])
    elif s["name"] == "cosine_decay":
        lr = schedules.CosineDecay(lr, s["decay_steps"], alpha=s["alpha"])
    elif s["name"] == "inverse_time_decay":
        lr = schedules.InverseTimeDecay(lr, s["decay_steps"], s["decay_rate"])
    kwargs: dict[str, Any] = {"learning_rate": lr}
    if o["momentum"] is not None:
        if o["name"] not in ("sgd", "rmsprop"):
            raise ConfigError(f"`optimizer.momentum` applies to 'sgd' and 'rmsprop' only; `optimizer.name` is "
                              f"{o['name']!r}. Remove the momentum key.")
        kwargs["momentum"] = o["momentum"]
    if o["clipnorm"] is not None:
        kwargs["clipnorm"] = o["clipnorm"]
    return optimizers.get({"class_name": o["name"], "config": kwargs})
