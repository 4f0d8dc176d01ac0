"""Epoch runners: a whole epoch (or a chunk of it) as one compiled `lax.scan`.

The training data live on the device as arrays with a leading sample axis.
Each epoch draws a permutation; step ``i`` gathers rows ``perm[i*B:(i+1)*B]``
inside the compiled loop, so there is no Python and no host transfer per step.

An epoch of ``S = N // B`` full batches (plus one last partial batch of
``N % B`` samples, as Keras does) runs as:

* ``k`` calls of the *chunk* program (``C`` steps each), so that a progress bar
  and batch-level callbacks can run between chunks, then
* one call of the *tail* program: the remaining ``S - k*C`` full steps and the
  partial batch.

With ``C = 0`` (no progress bar) the tail program is the whole epoch: exactly
one compiled program per epoch. Both programs are compiled once and reused by
every later epoch.

Example:
    >>> runner = EpochRunner(train_step, num_samples=60000, batch_size=32, chunk_steps=0)
    >>> ts, losses = runner.run_epoch(ts, data, perm)        # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

__all__ = ["EpochRunner", "EvalRunner", "PredictRunner", "choose_chunk_steps", "gather_batch"]


def gather_batch(data: Any, idx: jax.Array) -> Any:
    """Rows `idx` of every array in `data` (None leaves stay None)."""
    return jax.tree.map(lambda a: jnp.take(a, idx, axis=0), data)


def choose_chunk_steps(full_steps: int, target_updates: int = 20) -> int:
    """Chunk length for about `target_updates` progress updates per epoch.

    Prefers a divisor of `full_steps` (then the tail program only handles the
    partial batch)."""
    if full_steps <= target_updates:
        return 1 if full_steps > 1 else 0
    ideal = full_steps / target_updates
    lo, hi = max(1, int(ideal / 2)), int(ideal * 2)
    divisors = [d for d in range(lo, hi + 1) if full_steps % d == 0]
    if divisors:
        return min(divisors, key=lambda d: abs(d - ideal))
    return int(math.ceil(ideal))


class EpochRunner:
    """Compiled training epochs over in-memory data.

    Args:
        train_step: pure ``(ts, batch) -> (ts, logs)``; logs must contain "loss".
        num_samples: N, rows of the training data.
        batch_size: B.
        chunk_steps: C, steps per chunk call (0 = whole epoch in one program).
        results_fn: optional pure ``ts -> dict`` (metric results) evaluated at
            the end of each call, so that reading logs needs no extra program.
        vmap_members: train a population: the train state has a leading member
            axis; data and permutation are shared by all members.
    """

    def __init__(self, train_step: Callable, *, num_samples: int, batch_size: int, chunk_steps: int = 0,
                 results_fn: Callable | None = None, vmap_members: bool = False):
        self.num_samples = int(num_samples)
        self.batch_size = int(batch_size)
        self.full_steps = self.num_samples // self.batch_size
        self.remainder = self.num_samples % self.batch_size
        self.chunk_steps = int(chunk_steps) if chunk_steps and chunk_steps < self.full_steps else 0
        self.num_chunks = self.full_steps // self.chunk_steps if self.chunk_steps else 0
        self.tail_full_steps = self.full_steps - self.num_chunks * self.chunk_steps
        self._step = train_step
        self._results = results_fn
        self._vmap = vmap_members
        B = self.batch_size

        def run_full(ts, data, perm, start, n):
            def body(ts, i):
                idx = lax.dynamic_slice_in_dim(perm, (start + i) * B, B)
                ts, logs = train_step(ts, gather_batch(data, idx))
                return ts, logs
            return lax.scan(body, ts, jnp.arange(n))

        def finish(ts, logs):
            res = results_fn(ts) if results_fn is not None else {}
            return ts, logs, res

        def chunk(ts, data, perm, start):
            ts, logs = run_full(ts, data, perm, start, self.chunk_steps)
            return finish(ts, logs)

        def tail(ts, data, perm):
            start = self.num_chunks * self.chunk_steps
            logs = None
            if self.tail_full_steps:
                ts, logs = run_full(ts, data, perm, start, self.tail_full_steps)
            if self.remainder:
                idx = lax.dynamic_slice_in_dim(perm, self.full_steps * B, self.remainder)
                ts, last = train_step(ts, gather_batch(data, idx))
                last = jax.tree.map(lambda v: v[None], last)
                logs = last if logs is None else jax.tree.map(lambda a, b: jnp.concatenate([a, b]), logs, last)
            return finish(ts, logs)

        if vmap_members:
            chunk = jax.vmap(chunk, in_axes=(0, None, None, None))
            tail = jax.vmap(tail, in_axes=(0, None, None))
        self._chunk = jax.jit(chunk)
        self._tail = jax.jit(tail)

    @property
    def steps_per_epoch(self) -> int:
        return self.full_steps + (1 if self.remainder else 0)

    def first_chunk(self, start_step: int) -> int:
        """Index of the chunk that begins at step `start_step` of an epoch.

        Raises:
            ValueError: `start_step` is not a chunk boundary (0, C, 2C, ... up to
                the start of the tail) nor the end of the epoch.
        """
        start_step = int(start_step)
        if start_step == 0:
            return 0
        if self.chunk_steps and start_step % self.chunk_steps == 0 and start_step // self.chunk_steps <= self.num_chunks:
            return start_step // self.chunk_steps
        if start_step == self.steps_per_epoch:
            return self.num_chunks
        raise ValueError(
            f"`start_step` {start_step} is not a chunk boundary of this epoch ({self.steps_per_epoch} steps in "
            f"chunks of {self.chunk_steps or self.steps_per_epoch}); resume with the batch size and steps per "
            f"chunk the run was saved with."
        )

    def calls(self, ts: Any, data: Any, perm: jax.Array, start_step: int = 0) -> Iterator[tuple[Any, Any, dict, int]]:
        """Run one epoch, yielding ``(ts, step_logs, results, steps_done)`` after
        each compiled call. Calls are dispatched one ahead, so the host reads
        the logs of call k while call k+1 runs.

        `start_step` (a chunk boundary, see `first_chunk`) resumes an epoch in
        the middle: the steps before it are skipped, the batch order (`perm`)
        is the same."""
        pending = None
        first = self.first_chunk(start_step)
        if start_step and start_step == self.steps_per_epoch:
            return
        for c in range(first, self.num_chunks):
            out = self._chunk(ts, data, perm, jnp.int32(c * self.chunk_steps))
            ts = out[0]
            if pending is not None:
                yield pending
            pending = (*out, (c + 1) * self.chunk_steps)
        if self.tail_full_steps or self.remainder:
            out = self._tail(ts, data, perm)
            if pending is not None:
                yield pending
            pending = (*out, self.steps_per_epoch)
        if pending is not None:
            yield pending

    def run_epoch(self, ts: Any, data: Any, perm: jax.Array) -> tuple[Any, Any, dict]:
        """One epoch without stopping in between: returns ``(ts, step_logs, results)``."""
        logs_all, results = [], {}
        for ts, logs, results, _ in self.calls(ts, data, perm):
            logs_all.append(logs)
        if not logs_all:
            return ts, None, results
        axis = 1 if self._vmap else 0
        logs = jax.tree.map(lambda *a: jnp.concatenate(a, axis=axis), *logs_all)
        return ts, logs, results


class EvalRunner:
    """Compiled evaluation over in-memory data in batches (no shuffling).

    ``run(env, data) -> results``: starts from ``init_fn()`` metric states, runs
    ``eval_step(env, metrics, batch)`` over every batch (the last one partial),
    and returns ``results_fn(metrics)`` — all in one program.
    """

    def __init__(self, eval_step: Callable, *, num_samples: int, batch_size: int, init_fn: Callable,
                 results_fn: Callable, vmap_members: bool = False):
        B = int(batch_size)
        full, rem = num_samples // B, num_samples % B

        def run(env, data):
            metrics = init_fn()

            def body(m, i):
                batch = jax.tree.map(lambda a: lax.dynamic_slice_in_dim(a, i * B, B), data)
                return eval_step(env, m, batch), None

            if full:
                metrics, _ = lax.scan(body, metrics, jnp.arange(full))
            if rem:
                batch = jax.tree.map(lambda a: a[full * B:], data)
                metrics = eval_step(env, metrics, batch)
            return results_fn(metrics)

        if vmap_members:
            run = jax.vmap(run, in_axes=(0, None))
        self._run = jax.jit(run)

    def run(self, env: Any, data: Any) -> Any:
        return self._run(env, data)


class PredictRunner:
    """Compiled inference in batches: ``run(variables, x) -> outputs`` (N rows)."""

    def __init__(self, predict_step: Callable, *, num_samples: int, batch_size: int):
        B = int(batch_size)
        full, rem = num_samples // B, num_samples % B

        def run(variables, x):
            outs = []
            if full:
                def body(_, i):
                    batch = jax.tree.map(lambda a: lax.dynamic_slice_in_dim(a, i * B, B), x)
                    return None, predict_step(variables, batch)
                _, ys = lax.scan(body, None, jnp.arange(full))
                outs.append(jax.tree.map(lambda a: a.reshape((full * B,) + a.shape[2:]), ys))
            if rem:
                outs.append(predict_step(variables, jax.tree.map(lambda a: a[full * B:], x)))
            if len(outs) == 1:
                return outs[0]
            return jax.tree.map(lambda a, b: jnp.concatenate([a, b]), *outs)

        self._run = jax.jit(run)

    def run(self, variables: Any, x: Any) -> Any:
        return self._run(variables, x)
