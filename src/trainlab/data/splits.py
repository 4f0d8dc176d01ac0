"""Seeded train/validation/test splits and k-fold indices, optionally stratified.

Both functions work on row indices, so anything with rows can be split: numpy
(or JAX) arrays, lists, dicts of arrays (split value by value) and pandas
DataFrames/Series (split with ``.iloc``). The same `seed` gives the same split
on every machine and every numpy version: shuffles use ``np.random.RandomState``,
whose stream numpy keeps frozen (NEP 19), as Keras's dataset loaders do.

Sizes follow scikit-learn's `train_test_split`: a float is a fraction of the
rows, rounded *up* (``ceil(size * n)``); an int is a number of rows; the
training part gets what is left. Stratified splits keep each class's share in
every part to within one row (largest-remainder rounding).

Example:
    >>> import numpy as np
    >>> x, y = np.arange(20).reshape(10, 2), np.array([0, 1] * 5)
    >>> x_tr, x_val, x_te, y_tr, y_val, y_te = train_val_test_split(
    ...     x, y, val_size=0.2, test_size=0.2, stratify=y, seed=0)
    >>> len(x_tr), len(x_val), len(x_te)
    (6, 2, 2)
    >>> sorted(y_te.tolist())
    [0, 1]
    >>> [len(v) for _, v in kfold_indices(10, k=5, seed=0)]
    [2, 2, 2, 2, 2]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from .._validation import check_in_range, check_positive_int, describe

__all__ = ["train_val_test_split", "kfold_indices"]


def train_val_test_split(
    *arrays: Any,
    val_size: float | int = 0.1,
    test_size: float | int = 0.1,
    stratify: Any = None,
    seed: int | None = None,
    shuffle: bool = True,
) -> list[Any]:
    """Split arrays into training, validation and test parts with the same rows.

    Args:
        *arrays: one or more objects with the same number of rows (first axis):
            numpy arrays, lists, dicts of arrays, pandas DataFrames or Series.
        val_size: validation rows, a fraction in [0, 1) or a count; 0 gives an
            empty validation part.
        test_size: test rows, a fraction in [0, 1) or a count.
        stratify: class labels of shape ``(n,)`` (or ``(n, k)`` one-hot/multi-
            column rows) whose proportions every part keeps; None for a plain
            random split. Needs ``shuffle=True``.
        seed: seed of the shuffle (None: a fresh random split each call).
        shuffle: shuffle rows before splitting; ``shuffle=False`` takes the
            first rows for training, then validation, then test (time order).

    Returns:
        A flat list ``[a_train, a_val, a_test, b_train, b_val, b_test, ...]``,
        each of the same type as its input.

    Raises:
        ValueError: no arrays, lengths differ, sizes out of range or leaving
            no training rows, `stratify` of the wrong length, a class with too
            few members, or a stratified split with ``shuffle=False``.
        TypeError: a size that is not a number, or an input without rows.

    Example:
        >>> x_tr, x_val, x_te = train_val_test_split(np.arange(10), seed=1)
        >>> len(x_tr), len(x_val), len(x_te)
        (8, 1, 1)
    """
    if not arrays:
        raise ValueError(
            "train_val_test_split needs at least one array; received none. "
            "Call it as train_val_test_split(x, y, test_size=0.2)."
        )
    n = _common_length(arrays)
    n_val = _resolve_size("val_size", val_size, n)
    n_test = _resolve_size("test_size", test_size, n)
    if n_val + n_test >= n:
        raise ValueError(
            f"`val_size`={val_size!r} and `test_size`={test_size!r} take {n_val} + {n_test} "
            f"of {n} rows, leaving no training rows. Use smaller sizes."
        )
    rng = _rng(seed)
    if stratify is not None:
        if not shuffle:
            raise ValueError(
                "A stratified split needs `shuffle=True`; received shuffle=False with `stratify`. "
                "Pass shuffle=True, or stratify=None for an ordered split."
            )
        train, val, test = _stratified_parts(_labels(stratify, n), n_val, n_test, rng)
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        n_train = n - n_val - n_test
        train, val, test = np.split(order, [n_train, n_train + n_val])
    if not shuffle:
        train, val, test = np.sort(train), np.sort(val), np.sort(test)
    return [part for a in arrays for part in (_take(a, train), _take(a, val), _take(a, test))]


def kfold_indices(
    n: int,
    k: int = 5,
    shuffle: bool = True,
    seed: int | None = None,
    stratify: Any = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Indices for k-fold cross-validation: every row is in exactly one validation fold.

    Args:
        n: the number of rows.
        k: the number of folds, 2 <= k <= n.
        shuffle: assign rows to folds at random (seeded by `seed`); with False,
            fold 0 holds the first rows (per class when stratified).
        seed: seed of the shuffle; ignored when ``shuffle=False``.
        stratify: labels of shape ``(n,)`` whose proportions each fold keeps;
            every class needs at least `k` members.

    Returns:
        An iterator of `k` pairs ``(train_idx, val_idx)``: sorted int64 arrays
        that together cover ``range(n)``. Fold sizes differ by at most one.
        Arguments are checked when `kfold_indices` is called, not when the
        iterator is first used.

    Raises:
        ValueError / TypeError: bad `n` or `k`, `stratify` of the wrong length,
            or a class with fewer than `k` members.

    Example:
        >>> for train_idx, val_idx in kfold_indices(6, k=3, shuffle=False):
        ...     print(val_idx)
        [0 1]
        [2 3]
        [4 5]
    """
    n = check_positive_int("n", n)
    k = check_positive_int("k", k)
    if k < 2 or k > n:
        raise ValueError(
            f"`k` must be between 2 and n={n} (one row per fold at most); received k={k}."
        )
    rng = _rng(seed)
    fold = np.empty(n, dtype=np.int64)
    if stratify is not None:
        labels = _labels(stratify, n)
        classes, inverse, counts = np.unique(labels, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        _check_class_counts(classes, counts, k, f"{k}-fold stratified cross-validation", "k")
        offset = 0
        for c in range(len(classes)):
            rows = np.flatnonzero(inverse == c)
            if shuffle:
                rows = rng.permutation(rows)
            fold[rows] = (offset + np.arange(len(rows))) % k
            offset += len(rows)
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        sizes = np.full(k, n // k)
        sizes[: n % k] += 1
        fold[order] = np.repeat(np.arange(k), sizes)

    def folds() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for i in range(k):
            yield np.flatnonzero(fold != i), np.flatnonzero(fold == i)

    return folds()


# ----------------------------------------------------------------- helpers


def _rng(seed: Any) -> np.random.RandomState:
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32
    ):
        raise ValueError(
            f"`seed` must be None or an integer in [0, 2**32); received {describe(seed)}."
        )
    return np.random.RandomState(seed)


def _num_rows(a: Any, position: int) -> int:
    if isinstance(a, dict):
        if not a:
            raise ValueError(f"Array {position} is an empty dict; pass a dict of arrays with rows.")
        lengths = {key: _num_rows(v, position) for key, v in a.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(
                f"The arrays in dict {position} have different numbers of rows: {lengths}. "
                f"Every value of a dict must have the same first dimension."
            )
        return next(iter(lengths.values()))
    shape = getattr(a, "shape", None)
    if shape is not None:
        if len(shape) == 0:
            raise TypeError(f"Array {position} has no rows: received {describe(a)}.")
        return int(shape[0])
    try:
        return len(a)
    except TypeError:
        raise TypeError(
            f"Array {position} has no rows: received {describe(a)}. "
            f"Pass numpy arrays, lists, dicts of arrays or pandas objects."
        ) from None


def _common_length(arrays: tuple[Any, ...]) -> int:
    lengths = [_num_rows(a, i) for i, a in enumerate(arrays)]
    if len(set(lengths)) > 1:
        raise ValueError(
            f"All arrays must have the same number of rows; received lengths {lengths}. "
            f"Check that features and labels come from the same dataset."
        )
    if lengths[0] < 2:
        raise ValueError(f"Cannot split {lengths[0]} row(s); at least 2 rows are needed.")
    return lengths[0]


def _take(a: Any, idx: np.ndarray) -> Any:
    if isinstance(a, dict):
        return {key: _take(v, idx) for key, v in a.items()}
    if hasattr(a, "iloc"):  # pandas DataFrame / Series
        return a.iloc[idx]
    if hasattr(a, "shape"):
        return a[idx]
    if isinstance(a, tuple):
        return tuple(a[i] for i in idx)
    return [a[i] for i in idx]


def _resolve_size(argument: str, value: Any, n: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{argument}` must be a fraction in [0, 1) or a number of rows; received {describe(value)}."
        )
    if isinstance(value, numbers.Integral):
        if not 0 <= int(value) < n:
            raise ValueError(
                f"`{argument}` as a number of rows must be in [0, {n}) for {n} rows; "
                f"received {value!r}. Pass a smaller count or a fraction such as 0.1."
            )
        return int(value)
    fraction = check_in_range(
        argument, value, 0.0, 1.0, hint="Pass a fraction such as 0.1, or an int number of rows."
    )
    return math.ceil(fraction * n)


def _labels(stratify: Any, n: int) -> np.ndarray:
    labels = np.asarray(stratify)
    if labels.ndim == 0 or labels.shape[0] != n:
        raise ValueError(
            f"`stratify` must hold one label per row ({n} rows); received {describe(labels)}. "
            f"Pass the label array of the data being split, such as stratify=y."
        )
    if labels.ndim > 2:
        raise ValueError(
            f"`stratify` must have shape (n,) or (n, k); received {describe(labels)}."
        )
    return labels


def _check_class_counts(
    classes: np.ndarray, counts: np.ndarray, needed: int, what: str, argument: str
) -> None:
    smallest = int(np.argmin(counts))
    if counts[smallest] < needed:
        label = classes[smallest].tolist()
        raise ValueError(
            f"The least populated class in `stratify` (label {label!r}) has only "
            f"{int(counts[smallest])} member(s); {what} needs at least {needed} per class. "
            f"Merge or drop rare classes, reduce `{argument}`, or pass stratify=None."
        )


def _allocate(counts: np.ndarray, total: int, rng: np.random.RandomState) -> np.ndarray:
    """Split `total` over classes in proportion to `counts` (largest remainder,
    random tie-break), never giving a class more than it has."""
    if total == 0:
        return np.zeros_like(counts)
    exact = counts * (total / counts.sum())
    take = np.minimum(np.floor(exact).astype(np.int64), counts)
    remainder = exact - take
    tiebreak = rng.random(len(counts))
    for c in np.lexsort((tiebreak, -remainder)):
        if take.sum() == total:
            break
        if take[c] < counts[c]:
            take[c] += 1
    return take


def _stratified_parts(
    labels: np.ndarray, n_val: int, n_test: int, rng: np.random.RandomState
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    classes, inverse, counts = np.unique(labels, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    parts = 1 + (n_val > 0) + (n_test > 0)
    what = "a stratified train/val/test split" if parts == 3 else "a stratified split"
    _check_class_counts(classes, counts, parts, what, "val_size` or `test_size")
    for argument, size in (("test_size", n_test), ("val_size", n_val)):
        if 0 < size < len(classes):
            raise ValueError(
                f"`{argument}` gives {size} rows, fewer than the {len(classes)} classes in "
                f"`stratify`; each class needs a row. Use a larger `{argument}`."
            )
    test_k = _allocate(counts, n_test, rng)
    val_k = _allocate(counts - test_k, n_val, rng)
    # keep every class in the training part: move a row from a class that can spare one
    for c in np.flatnonzero(counts - test_k - val_k == 0):
        part = test_k if test_k[c] >= val_k[c] else val_k
        donors = np.flatnonzero((counts - test_k - val_k > 1) & (part < counts))
        if len(donors):
            part[c] -= 1
            part[donors[np.argmax((counts - test_k - val_k)[donors])]] += 1
    train, val, test = [], [], []
    for c in range(len(classes)):
        rows = rng.permutation(np.flatnonzero(inverse == c))
        test.append(rows[: test_k[c]])
        val.append(rows[test_k[c] : test_k[c] + val_k[c]])
        train.append(rows[test_k[c] + val_k[c] :])
    return tuple(rng.permutation(np.concatenate(p)) for p in (train, val, test))  # type: ignore[return-value]
