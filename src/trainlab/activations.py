"""Activation functions by Keras name.

Every function maps an array to an array of the same shape (``softmax`` and
``log_softmax`` normalise over the last axis). `get` resolves a Keras name,
``None`` (linear) or a callable.

Example:
    >>> import jax.numpy as jnp
    >>> from trainlab import activations
    >>> activations.get("relu")(jnp.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from ._registry import Registry

__all__ = [
    "get",
    "serialize",
    "deserialize",
    "names",
    "linear",
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "mish",
    "sigmoid",
    "hard_sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "softplus",
    "softsign",
    "exponential",
]

_REGISTRY = Registry("activation", "activation")
register = _REGISTRY.register


@register("linear")
def linear(x: jax.Array) -> jax.Array:
    """Identity: ``linear(x) = x`` (Keras' default activation, also ``None``)."""
    return x


@register("relu")
def relu(x: jax.Array) -> jax.Array:
    """Rectified linear unit: ``max(x, 0)``."""
    return jax.nn.relu(x)


@register("relu6")
def relu6(x: jax.Array) -> jax.Array:
    """ReLU capped at 6: ``min(max(x, 0), 6)`` (MobileNet)."""
    return jax.nn.relu6(x)


@register("leaky_relu")
def leaky_relu(x: jax.Array, negative_slope: float = 0.2) -> jax.Array:
    """``x`` for x > 0, ``negative_slope * x`` otherwise (Keras default slope 0.2)."""
    return jax.nn.leaky_relu(x, negative_slope)


@register("elu")
def elu(x: jax.Array, alpha: float = 1.0) -> jax.Array:
    """Exponential linear unit."""
    return jax.nn.elu(x, alpha)


@register("selu")
def selu(x: jax.Array) -> jax.Array:
    """Scaled ELU (self-normalising networks; pair with ``lecun_normal``)."""
    return jax.nn.selu(x)


@register("gelu")
def gelu(x: jax.Array, approximate: bool = False) -> jax.Array:
    """Gaussian error linear unit (exact by default, as Keras)."""
    return jax.nn.gelu(x, approximate=approximate)


@register("silu", "swish")
def silu(x: jax.Array) -> jax.Array:
    """``x * sigmoid(x)`` (also called swish)."""
    return jax.nn.silu(x)


swish = silu


@register("mish")
def mish(x: jax.Array) -> jax.Array:
    """``x * tanh(softplus(x))``."""
    return x * jnp.tanh(jax.nn.softplus(x))


@register("sigmoid")
def sigmoid(x: jax.Array) -> jax.Array:
    """Logistic sigmoid ``1 / (1 + exp(-x))``."""
    return jax.nn.sigmoid(x)


@register("hard_sigmoid")
def hard_sigmoid(x: jax.Array) -> jax.Array:
    """Piecewise-linear sigmoid ``relu6(x + 3) / 6`` (Keras 3 definition)."""
    return jax.nn.relu6(x + 3.0) / 6.0


@register("tanh")
def tanh(x: jax.Array) -> jax.Array:
    """Hyperbolic tangent."""
    return jnp.tanh(x)


@register("softmax")
def softmax(x: jax.Array, axis: int = -1) -> jax.Array:
    """Softmax over `axis` (last by default): outputs are positive and sum to 1."""
    return jax.nn.softmax(x, axis=axis)


@register("log_softmax")
def log_softmax(x: jax.Array, axis: int = -1) -> jax.Array:
    """Logarithm of the softmax, computed stably."""
    return jax.nn.log_softmax(x, axis=axis)


@register("softplus")
def softplus(x: jax.Array) -> jax.Array:
    """``log(1 + exp(x))``."""
    return jax.nn.softplus(x)


@register("softsign")
def softsign(x: jax.Array) -> jax.Array:
    """``x / (1 + |x|)``."""
    return jax.nn.soft_sign(x)


@register("exponential")
def exponential(x: jax.Array) -> jax.Array:
    """``exp(x)``."""
    return jnp.exp(x)


def names() -> list[str]:
    """Every activation name that `get` accepts."""
    return _REGISTRY.names()


def get(identifier: Any) -> Callable[[jax.Array], jax.Array]:
    """Resolve an activation: a Keras name, None (linear), or a callable.

    Raises:
        ValueError: for an unknown name; the message lists the valid names.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return _REGISTRY.lookup(identifier.lower() if identifier.lower() in _REGISTRY.names() else identifier)
    return _REGISTRY.get(identifier, allow_callable=True)


def serialize(fn: Callable[..., Any]) -> str:
    """The Keras name of a built-in activation (raises for unregistered callables)."""
    return _REGISTRY.serialize(fn)


def deserialize(name: Any) -> Callable[[jax.Array], jax.Array]:
    """Inverse of `serialize`."""
    return get(name)


def name_of(fn: Callable[..., Any]) -> str | None:
    """The canonical name of a registered activation, else None."""
    return _REGISTRY.canonical_name(fn)
