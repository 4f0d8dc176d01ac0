"""Feature scaling fitted on training data: `Normalization` (standardization,
mean 0 and variance 1, Keras) and `MinMaxScaling` (to [0, 1] or a given range,
scikit-learn's MinMaxScaler).

Statistics are accumulated batch by batch in float64 (Chan et al.'s parallel
variance update), so `adapt` streams over memory maps and datasets.
Shapes put the batch dimension first (``N``); ``F`` is the feature shape (the
sizes of the kept `axis`, e.g. ``(8,)`` for tabular data or ``(3,)`` for the
channels of images).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jax.numpy as jnp
import numpy as np

from ..._validation import check_finite_number
from ._base import PreprocessingLayer, check_no_nan, feature_axes

__all__ = ["Normalization", "MinMaxScaling"]

_EPSILON = 1e-7  # keras.backend.epsilon()


def _kept_axes(layer: Any, ndim: int) -> tuple[int, ...]:
    if layer.axis is not None and ndim == 1:
        raise ValueError(
            f"Layer {layer.name!r} ({type(layer).__name__}) got 1-D data, which has no feature axis for "
            f"`axis`={layer.axis!r}. Pass axis=None (one statistic for all values) or reshape the data to "
            f"(N, 1) with x.reshape(-1, 1)."
        )
    return feature_axes(layer.axis, ndim)


def _as_rows(batch: np.ndarray, kept: tuple[int, ...]) -> np.ndarray:
    """``(rows, *F)``: kept axes last, every other axis folded into rows."""
    ndim = batch.ndim
    reduce = [a for a in range(ndim) if a not in kept]
    moved = np.transpose(batch, reduce + list(kept))
    return moved.reshape((-1,) + tuple(batch.shape[a] for a in kept))


class _FeatureStats(PreprocessingLayer):
    """Shared machinery: per-feature statistics over the non-kept axes."""

    def __init__(self, axis: int | tuple[int, ...] | None = -1, **kwargs: Any):
        super().__init__(**kwargs)
        if axis is not None and not isinstance(axis, (int, np.integer)):
            axis = tuple(int(a) for a in axis)
        self.axis = axis

    def _iter_rows(self, batches: Iterator[np.ndarray], names: list[str] | None):
        shape = None
        for batch in batches:
            batch = np.asarray(batch, np.float64)
            kept = _kept_axes(self, batch.ndim)
            if shape is None:
                shape = batch.shape[1:]
            elif batch.shape[1:] != shape:
                raise ValueError(
                    f"{type(self).__name__}.adapt() received batches of different sample shapes: {shape} and "
                    f"{batch.shape[1:]}. Every batch must have the same features."
                )
            check_no_nan(batch, self, names)
            yield _as_rows(batch, kept)
        if shape is None:
            raise ValueError(f"{type(self).__name__}.adapt() received no data (no batches).")
        self._adapt_sample_shape = shape

    def _feature_shape(self, input_shape: tuple) -> tuple[int, ...]:
        kept = _kept_axes(self, len(input_shape))
        shape = tuple(input_shape[a] for a in kept)
        if any(d is None for d in shape):
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) needs the size of axis {self.axis!r} to be known; "
                f"received input shape {tuple(input_shape)}."
            )
        return shape

    def _broadcast(self, v: Any, ndim: int) -> Any:
        kept = _kept_axes(self, ndim)
        shape = [1] * ndim
        for a, d in zip(kept, np.shape(v)):
            shape[a] = d
        return jnp.reshape(v, shape)

    def check_input_shape(self, input_shape: Any) -> None:
        if self.axis is None:  # one statistic for every value: any input shape works (Keras)
            return
        built = tuple(self._build_input_shape)
        got = tuple(input_shape)
        ok = len(got) == len(built)
        if ok:
            kept = _kept_axes(self, len(got))
            ok = all(got[a] == built[a] for a in kept)
        if not ok:
            n_feat = int(np.prod([d for d in self._feature_shape(built)])) if built[1:] else 1
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) was adapted on data of shape {built} ({n_feat} "
                f"feature(s) along axis {self.axis!r}), but received inputs of shape {got}. Transform data with "
                f"the same columns, in the same order, as the data passed to adapt()."
            )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Normalization(_FeatureStats):
    """Standardize features: ``(x - mean) / sqrt(variance)``, statistics from `adapt`.

    Keras's `Normalization`: per feature along `axis` (default the last one),
    population variance, ``sqrt(variance)`` floored at 1e-7 so constant
    features map to 0. `invert=True` undoes a standardization (e.g. to turn
    standardized predictions back into prices).

    Args:
        axis: axis (or axes) with separate statistics; the others are averaged
            over. -1: one mean per column ``(N, F)`` / per channel ``(N, H, W, C)``;
            None: one mean and variance for all values.
        mean, variance: give the statistics instead of calling `adapt`
            (broadcastable to the feature shape).
        invert: compute ``mean + x * sqrt(variance)`` instead.

    Weights (non-trainable, saved with the model): ``mean`` ``(F,)``,
    ``variance`` ``(F,)``, ``count`` (samples seen by `adapt`).

    Example:
        >>> import numpy as np
        >>> norm = Normalization()
        >>> norm.adapt(np.array([[1.0, 10.0], [3.0, 30.0]]))
        >>> np.asarray(norm(np.array([[2.0, 50.0]]))).round(3).tolist()
        [[0.0, 3.0]]
    """

    def __init__(self, axis: int | tuple[int, ...] | None = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any):
        super().__init__(axis=axis, **kwargs)
        if (mean is None) != (variance is None):
            raise ValueError(
                f"Normalization needs both `mean` and `variance`, or neither (then call adapt()); received "
                f"mean={mean!r}, variance={variance!r}."
            )
        self.input_mean = None if mean is None else np.asarray(mean, np.float64)
        self.input_variance = None if variance is None else np.asarray(variance, np.float64)
        if self.input_variance is not None and (self.input_variance < 0).any():
            raise ValueError(f"`variance` of Normalization must be >= 0; received {variance!r}.")
        self.invert = bool(invert)
        self.requires_adapt = mean is None

    @property
    def is_adapted(self) -> bool:
        return self.input_mean is not None or super().is_adapted

    def build(self, input_shape):
        shape = self._feature_shape(tuple(input_shape))
        self._stat_shape = shape
        if self.input_mean is None:
            self.add_weight("mean", shape, "zeros", trainable=False)
            self.add_weight("variance", shape, "ones", trainable=False)
            self.add_weight("count", (), "zeros", trainable=False)
        else:
            try:
                self._given = (np.broadcast_to(self.input_mean, shape).astype(np.float32),
                               np.broadcast_to(self.input_variance, shape).astype(np.float32))
            except ValueError:
                raise ValueError(
                    f"`mean`/`variance` of shape {self.input_mean.shape}/{self.input_variance.shape} do not "
                    f"broadcast to the feature shape {shape} of inputs {tuple(input_shape)}."
                ) from None

    def _fit(self, batches, names):
        count, mean, m2 = 0, None, None
        for rows in self._iter_rows(batches, names):
            n = rows.shape[0]
            if n == 0:
                continue
            b_mean = rows.mean(axis=0)
            b_m2 = ((rows - b_mean) ** 2).sum(axis=0)
            if mean is None:
                count, mean, m2 = n, b_mean, b_m2
                continue
            total = count + n
            delta = b_mean - mean
            mean = mean + delta * (n / total)
            m2 = m2 + b_m2 + delta ** 2 * (count * n / total)
            count = total
        if mean is None:
            raise ValueError("Normalization.adapt() received no samples.")
        return ({"mean": mean, "variance": m2 / count, "count": np.asarray(float(count))},
                self._adapt_sample_shape)

    def _stats(self):
        if self.input_mean is not None:
            return jnp.asarray(self._given[0]), jnp.asarray(self._given[1])
        return self.mean, self.variance

    def call(self, inputs):
        mean, variance = self._stats()
        mean = self._broadcast(mean, inputs.ndim)
        std = jnp.maximum(jnp.sqrt(self._broadcast(variance, inputs.ndim)), _EPSILON)
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def get_config(self):
        return {**super().get_config(), "invert": self.invert,
                "mean": None if self.input_mean is None else self.input_mean.tolist(),
                "variance": None if self.input_variance is None else self.input_variance.tolist()}


class MinMaxScaling(_FeatureStats):
    """Scale each feature to `feature_range` using the minimum and maximum seen by `adapt`.

    ``y = (x - min) / (max - min) * (high - low) + low``, as scikit-learn's
    `MinMaxScaler` (a constant feature maps to `low`). New data outside the
    adapted range maps outside `feature_range` unless ``clip=True``.

    Args:
        feature_range: ``(low, high)``, default ``(0, 1)``.
        axis: as `Normalization` (default -1: per column / per channel).
        clip: clip outputs to `feature_range`.

    Weights (non-trainable): ``min`` ``(F,)``, ``max`` ``(F,)``, ``count``.

    Example:
        >>> import numpy as np
        >>> scale = MinMaxScaling()
        >>> scale.adapt(np.array([[0.0, -1.0], [10.0, 1.0]]))
        >>> np.asarray(scale(np.array([[5.0, 0.0]]))).tolist()
        [[0.5, 0.5]]
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0), axis: int | tuple[int, ...] | None = -1,
                 clip: bool = False, **kwargs: Any):
        super().__init__(axis=axis, **kwargs)
        if not isinstance(feature_range, (tuple, list)) or len(feature_range) != 2:
            raise ValueError(
                f"`feature_range` must be a pair (low, high), e.g. (0, 1); received {feature_range!r}."
            )
        low = check_finite_number("feature_range[0]", feature_range[0])
        high = check_finite_number("feature_range[1]", feature_range[1])
        if not low < high:
            raise ValueError(
                f"`feature_range` must have low < high; received {tuple(feature_range)!r}. Pass e.g. (-1, 1)."
            )
        self.feature_range = (low, high)
        self.clip = bool(clip)

    def build(self, input_shape):
        shape = self._feature_shape(tuple(input_shape))
        self.add_weight("min", shape, "zeros", trainable=False)
        self.add_weight("max", shape, "ones", trainable=False)
        self.add_weight("count", (), "zeros", trainable=False)

    def _fit(self, batches, names):
        lo = hi = None
        count = 0
        for rows in self._iter_rows(batches, names):
            if rows.shape[0] == 0:
                continue
            b_lo, b_hi = rows.min(axis=0), rows.max(axis=0)
            lo = b_lo if lo is None else np.minimum(lo, b_lo)
            hi = b_hi if hi is None else np.maximum(hi, b_hi)
            count += rows.shape[0]
        if lo is None:
            raise ValueError("MinMaxScaling.adapt() received no samples.")
        return {"min": lo, "max": hi, "count": np.asarray(float(count))}, self._adapt_sample_shape

    def call(self, inputs):
        low, high = self.feature_range
        lo = self._broadcast(self.min, inputs.ndim)
        hi = self._broadcast(self.max, inputs.ndim)
        span = hi - lo
        span = jnp.where(span == 0, 1.0, span)
        y = (inputs - lo) / span * (high - low) + low
        if self.clip:
            y = jnp.clip(y, low, high)
        return y

    def get_config(self):
        return {**super().get_config(), "feature_range": list(self.feature_range), "clip": self.clip}
