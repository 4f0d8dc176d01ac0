"""Where a `Dataset`'s elements come from: in-memory arrays and memory maps
(random access, read in contiguous chunks), generators, and files.

Memory maps are read chunk by chunk; after a chunk is copied out, its pages
are released from the process (``madvise(MADV_DONTNEED)``), so streaming a
file much larger than memory keeps the resident set bounded: the pages stay in
the OS file cache, not in this process.
"""

from __future__ import annotations

import glob
import mmap
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jax
import numpy as np

from .._validation import describe

__all__ = ["Node", "ArraySource", "GeneratorSource", "FileSource", "leaves_len", "index_tree", "stack_trees",
           "CHUNK_BYTES"]

CHUNK_BYTES = 4 << 20  # bytes per chunk read from a source
_MAX_CHUNK_ROWS = 8192
UNKNOWN = -2
INFINITE = -1


def index_tree(tree: Any, i: Any) -> Any:
    return jax.tree.map(lambda a: a[i], tree)


def stack_trees(items: list[Any]) -> Any:
    return jax.tree.map(lambda *a: np.stack([np.asarray(v) for v in a]), *items)


def leaves_len(tree: Any) -> int:
    return int(jax.tree.leaves(tree)[0].shape[0])


class Node:
    """A stage of a pipeline. Subclasses implement `chunks` (stacked elements,
    leading axis = elements) and/or `elements`; each derives from the other.

    `epoch` makes shuffles differ between passes over the data.
    """

    #: elements are batches (after `batch`)
    batched = False

    def cardinality(self) -> int:
        return UNKNOWN

    def chunks(self, epoch: int) -> Iterator[Any]:
        group: list[Any] = []
        for element in self.elements(epoch):
            group.append(element)
            if len(group) == 256:
                yield stack_trees(group)
                group = []
        if group:
            yield stack_trees(group)

    def elements(self, epoch: int) -> Iterator[Any]:
        for chunk in self.chunks(epoch):
            for i in range(leaves_len(chunk)):
                yield index_tree(chunk, i)


def _memmap_root(a: np.ndarray) -> np.memmap | None:
    base = a
    while base is not None:
        if isinstance(base, np.memmap) and getattr(base, "_mmap", None) is not None:
            return base
        base = getattr(base, "base", None)
    return None


def _release(piece: np.ndarray, root: np.memmap) -> None:
    """Drop the pages under `piece` (a view of memory map `root`) from this process."""
    mm = root._mmap
    if mm is None or not hasattr(mm, "madvise") or not hasattr(mmap, "MADV_DONTNEED"):
        return
    start_in_map = int(root.offset) % mmap.ALLOCATIONGRANULARITY
    rel = piece.__array_interface__["data"][0] - root.__array_interface__["data"][0] + start_in_map
    end = rel + piece.nbytes
    page = mmap.PAGESIZE
    lo = (rel // page) * page
    hi = min(len(mm), -(-end // page) * page)
    if hi > lo:
        try:
            mm.madvise(mmap.MADV_DONTNEED, lo, hi - lo)
        except (OSError, ValueError):  # pragma: no cover - platform without support
            pass


class ArraySource(Node):
    """Rows of arrays (numpy, memory maps, anything with `shape` and slicing).

    `opener` (optional) re-opens the arrays at the start of each pass (used for
    `.npy` paths, so no file stays open between epochs).
    """

    def __init__(self, tree: Any = None, opener: Callable[[], Any] | None = None):
        self._tree = tree
        self._opener = opener
        sample = tree if tree is not None else opener()
        leaves = jax.tree.leaves(sample)
        self._n = int(leaves[0].shape[0])
        row_bytes = sum(int(np.prod(a.shape[1:], dtype=np.int64)) * a.dtype.itemsize for a in leaves)
        self._rows = int(max(1, min(_MAX_CHUNK_ROWS, CHUNK_BYTES // max(1, row_bytes))))
        self.structure = jax.tree.map(lambda a: (tuple(a.shape[1:]), np.dtype(a.dtype)), sample)

    def cardinality(self) -> int:
        return self._n

    @property
    def in_memory(self) -> bool:
        """True when rows can be gathered in any order cheaply (no memory map, no files)."""
        return self._tree is not None and not any(
            _memmap_root(a) is not None for a in jax.tree.leaves(self._tree) if isinstance(a, np.ndarray))

    def gather(self, order: np.ndarray) -> Iterator[Any]:
        """Rows in the given order, a chunk at a time (in-memory sources only)."""
        for start in range(0, len(order), self._rows):
            yield index_tree(self._tree, order[start:start + self._rows])

    def chunks(self, epoch: int) -> Iterator[Any]:
        tree = self._tree if self._tree is not None else self._opener()
        leaves, treedef = jax.tree.flatten(tree)
        roots = [_memmap_root(a) if isinstance(a, np.ndarray) else None for a in leaves]
        for start in range(0, self._n, self._rows):
            stop = min(start + self._rows, self._n)
            out = []
            for a, root in zip(leaves, roots):
                piece = a[start:stop]
                copy = np.array(piece)  # owns its memory: safe after the pages are dropped
                if root is not None:
                    _release(piece, root)
                out.append(copy)
            yield jax.tree.unflatten(treedef, out)


class GeneratorSource(Node):
    """Elements from ``generator()``, called anew at each pass."""

    def __init__(self, generator: Callable[[], Any]):
        if not callable(generator):
            raise TypeError(
                f"`generator` must be a callable that returns an iterator (a generator function, not a generator "
                f"object); received {describe(generator)}. Pass the function itself: from_generator(gen), not gen()."
            )
        self._generator = generator

    def elements(self, epoch: int) -> Iterator[Any]:
        it = self._generator()
        if not hasattr(it, "__iter__"):
            raise TypeError(f"`generator()` must return an iterable; it returned {describe(it)}.")
        for element in it:
            yield jax.tree.map(np.asarray, element)


_TEXT = {".txt", ".text", ".md"}
_IMAGES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def default_loader(path: str) -> Any:
    """Load one file by its extension: .npy (array), .txt (str), .csv (2-D float array), images (needs Pillow)."""
    ext = Path(path).suffix.lower()
    if ext == ".npy":
        return np.load(path, allow_pickle=False)
    if ext in _TEXT:
        return Path(path).read_text(encoding="utf-8")
    if ext == ".csv":
        return np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
    if ext in _IMAGES:
        try:
            from PIL import Image
        except ImportError:
            raise ImportError(
                f"Reading image {path!r} needs Pillow (pip install pillow), or pass your own `loader=` function."
            ) from None
        with Image.open(path) as img:
            return np.asarray(img)
    raise ValueError(
        f"No default loader for {path!r} (extension {ext or 'none'!r}); pass `loader=` (a function path -> array)."
    )


def resolve_files(files: Any) -> list[str]:
    """A sorted list of file paths from a folder, a glob pattern, or a list of paths."""
    if isinstance(files, (str, os.PathLike)):
        text = os.fspath(files)
        if os.path.isdir(text):
            paths = sorted(str(p) for p in Path(text).iterdir() if p.is_file() and not p.name.startswith("."))
        elif any(ch in text for ch in "*?["):
            paths = sorted(glob.glob(text, recursive=True))
        else:
            paths = [text]
    else:
        paths = [os.fspath(p) for p in files]
    if not paths:
        raise ValueError(f"`files` {files!r} matched no file. Check the folder or pattern.")
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        raise FileNotFoundError(f"`files` lists {len(missing)} missing file(s), e.g. {missing[0]!r}.")
    return paths


class FileSource(Node):
    """One element per file: ``loader(path)``, or ``(loader(path), label)``."""

    def __init__(self, paths: list[str], loader: Callable[[str], Any], labels: Any = None):
        self._paths = paths
        self._loader = loader
        self._labels = None if labels is None else np.asarray(labels)
        if self._labels is not None and len(self._labels) != len(paths):
            raise ValueError(f"`labels` has {len(self._labels)} entries for {len(paths)} files; give one per file.")

    def cardinality(self) -> int:
        return len(self._paths)

    def elements(self, epoch: int) -> Iterator[Any]:
        for i, path in enumerate(self._paths):
            try:
                value = self._loader(path)
            except Exception as exc:
                exc.add_note(f"(while loading {path!r} in Dataset.from_files)")
                raise
            value = value if isinstance(value, str) else np.asarray(value)
            yield value if self._labels is None else (value, self._labels[i])
