"""Turning what users pass to fit / evaluate / predict into checked arrays.

Arrays may be numpy arrays, JAX arrays, lists, pandas objects, or nested
lists / dicts of them (several inputs or outputs). Checks run once on the host
before any compilation, with messages that name the argument: different
lengths, NaN or Inf, bad `validation_split`, bad `class_weight`.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import numpy as np

from .._validation import check_in_range, describe

__all__ = [
    "to_arrays",
    "num_samples",
    "check_same_length",
    "check_finite",
    "split_tail",
    "class_weights_to_sample_weights",
    "is_iterable_data",
    "warn_negative_weights",
    "take_rows",
    "unpack_xy",
]


_INT32 = np.iinfo(np.int32)


def _check_int32_range(arr: np.ndarray, argument: str) -> None:
    """Integers are cast to int32 for the device; refuse values that the cast would wrap."""
    if arr.size == 0:
        return
    lo, hi = int(arr.min()), int(arr.max())
    if lo < _INT32.min or hi > _INT32.max:
        bad = hi if hi > _INT32.max else lo
        where = tuple(int(i) for i in np.argwhere(arr == bad)[0])
        raise ValueError(
            f"`{argument}` holds the integer {bad} (at index {where}), outside the int32 range "
            f"[{_INT32.min}, {_INT32.max}] that trainlab computes in; casting would silently wrap it "
            f"(to {int(np.asarray(bad).astype(arr.dtype).astype(np.int32))}). Class labels must lie in "
            f"[0, num_classes) and token indices in [0, input_dim): fix or drop the samples with such values."
        )


def _to_array(a: Any, argument: str) -> np.ndarray:
    if hasattr(a, "to_numpy"):
        a = a.to_numpy()
    arr = np.asarray(a)
    if arr.dtype == object:
        raise TypeError(
            f"`{argument}` must hold numbers, but it has dtype object (mixed types or ragged lists). "
            f"Convert it first, e.g. with trainlab.data.pad_sequences for token lists or np.asarray(..., dtype='float32')."
        )
    if arr.dtype.kind not in "biuf":
        kind = {"U": "strings", "S": "bytes", "c": "complex numbers", "M": "dates", "m": "time spans"}.get(
            arr.dtype.kind, f"dtype {arr.dtype}")
        raise TypeError(
            f"`{argument}` must hold real numbers (int, float or bool); received an array of {kind} "
            f"(dtype {arr.dtype}, shape {arr.shape}). Encode text as numbers first (e.g. "
            f"trainlab.layers.StringLookup or TextVectorization), and use the real part or magnitude of complex "
            f"values (np.real / np.abs)."
        )
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    elif arr.dtype == np.int64 or arr.dtype == np.uint32 or arr.dtype == np.uint64:
        _check_int32_range(arr, argument)  # before the cast, which would wrap 2**32 + 1 to 1
        arr = arr.astype(np.int32)
    elif arr.dtype == np.bool_:
        arr = arr.astype(np.float32)
    if arr.ndim == 0:
        raise ValueError(f"`{argument}` must have a leading sample axis; received a scalar.")
    return arr


def to_arrays(data: Any, argument: str) -> Any:
    """numpy arrays (float32 / int32) with the same nesting as `data` (None stays None)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: to_arrays(v, f"{argument}[{k!r}]") for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and all(hasattr(v, "shape") and np.ndim(v) >= 1 for v in data):
        return [to_arrays(v, f"{argument}[{i}]") for i, v in enumerate(data)]
    return _to_array(data, argument)


def num_samples(data: Any) -> int | None:
    leaves = jax.tree.leaves(data)
    return int(leaves[0].shape[0]) if leaves else None


def check_same_length(**named: Any) -> int:
    """All arrays (in all arguments) share one leading length; return it."""
    lengths: list[tuple[str, int]] = []
    for name, data in named.items():
        if data is None:
            continue
        flat = jax.tree_util.tree_flatten_with_path(data)[0]
        for path, leaf in flat:
            label = name + "".join(_path_str(p) for p in path)
            lengths.append((label, int(leaf.shape[0])))
    if not lengths:
        raise ValueError("No data given: pass `x` (and `y` to train or evaluate).")
    first = lengths[0][1]
    for label, n in lengths[1:]:
        if n != first:
            detail = ", ".join(f"`{l}` has {k}" for l, k in lengths)
            raise ValueError(
                f"Inputs and targets must have the same number of samples: {detail}. "
                f"Check that x and y were split and filtered together."
            )
    if first == 0:
        raise ValueError(f"`{lengths[0][0]}` is empty: there are no samples to use.")
    return first


def _path_str(p: Any) -> str:
    key = getattr(p, "key", getattr(p, "idx", None))
    return f"[{key!r}]"


def check_finite(data: Any, argument: str) -> None:
    """Raise if any float array in `data` has NaN or Inf (names where the first one is)."""
    flat = jax.tree_util.tree_flatten_with_path(data)[0] if data is not None else []
    for path, arr in flat:
        if not np.issubdtype(arr.dtype, np.floating):
            continue
        finite = np.isfinite(arr)
        if finite.all():
            continue
        label = argument + "".join(_path_str(p) for p in path)
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(arr.size - finite.sum() - n_nan)
        where = np.argwhere(~finite)[0]
        raise ValueError(
            f"`{label}` contains {n_nan} NaN and {n_inf} infinite value(s); the first is at index "
            f"{tuple(int(i) for i in where)}. Training on them would turn the loss into NaN. Drop or impute "
            f"those samples first (for example with trainlab.data.Imputer), or fix the division / log that made them."
        )


MIN_TRAIN_ROWS = 2  # fewer than 2 training rows after `validation_split` is a mistake, not a run


def warn_negative_weights(sample_weight: Any, argument: str = "sample_weight") -> None:
    """Warn when `sample_weight` (an array of shape ``(n,)``) has negative entries.

    Keras accepts them silently, but a negative weight turns a sample's loss into
    a reward for getting it wrong, which is almost never meant.
    """
    if sample_weight is None or isinstance(sample_weight, (list, dict)):
        return
    negative = np.asarray(sample_weight) < 0
    if negative.any():
        warnings.warn(
            f"`{argument}` has {int(negative.sum())} negative value(s) (the smallest is "
            f"{float(np.min(sample_weight)):g}); training *maximizes* the loss of those samples. Use weights "
            f">= 0 (0 ignores a sample).",
            UserWarning,
            stacklevel=4,
        )


def split_tail(fraction: float, *datas: Any) -> tuple[list[Any], list[Any]]:
    """Split each of `datas` into (first part, last `fraction`), before any shuffling,
    exactly as Keras' `validation_split` does."""
    fraction = check_in_range(
        "validation_split", fraction, 0.0, 1.0,
        hint="It is the fraction of the training data held out for validation, e.g. 0.2.",
    )
    n = num_samples(datas[0])
    n_val = int(n * fraction)
    if fraction > 0 and (n_val == 0 or n - n_val < MIN_TRAIN_ROWS):
        what = "an empty validation set" if n_val == 0 else f"{n - n_val} training sample(s)"
        raise ValueError(
            f"`validation_split`={fraction} of {n} samples leaves {what}; the training part needs at least "
            f"{MIN_TRAIN_ROWS} samples and the validation part 1. Use a fraction such as 0.2, or pass "
            f"`validation_data`."
        )
    cut = n - n_val
    train = [None if d is None else jax.tree.map(lambda a: a[:cut], d) for d in datas]
    val = [None if d is None else jax.tree.map(lambda a: a[cut:], d) for d in datas]
    return train, val


def take_rows(data: Any, idx: np.ndarray) -> Any:
    return None if data is None else jax.tree.map(lambda a: a[idx], data)


def class_weights_to_sample_weights(class_weight: dict, y: Any, sample_weight: Any) -> np.ndarray:
    """Per-sample weights from a ``{class: weight}`` dict (times any `sample_weight`)."""
    if not isinstance(class_weight, dict):
        raise TypeError(
            f"`class_weight` must be a dict mapping class index to weight, e.g. {{0: 1.0, 1: 5.0}}; "
            f"received {describe(class_weight)}."
        )
    if isinstance(y, (list, dict)):
        raise ValueError("`class_weight` is only supported for models with one output; use `sample_weight` instead.")
    y = np.asarray(y)
    labels = y.argmax(-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = np.rint(labels).astype(np.int64)
    present = set(np.unique(labels).tolist())
    missing = sorted(present - set(int(k) for k in class_weight))
    if missing:
        raise ValueError(
            f"`class_weight` has no weight for class(es) {missing} that appear in `y`. "
            f"Give every class a weight (1.0 leaves it unchanged)."
        )
    table = np.zeros(max(max(present), max(int(k) for k in class_weight)) + 1, np.float32)
    for k, v in class_weight.items():
        table[int(k)] = float(v)
    w = table[labels]
    if sample_weight is not None:
        w = w * np.asarray(sample_weight, np.float32).reshape(-1)
    return w


def is_iterable_data(x: Any) -> bool:
    """True for a Dataset / generator / iterator of batches (not arrays)."""
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict)) or hasattr(x, "shape"):
        return False
    if hasattr(x, "to_numpy"):  # pandas
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


def unpack_xy(value: Any, what: str) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a 2- or 3-tuple (a batch, or `validation_data`).

    Args:
        what: how to name `value` in the error, e.g. "`validation_data`".
    """
    if isinstance(value, (tuple, list)) and len(value) in (2, 3):
        return value[0], value[1], (value[2] if len(value) == 3 else None)
    raise ValueError(
        f"{what} must be a tuple (x, y) or (x, y, sample_weight); received {describe(value)}."
    )
