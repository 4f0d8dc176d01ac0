"""Crash-safe file writes shared by dataset downloads, caches and model saving.

A file that other code reads (a cached dataset, a saved model) must never be
seen half written: a crash, a full disk or Ctrl-C in the middle of a write
would otherwise leave a truncated file that looks valid by name. The helpers
here write into a temporary file *in the destination folder* (so that the
final step is a same-filesystem rename), flush it to disk, then rename it over
the destination with `os.replace`, which is atomic on POSIX and Windows. On any
error the temporary file is removed and the destination is left untouched.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_write(folder / "config.json", "w") as f:
    ...     _ = f.write('{"units": 4}')
    >>> (folder / "config.json").read_text()
    '{"units": 4}'
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_text", "atomic_move", "temporary_file_beside", "sha256_file"]


def temporary_file_beside(path: str | os.PathLike[str]) -> Path:
    """Create an empty temporary file in the folder of `path` and return its path.

    The name starts with a dot and the destination's name, and ends in
    ``.part``, so a leftover from a killed process is easy to recognise. The
    file gets the permissions a plain `open` would give (0o666 less the umask),
    unlike `tempfile.mkstemp`'s 0o600. The folder is created if needed. The
    caller owns (and must remove) the file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.part"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"Could not create a temporary file beside {path}.")  # pragma: no cover


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "wb", **open_kwargs: Any
) -> Iterator[IO[Any]]:
    """Open a temporary file for writing; on success it atomically becomes `path`.

    Args:
        path: the destination. Its folder is created if missing.
        mode: a write mode, ``"wb"`` (default) or ``"w"``.
        **open_kwargs: passed to `open` (for example ``encoding="utf-8"``).

    Yields:
        The open file object. When the ``with`` block raises, the temporary
        file is deleted and `path` keeps its previous content (or stays absent).

    Raises:
        ValueError: `mode` is not a write mode.
    """
    if mode not in ("w", "wb", "wt"):
        raise ValueError(f"`mode` must be 'w', 'wt' or 'wb'; received {mode!r}.")
    if "b" not in mode:
        open_kwargs.setdefault("encoding", "utf-8")
    tmp = temporary_file_beside(path)
    try:
        with open(tmp, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_move(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> Path:
    """Move the file `src` to `dst` so that `dst` is never seen partly written.

    Within one filesystem this is a single `os.replace`. Across filesystems the
    file is first copied into a temporary file beside `dst`, which is then
    renamed over `dst`; `src` is removed afterwards.

    Returns:
        `dst` as a Path.
    """
    src, dst = Path(src), Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dst)
        return dst
    except OSError as error:
        if error.errno != errno.EXDEV:  # not a cross-filesystem move
            raise
    tmp = temporary_file_beside(dst)
    try:
        shutil.copyfile(src, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    src.unlink()
    return dst


def sha256_file(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """The SHA-256 hex digest of a file, read in chunks of `chunk_size` bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically (see `atomic_write`)."""
    with atomic_write(path, "wb") as f:
        f.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write `text` to `path` atomically (see `atomic_write`)."""
    with atomic_write(path, "w", encoding=encoding) as f:
        f.write(text)
