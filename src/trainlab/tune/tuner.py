"""`Tuner`: search hyperparameters, many trials at once, on shared storage.

The tuner asks Optuna for a *population* of trials, builds each trial's
model with ``build(hp)``, trains the population with the `PopulationExecutor`
(members of one structure in one vmapped program), and tells Optuna each
trial's result: the objective, every epoch's logs (also as Optuna
intermediate values, so curves show in ``optuna-dashboard``), and a weights
file for `best_model`. Trials whose build or training raises are recorded as
failed with the message; the search goes on.

Example (the course's learning-rate search, 16 trials as one population):
    >>> import trainlab as tl
    >>> from trainlab.tune import Tuner
    >>> def build(hp):
    ...     model = tl.Sequential([tl.layers.Dense(128, activation="relu"), tl.layers.Dense(10)])
    ...     lr = hp.Float("learning_rate", 1e-4, 1e-1, log=True)
    ...     model.compile(optimizer=tl.optimizers.Adam(lr), metrics=["accuracy"],
    ...                   loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True))
    ...     return model
    >>> tuner = Tuner(build, objective="val_accuracy", max_trials=16, epochs=3)      # doctest: +SKIP
    >>> tuner.search(x_train, y_train, validation_data=(x_val, y_val))              # doctest: +SKIP
    >>> tuner.best_config                                                            # doctest: +SKIP
    {'learning_rate': 0.0012...}
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import socket
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_int_at_least, check_one_of, check_positive_int, describe, did_you_mean
from . import strategies as _strategies
from ..layers._base import fresh_layer_names
from .executor import Member, PopulationExecutor
from .hyperparameters import HyperParameters
from .presets import Preset
from .recovery import DUPLICATE_ATTR, config_key, mark_worker, recover_dead_trials, resume_seed
from .space import SearchSpace
from .storage import (PendingResults, StorageUnreachableError, is_storage_error, open_storage, study_file_stem,
                      with_retries)

__all__ = ["Tuner", "HyperModel", "fresh_layer_names"]  # fresh_layer_names: re-exported from trainlab.layers._base

_MAX_REDRAWS = 32  # draws dropped as repeats per population before a repeat is accepted


def _default_direction(objective: str) -> str:
    name = objective.lower()
    return "minimize" if ("loss" in name or "error" in name or name.endswith(("mse", "mae"))) else "maximize"


class Tuner:
    """Hyperparameter search over a `build(hp)` function or a preset.

    Args:
        build: ``build(hp) -> compiled model`` (Keras Tuner style), or a
            `Preset`. A parameter named ``batch_size`` sets the trial's batch size.
        space: parameters declared up front (`SearchSpace`, a list of params, or
            the dict/TOML form); ``build(hp)`` reads them with ``hp.get(name)``.
        objective: the log that ranks trials: ``"val_accuracy"``, ``"val_loss"``,
            ``"loss"``... (must be recorded in the history).
        direction: "maximize" or "minimize"; default from the objective's name.
        strategy: "random" (default), "grid", "tpe", "successive_halving",
            "hyperband", "pbt", a dict ``{"name": ..., **options}`` or a `Strategy`.
        max_trials: trials in the study (over all workers and runs).
        epochs: epochs per trial (the maximum for early-stopping strategies).
        batch_size: default batch size.
        population: trials asked and trained together (default: all remaining
            trials for random/grid/halving/hyperband/pbt, up to 64; TPE: its
            `n_startup_trials`).
        members_per_program: most members per compiled program (default: as
            many as fit in half of the free device memory; on CPU at most 2).
        concurrent_programs: programs (chunks of members) trained at the same
            time on threads (default: one per core on CPU, 1 on GPU).
        storage: Optuna storage URL; None: ``<directory>/<study_name>.db`` (SQLite).
        study_name: the study's name in the storage (shared by workers).
        directory: where the default SQLite file, weights and reports go.
        seed: seed for sampling, initial weights and batch order.
        worker: this worker's index when several share a study (different
            draws per worker).
        heartbeat_interval, grace_period, max_retry: dead-worker detection
            (see `storage.open_storage`).
        score: a trial's value: "best" (default, as Keras Tuner: the best epoch's
            objective, and the weights of that epoch are kept) or "last" (the
            final epoch's objective and weights).
        save_weights: keep each finished trial's weights for `best_model`.
        verbose: 0 silent, 1 one line per population and per finished trial.

    Raises:
        ValueError: unknown strategy, bad direction, or no build function.
    """

    def __init__(self, build: Callable | Preset | None = None, *, space: Any = None, objective: str = "val_loss",
                 direction: str | None = None, strategy: Any = "random", max_trials: int = 10, epochs: int = 1,
                 batch_size: int = 32, population: int | None = None, members_per_program: int | None = None,
                 concurrent_programs: int | None = None,
                 storage: str | None = None, study_name: str = "trainlab", directory: str | os.PathLike = "runs/tune",
                 seed: int = 0, worker: int = 0, heartbeat_interval: int | None = 30,
                 grace_period: int | None = None, max_retry: int = 2, score: str = "best", save_weights: bool = True,
                 validation_batch_size: int = 512, verbose: int = 1):
        if build is not None and not callable(build) and callable(getattr(build, "build", None)):
            build = build.build  # a Keras Tuner HyperModel object
        if build is None or not callable(build):
            raise TypeError(
                f"`build` must be a function build(hp) -> compiled model, a HyperModel, or a Preset; received "
                f"{describe(build)}."
            )
        self.build = build
        self._callbacks: list = []
        if space is None:
            space = SearchSpace()
        elif not isinstance(space, SearchSpace):
            space = SearchSpace(space)
        self.space = space
        if not isinstance(objective, str) or not objective:
            raise TypeError(f"`objective` must be a log name such as 'val_accuracy'; received {describe(objective)}.")
        self.objective = objective
        self.direction = check_one_of("direction", direction or _default_direction(objective),
                                      ["maximize", "minimize"])
        self.strategy = _strategies.get(strategy)
        self.max_trials = check_positive_int("max_trials", max_trials)
        self.epochs = check_positive_int("epochs", epochs)
        self.batch_size = check_positive_int("batch_size", batch_size)
        self.population = check_positive_int("population", population, allow_none=True)
        self.members_per_program = check_positive_int("members_per_program", members_per_program, allow_none=True)
        self.concurrent_programs = check_positive_int("concurrent_programs", concurrent_programs, allow_none=True)
        if storage is not None and (not isinstance(storage, str) or not storage):
            raise TypeError(f"`storage` must be an Optuna storage URL such as 'postgresql://user:pw@host/db', or "
                            f"None for a SQLite file in `directory`; received {describe(storage)}.")
        self.storage_url = storage
        if not isinstance(study_name, str) or not study_name.strip():
            raise TypeError(f"`study_name` must be a non-empty string such as 'fmnist-lr'; received "
                            f"{describe(study_name)}.")
        self.study_name = study_name
        if not isinstance(directory, (str, os.PathLike)) or not str(directory):
            raise TypeError(f"`directory` must be a folder path such as 'runs/tune'; received {describe(directory)}.")
        self.directory = Path(directory)
        self.seed = check_int_at_least("seed", seed, 0)
        self.worker = check_int_at_least("worker", worker, 0)
        self.heartbeat_interval = check_positive_int("heartbeat_interval", heartbeat_interval, allow_none=True)
        self.grace_period = check_positive_int("grace_period", grace_period, allow_none=True)
        self.max_retry = check_int_at_least("max_retry", max_retry, 0)
        self.score = check_one_of("score", score, ["best", "last"])
        self.save_weights = bool(save_weights)
        self.validation_batch_size = check_positive_int("validation_batch_size", validation_batch_size)
        self.verbose = check_one_of("verbose", verbose, [0, 1, 2])
        self._study = None
        self._storage = None
        self._grid_size: int | None = None
        self._data: tuple | None = None
        self.last_search_seconds: float | None = None
        self.last_executor: PopulationExecutor | None = None

    # ------------------------------------------------------------------ storage
    @property
    def study(self) -> Any:
        """The Optuna study (opened on first use)."""
        if self._study is None:
            self._open()
        return self._study

    def _open(self) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._storage = open_storage(self.storage_url, directory=self.directory, study_name=self.study_name,
                                     heartbeat_interval=self.heartbeat_interval, grace_period=self.grace_period,
                                     max_retry=self.max_retry)
        sampler = self.strategy.sampler(resume_seed(self.seed, worker=self.worker, n_trials=0))
        try:
            study = with_retries(lambda: optuna.create_study(
                storage=self._storage, study_name=self.study_name, direction=self.direction, sampler=sampler,
                load_if_exists=True))
        except Exception as exc:
            if is_storage_error(exc):
                raise StorageUnreachableError(f"The study {self.study_name!r} could not be opened: {exc}") from None
            raise
        existing = study.direction.name.lower()
        if existing != self.direction:
            raise ValueError(
                f"`direction` is {self.direction!r}, but the existing study {self.study_name!r} in this storage "
                f"was created to {existing}. Use another `study_name`, or direction={existing!r}."
            )
        n_trials = len(with_retries(lambda: study.get_trials(deepcopy=False)))
        if n_trials:  # a resumed or extended study: sample anew, not the first run's draws again
            study.sampler = self.strategy.sampler(resume_seed(self.seed, worker=self.worker, n_trials=n_trials))
        self._study = study
        self._grid_size = None
        if isinstance(self.strategy, _strategies.GridSearch):
            points = self.strategy.points_of(self._grid_space())
            self._grid_size = len(points)
            queued = {json.dumps(t.params, sort_keys=True) for t in study.get_trials(deepcopy=False)}
            for params in points:
                if json.dumps(params, sort_keys=True) not in queued:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        with_retries(lambda: study.enqueue_trial(params, skip_if_exists=True))

    def _grid_space(self) -> SearchSpace:
        if len(self.space) or not isinstance(self.strategy, _strategies.GridSearch):
            return self.space
        hp = HyperParameters()
        with fresh_layer_names():
            self._call_build(hp)
        return hp.space

    # ------------------------------------------------------------------ building
    def _call_build(self, hp: HyperParameters) -> Any:
        model = self.build(hp)
        if not getattr(model, "compiled", False):
            raise TypeError(
                f"`build(hp)` must return a compiled model (call model.compile(optimizer=..., loss=..., "
                f"metrics=...) inside build); received {describe(model)}."
            )
        return model

    def build_model(self, config: Mapping[str, Any]) -> Any:
        """A fresh, compiled model for configuration `config` (untrained)."""
        hp = HyperParameters(values=config, space=None)
        for p in self.space:
            if p.active(hp.values) and p.name in config:
                hp._declare(p)
        with fresh_layer_names():
            return self._call_build(hp)

    def _check_objective(self, x: Any, y: Any, has_validation: bool) -> None:
        """Fail before any trial when the objective is not a log the models record."""
        hp = HyperParameters(space=self.space)
        with fresh_layer_names():
            model = self._call_build(hp)
        model.build_from_data(_first(x))
        names = list(model._objective_for(y).log_names)
        available = names + (["val_" + n for n in names] if has_validation else [])
        if self.objective not in available:
            hint = ""
            if self.objective.startswith("val_") and not has_validation and self.objective[4:] in names:
                hint = " Pass `validation_data` (or `validation_split`) so that validation logs are recorded."
            raise ValueError(
                f"`objective` {self.objective!r} is not recorded in the history of these models; recorded: "
                f"{', '.join(available)}.{did_you_mean(self.objective, available)}{hint}"
            )

    # ------------------------------------------------------------------ budget
    def _budget_used(self) -> int:
        from optuna.trial import TrialState

        trials = self._study.get_trials(deepcopy=False)
        retried = {n for t in trials for n in t.system_attrs.get("retry_history", ())}
        used = 0
        for t in trials:
            if DUPLICATE_ATTR in t.system_attrs:
                continue
            if t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING):
                used += 1
            elif t.state == TrialState.FAIL and t.number not in retried:
                used += 1
        return used

    def _waiting(self) -> int:
        from optuna.trial import TrialState

        return len(self._study.get_trials(deepcopy=False, states=(TrialState.WAITING,)))

    def _population_size(self) -> int:
        if self.population is not None:
            return self.population
        if isinstance(self.strategy, _strategies.TPE):
            return self.strategy.n_startup_trials
        if self.strategy.pbt:
            return self.max_trials
        return 64

    # ------------------------------------------------------------------ search
    def search(self, x: Any, y: Any, *, validation_data: Any = None, validation_split: float = 0.0,
               epochs: int | None = None, batch_size: int | None = None, shuffle: bool = True,
               callbacks: list | None = None, verbose: int | None = None) -> "Tuner":
        """Run trials until the study holds `max_trials` (finished or running).

        Args:
            x, y: training data (numpy arrays; `x` may be a list/dict of arrays).
            validation_data: ``(x_val, y_val)``; or `validation_split` takes the
                last fraction of `x`, `y` (as Keras).
            epochs, batch_size: override the tuner's.
            shuffle: new batch order every epoch (shared by the members).
            callbacks: Keras callbacks given to every trial, as Keras Tuner's
                ``search(callbacks=[...])``: each trial gets its own copy and
                sees its own epoch logs. ``EarlyStopping`` ends that trial (the
                others train on), ``ReduceLROnPlateau`` and other learning-rate
                changes reach that trial's optimizer. Only epoch-level hooks run
                (the trials train together in one compiled program).
            verbose: overrides the tuner's `verbose` (Keras Tuner takes it here).

        Returns:
            The tuner (for chaining: ``tuner.search(...).best_model()``).

        Raises:
            ValueError: an objective that is not recorded.
            StorageUnreachableError: the storage cannot be reached (before
                anything trains), or results could not be written (they are kept
                in a pending file and written by the next search).
        """
        from ..models import _data

        t_start = time.perf_counter()
        self._callbacks = _check_callbacks(callbacks)
        if verbose is not None:
            self.verbose = int(verbose)
        epochs = self.epochs if epochs is None else check_positive_int("epochs", epochs)
        batch_size = self.batch_size if batch_size is None else check_positive_int("batch_size", batch_size)
        x = _data.to_arrays(x, "x")
        y = _data.to_arrays(y, "y")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError(f"`validation_data` must be a tuple (x_val, y_val); received {describe(validation_data)}.")
            vx, vy = (_data.to_arrays(v, "validation_data") for v in validation_data)
        elif validation_split:
            (x, y), (vx, vy) = _data.split_tail(validation_split, x, y)
        else:
            vx = vy = None
        n = _data.check_same_length(x=x, y=y)
        if isinstance(self.build, Preset) and "steps_per_epoch" not in self.build.fixed:
            self.build = self.build.with_settings(steps_per_epoch=-(-n // batch_size))
        self._data = (x, y, None if vx is None else (vx, vy), epochs, batch_size, shuffle)
        self._check_objective(x, y, vx is not None)
        study = self.study
        pending = PendingResults(self.directory, self.study_name)
        replayed = with_retries(lambda: pending.replay(study))
        if replayed and self.verbose:
            print(f"[tune] wrote {replayed} pending result(s) from {pending.path} into the study")
        import optuna

        with contextlib.suppress(Exception), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            optuna.storages.fail_stale_trials(study)  # trials of dead workers -> failed, queued again
        recovered = with_retries(lambda: recover_dead_trials(study, max_retry=self.max_retry))
        if recovered and self.verbose:
            print(f"[tune] trial(s) {', '.join(f'#{n}' for n in recovered)} of a killed worker failed; "
                  f"their parameters are queued again", flush=True)
        executor = PopulationExecutor(
            x, y, validation_data=None if vx is None else (vx, vy), epochs=epochs, objective=self.objective,
            direction=self.direction, strategy=self.strategy, members_per_program=self.members_per_program,
            concurrent_programs=self.concurrent_programs,
            shuffle=shuffle, seed=self.seed, validation_batch_size=self.validation_batch_size,
            on_epoch_end=self._on_epoch_end, rung_values=self._rung_values, rebuild=self.build_model,
            space=self.space)
        self.last_executor = executor
        write_errors: list[str] = []
        while True:
            members = self._ask_population(batch_size, x)
            if not members:
                break
            if self.verbose:
                print(f"[tune] training {len(members)} trial(s) "
                      f"#{members[0].number}..#{members[-1].number} ({self.strategy.name})", flush=True)
            runnable = [m for m in members if m.status == "running"]
            with self._heartbeats(runnable):
                executor.run(runnable)
            for m in members:
                try:
                    self._finish(m)
                except Exception as exc:
                    if not is_storage_error(exc):
                        raise
                    self._keep_pending(pending, m)
                    write_errors.append(f"trial #{m.number}: {(str(exc).strip().splitlines() or [type(exc).__name__])[0]}")
            if write_errors:
                raise StorageUnreachableError(
                    f"{len(write_errors)} finished trial result(s) could not be written to the storage "
                    f"({write_errors[0]}). They are kept in {pending.path} and will be written by the next "
                    f"`search` (or `trainlab tune`) once the storage is reachable."
                )
        self.last_search_seconds = time.perf_counter() - t_start
        return self

    def _ask_population(self, batch_size: int, x: Any) -> list[Member]:
        import optuna
        from optuna.trial import TrialState

        members: list[Member] = []
        with contextlib.suppress(Exception), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            optuna.storages.fail_stale_trials(self._study)
        with contextlib.suppress(Exception):
            recover_dead_trials(self._study, max_retry=self.max_retry)
        size = self._population_size()
        n_brackets = self.strategy.brackets(self.epochs)
        drawn = {config_key(t.params) for t in self._study.get_trials(deepcopy=False)
                 if t.state != TrialState.FAIL and t.params}
        redraws = 0
        while len(members) < size:
            limit = self.max_trials if self._grid_size is None else min(self.max_trials, self._grid_size)
            if limit - self._budget_used() <= 0:
                break
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "heartbeat is supposed to be used with optimize": we beat ourselves
                trial = with_retries(lambda: self._study.ask())
            with contextlib.suppress(Exception):
                self._storage.record_heartbeat(trial._trial_id)
                mark_worker(self._storage, trial._trial_id)
            seed = (self.seed * 1_000_003 + trial.number) % (2 ** 31 - 1)
            member = Member(trial.number, None, seed=seed, trial=trial, bracket=trial.number % n_brackets)
            members.append(member)
            try:
                hp = HyperParameters(trial, space=self.space)
                with fresh_layer_names():
                    model = self._call_build(hp)
                model.build_from_data(_first(x))
                key = config_key(trial.params)
                attrs = self._storage.get_trial_system_attrs(trial._trial_id)
                fixed = "fixed_params" in attrs or "failed_trial" in attrs  # queued: a grid point, a retry
                if key in drawn and not fixed and redraws < _MAX_REDRAWS:
                    # the sampler repeated a configuration (a small discrete space, or a resumed
                    # sampler): drop this draw, it does not count against max_trials
                    redraws += 1
                    members.pop()
                    self._storage.set_trial_system_attr(trial._trial_id, DUPLICATE_ATTR, True)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        with_retries(lambda: self._study.tell(trial, state=TrialState.FAIL))
                    continue
                drawn.add(key)
                member.model = model
                member.config = dict(hp.values)
                member.batch_size = check_positive_int("batch_size", hp.get("batch_size", batch_size))
                member.callbacks = _trial_callbacks(self._callbacks, model, self.epochs, member.batch_size)
            except optuna.TrialPruned:
                member.status = "pruned"
            except Exception as exc:
                member.status, member.error = "failed", f"{type(exc).__name__}: {exc}"
        return members

    # ------------------------------------------------------------------ per-trial bookkeeping
    def _on_epoch_end(self, member: Member, epoch: int, logs: dict) -> None:
        value = logs.get(self.objective)
        if value is not None and math.isfinite(value):
            with contextlib.suppress(Exception):
                member.trial.report(float(value), epoch + 1)
        cbs = getattr(member, "callbacks", None)
        if cbs is not None:
            _run_trial_callbacks(member, cbs, epoch, logs)

    def _rung_values(self, epochs_done: int, bracket: int, exclude: set) -> list[float]:
        from optuna.trial import TrialState

        out = []
        for t in self._study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)):
            if t.number in exclude or _info(t).get("bracket", 0) != bracket:
                continue
            v = t.intermediate_values.get(epochs_done)
            if v is not None and math.isfinite(v):
                out.append(float(v))
        return out

    @contextlib.contextmanager
    def _heartbeats(self, members: list[Member]):
        """Record a heartbeat for every running member while the block runs."""
        if not self.heartbeat_interval or not members:
            yield
            return
        stop = threading.Event()
        ids = [m.trial._trial_id for m in members if m.trial is not None]

        def beat() -> None:
            while not stop.wait(self.heartbeat_interval / 2):
                for tid in ids:
                    with contextlib.suppress(Exception):
                        self._storage.record_heartbeat(tid)

        thread = threading.Thread(target=beat, name="trainlab-tune-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=5)

    def _weights_path(self, number: int) -> Path:
        return self.directory / self.study_name / "trials" / f"{number:05d}.weights.safetensors"

    def _attrs(self, m: Member) -> dict[str, Any]:
        """What a trial records besides its value, as few user attributes (each
        is one database write): ``history``, ``config``, ``info`` and ``error``."""
        info = {
            "epochs": m.epochs_done, "best_epoch": m.best_epoch, "score": self.score, "seconds": round(m.seconds, 4),
            "seed": m.seed, "batch_size": m.batch_size, "group": m.group, "bracket": m.bracket,
            "worker": f"{socket.gethostname()}:{os.getpid()}", "strategy": self.strategy.name,
        }
        if m.pbt_log:
            info["pbt"] = m.pbt_log
        attrs = {"history": m.history, "config": m.config, "info": info}
        if m.error:
            attrs["error"] = m.error
        return attrs

    def _finish(self, m: Member) -> None:
        from optuna.trial import TrialState

        if m.trial is None:
            return
        cbs = getattr(m, "callbacks", None)
        if cbs is not None and m.status == "complete":
            cbs.on_train_end({k: v[-1] for k, v in m.history.items()})
        attrs = self._attrs(m)
        if m.status == "complete" and self.save_weights and m.ts is not None:
            path = self._weights_path(m.number)
            path.parent.mkdir(parents=True, exist_ok=True)
            if self.score == "best" and m.best_variables is not None:
                m.model.variables = m.best_variables
            else:
                m.model.variables = {"params": m.ts.params, "state": m.ts.state}
            m.model.save_weights(path)
            attrs["info"]["weights"] = str(path.resolve())

        def write() -> None:
            for k, v in attrs.items():
                m.trial.set_user_attr(k, _jsonable(v))
            if m.status == "complete":
                self._study.tell(m.trial, self._value(m))
            elif m.status == "pruned":
                self._study.tell(m.trial, state=TrialState.PRUNED)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._study.tell(m.trial, state=TrialState.FAIL)

        with_retries(write)
        m.ts = m.best_variables = None
        if self.verbose:
            last = m.history.get(self.objective, [None])[-1]
            shown = f"{last:.4f}" if isinstance(last, float) else "-"
            extra = f" ({m.error})" if m.error else ""
            print(f"[tune] trial #{m.number} {m.status} after {m.epochs_done} epoch(s): "
                  f"{self.objective}={shown} {m.config}{extra}", flush=True)

    def _value(self, m: Member) -> float:
        if self.score == "best" and m.best_value is not None:
            return float(m.best_value)
        return float(m.history[self.objective][-1])

    def _keep_pending(self, pending: PendingResults, m: Member) -> None:
        trial = m.trial
        state = {"complete": "COMPLETE", "pruned": "PRUNED"}.get(m.status, "FAIL")
        value = self._value(m) if state == "COMPLETE" else None
        import optuna

        dists = {}
        with contextlib.suppress(Exception):
            dists = {k: optuna.distributions.distribution_to_json(d) for k, d in trial.distributions.items()}
        pending.add({
            "trial_id": trial._trial_id, "number": m.number, "state": state, "value": value,
            "params": dict(trial.params), "distributions": dists, "user_attrs": _jsonable(self._attrs(m)),
            "intermediate": {str(i + 1): v for i, v in enumerate(m.history.get(self.objective, []))
                             if math.isfinite(v)},
        })

    # ------------------------------------------------------------------ results
    def _trials(self, states: tuple | None = None) -> list[Any]:
        return list(self.study.get_trials(deepcopy=False, states=states))

    @property
    def best_trial(self) -> Any:
        """The best finished Optuna trial.

        Raises:
            ValueError: no trial has finished yet.
        """
        from optuna.trial import TrialState

        done = self._trials((TrialState.COMPLETE,))
        if not done:
            raise ValueError(
                f"The study {self.study_name!r} has no completed trial yet; run `search` first "
                f"(failed: {len(self._trials((TrialState.FAIL,)))}, pruned: {len(self._trials((TrialState.PRUNED,)))})."
            )
        key = (lambda t: t.value) if self.direction == "maximize" else (lambda t: -t.value)
        return max(done, key=key)

    @property
    def best_value(self) -> float:
        return float(self.best_trial.value)

    @property
    def best_config(self) -> dict[str, Any]:
        """The best trial's hyperparameter values (after PBT's changes, if any)."""
        t = self.best_trial
        return dict(t.user_attrs.get("config") or t.params)

    @property
    def hypermodel(self) -> "HyperModel":
        """Keras Tuner's ``tuner.hypermodel``: ``tuner.hypermodel.build(best_hp)``
        builds a fresh, compiled, untrained model for `best_hp` (to train on all data)."""
        return _TunerHyperModel(self)

    def get_best_hyperparameters(self, num_trials: int = 1) -> list[HyperParameters]:
        """Keras Tuner's name: the best `num_trials` configurations as `HyperParameters`."""
        rows = self.leaderboard()
        rows = rows[rows["state"] == "COMPLETE"].head(num_trials)
        out = []
        for c in rows["config"]:
            hp = HyperParameters(values=json.loads(c))
            hp.values.update(hp._fixed)  # best_hp.values and best_hp["units"] work, as in Keras Tuner
            out.append(hp)
        return out

    def leaderboard(self, n: int | None = None) -> Any:
        """A pandas DataFrame of trials, best first: number, state, objective,
        epochs, seconds, each parameter, and the error of failed trials."""
        import pandas as pd

        rows = []
        for t in self._trials():
            config = t.user_attrs.get("config") or t.params
            row = {"number": t.number, "state": t.state.name, self.objective: t.value,
                   "epochs": _info(t).get("epochs"), "seconds": _info(t).get("seconds")}
            row.update({f"param_{k}": v for k, v in config.items()})
            row["config"] = json.dumps(config, sort_keys=True)
            row["error"] = t.user_attrs.get("error")
            rows.append(row)
        df = pd.DataFrame(rows)
        if df.empty:
            return df
        order = {"COMPLETE": 0, "PRUNED": 1, "RUNNING": 2, "WAITING": 3, "FAIL": 4}
        df["_state"] = df["state"].map(order)
        df["_value"] = df[self.objective].astype(float) * (-1.0 if self.direction == "maximize" else 1.0)
        # pruned trials rank by how far they got; finished ones (early-stopped too) by their value only
        df["_pruned_at"] = -df["epochs"].fillna(0).astype(float).where(df["state"] == "PRUNED", 0.0)
        df = df.sort_values(["_state", "_pruned_at", "_value", "number"]).drop(columns=["_state", "_value", "_pruned_at"])
        df = df.reset_index(drop=True)
        return df.head(n) if n else df

    def importance(self) -> dict[str, float]:
        """Optuna's parameter importance (fANOVA) over completed trials, largest first.

        With one varying parameter it is 1.0 by definition; with fewer than two
        completed trials it cannot be estimated (empty dict)."""
        import optuna
        from optuna.trial import TrialState

        done = self._trials((TrialState.COMPLETE,))
        varying = {k for t in done for k in t.params if len({repr(s.params.get(k)) for s in done}) > 1}
        if len(done) < 2 or not varying:
            return {}
        if len(varying) == 1:
            return {next(iter(varying)): 1.0}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return dict(optuna.importance.get_param_importances(self.study, params=sorted(varying)))

    def best_model(self, retrain: bool = True) -> Any:
        """The best trial's model with its trained weights.

        The weights come from the file saved when the trial finished. When it is
        missing (the trial ran on another machine, or `save_weights=False`) and
        `retrain` is True, the configuration is trained again with the trial's
        seed on the data of the last `search` (same result on the same machine).
        """
        t = self.best_trial
        config = self.best_config
        model = self.build_model(config)
        info = _info(t)
        path = info.get("weights")
        if path and Path(path).exists():
            if self._data is not None:
                model.build_from_data(_first(self._data[0]))
            model.load_weights(path)
            return model
        if not retrain or self._data is None:
            raise FileNotFoundError(
                f"The weights of trial #{t.number} are not on this machine ({path or 'not saved'}); call "
                f"`search` with the data first and `best_model(retrain=True)` to train the configuration again."
            )
        x, y, val, epochs, batch_size, shuffle = self._data
        model.build_from_data(_first(x))
        member = Member(t.number, model, seed=int(info.get("seed", 0)), config=config,
                        batch_size=int(info.get("batch_size", batch_size)))
        n_epochs = int(info.get("best_epoch") or 0) if self.score == "best" else 0
        ex = PopulationExecutor(x, y, validation_data=val, epochs=n_epochs or int(info.get("epochs", epochs)),
                                objective=self.objective, direction=self.direction, shuffle=shuffle, seed=self.seed,
                                validation_batch_size=self.validation_batch_size)
        ex.run([member])
        model.variables = {"params": member.ts.params, "state": member.ts.state}
        return model

    def get_best_models(self, num_models: int = 1) -> list[Any]:
        """Keras Tuner's name; only the best model is kept, so `num_models` must be 1."""
        if num_models != 1:
            raise ValueError(f"`num_models` must be 1 (only the best trial's model is rebuilt); received {num_models!r}.")
        return [self.best_model()]

    def report(self, path: str | os.PathLike | None = None) -> Path:
        """Write the HTML report (leaderboard, importance, curves, objective vs
        each parameter) and return its path (default ``<directory>/<study>-report.html``)."""
        from .report import write_report

        path = Path(path) if path is not None else self.directory / f"{study_file_stem(self.study_name)}-report.html"
        return write_report(self, path)

    def results_summary(self, num_trials: int = 10) -> str:
        """Print and return a short text summary (Keras Tuner's name)."""
        df = self.leaderboard(num_trials)
        text = f"Study {self.study_name!r}: objective {self.objective} ({self.direction})\n"
        if not df.empty:
            cols = ["number", "state", self.objective, "epochs"] + [c for c in df.columns if c.startswith("param_")]
            text += df[cols].to_string(index=False)
        print(text)
        return text


class HyperModel:
    """Keras Tuner's ``HyperModel``: subclass it and write ``build(self, hp)``;
    pass an instance to `Tuner` in place of a build function.

    ``tuner.hypermodel`` is one too: ``tuner.hypermodel.build(best_hp)`` builds a
    fresh, compiled, untrained model for the best hyperparameters.

    Example:
        >>> best_hp = tuner.get_best_hyperparameters()[0]          # doctest: +SKIP
        >>> model = tuner.hypermodel.build(best_hp)                 # doctest: +SKIP
        >>> model.fit(x_train, y_train, epochs=10)                  # doctest: +SKIP
    """

    def __init__(self, name: str | None = None, tunable: bool = True):
        self.name = name
        self.tunable = tunable

    def build(self, hp: HyperParameters) -> Any:
        """Return a compiled model for hyperparameters `hp` (override this)."""
        raise NotImplementedError("Subclasses of HyperModel implement build(self, hp) -> compiled model.")


class _TunerHyperModel(HyperModel):
    """``tuner.hypermodel``: builds with the tuner's build function (and search space)."""

    def __init__(self, tuner: Tuner):
        super().__init__(name="tuner_hypermodel")
        self.tuner = tuner

    def build(self, hp: HyperParameters | Mapping[str, Any]) -> Any:
        """A fresh compiled model for `hp` (`HyperParameters` or a dict of values).

        Raises:
            TypeError: `hp` is neither.
        """
        if isinstance(hp, HyperParameters):
            values = {**hp._fixed, **hp.values}
        elif isinstance(hp, Mapping):
            values = dict(hp)
        else:
            raise TypeError(
                f"`hp` must be HyperParameters (e.g. tuner.get_best_hyperparameters()[0]) or a dict of values; "
                f"received {describe(hp)}."
            )
        return self.tuner.build_model(values)


def _check_callbacks(callbacks: Any) -> list:
    from ..callbacks import Callback

    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"`callbacks` must be a list of callbacks, e.g. [tl.callbacks.EarlyStopping(patience=3)]; "
                        f"received {describe(callbacks)}.")
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"Every entry of `callbacks` must be a tl.callbacks.Callback; received {describe(cb)}.")
    return list(callbacks)


def _trial_callbacks(callbacks: list, model: Any, epochs: int, batch_size: int) -> Any:
    """Each trial's own copies of the search callbacks (as Keras Tuner deep-copies them)."""
    if not callbacks:
        return None
    import copy

    from ..callbacks import CallbackList

    cbs = CallbackList(copy.deepcopy(callbacks))
    for cb in cbs.callbacks:
        cb.set_model(model)
        cb.set_params({"epochs": epochs, "steps": None, "verbose": 0, "batch_size": batch_size})
    model.stop_training = False
    cbs.on_train_begin()
    return cbs


def _run_trial_callbacks(member: Member, cbs: Any, epoch: int, logs: dict) -> None:
    """Epoch hooks for one trial; a stop or a learning-rate change applies to that trial only."""
    model = member.model
    optimizer = model.optimizer
    before = optimizer.hyperparameters()
    cbs.on_epoch_begin(epoch)
    cbs.on_epoch_end(epoch, dict(logs))
    after = optimizer.hyperparameters()
    if member.ts is not None and repr(after) != repr(before):
        member.ts = member.ts._replace(opt_state=optimizer.replace_hyperparameters(member.ts.opt_state, after))
    if getattr(model, "stop_training", False) and member.status == "running":
        member.status = "complete"


def _info(trial: Any) -> dict[str, Any]:
    """A trial's ``info`` user attribute (epochs, seed, weights path...)."""
    return trial.user_attrs.get("info") or {}


def _first(x: Any) -> Any:
    import jax

    return jax.tree.map(lambda a: np.asarray(a)[:2], x)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, np.integer):
        return int(v)
    return v
