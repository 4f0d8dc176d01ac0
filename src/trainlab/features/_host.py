"""Host-side reading of raw feature data: the work done once, in NumPy, before
anything reaches the compiled step.

* `get_column` reads one named feature from a DataFrame or a dict of arrays
  (and names it when it is missing);
* `parse_numeric` turns it into float32, naming the column and the first
  value that is not a number, or the first missing value when no imputer is
  configured;
* `lookup_vocabulary`, `check_identity` and `fingerprint` turn categories into
  integer codes (strings never enter JAX).

These helpers are deliberately small and free of layer logic. Sharing with
`trainlab.data.preprocessing` (merged after this module was written): its
`StringLookup` builds vocabularies and looks tokens up in Python dicts per
token, and its `stable_hash` is CRC32 of the text where `fingerprint` is
pandas' SipHash (vectorized over distinct values, and what TF-style hash
buckets need). A common host-side lookup (factorize once, map the distinct
values) and one hash function could serve both; the OOV conventions differ
(Keras' OOV indices come first, TF feature columns' after the vocabulary).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "FeatureData",
    "as_feature_data",
    "num_rows",
    "get_column",
    "parse_numeric",
    "is_missing",
    "lookup_vocabulary",
    "check_identity",
    "fingerprint",
    "FINGERPRINT_BITS",
    "MissingColumnError",
]

FeatureData = Any  # a pandas DataFrame or a Mapping[str, array-like]

# fingerprints are non-negative int32 so that they can enter the compiled step
FINGERPRINT_BITS = 31


class MissingColumnError(KeyError):
    """A feature column's input column is not in the data (a KeyError, with a readable message)."""

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0]) if self.args else ""


def _show(value: Any) -> str:
    """repr of a value as the user wrote it (``9``, not ``np.int64(9)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def as_feature_data(data: Any, argument: str = "x") -> FeatureData:
    """Check that `data` is a DataFrame or a dict of columns; return it unchanged."""
    if hasattr(data, "columns") and hasattr(data, "__getitem__"):
        return data
    if isinstance(data, Mapping):
        return data
    raise TypeError(
        f"`{argument}` must be a pandas DataFrame or a dict mapping feature names to arrays; received "
        f"{type(data).__name__}. Feature columns look their inputs up by name, e.g. "
        f"{{'median_income': array, 'ocean_proximity': array}}."
    )


def _names(data: FeatureData) -> list[str]:
    return [str(c) for c in (data.columns if hasattr(data, "columns") else data.keys())]


def num_rows(data: FeatureData) -> int:
    """The number of rows; every column of a dict must have the same length."""
    if hasattr(data, "columns"):
        return int(len(data))
    lengths = {k: len(np.asarray(v)) if np.ndim(v) else 1 for k, v in data.items()}
    if not lengths:
        raise ValueError("The feature data is empty: it has no columns.")
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"`{k}` has {n}" for k, n in lengths.items())
        raise ValueError(f"All feature arrays must have the same number of rows: {detail}.")
    return next(iter(lengths.values()))


def get_column(data: FeatureData, key: str) -> np.ndarray:
    """The values of feature `key` as a NumPy array (rows first).

    Raises:
        KeyError: `key` is not a column; the message lists the available ones.
    """
    try:
        values = data[key]
    except (KeyError, IndexError, TypeError):
        from .._validation import did_you_mean

        names = _names(data)
        shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
        raise MissingColumnError(
            f"The feature column {key!r} needs a column named {key!r} in the data, but there is none."
            f"{did_you_mean(key, names)} Available columns: {shown}. Add the column (or compute it, e.g. a "
            f"synthetic feature) before calling fit / predict, or remove the feature column."
        ) from None
    if hasattr(values, "to_numpy"):
        return values.to_numpy()
    return np.asarray(values)


def is_missing(values: np.ndarray) -> np.ndarray:
    """Boolean mask of missing entries: None, NaN (float or object), pandas NA / NaT."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind in "iub":
        return np.zeros(values.shape, bool)
    import pandas as pd

    return np.asarray(pd.isna(values), bool)


def _row_label(index: tuple[int, ...]) -> str:
    return f"row {index[0]}" if len(index) == 1 else f"row {index[0]}, position {index[1:]}"


def parse_numeric(values: np.ndarray, key: str, shape: tuple[int, ...], allow_missing: bool,
                  check: bool = True) -> np.ndarray:
    """`values` as floats of shape ``(N, width)`` (float input is not copied); missing entries are NaN.

    With ``check=False`` NaN and infinite values are left for the caller to
    detect (one pass over all columns at once); call again with ``check=True``
    for the precise error.

    Raises:
        TypeError: a value is not a number (names the column, row and value).
        ValueError: wrong shape; a missing value when `allow_missing` is False;
            an infinite value.
    """
    arr = values
    if arr.dtype == object and arr.ndim == 1 and len(arr) and isinstance(arr[0], (list, tuple, np.ndarray)):
        try:
            arr = np.stack([np.asarray(v) for v in arr])
        except ValueError:
            raise ValueError(f"Column {key!r} holds sequences of different lengths; expected shape {shape}.") from None
    if arr.dtype.kind == "b":
        arr = arr.astype(np.float64)
    if arr.dtype.kind == "f":
        out = arr  # float32 / float64 as they are: no copy of large columns
    elif arr.dtype.kind in "iu":
        out = arr.astype(np.float64)
    else:
        out = _coerce_numbers(arr, key)
    width = int(np.prod(shape))
    if out.ndim == 1 and width == 1:
        out = out[:, None]
    if out.ndim < 1 or int(np.prod(out.shape[1:])) != width:
        raise ValueError(
            f"Column {key!r} has values of shape {tuple(out.shape[1:])} per row, but its numeric_column declares "
            f"shape={shape}. Pass numeric_column({key!r}, shape={tuple(out.shape[1:]) or (1,)})."
        )
    out = out.reshape((len(out), width))
    if not check or np.isfinite(out).all():
        return out
    missing = np.isnan(out)
    if missing.any() and not allow_missing:
        where = tuple(int(i) for i in np.argwhere(missing)[0])
        raise ValueError(
            f"Column {key!r} has {int(missing.sum())} missing value(s) (NaN or None); the first is in "
            f"{_row_label(where)}. Drop or fill those rows first, or give the column an imputer: "
            f"numeric_column({key!r}, default_value='mean') (or 'median', or a number) fills them with a value "
            f"fitted on the training data."
        )
    infinite = np.isinf(out)
    if infinite.any():
        where = tuple(int(i) for i in np.argwhere(infinite)[0])
        raise ValueError(
            f"Column {key!r} has {int(infinite.sum())} infinite value(s); the first is in {_row_label(where)}. "
            f"Replace them (e.g. a division by zero in a synthetic feature) before training."
        )
    return out


def _coerce_numbers(arr: np.ndarray, key: str) -> np.ndarray:
    import pandas as pd

    flat = np.asarray(arr, dtype=object).reshape(-1)
    numbers = pd.to_numeric(pd.Series(flat), errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(numbers) & ~np.asarray(pd.isna(flat), bool)
    if bad.any():
        i = int(np.argmax(bad))
        where = np.unravel_index(i, arr.shape)
        raise TypeError(
            f"Column {key!r} must hold numbers, but {_row_label(tuple(int(w) for w in where))} holds "
            f"{_show(flat[i])} (type {type(flat[i]).__name__}), the first value that is not a number. Clean the column "
            f"(e.g. pd.to_numeric(df[{key!r}], errors='coerce') turns such values into NaN), or declare it "
            f"categorical with categorical_column_with_vocabulary_list / _hash_bucket."
        )
    return numbers.reshape(arr.shape)


def _same_type_key(value: Any, strings: bool) -> Any:
    """Compare as the vocabulary's type: strings with strings (``1`` matches ``"1"``)."""
    if strings:
        return value if isinstance(value, str) else str(value)
    return value.item() if hasattr(value, "item") else value


def lookup_vocabulary(values: np.ndarray, vocabulary: Sequence[Any], key: str, *, num_oov_buckets: int = 0,
                      default_value: int | None = None) -> np.ndarray:
    """Integer ids of `values` in `vocabulary` (int32, shape ``(N, 1)``).

    The distinct values are looked up once (``pd.factorize``), so a million rows
    with a few categories cost one pass in C. Unseen values (and missing ones)
    go to ``len(vocabulary) + fingerprint % num_oov_buckets`` when
    `num_oov_buckets` > 0, else to `default_value` when it is set (-1: no
    category, an all-zero indicator).

    Raises:
        ValueError: an unseen value without OOV buckets or default (names the value).
    """
    import pandas as pd

    values = np.asarray(values).reshape(-1)
    codes, uniques = pd.factorize(values)
    strings = all(isinstance(v, str) for v in vocabulary)
    table = {_same_type_key(v, strings): i for i, v in enumerate(vocabulary)}
    unique_ids = np.asarray([table.get(_same_type_key(u, strings), -1) for u in uniques], np.int64)
    unseen_unique = unique_ids < 0
    if unseen_unique.any() or (codes < 0).any():
        if num_oov_buckets > 0:
            unique_ids[unseen_unique] = len(vocabulary) + fingerprint(np.asarray(uniques)[unseen_unique]) % num_oov_buckets
            missing_id = len(vocabulary) + int(fingerprint(np.asarray([""], object))[0]) % num_oov_buckets
        elif default_value is not None:
            unique_ids[unseen_unique] = default_value
            missing_id = default_value
        else:
            bad_rows = (codes < 0) | unseen_unique[np.maximum(codes, 0)]
            i = int(np.argmax(bad_rows))
            what = "a missing value" if codes[i] < 0 else f"the value {_show(values[i])}"
            shown = ", ".join(repr(v) for v in list(vocabulary)[:10]) + (" ..." if len(vocabulary) > 10 else "")
            raise ValueError(
                f"Column {key!r} holds {what} in row {i}, which is not in its vocabulary ({shown}); "
                f"{int(unseen_unique.sum())} distinct unseen value(s) in all. Add it to `vocabulary_list`, or let "
                f"unseen values share out-of-vocabulary buckets with categorical_column_with_vocabulary_list("
                f"{key!r}, ..., num_oov_buckets=1)."
            )
    else:
        missing_id = -1
    ids = np.where(codes < 0, missing_id, unique_ids[np.maximum(codes, 0)] if len(uniques) else missing_id)
    return ids.astype(np.int32)[:, None]


def check_identity(values: np.ndarray, key: str, num_buckets: int, default_value: int | None) -> np.ndarray:
    """`values` as int32 ids ``(N, 1)`` in ``[0, num_buckets)``.

    Raises:
        TypeError: a value is not an integer. ValueError: a value out of range
        (names it) without `default_value`.
    """
    values = np.asarray(values).reshape(-1)
    missing = is_missing(values)
    if values.dtype.kind == "b":
        values = values.astype(np.int64)
    if values.dtype.kind not in "iuf":
        numbers = _coerce_numbers(values, key)
    else:
        numbers = values.astype(np.float64)
    filled = np.where(missing, 0.0, numbers)
    integral = filled == np.round(filled)
    if not integral.all():
        i = int(np.argmin(integral))
        raise TypeError(
            f"Column {key!r} of categorical_column_with_identity must hold integer ids, but row {i} holds "
            f"{_show(values[i])}. Use categorical_column_with_vocabulary_list for other values."
        )
    ids = filled.astype(np.int64)
    bad = missing | (ids < 0) | (ids >= num_buckets)
    if bad.any():
        if default_value is None:
            i = int(np.argmax(bad))
            what = "a missing value" if missing[i] else f"the id {_show(values[i])}"
            raise ValueError(
                f"Column {key!r} holds {what} in row {i}, outside [0, {num_buckets}) of "
                f"categorical_column_with_identity({key!r}, num_buckets={num_buckets}). Raise `num_buckets`, or "
                f"pass default_value=<an id> to map such values to one bucket."
            )
        ids[bad] = default_value
    return ids.astype(np.int32)[:, None]


def fingerprint(values: np.ndarray) -> np.ndarray:
    """A stable 31-bit hash of each value's string form (int64 array).

    Uses pandas' SipHash with its fixed key, so the same string gets the same
    bucket on every machine and in every process (unlike Python's `hash`).
    Integers hash like their decimal text (``7`` like ``"7"``); missing values
    hash like the empty string. Distinct values are hashed once.
    """
    import pandas as pd

    values = np.asarray(values).reshape(-1)
    codes, uniques = pd.factorize(values)
    text = np.asarray(["" if u is None else str(u) for u in np.asarray(uniques, dtype=object).tolist()] + [""],
                      dtype=object)
    h = pd.util.hash_array(text, categorize=False)
    h = (h >> np.uint64(64 - FINGERPRINT_BITS)).astype(np.int64)
    return h[np.where(codes < 0, len(text) - 1, codes)]
