"""Transfer learning recipes: reuse a trained network for a new task.

Two recipes, as the course notes and the Keras guide teach them:

* **Feature extraction**: cut the trained model below its output layer
  (`base_model`), freeze it (``trainable = False``: its weights get no gradient,
  and `fit` notices the change without recompiling), and train a new head on
  top (`with_new_head`). Fast and safe with very few labels.
* **Fine-tuning**: afterwards, unfreeze the top layers of the base
  (`unfreeze_top`) and keep training the whole model with a learning rate
  about 10x lower (`fine_tune`), so that the pretrained features adapt
  without being destroyed.

Example (the split-digits task of ``examples/transfer_learning_digits.py``):
    >>> import trainlab as tl
    >>> pretrained = tl.Sequential([tl.layers.Dense(32, activation="relu", input_shape=(64,)),
    ...                             tl.layers.Dense(16, activation="relu"),
    ...                             tl.layers.Dense(5, activation="softmax")])
    >>> base = base_model(pretrained)            # up to the 16-unit layer, frozen
    >>> model = with_new_head(base, [tl.layers.Dense(5, activation="softmax")])
    >>> [layer.trainable for layer in base.layers], model.layers[0] is base
    ([False, False], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._validation import check_positive_int, describe

__all__ = ["base_model", "freeze", "unfreeze_top", "with_new_head", "fine_tune", "weight_layers"]


def _check_model(model: Any, argument: str = "model") -> None:
    from ..models import Model

    if not isinstance(model, Model):
        raise TypeError(f"`{argument}` must be a trainlab Model (Sequential or functional); received {describe(model)}.")


def weight_layers(model: Any) -> list[Any]:
    """The layers of `model` that have weights (Dense, Conv, Embedding...), in order."""
    return [layer for layer in model.layers if layer.weight_specs or layer.sublayers]


def freeze(model_or_layers: Any, trainable: bool = False) -> None:
    """Set ``trainable`` on a model (and all its layers) or on a list of layers.

    Frozen weights get no gradient and no optimizer update; `fit` picks the
    change up at its next call, no `compile` needed.
    """
    items = model_or_layers if isinstance(model_or_layers, (list, tuple)) else [model_or_layers]
    for item in items:
        item.trainable = bool(trainable)


def base_model(model: Any, up_to: int | str = -2, *, trainable: bool = False, name: str = "base") -> Any:
    """The trained layers of `model` from its input up to layer `up_to`, as a new model
    sharing their weights (nothing is copied or re-initialized).

    Args:
        model: a trained `Sequential` (or a functional model whose layers form a chain).
        up_to: index or name of the last layer to keep; default -2, everything
            below the output layer.
        trainable: False (default) freezes the base for feature extraction.
        name: name of the new model (it becomes a layer of `with_new_head`'s model).

    Returns:
        A `Sequential` of the shared layers.
    """
    from ..layers.core import InputLayer
    from ..models import Sequential

    _check_model(model)
    layers = [layer for layer in model.layers if not isinstance(layer, InputLayer)]
    if isinstance(up_to, str):
        names = [layer.name for layer in layers]
        if up_to not in names:
            raise ValueError(f"`up_to`={up_to!r} is not a layer of {model.name!r}; its layers are {names}.")
        stop = names.index(up_to) + 1
    else:
        index = int(up_to)
        if not -len(layers) <= index < len(layers):
            raise ValueError(f"`up_to`={up_to} is out of range for a model of {len(layers)} layers.")
        stop = (index % len(layers)) + 1
    model._sync_from_training()
    model._ensure_weights()
    base = Sequential(layers[:stop], name=name)
    base.trainable = bool(trainable)
    return base


def with_new_head(base: Any, head: Sequence[Any], *, name: str | None = None) -> Any:
    """``Sequential([base, *head])``: a pretrained (usually frozen) base and new layers on top.

    The base keeps its weights; only the head's layers are created fresh when
    the model is first built.
    """
    from ..models import Sequential

    _check_model(base, "base")
    if not isinstance(head, (list, tuple)) or not head:
        raise TypeError(f"`head` must be a non-empty list of layers, e.g. [layers.Dense(5)]; received {describe(head)}.")
    return Sequential([base, *head], name=name)


def unfreeze_top(base: Any, n: int) -> list[Any]:
    """Make the top `n` weight layers of `base` trainable and keep the others frozen.

    Returns:
        The layers that are now trainable.
    """
    _check_model(base, "base")
    n = check_positive_int("n", n)
    layers = weight_layers(base)
    if n > len(layers):
        raise ValueError(f"`n`={n} is more than the {len(layers)} layers with weights in {base.name!r}.")
    base.trainable = True
    for layer in layers[:-n]:
        layer.trainable = False
    return layers[-n:]


def fine_tune(model: Any, base: Any, x: Any, y: Any, *, unfreeze: int = 1, learning_rate: float = 1e-4,
              epochs: int = 10, optimizer: str = "adam", loss: Any = None, metrics: Any = None,
              **fit_kwargs: Any) -> Any:
    """Unfreeze the top `unfreeze` layers of `base` and train `model` with a low learning rate.

    The model is recompiled with a fresh optimizer at `learning_rate` (the new
    lower rate must not inherit the head's momentum statistics), keeping its
    loss and metrics unless given.

    Returns:
        The `History` of the fine-tuning fit.
    """
    from .. import optimizers

    _check_model(model)
    unfreeze_top(base, unfreeze)
    args = dict(getattr(model, "_compile_args", {}) or {})
    opt = type(optimizers.get(optimizer))(learning_rate=learning_rate)
    model.compile(optimizer=opt, loss=loss if loss is not None else args.get("loss"),
                  metrics=metrics if metrics is not None else args.get("metrics"))
    return model.fit(x, y, epochs=epochs, **fit_kwargs)
