"""The apply context: how a Keras-style layer stays a pure function.

A layer's ``call(self, inputs)`` reads its weights as attributes (``self.kernel``)
and, for randomness, asks ``self.random_key()``. Inside `Model.apply` (level 1)
those reads resolve to the arrays of the *variables pytree being applied*, not
to state stored on the object, so the whole forward pass is a pure function of
``(variables, x, key, hparams)`` that jit, grad and vmap can transform.

A context is a stack of frames, one per layer call in progress. A frame holds
that layer's slice of the params / state / hyperparameter trees, collects its
new state, and derives its random keys from its parent's key and its position.
Nothing here runs inside compiled code: it all happens once, while tracing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import jax

__all__ = ["Context", "Frame", "current", "active"]

_local = threading.local()


@dataclass
class Frame:
    layer: Any
    params: dict
    state: dict
    hparams: dict
    key: Any
    new_state: dict = field(default_factory=dict)
    child_calls: int = 0
    key_calls: int = 0
    children_new_state: dict = field(default_factory=dict)


@dataclass
class Context:
    """What one forward pass needs besides the inputs.

    Attributes:
        mode: "apply" (run with given variables) or "init" (create variables).
        training: whether layers run in training mode (dropout on, batch statistics).
        key: the base random key, or None.
        skip_activation: ids of layers whose final activation is deferred to the
            loss (logits for numerically stable cross-entropy).
        losses: penalties added during the pass (activity regularizers, add_loss).
        record_shapes: when set, layers record their output shapes here (summary).
    """

    mode: str
    training: bool
    key: Any = None
    skip_activation: frozenset = frozenset()
    losses: list = field(default_factory=list)
    record_shapes: dict | None = None
    record_stats: dict | None = None
    stack: list = field(default_factory=list)

    def __enter__(self) -> "Context":
        stack = getattr(_local, "contexts", None)
        if stack is None:
            stack = _local.contexts = []
        stack.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _local.contexts.pop()

    # -- frames ---------------------------------------------------------
    def push(self, layer: Any) -> Frame:
        """Enter `layer`: slice the parent's trees by the layer's name."""
        name = layer.name
        if not self.stack:
            raise RuntimeError("internal: push without a root frame")
        parent = self.stack[-1]
        index = parent.child_calls
        parent.child_calls += 1
        key = None if parent.key is None else jax.random.fold_in(parent.key, index)
        if self.mode == "init":
            params = parent.params.setdefault(name, {})
            state = parent.state.setdefault(name, {})
        else:
            params = parent.params.get(name, {}) if isinstance(parent.params, dict) else {}
            state = parent.new_state.get(name) or (parent.state.get(name, {}) if isinstance(parent.state, dict) else {})
        hparams = parent.hparams.get(name, {}) if isinstance(parent.hparams, dict) else {}
        frame = Frame(layer=layer, params=params, state=state, hparams=hparams, key=key)
        self.stack.append(frame)
        return frame

    def pop(self) -> Frame:
        frame = self.stack.pop()
        parent = self.stack[-1]
        if frame.new_state:
            merged = dict(frame.state)
            merged.update(frame.new_state)
            parent.new_state[frame.layer.name] = merged
        return frame

    def root(self, params: dict, state: dict, hparams: dict | None) -> Frame:
        frame = Frame(layer=None, params=params, state=state, hparams=hparams or {}, key=self.key)
        self.stack.append(frame)
        return frame

    def frame_of(self, layer: Any) -> Frame | None:
        for frame in reversed(self.stack):
            if frame.layer is layer:
                return frame
        return None


def current() -> Context | None:
    """The innermost active context, or None outside `Model.apply`/`init`."""
    stack = getattr(_local, "contexts", None)
    return stack[-1] if stack else None


def active() -> bool:
    return current() is not None
