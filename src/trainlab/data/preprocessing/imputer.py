"""`Imputer`: fill missing values with a statistic of the training data, as
scikit-learn's `SimpleImputer` (strategies, tie rules, indicator columns).

``mean`` streams over the data; ``median`` and ``most_frequent`` keep the
observed values of each column in memory while adapting (8 bytes a value).
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp
import numpy as np

from ..._validation import check_one_of, describe
from ._base import PreprocessingLayer, check_no_nan, column_label

__all__ = ["Imputer"]

_STRATEGIES = ("mean", "median", "most_frequent", "constant")


class Imputer(PreprocessingLayer):
    """Replace missing values, column by column: ``(N, D) -> (N, D [+ M])``.

    Args:
        strategy: "mean", "median", "most_frequent" (ties: the smallest value,
            as scikit-learn) or "constant" (`fill_value`).
        fill_value: the value used by "constant" (default 0).
        missing_values: what counts as missing: NaN (default) or a number such
            as -1 or 0.
        add_indicator: append one 0/1 column per feature that had missing
            values during `adapt` (``M`` columns, scikit-learn's
            ``add_indicator=True``), so a model can learn from missingness.
        indicator_columns: the features that get an indicator column: set by
            `adapt` ("missing-only"); pass "all" or a list of column indices to
            choose.

    Weights (non-trainable): ``statistics`` ``(D,)``, ``count``.

    Raises:
        ValueError: in `adapt`, a column with no observed value (for mean,
            median or most_frequent; the column is named).

    Example:
        >>> import numpy as np
        >>> imp = Imputer(strategy="median", add_indicator=True)
        >>> imp.adapt(np.array([[1.0, 2.0], [np.nan, 4.0], [3.0, 6.0]]))
        >>> np.asarray(imp(np.array([[np.nan, np.nan]]))).tolist()
        [[2.0, 4.0, 1.0]]
    """

    def __init__(self, strategy: str = "mean", fill_value: float | None = None, missing_values: float = math.nan,
                 add_indicator: bool = False, indicator_columns: str | list[int] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.strategy = check_one_of("strategy", strategy, _STRATEGIES)
        if fill_value is not None and not isinstance(fill_value, (int, float, np.integer, np.floating)):
            raise TypeError(f"`fill_value` of Imputer must be a number; received {describe(fill_value)}.")
        self.fill_value = None if fill_value is None else float(fill_value)
        if missing_values is None or not isinstance(missing_values, (int, float, np.integer, np.floating)):
            raise TypeError(
                f"`missing_values` must be a number or NaN (the default); received {describe(missing_values)}."
            )
        self.missing_values = float(missing_values)
        self.add_indicator = bool(add_indicator)
        if indicator_columns is not None and indicator_columns != "all":
            if isinstance(indicator_columns, str) or not all(
                    isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in indicator_columns):
                raise ValueError(
                    f"`indicator_columns` must be 'all', a list of column indices or None; received "
                    f"{indicator_columns!r}."
                )
            indicator_columns = sorted(int(i) for i in indicator_columns)
        self.indicator_columns = indicator_columns

    @property
    def _nan_missing(self) -> bool:
        return math.isnan(self.missing_values)

    def _missing(self, x: np.ndarray) -> np.ndarray:
        return np.isnan(x) if self._nan_missing else x == self.missing_values

    def _resolved_indicator(self, d: int) -> list[int]:
        if not self.add_indicator:
            return []
        if self.indicator_columns == "all":
            return list(range(d))
        cols = self.indicator_columns or []
        bad = [i for i in cols if not 0 <= i < d]
        if bad:
            raise ValueError(f"`indicator_columns` {bad} are out of range for inputs with {d} features.")
        return list(cols)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"Layer {self.name!r} (Imputer) takes 2-D inputs (N, features) with a known number of features; "
                f"received shape {tuple(input_shape)}."
            )
        d = int(input_shape[-1])
        self._indicator = self._resolved_indicator(d)
        self.add_weight("statistics", (d,), "zeros", trainable=False)
        self.add_weight("count", (), "zeros", trainable=False)

    def _fit(self, batches, names):
        d = None
        n = 0
        sums = counts = missing_any = None
        observed: list[list[np.ndarray]] = []
        for batch in batches:
            batch = np.asarray(batch, np.float64)
            if batch.ndim != 2:
                raise ValueError(
                    f"Imputer.adapt() takes 2-D data (N, features); received a batch of shape {batch.shape}."
                )
            if d is None:
                d = batch.shape[1]
                sums, counts, missing_any = np.zeros(d), np.zeros(d), np.zeros(d, bool)
                observed = [[] for _ in range(d)]
            elif batch.shape[1] != d:
                raise ValueError(f"Imputer.adapt() received batches with {d} and {batch.shape[1]} features.")
            if not self._nan_missing:
                check_no_nan(batch, self, names)
            elif np.isinf(batch).any():
                check_no_nan(np.where(np.isnan(batch), 0.0, batch), self, names)
            miss = self._missing(batch)
            missing_any |= miss.any(axis=0)
            n += batch.shape[0]
            if self.strategy == "mean":
                sums += np.where(miss, 0.0, batch).sum(axis=0)
                counts += (~miss).sum(axis=0)
            elif self.strategy in ("median", "most_frequent"):
                for j in range(d):
                    observed[j].append(batch[~miss[:, j], j])
        if d is None or n == 0:
            raise ValueError("Imputer.adapt() received no samples.")
        if self.strategy == "constant":
            stats = np.full(d, 0.0 if self.fill_value is None else self.fill_value)
        else:
            if self.strategy != "mean":
                columns = [np.concatenate(obs) if obs else np.zeros(0) for obs in observed]
                counts = np.array([c.size for c in columns], float)
            empty = [j for j in range(d) if counts[j] == 0]
            if empty:
                listed = ", ".join(column_label(j, names) for j in empty)
                raise ValueError(
                    f"Imputer.adapt() found no observed value in column(s) {listed}: every value is missing, so "
                    f"strategy={self.strategy!r} has nothing to compute. Drop those columns, or use "
                    f"strategy='constant' with a `fill_value`."
                )
            if self.strategy == "mean":
                stats = sums / counts
            elif self.strategy == "median":
                stats = np.array([np.median(c) for c in columns])
            else:
                stats = np.array([_most_frequent(c) for c in columns])
        if self.add_indicator and self.indicator_columns is None:
            self.indicator_columns = [int(j) for j in np.flatnonzero(missing_any)]
            if self.built:
                self._build_input_shape = None  # rebuild: the output width may change
        self.statistics_ = stats
        return {"statistics": stats, "count": np.asarray(float(n))}, (d,)

    def check_input_shape(self, input_shape):
        d = self._specs["statistics"].shape[0]
        if len(input_shape) != 2 or input_shape[-1] != d:
            raise ValueError(
                f"Layer {self.name!r} (Imputer) was adapted on {d} features, but received inputs of shape "
                f"{tuple(input_shape)}. Transform data with the same columns, in the same order, as the data "
                f"passed to adapt()."
            )

    def call(self, inputs):
        if self._nan_missing:
            miss = jnp.isnan(inputs)
        else:
            miss = inputs == self.missing_values
        filled = jnp.where(miss, self.statistics.astype(inputs.dtype), inputs)
        if not self._indicator:
            return filled
        idx = jnp.asarray(self._indicator)
        return jnp.concatenate([filled, miss[:, idx].astype(inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + len(self._resolved_indicator(input_shape[-1])))

    def get_config(self):
        return {**super().get_config(), "strategy": self.strategy, "fill_value": self.fill_value,
                "missing_values": None if self._nan_missing else self.missing_values,
                "add_indicator": self.add_indicator, "indicator_columns": self.indicator_columns}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("missing_values") is None:
            config["missing_values"] = math.nan
        return cls(**config)


def _most_frequent(values: np.ndarray) -> float:
    """The most frequent value; the smallest one on ties (scikit-learn's rule)."""
    uniq, counts = np.unique(values, return_counts=True)
    return float(uniq[np.argmax(counts)])
