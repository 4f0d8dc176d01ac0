"""Where a dataset's files come from: an explicit path, a data folder, the cache, the web.

Every loader calls `locate(spec, path)`, which looks, in order, in

1. ``path=`` given to ``load_data`` (a folder holding the files, or the file
   itself for one-file datasets). Nothing else is tried when it is given.
2. ``$TRAINLAB_DATA_DIR/<name>/`` (and the spec's alias folder names; the
   variable may hold several folders separated by ``os.pathsep``). The folder
   must hold *all* of the dataset's files, so that a split is never assembled
   from two different releases. The file of a one-file dataset (an archive)
   may also sit directly in ``$TRAINLAB_DATA_DIR``.
3. the per-user cache ``~/.trainlab/datasets/<name>/`` (``$TRAINLAB_CACHE_DIR``
   replaces ``~/.trainlab/datasets``).
4. a download of each missing file from its canonical URL into the cache,
   verified against the published SHA-256 (see `_download.download`).

Local files (1-3) are validated by format and size when parsed, never by the
official checksums: course machines often carry re-packed copies.
"""

from __future__ import annotations

import os
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path

from . import _download
from ._errors import ChecksumError, DatasetNotFoundError

__all__ = [
    "ENV_DATA_DIR",
    "ENV_CACHE_DIR",
    "RemoteFile",
    "DatasetSpec",
    "data_dirs",
    "cache_root",
    "cache_dir",
    "find_complete",
    "locate",
    "is_keras_cache_name",
]

ENV_DATA_DIR = "TRAINLAB_DATA_DIR"
ENV_CACHE_DIR = "TRAINLAB_CACHE_DIR"


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset release.

    Args:
        name: the canonical file name, as published (``"t10k-labels-idx1-ubyte.gz"``).
        urls: where to download it from, tried in order.
        sha256: the published SHA-256 of the file at `urls`.
        size: its size in bytes, for messages (None when unknown).
        local_names: other names accepted for a local copy, such as the
            decompressed file or the folder an archive extracts to.
    """

    name: str
    urls: tuple[str, ...]
    sha256: str
    size: int | None = None
    local_names: tuple[str, ...] = ()

    @property
    def candidates(self) -> tuple[str, ...]:
        return (self.name, *self.local_names)


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset's files and the folder names it is found under.

    Args:
        name: folder name under ``TRAINLAB_DATA_DIR`` and in the cache.
        title: human-readable name for messages ("Fashion-MNIST").
        files: the release's files.
        aliases: other accepted folder names under ``TRAINLAB_DATA_DIR``.
    """

    name: str
    title: str
    files: tuple[RemoteFile, ...]
    aliases: tuple[str, ...] = field(default=())

    @property
    def folder_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def data_dirs() -> list[Path]:
    """The folders listed in ``$TRAINLAB_DATA_DIR`` (empty when unset)."""
    value = os.environ.get(ENV_DATA_DIR, "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


def cache_root() -> Path:
    """``$TRAINLAB_CACHE_DIR``, or ``~/.trainlab/datasets`` when it is unset."""
    value = os.environ.get(ENV_CACHE_DIR, "").strip()
    return Path(value).expanduser() if value else Path.home() / ".trainlab" / "datasets"


def cache_dir(spec: DatasetSpec) -> Path:
    """The cache folder of one dataset (not created)."""
    return cache_root() / spec.name


def _find(file: RemoteFile, folder: Path) -> Path | None:
    for candidate in file.candidates:
        path = folder / candidate
        if path.exists():
            return path
    return None


def find_complete(spec: DatasetSpec, folder: Path) -> dict[str, Path] | None:
    """``{canonical name: path}`` when `folder` holds every file of `spec`, else None."""
    if not folder.is_dir():
        return None
    found = {}
    for file in spec.files:
        path = _find(file, folder)
        if path is None:
            return None
        found[file.name] = path
    return found


def is_keras_cache_name(path: object, default: str) -> bool:
    """True when `path` is Keras's default cache file name (``"mnist.npz"``) and no
    such file exists here: code written for Keras passes it, trainlab ignores it."""
    return isinstance(path, str) and path == default and not Path(path).exists()


def locate(spec: DatasetSpec, path: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """Find (or download) every file of `spec`; see the module docstring for the order.

    Returns:
        ``{canonical file name: local path}``. A path may be a decompressed
        file or an extracted folder when the spec accepts such local names.

    Raises:
        DatasetNotFoundError: the files are not local and cannot be downloaded.
        ChecksumError: a download did not match its published SHA-256.
    """
    if path is not None:
        return _from_explicit_path(spec, Path(path).expanduser())
    searched: list[Path] = []
    for root in data_dirs():
        # a one-file dataset may also sit directly in the data folder
        # ($TRAINLAB_DATA_DIR/cal_housing.tgz, $TRAINLAB_DATA_DIR/aclImdb/)
        folders = [root / name for name in spec.folder_names] + ([root] if len(spec.files) == 1 else [])
        for folder in folders:
            found = find_complete(spec, folder)
            if found is not None:
                return found
            searched.append(folder)
    cache = cache_dir(spec)
    found = find_complete(spec, cache)
    if found is not None:
        return found
    searched.append(cache)
    return _download_missing(spec, cache, searched)


def _from_explicit_path(spec: DatasetSpec, path: Path) -> dict[str, Path]:
    if path.is_file() or (path.is_dir() and path.name in spec.files[0].local_names):
        if len(spec.files) == 1:
            return {spec.files[0].name: path}
        raise DatasetNotFoundError(
            f"`path` points to the file {path}, but {spec.title} needs {len(spec.files)} files "
            f"({_names(spec)}). Pass the folder that holds them as `path=`."
        )
    if not path.exists():
        raise DatasetNotFoundError(
            f"`path` {str(path)!r} does not exist. Pass the folder that holds the "
            f"{spec.title} files ({_names(spec)}), or leave `path` out to use "
            f"${ENV_DATA_DIR}, the cache or a download."
        )
    for folder in (path, *(path / name for name in spec.folder_names)):
        found = find_complete(spec, folder)
        if found is not None:
            return found
    missing = [f.name for f in spec.files if _find(f, path) is None]
    raise DatasetNotFoundError(
        f"The folder {path} given as `path` lacks {', '.join(missing)} of {spec.title}. "
        f"It must hold: {_names(spec)} (directly or in a `{spec.name}/` subfolder)."
    )


def _names(spec: DatasetSpec) -> str:
    return ", ".join(f.name for f in spec.files)


def _reason(error: BaseException) -> str:
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        return str(error.reason)
    return str(error) or type(error).__name__


def _download_missing(spec: DatasetSpec, cache: Path, searched: list[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for file in spec.files:
        existing = _find(file, cache)
        if existing is not None:
            found[file.name] = existing
            continue
        failures = []
        for url in file.urls:
            try:
                found[file.name] = _download.download(url, file.sha256, cache / file.name)
                break
            except ChecksumError:
                raise
            except OSError as error:
                failures.append(f"{url}: {_reason(error)}")
        else:
            raise DatasetNotFoundError(_offline_message(spec, cache, searched, failures))
    return found


def _offline_message(spec: DatasetSpec, cache: Path, searched: list[Path], failures: list[str]) -> str:
    lines = [f"Could not find {spec.title} locally, and downloading it failed ({'; '.join(failures)})."]
    lines.append("Put these files, exactly as published, into one folder:")
    for file in spec.files:
        size = f"{file.size:,} bytes, " if file.size else ""
        lines.append(f"  {file.name}  ({size}from {file.urls[0]})")
    roots = data_dirs()
    data_folder = f"{roots[0] / spec.name}" if roots else f"<data dir>/{spec.name}"
    lines.append(
        f"The folder can be the cache {cache}, or {data_folder} with the environment variable "
        f"{ENV_DATA_DIR} set to its parent"
        + (f" (now {os.environ.get(ENV_DATA_DIR)!r})" if roots else "")
        + ", or any folder passed as `path=` to load_data."
    )
    lines.append("Looked in: " + ", ".join(str(p) for p in searched) + ".")
    return "\n".join(lines)
