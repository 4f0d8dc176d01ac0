"""The errors dataset loaders raise, each with the file and the fix in its message.

All three subclass a built-in error, so ``except FileNotFoundError`` /
``except ValueError`` written for Keras keeps working.
"""

from __future__ import annotations

__all__ = ["DatasetNotFoundError", "DatasetFormatError", "ChecksumError"]


class DatasetNotFoundError(FileNotFoundError):
    """The dataset's files are neither local nor downloadable.

    The message lists the exact file names needed, the folder to put them in
    and the ``TRAINLAB_DATA_DIR`` environment variable.
    """

    def __str__(self) -> str:  # FileNotFoundError would format (errno, strerror)
        return str(self.args[0]) if self.args else ""


class DatasetFormatError(ValueError):
    """A local or cached file is truncated, corrupted or not in the expected format.

    The message names the file and what was expected versus found (size,
    magic number, dimensions).
    """


class ChecksumError(ValueError):
    """A downloaded file's SHA-256 differs from the published one.

    The downloaded bytes are deleted, never kept in the cache. The message names
    the URL, the expected and the actual hash.
    """
