"""IDX files (MNIST, Fashion-MNIST), gzip-compressed and raw, through `read_idx` and
the images-plus-labels reader the loaders use."""

from __future__ import annotations

import gzip
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "datasets"))
from dataset_files import idx_bytes, random_images  # noqa: E402

from trainlab.datasets._idx import read_idx, read_images_and_labels  # noqa: E402

CLEAN = (ValueError,)
_LABELS = idx_bytes(np.arange(5, dtype=np.uint8))


def seeds(workdir: pathlib.Path) -> list[bytes]:
    images, labels = random_images(5, 0, shape=(28, 28))
    raw = [idx_bytes(images), idx_bytes(labels),
           idx_bytes((np.arange(24) - 7).astype(np.int16).reshape(2, 3, 4)),
           idx_bytes(np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2))]
    return raw + [gzip.compress(data, mtime=0) for data in raw]


def run(data: bytes, workdir: pathlib.Path) -> object:
    path = workdir / "train-images-idx3-ubyte.gz"
    path.write_bytes(data)
    array = read_idx(path)
    if array.ndim == 3 and array.dtype == np.uint8:
        (workdir / "labels").write_bytes(_LABELS)
        read_images_and_labels(path, workdir / "labels", image_shape=array.shape[1:])
    return array
