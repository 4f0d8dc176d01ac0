"""An exclusive lock on a folder, so that two processes (or two `fit` calls)
never write one run directory or backup folder at the same time.

The lock is an OS advisory lock (`fcntl.flock`) on a ``.lock`` file inside the
folder: the operating system releases it when the holder exits, even after
``kill -9``, so a crashed run never leaves a stale lock behind. The file
records the holder's host and pid for the error message. Where `fcntl` does
not exist (Windows) the lock is a no-op.

Example:
    >>> import tempfile
    >>> lock = FolderLock(tempfile.mkdtemp(), argument="run_dir")
    >>> lock.acquire(); lock.release()
"""

from __future__ import annotations

import os
import socket
from typing import Any

__all__ = ["FolderLock"]

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class FolderLock:
    """Exclusive, non-blocking lock on `folder` (created if missing).

    Args:
        folder: the folder to lock.
        argument: the argument name used in error messages (e.g. ``"run_dir"``).

    Raises:
        ValueError: from `acquire`, when another process or another `fit` call
            in this process holds the lock; the message names the holder.
    """

    NAME = ".lock"

    def __init__(self, folder: str | os.PathLike, argument: str = "run_dir"):
        self.folder = os.fspath(folder)
        self.argument = argument
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None or fcntl is None:
            return
        os.makedirs(self.folder, exist_ok=True)
        path = os.path.join(self.folder, self.NAME)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise ValueError(
                f"`{self.argument}` {self.folder!r} is in use by another training run ({holder}). Two runs writing "
                f"one folder would mix their files. Wait for that run to end, or pass a different `{self.argument}`."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"host={socket.gethostname()} pid={os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> "FolderLock":
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "holder unknown"
