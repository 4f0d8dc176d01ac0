"""The CIFAR *binary* record format, shared by `cifar10` and `cifar100`.

Each ``.bin`` file is a plain sequence of fixed-size records::

    CIFAR-10:   <1 label byte> <3072 pixel bytes>
    CIFAR-100:  <1 coarse label byte> <1 fine label byte> <3072 pixel bytes>

The 3072 pixel bytes are the red, then green, then blue 32x32 planes, each in
row-major order. Nothing is unpickled: the Python release of CIFAR stores
pickles, which can execute code, so trainlab reads only the binary release.
"""

from __future__ import annotations

import numpy as np

from ._errors import DatasetFormatError

__all__ = ["PIXELS", "parse_records"]

PIXELS = 3 * 32 * 32


def parse_records(
    data: bytes, *, where: str, label_bytes: int, num_classes: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Parse CIFAR binary records.

    Args:
        data: the content of one ``.bin`` file.
        where: the file's name for messages (``"archive.tar.gz:data_batch_1.bin"``).
        label_bytes: label bytes per record (1 for CIFAR-10, 2 for CIFAR-100).
        num_classes: the number of classes of each label byte, for range checks.

    Returns:
        ``(images, labels)``: uint8 arrays of shape ``(n, 32, 32, 3)``
        (channels last, C-contiguous) and ``(n, label_bytes)``.

    Raises:
        DatasetFormatError: the size is not a whole number of records, or a
            label is out of range.
    """
    record = label_bytes + PIXELS
    if len(data) == 0 or len(data) % record:
        raise DatasetFormatError(
            f"{where}: {len(data):,} bytes is not a whole number of {record}-byte records "
            f"({label_bytes} label byte(s) + {PIXELS} pixel bytes); expected a multiple of "
            f"{record} (30,730,000 bytes for a 10,000-image CIFAR-10 batch). The file is "
            f"truncated or not a CIFAR binary batch."
        )
    rows = np.frombuffer(data, np.uint8).reshape(-1, record)
    labels = rows[:, :label_bytes].copy()
    for column, classes in enumerate(num_classes):
        top = int(labels[:, column].max())
        if top >= classes:
            raise DatasetFormatError(
                f"{where}: found label {top} in label byte {column}, expected 0-{classes - 1}. "
                f"The file is corrupted or from another CIFAR release."
            )
    images = rows[:, label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels
