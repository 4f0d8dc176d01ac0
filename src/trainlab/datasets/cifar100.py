"""CIFAR-100: 60,000 32x32 colour images, 100 fine classes in 20 coarse superclasses.

Same names and return values as ``keras.datasets.cifar100``, read from the
*binary* release ``cifar-100-binary.tar.gz`` (or its extracted folder
``cifar-100-binary/``): ``train.bin`` and ``test.bin``, whose records start
with the coarse then the fine label byte.
"""

from __future__ import annotations

import os

import numpy as np

from .._validation import check_one_of
from ._archive import read_members
from ._cifar import parse_records
from ._sources import DatasetSpec, RemoteFile, locate

__all__ = ["load_data", "SPEC"]

# SHA-256 and size from tensorflow_datasets/url_checksums/cifar100.txt.
SPEC = DatasetSpec(
    name="cifar100",
    title="CIFAR-100",
    aliases=("cifar-100",),
    files=(
        RemoteFile(
            "cifar-100-binary.tar.gz",
            ("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",),
            "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec",
            168513733,
            local_names=("cifar-100-binary",),
        ),
    ),
)

TRAIN_BYTES = 50_000 * (2 + 3 * 32 * 32)  # train.bin, the largest file of the release


def load_data(
    label_mode: str = "fine", path: str | os.PathLike[str] | None = None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load CIFAR-100 as ``(x_train, y_train), (x_test, y_test)``.

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).
        path: ``cifar-100-binary.tar.gz``, its extracted ``cifar-100-binary``
            folder, or a folder holding either. None: ``$TRAINLAB_DATA_DIR/cifar100/``,
            the cache, then download.

    Returns:
        ``x_train``: uint8 ``(50000, 32, 32, 3)``; ``y_train``: uint8 ``(50000, 1)``
        with labels 0-99 (fine) or 0-19 (coarse); ``x_test``: uint8
        ``(10000, 32, 32, 3)``; ``y_test``: uint8 ``(10000, 1)``.

    Raises:
        ValueError: `label_mode` is not "fine" or "coarse".
        DatasetNotFoundError: the archive is missing and cannot be downloaded.
        DatasetFormatError: the archive is truncated, or a batch is malformed.

    Example:
        >>> from trainlab.datasets import cifar100
        >>> (x_train, y_train), _ = cifar100.load_data(label_mode="coarse")  # doctest: +SKIP
    """
    check_one_of("label_mode", label_mode, ["fine", "coarse"])
    source = locate(SPEC, path)["cifar-100-binary.tar.gz"]
    members = read_members(source, ("train.bin", "test.bin"), max_member_bytes=TRAIN_BYTES)
    column = 0 if label_mode == "coarse" else 1
    result = []
    for name in ("train.bin", "test.bin"):
        x, labels = parse_records(
            members[name], where=f"{source}:{name}", label_bytes=2, num_classes=(20, 100)
        )
        result.append((x, labels[:, column : column + 1].copy()))
    return result[0], result[1]
