"""Keras 3's `keras.ops` names on jax.numpy: what course code writes as ``tf.<op>``.

Every function here has the name, argument order and defaults of ``keras.ops``
(numpy-like ops, math, and the `keras.ops.nn` functions Keras exposes at the top
level), so a tf.keras line such as ``tf.expand_dims(x, 1)`` or
``tf.nn.softmax(logits)`` becomes ``tl.ops.expand_dims(x, 1)`` /
``tl.ops.softmax(logits)``. Results are JAX arrays (``.numpy()`` works, see
`trainlab._numpy_compat`); Python numbers become float32 / int32 as in Keras.

Where jax.numpy already has Keras' signature the function *is* jax.numpy's
(``exp``, ``matmul``, ``concatenate``, ``linspace``, ...). Reductions are
wrapped, because Keras' third positional argument is `keepdims` while numpy's
is `dtype` / `out`: ``tl.ops.sum(x, 1, True)`` keeps the axis as in Keras.

Example:
    >>> import trainlab as tl
    >>> tl.ops.softmax(tl.ops.convert_to_tensor([[0.0, 0.0]])).numpy().tolist()
    [[0.5, 0.5]]
    >>> tl.ops.sum(tl.ops.ones((2, 3)), 1, True).shape
    (2, 1)
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

# --- same signature as jax.numpy (Keras' argument order and defaults) ---------------------------
abs = absolute = jnp.abs  # noqa: A001
add, subtract, multiply, divide, true_divide = jnp.add, jnp.subtract, jnp.multiply, jnp.divide, jnp.true_divide
negative, power, mod, floor_divide, sign = jnp.negative, jnp.power, jnp.mod, jnp.floor_divide, jnp.sign
exp, log, log1p, expm1, log2, log10 = jnp.exp, jnp.log, jnp.log1p, jnp.expm1, jnp.log2, jnp.log10
sqrt, square, floor, ceil, round = jnp.sqrt, jnp.square, jnp.floor, jnp.ceil, jnp.round  # noqa: A001
sin, cos, tan, arctan, arctan2 = jnp.sin, jnp.cos, jnp.tan, jnp.arctan, jnp.arctan2
maximum, minimum, clip, where = jnp.maximum, jnp.minimum, jnp.clip, jnp.where
equal, not_equal, greater, greater_equal, less, less_equal = (
    jnp.equal, jnp.not_equal, jnp.greater, jnp.greater_equal, jnp.less, jnp.less_equal)
logical_and, logical_or, logical_not, isnan, isinf, isfinite = (
    jnp.logical_and, jnp.logical_or, jnp.logical_not, jnp.isnan, jnp.isinf, jnp.isfinite)
matmul, dot, tensordot, einsum, outer = jnp.matmul, jnp.dot, jnp.tensordot, jnp.einsum, jnp.outer
expand_dims = jnp.expand_dims
concatenate, stack, split, tile, repeat, flip = jnp.concatenate, jnp.stack, jnp.split, jnp.tile, jnp.repeat, jnp.flip
sort, argsort, cumsum, cumprod, diag, tril, triu = jnp.sort, jnp.argsort, jnp.cumsum, jnp.cumprod, jnp.diag, jnp.tril, jnp.triu
arange, linspace, logspace, meshgrid = jnp.arange, jnp.linspace, jnp.logspace, jnp.meshgrid
zeros, ones, full, eye, identity = jnp.zeros, jnp.ones, jnp.full, jnp.eye, jnp.identity
zeros_like, ones_like, full_like = jnp.zeros_like, jnp.ones_like, jnp.full_like
tanh = jnp.tanh
norm = jnp.linalg.norm

_SAME_AS_JNP = [
    "abs", "absolute", "add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "mod",
    "floor_divide", "sign", "exp", "log", "log1p", "expm1", "log2", "log10", "sqrt", "square", "floor", "ceil",
    "round", "sin", "cos", "tan", "arctan", "arctan2", "maximum", "minimum", "clip", "where", "equal",
    "not_equal", "greater", "greater_equal", "less", "less_equal", "logical_and", "logical_or", "logical_not",
    "isnan", "isinf", "isfinite", "matmul", "dot", "tensordot", "einsum", "outer", "expand_dims",
    "concatenate", "stack", "split", "tile", "repeat", "flip", "sort", "argsort",
    "cumsum", "cumprod", "diag", "tril", "triu", "arange", "linspace", "logspace", "meshgrid", "zeros", "ones",
    "full", "eye", "identity", "zeros_like", "ones_like", "full_like", "tanh", "norm",
]

__all__ = _SAME_AS_JNP + [
    "reshape", "transpose", "squeeze",
    "sum", "mean", "max", "min", "amax", "amin", "prod", "std", "var", "any", "all", "argmax", "argmin",
    "logsumexp", "convert_to_tensor", "convert_to_numpy", "cast", "shape", "size", "ndim", "one_hot", "top_k",
    "softmax", "log_softmax", "sigmoid", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu",
    "softplus", "softsign", "hard_sigmoid",
]

Axis = int | tuple[int, ...] | None


# --- reductions: Keras order (x, axis=None, keepdims=False) -------------------------------------
def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> jax.Array:  # noqa: A001
    """Sum over `axis` (all axes by default): ``(d0, ..., dk) -> `` the other axes.

    Example:
        >>> sum(jnp.ones((2, 3)), axis=0).tolist()
        [2.0, 2.0, 2.0]
    """
    return jnp.sum(x, axis=axis, keepdims=keepdims)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> jax.Array:
    """Mean over `axis` (integers give float32, as Keras). Example: ``mean([1, 2]) -> 1.5``."""
    return jnp.mean(x, axis=axis, keepdims=keepdims)


def max(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> jax.Array:  # noqa: A001
    """Largest value over `axis` (`initial` is the result for an empty reduction)."""
    return jnp.max(x, axis=axis, keepdims=keepdims, initial=initial)


def min(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> jax.Array:  # noqa: A001
    """Smallest value over `axis`."""
    return jnp.min(x, axis=axis, keepdims=keepdims, initial=initial)


amax, amin = max, min


def prod(x: Any, axis: Axis = None, keepdims: bool = False, dtype: Any = None) -> jax.Array:
    """Product over `axis`."""
    return jnp.prod(x, axis=axis, keepdims=keepdims, dtype=dtype)


def std(x: Any, axis: Axis = None, keepdims: bool = False) -> jax.Array:
    """Population standard deviation (ddof 0, as Keras) over `axis`."""
    return jnp.std(x, axis=axis, keepdims=keepdims)


def var(x: Any, axis: Axis = None, keepdims: bool = False) -> jax.Array:
    """Population variance (ddof 0) over `axis`."""
    return jnp.var(x, axis=axis, keepdims=keepdims)


def any(x: Any, axis: Axis = None, keepdims: bool = False) -> jax.Array:  # noqa: A001
    """True where any element over `axis` is nonzero."""
    return jnp.any(x, axis=axis, keepdims=keepdims)


def all(x: Any, axis: Axis = None, keepdims: bool = False) -> jax.Array:  # noqa: A001
    """True where every element over `axis` is nonzero."""
    return jnp.all(x, axis=axis, keepdims=keepdims)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> jax.Array:
    """Index of the largest value along `axis` (flattened when None), int32."""
    return jnp.argmax(x, axis=axis, keepdims=keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> jax.Array:
    """Index of the smallest value along `axis` (flattened when None), int32."""
    return jnp.argmin(x, axis=axis, keepdims=keepdims)


def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> jax.Array:
    """``log(sum(exp(x)))`` over `axis`, computed stably."""
    return jax.nn.logsumexp(jnp.asarray(x), axis=axis, keepdims=keepdims)


# jax.numpy returns a numpy array for a numpy input here; Keras returns a tensor
def reshape(x: Any, newshape: Any) -> jax.Array:
    """`x` with shape `newshape` (one entry may be -1). Example: ``reshape(ones(6), (2, -1)).shape == (2, 3)``."""
    return jnp.reshape(jnp.asarray(x), newshape)


def transpose(x: Any, axes: Any = None) -> jax.Array:
    """Axes of `x` permuted (reversed when `axes` is None), as ``tf.transpose``."""
    return jnp.transpose(jnp.asarray(x), axes)


def squeeze(x: Any, axis: Any = None) -> jax.Array:
    """`x` without axes of size 1 (only `axis` when given)."""
    return jnp.squeeze(jnp.asarray(x), axis)


# --- core: tensors, dtypes, shapes --------------------------------------------------------------
def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None) -> jax.Array:
    """An array from `x` (list, number, numpy array); ``tf.constant(x)`` in TensorFlow.

    Python floats and float64 data become float32, ints int32 (Keras' floatx).

    Raises:
        ValueError: with ``sparse=True`` (trainlab has dense arrays only).

    Example:
        >>> convert_to_tensor([[1, 2], [3, 4]], dtype="float32").shape
        (2, 2)
    """
    if sparse:
        raise ValueError("`sparse=True` is not supported: trainlab arrays are dense. Pass sparse=None or False.")
    return jnp.asarray(x, dtype=None if dtype is None else jnp.dtype(dtype))


def convert_to_numpy(x: Any) -> np.ndarray:
    """A numpy array from `x` (``tensor.numpy()`` in TensorFlow)."""
    return np.asarray(x)


def cast(x: Any, dtype: Any) -> jax.Array:
    """`x` converted to `dtype` (``tf.cast``). Example: ``cast([1.7], "int32") -> [1]``."""
    return jnp.asarray(x).astype(jnp.dtype(dtype))


def shape(x: Any) -> tuple[int, ...]:
    """The shape of `x` as a tuple of ints (``tf.shape``)."""
    return tuple(np.shape(x))


def size(x: Any) -> int:
    """Number of elements of `x` (``tf.size``)."""
    return int(np.size(x))


def ndim(x: Any) -> int:
    """Number of axes of `x` (``tf.rank``)."""
    return int(np.ndim(x))


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False) -> jax.Array:
    """One-hot encoding of integer labels ``(N, ...) -> (N, ..., num_classes)``;
    out-of-range labels (e.g. -1) give a zero row, as Keras.

    Example:
        >>> one_hot(jnp.array([0, 2]), 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    if sparse:
        raise ValueError("`sparse=True` is not supported: trainlab arrays are dense. Pass sparse=False.")
    if not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool) or num_classes < 1:
        raise ValueError(f"`num_classes` must be a positive int; received {num_classes!r}.")
    return jax.nn.one_hot(jnp.asarray(x), int(num_classes), dtype=jnp.dtype(dtype or "float32"), axis=axis)


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[jax.Array, jax.Array]:  # noqa: A002
    """The `k` largest values along the last axis and their indices (``tf.math.top_k``)."""
    return jax.lax.top_k(jnp.asarray(x), int(k))


# --- keras.ops.nn functions exposed at the top level of keras.ops -------------------------------
def softmax(x: Any, axis: int | tuple[int, ...] = -1) -> jax.Array:
    """``exp(x) / sum(exp(x))`` along `axis` (default the last, as ``tf.nn.softmax``).

    Example:
        >>> softmax(jnp.log(jnp.array([1.0, 3.0]))).round(4).tolist()
        [0.25, 0.75]
    """
    return jax.nn.softmax(jnp.asarray(x, jnp.result_type(float)), axis=axis)


def log_softmax(x: Any, axis: int | tuple[int, ...] = -1) -> jax.Array:
    """``x - logsumexp(x)`` along `axis` (stable)."""
    return jax.nn.log_softmax(jnp.asarray(x, jnp.result_type(float)), axis=axis)


def sigmoid(x: Any) -> jax.Array:
    """``1 / (1 + exp(-x))``."""
    return jax.nn.sigmoid(jnp.asarray(x, jnp.result_type(float)))


def relu(x: Any) -> jax.Array:
    """``max(x, 0)``."""
    return jax.nn.relu(jnp.asarray(x))


def relu6(x: Any) -> jax.Array:
    """``min(max(x, 0), 6)``."""
    return jax.nn.relu6(jnp.asarray(x))


def leaky_relu(x: Any, negative_slope: float = 0.2) -> jax.Array:
    """``x`` if x >= 0 else ``negative_slope * x`` (Keras' ops default 0.2)."""
    return jax.nn.leaky_relu(jnp.asarray(x), negative_slope)


def elu(x: Any, alpha: float = 1.0) -> jax.Array:
    """``x`` if x > 0 else ``alpha * (exp(x) - 1)``."""
    return jax.nn.elu(jnp.asarray(x), alpha)


def selu(x: Any) -> jax.Array:
    """Scaled ELU (Klambauer et al.)."""
    return jax.nn.selu(jnp.asarray(x))


def gelu(x: Any, approximate: bool = True) -> jax.Array:
    """Gaussian error linear unit; the tanh approximation by default, as ``keras.ops.gelu``."""
    return jax.nn.gelu(jnp.asarray(x), approximate=approximate)


def silu(x: Any) -> jax.Array:
    """``x * sigmoid(x)`` (swish)."""
    return jax.nn.silu(jnp.asarray(x))


def softplus(x: Any) -> jax.Array:
    """``log(1 + exp(x))``, stable."""
    return jax.nn.softplus(jnp.asarray(x))


def softsign(x: Any) -> jax.Array:
    """``x / (1 + |x|)``."""
    return jax.nn.soft_sign(jnp.asarray(x))


def hard_sigmoid(x: Any) -> jax.Array:
    """``relu6(x + 3) / 6`` (Keras 3's hard sigmoid)."""
    return jax.nn.hard_sigmoid(jnp.asarray(x))


