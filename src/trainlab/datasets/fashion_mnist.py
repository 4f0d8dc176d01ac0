"""Fashion-MNIST: 70,000 28x28 grayscale images of clothing in 10 classes (Zalando).

Same names and return values as ``keras.datasets.fashion_mnist``; files are
found as described in `trainlab.datasets` (``path=``, ``$TRAINLAB_DATA_DIR/
fashion-mnist/``, the cache, then a verified download).

| Label | Class       | Label | Class      |
|:-----:|-------------|:-----:|------------|
| 0     | T-shirt/top | 5     | Sandal     |
| 1     | Trouser     | 6     | Shirt      |
| 2     | Pullover    | 7     | Sneaker    |
| 3     | Dress       | 8     | Bag        |
| 4     | Coat        | 9     | Ankle boot |

License: MIT, copyright Zalando SE.
"""

from __future__ import annotations

import os

import numpy as np

from ._idx import read_images_and_labels
from ._sources import DatasetSpec, RemoteFile, locate

__all__ = ["load_data", "CLASS_NAMES", "SPEC"]

CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip

_KERAS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_ZALANDO = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"


def _file(name: str, sha256: str, size: int) -> RemoteFile:
    return RemoteFile(
        name, (_KERAS + name, _ZALANDO + name), sha256, size, local_names=(name[: -len(".gz")],)
    )


# SHA-256 of the official files, as listed by keras/src/datasets/fashion_mnist.py
# and tensorflow_datasets/url_checksums/fashion_mnist.txt (the two agree).
SPEC = DatasetSpec(
    name="fashion-mnist",
    title="Fashion-MNIST",
    aliases=("fashion_mnist",),
    files=(
        _file("train-images-idx3-ubyte.gz",
              "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26421880),
        _file("train-labels-idx1-ubyte.gz",
              "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29515),
        _file("t10k-images-idx3-ubyte.gz",
              "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4422102),
        _file("t10k-labels-idx1-ubyte.gz",
              "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5148),
    ),
)  # fmt: skip


def load_data(
    path: str | os.PathLike[str] | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``.

    Args:
        path: a folder holding the four IDX files (``train-images-idx3-ubyte.gz``,
            ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``,
            ``t10k-labels-idx1-ubyte.gz``; gzip-compressed or not), directly or
            in a ``fashion-mnist/`` subfolder. None (Keras's only form): look in
            ``$TRAINLAB_DATA_DIR``, the cache, then download.

    Returns:
        ``x_train``: uint8 array of shape ``(60000, 28, 28)``, pixels 0-255;
        ``y_train``: uint8 array of shape ``(60000,)``, labels 0-9;
        ``x_test``, ``y_test``: the same for the 10,000 test images.
        (Other sizes when a local copy holds another number of images.)

    Raises:
        DatasetNotFoundError: the files are missing and cannot be downloaded;
            the message says which files to put where.
        DatasetFormatError: a file is truncated or not an IDX file.

    Example:
        >>> from trainlab.datasets import fashion_mnist
        >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.dtype  # doctest: +SKIP
        ((60000, 28, 28), dtype('uint8'))
    """
    found = locate(SPEC, path)
    train = read_images_and_labels(
        found["train-images-idx3-ubyte.gz"], found["train-labels-idx1-ubyte.gz"]
    )
    test = read_images_and_labels(
        found["t10k-images-idx3-ubyte.gz"], found["t10k-labels-idx1-ubyte.gz"]
    )
    return train, test
