"""Keras' input-rank adjustment: a rank-1 array fed to an input declared ``(None, 1)``.

Course programs declare ``input_shape=(1,)`` or ``Input(shape=(1,))`` and pass
a 1-D array (or a DataFrame column, or a dict of 1-D columns); Keras 3 expands
such an input to ``(N, 1)``, and squeezes a trailing axis of size 1 when the
declared shape has one axis less (``Functional._adjust_input_rank``). trainlab
does the same, per input, on the host data and inside `Model.apply`.

Example:
    >>> import numpy as np
    >>> adjust_rank(np.zeros(5), (None, 1)).shape
    (5, 1)
    >>> adjust_shape((None,), (None, 1))
    (None, 1)
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

__all__ = ["adjust_rank", "adjust_shape", "adjust_inputs"]


def _is_shape(s: Any) -> bool:
    return isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def adjust_shape(shape: tuple, expected: tuple | None) -> tuple:
    """`shape` as the model will see it after the rank adjustment (batch dimension first)."""
    if not _is_shape(shape) or not _is_shape(expected):
        return shape
    if len(shape) + 1 == len(expected) and expected[-1] == 1:
        return tuple(shape) + (1,)
    if len(shape) == len(expected) + 1 and len(expected) >= 1 and shape[-1] == 1:
        return tuple(shape[:-1])
    return shape


def adjust_rank(x: Any, expected: tuple | None) -> Any:
    """Expand ``(N, ...)`` to ``(N, ..., 1)`` or squeeze the last axis of size 1 so that
    `x` has the rank of `expected`; `x` is returned unchanged otherwise (numpy stays
    numpy, JAX stays JAX)."""
    shape = getattr(x, "shape", None)
    if shape is None or not _is_shape(expected):
        return x
    new = adjust_shape(tuple(shape), expected)
    if len(new) == len(shape):
        return x
    xp = np if isinstance(x, np.ndarray) else jnp
    return xp.expand_dims(x, -1) if len(new) > len(shape) else xp.squeeze(x, -1)


def adjust_inputs(x: Any, expected: Any, names: list[str] | None = None) -> Any:
    """Apply `adjust_rank` to each input of `x` (an array, a list, or a dict keyed by
    `names`) against the matching shape of `expected` (a shape, or a list of shapes
    in the order of `names`)."""
    if expected is None:
        return x
    if _is_shape(expected):
        if isinstance(x, (list, tuple)) and len(x) == 1:
            return type(x)([adjust_rank(x[0], expected)])
        return adjust_rank(x, expected)
    if isinstance(expected, dict):
        if isinstance(x, dict):
            return {k: adjust_rank(v, expected.get(k)) for k, v in x.items()}
        return x
    expected = list(expected)
    if isinstance(x, dict) and names is not None:
        by_name = dict(zip(names, expected))
        return {k: adjust_rank(v, by_name.get(k)) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and len(x) == len(expected):
        return type(x)(adjust_rank(v, e) for v, e in zip(x, expected))
    if len(expected) == 1:
        return adjust_rank(x, expected[0])
    return x
