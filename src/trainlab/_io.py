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

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_text", "atomic_move", "temporary_file_beside", "sha256_file",
           "remove_stale_temporaries"]

STALE_AGE_S = 600.0  # a temporary without a readable writer pid is stale after this many seconds


def temporary_file_beside(path: str | os.PathLike[str]) -> Path:
    """Create an empty temporary file in the folder of `path` and return its path.

    The name is ``.<name>.<pid>.<hex>.part``: a dot, the destination's name,
    the writer's process id and a random part, so that a leftover of a killed
    process is easy to recognise (see `remove_stale_temporaries`). The
    file gets the permissions a plain `open` would give (0o666 less the umask),
    unlike `tempfile.mkstemp`'s 0o600. The folder is created if needed. The
    caller owns (and must remove) the file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.part"
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


def _is_token(text: str) -> bool:
    return len(text) == 12 and all(c in "0123456789abcdef" for c in text)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except (OverflowError, OSError):
        return False
    return True


def remove_stale_temporaries(path: str | os.PathLike[str], max_age_s: float = STALE_AGE_S) -> list[Path]:
    """Delete temporaries that killed writers of `path` left beside it; return them.

    A temporary ``.<name>.<pid>.<hex>.part`` (see `temporary_file_beside`) is
    stale when process `pid` no longer exists; one without a pid (older
    trainlab versions) when it was last modified more than `max_age_s` seconds
    ago. A temporary of a live process (a save in flight, here or in another
    process) is never touched. Errors (a file another process just removed)
    are ignored.

    Args:
        path: the destination whose temporaries to clean up.
        max_age_s: age after which a temporary without a pid counts as stale.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / ".m.trainlab.999999999.0123456789ab.part").write_bytes(b"half")
        >>> [p.name for p in remove_stale_temporaries(folder / "m.trainlab")]
        ['.m.trainlab.999999999.0123456789ab.part']
    """
    import time

    path = Path(path)
    removed: list[Path] = []
    prefix = f".{path.name}."
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".part")]
    except OSError:
        return removed
    now = time.time()
    for tmp in candidates:
        middle = tmp.name[len(prefix):-len(".part")].split(".")
        if not _is_token(middle[-1]) or len(middle) > 2 or (len(middle) == 2 and not middle[0].isdigit()):
            continue  # the temporary of another file whose name extends this one
        if len(middle) == 2:
            stale = not _pid_alive(int(middle[0]))
        else:
            try:
                stale = now - tmp.stat().st_mtime > max_age_s
            except OSError:
                continue
        if stale:
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed.append(tmp)
    return removed
