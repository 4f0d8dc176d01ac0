"""Core layers: Input, Dense, Activation, Flatten, Reshape, Dropout, Rescaling,
Embedding, GaussianNoise, Lambda, Identity.

Shapes in docstrings put the batch dimension first (``N``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import activations as _activations
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from ._base import KerasTensor, Layer, Node, unique_name

__all__ = [
    "Input",
    "InputLayer",
    "Dense",
    "Activation",
    "Flatten",
    "Reshape",
    "Dropout",
    "GaussianNoise",
    "Rescaling",
    "Embedding",
    "Lambda",
    "Identity",
]


class InputLayer(Layer):
    """The entry point of a model: holds the input shape and dtype.

    Usually created through `Input`. In a `Sequential` list it fixes the
    input shape, as in ``Sequential([InputLayer((784,)), Dense(10)])``.
    """

    def __init__(self, shape: Sequence[int | None] | None = None, batch_size: int | None = None,
                 dtype: Any = "float32", name: str | None = None, input_shape=None, batch_input_shape=None, **kw):
        if shape is None and input_shape is not None:
            shape = input_shape
        if batch_input_shape is not None:
            batch_size, shape = batch_input_shape[0], batch_input_shape[1:]
        if shape is None:
            raise ValueError("`shape` is required: the shape of one sample, e.g. Input(shape=(784,)).")
        if isinstance(shape, int):
            shape = (shape,)
        super().__init__(name=name or unique_name("input_layer"), **kw)
        # strings (Keras's dtype="string", tf.string) feed the host layers that begin a Sequential
        self.input_dtype = "string" if dtype in ("string", "str", str, object) else str(jnp.dtype(dtype))
        self.batch_shape = (batch_size,) + tuple(shape)
        self.built = True
        self._build_input_shape = self.batch_shape
        self._output_shape = self.batch_shape
        node = Node(self, None, [], {})
        node.outputs = [KerasTensor(self.batch_shape, self.input_dtype, node, 0, name=self.name)]
        self._inbound_nodes.append(node)

    def get_config(self):
        return {"name": self.name, "batch_shape": list(self.batch_shape), "dtype": self.input_dtype}

    @classmethod
    def from_config(cls, config):
        batch_shape = config["batch_shape"]
        return cls(shape=tuple(batch_shape[1:]), batch_size=batch_shape[0], dtype=config.get("dtype", "float32"),
                   name=config.get("name"))


def Input(shape: Sequence[int | None] | int | None = None, batch_size: int | None = None, dtype: Any = "float32",
          name: str | None = None, batch_shape: Sequence[int | None] | None = None) -> KerasTensor:
    """A symbolic input for the functional API.

    Args:
        shape: shape of one sample, without the batch dimension, e.g. ``(28, 28)``.
        batch_size: optional fixed batch size.
        dtype: "float32" for features, "int32" for token indices.
        name: name, used as the key when `fit` receives a dict of inputs.

    Example:
        >>> from trainlab.layers import Input, Dense
        >>> x = Input((784,))
        >>> Dense(10)(x).shape
        (None, 10)
    """
    if batch_shape is not None:
        batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name)
    return layer.output


class Dense(Layer):
    """Fully connected layer: ``activation(inputs @ kernel + bias)``.

    Acts on the last axis: inputs ``(N, ..., d)`` give outputs ``(N, ..., units)``.

    Args:
        units: output size.
        activation: name or function (default linear).
        use_bias: add a bias vector.
        kernel_initializer: default "glorot_uniform" (Keras); "he_normal" suits ReLU.
        bias_initializer: default "zeros".
        kernel_regularizer / bias_regularizer: L1/L2 penalties added to the loss.

    Example:
        >>> import jax.numpy as jnp
        >>> Dense(4, activation="relu")(jnp.ones((2, 3))).shape
        (2, 4)
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, **kwargs: Any):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"`units` of Dense must be a positive integer; received {units!r}.")
        if kernel_constraint is not None or bias_constraint is not None:
            raise NotImplementedError("Weight constraints are not supported yet; remove `kernel_constraint`/`bias_constraint`.")
        self.units = int(units)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializers.get(kernel_initializer, "kernel_initializer")
        self.bias_initializer = _initializers.get(bias_initializer, "bias_initializer")
        self.kernel_regularizer = _regularizers.get(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = _regularizers.get(bias_regularizer, "bias_regularizer")

    def build(self, input_shape):
        in_dim = input_shape[-1] if len(input_shape) else None
        if in_dim is None:
            raise ValueError(
                f"Layer {self.name!r} (Dense) needs the last dimension of its input to be known; "
                f"received input shape {tuple(input_shape)}."
            )
        self.add_weight("kernel", (in_dim, self.units), self.kernel_initializer, self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer, self.bias_regularizer)

    def check_input_shape(self, input_shape):
        expected = self._specs["kernel"].shape[0]
        if len(input_shape) < 1 or input_shape[-1] != expected:
            hint = ""
            if len(input_shape) > 2:
                hint = " Add a Flatten layer before it if each sample should become one vector."
            raise ValueError(
                f"Layer {self.name!r} (Dense) expects inputs whose last dimension is {expected} "
                f"(it was built for input shape {tuple(self._build_input_shape)}), but received inputs of "
                f"shape {tuple(input_shape)}.{hint}"
            )

    def call(self, inputs):
        y = jnp.matmul(inputs, self.kernel) if inputs.ndim <= 2 else jnp.tensordot(inputs, self.kernel, 1)
        if self.use_bias:
            y = y + self.bias
        return self.activate(y)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": _activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": _initializers.serialize(self.kernel_initializer),
            "bias_initializer": _initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
        }


class Activation(Layer):
    """Apply an activation function elementwise (``softmax``: over the last axis).

    Example:
        >>> import jax.numpy as jnp
        >>> Activation("relu")(jnp.array([[-1.0, 1.0]])).tolist()
        [[0.0, 1.0]]
    """

    supports_masking = True

    def __init__(self, activation: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)

    def call(self, inputs):
        return self.activate(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": _activations.serialize(self.activation)}


class Flatten(Layer):
    """Flatten each sample to a vector: ``(N, d1, d2, ...) -> (N, d1*d2*...)``."""

    def __init__(self, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = jnp.moveaxis(inputs, 1, -1)
        return jnp.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest)) if rest else 1
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshape each sample to `target_shape` (one entry may be -1).

    Example:
        >>> import jax.numpy as jnp
        >>> Reshape((28, 28))(jnp.ones((2, 784))).shape
        (2, 28, 28)
    """

    def __init__(self, target_shape: Sequence[int], **kwargs: Any):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(f"`target_shape` may contain at most one -1; received {self.target_shape}.")

    def _resolve(self, input_shape):
        size = int(np.prod(input_shape[1:])) if all(d is not None for d in input_shape[1:]) else None
        known = int(np.prod([d for d in self.target_shape if d != -1])) if self.target_shape else 1
        if size is None:
            return self.target_shape
        if -1 in self.target_shape:
            if known == 0 or size % known:
                raise ValueError(self._mismatch(input_shape))
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(self._mismatch(input_shape))
        return self.target_shape

    def _mismatch(self, input_shape):
        return (
            f"Layer {self.name!r} (Reshape) cannot reshape inputs of shape {tuple(input_shape)} "
            f"({int(np.prod(input_shape[1:]))} values per sample) to `target_shape` {self.target_shape}."
        )

    def build(self, input_shape):
        self._resolve(input_shape)

    def check_input_shape(self, input_shape):
        self._resolve(input_shape)

    def call(self, inputs):
        return jnp.reshape(inputs, (inputs.shape[0],) + self._resolve(inputs.shape))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(input_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Dropout(Layer):
    """Randomly zero a fraction `rate` of inputs during training, scaling the rest by
    ``1 / (1 - rate)`` (inverted dropout); the identity at inference.

    `rate` is a hyperparameter: a population can train several rates at once.
    Needs a random key in training mode (`fit` provides one).

    Args:
        rate: fraction to drop, in [0, 1).
        noise_shape: shape of the keep mask (1 where the mask is shared), e.g.
            ``(None, 1, features)`` to drop the same features at every time step.
        seed: optional integer mixed into the key.
    """

    supports_masking = True

    def __init__(self, rate: float, noise_shape: Sequence[int | None] | None = None, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float, np.floating)) or not 0 <= float(rate) < 1:
            raise ValueError(
                f"`rate` of Dropout must be a number in [0, 1); received {rate!r}. "
                f"It is the fraction of units to drop, e.g. Dropout(0.2)."
            )
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed

    def hyperparameters(self):
        return {**super().hyperparameters(), "rate": self.rate}

    def call(self, inputs, training=False):
        if not training:
            return inputs
        rate = self.hparam("rate")
        if isinstance(rate, float) and rate == 0.0:
            return inputs
        key = self.random_key()
        if self.seed is not None:
            key = jax.random.fold_in(key, int(self.seed))
        shape = inputs.shape
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for s, n in zip(inputs.shape, self.noise_shape))
        keep = 1.0 - jnp.asarray(rate, inputs.dtype)
        mask = jax.random.bernoulli(key, keep, shape)
        return jnp.where(mask, inputs / keep, jnp.zeros((), inputs.dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape), "seed": self.seed}


class GaussianNoise(Layer):
    """Add zero-mean Gaussian noise with standard deviation `stddev` during training
    (a regularizer; the identity at inference)."""

    supports_masking = True

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not float(stddev) >= 0:
            raise ValueError(f"`stddev` of GaussianNoise must be >= 0; received {stddev!r}.")
        self.stddev = float(stddev)
        self.seed = seed

    def hyperparameters(self):
        return {**super().hyperparameters(), "stddev": self.stddev}

    def call(self, inputs, training=False):
        if not training:
            return inputs
        noise = jax.random.normal(self.random_key(), inputs.shape, inputs.dtype)
        return inputs + self.hparam("stddev") * noise

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class Rescaling(Layer):
    """``inputs * scale + offset``, e.g. ``Rescaling(1/255)`` to map pixels to [0, 1].

    Example:
        >>> import jax.numpy as jnp
        >>> Rescaling(1 / 255)(jnp.array([[255.0]])).tolist()
        [[1.0]]
    """

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.scale = float(scale)
        self.offset = float(offset)

    def call(self, inputs):
        return inputs * self.scale + self.offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Embedding(Layer):
    """Map integer indices to dense vectors: ``(N, T) -> (N, T, output_dim)``.

    Args:
        input_dim: vocabulary size (indices must lie in ``[0, input_dim)``).
        output_dim: vector size.
        embeddings_initializer: default "uniform" (within ±0.05, as Keras).
        mask_zero: treat index 0 as padding; downstream layers that support
            masking (GlobalAveragePooling1D) ignore those positions.

    Example:
        >>> import jax.numpy as jnp
        >>> Embedding(100, 8)(jnp.array([[1, 2, 3]])).shape
        (1, 3, 8)
    """

    autocast = False

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, activity_regularizer: Any = None, embeddings_constraint: Any = None,
                 mask_zero: bool = False, input_length: int | None = None, **kwargs: Any):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        for arg, v in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"`{arg}` of Embedding must be a positive integer; received {v!r}.")
        if embeddings_constraint is not None:
            raise NotImplementedError("`embeddings_constraint` is not supported yet.")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = _initializers.get(embeddings_initializer, "embeddings_initializer")
        self.embeddings_regularizer = _regularizers.get(embeddings_regularizer, "embeddings_regularizer")
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length

    def build(self, input_shape):
        self.add_weight("embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer,
                        self.embeddings_regularizer)

    def call(self, inputs):
        idx = inputs.astype(jnp.int32) if inputs.dtype != jnp.int32 else inputs
        return jnp.take(self.embeddings, idx, axis=0, mode="clip")

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return inputs != 0

    def validate_input_values(self, x: Any, argument: str) -> None:
        """Host-side check of token indices (JAX would silently clip them)."""
        x = np.asarray(x)
        if x.size == 0:
            return
        if not (np.issubdtype(x.dtype, np.integer) or np.all(np.mod(x, 1) == 0)):
            raise ValueError(
                f"`{argument}` feeds Embedding {self.name!r} and must hold integer token indices; received "
                f"values such as {x.ravel()[:3].tolist()}."
            )
        lo, hi = int(x.min()), int(x.max())
        if lo < 0 or hi >= self.input_dim:
            raise ValueError(
                f"`{argument}` contains token index {hi if hi >= self.input_dim else lo}, but Embedding "
                f"{self.name!r} has input_dim={self.input_dim}, so indices must lie in [0, {self.input_dim - 1}]. "
                f"Increase `input_dim` to the vocabulary size, or cap the vocabulary when loading "
                f"(e.g. imdb.load_data(num_words={self.input_dim}))."
            )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": _initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": _regularizers.serialize(self.embeddings_regularizer),
                "mask_zero": self.mask_zero}


class Lambda(Layer):
    """Wrap a function of arrays as a layer: ``Lambda(lambda x: x ** 2)``.

    Models with a Lambda layer can be trained and used, but not saved to a file
    (a Python function cannot be stored safely); write a small Layer subclass instead.
    """

    def __init__(self, function: Callable[..., Any], output_shape: Any = None, arguments: dict | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"`function` of Lambda must be callable; received {type(function).__name__}.")
        self.function = function
        self._given_output_shape = output_shape
        self.arguments = dict(arguments or {})

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self._given_output_shape is not None:
            return (input_shape[0],) + tuple(self._given_output_shape)
        return self._eval_output_shape(input_shape)

    def get_config(self):
        raise TypeError(
            f"Layer {self.name!r} is a Lambda layer, which cannot be saved: its Python function is not stored "
            f"in files (that would need pickle). Replace it with a Layer subclass registered with "
            f"trainlab.saving.register_serializable."
        )


class Identity(Layer):
    """Return the inputs unchanged."""

    supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
