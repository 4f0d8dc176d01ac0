"""Lifting object state into pure functions.

This is how `trainlab.value_and_grad` and `trainlab.function` run the
stateful code of a Keras course -- layers that hold weights, optimizers that
hold slots, metrics that hold totals, `Variable` objects -- as pure JAX
functions (ARCHITECTURE.md, principle 1: state is lifted in at a boundary and
written back after it).

Every stateful object (an *owner*) keeps its arrays in one slot and offers two
methods: ``_lift_load()`` (the stored value, a pytree of arrays or None) and
``_lift_store(value)``. Its own code never touches the slot directly: it reads
and writes through `read` and `write`.

* Outside any `Frame` they go straight to the object (eager, like Keras).
* Inside a frame, reads return the frame's value for the object (possibly a
  tracer) and writes are recorded in the innermost frame. Whoever opened the
  frame returns the written values as outputs of its pure function and writes
  them to the next level after the function ran.

A *lifting* frame (`trainlab.function`) must receive every object it reads as
an input: reading one it does not have raises `NeedsLift`, and the function is
traced again with that object lifted. A *discovering* lifting frame (the first,
abstract trace) loads unknown objects from their stores and remembers them, so
that usually one abstract trace finds them all.

Randomness: inside a lifting frame, `trainlab.utils.random.next_key` draws from
the frame's key (an input of the compiled function, new each call), so Dropout
masks differ from call to call without recompiling.

Example:
    >>> import jax.numpy as jnp
    >>> class Box:
    ...     def __init__(self): self.store = jnp.zeros(())
    ...     def _lift_load(self): return self.store
    ...     def _lift_store(self, v): self.store = v
    >>> box = Box()
    >>> with Frame({id(box): (box, jnp.ones(()))}) as frame:
    ...     write(box, read(box) + 1)
    >>> float(box.store), float(frame.values[id(box)])
    (0.0, 2.0)
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import jax

__all__ = ["Frame", "NeedsLift", "Unbuilt", "read", "write", "active", "lifting_frame", "trace_key",
           "contains_tracer", "suspended"]

_local = threading.local()
_MISSING = object()


class NeedsLift(Exception):
    """Raised inside a `trainlab.function` trace that read an object it did not lift."""

    def __init__(self, owner: Any):
        super().__init__(f"{type(owner).__name__} must be an input of the compiled function")
        self.owner = owner


class Unbuilt(Exception):
    """Raised when a compiled function touches a layer that has no weights yet."""


def _stack() -> list:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def active() -> bool:
    """True inside any frame."""
    return bool(_stack())


def lifting_frame() -> Frame | None:
    """The outermost lifting frame (a `trainlab.function` trace), if any."""
    for frame in _stack():
        if frame.lifting:
            return frame
    return None


class Frame:
    """Values of owners for a block of code, and the owners the block wrote.

    Args:
        values: ``{id(owner): (owner, value)}`` to start from.
        lifting: a `trainlab.function` frame (unknown owners must be inputs).
        discover: with `lifting`, load unknown owners and remember them in `lifted`.
        key: the random key `trace_key` draws from (lifting frames).
    """

    def __init__(self, values: dict[int, tuple[Any, Any]] | None = None, *, lifting: bool = False,
                 discover: bool = False, key: Any = None):
        values = values or {}
        self.owners = {i: o for i, (o, _) in values.items()}
        self.values = {i: v for i, (_, v) in values.items()}
        self.written: dict[int, Any] = {}
        self.lifted: dict[int, Any] = {}
        self.lifting = lifting
        self.discover = discover
        self.key = key
        self.key_count = 0

    def __enter__(self) -> Frame:
        _stack().append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        stack = _stack()
        if stack and stack[-1] is self:
            stack.pop()
        elif self in stack:  # pragma: no cover - defensive
            stack.remove(self)

    def effects(self) -> list[tuple[Any, Any]]:
        """``[(owner, value)]`` of every owner written in this frame, in order."""
        return [(self.owners[i], self.values[i]) for i in self.written]


def read(owner: Any) -> Any:
    """The current value of `owner` at this level (frame value or its store)."""
    stack = _stack()
    for frame in reversed(stack):
        value = frame.values.get(id(owner), _MISSING)
        if value is not _MISSING:
            return value
    for frame in stack:
        if frame.lifting:
            if not frame.discover:
                raise NeedsLift(owner)
            value = owner._lift_load()
            if value is None and getattr(owner, "_lift_must_exist", False):
                raise Unbuilt(owner)
            frame.owners[id(owner)] = owner
            frame.values[id(owner)] = value
            frame.lifted[id(owner)] = owner
            return value
    return owner._lift_load()


def write(owner: Any, value: Any) -> None:
    """Set the value of `owner` at this level: in the innermost frame, or its store."""
    stack = _stack()
    if not stack:
        owner._lift_store(value)
        return
    if owner._lift_load() is None and getattr(owner, "_lift_must_exist", False) and not contains_tracer(value) \
            and not any(id(owner) in f.values for f in stack):
        owner._lift_store(value)  # building a layer: its first weights go to the object itself
        return
    frame = stack[-1]
    frame.owners[id(owner)] = owner
    frame.values[id(owner)] = value
    frame.written[id(owner)] = owner


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """No frame inside the block: reads and writes go to the objects' stores, and
    array operations run eagerly (used to build a model's weights mid-trace)."""
    saved = _stack()[:]
    _local.stack = []
    try:
        with jax.ensure_compile_time_eval():
            yield
    finally:
        _local.stack = saved


def trace_key() -> Any:
    """A new key from the lifting frame's key, or None outside one."""
    frame = lifting_frame()
    if frame is None or frame.key is None:
        return None
    frame.key_count += 1
    return jax.random.fold_in(frame.key, frame.key_count)


def contains_tracer(tree: Any) -> bool:
    """True if any leaf of `tree` is a JAX tracer."""
    return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(tree))
