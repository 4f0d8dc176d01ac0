"""`infer_feature_columns`: propose feature columns for a DataFrame, with reasons.

The rules are the ones a course teaches, applied to each column's dtype and
cardinality (distinct values) in the training data:

====================================  ===========================================
column                                proposal
====================================  ===========================================
excluded (`exclude=`)                 skipped
all missing, or one constant value    skipped: carries no information
bool                                  numeric 0/1
int / float                           numeric, standardized (``normalize=True``);
                                      missing values filled with the training mean
string / category, every value unique skipped: looks like an identifier
string / category, <= `max_one_hot`   vocabulary list (+1 OOV bucket) -> one-hot
string / category, <= `max_vocabulary` vocabulary list (+1 OOV bucket) -> embedding
                                      of dimension ``ceil(categories ** 0.25)``
more categories                       hash bucket (2x categories) -> embedding
datetime and other types              skipped: derive numeric features first
====================================  ===========================================

For ``model="linear"`` categorical columns are returned bare (a linear model
learns one weight per category, which is the same as one-hot times a kernel).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_one_of, check_positive_int, describe
from ._columns import (
    FeatureColumn,
    categorical_column_with_hash_bucket,
    categorical_column_with_vocabulary_list,
    embedding_column,
    indicator_column,
    numeric_column,
)

__all__ = ["infer_feature_columns", "InferredColumns", "Choice"]


@dataclass(frozen=True)
class Choice:
    """What `infer_feature_columns` decided for one DataFrame column."""

    key: str
    dtype: str
    distinct: int
    missing: int
    column: FeatureColumn | None
    reason: str

    def line(self) -> str:
        target = self.column.name if self.column is not None else "(skipped)"
        return f"{self.key!r} [{self.dtype}, {self.distinct} distinct, {self.missing} missing] -> {target}: {self.reason}"


class InferredColumns(list):
    """A list of proposed feature columns that also remembers why (`choices`, `explain`)."""

    def __init__(self, columns: list[FeatureColumn], choices: list[Choice]):
        super().__init__(columns)
        self.choices = choices

    def explain(self) -> str:
        """One line per DataFrame column: dtype, distinct and missing counts, choice and reason."""
        return "\n".join(c.line() for c in self.choices)

    @property
    def skipped(self) -> list[str]:
        return [c.key for c in self.choices if c.column is None]


def _embedding_dim(categories: int) -> int:
    return max(2, math.ceil(categories**0.25))


def infer_feature_columns(df: Any, *, exclude: Any = (), model: str = "dnn", max_one_hot: int = 20,
                          max_vocabulary: int = 1000, normalize: bool = True, impute: str = "mean",
                          verbose: bool = False) -> InferredColumns:
    """Propose feature columns for the columns of `df` from their dtypes and cardinality.

    Args:
        df: a pandas DataFrame (the training data; vocabularies and the
            decision are taken from it).
        exclude: column name(s) to leave out, e.g. the target.
        model: "dnn" wraps categorical columns in indicator / embedding
            columns; "linear" keeps them categorical (for `LinearModel`).
        max_one_hot: at most this many categories become a one-hot indicator.
        max_vocabulary: at most this many categories get a vocabulary;
            beyond it, values are hashed.
        normalize: standardize numeric columns with training statistics.
        impute: fill value of numeric columns with missing values ("mean" or
            "median"); columns without missing values get no imputer.
        verbose: print `explain()`.

    Returns:
        `InferredColumns`: a list of feature columns with ``.explain()`` and
        ``.choices`` (one `Choice` per DataFrame column, skipped ones included).

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"price": [1.0, 2.0, None], "city": ["a", "b", "a"], "id": [1, 2, 3]})
        >>> cols = infer_feature_columns(df, exclude="id")
        >>> [c.name for c in cols]
        ['price', 'city_indicator']
        >>> print(cols.choices[0].reason)
        numeric; standardized with the training mean and standard deviation; 1 missing value(s) (33.3%) filled with the training mean
        >>> cols.skipped
        ['id']
    """
    if not hasattr(df, "columns") or not hasattr(df, "dtypes"):
        raise TypeError(
            f"`df` of infer_feature_columns must be a pandas DataFrame; received {describe(df)}. "
            f"Convert it with pd.DataFrame(data)."
        )
    check_one_of("model", model, ["dnn", "linear"])
    check_one_of("impute", impute, ["mean", "median"])
    max_one_hot = check_positive_int("max_one_hot", max_one_hot)
    max_vocabulary = check_positive_int("max_vocabulary", max_vocabulary)
    excluded = {exclude} if isinstance(exclude, str) else set(exclude or ())
    unknown = sorted(str(e) for e in excluded if e not in df.columns)
    if unknown:
        raise ValueError(f"`exclude` names column(s) {unknown} that are not in the DataFrame.")
    import pandas as pd

    columns, choices = [], []
    n = len(df)
    for key in df.columns:
        series = df[key]
        missing = int(series.isna().sum())
        distinct = int(series.nunique(dropna=True))
        dtype = str(series.dtype)

        def choose(column: FeatureColumn | None, reason: str) -> None:
            choices.append(Choice(str(key), dtype, distinct, missing, column, reason))
            if column is not None:
                columns.append(column)

        if not isinstance(key, str):
            choose(None, "the column name is not a string; rename it (df.columns = df.columns.astype(str))")
            continue
        if key in excluded:
            choose(None, "excluded by `exclude`")
            continue
        if distinct == 0:
            choose(None, "every value is missing")
            continue
        if distinct == 1:
            choose(None, "a single constant value carries no information")
            continue
        if pd.api.types.is_bool_dtype(series):
            choose(numeric_column(key), "boolean, used as a 0/1 number")
        elif pd.api.types.is_numeric_dtype(series):
            choose(*_numeric_choice(series, key, distinct, missing, n, normalize, impute))
        elif isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(series) \
                or pd.api.types.is_string_dtype(series):
            choose(*_categorical_choice(series, key, distinct, n, model, max_one_hot, max_vocabulary))
        elif pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series):
            choose(None, "dates and times are not features by themselves; derive numbers first "
                         "(e.g. df[key].dt.dayofweek, .dt.year) and infer again")
        else:
            choose(None, f"dtype {dtype} has no standard encoding; convert it to numbers or strings")
    result = InferredColumns(columns, choices)
    if verbose:
        print(result.explain())
    return result


def _numeric_choice(series: Any, key: str, distinct: int, missing: int, n: int, normalize: bool,
                    impute: str) -> tuple[FeatureColumn, str]:
    parts = ["numeric"]
    if normalize:
        parts.append("standardized with the training mean and standard deviation")
    if missing:
        parts.append(f"{missing} missing value(s) ({100 * missing / n:.1f}%) filled with the training {impute}")
    values = series.dropna().to_numpy(dtype=np.float64)
    if np.issubdtype(series.dtype, np.integer) and distinct <= 10:
        parts.append(f"only {distinct} distinct integers: if they are codes rather than amounts, use "
                     f"categorical_column_with_identity")
    elif len(values) > 2 and values.min() >= 0 and values.std() > 0:
        skew = float(((values - values.mean()) ** 3).mean() / values.std() ** 3)
        if skew > 3:
            parts.append(f"strongly right-skewed (skewness {skew:.1f}): a log transform or bucketized_column "
                         f"may fit better")
    column = numeric_column(key, default_value=impute if missing else None, normalize=normalize)
    return column, "; ".join(parts)


def _categorical_choice(series: Any, key: str, distinct: int, n: int, model: str, max_one_hot: int,
                        max_vocabulary: int) -> tuple[FeatureColumn | None, str]:
    import pandas as pd

    if distinct == n - int(series.isna().sum()) and n > max_one_hot:
        return None, "every value is different: this looks like an identifier, which does not generalize"
    if isinstance(series.dtype, pd.CategoricalDtype):
        vocab = [v for v in series.cat.categories.tolist()]
        distinct = len(vocab)
    else:
        vocab = sorted({str(v) if not isinstance(v, (int, float, np.number)) else v
                        for v in series.dropna().unique().tolist()}, key=lambda v: (type(v).__name__, v))
    if distinct <= max_vocabulary:
        cat = categorical_column_with_vocabulary_list(key, vocab, num_oov_buckets=1)
        if model == "linear":
            return cat, f"{distinct} categories: one weight each, plus one bucket for values unseen in training"
        if distinct <= max_one_hot:
            return indicator_column(cat), (f"{distinct} categories: one-hot vector, plus one bucket for values "
                                           f"unseen in training")
        dim = _embedding_dim(distinct)
        return embedding_column(cat, dim), (f"{distinct} categories (more than max_one_hot={max_one_hot}): learned "
                                            f"embedding of dimension {dim} (about categories ** 0.25)")
    size = 1 << max(1, math.ceil(math.log2(2 * distinct)))
    cat = categorical_column_with_hash_bucket(key, size)
    if model == "linear":
        return cat, f"{distinct} categories (more than max_vocabulary={max_vocabulary}): hashed into {size} buckets"
    dim = _embedding_dim(size)
    return embedding_column(cat, dim), (f"{distinct} categories (more than max_vocabulary={max_vocabulary}): hashed "
                                        f"into {size} buckets, learned embedding of dimension {dim}")
