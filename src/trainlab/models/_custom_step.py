"""Overriding ``Model.train_step`` / ``test_step``, as the Keras guide
"Customizing what happens in fit()" does.

trainlab takes tf.keras's stateful signature, ``train_step(self, data) ->
logs``, with the loop's usual translation (`trainlab.value_and_grad` in place
of the tape)::

    class CustomModel(tl.Model):
        def train_step(self, data):
            x, y = data
            def compute_loss(model):
                y_pred = model(x, training=True)
                return model.compute_loss(y=y, y_pred=y_pred), y_pred
            (loss, y_pred), grads = tl.value_and_grad(compute_loss, has_aux=True)(self)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

`fit` then runs the step compiled with `trainlab.function` (one compiled
program per batch shape; the model, its optimizer and metrics are lifted in
and written back), with callbacks, validation and History as usual. Keras 3's
JAX-backend signature ``train_step(self, state, data)`` is not used: it
raises an error that shows this form. Only epoch and batch hooks run; the
model must have one output.
"""

from __future__ import annotations

import inspect
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["CustomStepMixin"]


def _unpack(data: Any) -> tuple[Any, Any, Any]:
    if isinstance(data, (tuple, list)):
        if len(data) == 3:
            return data[0], data[1], data[2]
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 1:
            return data[0], None, None
    return data, None, None


class _CompiledMetrics:
    """tf.keras 2's ``model.compiled_metrics``: ``update_state(y, y_pred)`` on the compiled metrics."""

    def __init__(self, model: Any):
        self.model = model

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        for m in self.model.metrics[1:]:
            m.update_state(y_true, y_pred, sample_weight=sample_weight)


class CustomStepMixin:
    """``train_step`` / ``test_step`` / ``compute_loss`` / ``metrics`` for `Model`."""

    # -- what a custom step uses ----------------------------------------------------
    @property
    def metrics(self) -> list:
        """The loss tracker (a `Mean` named "loss") then the compiled metrics (Keras order)."""
        objective = getattr(self, "_objective", None)
        if objective is None:
            return []
        out = [objective._loss_tracker]
        for o in objective.outputs:
            out += list(o.metrics) + list(o.weighted_metrics or [])
        return out

    @property
    def compiled_metrics(self) -> _CompiledMetrics:
        """tf.keras 2's name: ``self.compiled_metrics.update_state(y, y_pred)``."""
        return _CompiledMetrics(self)

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None,
                     training: bool = True) -> jax.Array:
        """The compiled loss of `y_pred` against `y`, plus weight penalties (Keras 3).

        Args:
            x: unused (Keras signature).
            y: targets, ``(N, ...)``.
            y_pred: the model's outputs (probabilities, as ``model(x)`` returns them).
            sample_weight: optional ``(N,)`` weights.

        Returns:
            A scalar.
        """
        self._require_compiled("compute_loss")
        objective = self._objective
        ys = objective.flatten_targets(y)
        outs = objective.flatten_outputs(y_pred)
        sws = objective.sample_weights_for(sample_weight)
        total = jnp.zeros((), jnp.float32)
        for spec, yt, yp, sw in zip(objective.outputs, ys, outs, sws):
            if spec.loss is not None:
                total = total + spec.weight * spec.loss(yt, yp, sample_weight=sw)
        return total + self.regularization_loss(self._collect_values()["params"])

    def compiled_loss(self, y: Any, y_pred: Any, sample_weight: Any = None, regularization_losses: Any = None) -> Any:
        """tf.keras 2's ``self.compiled_loss(y, y_pred)`` (the same as `compute_loss`)."""
        return self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)

    # -- the default steps (what fit does, written the stateful way) -----------------
    def train_step(self, data: Any) -> dict:
        """One update on a batch ``(x, y)`` or ``(x, y, sample_weight)``; override to customize `fit`."""
        from ..autodiff import value_and_grad

        x, y, sw = _unpack(data)

        def compute_loss(model: Any) -> tuple:
            y_pred = model(x, training=True)
            return model.compute_loss(x, y, y_pred, sw), y_pred

        (loss, y_pred), grads = value_and_grad(compute_loss, has_aux=True)(self)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return self._update_metrics(loss, y, y_pred, sw)

    def test_step(self, data: Any) -> dict:
        """Loss and metrics on a batch in inference mode; override to customize `evaluate`."""
        x, y, sw = _unpack(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sw, training=False)
        return self._update_metrics(loss, y, y_pred, sw)

    def _update_metrics(self, loss: Any, y: Any, y_pred: Any, sw: Any) -> dict:
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sw)
        return {m.name: m.result() for m in self.metrics}

    # -- fit / evaluate with an overridden step ----------------------------------------
    def _overrides(self, name: str) -> bool:
        method = getattr(type(self), name)
        if method is getattr(CustomStepMixin, name):
            return False
        params = [p for p in inspect.signature(method).parameters.values() if p.name != "self"]
        if len(params) != 1:
            raise TypeError(
                f"{type(self).__name__}.{name} takes ({', '.join(p.name for p in params)}); trainlab calls "
                f"{name}(self, data) with data = (x, y) or (x, y, sample_weight), as tf.keras does, and returns a "
                f"dict of logs. Keras 3's JAX form {name}(self, state, data) is not used: read and update "
                f"self.trainable_variables, self.optimizer and self.metrics instead (see README, 'Custom training "
                f"loops')."
            )
        return True

    def _step_function(self, name: str) -> Any:
        from ..autodiff import function

        cache = self.__dict__.setdefault("_custom_step_functions", {})
        if name not in cache:
            method = getattr(self, name)
            cache[name] = function(lambda data: method(data))
        return cache[name]

    def _run_steps(self, name: str, x: Any, y: Any, sw: Any, batch_size: int, order: np.ndarray,
                   on_batch: Any = None) -> dict[str, float]:
        for m in self.metrics:
            m.reset_state()
        step = self._step_function(name)
        logs: Any = {}
        for i, start in enumerate(range(0, len(order), batch_size)):
            idx = order[start:start + batch_size]
            take = (lambda a: None if a is None else jax.tree.map(lambda v: v[idx], a))
            data = (take(x), take(y)) if sw is None else (take(x), take(y), take(sw))
            logs = step(data)
            if on_batch is not None:
                on_batch(i, logs)
            if getattr(self, "stop_training", False) and name == "train_step":
                break
        return {k: float(np.asarray(v)) for k, v in dict(logs).items()}

    def _fit_custom(self, x: Any, y: Any, sw: Any, *, batch_size: int, epochs: int, verbose: int, callbacks: Any,
                    val: Any, shuffle: bool, initial_epoch: int) -> Any:
        """`fit` for a model with its own `train_step` (one compiled call per batch)."""
        from ..utils.random import next_seed

        n = len(jax.tree.leaves(x)[0])
        steps = -(-n // batch_size)
        self.build_from_data(x)
        self._objective_for(y)
        cbs, history = self._make_callbacks(callbacks, verbose, epochs, steps, batch_size,
                                            validation_data=None if val is None else val[:2])
        rng = np.random.default_rng(next_seed())
        self.stop_training = False
        logs: dict[str, float] = {}
        cbs.on_train_begin()
        host = (lambda d: {k: float(np.asarray(v)) for k, v in dict(d).items()})
        for epoch in range(initial_epoch, epochs):
            cbs.on_epoch_begin(epoch)
            order = rng.permutation(n) if shuffle else np.arange(n)
            logs = self._run_steps("train_step", x, y, sw, batch_size, order,
                                   on_batch=lambda i, d: cbs.on_train_batch_end(i, host(d)))
            if val is not None:
                vx, vy, vsw = val[:3]
                vlogs = self._run_steps("test_step", vx, vy, vsw, batch_size, np.arange(len(jax.tree.leaves(vx)[0])))
                logs.update({"val_" + k: v for k, v in vlogs.items()})
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        self.history = history
        return history
