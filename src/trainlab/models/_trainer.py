"""The Keras-style training shell: compile, fit, evaluate, predict, and the
``*_on_batch`` methods for online learning.

The shell holds configuration and syncs with the pure core only at
boundaries (ARCHITECTURE.md, principle 1): at the start of `fit` it builds a
`TrainState` from the layers' weights; each epoch runs as compiled programs
(`core.loop.EpochRunner`); between chunks and epochs it reads metric results,
runs callbacks, and pushes back anything a callback changed (weights through
`set_weights`, the optimizer's learning rate, layer hyperparameters).

Compiled programs are cached per data shape, batch size and configuration, so
a second epoch, and a second `fit` call, never recompile.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validation import check_positive_int, check_verbose
from ..core.loop import EpochRunner, EvalRunner, PredictRunner, choose_chunk_steps
from ..core.objective import Objective
from ..core.step import eval_env, init_train_state, make_eval_step, make_predict_step, make_train_step
from ..core.train_state import as_array_tree
from .._interrupts import defer_interrupts
from ..utils.random import next_key
from . import _data
from ..core.trees import trainable_mask
from ._variables import WEIGHTS_VERSION

__all__ = ["TrainerMixin"]


def _host(tree: Any) -> Any:
    return jax.tree.map(lambda a: float(np.asarray(a)), jax.device_get(tree))


def _signature(tree: Any) -> Any:
    """Hashable description of array shapes and dtypes in `tree`."""
    leaves, treedef = jax.tree.flatten(tree)
    return (str(treedef), tuple((tuple(a.shape), str(a.dtype)) for a in leaves))


def _mask_signature(mask: Any) -> Any:
    leaves, treedef = jax.tree.flatten(mask)
    return (str(treedef), tuple(bool(v) for v in leaves))




def _looks_like_metrics(value: Any) -> bool:
    """A list/tuple/dict of metric names or objects (never numbers): metrics
    passed where Keras 3 puts `loss_weights`."""
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return False

    def metric_like(v: Any) -> bool:
        if isinstance(v, (list, tuple)):
            return len(v) > 0 and all(metric_like(u) for u in v)
        return isinstance(v, str) or (callable(v) and not isinstance(v, (int, float)))

    return len(items) > 0 and all(metric_like(v) for v in items)

class TrainerMixin:
    """compile / fit / evaluate / predict for `Model`."""

    def __init__(self) -> None:
        self.optimizer: Any = None
        self.compiled = False
        self.stop_training = False
        self.history: Any = None
        self._compile_args: dict[str, Any] = {}
        self._objective: Objective | None = None
        self._objective_key: Any = None
        self._train_state: Any = None
        self._ts_meta: dict[str, Any] = {}
        self._programs: dict[Any, Any] = {}
        self._steps_per_execution: int | None = None
        self._ts_dirty = False

    # ------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None, metrics: Any = None,
                weighted_metrics: Any = None, run_eagerly: bool = False, steps_per_execution: int | None = None,
                jit_compile: Any = "auto", auto_scale_loss: bool = True) -> None:
        """Configure training (Keras signature and defaults).

        Args:
            optimizer: name ("adam", "sgd", ...) or optimizer object; default "rmsprop" (Keras).
            loss: name, loss object or function; a list / dict for several outputs.
            loss_weights: weights of the outputs' losses in the total. A list of
                metric names or objects here is taken as `metrics` (tf.keras 2's
                positional order, ``compile("adam", "mse", ["mae"])``).
            metrics: e.g. ``["accuracy"]`` (resolved to binary / categorical / sparse
                accuracy from the loss and shapes, as Keras).
            weighted_metrics: metrics weighted by `sample_weight` / `class_weight`.
            steps_per_execution: training steps per compiled call when a progress
                bar or batch callbacks need to run in between (default: about 20
                updates per epoch; without them, one call per epoch).
        """
        from .. import optimizers as _optimizers

        if run_eagerly:
            raise NotImplementedError(
                "`run_eagerly=True` is not supported: trainlab always compiles the training step. "
                "To debug a layer, call it on arrays outside fit (layer(x)) or use jax.disable_jit()."
            )
        if metrics is None and _looks_like_metrics(loss_weights):
            # tf.keras 2 order, compile(optimizer, loss, metrics): course code passes metrics third
            metrics, loss_weights = loss_weights, None
        self.optimizer = _optimizers.get(optimizer)
        self._compile_args = {"loss": loss, "loss_weights": loss_weights, "metrics": metrics,
                              "weighted_metrics": weighted_metrics}
        # resolve names now so that a typo fails here, not after data loading
        self._objective = Objective.build(self, **self._compile_args)
        self._objective_key = None
        self._steps_per_execution = check_positive_int("steps_per_execution", steps_per_execution, allow_none=True)
        self._train_state = None
        self._programs = {}
        self.compiled = True

    def _require_compiled(self, method: str) -> None:
        if not self.compiled:
            raise RuntimeError(
                f"You must call compile() before {method}(): e.g. "
                f"model.compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])."
            )

    @property
    def metrics_names(self) -> list[str]:
        return list(self._objective.log_names) if self._objective is not None else []

    def _objective_for(self, y: Any) -> Objective:
        """The objective, resolved against target shapes (for "accuracy")."""
        provisional = self._objective
        ys = provisional.flatten_targets(y)
        shapes = [None if a is None else (None,) + tuple(np.shape(a)[1:]) for a in ys]
        key = (tuple(map(str, shapes)), str(getattr(self, "output_shape", None)))
        if self._objective_key != key:
            self._objective = Objective.build(self, **self._compile_args, y_shapes=shapes)
            self._objective_key = key
        return self._objective

    # ------------------------------------------------------------------
    # train state lifecycle and host <-> device sync
    def _sync_from_training(self) -> None:
        """Write the live train state into the layers if it is newer."""
        if getattr(self, "_ts_dirty", False) and self._train_state is not None:
            self._store_values({"params": self._train_state.params, "state": self._train_state.state})
            self._ts_meta["weights_version"] = WEIGHTS_VERSION[0]
            self._ts_dirty = False

    def _current_mask(self) -> Any:
        return trainable_mask(self, self._collect_values()["params"])

    def _ensure_train_state(self, objective: Objective) -> Any:
        ts = self._train_state
        mask = self._current_mask()
        msig = _mask_signature(mask)
        if ts is None or self._ts_meta.get("mask") != msig:
            variables = self._collect_values()
            opt_hp = self.optimizer.hyperparameters()
            ts = init_train_state(self, objective, self.optimizer, key=next_key(), variables=variables)
            ts = self._restore_optimizer_state(ts)
            self._ts_meta = {"mask": msig, "mask_tree": mask, "weights_version": WEIGHTS_VERSION[0],
                             "opt_hp": _freeze(opt_hp), "layer_hp": _freeze(self.hyperparameters())}
            self._train_state = ts
        return self._push_host_changes(ts)

    def _restore_optimizer_state(self, ts: Any) -> Any:
        """Fill the optimizer state, step and key from a loaded file when they fit (see saving)."""
        restored_ts = getattr(self, "_restored_train_state", None)
        if restored_ts:
            self._restored_train_state = None
            ts = ts._replace(step=jnp.asarray(restored_ts["step"], jnp.int32),
                             key=jax.random.wrap_key_data(jnp.asarray(restored_ts["key"], jnp.uint32)))
        leaves = getattr(self, "_restored_opt_leaves", None)
        if not leaves:
            return ts
        self._restored_opt_leaves = None
        fresh, treedef = jax.tree.flatten(ts.opt_state)
        if len(fresh) != len(leaves) or any(np.shape(a) != np.shape(b) for a, b in zip(fresh, leaves)):
            import warnings

            warnings.warn("The saved optimizer state does not match the model's trainable weights; it was reset.",
                          stacklevel=3)
            return ts
        restored = [jnp.asarray(b, dtype=jnp.asarray(a).dtype) for a, b in zip(fresh, leaves)]
        # slots and step count come from the file; hyperparameters from the optimizer object, so that a
        # learning rate set after load_model (the usual fine-tuning step) wins over the saved one
        opt_state = jax.tree.unflatten(treedef, restored)
        return ts._replace(opt_state=opt_state._replace(hparams=ts.opt_state.hparams))

    def _push_host_changes(self, ts: Any) -> Any:
        """Apply changes made on the object side (set_weights, learning rate,
        layer hyperparameters) to the compiled state `ts`."""
        if self._ts_meta.get("weights_version") != WEIGHTS_VERSION[0]:
            variables = self._collect_values()
            ts = ts._replace(params=variables["params"], state=variables["state"])
            self._ts_meta["weights_version"] = WEIGHTS_VERSION[0]
        opt_hp = self.optimizer.hyperparameters()
        if _freeze(opt_hp) != self._ts_meta.get("opt_hp"):
            hp = dict(ts.opt_state.hparams)
            hp.update(as_array_tree(opt_hp))
            ts = ts._replace(opt_state=ts.opt_state._replace(hparams=hp))
            self._ts_meta["opt_hp"] = _freeze(opt_hp)
        layer_hp = self.hyperparameters()
        if _freeze(layer_hp) != self._ts_meta.get("layer_hp"):
            ts = ts._replace(hparams=as_array_tree(layer_hp))
            self._ts_meta["layer_hp"] = _freeze(layer_hp)
        self._train_state = ts
        return ts

    def reset_optimizer_state(self) -> None:
        """Forget the optimizer's accumulated slots (momenta, moving averages),
        keeping its hyperparameters and step count.

        Used after restoring weights from before a divergence (the `Autopilot`):
        the slots of the diverged steps hold huge or NaN values that would
        otherwise undo the restore at the next update. No-op before `fit`.
        """
        if self._train_state is None:
            return
        ts = self._push_host_changes(self._train_state)
        from ..core.trees import split_by_mask

        trainable, _ = split_by_mask(ts.params, self._ts_meta["mask_tree"])
        fresh = self.optimizer.init(trainable, ts.opt_state.hparams)
        self._train_state = ts._replace(opt_state=fresh._replace(count=ts.opt_state.count))

    def find_learning_rate(self, x: Any, y: Any = None, **kwargs: Any) -> Any:
        """Learning-rate range test on a copy of the weights (the model is left
        untouched); see `trainlab.doctor.find_learning_rate` for the arguments.

        Example:
            >>> result = model.find_learning_rate(x_train, y_train)   # doctest: +SKIP
            >>> result.suggestion, result.plot("lr.png")              # doctest: +SKIP
        """
        from ..doctor import find_learning_rate

        return find_learning_rate(self, x, y, **kwargs)

    def _set_live_state(self, ts: Any) -> None:
        self._train_state = ts
        self._ts_dirty = True

    # ------------------------------------------------------------------
    # programs (compiled once per configuration)
    def _program(self, key: Any, factory: Any) -> Any:
        prog = self._programs.get(key)
        if prog is None:
            prog = self._programs[key] = factory()
        return prog

    def _train_runner(self, objective: Objective, data: Any, n: int, batch_size: int, chunk: int,
                      grad_norms: bool = False) -> EpochRunner:
        mask = self._ts_meta["mask_tree"]
        key = ("train", id(objective), _signature(data), n, batch_size, chunk, self._ts_meta["mask"], grad_norms)

        def factory() -> EpochRunner:
            step = make_train_step(self, objective, self.optimizer, mask=mask, grad_norms=grad_norms)
            return EpochRunner(step, num_samples=n, batch_size=batch_size, chunk_steps=chunk,
                               results_fn=lambda ts: objective.results(ts.metrics))

        return self._program(key, factory)

    def _evaluate_env(self, objective: Objective, env: dict, data: Any, n: int, batch_size: int) -> dict[str, float]:
        """Metric results of `env` (params, state, hparams) on in-memory `data`."""
        key = ("eval", id(objective), _signature(data), n, batch_size)
        runner = self._program(key, lambda: EvalRunner(
            make_eval_step(self, objective), num_samples=n, batch_size=batch_size,
            init_fn=objective.init_metrics, results_fn=objective.results))
        return _host(runner.run(env, data))

    # ------------------------------------------------------------------
    def _prepare(self, x: Any, y: Any, sample_weight: Any, class_weight: Any = None, *, need_y: bool = True,
                 prefix: str = "") -> tuple[Any, Any, Any, int]:
        if x is None:
            raise ValueError(f"`{prefix}x` is required.")
        x = self._adjust_input_rank(_data.to_arrays(self._host_inputs(x), prefix + "x"))
        if y is None and need_y:
            raise ValueError(
                f"`{prefix}y` is required: pass the targets (labels or values) the model should learn."
            )
        y = _data.to_arrays(y, prefix + "y")
        sw = None if sample_weight is None else _data.to_arrays(sample_weight, prefix + "sample_weight")
        n = _data.check_same_length(**{prefix + "x": x, prefix + "y": y, prefix + "sample_weight": sw})
        if class_weight is not None:
            sw = _data.class_weights_to_sample_weights(class_weight, y, sw)
        if sw is not None and not isinstance(sw, (list, dict)):
            sw = np.asarray(sw, np.float32).reshape(n)
        _data.warn_negative_weights(sw, prefix + "sample_weight")
        _data.check_finite(x, prefix + "x")
        _data.check_finite(y, prefix + "y")
        _data.check_finite(sw, prefix + "sample_weight")
        return x, y, sw, n

    def _check_inputs_fit(self, x: Any, argument: str = "x") -> None:
        x = self._adjust_input_rank(x)
        shape = jax.tree.map(lambda a: (None,) + tuple(a.shape[1:]), x, is_leaf=lambda a: hasattr(a, "shape"))
        if self._expected_input_shape() is not None:
            self._check_model_input(shape, argument)
        self.build_from_data(x)
        consumers = getattr(self, "_input_consumers", None)
        if consumers is not None:
            flat = self._flatten_inputs(x, argument) if hasattr(self, "_flatten_inputs") else [x]
            for i, layer in consumers():
                check = getattr(layer, "validate_input_values", None)
                if check is not None and i < len(flat):
                    check(flat[i], argument)

    # ------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list | None = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, class_weight: dict | None = None,
            sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: int = 1, run_dir: Any = None) -> Any:
        """Train for `epochs` epochs (Keras signature and defaults; returns a `History`).

        Each epoch runs as compiled `lax.scan` programs over batches of `batch_size`
        (default 32; the last batch is smaller when N is not a multiple, as Keras).
        ``validation_split`` takes the *last* fraction of the data before
        shuffling, as Keras does. Plain, mini-batch and stochastic gradient descent
        are ``optimizer="sgd"`` with ``batch_size=len(x)``, ``B`` or ``1``.

        ``run_dir`` (trainlab extension): write a run directory there (config,
        history CSV/JSON, TensorBoard events, checkpoints, diagnosis and a
        self-contained report.html), see `trainlab.report.RunLogger`.
        """
        self._require_compiled("fit")
        batch_size = 32 if batch_size is None else check_positive_int("batch_size", batch_size)
        epochs = int(epochs)
        if epochs < 0 or initial_epoch < 0:
            raise ValueError(f"`epochs` and `initial_epoch` must be >= 0; received {epochs} and {initial_epoch}.")
        validation_freq = check_positive_int("validation_freq", validation_freq)
        verbose = check_verbose(verbose)
        if _data.is_iterable_data(x):
            from ._iterable import fit_iterable

            for arg, value, fix in (("validation_split", validation_split, "pass validation_data=(another dataset)"),
                                    ("y", y, "make the dataset yield (x, y) tuples"),
                                    ("sample_weight", sample_weight, "yield (x, y, sample_weight) tuples"),
                                    ("class_weight", class_weight, "yield (x, y, sample_weight) tuples")):
                if value is not None and value is not False and not (arg == "validation_split" and value == 0):
                    raise ValueError(
                        f"`{arg}` is only supported when `x` holds arrays; `x` is a {type(x).__name__} of "
                        f"batches: {fix}."
                    )
            return fit_iterable(self, x, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=callbacks,
                                validation_data=validation_data, initial_epoch=initial_epoch,
                                steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
                                validation_freq=validation_freq, run_dir=run_dir)
        if not isinstance(validation_split, (int, float)) or not 0.0 <= float(validation_split) < 1.0:
            raise ValueError(
                f"`validation_split` must be in [0, 1); received {validation_split!r}. It is the fraction of "
                f"the training data held out for validation, e.g. 0.2."
            )
        x, y, sw, n = self._prepare(x, y, sample_weight, class_weight)
        val = None
        if validation_data is not None:
            vx, vy, vsw = _data.unpack_xy(validation_data, "`validation_data`")
            vx, vy, vsw, vn = self._prepare(vx, vy, vsw, prefix="val_")
            val = (vx, vy, vsw, vn)
        elif validation_split:
            (x, y, sw), (vx, vy, vsw) = _data.split_tail(validation_split, x, y, sw)
            n = _data.num_samples(x)
            val = (vx, vy, vsw, _data.num_samples(vx))
        if self._overrides("train_step"):  # a model with its own train_step (see _custom_step)
            return self._fit_custom(x, y, sw, batch_size=batch_size, epochs=epochs, verbose=verbose,
                                    callbacks=callbacks, val=val, shuffle=shuffle, initial_epoch=initial_epoch)
        self._check_inputs_fit(x)
        objective = self._objective_for(y)
        objective.validate_targets(y, self)
        if val is not None:
            objective.validate_targets(val[1], self, "validation y")
        n_epoch = n if steps_per_epoch is None else min(n, check_positive_int("steps_per_epoch", steps_per_epoch) * batch_size)

        full_steps = n_epoch // batch_size
        steps = full_steps + (1 if n_epoch % batch_size else 0)
        cbs, history = self._make_callbacks(callbacks, verbose, epochs, steps, batch_size, run_dir=run_dir,
                                            validation_data=None if val is None else val[:2])
        if self._steps_per_execution:
            chunk = self._steps_per_execution
        elif cbs.wants_batch_hooks:
            chunk = choose_chunk_steps(full_steps)
        else:
            chunk = 0
        # a BackupAndRestore with save_freq=N backs up every N steps: chunks must end there
        for need in filter(None, (getattr(cb, "chunk_steps", None) for cb in cbs.callbacks)):
            chunk = math.gcd(chunk, need) if chunk else need

        ts = self._ensure_train_state(objective)
        data = jax.device_put((x, y, sw))
        # callbacks that read gradients (the doctor) set `requires_grad_norms`
        track_grads = any(getattr(cb, "requires_grad_norms", False) for cb in cbs.callbacks)
        runner = self._train_runner(objective, data, n_epoch, batch_size, chunk, grad_norms=track_grads)
        val_data = None if val is None else jax.device_put(val[:3])
        val_bs = validation_batch_size or batch_size
        if shuffle:
            perm_fn = self._program(("perm", n, n_epoch), lambda: jax.jit(lambda k, e: jax.random.permutation(
                jax.random.fold_in(jax.random.fold_in(k, 0x5EED), e), n)[:n_epoch]))
        else:
            perm_fn = self._program(("arange", n_epoch), lambda: jax.jit(lambda k, e: jnp.arange(n_epoch)))
        from ..callbacks.backup import BackupAndRestore

        for cb in cbs.callbacks:
            if isinstance(cb, BackupAndRestore):  # resume only into the same batch layout
                cb._fingerprint = {"num_samples": n_epoch, "batch_size": batch_size, "chunk_steps": runner.chunk_steps}

        def train_epoch(ts: Any, start_step: int = 0) -> Any:
            # a new order every epoch, also across fit calls and resumes: keyed by the run's key and
            # the global step at the start of the epoch
            return runner.calls(ts, data, perm_fn(ts.key, ts.step - start_step), start_step)

        def validate(ts: Any, epoch: int) -> dict[str, float]:
            if val is None or (epoch + 1) % validation_freq:
                return {}
            return self._evaluate_env(objective, eval_env(ts), val_data, val[3], val_bs)

        return self._run_epochs(cbs, history, objective, ts, epochs=epochs, initial_epoch=initial_epoch,
                                train_epoch=train_epoch, validate=validate,
                                report=(lambda done: True) if chunk else None)

    def _make_callbacks(self, callbacks: list | None, verbose: int, epochs: int, steps: int | None,
                        batch_size: int, run_dir: Any = None, validation_data: Any = None) -> tuple[Any, Any]:
        """The user's callbacks, then History and the progress bar (Keras' order),
        then the run-directory logger when `run_dir` is given (last, so that it
        records every other callback's actions)."""
        from ..callbacks import BackupAndRestore, CallbackList, History, ProgbarLogger

        cbs = CallbackList(callbacks)
        history = History()
        cbs.append(history)
        if verbose:
            cbs.append(ProgbarLogger(verbose))
        if run_dir is not None:
            from ..report import RunLogger

            cbs.append(RunLogger(run_dir, validation_data=validation_data))
            if not any(isinstance(cb, BackupAndRestore) for cb in cbs.callbacks):
                cbs.append(BackupAndRestore(os.path.join(os.fspath(run_dir), "backup")))
        # backups last: they record the state every other callback has reached at the epoch's end
        backups = [cb for cb in cbs.callbacks if isinstance(cb, BackupAndRestore)]
        if len(backups) > 1:
            raise ValueError(
                f"`callbacks` holds {len(backups)} BackupAndRestore callbacks; one run resumes from one backup. "
                f"Keep one (fit(run_dir=...) adds one in <run_dir>/backup)."
            )
        cbs.callbacks = [cb for cb in cbs.callbacks if cb not in backups] + backups
        for cb in backups:
            cb._callbacks = cbs.callbacks
        for cb in cbs.callbacks:
            cb.set_model(self)
            cb.set_params({"epochs": epochs, "steps": steps, "verbose": verbose, "batch_size": batch_size})
        return cbs, history

    def _run_epochs(self, cbs: Any, history: Any, objective: Objective, ts: Any, *, epochs: int, initial_epoch: int,
                    train_epoch: Any, validate: Any, report: Any = None) -> Any:
        """The epoch loop shared by every `fit` path.

        Args:
            train_epoch: ``ts -> iterator of (ts, step_logs, results, steps_done)``,
                one item per compiled call.
            validate: ``(ts, epoch) -> dict`` of validation results (may be empty).
            report: ``steps_done -> bool``: run batch-level callbacks after this call.
        """
        from ..callbacks.backup import BackupAndRestore
        from ._resume import restore, set_callback_states

        track_grads = any(getattr(cb, "requires_grad_norms", False) for cb in cbs.callbacks)
        total_steps = history.params.get("steps")
        self.stop_training = False
        logs: dict[str, float] = {}
        backup = next((cb for cb in cbs.callbacks if isinstance(cb, BackupAndRestore)), None)
        start_step = 0
        try:
            for cb in cbs.callbacks:
                if hasattr(cb, "_on_fit_start"):  # lock the run directory / backup folder first
                    cb._on_fit_start()
            saved = backup.load() if backup is not None else None
            if saved is not None:
                tensors, meta, path = saved
                backup.check_fingerprint(meta, path)
                ts = restore(self, ts._replace(metrics=objective.init_metrics()), tensors, meta, path=path)
                initial_epoch, start_step = int(meta["epoch"]), int(meta["step_in_epoch"])
            self._initial_epoch = initial_epoch
            cbs.on_train_begin()
            if saved is not None:
                set_callback_states(cbs.callbacks, saved[1].get("callbacks", []))
            for epoch in range(initial_epoch, epochs):
                ts = self._push_host_changes(ts)
                cbs.on_epoch_begin(epoch)
                ts = self._push_host_changes(ts)
                if not start_step:
                    ts = ts._replace(metrics=objective.init_metrics())
                t0 = time.perf_counter()
                step_logs_all, results = [], None
                if report is not None:
                    cbs.on_train_batch_begin(start_step)
                for ts, step_logs, results, done in train_epoch(ts, start_step):
                    self._set_live_state(ts)
                    step_logs_all.append(step_logs)
                    if report is not None and report(done):
                        cbs.on_train_batch_end(done - 1, _host(results))
                        ts = self._push_host_changes(self._train_state)
                        if total_steps is not None and done < total_steps:
                            cbs.on_train_batch_begin(done)  # the first batch of the next chunk
                    if self.stop_training:
                        break
                if results is None and start_step:  # resumed after the epoch's last step
                    results = objective.results(ts.metrics)
                start_step = 0
                logs = _host(results) if results is not None else {}
                logs.update({"val_" + k: v for k, v in validate(ts, epoch).items()})
                self._set_live_state(ts)
                self._sync_from_training()
                with defer_interrupts():  # history, checkpoints and backup of one epoch: all or none
                    _record_epoch(history, step_logs_all, time.perf_counter() - t0,
                                  float(self.optimizer.learning_rate_at(ts.opt_state)), track_grads)
                    cbs.on_epoch_end(epoch, logs)
                ts = self._push_host_changes(self._train_state)
                if self.stop_training:
                    break
            cbs.on_train_end(logs)
            self._push_host_changes(self._train_state)
        except KeyboardInterrupt:
            # Ctrl-C: the model keeps the weights of the last finished chunk; the run directory gets
            # the report and diagnosis of the finished epochs (their history and checkpoints agree)
            self._sync_from_training()
            for cb in cbs.callbacks:
                if hasattr(cb, "_on_interrupt"):
                    cb._on_interrupt()
            raise
        finally:
            self._sync_from_training()
            for cb in cbs.callbacks:
                if hasattr(cb, "_on_fit_exit"):
                    cb._on_fit_exit()
        self.history = history
        return history

    # ------------------------------------------------------------------
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = "auto",
                 sample_weight: Any = None, steps: int | None = None, callbacks: list | None = None,
                 return_dict: bool = False) -> Any:
        """Loss and metrics on `x`, `y` in inference mode.

        Returns:
            The loss (no metrics), ``[loss, *metrics]``, or a dict with `return_dict`.
        """
        self._require_compiled("evaluate")
        batch_size = 32 if batch_size is None else check_positive_int("batch_size", batch_size)
        cbs = _hook_list(self, callbacks, steps)
        cbs.on_test_begin()
        cbs.on_test_batch_begin(0)
        if _data.is_iterable_data(x):
            from ._iterable import evaluate_iterable

            logs = evaluate_iterable(self, x, steps=steps)
        else:
            x, y, sw, n = self._prepare(x, y, sample_weight)
            self._check_inputs_fit(x)
            objective = self._objective_for(y)
            objective.validate_targets(y, self)
            if self._overrides("test_step"):
                logs = self._run_steps("test_step", x, y, sw, batch_size, np.arange(n))
            else:
                env = {**self.variables, "hparams": as_array_tree(self.hyperparameters())}
                logs = self._evaluate_env(objective, env, jax.device_put((x, y, sw)), n, batch_size)
        cbs.on_test_batch_end(max(int(steps or 1) - 1, 0), dict(logs))
        cbs.on_test_end(dict(logs))
        verbose = check_verbose(verbose)
        if verbose:
            from ..callbacks.progbar import format_logs

            print(format_logs(logs))
        if return_dict:
            return logs
        values = [logs[k] for k in self._objective.log_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = "auto", steps: int | None = None,
                callbacks: list | None = None) -> Any:
        """Model outputs for `x` in inference mode, as numpy arrays.

        `callbacks` get ``on_predict_begin``, one ``on_predict_batch_begin`` /
        ``on_predict_batch_end`` pair (logs ``{"outputs": ...}``: the whole
        prediction runs as one compiled pass) and ``on_predict_end``."""
        batch_size = 32 if batch_size is None else check_positive_int("batch_size", batch_size)
        check_verbose(verbose)
        if callbacks:
            cbs = _hook_list(self, callbacks, steps)
            cbs.on_predict_begin()
            cbs.on_predict_batch_begin(0)
            out = self.predict(x, batch_size=batch_size, verbose=verbose, steps=steps)
            cbs.on_predict_batch_end(max(int(steps or 1) - 1, 0), {"outputs": out})
            cbs.on_predict_end()
            return out
        if _data.is_iterable_data(x):
            from ._iterable import predict_iterable

            return predict_iterable(self, x, steps=steps)
        x = self._adjust_input_rank(_data.to_arrays(self._host_inputs(x), "x"))
        n = _data.check_same_length(x=x)
        _data.check_finite(x, "x")
        self._check_inputs_fit(x)
        data = jax.device_put(x)
        key = ("predict", _signature(data), n, batch_size)
        runner = self._program(key, lambda: PredictRunner(make_predict_step(self), num_samples=n, batch_size=batch_size))
        out = runner.run(self.variables, data)
        return jax.tree.map(np.asarray, jax.device_get(out))

    # ------------------------------------------------------------------
    # online learning
    def _batch_objective(self, x: Any, y: Any, sample_weight: Any, class_weight: Any) -> tuple:
        x, y, sw, n = self._prepare(x, y, sample_weight, class_weight)
        self._check_inputs_fit(x)
        objective = self._objective_for(y)
        objective.validate_targets(y, self)
        return x, y, sw, objective

    def _logs_out(self, logs: dict, return_dict: bool) -> Any:
        if return_dict:
            return logs
        values = [logs[k] for k in self._objective.log_names]
        return values[0] if len(values) == 1 else values

    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: dict | None = None,
                       return_dict: bool = False) -> Any:
        """One gradient update on one batch (online learning). Returns the batch's
        loss (and metrics) computed during the update."""
        self._require_compiled("train_on_batch")
        x, y, sw, objective = self._batch_objective(x, y, sample_weight, class_weight)
        ts = self._ensure_train_state(objective)
        batch = jax.device_put((x, y, sw))
        key = ("train_on_batch", id(objective), _signature(batch), self._ts_meta["mask"])

        def factory():
            step = make_train_step(self, objective, self.optimizer, mask=self._ts_meta["mask_tree"])

            def run(ts, batch):
                ts = ts._replace(metrics=objective.init_metrics())
                ts, _ = step(ts, batch)
                return ts, objective.results(ts.metrics)

            return jax.jit(run)

        ts, results = self._program(key, factory)(ts, batch)
        self._set_live_state(ts)
        self._sync_from_training()
        return self._logs_out(_host(results), return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False) -> Any:
        """Loss (and metrics) on one batch, in inference mode, without updating."""
        self._require_compiled("test_on_batch")
        x, y, sw, objective = self._batch_objective(x, y, sample_weight, None)
        batch = jax.device_put((x, y, sw))
        key = ("test_on_batch", id(objective), _signature(batch))

        def factory():
            step = make_eval_step(self, objective)
            return jax.jit(lambda env, batch: objective.results(step(env, objective.init_metrics(), batch)))

        env = {**self.variables, "hparams": as_array_tree(self.hyperparameters())}
        return self._logs_out(_host(self._program(key, factory)(env, batch)), return_dict)

    def predict_on_batch(self, x: Any) -> Any:
        """Outputs for one batch (no batching inside)."""
        x = self._adjust_input_rank(_data.to_arrays(self._host_inputs(x), "x"))
        self._check_inputs_fit(x)
        data = jax.device_put(x)
        key = ("predict_on_batch", _signature(data))
        fn = self._program(key, lambda: jax.jit(make_predict_step(self)))
        return jax.tree.map(np.asarray, jax.device_get(fn(self.variables, data)))

    # ------------------------------------------------------------------
    def save(self, filepath: Any, overwrite: bool = True) -> None:
        """Save architecture, weights, compile configuration and optimizer state to
        one file (safetensors container; never pickle). Atomic: a failed save leaves
        an existing file intact. Load with `trainlab.models.load_model`."""
        from ..saving import save_model

        save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: Any, overwrite: bool = True) -> None:
        """Save only the weights (safetensors)."""
        from ..saving import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: Any) -> None:
        """Load weights saved by `save_weights` or `save` into this model."""
        from ..saving import load_weights

        load_weights(self, filepath)


def _hook_list(model: Any, callbacks: list | None, steps: int | None) -> Any:
    """The user's callbacks for `evaluate` / `predict` (Keras calls their test / predict hooks)."""
    from ..callbacks import CallbackList

    cbs = CallbackList(callbacks, model=model)
    for cb in cbs.callbacks:
        cb.set_params({"steps": steps, "verbose": 0})
    return cbs


def _record_epoch(history: Any, step_logs: list[dict], seconds: float, learning_rate: float,
                  track_grads: bool) -> None:
    """Append one epoch's extras to `history`: time, learning rate, step losses, gradient norms."""
    history.epoch_seconds.append(seconds)
    history.learning_rate.append(learning_rate)
    history.step_loss.append(
        np.concatenate([np.asarray(s["loss"]).reshape(-1) for s in step_logs]) if step_logs else np.zeros(0))
    if track_grads and step_logs:
        names = step_logs[0]["grad_norms"]
        history.grad_norms.append({
            name: float(np.mean(np.concatenate([np.asarray(s["grad_norms"][name]).reshape(-1) for s in step_logs])))
            for name in names
        })


def _freeze(tree: Any) -> Any:
    """A hashable, comparable snapshot of a nested dict of floats / arrays."""
    if isinstance(tree, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in tree.items()))
    try:
        arr = np.asarray(tree)
        return (arr.shape, tuple(arr.reshape(-1).tolist()))
    except Exception:  # schedules and other objects
        return repr(tree)
