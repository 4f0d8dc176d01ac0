"""Read files out of a release archive (``.tar.gz``/``.tgz``/``.tar``) or its extracted folder.

Archives are read in one sequential pass, each member as it is reached (no
extraction to disk, no random access that would decompress the archive again
for every member). The archive is opened in seekable mode (``"r:*"``), not in
stream mode (``"r|*"``), because stream mode takes a truncated gzip stream for
the end of the archive instead of raising. Nothing is ever unpickled or
executed: members are returned as bytes.
"""

from __future__ import annotations

import os
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ._errors import DatasetFormatError

__all__ = ["iter_members", "read_members"]


def iter_members(source: Path, accept: Callable[[str], bool]) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, content)`` for every regular file of `source` that `accept`s.

    Args:
        source: a tar archive (any compression `tarfile` knows) or a folder.
        accept: called with each file's POSIX path relative to the archive
            root or the folder (``"aclImdb/train/pos/0_9.txt"``).

    Raises:
        DatasetFormatError: the archive is truncated or not a tar archive.
    """
    source = Path(source)
    if source.is_dir():
        for root, dirs, files in os.walk(source):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                rel = path.relative_to(source).as_posix()
                if accept(rel):
                    yield rel, path.read_bytes()
        return
    try:
        with tarfile.open(source, mode="r:*") as archive:
            for member in archive:
                name = member.name.removeprefix("./")
                if member.isfile() and accept(name):
                    f = archive.extractfile(member)
                    yield name, f.read() if f is not None else b""
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise DatasetFormatError(
            f"{source} ({source.stat().st_size:,} bytes) is not a complete tar archive: "
            f"{error or type(error).__name__}. It is probably truncated or corrupted; "
            f"delete it and download it again."
        ) from None


def read_members(source: Path, basenames: Iterable[str]) -> dict[str, bytes]:
    """The files of `source` whose last path component is in `basenames`.

    Raises:
        DatasetFormatError: one of them is missing (the message lists which).
    """
    wanted = set(basenames)
    found = dict(
        (name.rsplit("/", 1)[-1], data)
        for name, data in iter_members(source, lambda n: n.rsplit("/", 1)[-1] in wanted)
    )
    missing = sorted(wanted - found.keys())
    if missing:
        raise DatasetFormatError(
            f"{source} lacks {', '.join(missing)}; it does not look like the expected release."
        )
    return found
