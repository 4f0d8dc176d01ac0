"""`Variable`: a named, mutable array, as ``tf.Variable`` / ``keras.Variable``.

Two kinds share one interface (``value``, ``assign``, ``assign_add``,
``assign_sub``, ``numpy()``, arithmetic, ``shape``, ``dtype``, ``name``,
``trainable``):

* ``tl.Variable(2.9)``: a standalone variable, as in the 모두를 위한 딥러닝
  linear-regression labs (``W = tf.Variable(...)``);
* the handles ``model.trainable_variables`` returns: each one reads and
  writes one weight of a layer (the weight itself stays in the layer).

Reads and writes go through `trainlab._binding`, so the same code works
eagerly, inside `trainlab.value_and_grad` (the variable is a traced input) and
inside `trainlab.function` (its value is lifted in and written back).

JAX functions do not take objects that are not arrays: use the operators
(``W * x + b``, ``x @ W``) or ``W.value`` (``jnp.matmul(x, W.value)``).

Example:
    >>> import trainlab as tl
    >>> W = tl.Variable(2.0, name="W")
    >>> _ = W.assign_sub(0.5); float(W * 3.0)
    4.5
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import _binding

__all__ = ["Variable", "layer_variables"]


def _binary(name: str, reverse: bool = False) -> Any:
    op = getattr(jax.numpy.ndarray, name, None)

    def method(self: Any, other: Any) -> Any:
        other = other.value if isinstance(other, Variable) else other
        value = self.value
        fn = getattr(value, name)
        return fn(other)

    method.__name__ = name
    method.__doc__ = op.__doc__ if op is not None else None
    return method


class Variable:
    """A mutable array (``tf.Variable``), standalone or a handle on a layer's weight.

    Args:
        initial_value: an array, a number, a function returning one, or an
            initializer name / object (then `shape` is required, as Keras 3).
        dtype: default float32 for floats (JAX's default types otherwise).
        trainable: whether `trainlab.value_and_grad` differentiates it by default.
        name: a name for messages and `repr`.
        shape: the shape, with an initializer.

    Raises:
        ValueError: an initializer without `shape`.

    Example:
        >>> import trainlab as tl
        >>> b = tl.Variable(0.0, name="b"); _ = b.assign_add(1.5); b.numpy()
        array(1.5, dtype=float32)
    """

    _lift_must_exist = False

    def __init__(self, initial_value: Any = None, dtype: Any = None, trainable: bool = True, name: str | None = None,
                 shape: Any = None):
        if isinstance(initial_value, Variable):
            initial_value = initial_value.value
        if isinstance(initial_value, str) or (initial_value is not None and hasattr(initial_value, "__call__")
                                              and not hasattr(initial_value, "shape")):
            if isinstance(initial_value, str) or hasattr(initial_value, "get_config"):
                from . import initializers

                if shape is None:
                    raise ValueError(
                        f"`shape` is required when `initial_value` is an initializer ({initial_value!r}); "
                        f"e.g. tl.Variable('glorot_uniform', shape=(784, 10))."
                    )
                from .utils.random import next_key

                init = initializers.get(initial_value, "initial_value")
                initial_value = init(next_key(), tuple(shape), jnp.dtype(dtype or "float32"))
            else:
                initial_value = initial_value()
        if initial_value is None:
            raise ValueError("`initial_value` is required, e.g. tl.Variable(0.0) or tl.Variable(np.zeros(3)).")
        value = jnp.asarray(initial_value, dtype)
        if dtype is None and jnp.issubdtype(value.dtype, jnp.floating):
            value = value.astype(jnp.float32)
        self._store = value
        self.trainable = bool(trainable)
        self.name = name or "Variable"

    # -- liftable state (trainlab._binding) --------------------------------------
    def _lift_load(self) -> Any:
        return self._store

    def _lift_store(self, value: Any) -> None:
        self._store = value

    # -- value -------------------------------------------------------------------
    @property
    def value(self) -> jax.Array:
        """The current value (a traced array inside `value_and_grad` / `function`)."""
        return _binding.read(self)

    def _set(self, value: Any) -> None:
        _binding.write(self, value)

    def assign(self, value: Any) -> Variable:
        """Set the value (same shape); returns the variable, as Keras."""
        value = value.value if isinstance(value, Variable) else value
        old = self.value
        value = jnp.asarray(value, old.dtype)
        if value.shape != old.shape:
            try:
                value = jnp.broadcast_to(value, old.shape)
            except ValueError:
                raise ValueError(
                    f"`value` of shape {tuple(value.shape)} cannot be assigned to variable {self.name!r} of shape "
                    f"{tuple(old.shape)}; pass an array of that shape."
                ) from None
        self._set(value)
        return self

    def assign_add(self, delta: Any) -> Variable:
        """``value += delta``."""
        return self.assign(self.value + (delta.value if isinstance(delta, Variable) else delta))

    def assign_sub(self, delta: Any) -> Variable:
        """``value -= delta`` (the labs' ``W.assign_sub(learning_rate * W_grad)``)."""
        return self.assign(self.value - (delta.value if isinstance(delta, Variable) else delta))

    def numpy(self) -> np.ndarray:
        """The value as a numpy array."""
        return np.asarray(self.value)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.asarray(self.value)
        return out if dtype is None else out.astype(dtype)

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    @property
    def shape(self) -> tuple:
        return tuple(self.value.shape)

    @property
    def dtype(self) -> Any:
        return self.value.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def path(self) -> str:
        return self.name

    @property
    def T(self) -> jax.Array:
        return self.value.T

    def __getitem__(self, idx: Any) -> jax.Array:
        return self.value[idx]

    def __neg__(self) -> jax.Array:
        return -self.value

    def __pos__(self) -> jax.Array:
        return self.value

    def __abs__(self) -> jax.Array:
        return abs(self.value)

    __add__ = _binary("__add__")
    __radd__ = _binary("__radd__")
    __sub__ = _binary("__sub__")
    __rsub__ = _binary("__rsub__")
    __mul__ = _binary("__mul__")
    __rmul__ = _binary("__rmul__")
    __truediv__ = _binary("__truediv__")
    __rtruediv__ = _binary("__rtruediv__")
    __pow__ = _binary("__pow__")
    __rpow__ = _binary("__rpow__")
    __matmul__ = _binary("__matmul__")
    __rmatmul__ = _binary("__rmatmul__")
    __lt__ = _binary("__lt__")
    __le__ = _binary("__le__")
    __gt__ = _binary("__gt__")
    __ge__ = _binary("__ge__")
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        try:
            shown = np.array2string(np.asarray(self.value), precision=4, threshold=8)
        except Exception:  # a traced value
            shown = "<traced>"
        return f"<Variable {self.path!r} shape={self.shape} dtype={self.dtype} value={shown}>"


class _WeightVariable(Variable):
    """A handle on one weight of a layer: the value stays in the layer."""

    def __init__(self, layer: Any, spec: Any):  # noqa: D107 - not user-constructed
        self._layer = layer
        self._spec = spec
        self.name = spec.name

    @property
    def trainable(self) -> bool:
        return self._spec.trainable and self._layer.trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:  # pragma: no cover - set by the layer
        raise AttributeError("Set `layer.trainable` to freeze a layer's weights.")

    @property
    def path(self) -> str:
        return f"{self._layer.name}/{self._spec.name}"

    @property
    def value(self) -> jax.Array:
        values = self._layer._values
        if values is None:
            raise ValueError(f"Layer {self._layer.name!r} has no weights yet: call it (or its model) on data first.")
        return values[self._spec.collection][self._spec.name]

    def _set(self, value: Any) -> None:
        values = self._layer._values
        collection = self._spec.collection
        self._layer._values = {**values, collection: {**values[collection], self._spec.name: value}}


def _handle(layer: Any, spec: Any) -> _WeightVariable:
    handles = layer.__dict__.setdefault("_variable_handles", {})
    handle = handles.get(spec.name)
    if handle is None or handle._spec is not spec:
        handle = handles[spec.name] = _WeightVariable(layer, spec)
    return handle


def layer_variables(layer: Any, trainable: bool) -> list[Variable]:
    """`trainable_variables` (or the others) of `layer`, Keras order.

    Raises:
        ValueError: the layer or model has no weights yet.
    """
    from .models._variables import _effectively_trainable, _weight_slots

    if not _binding.active():
        sync = getattr(layer, "_sync_from_training", None)
        if sync is not None:
            sync()
    ensure = getattr(layer, "_ensure_weights", None)
    if ensure is not None:
        ensure()
    if not layer._is_initialized():
        raise ValueError(
            f"{type(layer).__name__} {layer.name!r} has no weights yet, so it has no variables. Call it on a "
            f"batch first (model(x[:1])), or give its first layer `input_shape=` (or start it with tl.layers.Input)."
        )
    out = []
    for sub, spec in _weight_slots(layer):
        trains = spec.trainable and _effectively_trainable(layer, sub)
        if trains == trainable:
            out.append(_handle(sub, spec))
    return out
