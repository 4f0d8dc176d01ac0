"""Bucketing and feature crosses as layers: `Discretization` and `HashedCrossing`
(Keras's preprocessing layers), pure JAX so they run inside the compiled step.

`Discretization` turns numbers into bucket indices (``np.digitize``: bucket i
holds ``boundaries[i-1] <= x < boundaries[i]``), from given `bin_boundaries`
or from quantiles of the training data (`adapt` with `num_bins`).
`HashedCrossing` maps a pair (or more) of integer categories to one of
`num_bins` buckets by hashing, the "feature cross" of the ML Crash Course.

Example:
    >>> import numpy as np
    >>> Discretization(bin_boundaries=[0.0, 1.0])(np.array([-0.5, 0.0, 0.5, 2.0])).tolist()
    [0, 1, 1, 2]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..._validation import check_one_of, check_positive_int
from ...layers._base import Layer
from ._base import iter_batches

__all__ = ["Discretization", "HashedCrossing"]

_MODES = ["int", "one_hot", "multi_hot", "count"]


def _encode(indices: jax.Array, depth: int, output_mode: str) -> jax.Array:
    """int indices -> Keras's output modes (one_hot: a trailing axis of size 1 is replaced)."""
    if output_mode == "int":
        return indices
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = indices[..., 0]
        return jax.nn.one_hot(indices, depth, dtype=jnp.float32)
    hot = jax.nn.one_hot(indices if indices.ndim > 1 else indices[:, None], depth, dtype=jnp.float32).sum(-2)
    return hot if output_mode == "count" else jnp.minimum(hot, 1.0)


def _encoded_shape(input_shape: tuple, depth: int, output_mode: str) -> tuple:
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if output_mode == "one_hot":
        base = input_shape[:-1] if len(input_shape) > 1 and input_shape[-1] == 1 else input_shape
        return base + (depth,)
    return (input_shape[0], depth)


class Discretization(Layer):
    """Bucket numbers into integer indices (Keras `layers.Discretization`).

    Args:
        bin_boundaries: sorted boundaries; ``len + 1`` buckets. Or leave it out and
            give `num_bins`, then call `adapt(data)`.
        num_bins: buckets for `adapt`: boundaries at the ``1/num_bins, 2/num_bins, ...``
            quantiles of the data (exact quantiles; Keras computes approximate ones
            within `epsilon`, so adapted boundaries may differ slightly).
        epsilon: accepted for Keras compatibility.
        output_mode: "int" (default), "one_hot", "multi_hot" or "count".

    Shapes: ``(N, ...)`` numbers -> int32 ``(N, ...)`` ("int"), ``(N, buckets)``
    ("one_hot" of ``(N,)`` / ``(N, 1)``; "multi_hot", "count").

    Raises:
        ValueError: neither or both of `bin_boundaries` / `num_bins`; unsorted
            boundaries; use before `adapt` when only `num_bins` was given.

    Example:
        >>> import numpy as np
        >>> d = Discretization(num_bins=4)
        >>> d.adapt(np.arange(100.0))
        >>> d.bin_boundaries
        [24.75, 49.5, 74.25]
    """

    autocast = True

    def __init__(self, bin_boundaries: Any = None, num_bins: int | None = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if (bin_boundaries is None) == (num_bins is None):
            raise ValueError(
                f"Discretization needs exactly one of `bin_boundaries` (then no adapt) or `num_bins` (then call "
                f"adapt(data)); received bin_boundaries={bin_boundaries!r}, num_bins={num_bins!r}."
            )
        if sparse:
            raise ValueError("`sparse=True` is not supported: trainlab arrays are dense. Pass sparse=False.")
        self.output_mode = check_one_of("output_mode", output_mode, _MODES)
        self.num_bins = None if num_bins is None else check_positive_int("num_bins", num_bins)
        self.epsilon = float(epsilon)
        self.bin_boundaries = None if bin_boundaries is None else self._check_boundaries(bin_boundaries)

    @staticmethod
    def _check_boundaries(boundaries: Any) -> list[float]:
        values = [float(b) for b in np.asarray(boundaries, np.float64).reshape(-1)]
        if any(b > a for b, a in zip(values, values[1:])):
            raise ValueError(f"`bin_boundaries` must be sorted in increasing order; received {values}.")
        return values

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Set `bin_boundaries` to the quantiles of `data` (array, DataFrame column, `Dataset`)."""
        if self.num_bins is None:
            raise ValueError(
                "This Discretization was given `bin_boundaries`, so it has nothing to adapt; give "
                "`num_bins` instead of `bin_boundaries` to learn the boundaries from data."
            )
        batches, _ = iter_batches(data, self, batch_size=batch_size, steps=steps)
        values = np.concatenate([np.asarray(b, np.float64).reshape(-1) for b in batches])
        values = values[np.isfinite(values)]
        if values.size == 0:
            raise ValueError("Discretization.adapt() received no finite values.")
        quantiles = np.linspace(0.0, 1.0, self.num_bins + 1)[1:-1]
        self.bin_boundaries = [float(q) for q in np.quantile(values, quantiles)]

    @property
    def depth(self) -> int:
        """Number of buckets: ``len(bin_boundaries) + 1``."""
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else int(self.num_bins)

    def call(self, inputs: jax.Array) -> jax.Array:
        if self.bin_boundaries is None:
            raise ValueError(
                f"Layer {self.name!r} (Discretization) has no bin boundaries yet: call {self.name}.adapt(x_train) "
                f"first, or pass `bin_boundaries=`."
            )
        boundaries = jnp.asarray(self.bin_boundaries, jnp.float32)
        indices = jnp.searchsorted(boundaries, inputs, side="right").astype(jnp.int32)
        return _encode(indices, self.depth, self.output_mode)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return _encoded_shape(input_shape, self.depth, self.output_mode)

    def _output_dtype(self, inputs: Any) -> Any:
        return "int32" if self.output_mode == "int" else "float32"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": None if self.bin_boundaries is not None else self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode}


def _mix32(h: jax.Array) -> jax.Array:
    """MurmurHash3's 32-bit finalizer (a bijection of uint32 with good avalanche)."""
    h = h ^ (h >> 16)
    h = h * jnp.uint32(0x85EBCA6B)
    h = h ^ (h >> 13)
    h = h * jnp.uint32(0xC2B2AE35)
    return h ^ (h >> 16)


class HashedCrossing(Layer):
    """Cross two or more integer features into `num_bins` buckets by hashing (Keras
    `layers.HashedCrossing`), e.g. a latitude bucket times a longitude bucket.

    Call it on a tuple of integer arrays of the same shape ``(N,)`` or ``(N, 1)``:
    ``HashedCrossing(num_bins=100)((lat_bucket, lon_bucket))``. Equal tuples always
    land in the same bucket; different tuples collide with probability about
    ``1 / num_bins``. The hash is MurmurHash3's mixer on 32-bit integers, so bucket
    numbers differ from Keras' (FarmHash of the values as strings); a trained model
    is only consistent with itself, which is what matters.

    Args:
        num_bins: number of buckets.
        output_mode: "int" (default) or "one_hot" (``(N, num_bins)``).

    Raises:
        ValueError: fewer than two inputs, inputs of different shapes, or strings
            (map strings to integers first with `StringLookup`).

    Example:
        >>> import numpy as np
        >>> cross = HashedCrossing(num_bins=8)
        >>> out = cross((np.array([1, 1, 2]), np.array([5, 5, 5])))
        >>> bool(out[0] == out[1]), out.shape
        (True, (3,))
    """

    autocast = False

    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.num_bins = check_positive_int("num_bins", num_bins)
        self.output_mode = check_one_of("output_mode", output_mode, ["int", "one_hot"])
        if sparse:
            raise ValueError("`sparse=True` is not supported: trainlab arrays are dense. Pass sparse=False.")

    def _check(self, shapes: Any) -> list[tuple]:
        if not isinstance(shapes, (list, tuple)) or len(shapes) < 2 or not all(isinstance(s, tuple) for s in shapes):
            raise ValueError(
                f"Layer {self.name!r} (HashedCrossing) must be called on a tuple of at least two feature arrays, "
                f"e.g. cross((a, b)); received inputs of shape(s) {shapes}."
            )
        if len({tuple(s[1:]) for s in shapes}) != 1:
            raise ValueError(
                f"Layer {self.name!r} (HashedCrossing) needs inputs of one shape; received shapes {list(shapes)}."
            )
        return list(shapes)

    def call(self, inputs: Any) -> jax.Array:
        self._check([tuple(getattr(a, "shape", ())) for a in inputs] if isinstance(inputs, (list, tuple)) else inputs)
        h = jnp.uint32(0x9E3779B9)
        for a in inputs:
            a = jnp.asarray(a)
            if not (jnp.issubdtype(a.dtype, jnp.integer) or jnp.issubdtype(a.dtype, jnp.floating)):
                raise ValueError(
                    f"Layer {self.name!r} (HashedCrossing) takes integer features; received dtype {a.dtype}. "
                    f"Map strings to integers first with tl.layers.StringLookup."
                )
            if jnp.issubdtype(a.dtype, jnp.floating):
                a = jnp.round(a)
            value = _mix32(a.astype(jnp.int32).astype(jnp.uint32))
            h = _mix32(h ^ (value + jnp.uint32(0x9E3779B9) + (h << 6) + (h >> 2)))
        indices = (h % jnp.uint32(self.num_bins)).astype(jnp.int32)
        return _encode(indices, self.num_bins, self.output_mode)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = self._check(input_shape)
        return _encoded_shape(shapes[0], self.num_bins, self.output_mode)

    def _output_dtype(self, inputs: Any) -> Any:
        return "int32" if self.output_mode == "int" else "float32"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_bins": self.num_bins, "output_mode": self.output_mode}
