"""Label helpers."""

from __future__ import annotations

import numpy as np

__all__ = ["to_categorical", "normalize"]


def to_categorical(y, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """One-hot encode integer labels, as `keras.utils.to_categorical`.

    Args:
        y: integer labels of shape ``(n,)`` (or ``(n, 1)``).
        num_classes: number of classes; ``max(y) + 1`` when None.

    Returns:
        Array of shape ``(n, num_classes)``.

    Example:
        >>> to_categorical([0, 2], 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    y = np.asarray(y)
    if y.ndim >= 2 and y.shape[-1] == 1:
        y = y[..., 0]
    if y.size and (not np.issubdtype(y.dtype, np.integer) and not np.all(np.equal(np.mod(y, 1), 0))):
        raise ValueError(f"`y` must hold integer class labels; received values such as {y.ravel()[:3]}.")
    y = y.astype(np.int64)
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"`y` has labels in [{y.min()}, {y.max()}] but `num_classes` is {num_classes}; "
            f"labels must lie in [0, {num_classes - 1}]."
        )
    out = np.zeros(y.shape + (num_classes,), dtype=dtype)
    np.put_along_axis(out, y[..., None], 1, axis=-1)
    return out


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scale `x` to unit norm along `axis`, as `keras.utils.normalize` (rows of
    norm 0 stay 0).

    Example:
        >>> normalize([[3.0, 4.0], [0.0, 0.0]]).tolist()
        [[0.6, 0.8], [0.0, 0.0]]
    """
    x = np.asarray(x, dtype=np.float64 if np.asarray(x).dtype == np.float64 else np.float32)
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"`order` must be a positive integer (2 for the Euclidean norm); received {order!r}.")
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
