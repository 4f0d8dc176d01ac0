"""Explicit, reproducible randomness.

trainlab never uses hidden global random state inside computations: every
random operation takes a JAX key. The only global is the *seed generator* the
Keras-style shell draws from when you do not pass keys yourself (initialising
weights, shuffling in `fit`). `set_random_seed` resets it, so the same seed on
the same machine gives bit-identical results.

Example:
    >>> from trainlab.utils import set_random_seed
    >>> set_random_seed(42)
"""

from __future__ import annotations

import os
import random as _py_random

import jax
import numpy as np

__all__ = ["set_random_seed", "next_key", "next_seed", "as_key"]

_state = {"seed": int.from_bytes(os.urandom(4), "little"), "counter": 0}


def set_random_seed(seed: int) -> None:
    """Seed trainlab's key stream, and Python's and NumPy's global RNGs
    (as `keras.utils.set_random_seed` does).

    Args:
        seed: a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(
            f"`seed` must be a non-negative integer; received {seed!r}. Pass e.g. set_random_seed(0)."
        )
    _state["seed"] = int(seed)
    _state["counter"] = 0
    _py_random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)


def next_seed() -> int:
    """The next integer seed from the global stream (advances it)."""
    _state["counter"] += 1
    return (_state["seed"] * 1_000_003 + _state["counter"]) % 2**31


def next_key() -> jax.Array:
    """The next JAX key from the global stream (advances it).

    Inside a `trainlab.function` step it comes from the step's own key (an
    input, new at each call), so Dropout masks differ between calls."""
    from .._binding import trace_key

    key = trace_key()
    return jax.random.key(next_seed()) if key is None else key


def as_key(seed_or_key: int | jax.Array | None) -> jax.Array:
    """A typed JAX key from an int seed, an existing key, or None (next global key)."""
    if seed_or_key is None:
        return next_key()
    if isinstance(seed_or_key, (int, np.integer)) and not isinstance(seed_or_key, bool):
        return jax.random.key(int(seed_or_key))
    if isinstance(seed_or_key, jax.Array):
        if jax.dtypes.issubdtype(seed_or_key.dtype, jax.dtypes.prng_key):
            return seed_or_key
        return jax.random.wrap_key_data(seed_or_key)
    raise TypeError(
        f"`seed` must be an int, a JAX key or None; received {type(seed_or_key).__name__}."
    )
