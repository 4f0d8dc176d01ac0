"""Losses with Keras names, defaults and semantics (``keras.losses``).

Classes (``MeanSquaredError()``, ``SparseCategoricalCrossentropy(from_logits=True)``)
reduce to a scalar with Keras 3 reduction and sample-weight rules; lowercase
functions (``mean_squared_error``) return per-sample losses. `get` resolves
what ``model.compile(loss=...)`` accepts: a name (``"mse"``,
``"sparse_categorical_crossentropy"``), a config dict, a `Loss`, or a
function ``fn(y_true, y_pred) -> per-sample losses``.

Example:
    >>> from trainlab import losses
    >>> loss = losses.get("sparse_categorical_crossentropy")
    >>> round(float(loss([1, 2], [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])), 3)
    1.177
    >>> losses.get("softmax_crossentropy")
    Traceback (most recent call last):
    ...
    ValueError: Unknown loss 'softmax_crossentropy' passed as `loss`. ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._registry import Registry, builtin_function_from_name, builtin_function_name
from ._base import (
    EPSILON,
    REDUCTIONS,
    Loss,
    LossFunctionWrapper,
    Reduction,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
)
from ._probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from ._regression import (
    Hinge,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanSquaredError,
    hinge,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_squared_error,
)

__all__ = [
    # base
    "Loss",
    "LossFunctionWrapper",
    "Reduction",
    "REDUCTIONS",
    "EPSILON",
    "reduce_weighted_values",
    "squeeze_or_expand_to_same_rank",
    # classes
    "MeanSquaredError",
    "MeanAbsoluteError",
    "Huber",
    "LogCosh",
    "Hinge",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "KLDivergence",
    "Poisson",
    # functions
    "mean_squared_error",
    "mean_absolute_error",
    "huber",
    "log_cosh",
    "hinge",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "kl_divergence",
    "poisson",
    # resolution
    "get",
    "serialize",
    "deserialize",
]

_REGISTRY = Registry("loss", "loss")

# (class, per-sample function, string names: the function name first, then
# Keras 3 aliases and tf.keras legacy spellings)
_TABLE: list[tuple[type, Callable, tuple[str, ...]]] = [
    (MeanSquaredError, mean_squared_error, ("mean_squared_error", "mse", "MSE")),
    (MeanAbsoluteError, mean_absolute_error, ("mean_absolute_error", "mae", "MAE")),
    (Huber, huber, ("huber", "huber_loss")),
    (LogCosh, log_cosh, ("log_cosh", "logcosh")),
    (Hinge, hinge, ("hinge",)),
    (BinaryCrossentropy, binary_crossentropy, ("binary_crossentropy", "bce", "BCE")),
    (CategoricalCrossentropy, categorical_crossentropy, ("categorical_crossentropy",)),
    (SparseCategoricalCrossentropy, sparse_categorical_crossentropy,
     ("sparse_categorical_crossentropy",)),
    (KLDivergence, kl_divergence,
     ("kl_divergence", "kld", "KLD", "kullback_leibler_divergence")),
    (Poisson, poisson, ("poisson",)),
]

_FUNCTION_TO_CLASS = {fn: cls for cls, fn, _ in _TABLE}
_FUNCTIONS_BY_NAME = {fn.__name__: fn for _, fn, _ in _TABLE}
for _cls, _fn, _names in _TABLE:
    _REGISTRY.register(*_names)(_cls)
_REGISTRY.register("LossFunctionWrapper")(LossFunctionWrapper)


def _function_name(fn: Callable) -> str:
    """The name under which a built-in per-sample function is saved."""
    return builtin_function_name("loss", _FUNCTIONS_BY_NAME, fn, "trainlab.losses.Loss")


def _function_from_name(name: str) -> Callable:
    return builtin_function_from_name("loss", _FUNCTIONS_BY_NAME, name)


def get(identifier: Any) -> Loss | None:
    """Resolve a loss identifier to a `Loss` object.

    Args:
        identifier: None; a `Loss` (returned as is); a name such as ``"mse"``,
            ``"binary_crossentropy"`` or ``"SparseCategoricalCrossentropy"``
            (a new instance named by the string, as Keras's ``compile`` names
            it); a config dict from `serialize`; or a function
            ``fn(y_true, y_pred) -> per-sample losses``. Built-in functions
            map to their class (so ``losses.sparse_categorical_crossentropy``
            gets target validation and `Loss.logits_version`); other
            functions are wrapped in a `LossFunctionWrapper`.

    Returns:
        A `Loss`, or None for None.

    Raises:
        ValueError: unknown name (the message lists the valid names).
        TypeError: anything else.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _REGISTRY.lookup(identifier)
        if cls is LossFunctionWrapper:
            raise ValueError(
                "`loss='LossFunctionWrapper'` needs a function: pass the function itself, "
                "e.g. loss=my_loss_fn."
            )
        return cls(name=identifier) if identifier != cls.__name__ else cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        cls = _FUNCTION_TO_CLASS.get(identifier)
        return cls() if cls is not None else LossFunctionWrapper(identifier)
    return _REGISTRY.get(identifier, base=Loss)  # raises a TypeError that names the kinds


def serialize(loss: Loss | Callable | None) -> Any:
    """A JSON-able form of `loss`: ``{"class_name", "config"}`` for `Loss`
    objects, the name for built-in functions.

    Example:
        >>> serialize(Huber(delta=2.0))  # doctest: +NORMALIZE_WHITESPACE
        {'class_name': 'Huber',
         'config': {'name': 'huber_loss', 'reduction': 'sum_over_batch_size', 'delta': 2.0}}
    """
    if loss is None:
        return None
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return _function_name(loss)


def deserialize(config: Any) -> Loss | None:
    """Inverse of `serialize` (a name or a ``{"class_name", "config"}`` dict).

    Example:
        >>> deserialize(serialize(Huber(delta=2.0))).delta
        2.0
    """
    if config is None:
        return None
    if isinstance(config, str):
        return get(config)
    return _REGISTRY.get(config, base=Loss)
