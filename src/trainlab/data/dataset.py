"""`Dataset`: an input pipeline for data that does not fit in memory (tf.data's API).

Build a pipeline from a source, chain transformations, and pass it to
`model.fit` (or `evaluate` / `predict`); it can be iterated again for every
epoch, and each pass reshuffles::

    ds = (Dataset.from_npy(("x_train.npy", "y_train.npy"))   # memory maps
          .shuffle(10_000)                                    # streaming shuffle buffer
          .batch(256)
          .map(lambda x, y: (x / 255.0, y))                   # per batch, on the host
          .prefetch(2))                                       # background thread, on the device
    model.fit(ds, epochs=5)

Elements are nested tuples / dicts of numpy arrays (JAX arrays after
`prefetch`). Memory is bounded by the shuffle buffer, one read chunk (about
4 MB) and the prefetched batches, whatever the size of the files: memory-map
pages are released from the process as soon as they are copied.

When the data fits in memory, pass arrays to `fit` instead: an epoch then runs
as one compiled program (`lax.scan`), which is faster than any Python loop
over batches.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import jax
import numpy as np

from .._validation import check_positive_int
from ..utils.random import next_seed
from ._ops import (
    AUTOTUNE,
    BatchNode,
    CacheNode,
    FilterNode,
    MapNode,
    PrefetchNode,
    RepeatNode,
    ShuffleNode,
    SkipNode,
    TakeNode,
)
from ._sources import INFINITE, UNKNOWN, ArraySource, FileSource, GeneratorSource, Node, default_loader, resolve_files

__all__ = ["Dataset", "AUTOTUNE", "UNKNOWN_CARDINALITY", "INFINITE_CARDINALITY"]

UNKNOWN_CARDINALITY = UNKNOWN
INFINITE_CARDINALITY = INFINITE


def _slice_leaf(value: Any, path: str) -> Any:
    if hasattr(value, "columns") and hasattr(value, "to_numpy"):
        value = value.to_numpy()
    elif hasattr(value, "to_numpy"):
        value = value.to_numpy()
    if isinstance(value, jax.Array):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except ValueError:  # numpy 2 refuses ragged nested lists
            value = np.empty(0, dtype=object)
        if value.dtype == object:
            raise TypeError(
                f"`tensors{path}` must be an array of numbers or strings; numpy made an object array from it "
                f"(ragged lists?). Pad sequences first (trainlab.data.pad_sequences)."
            )
    if value.ndim == 0:
        raise ValueError(f"`tensors{path}` is a scalar; from_tensor_slices needs a leading axis to slice along.")
    return value


def _prepare_tree(tensors: Any, argument: str = "tensors") -> Any:
    def walk(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, f"{path}[{k!r}]") for k, v in node.items()}
        if isinstance(node, tuple):
            return tuple(walk(v, f"{path}[{i}]") for i, v in enumerate(node))
        return _slice_leaf(node, path)

    tree = walk(tensors, "")
    flat = jax.tree_util.tree_flatten_with_path(tree)[0]
    if not flat:
        raise ValueError(f"`{argument}` holds no arrays.")
    lengths = {jax.tree_util.keystr(p): int(a.shape[0]) for p, a in flat}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"`{argument}{k}` has {n}" for k, n in lengths.items())
        raise ValueError(
            f"All arrays of `{argument}` must have the same number of rows (first axis): {listed}. Check that "
            f"features and labels were filtered together."
        )
    return tree


class Dataset:
    """A re-iterable pipeline of elements (tf.data's `Dataset` API, on numpy and JAX).

    Create one with `from_tensor_slices`, `from_npy`, `from_files` or
    `from_generator`; transformations return new datasets. `model.fit(ds)`
    trains one step per batch (each batch shape compiles once).

    Example:
        >>> import numpy as np
        >>> ds = Dataset.from_tensor_slices((np.arange(10.0), np.arange(10) % 2)).batch(4)
        >>> [x.shape for x, y in ds]
        [(4,), (4,), (2,)]
        >>> len(ds)
        3
    """

    def __init__(self, node: Node):
        if not isinstance(node, Node):
            raise TypeError(
                "Create datasets with Dataset.from_tensor_slices, from_npy, from_files or from_generator."
            )
        self._node = node
        self._epoch = 0

    # ------------------------------------------------------------------ sources
    @classmethod
    def from_tensor_slices(cls, tensors: Any) -> "Dataset":
        """One element per row of `tensors` (an array, a tuple / dict of arrays,
        pandas objects, numpy memory maps), as `tf.data.Dataset.from_tensor_slices`.

        Arrays are not copied: a memory map stays on disk and is read in chunks.
        """
        return cls(ArraySource(_prepare_tree(tensors)))

    @classmethod
    def from_npy(cls, paths: Any, mmap_mode: str = "r") -> "Dataset":
        """Rows of `.npy` files, memory-mapped (never loaded whole).

        Args:
            paths: a path, or a tuple / dict of paths with the same number of
                rows, e.g. ``("x.npy", "y.npy")`` for ``(x, y)`` elements.
            mmap_mode: "r" (read-only map; default) or None to load into memory.

        Raises:
            FileNotFoundError: a file is missing.
            ValueError: not a .npy file, object arrays, or different row counts.
        """
        def check(path: Any) -> str:
            path = os.fspath(path)
            if not os.path.isfile(path):
                raise FileNotFoundError(f"No .npy file at {path!r}.")
            return path

        def walk(node: Any, fn: Callable[[str], Any]) -> Any:
            if isinstance(node, dict):
                return {k: walk(v, fn) for k, v in node.items()}
            if isinstance(node, tuple):
                return tuple(walk(v, fn) for v in node)
            return fn(node)

        resolved = walk(paths, check)

        def load(path: str) -> np.ndarray:
            try:
                arr = np.load(path, mmap_mode=mmap_mode, allow_pickle=False)
            except ValueError as exc:
                raise ValueError(f"{path!r} is not a readable .npy array file ({exc}).") from None
            if not isinstance(arr, np.ndarray):
                raise ValueError(f"{path!r} is an .npz archive, not a .npy array; pass its arrays' files.")
            if arr.ndim == 0:
                raise ValueError(f"{path!r} holds a scalar; from_npy needs rows along the first axis.")
            return arr

        def opener() -> Any:
            return _prepare_tree(walk(resolved, load), "paths")

        return cls(ArraySource(opener=opener))

    @classmethod
    def from_files(cls, files: Any, loader: Callable[[str], Any] | None = None, labels: Any = None) -> "Dataset":
        """One element per file: ``loader(path)`` (or ``(loader(path), label)`` with `labels`).

        Args:
            files: a folder (its files, sorted), a glob pattern such as
                ``"data/*.npy"``, or a list of paths.
            loader: ``path -> array``; default by extension: .npy, .csv, .txt,
                images (with Pillow).
            labels: one label per file.
        """
        paths = resolve_files(files)
        return cls(FileSource(paths, loader or default_loader, labels))

    @classmethod
    def from_generator(cls, generator: Callable[[], Any]) -> "Dataset":
        """Elements from ``generator()``, called again for every pass (epoch)."""
        return cls(GeneratorSource(generator))

    # ------------------------------------------------------------------ transformations
    def map(self, map_func: Callable, num_parallel_calls: int | None = None, deterministic: bool | None = None) -> "Dataset":
        """Apply `map_func` to every element (tuple elements are passed as
        arguments: ``lambda x, y: ...``). Before `batch` it sees one sample,
        after `batch` one batch (faster: vectorized). `num_parallel_calls`
        > 1 (or `AUTOTUNE`) runs it in threads, keeping the order."""
        return Dataset(MapNode(self._node, map_func, num_parallel_calls))

    def filter(self, predicate: Callable) -> "Dataset":
        """Keep the elements for which ``predicate(element)`` is true."""
        return Dataset(FilterNode(self._node, predicate))

    def shuffle(self, buffer_size: int, seed: int | None = None, reshuffle_each_iteration: bool = True) -> "Dataset":
        """Shuffle through a buffer of `buffer_size` elements (bounded memory).

        A buffer at least as large as the dataset gives a full random
        permutation. Without `seed`, one is drawn from trainlab's seed stream
        (`set_random_seed` makes runs repeatable).
        """
        buffer_size = check_positive_int("buffer_size", buffer_size)
        seed = next_seed() if seed is None else int(seed)
        return Dataset(ShuffleNode(self._node, buffer_size, seed, bool(reshuffle_each_iteration)))

    def batch(self, batch_size: int, drop_remainder: bool = False) -> "Dataset":
        """Stack consecutive elements into batches (the last may be smaller)."""
        batch_size = check_positive_int("batch_size", batch_size)
        return Dataset(BatchNode(self._node, batch_size, bool(drop_remainder)))

    def cache(self, filename: str = "") -> "Dataset":
        """Keep the elements in memory after the first full pass and replay them on
        later passes (tf.data's ``cache()``), so loading and `map` run once; put
        `shuffle` after it to reshuffle every epoch.

        Args:
            filename: must be "" (memory). A file cache is not supported: save the
                arrays with ``np.save`` and read them with `Dataset.from_npy`.

        Example:
            >>> ds = Dataset.from_tensor_slices(np.arange(4.0)).map(lambda x: x * 2).cache().batch(2)
            >>> [b.tolist() for b in ds] == [b.tolist() for b in ds] == [[0.0, 2.0], [4.0, 6.0]]
            True
        """
        if filename not in ("", None):
            raise ValueError(
                f"`filename` of Dataset.cache must be '' (cache in memory); received {filename!r}. To cache on "
                f"disk, save the arrays once with np.save and read them with Dataset.from_npy (memory maps)."
            )
        return Dataset(CacheNode(self._node))

    def take(self, count: int) -> "Dataset":
        """The first `count` elements (-1: all)."""
        return Dataset(TakeNode(self._node, int(count)))

    def skip(self, count: int) -> "Dataset":
        """All but the first `count` elements."""
        return Dataset(SkipNode(self._node, int(count)))

    def repeat(self, count: int | None = None) -> "Dataset":
        """Repeat the data `count` times (None: forever; then pass `steps_per_epoch` to fit)."""
        return Dataset(RepeatNode(self._node, count))

    def prefetch(self, buffer_size: int = AUTOTUNE) -> "Dataset":
        """Prepare up to `buffer_size` elements ahead in a background thread and
        put them on the device, so reading and preprocessing overlap training."""
        if buffer_size != AUTOTUNE:
            buffer_size = check_positive_int("buffer_size", buffer_size)
        return Dataset(PrefetchNode(self._node, buffer_size))

    # ------------------------------------------------------------------ iteration
    def __iter__(self) -> Iterator[Any]:
        epoch = self._epoch
        self._epoch += 1
        return self._node.elements(epoch)

    def as_numpy_iterator(self) -> Iterator[Any]:
        """Iterate with every array as numpy."""
        for element in self:
            yield jax.tree.map(np.asarray, element)

    def make_one_shot_iterator(self) -> Any:
        """TF 1's iterator: ``features, labels = ds.make_one_shot_iterator().get_next()``
        in an Estimator ``input_fn`` (see `trainlab.data._one_shot`); ``next(it)``
        gives batches eagerly."""
        from ._one_shot import OneShotIterator

        return OneShotIterator(self)

    def cardinality(self) -> int:
        """Number of elements; `INFINITE_CARDINALITY` (-1) or `UNKNOWN_CARDINALITY` (-2)."""
        return self._node.cardinality()

    def __len__(self) -> int:
        n = self.cardinality()
        if n == INFINITE:
            raise TypeError("The dataset is infinite (repeat()); pass `steps_per_epoch` to fit.")
        if n == UNKNOWN:
            raise TypeError("The dataset's length is unknown (generator or filter); iterate it to count.")
        return n

    @property
    def element_spec(self) -> Any:
        """Shapes and dtypes of one element (reads the first one)."""
        first = next(iter(Dataset(self._node)), None)
        if first is None:
            raise ValueError("The dataset is empty.")
        return jax.tree.map(lambda a: (tuple(np.shape(a)), str(np.asarray(a).dtype)), first)

    def __repr__(self) -> str:
        n = self.cardinality()
        size = {INFINITE: "infinite", UNKNOWN: "unknown"}.get(n, str(n))
        kind = "batches" if self._node.batched else "elements"
        return f"<Dataset {kind}={size}>"
