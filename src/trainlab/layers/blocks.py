"""Reusable convolution blocks for efficient CNNs (the course's "efficient
models" chapter): `MobileNetBlock` (depthwise separable) and `ConvBlock`
(its plain counterpart), each with BatchNorm and an activation.

A 3x3 `Conv2D` from C to F channels has ``9 * C * F`` weights and costs that
many multiplies per pixel. The MobileNet block factorises it into a 3x3
`DepthwiseConv2D` (``9 * C``: one filter per channel, spatial mixing only)
and a 1x1 `Conv2D` (``C * F``: channel mixing only), about ``1/F + 1/9`` of
the cost (Howard et al., 2017, "MobileNets").

Example:
    >>> import jax.numpy as jnp
    >>> block = MobileNetBlock(64, strides=2)
    >>> block(jnp.ones((2, 16, 16, 32))).shape
    (2, 8, 8, 64)
"""

from __future__ import annotations

from typing import Any

from .. import activations as _activations
from .. import regularizers as _regularizers
from ..ops._geometry import normalize_tuple
from ._base import Layer
from .convolutional import Conv2D, DepthwiseConv2D
from .core import Activation
from .normalization import BatchNormalization

__all__ = ["MobileNetBlock", "ConvBlock"]


class _Block(Layer):
    """A fixed chain of sublayers with stable names (so saved weights load back)."""

    def _chain(self) -> list[Layer]:
        raise NotImplementedError

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._chain():
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
            layer._output_shape = shape

    def call(self, inputs, training=False):
        x = inputs
        for layer in self._chain():
            x = layer(x, training=training) if isinstance(layer, BatchNormalization) else layer(x)
        return x

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._chain():
            shape = layer.compute_output_shape(shape)
        return shape


class MobileNetBlock(_Block):
    """Depthwise separable block: DepthwiseConv2D(3x3) -> BatchNorm -> ReLU ->
    Conv2D(1x1, filters) -> BatchNorm -> ReLU (MobileNet v1's building block).

    Args:
        filters: output channels of the pointwise (1x1) convolution.
        strides: stride of the depthwise convolution (2 halves the resolution).
        kernel_size: depthwise window, default 3.
        depth_multiplier: depthwise filters per input channel.
        activation: default "relu" (MobileNet uses "relu6").
        momentum, epsilon: BatchNormalization arguments (Keras defaults 0.99, 1e-3).
        kernel_regularizer: applied to both convolution kernels.
        implementation: convolution kernel formulation (see `trainlab.ops`).

    Input ``(N, H, W, C)`` -> output ``(N, ceil(H / strides), ceil(W / strides), filters)``.

    Example:
        >>> import jax.numpy as jnp
        >>> MobileNetBlock(32)(jnp.ones((1, 8, 8, 16))).shape
        (1, 8, 8, 32)
    """

    def __init__(self, filters: int, strides: Any = 1, kernel_size: Any = 3, depth_multiplier: int = 1,
                 activation: Any = "relu", momentum: float = 0.99, epsilon: float = 1e-3,
                 kernel_regularizer: Any = None, implementation: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.strides = normalize_tuple(strides, 2, "strides")
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.depth_multiplier = int(depth_multiplier)
        self.activation = _activations.get(activation)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer, "kernel_regularizer")
        self.implementation = implementation
        self.depthwise = DepthwiseConv2D(self.kernel_size, self.strides, padding="same",
                                         depth_multiplier=self.depth_multiplier, use_bias=False,
                                         depthwise_regularizer=self.kernel_regularizer,
                                         implementation=implementation, name="depthwise")
        self.depthwise_bn = BatchNormalization(momentum=momentum, epsilon=epsilon, name="depthwise_bn")
        self.depthwise_act = Activation(activation, name="depthwise_act")
        self.pointwise = Conv2D(self.filters, 1, use_bias=False, kernel_regularizer=self.kernel_regularizer,
                                implementation=implementation, name="pointwise")
        self.pointwise_bn = BatchNormalization(momentum=momentum, epsilon=epsilon, name="pointwise_bn")
        self.pointwise_act = Activation(activation, name="pointwise_act")

    def _chain(self):
        return [self.depthwise, self.depthwise_bn, self.depthwise_act,
                self.pointwise, self.pointwise_bn, self.pointwise_act]

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "strides": list(self.strides),
                "kernel_size": list(self.kernel_size), "depth_multiplier": self.depth_multiplier,
                "activation": _activations.serialize(self.activation), "momentum": self.momentum,
                "epsilon": self.epsilon, "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "implementation": self.implementation}


class ConvBlock(_Block):
    """Plain block: Conv2D(kernel_size, filters, padding="same", no bias) ->
    BatchNorm -> ReLU. The baseline a `MobileNetBlock` replaces.

    Example:
        >>> import jax.numpy as jnp
        >>> ConvBlock(32, strides=2)(jnp.ones((1, 8, 8, 16))).shape
        (1, 4, 4, 32)
    """

    def __init__(self, filters: int, kernel_size: Any = 3, strides: Any = 1, activation: Any = "relu",
                 momentum: float = 0.99, epsilon: float = 1e-3, kernel_regularizer: Any = None,
                 implementation: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.activation = _activations.get(activation)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer, "kernel_regularizer")
        self.implementation = implementation
        self.conv = Conv2D(self.filters, self.kernel_size, self.strides, padding="same", use_bias=False,
                           kernel_regularizer=self.kernel_regularizer, implementation=implementation, name="conv")
        self.bn = BatchNormalization(momentum=momentum, epsilon=epsilon, name="bn")
        self.act = Activation(activation, name="act")

    def _chain(self):
        return [self.conv, self.bn, self.act]

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "activation": _activations.serialize(self.activation),
                "momentum": self.momentum, "epsilon": self.epsilon,
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "implementation": self.implementation}
