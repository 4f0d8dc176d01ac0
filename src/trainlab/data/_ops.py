"""The transformations of a `Dataset` pipeline: map, filter, shuffle, batch,
take, skip, repeat, and prefetch (a background thread that moves batches to
the device while the current one trains).

All work on *chunks* (several elements stacked along a leading axis) where
they can, so that shuffling and batching cost a few numpy operations per
chunk rather than Python work per element.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jax
import numpy as np

from ._sources import INFINITE, UNKNOWN, ArraySource, Node, index_tree, leaves_len

__all__ = ["MapNode", "FilterNode", "ShuffleNode", "BatchNode", "TakeNode", "SkipNode", "RepeatNode",
           "PrefetchNode", "AUTOTUNE", "to_device"]

AUTOTUNE = -1


def call_on_element(fn: Callable, element: Any) -> Any:
    """tf.data's convention: a tuple element is passed as positional arguments."""
    if isinstance(element, tuple):
        return fn(*element)
    return fn(element)


class MapNode(Node):
    def __init__(self, parent: Node, fn: Callable, num_parallel_calls: int | None):
        if not callable(fn):
            raise TypeError(f"`map_func` must be callable; received {type(fn).__name__}.")
        self.parent, self.fn = parent, fn
        self.batched = parent.batched
        self.workers = 1 if num_parallel_calls in (None, 0, 1) else (
            2 if num_parallel_calls == AUTOTUNE else int(num_parallel_calls))

    def cardinality(self) -> int:
        return self.parent.cardinality()

    def elements(self, epoch: int) -> Iterator[Any]:
        source = self.parent.elements(epoch)
        if self.workers == 1:
            for element in source:
                yield call_on_element(self.fn, element)
            return
        with ThreadPoolExecutor(self.workers) as pool:
            window: list[Any] = []
            for element in source:
                window.append(element)
                if len(window) == 8 * self.workers:
                    yield from pool.map(lambda e: call_on_element(self.fn, e), window)
                    window = []
            yield from pool.map(lambda e: call_on_element(self.fn, e), window)


class FilterNode(Node):
    def __init__(self, parent: Node, predicate: Callable):
        if not callable(predicate):
            raise TypeError(f"`predicate` must be callable; received {type(predicate).__name__}.")
        self.parent, self.predicate = parent, predicate
        self.batched = parent.batched

    def elements(self, epoch: int) -> Iterator[Any]:
        for element in self.parent.elements(epoch):
            if bool(np.asarray(call_on_element(self.predicate, element))):
                yield element


def _alloc_like(chunk: Any, capacity: int) -> Any:
    return jax.tree.map(lambda a: np.empty((capacity,) + a.shape[1:], a.dtype), chunk)


def _assign(buffer: Any, idx: Any, values: Any) -> None:
    for b, v in zip(jax.tree.leaves(buffer), jax.tree.leaves(values)):
        b[idx] = v


class ShuffleNode(Node):
    """A streaming shuffle through a buffer of `buffer_size` elements (tf.data's).

    The buffer fills first; then each incoming piece of the stream replaces
    randomly chosen buffer slots, whose old contents are emitted in random
    order. A buffer as large as the data gives a uniform random permutation;
    smaller buffers mix only within that window (memory stays bounded).
    """

    def __init__(self, parent: Node, buffer_size: int, seed: int, reshuffle: bool):
        self.parent, self.capacity, self.seed, self.reshuffle = parent, buffer_size, seed, reshuffle
        self.batched = parent.batched

    def cardinality(self) -> int:
        return self.parent.cardinality()

    def chunks(self, epoch: int) -> Iterator[Any]:
        rng = np.random.default_rng([self.seed, epoch if self.reshuffle else 0])
        cap = self.capacity
        source = self.parent
        if isinstance(source, ArraySource) and source.in_memory and cap >= source.cardinality():
            # the buffer would hold everything: gather a random permutation directly (no buffer copy)
            yield from source.gather(rng.permutation(source.cardinality()))
            return
        step = max(1, cap // 8)  # elements exchanged per draw: mixing vs numpy overhead
        buffer, fill = None, 0
        for chunk in self.parent.chunks(epoch):
            n, pos = leaves_len(chunk), 0
            if buffer is None:
                buffer = _alloc_like(chunk, cap)
            while pos < n:
                if fill < cap:
                    take = min(cap - fill, n - pos)
                    _assign(buffer, slice(fill, fill + take), index_tree(chunk, slice(pos, pos + take)))
                    fill += take
                    pos += take
                    continue
                m = min(step, n - pos)
                slots = rng.choice(cap, size=m, replace=False)
                out = index_tree(buffer, slots)  # fancy indexing copies
                _assign(buffer, slots, index_tree(chunk, slice(pos, pos + m)))
                pos += m
                yield out
        if buffer is not None and fill:
            order = rng.permutation(fill)
            for start in range(0, fill, max(step, 1024)):
                yield index_tree(buffer, order[start:start + max(step, 1024)])


def _concat(pieces: list[Any]) -> Any:
    if len(pieces) == 1:
        return pieces[0]
    return jax.tree.map(lambda *a: np.concatenate(a), *pieces)


class BatchNode(Node):
    batched = True

    def __init__(self, parent: Node, batch_size: int, drop_remainder: bool):
        self.parent, self.batch_size, self.drop_remainder = parent, batch_size, drop_remainder

    def cardinality(self) -> int:
        n = self.parent.cardinality()
        if n < 0:
            return n
        return n // self.batch_size if self.drop_remainder else -(-n // self.batch_size)

    def elements(self, epoch: int) -> Iterator[Any]:
        size = self.batch_size
        pending: list[Any] = []
        count = 0
        for chunk in self.parent.chunks(epoch):
            n = leaves_len(chunk)
            start = 0
            while n - start > 0:
                need = size - count
                take = min(need, n - start)
                pending.append(chunk if (start == 0 and take == n) else index_tree(chunk, slice(start, start + take)))
                count += take
                start += take
                if count == size:
                    yield _concat(pending)
                    pending, count = [], 0
        if count and not self.drop_remainder:
            yield _concat(pending)

    def chunks(self, epoch: int) -> Iterator[Any]:
        for batch in self.elements(epoch):
            yield jax.tree.map(lambda a: np.asarray(a)[None], batch)


class CacheNode(Node):
    """Keeps the elements of the first complete pass in memory and replays them on later
    passes (tf.data's ``cache()``): reading, decoding and `map` run once. Transformations
    after it (shuffle, batch) still run every pass. A pass stopped early is not cached."""

    def __init__(self, parent: Node):
        self.parent = parent
        self.batched = parent.batched
        self._elements: list[Any] | None = None

    def cardinality(self) -> int:
        return len(self._elements) if self._elements is not None else self.parent.cardinality()

    def elements(self, epoch: int) -> Iterator[Any]:
        if self._elements is not None:
            yield from self._elements
            return
        seen: list[Any] = []
        for element in self.parent.elements(epoch):
            element = jax.tree.map(np.asarray, element)
            seen.append(element)
            yield element
        self._elements = seen


class TakeNode(Node):
    def __init__(self, parent: Node, count: int):
        self.parent, self.count = parent, count
        self.batched = parent.batched

    def cardinality(self) -> int:
        n = self.parent.cardinality()
        if self.count < 0:
            return n
        if n == INFINITE:
            return self.count
        return UNKNOWN if n == UNKNOWN else min(n, self.count)

    def elements(self, epoch: int) -> Iterator[Any]:
        if self.count < 0:
            yield from self.parent.elements(epoch)
            return
        if self.count == 0:
            return
        for i, element in enumerate(self.parent.elements(epoch)):
            yield element
            if i + 1 >= self.count:
                return


class SkipNode(Node):
    def __init__(self, parent: Node, count: int):
        self.parent, self.count = parent, count
        self.batched = parent.batched

    def cardinality(self) -> int:
        n = self.parent.cardinality()
        return n if n < 0 else max(0, n - self.count)

    def elements(self, epoch: int) -> Iterator[Any]:
        for i, element in enumerate(self.parent.elements(epoch)):
            if i >= self.count:
                yield element


class RepeatNode(Node):
    def __init__(self, parent: Node, count: int | None):
        self.parent, self.count = parent, count
        self.batched = parent.batched

    def cardinality(self) -> int:
        n = self.parent.cardinality()
        if self.count is None or self.count < 0:
            return 0 if n == 0 else INFINITE
        return n if n < 0 else n * self.count

    def chunks(self, epoch: int) -> Iterator[Any]:
        r = 0
        while self.count is None or self.count < 0 or r < self.count:
            yield from self.parent.chunks(epoch * 100_003 + r)
            r += 1

    def elements(self, epoch: int) -> Iterator[Any]:
        r = 0
        while self.count is None or self.count < 0 or r < self.count:
            yield from self.parent.elements(epoch * 100_003 + r)
            r += 1


def _device_leaf(a: Any) -> Any:
    if isinstance(a, str):
        return a
    if isinstance(a, jax.Array):
        return a
    arr = np.asarray(a)
    if arr.dtype.kind in ("U", "S", "O"):
        return arr
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    elif arr.dtype in (np.int64, np.uint32, np.uint64):
        arr = arr.astype(np.int32)
    return jax.device_put(arr)


def to_device(element: Any) -> Any:
    """Numbers as device arrays (float64 -> float32, int64 -> int32, as fit does); strings stay numpy."""
    return jax.tree.map(_device_leaf, element)


_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException):
        self.exc = exc


class PrefetchNode(Node):
    """Produce elements in a background thread, `buffer_size` ahead, already on the device."""

    def __init__(self, parent: Node, buffer_size: int):
        self.parent = parent
        self.buffer_size = 2 if buffer_size == AUTOTUNE else buffer_size
        self.batched = parent.batched

    def cardinality(self) -> int:
        return self.parent.cardinality()

    def elements(self, epoch: int) -> Iterator[Any]:
        q: queue.Queue = queue.Queue(maxsize=max(1, self.buffer_size))
        stop = threading.Event()

        def put(item: Any) -> bool:
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def produce() -> None:
            try:
                for element in self.parent.elements(epoch):
                    if not put(to_device(element)):
                        return
                put(_DONE)
            except BaseException as exc:  # handed to the consumer, raised there
                put(_Failure(exc))

        thread = threading.Thread(target=produce, name="trainlab-prefetch", daemon=True)
        thread.start()
        try:
            while True:
                item = q.get()
                if item is _DONE:
                    return
                if isinstance(item, _Failure):
                    raise item.exc
                yield item
        finally:
            stop.set()
            while thread.is_alive():
                try:
                    q.get(timeout=0.05)
                except queue.Empty:
                    pass
            thread.join()
