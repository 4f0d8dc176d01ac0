"""`Metric` (pure state API + Keras stateful API), `Mean`, `Sum`, `MeanMetricWrapper`.

A metric is a configuration object with three pure functions of a pytree
state, so that a compiled epoch can carry metric state through `lax.scan`
(and a population through `jax.vmap`)::

    state = metric.initial_state()
    state = metric.update(state, y_true, y_pred, sample_weight)   # per batch
    value = metric.compute(state)

Keras's stateful methods (`update_state`, `result`, `reset_state`) are built
on top: the object keeps one state and a jitted `update`.

Example:
    >>> import jax, jax.numpy as jnp
    >>> m = Mean()
    >>> s = jax.jit(m.update)(m.initial_state(), jnp.array([1.0, 3.0, 5.0, 7.0]))
    >>> float(m.compute(s))
    4.0
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0]); float(m.result())
    2.0
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import _binding
from .._registry import snake_case
from ..losses import squeeze_or_expand_to_same_rank

__all__ = ["Metric", "Mean", "Sum", "MeanMetricWrapper", "divide_no_nan"]


def divide_no_nan(a, b):
    """``a / b`` with 0 where ``b == 0`` (gradient-safe)."""
    a, b = jnp.asarray(a), jnp.asarray(b)
    safe = jnp.where(b == 0, jnp.ones_like(b), b)
    return jnp.where(b == 0, jnp.zeros_like(a / safe), a / safe)


def reduce_to_samplewise(values, sample_weight, reduce_fn, dtype):
    """Keras's ``reduce_to_samplewise_values``: weighted per-sample values.

    `values` is averaged (or summed, per `reduce_fn`) down to the rank of the
    weights, multiplied by them, then reduced to one value per sample.

    Returns:
        ``(values, sample_weight)``: values of shape ``(batch,)`` (or ``()``),
        and the weights reduced the same way (None when none were given).
    """
    values = jnp.asarray(values, dtype)
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_nd, v_nd = sample_weight.ndim, values.ndim
        if v_nd > w_nd:
            values = reduce_fn(values, axis=tuple(range(w_nd, v_nd)))
        try:
            sample_weight = jnp.broadcast_to(sample_weight, values.shape)
        except ValueError:
            raise ValueError(
                f"`sample_weight` of shape {tuple(sample_weight.shape)} does not match the "
                f"metric values of shape {tuple(values.shape)}. Pass one weight per sample. "
                f"(Inputs of shape (batch,) count as ONE sample with `batch` features, as in "
                f"Keras: reshape y_true and y_pred to (batch, 1).)"
            ) from None
        values = values * sample_weight
        if w_nd > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, w_nd)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


def _as_array(x):
    return x if isinstance(x, (jax.Array, np.ndarray)) else np.asarray(x)


class Metric:
    """Base class: pure `initial_state` / `update` / `compute` plus the Keras
    stateful API (`update_state`, `result`, `reset_state`).

    Subclasses implement the three pure methods. Metrics whose state size
    depends on the data (``AUC(multi_label=True)``, ``F1Score``) also
    implement `build`, which the stateful API calls on the first batch; in
    pure code call ``metric.build(y_true.shape, y_pred.shape)`` before
    `initial_state`.

    Args:
        name: the name used in logs; defaults to the snake-case class name.
        dtype: dtype of the state and result (float32).
    """

    def __init__(self, name: str | None = None, dtype: Any = None):
        self.name = name or snake_case(type(self).__name__)
        self.dtype = jnp.dtype(dtype or "float32")
        self._state_store = None
        self._state_built = False
        self._jit_update = None
        self._weights: list = []
        self._initial_values: list = []

    # -- liftable state (trainlab._binding): the stateful API's state ---------------
    _lift_must_exist = False

    @property
    def _state(self) -> Any:
        return _binding.read(self)

    @_state.setter
    def _state(self, value: Any) -> None:
        _binding.write(self, value)

    def _lift_load(self) -> Any:
        return self.__dict__.get("_state_store")

    def _lift_store(self, value: Any) -> None:
        self.__dict__["_state_store"] = value

    def _lift_prepare(self) -> Any:
        state = self._lift_load()
        if state is None and self._state_built:
            state = self.initial_state()
            self._lift_store(state)
        return state

    # -- Keras-style subclasses: state declared with add_weight ----------------------
    def add_weight(self, name: str | None = None, shape: Any = (), initializer: Any = "zeros", dtype: Any = None,
                   aggregation: str = "sum", synchronization: str = "auto") -> Any:
        """Declare a state variable (Keras ``Metric.add_weight``), updated in
        ``update_state`` with ``assign`` / ``assign_add`` and read in ``result``.

        A subclass that overrides ``update_state`` and ``result`` this way also
        works inside ``compile(metrics=[...])``: its pure `update` runs the
        subclass's ``update_state`` with the variables lifted into the compiled
        epoch (so ``update_state`` must use JAX operations, not Python ``if`` on
        values).

        Returns:
            A `trainlab.Variable`.
        """
        from .. import initializers
        from ..variables import Variable

        shape = tuple(int(d) for d in (shape or ()))
        dtype = jnp.dtype(dtype or self.dtype)
        init = initializers.get(initializer, "initializer")
        from ..utils.random import next_key

        value = jnp.asarray(init(next_key(), shape, dtype), dtype)
        var = Variable(value, dtype=dtype, trainable=False, name=name or f"{self.name}_weight_{len(self._weights)}")
        self._weights.append(var)
        self._initial_values.append(value)
        return var

    @property
    def variables(self) -> list:
        """The variables declared with `add_weight`."""
        return list(self._weights)

    def _has_keras_state(self) -> bool:
        cls = type(self)
        return cls.update_state is not Metric.update_state and cls.update is Metric.update

    # -- pure API ------------------------------------------------------------
    def build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        """Fix data-dependent state sizes (no-op for most metrics)."""

    def initial_state(self) -> Any:
        """The state before any batch: a pytree of arrays (pure)."""
        if self._has_keras_state():
            if not self._weights:
                raise TypeError(
                    f"Metric {type(self).__name__} overrides update_state but declares no state with "
                    f"self.add_weight(...), so it cannot run inside compile(metrics=[...]). Declare each "
                    f"total in __init__ (self.total = self.add_weight(name='total', initializer='zeros')) and "
                    f"update it with self.total.assign_add(...) in update_state."
                )
            return list(self._initial_values)
        raise NotImplementedError

    def update(self, state, y_true, y_pred, sample_weight=None) -> Any:
        """The state after one more batch (pure, jit/vmap/scan-safe)."""
        if self._has_keras_state():
            args = (y_true, y_pred)
            kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
            frame = self._bound(state)
            with frame:
                self._traced_call("update_state", lambda: self.update_state(*args, **kwargs))
            return [frame.values[id(w)] for w in self._weights]
        raise NotImplementedError

    def compute(self, state) -> jax.Array:
        """The metric value of `state` (pure)."""
        if self._has_keras_state():
            with self._bound(state):
                return jnp.asarray(self._traced_call("result", self.result))
        raise NotImplementedError

    def _bound(self, state) -> _binding.Frame:
        return _binding.Frame({id(w): (w, v) for w, v in zip(self._weights, state)})

    def _traced_call(self, method: str, call: Callable) -> Any:
        try:
            return call()
        except (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
                jax.errors.TracerIntegerConversionError) as exc:
            raise TypeError(
                f"{type(self).__name__}.{method} uses array values in Python (an `if`, float(), .numpy()), "
                f"which cannot run inside a compiled training step. Use jax.numpy operations instead "
                f"(jnp.where(cond, a, b) for an `if`), or update the metric eagerly in a custom loop. "
                f"JAX said: {str(exc).splitlines()[0]}"
            ) from None

    def merge_states(self, a, b) -> Any:
        """The state of the union of two data sets (states here are sums)."""
        return jax.tree_util.tree_map(jnp.add, a, b)

    def _zeros(self, shape=()):
        return jnp.zeros(shape, self.dtype)

    # -- Keras stateful API -----------------------------------------------------
    def _build_from(self, args) -> None:
        if len(args) >= 2:
            self.build(tuple(np.shape(args[0])), tuple(np.shape(args[1])))

    def update_state(self, *args, sample_weight=None) -> None:
        """Accumulate one batch into the object's own state (Keras API)."""
        args = tuple(_as_array(a) for a in args)
        sample_weight = None if sample_weight is None else _as_array(sample_weight)
        if self._state is None:
            self._build_from(args)
            self._state_built = True
            self._state = self.initial_state()
        if self._jit_update is None:
            self._jit_update = jax.jit(self.update)
        if sample_weight is None:  # it may also come positionally, as in Keras
            self._state = self._jit_update(self._state, *args)
        else:
            self._state = self._jit_update(self._state, *args, sample_weight=sample_weight)

    def result(self) -> jax.Array:
        """The metric value of the accumulated state (Keras API)."""
        state = self._state if self._state is not None else self.initial_state()
        return self.compute(state)

    def reset_state(self) -> None:
        """Forget every accumulated batch (Keras API); variables declared with
        `add_weight` go back to their initial values."""
        self._state = None
        for var, value in zip(self._weights, self._initial_values):
            var.assign(value)

    def __call__(self, *args, sample_weight=None):
        """`update_state` then `result`, as Keras's ``Metric.__call__``."""
        self.update_state(*args, sample_weight=sample_weight)
        return self.result()

    @property
    def state(self) -> Any:
        """The stateful API's current state (None before the first batch)."""
        return self._state

    # -- configuration -----------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        return cls(**config)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_state", None)
        state["_jit_update"] = None  # compiled functions do not copy or pickle
        return state

    def __deepcopy__(self, memo):
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__getstate__().items():
            setattr(new, key, copy.deepcopy(value, memo))
        return new

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Sum(Metric):
    """Weighted sum of values (``keras.metrics.Sum``).

    `update` takes ``(state, values, sample_weight=None)``.

    Example:
        >>> m = Sum(); m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0]); float(m.result())
        4.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def initial_state(self):
        return {"total": self._zeros()}

    def update(self, state, values, sample_weight=None):
        values, _ = reduce_to_samplewise(values, sample_weight, jnp.sum, self.dtype)
        return {"total": state["total"] + jnp.sum(values)}

    def compute(self, state):
        return state["total"]

    def _build_from(self, args):
        pass


class Mean(Metric):
    """Weighted running mean (``keras.metrics.Mean``): ``total / count``.

    `update` takes ``(state, values, sample_weight=None)``. Values of shape
    ``(batch, ...)`` count as ``batch`` samples (each sample's values are
    averaged first); a scalar counts as one sample, or as `sample_weight`
    samples -- the way the training loop tracks the loss, weighted by batch
    size.

    Example:
        >>> m = Mean()
        >>> s = m.update(m.initial_state(), 2.0, sample_weight=32)
        >>> s = m.update(s, 5.0, sample_weight=8)
        >>> round(float(m.compute(s)), 4)  # (2 * 32 + 5 * 8) / 40
        2.6
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def initial_state(self):
        return {"total": self._zeros(), "count": self._zeros()}

    def update(self, state, values, sample_weight=None):
        values, weights = reduce_to_samplewise(values, sample_weight, jnp.mean, self.dtype)
        if weights is not None:
            count = jnp.sum(weights)
        else:
            count = jnp.asarray(values.shape[0] if values.ndim else 1, self.dtype)
        return {"total": state["total"] + jnp.sum(values), "count": state["count"] + count}

    def compute(self, state):
        return divide_no_nan(state["total"], state["count"])

    def _build_from(self, args):
        pass


class MeanMetricWrapper(Mean):
    """Mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``
    (``keras.metrics.MeanMetricWrapper``).

    Args:
        fn: returns per-sample values, shape ``(batch, ...)``.
        name: defaults to ``fn.__name__``.
        dtype: state dtype.
        **kwargs: passed to `fn`.

    Example:
        >>> m = MeanMetricWrapper(lambda t, p: (t - p) ** 2, name="sq")
        >>> float(m([[0.0], [1.0]], [[1.0], [1.0]]))
        0.5
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update(self, state, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update(state, values, sample_weight=sample_weight)

    def get_config(self):
        from ._functions import function_name  # late: avoids an import cycle

        return {**super().get_config(), "fn": function_name(self._fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        from ._functions import function_from_name

        config = dict(config)
        if cls is not MeanMetricWrapper:  # subclasses fix their function
            return cls(**config)
        fn = config.pop("fn")
        return cls(function_from_name(fn) if isinstance(fn, str) else fn, **config)
