"""Weight initializers with Keras names, defaults and fan rules.

An initializer is called as ``init(key, shape, dtype) -> array``. Fans follow
Keras: for a Dense kernel ``(in, out)`` fan_in is ``in``; for a convolution
kernel ``(*window, in, out)`` both fans are multiplied by the window size.

Example:
    >>> import jax
    >>> from trainlab import initializers
    >>> w = initializers.get("he_normal")(jax.random.key(0), (784, 128))
    >>> w.shape
    (784, 128)
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._registry import Registry
from ._validation import check_one_of

__all__ = [
    "Initializer",
    "Zeros",
    "Ones",
    "Constant",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "GlorotUniform",
    "GlorotNormal",
    "HeUniform",
    "HeNormal",
    "LecunUniform",
    "LecunNormal",
    "Orthogonal",
    "Identity",
    "compute_fans",
    "get",
    # Keras' lower-case aliases of the classes (`keras.initializers.glorot_uniform()`)
    "zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal", "variance_scaling",
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
    "orthogonal", "identity",
    "serialize",
]

_REGISTRY = Registry("initializer", "kernel_initializer")
# Keras' truncated normal keeps values within 2 stddev; this constant restores the variance.
_TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """(fan_in, fan_out) of a weight shape, as Keras computes them."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive = float(np.prod(shape[:-2])) if len(shape) > 2 else 1.0
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: ``__call__(key, shape, dtype=float32)``. A `seed` makes the
    initializer ignore the key it is given and always draw the same values."""

    def __init__(self, seed: int | None = None):
        self.seed = seed

    def _key(self, key: jax.Array | None) -> jax.Array:
        if self.seed is not None:
            return jax.random.key(int(self.seed))
        if key is None:
            from .utils.random import next_key

            return next_key()
        return key

    def __call__(self, key: jax.Array | None, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed} if self.seed is not None else {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Initializer":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@_REGISTRY.register("zeros")
class Zeros(Initializer):
    """All zeros (the Keras default for biases)."""

    def __call__(self, key, shape, dtype=jnp.float32):
        return jnp.zeros(shape, dtype)


@_REGISTRY.register("ones")
class Ones(Initializer):
    """All ones (BatchNormalization's gamma)."""

    def __call__(self, key, shape, dtype=jnp.float32):
        return jnp.ones(shape, dtype)


@_REGISTRY.register("constant")
class Constant(Initializer):
    """Every value equal to `value`."""

    def __init__(self, value: float = 0.0):
        super().__init__()
        self.value = float(value)

    def __call__(self, key, shape, dtype=jnp.float32):
        return jnp.full(shape, self.value, dtype)

    def get_config(self):
        return {"value": self.value}


@_REGISTRY.register("random_normal")
class RandomNormal(Initializer):
    """Normal distribution, Keras defaults mean 0.0, stddev 0.05."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, key, shape, dtype=jnp.float32):
        return self.mean + self.stddev * jax.random.normal(self._key(key), shape, dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


@_REGISTRY.register("random_uniform", "uniform")
class RandomUniform(Initializer):
    """Uniform on [minval, maxval), Keras defaults -0.05 and 0.05."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.minval, self.maxval = float(minval), float(maxval)

    def __call__(self, key, shape, dtype=jnp.float32):
        return jax.random.uniform(self._key(key), shape, dtype, self.minval, self.maxval)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


@_REGISTRY.register("truncated_normal")
class TruncatedNormal(Initializer):
    """Normal truncated at two standard deviations (mean 0.0, stddev 0.05)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, key, shape, dtype=jnp.float32):
        return self.mean + self.stddev * jax.random.truncated_normal(self._key(key), -2.0, 2.0, shape, dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


@_REGISTRY.register("variance_scaling")
class VarianceScaling(Initializer):
    """Scale the spread by the fan: std (or limit) from ``scale / n`` with n the
    fan_in, fan_out or their average.

    Args:
        scale: positive factor (2.0 for ReLU networks, He et al.).
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal", "untruncated_normal" or "uniform".
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ):
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"`scale` must be positive; received {scale!r}.")
        self.scale = float(scale)
        self.mode = check_one_of("mode", mode, ["fan_in", "fan_out", "fan_avg"])
        if distribution == "normal":
            distribution = "truncated_normal"
        self.distribution = check_one_of(
            "distribution", distribution, ["truncated_normal", "untruncated_normal", "uniform"]
        )

    def __call__(self, key, shape, dtype=jnp.float32):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        key = self._key(key)
        if self.distribution == "truncated_normal":
            std = math.sqrt(variance) / _TRUNCATED_STD
            return std * jax.random.truncated_normal(key, -2.0, 2.0, shape, dtype)
        if self.distribution == "untruncated_normal":
            return math.sqrt(variance) * jax.random.normal(key, shape, dtype)
        limit = math.sqrt(3.0 * variance)
        return jax.random.uniform(key, shape, dtype, -limit, limit)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, **super().get_config()}


def _variance_preset(name: str, scale: float, mode: str, distribution: str, doc: str) -> type:
    def __init__(self, seed: int | None = None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return Initializer.get_config(self)

    cls = type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})
    return cls


GlorotUniform = _REGISTRY.register("glorot_uniform")(_variance_preset(
    "GlorotUniform", 1.0, "fan_avg", "uniform",
    "Uniform within ±sqrt(6 / (fan_in + fan_out)) (Xavier; Keras' default kernel initializer)."))
GlorotNormal = _REGISTRY.register("glorot_normal")(_variance_preset(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "Truncated normal with std sqrt(2 / (fan_in + fan_out)) (Xavier; for tanh/sigmoid)."))
HeUniform = _REGISTRY.register("he_uniform")(_variance_preset(
    "HeUniform", 2.0, "fan_in", "uniform", "Uniform within ±sqrt(6 / fan_in) (for ReLU)."))
HeNormal = _REGISTRY.register("he_normal")(_variance_preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal", "Truncated normal with std sqrt(2 / fan_in) (for ReLU)."))
LecunUniform = _REGISTRY.register("lecun_uniform")(_variance_preset(
    "LecunUniform", 1.0, "fan_in", "uniform", "Uniform within ±sqrt(3 / fan_in)."))
LecunNormal = _REGISTRY.register("lecun_normal")(_variance_preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal", "Truncated normal with std sqrt(1 / fan_in) (for SELU)."))


@_REGISTRY.register("orthogonal")
class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times `gain` (for recurrent and deep linear nets)."""

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        super().__init__(seed)
        self.gain = float(gain)

    def __call__(self, key, shape, dtype=jnp.float32):
        return self.gain * jax.nn.initializers.orthogonal()(self._key(key), shape, dtype)

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}


@_REGISTRY.register("identity")
class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain: float = 1.0):
        super().__init__()
        self.gain = float(gain)

    def __call__(self, key, shape, dtype=jnp.float32):
        if len(shape) != 2:
            raise ValueError(f"The `identity` initializer needs a 2-D shape; received {tuple(shape)}.")
        return self.gain * jnp.eye(*shape, dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


# Keras exports each class under its lower-case name too: `initializers.he_normal(seed=1)`.
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal, orthogonal, identity = LecunUniform, LecunNormal, Orthogonal, Identity


def get(identifier: Any, argument: str = "kernel_initializer") -> Initializer:
    """Resolve an initializer from a name, config dict, instance or callable
    ``f(key, shape, dtype)``."""
    if isinstance(identifier, str):
        identifier = identifier.lower()
    return _REGISTRY.get(identifier, base=Initializer, argument=argument, allow_callable=True)


def serialize(initializer: Any) -> Any:
    """A JSON-able form of a built-in initializer."""
    return _REGISTRY.serialize(initializer)
