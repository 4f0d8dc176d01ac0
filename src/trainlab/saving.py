"""One-file model format: a safetensors container whose header carries the
model and compile configuration as JSON, and whose tensors are the weights
(``params/...``, ``state/...``) and the optimizer state (``optimizer/...``).

Safe by construction: no pickle anywhere; loading validates the header, the
configuration and every tensor's shape before anything is assigned, so a
truncated or foreign file fails with a clear error and nothing half-loaded.
Saving is atomic: a failed save leaves an existing file intact.

Example:
    >>> model.save("model.trainlab")                       # doctest: +SKIP
    >>> same = trainlab.models.load_model("model.trainlab")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from typing import Any

import jax
import numpy as np

from . import __version__
from ._io import atomic_write_bytes
from ._registry import Registry

__all__ = [
    "save_model",
    "load_model",
    "save_weights",
    "load_weights",
    "serialize_layer",
    "deserialize_layer",
    "register_serializable",
    "read_metadata",
]

FORMAT_MODEL = "trainlab.model"
FORMAT_WEIGHTS = "trainlab.weights"
FORMAT_VERSION = "1"

_CUSTOM = Registry("layer", "layer")


def register_serializable(name: str | None = None):
    """Class decorator: let `load_model` rebuild your Layer / Model subclass.

    The class must implement ``get_config`` and accept its output in ``__init__``
    (or define ``from_config``).
    """

    def deco(cls):
        _CUSTOM.register(name or cls.__name__)(cls)
        return cls

    return deco


def _layer_class(class_name: str) -> type:
    from .layers import LAYERS
    from .models import Functional, Sequential

    builtin = {"Sequential": Sequential, "Functional": Functional}
    if class_name in builtin:
        return builtin[class_name]
    if class_name in _CUSTOM.names():
        return _CUSTOM.lookup(class_name)
    if class_name in LAYERS.names():
        return LAYERS.lookup(class_name)
    try:
        from . import layers as _layers_pkg

        cls = getattr(_layers_pkg, class_name, None)
        if isinstance(cls, type):
            return cls
    except ImportError:  # pragma: no cover
        pass
    raise ValueError(
        f"Unknown layer class {class_name!r} in the saved configuration. If it is your own Layer subclass, "
        f"decorate it with @trainlab.saving.register_serializable() and import it before loading."
    )


def serialize_layer(layer: Any) -> dict[str, Any]:
    """``{"class_name", "config"}`` of a layer or model."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(config: dict[str, Any]) -> Any:
    """Inverse of `serialize_layer`."""
    cls = _layer_class(config["class_name"])
    return cls.from_config(dict(config["config"]))


# ----------------------------------------------------------------------
def _flatten(tree: Any, prefix: str) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        else:
            out[path] = np.array(node, order="C")

    walk(tree, prefix)
    return out


def _unflatten_into(template: Any, tensors: dict[str, np.ndarray], prefix: str, path_for_errors: str) -> Any:
    """A tree shaped like `template` with leaves from `tensors` (checked)."""

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, f"{path}/{k}") for k, v in node.items()}
        if path not in tensors:
            raise ValueError(
                f"The file {path_for_errors!r} has no tensor {path!r} that the model needs. It was saved from a "
                f"different architecture; nothing was loaded."
            )
        value = tensors[path]
        if tuple(value.shape) != tuple(np.shape(node)):
            raise ValueError(
                f"Tensor {path!r} in {path_for_errors!r} has shape {tuple(value.shape)}, but the model expects "
                f"{tuple(np.shape(node))}; nothing was loaded."
            )
        return jax.numpy.asarray(value, dtype=np.asarray(node).dtype)

    return walk(template, prefix)


def _opt_tensors(model: Any) -> dict[str, np.ndarray]:
    ts = getattr(model, "_train_state", None)
    if ts is None:
        return {}
    model._sync_from_training()
    leaves = jax.tree.leaves(ts.opt_state)
    out = {f"optimizer/{i:05d}": np.array(leaf, order="C") for i, leaf in enumerate(leaves)}
    out["train_state/step"] = np.asarray(ts.step, np.int32).reshape(1)
    out["train_state/key"] = np.asarray(jax.random.key_data(ts.key), np.uint32)
    return out


def _compile_config(model: Any) -> dict[str, Any] | None:
    if not getattr(model, "compiled", False):
        return None
    from . import losses as _losses
    from . import metrics as _metrics
    from . import optimizers as _optimizers

    def ser(value: Any, fn: Any) -> Any:
        if value is None or isinstance(value, (str, int, float)):
            return value
        if isinstance(value, dict):
            return {k: ser(v, fn) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [ser(v, fn) for v in value]
        return fn(value)

    args = model._compile_args
    try:
        return {
            "optimizer": _optimizers.serialize(model.optimizer),
            "loss": ser(args.get("loss"), _losses.serialize),
            "loss_weights": args.get("loss_weights"),
            "metrics": ser(args.get("metrics"), _metrics.serialize),
            "weighted_metrics": ser(args.get("weighted_metrics"), _metrics.serialize),
        }
    except (TypeError, ValueError):
        return {"unserializable": True}


def _check_target(filepath: str, overwrite: bool) -> str:
    filepath = os.fspath(filepath)
    if os.path.isdir(filepath):
        raise ValueError(f"`filepath` {filepath!r} is a folder; pass a file path such as 'model.trainlab'.")
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"`filepath` {filepath!r} exists and `overwrite=False`; pass overwrite=True to replace it.")
    return filepath


def save_model(model: Any, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    """Write `model` (architecture, weights, compile config, optimizer state) to one file."""
    from safetensors.numpy import save

    filepath = _check_target(filepath, overwrite)
    variables = model.variables
    config = serialize_layer(model)
    tensors = {**_flatten(variables["params"], "params"), **_flatten(variables.get("state", {}), "state")}
    order = list(tensors)
    tensors.update(_opt_tensors(model))
    metadata = {
        "weight_order": json.dumps(order),
        "format": FORMAT_MODEL,
        "format_version": FORMAT_VERSION,
        "trainlab_version": __version__,
        "model_config": json.dumps(config),
        "build_input_shape": json.dumps(_jsonable_shape(model._expected_input_shape())),
        "compile_config": json.dumps(_compile_config(model)),
    }
    atomic_write_bytes(filepath, save(tensors, metadata=metadata))


def save_weights(model: Any, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    """Write only the weights of `model`."""
    from safetensors.numpy import save

    filepath = _check_target(filepath, overwrite)
    variables = model.variables
    tensors = {**_flatten(variables["params"], "params"), **_flatten(variables.get("state", {}), "state")}
    metadata = {"format": FORMAT_WEIGHTS, "format_version": FORMAT_VERSION, "trainlab_version": __version__,
                "weight_order": json.dumps(list(tensors))}
    atomic_write_bytes(filepath, save(tensors, metadata=metadata))


def _jsonable_shape(shape: Any) -> Any:
    if shape is None:
        return None
    if isinstance(shape, tuple):
        return list(shape)
    if isinstance(shape, dict):
        return {k: _jsonable_shape(v) for k, v in shape.items()}
    return [_jsonable_shape(s) for s in shape]


def _shape_from_json(obj: Any) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return {k: _shape_from_json(v) for k, v in obj.items()}
    if obj and all(isinstance(d, (int, type(None))) for d in obj):
        return tuple(obj)
    return [_shape_from_json(s) for s in obj]


def read_metadata(filepath: str | os.PathLike) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """Header metadata and all tensors of a trainlab file, validated.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a safetensors file, truncated, or not written by trainlab.
    """
    from safetensors import safe_open

    filepath = os.fspath(filepath)
    if not os.path.isfile(filepath):
        raise FileNotFoundError(f"No model file at `filepath` {filepath!r}.")
    size = os.path.getsize(filepath)
    with open(filepath, "rb") as f:
        head = f.read(9)
    if len(head) < 9:
        raise ValueError(
            f"{filepath!r} is not a trainlab model file: it is only {size} bytes long (truncated or empty)."
        )
    header_len = int.from_bytes(head[:8], "little")
    if header_len <= 1 or header_len > 100_000_000 or head[8:9] != b"{":
        raise ValueError(
            f"{filepath!r} is not a trainlab model file (no valid safetensors header; {size} bytes). "
            f"Save models with model.save(path)."
        )
    if header_len > size - 8:
        raise ValueError(
            f"{filepath!r} is not a complete trainlab model file: its header needs {header_len + 8} bytes but the "
            f"file has {size}. It is truncated (an interrupted copy or download); save it again."
        )
    try:
        with safe_open(filepath, framework="numpy") as f:
            metadata = dict(f.metadata() or {})
            if metadata.get("format") not in (FORMAT_MODEL, FORMAT_WEIGHTS):
                raise ValueError(
                    f"{filepath!r} is a safetensors file but not one written by trainlab (no trainlab format tag)."
                )
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except ValueError:
        raise
    except Exception as exc:  # safetensors raises its own error types for corrupt files
        raise ValueError(
            f"{filepath!r} is not a complete trainlab model file ({size} bytes): {exc}. It may be truncated "
            f"(an interrupted copy or download); save it again."
        ) from None
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{filepath!r} uses trainlab file format version {metadata.get('format_version')!r}; this trainlab "
            f"reads version {FORMAT_VERSION}."
        )
    return metadata, tensors


def _match_by_structure(model: Any, template: dict, tensors: dict[str, np.ndarray],
                        saved_order: list[str]) -> dict[str, np.ndarray] | None:
    """The file's tensors renamed to `model`'s weight paths, matched by position.

    Layer names are generated per instance (``dense`` in one model, ``dense_2`` in
    a second instance of the same architecture), so, as Keras 3 does, weights
    are matched by structure: the n-th weight of the file goes to the n-th weight
    of the model when every weight has the same kind (``kernel``, ``bias``, ...)
    and shape. Returns None when the structures differ (the caller then reports
    the first mismatch by name).
    """
    mine = getattr(model, "variables", None) if getattr(model, "built", False) else None
    expected = {**_flatten(template["params"], "params"), **_flatten(template.get("state", {}), "state")}
    order = list(expected)
    if mine:
        own = list(_flatten(mine.get("params", {}), "params")) + list(_flatten(mine.get("state", {}), "state"))
        if set(own) == set(order):
            order = own  # the order `save_weights` wrote in: the same traversal on both instances
    if len(order) != len(saved_order):
        return None
    renamed = {}
    for want, have in zip(order, saved_order):
        same_kind = want.split("/")[0] == have.split("/")[0] and want.rsplit("/", 1)[-1] == have.rsplit("/", 1)[-1]
        if not same_kind or have not in tensors or tuple(tensors[have].shape) != tuple(np.shape(expected[want])):
            return None
        renamed[want] = tensors[have]
    rest = {k: v for k, v in tensors.items() if not k.startswith(("params/", "state/"))}
    return {**renamed, **rest}


def _variables_from_tensors(model: Any, tensors: dict[str, np.ndarray], filepath: str, input_shape: Any,
                            saved_order: list[str] | None = None) -> dict:
    template = model.init(jax.random.key(0), input_shape)
    expected = set(_flatten(template["params"], "params")) | set(_flatten(template.get("state", {}), "state"))
    present = {k for k in tensors if k.startswith(("params/", "state/"))}
    if present != expected and saved_order:
        tensors = _match_by_structure(model, template, tensors, saved_order) or tensors
        present = {k for k in tensors if k.startswith(("params/", "state/"))}
    extra = sorted(present - expected)
    if extra:
        raise ValueError(
            f"The file {filepath!r} holds weights the model does not have (e.g. {extra[0]!r}); it was saved from "
            f"a different architecture. Nothing was loaded."
        )
    return {
        "params": _unflatten_into(template["params"], tensors, "params", filepath),
        "state": _unflatten_into(template.get("state", {}), tensors, "state", filepath),
    }


def _saved_order(metadata: dict[str, str]) -> list[str] | None:
    try:
        order = json.loads(metadata.get("weight_order", "null"))
    except json.JSONDecodeError:
        return None
    return order if isinstance(order, list) else None


def load_model(filepath: str | os.PathLike, compile: bool = True) -> Any:
    """Load a model written by `Model.save`: architecture, weights, and (when
    `compile`) the compile configuration and optimizer state."""
    filepath = os.fspath(filepath)
    metadata, tensors = read_metadata(filepath)
    if metadata["format"] != FORMAT_MODEL:
        raise ValueError(
            f"{filepath!r} holds only weights (written by save_weights); build the model in code and call "
            f"model.load_weights({filepath!r})."
        )
    try:
        config = json.loads(metadata["model_config"])
        input_shape = _shape_from_json(json.loads(metadata.get("build_input_shape", "null")))
        compile_config = json.loads(metadata.get("compile_config", "null"))
    except (KeyError, json.JSONDecodeError) as exc:
        raise ValueError(f"{filepath!r} has a damaged configuration header: {exc}.") from None
    model = deserialize_layer(config)
    if input_shape is None:
        input_shape = model._expected_input_shape()
    variables = _variables_from_tensors(model, tensors, filepath, input_shape)
    model._store_values(variables)
    if compile and compile_config and not compile_config.get("unserializable"):
        model.compile(
            optimizer=compile_config["optimizer"], loss=compile_config.get("loss"),
            loss_weights=compile_config.get("loss_weights"), metrics=compile_config.get("metrics"),
            weighted_metrics=compile_config.get("weighted_metrics"),
        )
        opt = [tensors[k] for k in sorted(k for k in tensors if k.startswith("optimizer/"))]
        if opt:
            model._restored_opt_leaves = opt
        if "train_state/step" in tensors and "train_state/key" in tensors:
            model._restored_train_state = {"step": int(tensors["train_state/step"][0]),
                                           "key": tensors["train_state/key"]}
    return model


def load_weights(model: Any, filepath: str | os.PathLike) -> None:
    """Load weights into `model` (shapes must match; nothing changes on error)."""
    filepath = os.fspath(filepath)
    metadata, tensors = read_metadata(filepath)
    input_shape = model._expected_input_shape()
    if input_shape is None:
        raise ValueError(
            f"Model {model.name!r} is not built, so its weight shapes are unknown. Build it first (give the "
            f"first layer an input shape or call the model on data), then load weights."
        )
    variables = _variables_from_tensors(model, tensors, filepath, input_shape, _saved_order(metadata))
    model.variables = variables
