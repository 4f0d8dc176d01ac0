"""Convolution layers (Keras names, arguments and defaults): Conv1D, Conv2D,
DepthwiseConv2D, SeparableConv2D, Conv2DTranspose.

Inputs are channels-last by default: ``(N, H, W, C)`` for 2-D layers,
``(N, steps, C)`` for 1-D ones; ``data_format="channels_first"`` is accepted.
Kernels use Keras' layouts, so weights copy over from Keras unchanged.

Every layer takes ``implementation=None|"auto"|"patches"|"lax"``: the kernel
formulation (see `trainlab.ops`). None follows the global setting
(`trainlab.ops.set_implementation`), whose default ``"auto"`` uses shifted-slice
patches + one matmul on CPU and ``jax.lax.conv_general_dilated`` on GPU.

Example (the Fashion-MNIST CNN of the course):
    >>> import jax.numpy as jnp
    >>> conv = Conv2D(32, 3, padding="same", activation="relu")
    >>> conv(jnp.ones((2, 28, 28, 1))).shape
    (2, 28, 28, 32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations as _activations
from .. import initializers as _initializers
from .. import ops
from .. import regularizers as _regularizers
from ..ops._config import check_implementation
from ..ops._geometry import (
    conv_output_size,
    normalize_padding,
    normalize_tuple,
    transpose_output_size,
    transpose_padding_pairs,
)
from ._base import Layer
from ._spatial import SpatialMixin, normalize_data_format

__all__ = ["Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"]


def _positive_int(argument: str, value: Any, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{argument}` of {layer} must be a positive integer; received {value!r}.")
    return int(value)


def _no_constraints(**constraints: Any) -> None:
    given = [f"`{k}`" for k, v in constraints.items() if v is not None]
    if given:
        raise NotImplementedError(f"Weight constraints are not supported yet; remove {', '.join(given)}.")


class _BaseConv(SpatialMixin, Layer):
    """Shared arguments and checks of the convolution layers (not public)."""

    rank = 2

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = None, use_bias: bool = True,
                 bias_initializer: Any = "zeros", bias_regularizer: Any = None, activity_regularizer: Any = None,
                 implementation: str | None = None, **kwargs: Any):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        if not isinstance(padding, str):
            raise ValueError(f"`padding` of {type(self).__name__} must be 'valid' or 'same'; received {padding!r}.")
        self.padding = normalize_padding(padding, self.rank, allow_causal=self._allow_causal())
        self.data_format = normalize_data_format(data_format)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = _initializers.get(bias_initializer, "bias_initializer")
        self.bias_regularizer = _regularizers.get(bias_regularizer, "bias_regularizer")
        self.implementation = check_implementation(implementation)

    def _allow_causal(self) -> bool:
        return False

    # -- shapes -----------------------------------------------------------
    def _out_sizes(self, input_shape: Any) -> tuple:
        return tuple(conv_output_size(n, k, s, d, self.padding)
                     for n, k, s, d in zip(self._spatial_sizes(input_shape), self.kernel_size, self.strides,
                                           self.dilation_rate))

    def _validate(self, input_shape: Any) -> int:
        """Rank, known channels and window size checks; returns the channel count."""
        self._check_rank(input_shape)
        channels = self._channels(input_shape)
        if channels is None:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) needs the channel dimension of its inputs to be "
                f"known; received input shape {tuple(input_shape)}."
            )
        self._check_window_fits(input_shape, self.kernel_size, self.dilation_rate, self.padding)
        return int(channels)

    def check_input_shape(self, input_shape: Any) -> None:
        self._check_rank(input_shape)
        self._check_channels(input_shape, self._built_channels)
        self._check_window_fits(input_shape, self.kernel_size, self.dilation_rate, self.padding)

    def _add_bias(self, y):
        return y + self.bias if self.use_bias else y

    def _convolve(self, x):
        """The layer's convolution of channels-last `x` (without bias)."""
        raise NotImplementedError

    def _out_channels(self, input_shape: Any) -> int | None:
        return self.filters

    def call(self, inputs):
        y = self._convolve(self._to_channels_last(inputs))
        return self.activate(self._from_channels_last(self._add_bias(y)))

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        return self._with_spatial(input_shape, self._out_sizes(input_shape), self._out_channels(input_shape))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "activation": _activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "bias_initializer": _initializers.serialize(self.bias_initializer),
            "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
            "implementation": self.implementation,
        }


class _Conv(_BaseConv):
    """N-D convolution: ``activation(conv(inputs, kernel) + bias)``."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, implementation: str | None = None,
                 **kwargs: Any):
        _no_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, implementation, **kwargs)
        name = type(self).__name__
        self.filters = _positive_int("filters", filters, name)
        self.groups = _positive_int("groups", groups, name)
        if self.filters % self.groups:
            raise ValueError(
                f"`filters` of {name} must be divisible by `groups`: received filters={self.filters}, "
                f"groups={self.groups}. Each group computes filters / groups output channels."
            )
        self.kernel_initializer = _initializers.get(kernel_initializer, "kernel_initializer")
        self.kernel_regularizer = _regularizers.get(kernel_regularizer, "kernel_regularizer")

    def build(self, input_shape):
        channels = self._validate(input_shape)
        if channels % self.groups:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}): the number of input channels ({channels}, input "
                f"shape {tuple(input_shape)}) must be divisible by `groups` ({self.groups}). Change `groups` "
                f"to a divisor of {channels}, or change the channels of the previous layer."
            )
        self._built_channels = channels
        self.add_weight("kernel", self._kernel_shape(channels), self.kernel_initializer, self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer)

    def _kernel_shape(self, channels: int) -> tuple:
        return self.kernel_size + (channels // self.groups, self.filters)

    def _convolve(self, x):
        return ops.conv(x, self.kernel, self.strides, self.padding, self.dilation_rate, self.groups,
                        implementation=self.implementation)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "groups": self.groups,
            "kernel_initializer": _initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
        }


class Conv1D(_Conv):
    """1-D convolution over steps: ``(N, steps, C) -> (N, new_steps, filters)``.

    Arguments as `Conv2D`, with one int per argument; `padding` may also be
    ``"causal"`` (output step t sees input steps <= t: left padding only).

    Example:
        >>> import jax.numpy as jnp
        >>> Conv1D(8, 3, padding="causal")(jnp.ones((2, 10, 4))).shape
        (2, 10, 8)
    """

    rank = 1

    def _allow_causal(self) -> bool:
        return True


class Conv2D(_Conv):
    """2-D convolution: ``(N, H, W, C) -> (N, H', W', filters)``, kernel
    ``(kh, kw, C // groups, filters)``.

    Args:
        filters: number of output channels.
        kernel_size: int or (kh, kw).
        strides: int or (sh, sw); default 1.
        padding: "valid" (no padding, default) or "same" (output size
            ``ceil(input / stride)``).
        data_format: "channels_last" (default, None) or "channels_first".
        dilation_rate: int or pair; spacing between kernel taps.
        groups: split input channels and filters into this many independent groups.
        activation: name or function applied to the output (default linear).
        use_bias: add a bias per filter (default True).
        kernel_initializer / bias_initializer: default "glorot_uniform" / "zeros".
        kernel_regularizer / bias_regularizer / activity_regularizer: penalties.
        implementation: None (global setting), "auto", "patches" or "lax".

    Raises:
        ValueError: 3-D inputs (add a channel axis), channels not divisible by
            `groups`, a "valid" kernel larger than the input.

    Example:
        >>> import jax.numpy as jnp
        >>> Conv2D(16, 3, strides=2, padding="same")(jnp.ones((1, 28, 28, 3))).shape
        (1, 14, 14, 16)
    """

    rank = 2


class DepthwiseConv2D(_BaseConv):
    """Depthwise 2-D convolution: each input channel is convolved with its own
    `depth_multiplier` filters; ``(N, H, W, C) -> (N, H', W', C * depth_multiplier)``.
    Kernel ``(kh, kw, C, depth_multiplier)``; output channel ``c * depth_multiplier + m``.

    Costs ``kh * kw`` multiplies per output value instead of ``kh * kw * C``:
    the spatial half of a MobileNet block (the 1x1 `Conv2D` is the other half).

    Example:
        >>> import jax.numpy as jnp
        >>> DepthwiseConv2D(3, padding="same")(jnp.ones((1, 8, 8, 16))).shape
        (1, 8, 8, 16)
    """

    rank = 2

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate: Any = (1, 1), activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None, implementation: str | None = None,
                 **kwargs: Any):
        _no_constraints(depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint)
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, implementation, **kwargs)
        self.depth_multiplier = _positive_int("depth_multiplier", depth_multiplier, type(self).__name__)
        self.depthwise_initializer = _initializers.get(depthwise_initializer, "depthwise_initializer")
        self.depthwise_regularizer = _regularizers.get(depthwise_regularizer, "depthwise_regularizer")

    def build(self, input_shape):
        channels = self._validate(input_shape)
        self._built_channels = channels
        shape = self.kernel_size + (channels, self.depth_multiplier)
        self.add_weight("kernel", shape, self.depthwise_initializer, self.depthwise_regularizer)
        if self.use_bias:
            self.add_weight("bias", (channels * self.depth_multiplier,), self.bias_initializer, self.bias_regularizer)

    def _convolve(self, x):
        return ops.depthwise_conv(x, self.kernel, self.strides, self.padding, self.dilation_rate,
                                  implementation=self.implementation)

    def _out_channels(self, input_shape):
        channels = self._channels(input_shape)
        return None if channels is None else channels * self.depth_multiplier

    def get_config(self):
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": _initializers.serialize(self.depthwise_initializer),
            "depthwise_regularizer": _regularizers.serialize(self.depthwise_regularizer),
        }


class SeparableConv2D(_BaseConv):
    """Depthwise separable 2-D convolution: a `DepthwiseConv2D` then a 1x1
    convolution to `filters` channels, in one layer (weights ``depthwise_kernel``
    ``(kh, kw, C, depth_multiplier)`` and ``pointwise_kernel``
    ``(1, 1, C * depth_multiplier, filters)``, then ``bias``).

    Example:
        >>> import jax.numpy as jnp
        >>> SeparableConv2D(32, 3, padding="same")(jnp.ones((1, 8, 8, 16))).shape
        (1, 8, 8, 32)
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, implementation: str | None = None, **kwargs: Any):
        _no_constraints(depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                        bias_constraint=bias_constraint)
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, implementation, **kwargs)
        name = type(self).__name__
        self.filters = _positive_int("filters", filters, name)
        self.depth_multiplier = _positive_int("depth_multiplier", depth_multiplier, name)
        self.depthwise_initializer = _initializers.get(depthwise_initializer, "depthwise_initializer")
        self.pointwise_initializer = _initializers.get(pointwise_initializer, "pointwise_initializer")
        self.depthwise_regularizer = _regularizers.get(depthwise_regularizer, "depthwise_regularizer")
        self.pointwise_regularizer = _regularizers.get(pointwise_regularizer, "pointwise_regularizer")

    def build(self, input_shape):
        channels = self._validate(input_shape)
        self._built_channels = channels
        self.add_weight("depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
                        self.depthwise_initializer, self.depthwise_regularizer)
        self.add_weight("pointwise_kernel", (1, 1, channels * self.depth_multiplier, self.filters),
                        self.pointwise_initializer, self.pointwise_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer)

    def _convolve(self, x):
        y = ops.depthwise_conv(x, self.depthwise_kernel, self.strides, self.padding, self.dilation_rate,
                               implementation=self.implementation)
        return ops.conv(y, self.pointwise_kernel, implementation=self.implementation)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": _initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": _initializers.serialize(self.pointwise_initializer),
            "depthwise_regularizer": _regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": _regularizers.serialize(self.pointwise_regularizer),
        }


class Conv2DTranspose(_Conv):
    """Transposed 2-D convolution (learned upsampling): ``(N, H, W, C) ->
    (N, H', W', filters)`` with ``H' = H * strides`` for "same" and
    ``(H - 1) * strides + max(kernel, strides)`` for "valid" (plus
    `output_padding`). Kernel ``(kh, kw, filters, C)`` (Keras' layout).

    Example:
        >>> import jax.numpy as jnp
        >>> Conv2DTranspose(8, 3, strides=2, padding="same")(jnp.ones((1, 7, 7, 16))).shape
        (1, 14, 14, 8)
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = (1, 1),
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
                 implementation: str | None = None, **kwargs: Any):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, implementation, **kwargs)
        self.output_padding = None if output_padding is None else normalize_tuple(
            output_padding, self.rank, "output_padding", allow_zero=True)
        if self.output_padding is not None and any(p >= s for p, s in zip(self.output_padding, self.strides)):
            raise ValueError(
                f"`output_padding` of {type(self).__name__} must be smaller than `strides` on every axis; received "
                f"output_padding={self.output_padding}, strides={self.strides}."
            )

    def _out_sizes(self, input_shape):
        pads = transpose_padding_pairs(self.kernel_size, self.strides, self.dilation_rate, self.padding,
                                       self.output_padding)
        return tuple(transpose_output_size(n, k, s, d, p) for n, k, s, d, p in
                     zip(self._spatial_sizes(input_shape), self.kernel_size, self.strides, self.dilation_rate, pads))

    def _validate(self, input_shape):
        self._check_rank(input_shape)
        channels = self._channels(input_shape)
        if channels is None:
            raise ValueError(
                f"Layer {self.name!r} (Conv2DTranspose) needs the channel dimension of its inputs to be known; "
                f"received input shape {tuple(input_shape)}."
            )
        return int(channels)

    def check_input_shape(self, input_shape):
        self._check_rank(input_shape)
        self._check_channels(input_shape, self._built_channels)

    def _kernel_shape(self, channels: int) -> tuple:
        return self.kernel_size + (self.filters, channels)  # Keras' transposed layout

    def _convolve(self, x):
        return ops.conv_transpose(x, self.kernel, self.strides, self.padding, self.output_padding,
                                  self.dilation_rate, implementation=self.implementation)

    def get_config(self):
        config = super().get_config()
        config.pop("groups")  # Keras' Conv2DTranspose has no groups
        return {**config, "output_padding": None if self.output_padding is None else list(self.output_padding)}
