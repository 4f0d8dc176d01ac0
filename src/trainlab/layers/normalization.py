"""BatchNormalization and LayerNormalization."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import initializers as _initializers
from .. import regularizers as _regularizers
from ._base import Layer

__all__ = ["BatchNormalization", "LayerNormalization"]


def _norm_axes(axis: int | list[int], ndim: int) -> tuple[int, ...]:
    axes = [axis] if isinstance(axis, int) else list(axis)
    return tuple(sorted(a % ndim for a in axes))


class BatchNormalization(Layer):
    """Normalize each feature with batch statistics in training and moving
    averages at inference (Ioffe & Szegedy, 2015), Keras defaults.

    In training: ``y = gamma * (x - mean_B) / sqrt(var_B + epsilon) + beta`` and
    ``moving = momentum * moving + (1 - momentum) * batch_stat``. At inference
    (and when the layer is frozen with ``trainable = False``, as in Keras) the
    moving averages are used. Moving averages live in the ``state`` tree.

    Args:
        axis: the feature axis (default -1, channels last).
        momentum: moving-average momentum (0.99).
        epsilon: added to the variance (0.001).
        center / scale: learn beta / gamma.

    Example:
        >>> import jax.numpy as jnp
        >>> BatchNormalization()(jnp.ones((4, 3)), training=True).shape
        (4, 3)
    """

    def __init__(self, axis: int | list[int] = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None, gamma_constraint: Any = None,
                 synchronized: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if not 0.0 <= float(momentum) <= 1.0:
            raise ValueError(f"`momentum` of BatchNormalization must be in [0, 1]; received {momentum!r}.")
        if not float(epsilon) > 0:
            raise ValueError(f"`epsilon` of BatchNormalization must be positive; received {epsilon!r}.")
        self.axis = axis
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = _initializers.get(beta_initializer, "beta_initializer")
        self.gamma_initializer = _initializers.get(gamma_initializer, "gamma_initializer")
        self.moving_mean_initializer = _initializers.get(moving_mean_initializer, "moving_mean_initializer")
        self.moving_variance_initializer = _initializers.get(moving_variance_initializer, "moving_variance_initializer")
        self.beta_regularizer = _regularizers.get(beta_regularizer, "beta_regularizer")
        self.gamma_regularizer = _regularizers.get(gamma_regularizer, "gamma_regularizer")

    def build(self, input_shape):
        axes = _norm_axes(self.axis, len(input_shape))
        shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in shape):
            raise ValueError(
                f"Layer {self.name!r} (BatchNormalization) needs the size of axis {self.axis} to be known; "
                f"received input shape {tuple(input_shape)}."
            )
        if self.scale:
            self.add_weight("gamma", shape, self.gamma_initializer, self.gamma_regularizer)
        if self.center:
            self.add_weight("beta", shape, self.beta_initializer, self.beta_regularizer)
        self.add_weight("moving_mean", shape, self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", shape, self.moving_variance_initializer, trainable=False)

    def check_input_shape(self, input_shape):
        axes = _norm_axes(self.axis, len(input_shape))
        expected = self._specs["moving_mean"].shape
        got = tuple(input_shape[a] for a in axes) if len(input_shape) == len(self._build_input_shape) else None
        if got != expected:
            raise ValueError(
                f"Layer {self.name!r} (BatchNormalization) was built for inputs of shape "
                f"{tuple(self._build_input_shape)} (features {expected}), but received inputs of shape "
                f"{tuple(input_shape)}."
            )

    def _broadcast(self, v, ndim, axes):
        shape = [1] * ndim
        for a, d in zip(axes, v.shape):
            shape[a] = d
        return jnp.reshape(v, shape)

    def call(self, inputs, training=False):
        ndim = inputs.ndim
        axes = _norm_axes(self.axis, ndim)
        reduce_axes = tuple(a for a in range(ndim) if a not in axes)
        if training and self.trainable:
            mean = jnp.mean(inputs, axis=reduce_axes)
            var = jnp.mean(jnp.square(inputs - self._broadcast(mean, ndim, axes)), axis=reduce_axes)
            m = self.momentum
            self.assign("moving_mean", self.moving_mean * m + mean * (1.0 - m))
            self.assign("moving_variance", self.moving_variance * m + var * (1.0 - m))
        else:
            mean, var = self.moving_mean, self.moving_variance
        inv = 1.0 / jnp.sqrt(var + self.epsilon)
        if self.scale:
            inv = inv * self.gamma
        y = (inputs - self._broadcast(mean, ndim, axes)) * self._broadcast(inv, ndim, axes)
        if self.center:
            y = y + self._broadcast(self.beta, ndim, axes)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": _initializers.serialize(self.beta_initializer),
                "gamma_initializer": _initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": _initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": _initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": _regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": _regularizers.serialize(self.gamma_regularizer)}


class LayerNormalization(Layer):
    """Normalize each sample over `axis` (the features), then scale and shift:
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta``. Same in training and inference.

    Example:
        >>> import jax.numpy as jnp
        >>> LayerNormalization()(jnp.arange(6.0).reshape(2, 3)).shape
        (2, 3)
    """

    def __init__(self, axis: int | list[int] = -1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer: Any = "zeros", gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None, gamma_constraint: Any = None,
                 rms_scaling: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), bool(rms_scaling)
        self.beta_initializer = _initializers.get(beta_initializer, "beta_initializer")
        self.gamma_initializer = _initializers.get(gamma_initializer, "gamma_initializer")
        self.beta_regularizer = _regularizers.get(beta_regularizer, "beta_regularizer")
        self.gamma_regularizer = _regularizers.get(gamma_regularizer, "gamma_regularizer")

    def build(self, input_shape):
        axes = _norm_axes(self.axis, len(input_shape))
        shape = tuple(input_shape[a] for a in axes)
        if self.scale:
            self.add_weight("gamma", shape, self.gamma_initializer, self.gamma_regularizer)
        if self.center and not self.rms_scaling:
            self.add_weight("beta", shape, self.beta_initializer, self.beta_regularizer)

    def call(self, inputs):
        ndim = inputs.ndim
        axes = _norm_axes(self.axis, ndim)
        bshape = [1] * ndim
        for a in axes:
            bshape[a] = inputs.shape[a]
        if self.rms_scaling:
            y = inputs * jnp.reciprocal(jnp.sqrt(jnp.mean(jnp.square(inputs), axis=axes, keepdims=True) + self.epsilon))
        else:
            mean = jnp.mean(inputs, axis=axes, keepdims=True)
            var = jnp.mean(jnp.square(inputs - mean), axis=axes, keepdims=True)
            y = (inputs - mean) / jnp.sqrt(var + self.epsilon)
        if self.scale:
            y = y * jnp.reshape(self.gamma, bshape)
        if self.center and not self.rms_scaling:
            y = y + jnp.reshape(self.beta, bshape)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "rms_scaling": self.rms_scaling,
                "beta_initializer": _initializers.serialize(self.beta_initializer),
                "gamma_initializer": _initializers.serialize(self.gamma_initializer),
                "beta_regularizer": _regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": _regularizers.serialize(self.gamma_regularizer)}
