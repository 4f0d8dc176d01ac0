"""Max and average pooling for channels-last arrays.

With the ``"patches"`` implementation (default on CPU):

* where the window tiles the input (``strides == pool_size``, the usual
  ``MaxPooling2D(2)``), the input is padded or cropped to a multiple of the
  window and **reshaped** to ``(N, out, k, out, k, C)``; the pool is a ``max``
  (or ``sum``) over the window axes. Its gradient is an elementwise
  compare-and-select, not XLA's slow ``select_and_scatter``;
* otherwise (overlapping windows) it is an elementwise max (sum) over one
  shifted strided slice per window offset.

With ``"lax"`` it is ``jax.lax.reduce_window``. Both give the same values and,
except where several elements of a window tie for the maximum, the same
gradients: at ties ``"patches"`` splits the gradient evenly between the tied
elements, ``reduce_window`` gives it to one of them (both are valid
subgradients; after a ReLU, tied zeros receive no gradient either way).

Average pooling with ``padding="same"`` divides by the number of real (not
padded) elements in each window, as Keras and TensorFlow do.

Example:
    >>> import jax.numpy as jnp
    >>> x = jnp.arange(16.0).reshape(1, 4, 4, 1)
    >>> max_pool(x, 2)[0, :, :, 0].tolist()
    [[5.0, 7.0], [13.0, 15.0]]
"""

from __future__ import annotations

import functools
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ._config import resolve_implementation
from ._geometry import conv_output_size, normalize_padding, normalize_tuple, padding_pairs
from .conv import _rank, _shifted_slices

__all__ = ["max_pool", "avg_pool"]


def _setup(x, pool_size, strides, padding):
    rank = _rank(x)
    window = normalize_tuple(pool_size, rank, "pool_size")
    strides = window if strides is None else normalize_tuple(strides, rank, "strides")
    padding = normalize_padding(padding, rank)
    if not isinstance(padding, str):
        raise ValueError(f"`padding` of a pooling op must be 'valid' or 'same'; received {padding!r}.")
    sizes = x.shape[1:-1]
    ones = (1,) * rank
    pads = padding_pairs(sizes, window, strides, ones, padding)
    out = tuple(conv_output_size(n, k, s, 1, tuple(pads), i) for i, (n, k, s) in enumerate(zip(sizes, window, strides)))
    if any(o < 1 for o in out):
        raise ValueError(
            f"`pool_size` {window} is larger than the input's spatial shape {tuple(sizes)} with padding "
            f"{padding!r}. Use padding='same' or a smaller pool_size."
        )
    return rank, window, strides, padding, pads, out


def _tiled(x, window, pads, out, fill, reduce):
    """Pool where stride == window: pad/crop to out*k, reshape, reduce the window axes."""
    config = [(0, 0, 0)] + [(lo, o * k - n - lo, 0) for (lo, _), o, k, n in zip(pads, out, window, x.shape[1:-1])] + [(0, 0, 0)]
    if any(c[0] or c[1] for c in config):
        x = lax.pad(x, jnp.asarray(fill, x.dtype), config)  # negative high padding crops (valid)
    shape = [x.shape[0]]
    for o, k in zip(out, window):
        shape += [o, k]
    x = x.reshape(shape + [x.shape[-1]])
    return reduce(x, axis=tuple(range(2, 2 * len(window) + 1, 2)))


def _reduce_window(x, init, op, window, strides, pads):
    return lax.reduce_window(x, init, op, (1, *window, 1), (1, *strides, 1),
                             [(0, 0)] + list(pads) + [(0, 0)])


def max_pool(x: jax.Array, pool_size: Any, strides: Any = None, padding: str = "valid", *,
             implementation: str | None = None) -> jax.Array:
    """Maximum over each window.

    Args:
        x: ``(N, *spatial, C)`` with 1 to 3 spatial axes.
        pool_size: int or one int per spatial axis.
        strides: defaults to `pool_size`.
        padding: "valid" or "same".
        implementation: "patches", "lax", "auto" or None (the global setting).

    Returns:
        ``(N, *out, C)``.
    """
    rank, window, strides, padding, pads, out = _setup(x, pool_size, strides, padding)
    return _max_pool(x, window, strides, tuple(pads), out, resolve_implementation(implementation))


@functools.partial(jax.jit, static_argnums=(1, 2, 3, 4, 5))
def _max_pool(x, window, strides, pads, out, implementation):
    rank = len(window)
    if implementation == "lax":
        return _reduce_window(x, -np.inf, lax.max, window, strides, pads)
    if window == strides:
        return _tiled(x, window, pads, out, -jnp.inf, jnp.max)
    views = _shifted_slices(x, window, strides, (1,) * rank, pads, out, fill=-jnp.inf)
    return functools.reduce(jnp.maximum, views)


@functools.lru_cache(maxsize=64)
def _window_counts(sizes, window, strides, pads, out):
    """Number of real (unpadded) elements in each window, shape ``out`` (numpy)."""
    counts = np.ones((), np.float32)
    for n, k, s, (lo, _), o in zip(sizes, window, strides, pads, out):
        starts = np.arange(o) * s - lo
        c = np.minimum(starts + k, n) - np.maximum(starts, 0)
        counts = np.multiply.outer(counts, c.astype(np.float32))
    return counts


def avg_pool(x: jax.Array, pool_size: Any, strides: Any = None, padding: str = "valid", *,
             implementation: str | None = None) -> jax.Array:
    """Mean over each window ("same": over the real elements only, as Keras).

    Args and returns as `max_pool`.

    Example:
        >>> import jax.numpy as jnp
        >>> avg_pool(jnp.ones((1, 3, 3, 1)), 2, padding="same")[0, :, :, 0].tolist()
        [[1.0, 1.0], [1.0, 1.0]]
    """
    rank, window, strides, padding, pads, out = _setup(x, pool_size, strides, padding)
    return _avg_pool(x, window, strides, padding, tuple(pads), out, resolve_implementation(implementation))


@functools.partial(jax.jit, static_argnums=(1, 2, 3, 4, 5, 6))
def _avg_pool(x, window, strides, padding, pads, out, implementation):
    rank = len(window)
    if implementation == "lax":
        total = _reduce_window(x, 0.0, lax.add, window, strides, pads)
    elif window == strides:
        total = _tiled(x, window, pads, out, 0.0, jnp.sum)
    else:
        total = sum(_shifted_slices(x, window, strides, (1,) * rank, pads, out))
    if padding == "valid":
        return total / math.prod(window)
    counts = _window_counts(tuple(x.shape[1:-1]), window, strides, tuple(pads), out)
    return total / jnp.asarray(counts[..., None], x.dtype)
