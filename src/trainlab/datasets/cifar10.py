"""CIFAR-10: 60,000 32x32 colour images in 10 classes (Krizhevsky, 2009).

Same names and return values as ``keras.datasets.cifar10``, read from the
*binary* release ``cifar-10-binary.tar.gz`` (or its extracted folder
``cifar-10-batches-bin/``): ``data_batch_1.bin`` ... ``data_batch_5.bin`` and
``test_batch.bin``. Keras downloads the pickled Python release instead; the
arrays are the same.

| Label | Class      | Label | Class |
|:-----:|------------|:-----:|-------|
| 0     | airplane   | 5     | dog   |
| 1     | automobile | 6     | frog  |
| 2     | bird       | 7     | horse |
| 3     | cat        | 8     | ship  |
| 4     | deer       | 9     | truck |
"""

from __future__ import annotations

import os

import numpy as np

from ._archive import read_members
from ._cifar import parse_records
from ._sources import DatasetSpec, RemoteFile, locate

__all__ = ["load_data", "CLASS_NAMES", "SPEC"]

CLASS_NAMES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip

# SHA-256 and size from tensorflow_datasets/url_checksums/cifar10.txt.
SPEC = DatasetSpec(
    name="cifar10",
    title="CIFAR-10",
    aliases=("cifar-10",),
    files=(
        RemoteFile(
            "cifar-10-binary.tar.gz",
            ("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",),
            "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
            170052171,
            local_names=("cifar-10-batches-bin",),
        ),
    ),
)

TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILE = "test_batch.bin"
BATCH_BYTES = 10_000 * (1 + 3 * 32 * 32)  # every batch of the release: 10,000 records


def load_data(
    path: str | os.PathLike[str] | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load CIFAR-10 as ``(x_train, y_train), (x_test, y_test)``.

    Args:
        path: ``cifar-10-binary.tar.gz``, its extracted ``cifar-10-batches-bin``
            folder, or a folder holding either. None (Keras's only form):
            ``$TRAINLAB_DATA_DIR/cifar10/``, the cache, then download.

    Returns:
        ``x_train``: uint8 ``(50000, 32, 32, 3)`` (channels last, like Keras's
        default ``image_data_format``); ``y_train``: uint8 ``(50000, 1)``;
        ``x_test``: uint8 ``(10000, 32, 32, 3)``; ``y_test``: uint8 ``(10000, 1)``.

    Raises:
        DatasetNotFoundError: the archive is missing and cannot be downloaded.
        DatasetFormatError: the archive is truncated, or a batch is malformed.

    Example:
        >>> from trainlab.datasets import cifar10
        >>> (x_train, y_train), (x_test, y_test) = cifar10.load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.shape  # doctest: +SKIP
        ((50000, 32, 32, 3), (50000, 1))
    """
    source = locate(SPEC, path)["cifar-10-binary.tar.gz"]
    members = read_members(source, (*TRAIN_FILES, TEST_FILE), max_member_bytes=BATCH_BYTES)
    parts = [
        parse_records(members[name], where=f"{source}:{name}", label_bytes=1, num_classes=(10,))
        for name in (*TRAIN_FILES, TEST_FILE)
    ]
    x_train = np.concatenate([x for x, _ in parts[:-1]])
    y_train = np.concatenate([y for _, y in parts[:-1]])
    x_test, y_test = parts[-1]
    return (x_train, y_train), (x_test, y_test)
