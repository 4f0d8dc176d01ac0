"""Global pooling over the steps of a sequence (1-D). Image pooling arrives with
the convolution layers."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .._validation import check_one_of
from ._base import Layer

__all__ = ["GlobalAveragePooling1D", "GlobalMaxPooling1D"]


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
