"""Pooling layers (Keras names and defaults): MaxPooling1D/2D,
AveragePooling1D/2D, GlobalAveragePooling1D/2D, GlobalMaxPooling1D/2D.

Windowed pooling runs on `trainlab.ops.max_pool` / `avg_pool`: on CPU, a
window that tiles the input (the usual ``MaxPooling2D(2)``) is a reshape and a
max, whose gradient is a cheap compare-and-select instead of XLA's
``select_and_scatter``; ``implementation=`` overrides the choice per layer.

Example:
    >>> import jax.numpy as jnp
    >>> MaxPooling2D(2)(jnp.ones((2, 28, 28, 32))).shape
    (2, 14, 14, 32)
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import ops
from .._validation import check_one_of
from ..ops._config import check_implementation
from ..ops._geometry import conv_output_size, normalize_padding, normalize_tuple
from ._base import Layer
from ._spatial import SpatialMixin, normalize_data_format

__all__ = [
    "MaxPooling1D",
    "MaxPooling2D",
    "AveragePooling1D",
    "AveragePooling2D",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling2D",
]


class _Pooling(SpatialMixin, Layer):
    """Windowed pooling over `rank` spatial axes (not public)."""

    rank = 2
    _op = staticmethod(ops.max_pool)

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, implementation: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides")
        if not isinstance(padding, str):
            raise ValueError(f"`padding` of {type(self).__name__} must be 'valid' or 'same'; received {padding!r}.")
        self.padding = normalize_padding(padding, self.rank)
        self.data_format = normalize_data_format(data_format)
        self.implementation = check_implementation(implementation)

    def build(self, input_shape):
        self.check_input_shape(input_shape)

    def check_input_shape(self, input_shape):
        self._check_rank(input_shape)
        self._check_window_fits(input_shape, self.pool_size, (1,) * self.rank, self.padding, what="pool_size")

    def call(self, inputs):
        x = self._to_channels_last(inputs)
        y = type(self)._op(x, self.pool_size, self.strides, self.padding, implementation=self.implementation)
        return self._from_channels_last(y)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        sizes = tuple(conv_output_size(n, k, s, 1, self.padding)
                      for n, k, s in zip(self._spatial_sizes(input_shape), self.pool_size, self.strides))
        return self._with_spatial(input_shape, sizes, self._channels(input_shape))

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format, "implementation": self.implementation}


class MaxPooling1D(_Pooling):
    """Maximum over windows of steps: ``(N, steps, C) -> (N, steps', C)``.

    Args: `pool_size` (default 2), `strides` (default `pool_size`), `padding`
    ("valid" or "same"), `data_format`, `implementation` (see `MaxPooling2D`).

    Example:
        >>> import jax.numpy as jnp
        >>> MaxPooling1D()(jnp.ones((2, 10, 3))).shape
        (2, 5, 3)
    """

    rank = 1


class MaxPooling2D(_Pooling):
    """Maximum over each ``pool_size`` window: ``(N, H, W, C) -> (N, H', W', C)``.

    Args:
        pool_size: int or (ph, pw); default (2, 2).
        strides: default `pool_size` (non-overlapping windows).
        padding: "valid" (drop the remainder) or "same" (output ``ceil(H / stride)``).
        data_format: "channels_last" (default) or "channels_first".
        implementation: None (global setting), "auto", "patches" or "lax".

    Example:
        >>> import jax.numpy as jnp
        >>> MaxPooling2D(pool_size=3, strides=2, padding="same")(jnp.ones((1, 15, 15, 8))).shape
        (1, 8, 8, 8)
    """

    rank = 2


class AveragePooling1D(_Pooling):
    """Mean over windows of steps (see `AveragePooling2D`)."""

    rank = 1
    _op = staticmethod(ops.avg_pool)


class AveragePooling2D(_Pooling):
    """Mean over each ``pool_size`` window; with ``padding="same"``, border windows
    average only their real (unpadded) elements, as in Keras.

    Example:
        >>> import jax.numpy as jnp
        >>> AveragePooling2D(2)(jnp.ones((1, 4, 4, 1))).shape
        (1, 2, 2, 1)
    """

    rank = 2
    _op = staticmethod(ops.avg_pool)


class _GlobalPooling1D(Layer):
    supports_masking = True

    def __init__(self, data_format: str = "channels_last", keepdims: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = check_one_of("data_format", data_format or "channels_last", ["channels_last", "channels_first"])
        self.keepdims = bool(keepdims)

    @property
    def _steps_axis(self) -> int:
        return 1 if self.data_format == "channels_last" else 2

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) expects 3-D inputs (batch, steps, features); "
                f"received input shape {tuple(input_shape)}."
            )

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if self.keepdims:
            shape[self._steps_axis] = 1
        else:
            del shape[self._steps_axis]
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling1D):
    """Average over the steps axis: ``(N, T, C) -> (N, C)``. With a mask (from
    ``Embedding(mask_zero=True)``), padded steps are left out of the average.

    Example:
        >>> import jax.numpy as jnp
        >>> GlobalAveragePooling1D()(jnp.ones((2, 5, 3))).shape
        (2, 3)
    """

    def call(self, inputs, mask=None):
        axis = self._steps_axis
        if mask is None:
            return jnp.mean(inputs, axis=axis, keepdims=self.keepdims)
        m = mask.astype(inputs.dtype)
        m = m[:, :, None] if axis == 1 else m[:, None, :]
        total = jnp.sum(inputs * m, axis=axis, keepdims=self.keepdims)
        count = jnp.maximum(jnp.sum(m, axis=axis, keepdims=self.keepdims), 1.0)
        return total / count


class GlobalMaxPooling1D(_GlobalPooling1D):
    """Maximum over the steps axis: ``(N, T, C) -> (N, C)``."""

    def call(self, inputs):
        return jnp.max(inputs, axis=self._steps_axis, keepdims=self.keepdims)


class _GlobalPooling2D(SpatialMixin, Layer):
    rank = 2

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.keepdims = bool(keepdims)

    @property
    def _axes(self) -> tuple[int, int]:
        return (1, 2) if self._channels_last else (2, 3)

    def build(self, input_shape):
        self._check_rank(input_shape)

    def check_input_shape(self, input_shape):
        self._check_rank(input_shape)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        if self.keepdims:
            return self._with_spatial(input_shape, (1, 1), self._channels(input_shape))
        return (input_shape[0], self._channels(input_shape))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPooling2D):
    """Average over height and width: ``(N, H, W, C) -> (N, C)`` (``keepdims``:
    ``(N, 1, 1, C)``). The usual head of a modern CNN, instead of Flatten.

    Example:
        >>> import jax.numpy as jnp
        >>> GlobalAveragePooling2D()(jnp.ones((2, 7, 7, 64))).shape
        (2, 64)
    """

    def call(self, inputs):
        return jnp.mean(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalMaxPooling2D(_GlobalPooling2D):
    """Maximum over height and width: ``(N, H, W, C) -> (N, C)``.

    Example:
        >>> import jax.numpy as jnp
        >>> GlobalMaxPooling2D(keepdims=True)(jnp.ones((2, 7, 7, 64))).shape
        (2, 1, 1, 64)
    """

    def call(self, inputs):
        return jnp.max(inputs, axis=self._axes, keepdims=self.keepdims)
