"""Read files out of a release archive (``.tar.gz``/``.tgz``/``.tar``) or its extracted folder.

Archives are read in one sequential pass, each member as it is reached (no
extraction to disk, no random access that would decompress the archive again
for every member). The archive is opened in seekable mode (``"r:*"``), not in
stream mode (``"r|*"``), because stream mode takes a truncated gzip stream for
the end of the archive instead of raising. Nothing is ever unpickled or
executed: members are returned as bytes. Sizes are checked before anything
is read (see `MAX_MEMBER_BYTES`), and a folder's files may not link outside it.
"""

from __future__ import annotations

import os
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ._errors import DatasetFormatError

__all__ = ["iter_members", "read_members", "MAX_MEMBER_BYTES", "MAX_TOTAL_BYTES", "MAX_MEMBERS"]

MAX_MEMBER_BYTES = 256 * 2**20
"""Default cap on one member's size (256 MiB; CIFAR-100's ``train.bin`` is 147 MiB).

Sizes are checked from the tar header *before* a member is read, so an archive of
a few megabytes that declares (and would inflate to) gigabytes is refused without
allocating them. Loaders pass the exact size their release can have."""

MAX_TOTAL_BYTES = 2**30
"""Default cap on the bytes of all accepted members together (1 GiB)."""

MAX_MEMBERS = 500_000
"""Cap on the entries of an archive or folder (aclImdb has about 100,000)."""


def _too_big(where: str, size: int, cap: int, what: str) -> DatasetFormatError:
    return DatasetFormatError(
        f"{where} is {size:,} bytes, more than the {cap:,} bytes {what} can hold in this "
        f"release; the archive is corrupted or not the expected release. Delete it and "
        f"download it again."
    )


def _check_count(source: Path, count: int) -> None:
    if count > MAX_MEMBERS:
        raise DatasetFormatError(
            f"{source} has more than {MAX_MEMBERS:,} entries; the releases trainlab reads have "
            f"far fewer. It is corrupted or not the expected release."
        )


def _iter_folder(source: Path, accept: Callable[[str], bool]) -> Iterator[tuple[str, Path]]:
    """``(relative name, path)`` of the accepted files of `source`, refusing links out of it."""
    root = source.resolve()
    count = 0
    for folder, dirs, files in os.walk(source):  # does not descend into linked folders
        dirs.sort()
        count += len(dirs) + len(files)
        _check_count(source, count)
        for name in sorted(files):
            path = Path(folder) / name
            rel = path.relative_to(source).as_posix()
            if not accept(rel):
                continue
            target = path.resolve()
            if not target.is_relative_to(root):
                raise DatasetFormatError(
                    f"{path} is a symbolic link to {target}, outside the dataset folder {source}; "
                    f"trainlab does not follow links out of a dataset folder. Copy the file into "
                    f"the folder (or remove the link)."
                )
            yield rel, path


def iter_members(
    source: Path,
    accept: Callable[[str], bool],
    *,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, content)`` for every regular file of `source` that `accept`s.

    Args:
        source: a tar archive (any compression `tarfile` knows) or a folder.
        accept: called with each file's POSIX path relative to the archive
            root or the folder (``"aclImdb/train/pos/0_9.txt"``).
        max_member_bytes: refuse an accepted file larger than this, before reading it.
        max_total_bytes: refuse when the accepted files together exceed this.

    Raises:
        DatasetFormatError: the archive is truncated or not a tar archive; a file
            exceeds a cap; more than `MAX_MEMBERS` entries; a file of a folder is
            a symbolic link to a place outside it.

    Example:
        >>> names = [n for n, _ in iter_members(Path("aclImdb"), lambda n: n.endswith(".txt"))]  # doctest: +SKIP
    """
    source = Path(source)
    total = 0

    def account(where: str, size: int) -> None:
        nonlocal total
        if size > max_member_bytes:
            raise _too_big(where, size, max_member_bytes, "one file")
        total += size
        if total > max_total_bytes:
            raise _too_big(f"{source}'s files up to {where}", total, max_total_bytes, "all files together")

    if source.is_dir():
        for rel, path in _iter_folder(source, accept):
            account(str(path), path.stat().st_size)
            yield rel, path.read_bytes()
        return
    try:
        with tarfile.open(source, mode="r:*") as archive:
            count = 0
            while (member := archive.next()) is not None:
                archive.members.clear()  # tarfile would keep every header in memory
                count += 1
                _check_count(source, count)
                name = member.name.removeprefix("./")
                if member.isfile() and accept(name):
                    account(f"{source}:{name}", member.size)
                    f = archive.extractfile(member)
                    yield name, f.read() if f is not None else b""
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise DatasetFormatError(
            f"{source} ({source.stat().st_size:,} bytes) is not a complete tar archive: "
            f"{error or type(error).__name__}. It is probably truncated or corrupted; "
            f"delete it and download it again."
        ) from None


def read_members(source: Path, basenames: Iterable[str], *, max_member_bytes: int = MAX_MEMBER_BYTES) -> dict[str, bytes]:
    """The files of `source` whose last path component is in `basenames`.

    Args:
        source: as for `iter_members`.
        basenames: the file names wanted (``"test_batch.bin"``).
        max_member_bytes: the largest size one of them may have (checked before reading).

    Raises:
        DatasetFormatError: one of them is missing (the message lists which), or too large.
    """
    wanted = set(basenames)
    found = dict(
        (name.rsplit("/", 1)[-1], data)
        for name, data in iter_members(
            source, lambda n: n.rsplit("/", 1)[-1] in wanted, max_member_bytes=max_member_bytes
        )
    )
    missing = sorted(wanted - found.keys())
    if missing:
        raise DatasetFormatError(
            f"{source} lacks {', '.join(missing)}; it does not look like the expected release."
        )
    return found
