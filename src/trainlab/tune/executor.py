"""The population executor: train many trials at once, in one compiled program.

Members whose models differ only in array-valued hyperparameters (learning
rate and other optimizer hyperparameters, dropout rates, regularizer
strengths, schedule parameters such as a decay rate) have identical train-state
*structures*; their train states are stacked along a leading member axis and
trained by one ``jax.vmap``-ed, jit-compiled epoch program
(`core.EpochRunner(vmap_members=True)`), all members seeing the same batches.
Members whose shapes or static settings differ (units, layers, activation,
batch size, optimizer kind) form separate groups (`structure_signature`).

A group larger than the device can hold is split into chunks of at most
`members_per_program` (`estimate_member_bytes` x members must fit in a
fraction of free device memory; on CPU at most `CPU_MEMBERS_PER_PROGRAM`,
where large populations gain nothing, see there). On CPU, chunks train on
threads, one program per core at a time (`concurrent_programs`): a program of
a small model keeps about one core busy. All chunks and groups advance epoch by epoch
in lock step, so successive halving compares every member at each rung, and
population-based training can exploit across the whole population.

Numerically, member ``i`` of a population run follows the same sequence of
operations as a run of that member alone (same initial weights from its seed,
same batches, same per-member random key): results agree to float rounding
(tests check 1e-5).

Example:
    >>> ex = PopulationExecutor(x, y, validation_data=(vx, vy), epochs=3)   # doctest: +SKIP
    >>> ex.run([Member(0, model_a, seed=1), Member(1, model_b, seed=2)])    # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import saving as _saving
from .._validation import check_positive_int
from ..core import population
from ..core.loop import EpochRunner, EvalRunner
from ..core.step import eval_env, init_train_state, make_eval_step, make_train_step

__all__ = ["Member", "PopulationExecutor", "structure_signature", "estimate_member_bytes", "device_memory_budget",
           "CPU_MEMBERS_PER_PROGRAM", "cpu_cores"]


@dataclass
class Member:
    """One trial inside the executor.

    Attributes:
        number: the trial number (for messages and ordering).
        model: the compiled model ``build(hp)`` returned.
        seed: seed of the initial weights and of the member's random key.
        config: the hyperparameter values that produced the model.
        batch_size: training batch size of this member.
        bracket: Hyperband bracket (0 for other strategies).
        history: per-epoch logs (``loss``, ``accuracy``, ``val_loss``...), filled by `run`.
        best_value, best_epoch, best_variables: the best objective value so far,
            the epoch (1-based) that reached it, and the weights at that epoch.
        status: "running", "complete", "pruned" or "failed".
        error: message of the exception when failed.
    """

    number: int
    model: Any
    seed: int = 0
    config: dict = field(default_factory=dict)
    batch_size: int = 32
    bracket: int = 0
    trial: Any = None
    history: dict = field(default_factory=dict)
    status: str = "running"
    error: str | None = None
    ts: Any = None
    group: int = -1
    pbt_log: list = field(default_factory=list)
    seconds: float = 0.0
    best_value: float | None = None
    best_epoch: int = 0
    best_variables: Any = None

    @property
    def epochs_done(self) -> int:
        values = next(iter(self.history.values()), [])
        return len(values)


# ----------------------------------------------------------------------------- grouping
def _mask_config(config: Any, hparams: Any) -> Any:
    """`config` with the values of array-valued hyperparameters replaced by a marker."""
    if not isinstance(config, dict) or not isinstance(hparams, dict):
        return config
    out = dict(config)
    for key, value in hparams.items():
        if key not in out:
            continue
        if isinstance(value, dict):
            inner = out[key]
            if isinstance(inner, dict) and "config" in inner and isinstance(inner["config"], dict):
                out[key] = {**inner, "config": {k: ("<hp>" if k in value else v) for k, v in inner["config"].items()}}
            else:
                out[key] = _mask_config(inner, value)
        else:
            out[key] = "<hp>"
    return out


def _masked_model_config(model: Any) -> Any:
    hp = model.hyperparameters()
    cfg = _saving.serialize_layer(model)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "class_name" in node and isinstance(node.get("config"), dict) and "name" in node["config"]:
                name = node["config"]["name"]
                inner = _mask_config(node["config"], hp.get(name, {}))
                return {"class_name": node["class_name"], "config": {k: walk(v) for k, v in inner.items()}}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(cfg)


def _masked_optimizer_config(opt: Any) -> Any:
    from .. import optimizers as _optimizers
    from ..optimizers._base import LR_PREFIX

    cfg = _optimizers.serialize(opt)
    hp = opt.hyperparameters()
    inner = dict(cfg["config"])
    for key in hp:
        if key.startswith(LR_PREFIX):
            sched = inner.get("learning_rate")
            if isinstance(sched, dict) and isinstance(sched.get("config"), dict):
                sub = key[len(LR_PREFIX):]
                inner["learning_rate"] = {**sched, "config": {**sched["config"], sub: "<hp>"}}
        elif key in inner:
            inner[key] = "<hp>"
    return {"class_name": cfg["class_name"], "config": inner}


def structure_signature(model: Any, batch_size: int) -> str:
    """A string that is equal for two compiled, built models exactly when they can
    train in one vmapped program: same architecture, weight shapes, static
    settings, loss, metrics, optimizer kind and batch size; only the values of
    array-valued hyperparameters may differ.

    Example:
        >>> structure_signature(model_lr_1e3, 32) == structure_signature(model_lr_1e2, 32)  # doctest: +SKIP
        True
    """
    from ..saving import _compile_config

    variables = model.variables
    shapes = jax.tree.map(lambda a: (tuple(a.shape), str(a.dtype)), variables)
    compile_cfg = dict(_compile_config(model) or {})
    compile_cfg.pop("optimizer", None)
    parts = {
        "model": _masked_model_config(model),
        "optimizer": _masked_optimizer_config(model.optimizer),
        "compile": compile_cfg,
        "shapes": jax.tree.map(str, shapes, is_leaf=lambda v: isinstance(v, tuple)),
        "hparams": sorted(jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_leaves_with_path(model.hyperparameters())),
        "opt_hparams": sorted(model.optimizer.hyperparameters()),
        "batch_size": int(batch_size),
    }
    return json.dumps(parts, sort_keys=True, default=str)


# ----------------------------------------------------------------------------- memory
# On a CPU a member costs about as much inside a vmapped program as alone: the
# population saves per-trial overhead (one compiled program serves every chunk,
# since hyperparameters are array leaves), not arithmetic. What does pay on a
# CPU is running several small programs at once, one per core: one program of
# this size keeps about one core busy. Measured on the 2-core benchmark machine
# (hand-written vmapped JAX, Fashion-MNIST MLP, batch 32, Adam), seconds per
# member-epoch: 0.35 one member alone, 0.31 two members in one program, 0.28
# four, 0.29 sixteen; two programs at once on two threads: 0.22 with one member
# each, 0.23 with two, 0.24 with four (bench/RESULTS.md has the tuner's curve).
# Hence small chunks, as many at a time as there are cores. Chunks of two also
# keep successive halving from compiling a new program for each population size
# (16 -> 8 -> 4 all run as chunks of two). A GPU takes the whole population that
# fits in its memory, as one program.
CPU_MEMBERS_PER_PROGRAM = 2


def cpu_cores() -> int:
    """Cores this process may run on (the CPU default of concurrent programs)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def estimate_member_bytes(ts: Any, model: Any, batch_size: int) -> int:
    """Device bytes one member needs while training: its train state (weights,
    optimizer slots, metric states), one gradient, and the activations of a
    batch kept for the backward pass (each layer's output, three copies)."""
    state = sum(int(np.prod(a.shape)) * a.dtype.itemsize for a in jax.tree.leaves(ts) if hasattr(a, "dtype")
                and not jax.dtypes.issubdtype(a.dtype, jax.dtypes.prng_key))
    grads = sum(int(np.prod(a.shape)) * a.dtype.itemsize for a in jax.tree.leaves(ts.params))
    acts = 0
    for layer in getattr(model, "layers", []):
        shape = getattr(layer, "output_shape", None)
        for s in _shape_leaves(shape):
            acts += int(np.prod([d for d in s[1:] if d is not None] or [1]))
    return int(state + grads + 3 * 4 * batch_size * acts)


def _shape_leaves(shape: Any) -> list[tuple]:
    if shape is None:
        return []
    if isinstance(shape, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in shape):
        return [shape]
    if isinstance(shape, dict):
        return [t for v in shape.values() for t in _shape_leaves(v)]
    if isinstance(shape, (list, tuple)):
        return [t for v in shape for t in _shape_leaves(v)]
    return []


def device_memory_budget(fraction: float = 0.5, device: Any = None) -> int:
    """Bytes a population may use: `fraction` of the device's free memory
    (GPU: the allocator's limit less what is in use; CPU: the system's
    available memory)."""
    device = device or jax.devices()[0]
    stats = None
    try:
        stats = device.memory_stats()
    except Exception:  # CPU devices may not implement it
        stats = None
    if stats and stats.get("bytes_limit"):
        free = int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0))
    else:
        free = _host_available_bytes()
    return int(max(free, 0) * fraction)


def _host_available_bytes() -> int:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 4 << 30


# ----------------------------------------------------------------------------- executor
class _Group:
    """Compiled programs shared by the members of one structure signature."""

    def __init__(self, template: Any, objective: Any, n_train: int, batch_size: int, n_val: int,
                 val_batch_size: int):
        self.template = template
        self.objective = objective
        self.batch_size = batch_size
        step = make_train_step(template, objective, template.optimizer)
        self.runner = EpochRunner(step, num_samples=n_train, batch_size=batch_size,
                                  results_fn=lambda s: objective.results(s.metrics), vmap_members=True)
        self.evaluator = None
        self.eval_warm = False
        if n_val:
            self.evaluator = EvalRunner(make_eval_step(template, objective), num_samples=n_val,
                                        batch_size=val_batch_size, init_fn=objective.init_metrics,
                                        results_fn=objective.results, vmap_members=True)

    def init_state(self, member: Member, sample: Any) -> Any:
        variables = self.template.init(jax.random.key(member.seed), sample)
        return self.member_state(member, variables, jax.random.fold_in(jax.random.key(member.seed), 1))

    def member_state(self, member: Member, variables: dict, key: Any) -> Any:
        return init_train_state(
            self.template, self.objective, self.template.optimizer, key=key, variables=variables,
            opt_hparams=member.model.optimizer.hyperparameters(), hparams=member.model.hyperparameters())


class PopulationExecutor:
    """Train members in groups of identical structure, each group as vmapped chunks.

    Args:
        x, y: training data (arrays with a leading sample axis).
        validation_data: ``(x_val, y_val)`` for ``val_*`` logs, or None.
        epochs: epochs per member (fewer when stopped early).
        objective: the log that ranks members (``"val_accuracy"``, ``"val_loss"``...).
        direction: "maximize" or "minimize".
        strategy: a `strategies.Strategy` (rungs for early stopping, PBT).
        members_per_program: most members trained by one program; None: as many
            as fit in `memory_fraction` of free device memory (on CPU at most
            `CPU_MEMBERS_PER_PROGRAM`).
        concurrent_programs: programs (chunks of members) trained at the same
            time on threads; None: one per core on CPU (`cpu_cores`), 1 on GPU/TPU.
        memory_fraction: share of free device memory the population may use.
        shuffle: draw a new batch order every epoch (shared by all members).
        seed: seed of the batch orders.
        validation_batch_size: batch size of the validation pass.
        on_epoch_end: ``fn(member, epoch, logs)`` after each member-epoch (the
            tuner reports intermediate values and heartbeats here).
        rung_values: ``fn(epochs, bracket, exclude_numbers) -> list of objective
            values`` of members outside this run that reached the rung (ASHA).
        rebuild: ``fn(config) -> compiled model`` (PBT explore).
        space: the `SearchSpace` (PBT explore bounds).
    """

    def __init__(self, x: Any, y: Any, *, validation_data: Any = None, epochs: int = 1,
                 objective: str = "val_loss", direction: str = "minimize", strategy: Any = None,
                 members_per_program: int | None = None, concurrent_programs: int | None = None,
                 memory_fraction: float = 0.5, shuffle: bool = True,
                 seed: int = 0, validation_batch_size: int = 512,
                 on_epoch_end: Callable | None = None, rung_values: Callable | None = None,
                 rebuild: Callable | None = None, space: Any = None, verbose: int = 0):
        from .strategies import RandomSearch

        self.x, self.y = x, y
        self.val = validation_data
        self.n_train = int(jax.tree.leaves(x)[0].shape[0])
        self.n_val = int(jax.tree.leaves(validation_data[0])[0].shape[0]) if validation_data is not None else 0
        self.epochs = check_positive_int("epochs", epochs)
        self.objective_name = objective
        self.sign = 1.0 if direction == "maximize" else -1.0
        self.strategy = strategy or RandomSearch()
        self.members_per_program = check_positive_int("members_per_program", members_per_program, allow_none=True)
        self.concurrent_programs = check_positive_int("concurrent_programs", concurrent_programs, allow_none=True)
        self.memory_fraction = memory_fraction
        self.shuffle = shuffle
        self.seed = int(seed)
        self.validation_batch_size = validation_batch_size
        self.on_epoch_end = on_epoch_end
        self.rung_values = rung_values
        self.rebuild = rebuild
        self.space = space
        self.verbose = verbose
        self._groups: dict[str, _Group] = {}
        self._group_ids: dict[str, int] = {}
        self._data = jax.device_put((x, y, None))
        self._val = jax.device_put((validation_data[0], validation_data[1], None)) if validation_data is not None else None
        self._rng = np.random.default_rng(self.seed + 7919)
        self.chunk_sizes: list[int] = []  # members per program call, for reports and tests

    # -------------------------------------------------------------- setup
    def _group_for(self, member: Member) -> _Group:
        sig = structure_signature(member.model, member.batch_size)
        group = self._groups.get(sig)
        if group is None:
            model = member.model
            objective = model._objective_for(self.y)
            objective.validate_targets(self.y, model)
            group = _Group(model, objective, self.n_train, member.batch_size, self.n_val, self.validation_batch_size)
            self._groups[sig] = group
            self._group_ids[sig] = len(self._group_ids)
        member.group = self._group_ids[sig]
        return group

    def _perm(self, epoch: int) -> jax.Array:
        if not self.shuffle:
            return jnp.arange(self.n_train)
        return jax.random.permutation(jax.random.fold_in(jax.random.key(self.seed), epoch), self.n_train)

    def capacity(self, group: _Group, ts: Any, member: Member) -> int:
        """Members of this group per program call: `members_per_program` if set,
        else as many as fit in the memory budget, and on CPU at most
        `CPU_MEMBERS_PER_PROGRAM` (see there)."""
        if self.members_per_program is not None:
            return self.members_per_program
        per = estimate_member_bytes(ts, member.model, group.batch_size)
        data = sum(int(np.prod(a.shape)) * a.dtype.itemsize for a in jax.tree.leaves((self._data, self._val)))
        budget = device_memory_budget(self.memory_fraction) - data
        fit = max(1, budget // max(per, 1) // self.concurrency())
        if jax.default_backend() == "cpu":
            return min(fit, CPU_MEMBERS_PER_PROGRAM)
        return fit

    def concurrency(self) -> int:
        """Programs trained at the same time: `concurrent_programs` if set, else
        one per core on CPU and 1 on an accelerator."""
        if self.concurrent_programs is not None:
            return self.concurrent_programs
        return cpu_cores() if jax.default_backend() == "cpu" else 1

    # -------------------------------------------------------------- run
    def run(self, members: Sequence[Member]) -> list[Member]:
        """Train `members` (in place) for up to `epochs` epochs; returns them.

        Members whose model fails to build programs or to train are marked
        "failed" with the message; the others go on.
        """
        members = list(members)
        sample = jax.tree.map(lambda a: a[:1], self.x)
        groups: dict[int, _Group] = {}
        for m in members:
            try:
                g = self._group_for(m)
                m.ts = g.init_state(m, sample)
                groups[m.group] = g
            except Exception as exc:  # a bad configuration fails its own trial only
                self._fail(m, exc)
        warmers = [self._warm_evaluator(g, [m for m in members if m.status == "running" and m.group == gid])
                   for gid, g in groups.items()]
        for epoch in range(self.epochs):
            active = [m for m in members if m.status == "running"]
            if not active:
                break
            perm = self._perm(epoch)
            jobs = []
            for gid, g in groups.items():
                group_members = [m for m in active if m.group == gid]
                if not group_members:
                    continue
                cap = self.capacity(g, group_members[0].ts, group_members[0])
                jobs += [(g, group_members[start:start + cap]) for start in range(0, len(group_members), cap)]
            self._train_chunks(jobs, perm)
            active = [m for m in members if m.status == "running"]
            for m in active:
                if self.on_epoch_end is not None:
                    self.on_epoch_end(m, epoch, {k: v[-1] for k, v in m.history.items()})
            active = [m for m in active if m.status == "running"]  # a callback may have stopped a member
            self._rung_decisions(active, epoch + 1)
            if getattr(self.strategy, "pbt", False) and (epoch + 1) % self.strategy.interval == 0 \
                    and epoch + 1 < self.epochs:
                self._pbt_step([m for m in members if m.status == "running"], groups, epoch + 1)
        for thread in warmers:
            if thread is not None:
                thread.join()
        for m in members:
            if m.status == "running":
                m.status = "complete"
        return members

    def _warm_evaluator(self, g: _Group, members: list[Member]) -> threading.Thread | None:
        """Compile the group's validation program on a thread while the first
        epoch's training program compiles and runs (the two compilations
        overlap; later calls find the program in JAX's cache)."""
        if g.evaluator is None or g.eval_warm or not members:
            return None
        g.eval_warm = True
        chunk = members[:self.capacity(g, members[0].ts, members[0])]

        def warm() -> None:
            try:
                stacked = population.stack([m.ts for m in chunk])
                jax.block_until_ready(g.evaluator.run(eval_env(stacked), self._val))
            except Exception:  # noqa: BLE001 - a real failure shows when the chunk trains
                pass

        thread = threading.Thread(target=warm, name="trainlab-population-warm", daemon=True)
        thread.start()
        return thread

    def _train_chunks(self, jobs: list[tuple[_Group, list[Member]]], perm: jax.Array) -> None:
        """Train every ``(group, chunk)`` for one epoch, `concurrency()` at a time.
        Each chunk is independent (its own members and state, shared read-only
        data), so the results do not depend on the order or the overlap."""
        workers = min(self.concurrency(), len(jobs))
        if workers <= 1:
            for g, chunk in jobs:
                self._train_chunk(g, chunk, perm)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="trainlab-population") as pool:
            for future in [pool.submit(self._train_chunk, g, chunk, perm) for g, chunk in jobs]:
                future.result()  # a chunk's own failures are recorded on its members; re-raise anything else

    def _train_chunk(self, g: _Group, chunk: list[Member], perm: jax.Array) -> None:
        t0 = time.perf_counter()
        try:
            logs = self._epoch(g, chunk, perm)
        except Exception as exc:
            if len(chunk) == 1:
                self._fail(chunk[0], exc)
                return
            for m in chunk:  # find the member that fails, train the others alone
                self._train_chunk(g, [m], perm)
            return
        self.chunk_sizes.append(len(chunk))
        dt = (time.perf_counter() - t0) / len(chunk)
        for i, m in enumerate(chunk):
            m.seconds += dt
            for k, v in logs.items():
                m.history.setdefault(k, []).append(float(v[i]))
            value = m.history.get(self.objective_name, [math.nan])[-1]
            if math.isfinite(value) and (m.best_value is None or self.sign * value > self.sign * m.best_value):
                # the best epoch so far: keep its weights (immutable arrays, no copy)
                m.best_value, m.best_epoch = value, m.epochs_done
                m.best_variables = {"params": m.ts.params, "state": m.ts.state}
            if not math.isfinite(value):
                m.status, m.error = "failed", (
                    f"The objective {self.objective_name!r} became {value} at epoch {m.epochs_done} "
                    f"(training diverged; a lower learning rate usually helps).")

    def _epoch(self, g: _Group, chunk: list[Member], perm: jax.Array) -> dict[str, np.ndarray]:
        init = g.objective.init_metrics()
        stacked = population.stack([m.ts._replace(metrics=init) for m in chunk])
        stacked, _, results = g.runner.run_epoch(stacked, self._data, perm)
        logs = dict(results)
        if g.evaluator is not None:
            val = g.evaluator.run(eval_env(stacked), self._val)
            logs.update({"val_" + k: v for k, v in val.items()})
        logs = jax.device_get(logs)
        for i, m in enumerate(chunk):
            m.ts = population.member(stacked, i)
        return {k: np.asarray(v).reshape(len(chunk)) for k, v in logs.items()}

    def _fail(self, m: Member, exc: BaseException) -> None:
        m.status = "failed"
        m.error = f"{type(exc).__name__}: {exc}"
        m.ts = None

    # -------------------------------------------------------------- successive halving / hyperband
    def _rung_decisions(self, active: list[Member], epochs_done: int) -> None:
        if not getattr(self.strategy, "prunes", False):
            return
        by_bracket: dict[int, list[Member]] = {}
        for m in active:
            if epochs_done in self.strategy.rungs(self.epochs, m.bracket):
                by_bracket.setdefault(m.bracket, []).append(m)
        for bracket, ms in by_bracket.items():
            mine = [self.sign * m.history[self.objective_name][-1] for m in ms]
            others = []
            if self.rung_values is not None:
                others = [self.sign * v for v in self.rung_values(epochs_done, bracket, {m.number for m in ms})]
            everyone = sorted(mine + others, reverse=True)
            keep = self.strategy.keep(len(everyone))
            threshold = everyone[keep - 1]
            survivors = 0
            for m, v in sorted(zip(ms, mine), key=lambda t: -t[1]):
                if v >= threshold and survivors < keep:
                    survivors += 1
                else:
                    m.status = "pruned"
                    m.ts = None

    # -------------------------------------------------------------- population-based training
    def _pbt_step(self, active: list[Member], groups: dict[int, _Group], epochs_done: int) -> None:
        if len(active) < 2:
            return
        ranked = sorted(active, key=lambda m: -self.sign * m.history[self.objective_name][-1])
        n = max(1, int(math.floor(len(ranked) * self.strategy.fraction)))
        top, bottom = ranked[:n], ranked[-n:]
        for m in bottom:
            donor = top[int(self._rng.integers(len(top)))]
            if donor is m:
                continue
            config = self._explore(donor.config)
            model = self.rebuild(config) if self.rebuild is not None else donor.model
            model.build_from_data(jax.tree.map(lambda a: a[:1], self.x))
            if structure_signature(model, m.batch_size) != structure_signature(m.model, m.batch_size):
                raise ValueError(
                    "Population-based training can only explore array-valued hyperparameters (learning rate, "
                    "momentum, dropout rate, L2 strength...), but the explored configuration "
                    f"{config} changes the model's structure. Fix the other parameters with `Fixed`."
                )
            g = groups[m.group]
            src = donor.ts
            hp_ts = g.member_state(Member(m.number, model), {"params": src.params, "state": src.state}, m.ts.key)
            opt_state = src.opt_state._replace(hparams=hp_ts.opt_state.hparams)
            m.ts = src._replace(opt_state=opt_state, hparams=hp_ts.hparams, key=m.ts.key)
            m.model, m.config = model, config
            m.pbt_log.append({"epoch": epochs_done, "parent": donor.number, "config": dict(config)})

    def _explore(self, config: dict) -> dict:
        from .space import Float

        out = dict(config)
        for name, value in config.items():
            param = self.space[name] if self.space is not None and name in self.space else None
            if not isinstance(param, Float):
                continue
            if self._rng.random() < self.strategy.resample_probability:
                if param.log:
                    new = float(np.exp(self._rng.uniform(np.log(param.low), np.log(param.high))))
                else:
                    new = float(self._rng.uniform(param.low, param.high))
            else:
                new = float(value) * float(self._rng.choice(self.strategy.factors))
            out[name] = float(min(max(new, param.low), param.high))
        return out

