"""Activation layers with their own arguments (Keras names): `Softmax`, `ReLU`, `LeakyReLU`.

`Activation("softmax")` covers the plain case; these layers take options
(`axis`, `max_value`, `negative_slope`) as in ``keras.layers``. A `Softmax`
over the last axis at the end of a model is, like ``Dense(activation="softmax")``,
folded into the cross-entropy loss for a stable gradient.

Example:
    >>> import jax.numpy as jnp
    >>> Softmax()(jnp.array([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .. import activations as _activations
from .._validation import check_finite_number, check_nonnegative
from ._base import Layer

__all__ = ["Softmax", "ReLU", "LeakyReLU"]


class Softmax(Layer):
    """``exp(x) / sum(exp(x))`` along `axis` (Keras `layers.Softmax`).

    Args:
        axis: axis (or tuple of axes) to normalize over; default -1.

    Input ``(N, ..., C)`` -> output of the same shape; `mask` (True = keep)
    gives masked positions probability 0, as Keras does.

    Example:
        >>> import jax.numpy as jnp
        >>> Softmax()(jnp.log(jnp.array([[1.0, 3.0]]))).round(4).tolist()
        [[0.25, 0.75]]
    """

    supports_masking = True

    def __init__(self, axis: int | tuple[int, ...] = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else tuple(int(a) for a in axis)
        if self.axis == -1:  # the model may defer it into the loss (logits), as Dense(activation="softmax")
            self.activation = _activations.softmax

    def call(self, inputs: jax.Array, mask: Any = None) -> jax.Array:
        if mask is not None:
            inputs = jnp.where(jnp.asarray(mask, bool), inputs, -1e9)
        if self.axis == -1:
            return self.activate(inputs)
        return jax.nn.softmax(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class ReLU(Layer):
    """Rectified linear unit with Keras' options: ``x`` above `threshold` (capped at
    `max_value`), ``negative_slope * (x - threshold)`` below it.

    Example:
        >>> import jax.numpy as jnp
        >>> ReLU(max_value=6.0)(jnp.array([-1.0, 3.0, 9.0])).tolist()
        [0.0, 3.0, 6.0]
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.max_value = None if max_value is None else check_nonnegative("max_value", max_value)
        self.negative_slope = check_nonnegative("negative_slope", negative_slope)
        self.threshold = check_finite_number("threshold", threshold)

    def call(self, inputs: jax.Array) -> jax.Array:
        below = self.negative_slope * (inputs - self.threshold) if self.negative_slope else jnp.zeros_like(inputs)
        out = jnp.where(inputs >= self.threshold, inputs, below)
        return out if self.max_value is None else jnp.minimum(out, self.max_value)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(Layer):
    """``x`` for x >= 0, ``negative_slope * x`` below (Keras 3 default 0.3; tf.keras 2's
    `alpha=` is accepted as the same argument).

    Example:
        >>> import jax.numpy as jnp
        >>> LeakyReLU(negative_slope=0.5)(jnp.array([-2.0, 2.0])).tolist()
        [-1.0, 2.0]
    """

    def __init__(self, negative_slope: float = 0.3, alpha: float | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.negative_slope = check_nonnegative("negative_slope", negative_slope if alpha is None else alpha)

    def call(self, inputs: jax.Array) -> jax.Array:
        return jnp.where(inputs >= 0, inputs, self.negative_slope * inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}
