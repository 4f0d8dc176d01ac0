"""Names of the built-in per-sample metric functions (for saving configs).

Example:
    >>> function_name(function_from_name("sparse_categorical_accuracy"))
    'sparse_categorical_accuracy'
"""

from __future__ import annotations

from collections.abc import Callable

from .. import losses as _losses
from .._registry import builtin_function_from_name, builtin_function_name
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
    return builtin_function_name("metric", FUNCTIONS, fn, "trainlab.metrics.Metric")


def function_from_name(name: str) -> Callable:
    """The built-in function saved as `name`."""
    return builtin_function_from_name("metric", FUNCTIONS, name)
