"""MNIST: 28x28 grayscale images of handwritten digits (LeCun, Cortes, Burges).

Same names and return values as ``keras.datasets.mnist``. Three layouts are
read, looked for in this order in each place (``path=``, then each
``$TRAINLAB_DATA_DIR`` folder, then the cache, then a verified download of the
official IDX files):

1. the official release: ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
   ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz`` (gzip or not)
   in a folder (directly or in ``mnist/``): 60,000 + 10,000 images;
2. **the 10k variant**: ``images-idx3-ubyte.gz`` + ``labels-idx1-ubyte.gz`` in a
   folder (directly or in ``mnist-10k/``), 10,000 images without an official
   split, as in the project's shared datasets folder. It is split by
   `load_10k`: a stratified, seeded split, 8,000 training and 2,000 test images
   by default (``test_split=0.2, seed=113``), the same on every machine.
   `load_data` warns when it falls back to this variant on its own;
3. Keras's ``mnist.npz`` (``x_train``, ``y_train``, ``x_test``, ``y_test``) when
   ``path=`` names that file; it is read without unpickling.

License: CC BY-SA 3.0.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from ..data.splits import train_val_test_split
from .._validation import check_in_range
from ._errors import DatasetFormatError, DatasetNotFoundError
from ._idx import read_images_and_labels
from ._npz import load_npz
from ._sources import DatasetSpec, RemoteFile, data_dirs, find_complete, is_keras_cache_name, locate

__all__ = ["load_data", "load_10k", "SPEC", "SPEC_10K"]

_CVDF = "https://storage.googleapis.com/cvdf-datasets/mnist/"
_OSSCI = "https://ossci-datasets.s3.amazonaws.com/mnist/"


def _file(name: str, sha256: str, size: int) -> RemoteFile:
    return RemoteFile(
        name, (_CVDF + name, _OSSCI + name), sha256, size, local_names=(name[: -len(".gz")],)
    )


# SHA-256 of the official files, from tensorflow_datasets/url_checksums/mnist.txt.
SPEC = DatasetSpec(
    name="mnist",
    title="MNIST",
    files=(
        _file("train-images-idx3-ubyte.gz",
              "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422),
        _file("train-labels-idx1-ubyte.gz",
              "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881),
        _file("t10k-images-idx3-ubyte.gz",
              "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877),
        _file("t10k-labels-idx1-ubyte.gz",
              "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542),
    ),
)  # fmt: skip

# The 10k variant exists only as local copies: no URL, no official checksum.
SPEC_10K = DatasetSpec(
    name="mnist-10k",
    title="MNIST (10k variant)",
    aliases=("mnist_10k",),
    files=(
        RemoteFile("images-idx3-ubyte.gz", (), "", local_names=("images-idx3-ubyte",)),
        RemoteFile("labels-idx1-ubyte.gz", (), "", local_names=("labels-idx1-ubyte",)),
    ),
)

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def load_data(path: str | os.PathLike[str] | None = None) -> Arrays:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``.

    Args:
        path: a folder with the official IDX files or the 10k variant (see the
            module docstring), or a Keras ``mnist.npz`` file. None: search
            ``$TRAINLAB_DATA_DIR`` (``mnist/``, then ``mnist-10k/``), the cache,
            then download the official files. Keras's default ``"mnist.npz"``
            (a cache name there) is accepted and means None when no such file exists.

    Returns:
        ``x_train``: uint8 ``(60000, 28, 28)``, pixels 0-255; ``y_train``: uint8
        ``(60000,)``, digits 0-9; ``x_test``, ``y_test``: uint8 ``(10000, 28, 28)``
        and ``(10000,)``. From the 10k variant: 8,000 and 2,000 images.

    Raises:
        DatasetNotFoundError: nothing found and the download failed.
        DatasetFormatError: a file is truncated or malformed.

    Example:
        >>> from trainlab.datasets import mnist
        >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
    """
    if is_keras_cache_name(path, "mnist.npz"):
        path = None
    if path is not None:
        return _load_explicit(Path(path).expanduser())
    for root in data_dirs():
        for name in SPEC.folder_names:
            found = find_complete(SPEC, root / name)
            if found is not None:
                return _read_official(found)
        for name in SPEC_10K.folder_names:
            found = find_complete(SPEC_10K, root / name)
            if found is not None:
                warnings.warn(
                    f"trainlab.datasets.mnist: using the 10k variant in {root / name} "
                    f"(8,000 train / 2,000 test images, a seeded stratified split) instead of "
                    f"the official 60,000 / 10,000. Put the official files in {root / 'mnist'} "
                    f"to get those.",
                    UserWarning,
                    stacklevel=2,
                )
                return _read_10k(found)
    return _read_official(locate(SPEC))


def load_10k(
    path: str | os.PathLike[str] | None = None, test_split: float = 0.2, seed: int = 113
) -> Arrays:
    """Load the 10k MNIST variant with a stratified, seeded train/test split.

    Args:
        path: the folder holding ``images-idx3-ubyte.gz`` and
            ``labels-idx1-ubyte.gz`` (directly or in ``mnist-10k/``); None:
            ``$TRAINLAB_DATA_DIR/mnist-10k/``.
        test_split: fraction of images for the test part, in (0, 1).
        seed: seed of the split (Keras's conventional 113 by default).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays; with the
        defaults and 10,000 images, 8,000 and 2,000 of them, each digit in the
        same proportion in both parts.

    Raises:
        DatasetNotFoundError: no such files (this variant cannot be downloaded).
    """
    test_split = check_in_range("test_split", test_split, 0.0, 1.0, low_inclusive=False)
    if path is not None:
        found = _find_in(SPEC_10K, Path(path).expanduser())
    else:
        found = next(
            (f for root in data_dirs() for name in SPEC_10K.folder_names
             if (f := find_complete(SPEC_10K, root / name)) is not None),
            None,
        )  # fmt: skip
    if found is None:
        where = path if path is not None else "$TRAINLAB_DATA_DIR/mnist-10k/"
        raise DatasetNotFoundError(
            f"The 10k MNIST variant was not found in {where}: it needs images-idx3-ubyte.gz "
            f"and labels-idx1-ubyte.gz in one folder. Set TRAINLAB_DATA_DIR to the folder "
            f"that holds mnist-10k/ (in this project: ../shared/datasets), or pass `path=`."
        )
    return _read_10k(found, test_split=test_split, seed=seed)


def _find_in(spec: DatasetSpec, folder: Path) -> dict[str, Path] | None:
    for candidate in (folder, *(folder / name for name in spec.folder_names)):
        found = find_complete(spec, candidate)
        if found is not None:
            return found
    return None


def _load_explicit(path: Path) -> Arrays:
    if path.is_file() and path.suffix == ".npz":
        return _read_npz(path)
    if path.is_dir():
        found = _find_in(SPEC, path)
        if found is not None:
            return _read_official(found)
        found = _find_in(SPEC_10K, path)
        if found is not None:
            return _read_10k(found)
    try:
        return _read_official(locate(SPEC, path))  # raises with the list of files
    except DatasetNotFoundError as error:
        raise DatasetNotFoundError(
            f"{error} Alternatively the folder may hold the 10k variant "
            f"(images-idx3-ubyte.gz, labels-idx1-ubyte.gz), or `path` may name a Keras mnist.npz."
        ) from None


def _read_official(found: dict[str, Path]) -> Arrays:
    train = read_images_and_labels(
        found["train-images-idx3-ubyte.gz"], found["train-labels-idx1-ubyte.gz"]
    )
    test = read_images_and_labels(
        found["t10k-images-idx3-ubyte.gz"], found["t10k-labels-idx1-ubyte.gz"]
    )
    return train, test


def _read_10k(found: dict[str, Path], test_split: float = 0.2, seed: int = 113) -> Arrays:
    x, y = read_images_and_labels(found["images-idx3-ubyte.gz"], found["labels-idx1-ubyte.gz"])
    x_train, _, x_test, y_train, _, y_test = train_val_test_split(
        x, y, val_size=0, test_size=test_split, stratify=y, seed=seed
    )
    return (x_train, y_train), (x_test, y_test)


def _read_npz(path: Path) -> Arrays:
    try:
        arrays = load_npz(path, ("x_train", "y_train", "x_test", "y_test"))
    except DatasetFormatError as error:
        raise DatasetFormatError(
            f"{path} is not a Keras mnist.npz (arrays x_train, y_train, x_test, y_test "
            f"without pickled objects): {error}"
        ) from None
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y):
            raise DatasetFormatError(
                f"{path}: x_{part} has shape {x.shape} and y_{part} {y.shape}; "
                f"expected (n, 28, 28) and (n,)."
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
