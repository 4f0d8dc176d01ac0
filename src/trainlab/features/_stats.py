"""Statistics fitted on training data by `adapt`: fill values and moments.

Kept free of layer code so that `trainlab.data`'s Normalization and Imputer
layers can share them: the numbers here are the same as Keras's
``Normalization.adapt`` (population variance) and scikit-learn's
``SimpleImputer(strategy="mean" / "median")``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fill_values", "mean_and_variance"]


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


def mean_and_variance(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-position mean and population variance of `values` ``(N, d)``, in float64.

    Two passes (mean first), which is exact enough for a million rows of
    unscaled data such as house prices.
    """
    values = np.asarray(values, np.float64)
    mean = values.mean(axis=0)
    variance = ((values - mean) ** 2).mean(axis=0)
    return mean, variance
