"""Download one file, verify its SHA-256, and move it into place atomically.

`fetch` is the only function that touches the network. Tests replace it with
``monkeypatch.setattr(trainlab.datasets._download, "fetch", fake)``, or point a
dataset's URL at a ``file://`` fixture (`urllib` reads those too).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import urllib.request
from pathlib import Path
from typing import BinaryIO

from .._io import atomic_move, temporary_file_beside
from ._errors import ChecksumError

__all__ = ["fetch", "download", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 60.0  # seconds without data before a download is abandoned


def fetch(url: str, out: BinaryIO, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Copy the bytes at `url` (``https://``, ``http://`` or ``file://``) into `out`.

    Raises:
        OSError: (including `urllib.error.URLError` and `TimeoutError`) when
            the URL cannot be read, for example on a machine without network.
    """
    request = urllib.request.Request(url, headers={"User-Agent": "trainlab-datasets"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        shutil.copyfileobj(response, out, 1 << 20)


class _HashingWriter:
    """A binary file wrapper that hashes what passes through it."""

    def __init__(self, f: BinaryIO):
        self._f = f
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self._f.write(data)


def download(url: str, sha256: str, dest: str | os.PathLike[str], *, quiet: bool = False) -> Path:
    """Download `url` to `dest`, keeping it only if its SHA-256 equals `sha256`.

    The bytes go to a temporary file in `dest`'s folder, so `dest` either does
    not exist or holds the complete, verified file; the final step is a rename.

    Args:
        url: where to download from.
        sha256: the expected hex digest (case-insensitive).
        dest: the final path (its folder is created if needed).
        quiet: do not print the one-line progress note to stderr.

    Returns:
        `dest` as a Path.

    Raises:
        ChecksumError: the digest differs; the temporary file is deleted.
        OSError: the URL could not be read (network down, 404, ...).
    """
    dest = Path(dest)
    tmp = temporary_file_beside(dest)
    try:
        if not quiet:
            print(f"trainlab: downloading {url} -> {dest}", file=sys.stderr, flush=True)
        with open(tmp, "wb") as f:
            writer = _HashingWriter(f)
            fetch(url, writer)  # type: ignore[arg-type]
            f.flush()
            os.fsync(f.fileno())
        actual = writer.sha256.hexdigest()
        if actual != sha256.lower():
            raise ChecksumError(
                f"The file downloaded from {url} ({writer.size} bytes) has SHA-256 {actual}, "
                f"expected {sha256.lower()}. It was deleted and nothing was cached. "
                f"The transfer may have been corrupted or the server may serve a different file: "
                f"try again, or download it yourself and pass its folder as `path=`."
            )
        return atomic_move(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
