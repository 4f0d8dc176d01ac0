"""Regression and probabilistic metrics: means of per-sample loss values.

``MeanSquaredError`` here is the metric (a running mean over every batch);
``trainlab.losses.MeanSquaredError`` is the loss. Keras has the same pair.

Example:
    >>> m = RootMeanSquaredError()
    >>> float(m([[0, 1], [0, 0]], [[1, 1], [0, 0]]))
    0.5
"""

from __future__ import annotations

import jax.numpy as jnp

from .. import losses as _losses
from ..losses import squeeze_or_expand_to_same_rank
from ._base import Mean, MeanMetricWrapper

__all__ = [
    "MeanSquaredError",
    "MeanAbsoluteError",
    "RootMeanSquaredError",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "KLDivergence",
    "Poisson",
]


class _Wrapper(MeanMetricWrapper):
    _KWARGS: tuple[str, ...] = ()

    def get_config(self):
        extra = {k: getattr(self, k) for k in self._KWARGS}
        return {"name": self.name, "dtype": self.dtype.name, **extra}


class MeanSquaredError(_Wrapper):
    """Running mean of ``mean((y_true - y_pred) ** 2, axis=-1)``.

    Example:
        >>> float(MeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]]))
        0.25
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(_losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(_Wrapper):
    """Running mean of ``mean(|y_true - y_pred|, axis=-1)``.

    Example:
        >>> float(MeanAbsoluteError()([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0]))
        0.5
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(_losses.mean_absolute_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """``sqrt`` of the weighted mean squared error over all batches.

    The square root is taken at the end (not per batch), as Keras does.

    Example:
        >>> m = RootMeanSquaredError()
        >>> round(float(m([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])), 4)
        0.7071
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update(self, state, y_true, y_pred, sample_weight=None):
        y_true = jnp.asarray(y_true, self.dtype)
        y_pred = jnp.asarray(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update(state, jnp.square(y_pred - y_true), sample_weight=sample_weight)

    def compute(self, state):
        return jnp.sqrt(super().compute(state))

    def _build_from(self, args):
        pass


class BinaryCrossentropy(_Wrapper):
    """Running mean of the binary crossentropy (see `trainlab.losses`).

    Example:
        >>> round(float(BinaryCrossentropy()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])), 4)
        0.8149
    """

    _KWARGS = ("from_logits", "label_smoothing")

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0.0):
        self.from_logits, self.label_smoothing = bool(from_logits), float(label_smoothing)
        super().__init__(_losses.binary_crossentropy, name=name, dtype=dtype,
                         from_logits=self.from_logits, label_smoothing=self.label_smoothing)


class CategoricalCrossentropy(_Wrapper):
    """Running mean of the categorical crossentropy (one-hot targets)."""

    _KWARGS = ("from_logits", "label_smoothing", "axis")

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0.0, axis=-1):
        self.from_logits, self.label_smoothing = bool(from_logits), float(label_smoothing)
        self.axis = axis
        super().__init__(_losses.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=self.from_logits, label_smoothing=self.label_smoothing,
                         axis=axis)


class SparseCategoricalCrossentropy(_Wrapper):
    """Running mean of the sparse categorical crossentropy (integer labels)."""

    _KWARGS = ("from_logits",)

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False):
        self.from_logits = bool(from_logits)
        super().__init__(_losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=self.from_logits)


class KLDivergence(_Wrapper):
    """Running mean of the Kullback-Leibler divergence."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(_losses.kl_divergence, name=name, dtype=dtype)


class Poisson(_Wrapper):
    """Running mean of the Poisson loss."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(_losses.poisson, name=name, dtype=dtype)
