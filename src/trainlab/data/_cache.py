"""`Dataset.cache()`: keep the elements of the first complete pass in memory.

As tf.data's `cache()`: the first pass reads through the pipeline before it
(files, `map`) and stores every element; later passes replay them. A pass that
stops early (`take`, an interrupted epoch) stores nothing. Transformations
after `cache()` (`shuffle`, `prefetch`) still run every pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._sources import Node

__all__ = ["CacheNode"]


class CacheNode(Node):
    """Replays the elements of `parent`'s first complete pass."""

    def __init__(self, parent: Node):
        self.parent = parent
        self.batched = parent.batched
        self._stored: list[Any] | None = None

    def cardinality(self) -> int:
        return len(self._stored) if self._stored is not None else self.parent.cardinality()

    def elements(self, epoch: int) -> Iterator[Any]:
        if self._stored is not None:
            yield from self._stored
            return
        filling: list[Any] = []
        for element in self.parent.elements(epoch):
            filling.append(element)
            yield element
        self._stored = filling
