"""Keras-compatible datasets: ``from trainlab.datasets import mnist`` as in tf.keras.

Each module has ``load_data(...)`` returning numpy arrays
``(x_train, y_train), (x_test, y_test)`` with the names, shapes and dtypes of
``keras.datasets``:

| module               | x_train / y_train                       | source release                    |
|----------------------|-----------------------------------------|-----------------------------------|
| `mnist`              | uint8 (60000, 28, 28) / uint8 (60000,)  | IDX files (or the 10k variant)    |
| `fashion_mnist`      | uint8 (60000, 28, 28) / uint8 (60000,)  | IDX files                         |
| `cifar10`            | uint8 (50000, 32, 32, 3) / uint8 (n, 1) | cifar-10-binary.tar.gz            |
| `cifar100`           | uint8 (50000, 32, 32, 3) / uint8 (n, 1) | cifar-100-binary.tar.gz           |
| `imdb`               | object array of int lists / int64 (n,)  | aclImdb_v1.tar.gz (raw text)      |
| `california_housing` | float32 (n, 8) / float32 (n,)           | cal_housing.tgz (StatLib text)    |
| `digits`             | uint8 (1437, 8, 8) / uint8 (1437,)      | scikit-learn's bundled copy       |

Where files come from, in order (see `_sources`):

1. ``path=`` passed to ``load_data`` (a folder, or the file of a one-file dataset);
2. ``$TRAINLAB_DATA_DIR/<name>/`` (``fashion-mnist``, ``mnist`` or ``mnist-10k``,
   ``cifar10``, ``cifar100``, ``imdb``, ``california_housing``);
3. the cache ``~/.trainlab/datasets/<name>/`` (``$TRAINLAB_CACHE_DIR`` overrides
   ``~/.trainlab/datasets``);
4. a download from the canonical URL, verified against the official SHA-256,
   moved atomically into the cache.

Local files are checked by format and size; downloads by checksum. Offline,
the error lists the files needed and where to put them. Nothing is unpickled.

Example:
    >>> from trainlab.datasets import fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
"""

from . import california_housing, cifar10, cifar100, digits, fashion_mnist, imdb, mnist
from ._errors import ChecksumError, DatasetFormatError, DatasetNotFoundError

__all__ = [
    "mnist",
    "fashion_mnist",
    "cifar10",
    "cifar100",
    "imdb",
    "california_housing",
    "digits",
    "DatasetNotFoundError",
    "DatasetFormatError",
    "ChecksumError",
]
