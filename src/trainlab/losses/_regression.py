"""Regression losses: MSE, MAE, Huber, log-cosh, hinge.

Each per-sample function averages over the last axis, as Keras does:
``(batch, d)`` inputs give ``(batch,)`` losses, ``(batch, t, d)`` give
``(batch, t)``. Inputs are aligned first (``(n,)`` targets with ``(n, 1)``
outputs), see `squeeze_or_expand_to_same_rank`.

Example:
    >>> import jax.numpy as jnp
    >>> mean_squared_error(jnp.array([[0.0, 1.0]]), jnp.array([[1.0, 1.0]]))
    Array([0.5], dtype=float32)
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._validation import check_nonnegative
from ._base import LossFunctionWrapper, squeeze_or_expand_to_same_rank

__all__ = [
    "mean_squared_error",
    "mean_absolute_error",
    "huber",
    "log_cosh",
    "hinge",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "Huber",
    "LogCosh",
    "Hinge",
]


def _prepare(y_true, y_pred):
    y_pred = jnp.asarray(y_pred)
    if not jnp.issubdtype(y_pred.dtype, jnp.floating):
        y_pred = y_pred.astype(jnp.float32)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """``mean((y_true - y_pred) ** 2, axis=-1)``.

    Args:
        y_true, y_pred: shape ``(batch, d0, .., dN)``.

    Returns:
        Shape ``(batch, d0, .., dN-1)``.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return jnp.mean(jnp.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """``mean(|y_true - y_pred|, axis=-1)``; shapes as `mean_squared_error`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss, averaged over the last axis.

    With ``e = y_pred - y_true``: ``0.5 e**2`` where ``|e| <= delta``, else
    ``delta * |e| - 0.5 delta**2``.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    delta = jnp.asarray(delta, y_pred.dtype)
    err = y_pred - y_true
    abs_err = jnp.abs(err)
    quad = 0.5 * jnp.square(err)
    lin = delta * abs_err - 0.5 * jnp.square(delta)
    return jnp.mean(jnp.where(abs_err <= delta, quad, lin), axis=-1)


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed stably as
    ``x + softplus(-2x) - log 2`` (no overflow for large errors)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return jnp.mean(x + jax.nn.softplus(-2.0 * x) - jnp.log(2.0).astype(x.dtype), axis=-1)


def hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``.

    Targets should be -1 or 1; when every target is 0 or 1 (checked on the
    whole batch, as Keras does) they are mapped to -1/1 first.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    is_01 = jnp.all((y_true == 0) | (y_true == 1))
    y_true = jnp.where(is_01, 2.0 * y_true - 1.0, y_true)
    return jnp.mean(jnp.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squared errors (``"mse"``).

    Example:
        >>> float(MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]))
        0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors (``"mae"``).

    Example:
        >>> float(MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]]))
        0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for errors up to `delta`, linear beyond.

    Args:
        delta: where the loss changes from quadratic to linear (>= 0).

    Example:
        >>> float(Huber(delta=1.0)([[0.0]], [[3.0]]))  # 1 * 3 - 0.5
        2.5
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        self.delta = check_nonnegative("delta", delta)
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=self.delta)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "delta": self.delta}


class LogCosh(LossFunctionWrapper):
    """Logarithm of the hyperbolic cosine of the error (``"log_cosh"``).

    Example:
        >>> round(float(LogCosh()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])), 4)
        0.1084
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


class Hinge(LossFunctionWrapper):
    """Hinge loss for -1/1 targets (0/1 targets are converted).

    Example:
        >>> float(Hinge()([[1.0], [0.0]], [[0.5], [0.5]]))  # (0.5 + 1.5) / 2
        1.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}
