"""Names of the built-in per-sample metric functions (for saving configs).

Example:
    >>> function_name(function_from_name("sparse_categorical_accuracy"))
    'sparse_categorical_accuracy'
"""

from __future__ import annotations

from collections.abc import Callable

from .. import losses as _losses
from .._validation import describe, unknown_name_error
from . import _accuracy

__all__ = ["FUNCTIONS", "function_name", "function_from_name"]

FUNCTIONS: dict[str, Callable] = {
    fn.__name__: fn
    for fn in (
        _accuracy.accuracy,
        _accuracy.binary_accuracy,
        _accuracy.categorical_accuracy,
        _accuracy.sparse_categorical_accuracy,
        _accuracy.top_k_categorical_accuracy,
        _accuracy.sparse_top_k_categorical_accuracy,
        _losses.mean_squared_error,
        _losses.mean_absolute_error,
        _losses.huber,
        _losses.log_cosh,
        _losses.hinge,
        _losses.binary_crossentropy,
        _losses.categorical_crossentropy,
        _losses.sparse_categorical_crossentropy,
        _losses.kl_divergence,
        _losses.poisson,
    )
}


def function_name(fn: Callable) -> str:
    """The saved name of a built-in function; TypeError for other callables."""
    if FUNCTIONS.get(getattr(fn, "__name__", None)) is fn:
        return fn.__name__
    raise TypeError(
        f"Cannot save the metric function {describe(fn)}: only trainlab's built-in "
        f"functions can be saved by name. Subclass `trainlab.metrics.Metric` and implement "
        f"`get_config` to make a custom metric savable."
    )


def function_from_name(name: str) -> Callable:
    """The built-in function saved as `name`."""
    try:
        return FUNCTIONS[name]
    except KeyError:
        raise unknown_name_error("metric function", "fn", name, FUNCTIONS) from None
