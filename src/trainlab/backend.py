"""Keras `backend` helpers that course code calls (`clear_session`, `floatx`).

Example:
    >>> from trainlab import backend
    >>> backend.clear_session()
    >>> backend.floatx()
    'float32'
"""

from __future__ import annotations

import jax

from .layers._base import clear_session as _clear_names

__all__ = ["clear_session", "floatx", "backend"]


def clear_session() -> None:
    """Reset automatic layer names and JAX's compilation caches (as Keras)."""
    _clear_names()
    jax.clear_caches()


def floatx() -> str:
    """The float type of weights and activations: always "float32" in trainlab."""
    return "float32"


def backend() -> str:
    """The array backend: "jax"."""
    return "jax"
