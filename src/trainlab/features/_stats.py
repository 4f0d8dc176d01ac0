"""Statistics fitted on training data by `adapt`: fill values and moments.

Kept free of layer code so that `trainlab.data.preprocessing`'s
`Normalization` and `Imputer` could share them: the numbers are Keras's
``Normalization.adapt`` (population variance) and scikit-learn's
``SimpleImputer(strategy="mean" / "median")``. Differences to settle before
sharing: `Normalization` merges batch statistics (Chan's algorithm, for data
that does not fit in memory) and floors the standard deviation at Keras's
epsilon, while feature columns see the whole column at once and treat a zero
standard deviation as 1 (scikit-learn's `StandardScaler`), so that a feature
constant in training data cannot blow up at prediction time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fill_values", "mean_and_variance", "scan"]


def fill_values(raw: np.ndarray, default_value: Any, key: str) -> np.ndarray | None:
    """The value each position of `raw` ``(N, d)`` is filled with where it is NaN.

    Args:
        default_value: None (no imputation), a number, "mean" or "median".

    Raises:
        ValueError: a fitted imputer on a position that has no value at all.
    """
    if default_value is None:
        return None
    if not isinstance(default_value, str):
        return np.full(raw.shape[1], float(default_value))
    raw = np.asarray(raw, np.float64)
    present = ~np.isnan(raw)
    empty = ~present.any(axis=0)
    if empty.any():
        raise ValueError(
            f"Column {key!r} has no values at all in the training data (position(s) "
            f"{np.flatnonzero(empty).tolist()}), so its {default_value!r} cannot be computed. Pass a number as "
            f"default_value, or drop the column."
        )
    fn = np.nanmean if default_value == "mean" else np.nanmedian
    return fn(raw, axis=0)


def mean_and_variance(values: np.ndarray, chunk_rows: int = 16384) -> tuple[np.ndarray, np.ndarray]:
    """Per-position mean and population variance of `values` ``(N, d)``, accumulated in float64.

    One pass in chunks over the data shifted by the mean of its first rows:
    with the shift near the mean, ``E[(x-s)^2] - E[x-s]^2`` does not cancel
    even for unscaled columns with a large offset (house prices), and the
    chunks reuse one small buffer instead of a temporary copy of the data.
    """
    mean, variance, _ = scan(values, chunk_rows)
    return mean, variance


def scan(values: np.ndarray, chunk_rows: int = 16384) -> tuple[np.ndarray, np.ndarray, bool]:
    """`mean_and_variance` plus whether every value is finite, in the same single pass."""
    values = np.asarray(values)
    if values.dtype.kind != "f":
        values = values.astype(np.float64)
    n, width = values.shape
    with np.errstate(invalid="ignore", over="ignore"):
        shift = values[:1024].mean(axis=0, dtype=np.float64).astype(values.dtype)
    finite = bool(np.isfinite(shift).all())
    total = np.zeros(width)
    squares = np.zeros(width)
    buffer = np.empty((min(chunk_rows, n), width), values.dtype)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN / inf only make `finite` False
        for start in range(0, n, chunk_rows):
            chunk = values[start:start + chunk_rows]
            deviations = buffer[: len(chunk)]
            np.subtract(chunk, shift, out=deviations)
            total += np.einsum("ij->j", deviations, dtype=np.float64)
            squares += np.einsum("ij,ij->j", deviations, deviations, dtype=np.float64)
    finite = finite and bool(np.isfinite(total).all() and np.isfinite(squares).all())
    offset = total / n
    return shift.astype(np.float64) + offset, np.maximum(squares / n - offset**2, 0.0), finite
