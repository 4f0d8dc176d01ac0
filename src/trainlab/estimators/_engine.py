"""Compiled training and inference shared by estimators of the same structure.

scikit-learn creates many estimators: `clone` in `GridSearchCV` and
`cross_val_score`, one per fold and candidate. Each would build a new trainlab
model and, through `Model.fit`, compile new XLA programs (about a second each on
a CPU). This module keeps one `Engine` per *structure* (architecture, layer
names, loss, optimizer kind, data shapes): its programs are traced once with a
template model and then run with the weights, state, optimizer state and
hyperparameters of any model of that structure, because all of those are
arguments of the pure step, never constants in it. Learning rates and L1/L2
strengths are array leaves of the train state (ARCHITECTURE.md principle 4),
so a grid search over them reuses one program.

Training runs on the level-1 core: `core.make_train_step` inside a
`core.EpochRunner` (one `lax.scan` per epoch). To keep the number of distinct
programs small, data are padded to a bucketed number of rows ``P`` and each
epoch's order is drawn on the host:

* step ``s`` of an epoch takes ``B`` positions of the host permutation; the
  last partial batch (or the only batch of a data set smaller than ``B``) is
  filled up with a padding row;
* a per-row ``real`` flag (1 for data, 0 for padding) scales the sample
  weights by ``B / (real rows in the batch)``, so the loss of a partial batch
  is the mean over its real rows, exactly as in Keras; padding rows have
  weight 0 and contribute no gradient.

A program therefore depends on ``(structure, P, steps per epoch, B)`` only, and
inference on ``(structure, P)``: padded rows are cut off after the call. (Models
with `BatchNormalization` train on exact batches instead: padding rows would
enter its batch statistics.)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..core.loop import EpochRunner, PredictRunner
from ..core.objective import Objective
from ..core.step import make_predict_step, make_train_step
from ..core.train_state import TrainState, as_array_tree
from ..core.trees import split_by_mask, trainable_mask

__all__ = ["Engine", "get_engine", "clear_engines", "bucket_rows", "optimizer_signature", "ENGINE_CACHE_SIZE"]

ENGINE_CACHE_SIZE = 64
_ENGINES: "OrderedDict[Any, Engine]" = OrderedDict()
_LOCK = threading.Lock()


MIN_ROWS = 256


def bucket_rows(n: int) -> int:
    """Rows after padding: the next power of two above `n` (at least `MIN_ROWS`, so
    that all small data sets share programs), or for large data the next
    multiple of 2**16 (at most 6% padding)."""
    need = int(n) + 1  # room for one padding row
    if need <= 2**16:
        return max(MIN_ROWS, 1 << (need - 1).bit_length())
    step = 2**16
    return -(-need // step) * step


def optimizer_signature(optimizer: Any) -> tuple:
    """The static part of an optimizer: class and settings that are not array hyperparameters."""
    hp = optimizer.hyperparameters()
    config = optimizer.get_config()
    static = tuple(sorted((k, repr(v)) for k, v in config.items()
                          if k not in hp and k not in ("name", "learning_rate")))
    lr = getattr(optimizer, "_learning_rate", None)
    return (type(optimizer).__name__, static, type(lr).__name__, tuple(sorted(hp)))


def _uses_batch_statistics(model: Any) -> bool:
    """True when a layer of `model` normalizes with statistics of the whole batch."""
    from ..layers.normalization import BatchNormalization

    stack = list(model.layers) if hasattr(model, "layers") else []
    while stack:
        layer = stack.pop()
        if isinstance(layer, BatchNormalization):
            return True
        stack.extend(layer.sublayers)
    return False


def get_engine(key: Any, factory: Callable[[], "Engine"]) -> "Engine":
    """The engine for structure `key`, built by `factory` on first use (LRU cache)."""
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            _ENGINES.move_to_end(key)
            return engine
    engine = factory()
    with _LOCK:
        _ENGINES[key] = engine
        while len(_ENGINES) > ENGINE_CACHE_SIZE:
            _ENGINES.popitem(last=False)
    return engine


def clear_engines() -> None:
    """Forget every cached program (frees memory; the next fit compiles again)."""
    with _LOCK:
        _ENGINES.clear()


class Engine:
    """Programs for one structure, traced with a template `model`.

    Args:
        model: the template model (its layer objects are used during tracing).
        loss: Keras-style loss identifier.
        optimizer: the template optimizer (only its static settings matter).

    Inference programs return the model's outputs, or with ``logits=True`` the
    pre-activation outputs of a sigmoid / softmax output layer (for
    `decision_function`).
    """

    def __init__(self, model: Any, loss: Any, optimizer: Any):
        self.model = model
        self.optimizer = optimizer
        self.objective = Objective.build(model, loss=loss)
        self._train_step = make_train_step(model, self.objective, optimizer)
        self.batch_statistics = _uses_batch_statistics(model)
        self._runners: dict[tuple, EpochRunner] = {}
        self._predictors: dict[tuple, PredictRunner] = {}
        self.compiles = 0

    # ------------------------------------------------------------------
    def init_state(self, model: Any, variables: dict, optimizer: Any, seed: int) -> TrainState:
        """A fresh train state for `model` (same structure as the template)."""
        params = variables["params"]
        trainable, _ = split_by_mask(params, trainable_mask(model, params))
        return TrainState.create(params=params, state=variables.get("state", {}), optimizer=optimizer,
                                 trainable_params=trainable, key=jax.random.key(int(seed)),
                                 hparams=model.hyperparameters(), metrics=self.objective.init_metrics())

    @staticmethod
    def refresh_hparams(ts: TrainState, model: Any, optimizer: Any) -> TrainState:
        """Put the current learning rate / regularization strengths into `ts` (warm starts)."""
        opt_hp = dict(ts.opt_state.hparams)
        opt_hp.update(as_array_tree(optimizer.hyperparameters()))
        return ts._replace(opt_state=ts.opt_state._replace(hparams=opt_hp),
                           hparams=as_array_tree(model.hyperparameters()))

    def _runner(self, rows: int, positions: int, batch_size: int, weighted: bool) -> EpochRunner:
        """The program for `positions` permutation entries in batches of `batch_size`.

        Unweighted steps take ``(x, y, sample_weight)`` of real rows; weighted
        steps take ``(x, y, sample_weight, real)`` and scale the weights so that a
        batch's loss is the mean over its real rows (padding rows weigh 0).
        """
        key = (rows, positions, batch_size, weighted)
        runner = self._runners.get(key)
        if runner is None:
            step = self._train_step

            def weighted_step(ts: TrainState, batch: tuple) -> tuple[TrainState, dict]:
                x, y, sw, real = batch
                count = jnp.maximum(jnp.sum(real), 1.0)
                weight = real * (real.shape[0] / count)
                return step(ts, (x, y, weight if sw is None else sw * weight))

            runner = EpochRunner(weighted_step if weighted else step, num_samples=positions, batch_size=batch_size,
                                 chunk_steps=0)
            self._runners[key] = runner
            self.compiles += 1
        return runner

    @staticmethod
    def steps_per_epoch(n: int, batch_size: int) -> int:
        return -(-int(n) // int(batch_size))

    def train_epochs(self, ts: TrainState, data: "PaddedData", *, epochs: int, batch_size: int,
                     rng: np.random.Generator, on_epoch_end: Callable[[int, TrainState, float], bool],
                     max_steps: int | None = None) -> TrainState:
        """Run up to `epochs` epochs; `on_epoch_end(epoch, ts, train_loss)` returns True to stop.

        An epoch is one `lax.scan` over its full batches, plus, when the number
        of rows is not a multiple of `batch_size`, one step on the last batch
        filled up with the padding row (weight 0). A data set smaller than one
        batch is that one padded step. Neither program depends on the exact
        number of rows. Models with layers that use batch statistics
        (`BatchNormalization`) must not see padding rows: they train on exact
        batches (``min(batch_size, n)`` rows, a smaller last batch), which costs
        one program per number of rows.

        With `max_steps` (fewer than an epoch's steps) each "epoch" is the first
        `max_steps` full batches of a fresh permutation (TF's ``steps``).
        """
        n = data.n
        steps = self.steps_per_epoch(n, batch_size)
        if max_steps is not None and max_steps < steps:
            steps, full_epoch = int(max_steps), False
        else:
            full_epoch = True
        if self.batch_statistics:
            batch_size = min(batch_size, n)
            full_steps, padded_step = steps, False
            positions = n if full_epoch else steps * batch_size
        else:
            padded_step = full_epoch and n % batch_size != 0
            full_steps = steps - int(padded_step)
            positions = full_steps * batch_size
        real = np.full(steps, batch_size, np.float64)
        if full_epoch:
            real[-1] = n - (steps - 1) * batch_size
        weights = real / real.sum()
        full = self._runner(data.rows, positions, batch_size, weighted=False) if positions else None
        last = self._runner(data.rows, batch_size, batch_size, weighted=True) if padded_step else None
        perm = np.full(positions + (batch_size if padded_step else 0), n, np.int32)  # row n is padding
        arrays = data.device_arrays()
        plain = arrays[:3]
        for epoch in range(epochs):
            order = rng.permutation(n)
            if full_epoch:
                perm[:n] = order
            else:
                perm[:] = order[: len(perm)]
            device_perm = jnp.asarray(perm)
            losses = []
            if full is not None:
                ts, logs, _ = full.run_epoch(ts, plain, device_perm[:positions])
                losses.append(logs["loss"])
            if last is not None:
                ts, logs, _ = last.run_epoch(ts, arrays, device_perm[positions:])
                losses.append(logs["loss"])
            step_losses = np.concatenate([np.asarray(l, np.float64).reshape(-1) for l in losses])
            if on_epoch_end(epoch, ts, float(np.dot(step_losses, weights))):
                break
        return ts

    # ------------------------------------------------------------------
    def predict(self, variables: dict, x: Any, n: int, *, logits: bool = False) -> Any:
        """Outputs for the first `n` rows of padded inputs `x` (numpy, in inference mode)."""
        rows = int(jax.tree.leaves(x)[0].shape[0])
        key = (rows, logits)
        runner = self._predictors.get(key)
        if runner is None:
            skip = self.objective.skip_activation if logits else frozenset()
            model = self.model

            def predict_step(variables: dict, batch: Any) -> Any:
                y, _ = model.apply(variables, batch, training=False, skip_activation=skip)
                return y

            batch = min(rows, 4096)
            runner = PredictRunner(predict_step if logits else make_predict_step(model), num_samples=rows,
                                   batch_size=batch)
            self._predictors[key] = runner
            self.compiles += 1
        out = runner.run(variables, x)
        return jax.tree.map(lambda a: np.asarray(a)[:n], jax.device_get(out))


class PaddedData:
    """Training arrays padded to `bucket_rows` rows: ``(x, y, sample_weight or None, real)``."""

    def __init__(self, x: Any, y: Any, sample_weight: np.ndarray | None, n: int | None = None):
        self.n = int(len(y) if n is None else n)
        self.rows = bucket_rows(self.n)
        sw = None if sample_weight is None else pad_rows(np.asarray(sample_weight, np.float32), self.rows)
        real = np.zeros(self.rows, np.float32)
        real[: self.n] = 1.0
        self.arrays = (pad_rows(x, self.rows), pad_rows(y, self.rows), sw, real)
        self._device = None

    def device_arrays(self) -> Any:
        if self._device is None:
            self._device = jax.device_put(self.arrays)
        return self._device


def pad_rows(tree: Any, rows: int) -> Any:
    """Every array of `tree` with zero rows appended up to `rows`."""

    def pad(a: Any) -> np.ndarray:
        a = np.asarray(a)
        if a.shape[0] == rows:
            return a
        out = np.zeros((rows,) + a.shape[1:], a.dtype)
        out[: a.shape[0]] = a
        return out

    return jax.tree.map(pad, tree)
