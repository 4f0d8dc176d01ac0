"""Digits: 1,797 8x8 images of handwritten digits, bundled with scikit-learn (offline).

A small stand-in for MNIST that needs no download: scikit-learn ships it
(UCI "Optical Recognition of Handwritten Digits", test set). There is no
official train/test split, so `load_data` makes one: stratified (each digit
keeps its share in both parts) and seeded (the same on every machine), with
`trainlab.data.train_val_test_split`. Keras has no such dataset; the return
value follows ``keras.datasets.mnist``.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_in_range
from ..data.splits import train_val_test_split

__all__ = ["load_data", "MAX_PIXEL"]

MAX_PIXEL = 16  # pixels are counts of set bits in 4x4 blocks: 0..16


def load_data(
    test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load scikit-learn's digits as ``(x_train, y_train), (x_test, y_test)``.

    Args:
        test_split: fraction of images for the test part, in (0, 1); the test
            part has ``ceil(test_split * 1797)`` images (360 by default).
        seed: seed of the stratified split.

    Returns:
        ``x_train``: uint8 ``(1437, 8, 8)`` with pixel values 0-16 (divide by
        `MAX_PIXEL`, not 255, to scale them to [0, 1]); ``y_train``: uint8
        ``(1437,)``, digits 0-9; ``x_test``, ``y_test``: uint8 ``(360, 8, 8)``
        and ``(360,)`` (sizes for the default `test_split`).

    Example:
        >>> from trainlab.datasets import digits
        >>> (x_train, y_train), (x_test, y_test) = digits.load_data()
        >>> x_train.shape, x_test.shape, int(x_train.max())
        ((1437, 8, 8), (360, 8, 8), 16)
    """
    test_split = check_in_range("test_split", test_split, 0.0, 1.0, low_inclusive=False)
    from sklearn.datasets import load_digits  # imported here: sklearn is slow to import

    bunch = load_digits()
    x = bunch.images.astype(np.uint8)
    y = bunch.target.astype(np.uint8)
    x_train, _, x_test, y_train, _, y_test = train_val_test_split(
        x, y, val_size=0, test_size=test_split, stratify=y, seed=seed
    )
    return (x_train, y_train), (x_test, y_test)
