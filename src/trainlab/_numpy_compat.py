"""`.numpy()` on JAX arrays, as on TensorFlow's eager tensors (level 0.5).

tf.keras course code ends many lines with ``.numpy()``: ``model(x).numpy()``,
``layer(x).numpy()``, ``metric.result().numpy()``, ``norm.mean.numpy()``,
``tf.constant([...]).numpy()``. JAX arrays have no such method (``np.asarray(a)``
is the JAX way), so trainlab adds one to JAX's concrete array type when it is
imported: ``a.numpy()`` returns ``np.asarray(a)``, a host copy. Nothing else of
JAX changes; if JAX ever defines ``numpy`` itself, its own method is kept.

Inside ``jax.jit`` / ``jax.grad`` arrays are abstract tracers without values;
``.numpy()`` on one raises a TypeError that says so, instead of JAX's
AttributeError.

Example:
    >>> import jax.numpy as jnp
    >>> import trainlab  # noqa: F401
    >>> jnp.arange(3).numpy()
    array([0, 1, 2], dtype=int32)
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

__all__ = ["install"]


def _numpy(self: Any) -> np.ndarray:
    """A numpy copy of this array (TensorFlow's ``Tensor.numpy()``)."""
    return np.asarray(self)


def _tracer_numpy(self: Any) -> np.ndarray:
    raise TypeError(
        "`.numpy()` was called on a traced array inside jax.jit, jax.grad or a compiled train step, where "
        "values are not known yet. Call it on the result outside the traced function, or use jnp/tl.ops "
        "operations inside it."
    )


def install() -> None:
    """Give JAX's concrete array type (and tracers, with a clear error) a ``numpy()`` method."""
    array_type = type(jax.numpy.zeros(()))
    if not hasattr(array_type, "numpy"):
        array_type.numpy = _numpy
    tracer = jax.core.Tracer
    if not hasattr(tracer, "numpy"):
        tracer.numpy = _tracer_numpy


install()
