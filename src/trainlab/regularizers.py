"""Weight regularizers (L1, L2, L1L2) added to the training loss.

A regularizer is called on a weight array and returns a scalar penalty, with
Keras' formulas: ``L1: l1 * sum(|w|)``, ``L2: l2 * sum(w**2)`` (no factor 1/2).
The strengths are *hyperparameters*: `hyperparameters()` lists them and
`penalty(w, hp)` takes them as arrays, so a population of models can train
with different strengths in one vmapped program.

Example:
    >>> import jax.numpy as jnp
    >>> from trainlab import regularizers
    >>> float(regularizers.L2(0.01)(jnp.ones((2, 2))))
    0.04
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from ._registry import Registry
from ._validation import check_nonnegative

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get", "serialize"]

_REGISTRY = Registry("regularizer", "kernel_regularizer")


class Regularizer:
    """Base class. Subclasses define `hyperparameters` and `penalty`."""

    def hyperparameters(self) -> dict[str, float]:
        """Array-valued strengths, e.g. ``{"l2": 0.01}``."""
        return {}

    def penalty(self, x: jax.Array, hp: dict[str, Any]) -> jax.Array:
        """The penalty of weights `x` with strengths `hp` (pure)."""
        raise NotImplementedError

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.penalty(x, self.hyperparameters())

    def get_config(self) -> dict[str, Any]:
        return self.hyperparameters()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Regularizer":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@_REGISTRY.register("l1")
class L1(Regularizer):
    """``l1 * sum(|w|)``; Keras default l1=0.01. Drives weights to exactly zero."""

    def __init__(self, l1: float = 0.01):
        self.l1 = check_nonnegative("l1", l1)

    def hyperparameters(self):
        return {"l1": self.l1}

    def penalty(self, x, hp):
        return hp["l1"] * jnp.sum(jnp.abs(x))


@_REGISTRY.register("l2")
class L2(Regularizer):
    """``l2 * sum(w**2)`` (weight decay through the loss); Keras default l2=0.01."""

    def __init__(self, l2: float = 0.01):
        self.l2 = check_nonnegative("l2", l2)

    def hyperparameters(self):
        return {"l2": self.l2}

    def penalty(self, x, hp):
        return hp["l2"] * jnp.sum(jnp.square(x))


@_REGISTRY.register("l1_l2", "l1l2")
class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w**2)``; Keras defaults 0.0 and 0.0."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = check_nonnegative("l1", l1)
        self.l2 = check_nonnegative("l2", l2)

    def hyperparameters(self):
        return {"l1": self.l1, "l2": self.l2}

    def penalty(self, x, hp):
        return hp["l1"] * jnp.sum(jnp.abs(x)) + hp["l2"] * jnp.sum(jnp.square(x))


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """Keras' `l1_l2` helper (defaults 0.01 and 0.01)."""
    return L1L2(l1, l2)


# Keras' lowercase aliases, as in course code: kernel_regularizer=tf.keras.regularizers.l2(0.001)
l1 = L1
l2 = L2


def get(identifier: Any, argument: str = "kernel_regularizer") -> Regularizer | None:
    """Resolve a regularizer: None, a name ("l1", "l2", "l1_l2"), a config, or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        identifier = identifier.lower()
    reg = _REGISTRY.get(identifier, base=Regularizer, argument=argument, allow_callable=True)
    if not isinstance(reg, Regularizer):
        return _CallableRegularizer(reg)
    return reg


class _CallableRegularizer(Regularizer):
    """Wraps a plain function ``f(w) -> scalar`` (no tunable strength)."""

    def __init__(self, fn):
        self.fn = fn

    def penalty(self, x, hp):
        return self.fn(x)

    def get_config(self):
        raise TypeError("A plain-function regularizer cannot be saved; use L1, L2 or L1L2.")


def serialize(reg: Regularizer | None) -> Any:
    return _REGISTRY.serialize(reg)
