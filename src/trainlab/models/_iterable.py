"""fit / evaluate / predict on data that comes in batches: a `trainlab.data.Dataset`,
a generator, or any iterable of ``(x, y)`` / ``(x, y, sample_weight)`` tuples.

Each batch goes through one jitted step (compiled once per batch shape, so a
smaller last batch costs one more compilation). In-memory arrays take the
faster path in `_trainer` where a whole epoch is one compiled program.
"""

from __future__ import annotations

import itertools
from typing import Any

import jax
import numpy as np

from ..core.step import eval_env, make_eval_step, make_predict_step, make_train_step
from ..core.train_state import as_array_tree
from . import _data

__all__ = ["fit_iterable", "evaluate_iterable", "predict_iterable"]


def _batches(data: Any, steps: int | None, iterator_cache: dict) -> Any:
    """Batches for one epoch: re-iterate re-iterables; continue one-shot iterators."""
    if hasattr(data, "__next__"):  # a generator / iterator: keep consuming it
        it = iterator_cache.setdefault("it", data)
        return itertools.islice(it, steps) if steps else it
    it = iter(data)
    return itertools.islice(it, steps) if steps else it


def _known_length(data: Any) -> int | None:
    """``len(data)``, or None when it has none or it is unknown (a Dataset with a
    generator or filter raises TypeError, as tf.data does)."""
    try:
        return len(data) if hasattr(data, "__len__") else None
    except TypeError:
        return None


def _as_arrays(data: Any, argument: str) -> Any:
    """Like `_data.to_arrays`, but batches already on the device (a prefetching
    Dataset) stay there instead of making a round trip through the host."""
    leaves = jax.tree.leaves(data)
    if leaves and all(isinstance(a, jax.Array) and a.dtype in (np.float32, np.int32) for a in leaves):
        return data
    return _data.to_arrays(data, argument)


def _host(tree: Any) -> Any:
    return jax.tree.map(lambda a: float(np.asarray(a)), jax.device_get(tree))


def fit_iterable(model: Any, data: Any, *, batch_size: int, epochs: int, verbose: int, callbacks: Any,
                 validation_data: Any, initial_epoch: int, steps_per_epoch: int | None,
                 validation_steps: int | None, validation_freq: int, run_dir: Any = None) -> Any:
    """`fit` on batches from an iterable (see the module docstring)."""
    if hasattr(data, "__next__") and steps_per_epoch is None and epochs > 1:
        raise ValueError(
            "`x` is a generator (it can be iterated only once), so `steps_per_epoch` is required to know where "
            "each epoch ends. Pass steps_per_epoch=..., or use a trainlab.data.Dataset, which can be re-iterated."
        )
    cache: dict = {}
    batches = _batches(data, steps_per_epoch, cache)
    first = next(iter(batches), None)
    if first is None:
        raise ValueError("`x` produced no batches.")
    x0, y0, _ = _data.unpack_xy(first, "Each batch of `x`")
    x0, y0 = _as_arrays(model._host_inputs(x0), "x"), _as_arrays(y0, "y")
    model._check_inputs_fit(x0)
    objective = model._objective_for(y0)
    steps = steps_per_epoch or _known_length(data)
    cbs, history = model._make_callbacks(callbacks, verbose, epochs, steps, batch_size, run_dir=run_dir)
    for cb in cbs.callbacks:
        if getattr(cb, "chunk_steps", None):
            raise ValueError(
                f"`save_freq` of BackupAndRestore is {cb.chunk_steps} steps, but `x` is a {type(data).__name__} of "
                f"batches, whose order a resumed run cannot replay in the middle of an epoch. Use "
                f"save_freq='epoch', or pass arrays."
            )
    ts = model._ensure_train_state(objective)
    track_grads = any(getattr(cb, "requires_grad_norms", False) for cb in cbs.callbacks)
    report_every = max(1, (steps or 100) // 20)
    pending = {"first": first, "batches": batches}

    def step_fn(ts: Any, batch: Any) -> Any:
        key = ("iter_train", id(objective), _signature(batch), model._ts_meta["mask"], track_grads)

        def factory():
            step = make_train_step(model, objective, model.optimizer, mask=model._ts_meta["mask_tree"],
                                   grad_norms=track_grads)

            def run(ts, b):
                ts, logs = step(ts, b)
                return ts, logs, objective.results(ts.metrics)

            return jax.jit(run)

        return model._program(key, factory)(ts, batch)

    def train_epoch(ts: Any, start_step: int = 0) -> Any:
        if start_step:
            raise ValueError(
                "This backup was written in the middle of an epoch, which cannot be resumed when `x` is a "
                "Dataset or generator (its batch order is its own). Use BackupAndRestore(save_freq='epoch') "
                "with batched data, or pass arrays."
            )
        if pending["first"] is not None:  # the batch already read to build the model
            source = itertools.chain([pending["first"]], pending["batches"])
            pending["first"] = None
        else:
            source = _batches(data, steps_per_epoch, cache)
        for i, batch in enumerate(source):
            x, y, sw = _data.unpack_xy(batch, "Each batch of `x`")
            x, y = _as_arrays(model._host_inputs(x), "x"), _as_arrays(y, "y")
            sw = None if sw is None else np.asarray(sw, np.float32)
            ts, step_logs, results = step_fn(ts, jax.device_put((x, y, sw)))
            yield ts, step_logs, results, i + 1

    def validate(ts: Any, epoch: int) -> dict:
        if validation_data is None or (epoch + 1) % validation_freq:
            return {}
        return _evaluate(model, objective, validation_data, validation_steps, env=eval_env(ts))

    report = (lambda done: done % report_every == 0) if cbs.wants_batch_hooks else None
    return model._run_epochs(cbs, history, objective, ts, epochs=epochs, initial_epoch=initial_epoch,
                             train_epoch=train_epoch, validate=validate, report=report)


def _signature(tree: Any) -> Any:
    from ._trainer import _signature as sig

    return sig(tree)


def _evaluate(model: Any, objective: Any, data: Any, steps: int | None, env: dict | None = None) -> dict:
    if not _data.is_iterable_data(data):
        x, y, sw = _data.unpack_xy(data, "`validation_data`") if isinstance(data, (tuple, list)) else (data, None, None)
        x, y, sw, n = model._prepare(x, y, sw, prefix="val_")
        env = env or {**model.variables, "hparams": as_array_tree(model.hyperparameters())}
        return model._evaluate_env(objective, env, jax.device_put((x, y, sw)), n, 32)
    env = env or {**model.variables, "hparams": as_array_tree(model.hyperparameters())}
    metrics = objective.init_metrics()
    for batch in (itertools.islice(iter(data), steps) if steps else data):
        x, y, sw = _data.unpack_xy(batch, "Each batch of `validation_data`")
        x, y = _as_arrays(model._host_inputs(x), "x"), _as_arrays(y, "y")
        sw = None if sw is None else np.asarray(sw, np.float32)
        batch = jax.device_put((x, y, sw))
        key = ("iter_eval", id(objective), _signature(batch))
        fn = model._program(key, lambda: jax.jit(make_eval_step(model, objective)))
        metrics = fn(env, metrics, batch)
    return _host(objective.results(metrics))


def evaluate_iterable(model: Any, data: Any, steps: int | None = None) -> dict:
    iterator = iter(data)
    first = next(iterator)
    if iterator is data:  # a one-shot generator: keep the batch just read
        data = itertools.chain([first], iterator)
    x0, y0, _ = _data.unpack_xy(first, "Each batch of `x`")
    model._check_inputs_fit(_as_arrays(model._host_inputs(x0), "x"))  # builds an unbuilt model, as predict does
    objective = model._objective_for(_data.to_arrays(y0, "y"))
    return _evaluate(model, objective, data, steps)


def predict_iterable(model: Any, data: Any, steps: int | None = None) -> Any:
    outs = []
    variables = None
    for batch in (itertools.islice(iter(data), steps) if steps else data):
        x = batch[0] if isinstance(batch, (tuple, list)) and len(batch) in (2, 3) else batch
        x = _data.to_arrays(model._host_inputs(x), "x")
        model._check_inputs_fit(x)
        variables = variables or model.variables
        x = jax.device_put(x)
        key = ("predict_on_batch", _signature(x))
        fn = model._program(key, lambda: jax.jit(make_predict_step(model)))
        outs.append(jax.device_get(fn(variables, x)))
    if not outs:
        raise ValueError("`x` produced no batches to predict on.")
    return jax.tree.map(lambda *a: np.concatenate(a), *outs)
