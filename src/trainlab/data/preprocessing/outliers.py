"""Outliers: `OutlierClipper` (a layer that clips each feature to bounds found on
the training data) and `drop_outliers` (drop the rows that fall outside, and
report how many per column).

Bounds, per feature (column):

* ``"iqr"`` (Tukey's fences): ``[Q1 - t * IQR, Q3 + t * IQR]``, t = 1.5 by
  default, quartiles with linear interpolation (numpy's and pandas' default);
* ``"zscore"``: ``[mean - t * std, mean + t * std]``, t = 3 by default,
  population standard deviation (scipy.stats.zscore's ddof=0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jax.numpy as jnp
import numpy as np

from ..._validation import check_finite_number, check_one_of, describe
from ._base import PreprocessingLayer, check_no_nan, column_label, to_numpy

__all__ = ["OutlierClipper", "drop_outliers", "OutlierReport", "outlier_bounds"]

_DEFAULT_THRESHOLD = {"iqr": 1.5, "zscore": 3.0}


def _threshold(method: str, threshold: Any) -> float:
    if threshold is None:
        return _DEFAULT_THRESHOLD[method]
    value = check_finite_number("threshold", threshold)
    if value <= 0:
        raise ValueError(f"`threshold` must be > 0; received {threshold!r}. Typical: 1.5 for 'iqr', 3 for 'zscore'.")
    return value


def outlier_bounds(x: Any, method: str = "iqr", threshold: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-column ``(lower, upper)`` bounds of 2-D data `x` ``(N, D)``.

    Example:
        >>> lo, hi = outlier_bounds(np.array([[1.0], [2.0], [3.0], [4.0]]))
        >>> lo.tolist(), hi.tolist()
        ([-0.5], [5.5])
    """
    method = check_one_of("method", method, ("iqr", "zscore"))
    t = _threshold(method, threshold)
    arr, _ = to_numpy(x, "x")
    arr = np.asarray(arr, np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if method == "iqr":
        q1, q3 = np.percentile(arr, [25, 75], axis=0)
        iqr = q3 - q1
        return q1 - t * iqr, q3 + t * iqr
    mean, std = arr.mean(axis=0), arr.std(axis=0)
    return mean - t * std, mean + t * std


class OutlierClipper(PreprocessingLayer):
    """Clip each feature to outlier bounds computed by `adapt`: ``(N, D) -> (N, D)``.

    Args:
        method: "iqr" (Tukey's fences, robust) or "zscore" (mean ± t std).
        threshold: t; default 1.5 for "iqr", 3.0 for "zscore".

    Weights (non-trainable): ``lower`` ``(D,)``, ``upper`` ``(D,)``, ``count``.

    Example:
        >>> import numpy as np
        >>> clip = OutlierClipper()
        >>> clip.adapt(np.array([[1.0], [2.0], [3.0], [4.0]]))
        >>> np.asarray(clip(np.array([[100.0]]))).tolist()
        [[5.5]]
    """

    def __init__(self, method: str = "iqr", threshold: float | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.method = check_one_of("method", method, ("iqr", "zscore"))
        self.threshold = _threshold(self.method, threshold)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"Layer {self.name!r} (OutlierClipper) takes 2-D inputs (N, features) with a known number of "
                f"features; received shape {tuple(input_shape)}."
            )
        d = int(input_shape[-1])
        self.add_weight("lower", (d,), "zeros", trainable=False)
        self.add_weight("upper", (d,), "zeros", trainable=False)
        self.add_weight("count", (), "zeros", trainable=False)

    def _fit(self, batches, names):
        parts = []
        d = None
        for batch in batches:
            batch = np.asarray(batch, np.float64)
            if batch.ndim == 1:
                batch = batch[:, None]
            if batch.ndim != 2 or (d is not None and batch.shape[1] != d):
                raise ValueError(
                    f"OutlierClipper.adapt() takes 2-D data (N, features) with the same features in every batch; "
                    f"received a batch of shape {batch.shape}."
                )
            d = batch.shape[1]
            check_no_nan(batch, self, names)
            parts.append(batch)
        if not parts:
            raise ValueError("OutlierClipper.adapt() received no samples.")
        data = np.concatenate(parts)
        lower, upper = outlier_bounds(data, self.method, self.threshold)
        return {"lower": lower, "upper": upper, "count": np.asarray(float(len(data)))}, (d,)

    def check_input_shape(self, input_shape):
        d = self._specs["lower"].shape[0]
        if len(input_shape) != 2 or input_shape[-1] != d:
            raise ValueError(
                f"Layer {self.name!r} (OutlierClipper) was adapted on {d} features, but received inputs of shape "
                f"{tuple(input_shape)}. Transform data with the same columns, in the same order, as the data "
                f"passed to adapt()."
            )

    def call(self, inputs):
        return jnp.clip(inputs, self.lower, self.upper)

    def get_config(self):
        return {**super().get_config(), "method": self.method, "threshold": self.threshold}


@dataclass
class OutlierReport:
    """What `drop_outliers` removed.

    Attributes:
        n_rows: rows before.
        n_dropped: rows removed (a row goes if any checked column is outside).
        per_column: ``{column label: number of outlying values}``.
        lower, upper: the bounds used, per checked column.
        kept: boolean mask ``(n_rows,)`` of the rows kept.
    """

    n_rows: int
    n_dropped: int
    per_column: dict[str, int] = field(default_factory=dict)
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    kept: np.ndarray | None = None

    @property
    def n_kept(self) -> int:
        return self.n_rows - self.n_dropped

    def __str__(self) -> str:
        share = 100.0 * self.n_dropped / self.n_rows if self.n_rows else 0.0
        cols = ", ".join(f"{k}: {v}" for k, v in self.per_column.items() if v) or "none"
        return (f"dropped {self.n_dropped} of {self.n_rows} rows ({share:.1f}%) with outliers; "
                f"outlying values per column: {cols}")


def drop_outliers(*arrays: Any, method: str = "iqr", threshold: float | None = None, columns: Any = None,
                  clipper: OutlierClipper | None = None) -> list[Any]:
    """Drop the rows of `arrays` where the first one has an outlier; report how many.

    Bounds come from the first array itself (use it on the *training* data),
    or from an adapted `clipper`.

    Args:
        *arrays: ``x`` ``(N, D)`` (numpy or pandas DataFrame), then optionally
            ``y`` and other arrays with the same rows; all lose the same rows.
        method, threshold: as `OutlierClipper`.
        columns: only check these columns (indices, or names for a DataFrame).
        clipper: an adapted `OutlierClipper` whose bounds to use.

    Returns:
        ``[x_kept, (y_kept, ...), report]`` with each array of its input type
        and an `OutlierReport`.

    Raises:
        ValueError: no arrays, different row counts, NaN in checked columns,
            unknown columns.

    Example:
        >>> x = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
        >>> y = np.arange(5)
        >>> x_kept, y_kept, report = drop_outliers(x, y)
        >>> y_kept.tolist(), report.n_dropped
        ([0, 1, 2, 3], 1)
    """
    if not arrays:
        raise ValueError("drop_outliers needs at least one array: drop_outliers(x) or drop_outliers(x, y).")
    x = arrays[0]
    data, names = to_numpy(x, "x")
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2:
        raise ValueError(f"drop_outliers checks 2-D data (N, features); `x` has shape {data.shape}.")
    n = data.shape[0]
    for i, a in enumerate(arrays[1:], start=1):
        if len(a) != n:
            raise ValueError(
                f"All arrays passed to drop_outliers must have the same rows: `x` has {n}, argument {i} has "
                f"{len(a)}."
            )
    cols = _resolve_columns(columns, data.shape[1], names)
    checked = np.asarray(data[:, cols], np.float64)
    check_no_nan(checked, "drop_outliers", None, labels=[column_label(c, names) for c in cols])
    if clipper is not None:
        if not clipper.is_adapted:
            raise ValueError("`clipper` must be adapted first: clipper.adapt(x_train).")
        lower = np.asarray(clipper.lower, np.float64)[cols]
        upper = np.asarray(clipper.upper, np.float64)[cols]
    else:
        lower, upper = outlier_bounds(checked, method, threshold)
    outside = (checked < lower) | (checked > upper)
    kept = ~outside.any(axis=1)
    per_column = {column_label(c, names): int(outside[:, j].sum()) for j, c in enumerate(cols)}
    report = OutlierReport(n_rows=n, n_dropped=int(n - kept.sum()), per_column=per_column, lower=lower,
                           upper=upper, kept=kept)
    return [_take(a, kept) for a in arrays] + [report]


def _resolve_columns(columns: Any, d: int, names: list[str] | None) -> list[int]:
    if columns is None:
        return list(range(d))
    if isinstance(columns, (str, int, np.integer)):
        columns = [columns]
    out = []
    for c in columns:
        if isinstance(c, str):
            if names is None or c not in names:
                raise ValueError(
                    f"`columns` names {c!r}, but `x` has no such column"
                    + (f"; columns: {', '.join(names)}." if names else " (it is not a DataFrame); pass indices.")
                )
            out.append(names.index(c))
        elif isinstance(c, (int, np.integer)) and not isinstance(c, bool) and -d <= c < d:
            out.append(int(c) % d)
        else:
            raise ValueError(f"`columns` entry {describe(c)} is not a column of `x` (it has {d} columns).")
    return out


def _take(a: Any, kept: np.ndarray) -> Any:
    if hasattr(a, "iloc"):
        return a.iloc[np.flatnonzero(kept)]
    if isinstance(a, list):
        return [v for v, k in zip(a, kept) if k]
    return np.asarray(a)[kept]
