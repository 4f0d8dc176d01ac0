"""Batch-size finder: "try large batch sizes first, then decrease until you see degradation".

1. **Memory:** the largest power of two (capped by the number of training
   samples and `max_batch_size`) whose compiled training step fits: the
   step is traced and run on a copy of the weights; an XLA out-of-memory
   error, or an estimate of the step's memory (every intermediate array of
   its jaxpr) above `memory_limit` bytes, halves the size.
2. **Quality:** from the same initial weights, train a copy for the same
   budget (`budget_epochs` passes over the training data) at that size, then
   at half of it, and so on down to `min_batch_size`, recording the
   validation loss. The search stops once the validation loss degrades by
   more than `tolerance` (relative) from the best so far.
3. **Choice:** the *largest* batch size whose validation loss is within
   `tolerance` of the best (large batches are faster per epoch).

The model is left untouched.

Example:
    >>> result = find_batch_size(model, x, y, validation_split=0.2)   # doctest: +SKIP
    >>> result.batch_size, result.measurements[0]                    # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validation import check_in_range, check_nonnegative, check_positive_int

__all__ = ["find_batch_size", "BatchSizeResult"]


@dataclasses.dataclass
class BatchSizeResult:
    """Outcome of `find_batch_size`.

    Attributes:
        batch_size: the choice.
        max_batch_size: the largest power of two that fits memory.
        measurements: one dict per size tried: ``batch_size``, ``fits``,
            ``val_loss``, ``train_loss``, ``seconds``, ``samples_per_second``,
            ``memory_bytes`` (compiled estimate, when known).
        reason: why the search stopped.
    """

    batch_size: int
    max_batch_size: int
    measurements: list[dict[str, Any]]
    reason: str

    def plot(self, path: Any = None) -> Any:
        """Validation loss by batch size, the choice marked (matplotlib Figure)."""
        from ..report.plots import batch_size_figure, save_figure

        fig = batch_size_figure(self)
        if path is not None:
            save_figure(fig, path)
        return fig

    def __str__(self) -> str:
        lines = [f"Chosen batch size: {self.batch_size} (largest that fits memory: {self.max_batch_size}; {self.reason})"]
        for m in self.measurements:
            if m.get("val_loss") is None:
                lines.append(f"  {m['batch_size']:>6}: does not fit ({m.get('error', '')})")
            else:
                lines.append(f"  {m['batch_size']:>6}: val_loss {m['val_loss']:.4f}  train_loss {m['train_loss']:.4f}  "
                             f"{m['samples_per_second']:.0f} samples/s")
        return "\n".join(lines)


def _is_oom(exc: BaseException) -> bool:
    text = str(exc)
    return "RESOURCE_EXHAUSTED" in text or "Out of memory" in text or "out of memory" in text


def find_batch_size(model: Any, x: Any, y: Any = None, *, validation_data: Any = None,
                    validation_split: float = 0.2, max_batch_size: int = 4096, min_batch_size: int = 8,
                    budget_epochs: float = 2.0, tolerance: float = 0.05, memory_limit: float | None = None,
                    seed: int = 0, verbose: int = 1) -> BatchSizeResult:
    """Find a batch size for a compiled model (see the module docstring).

    Args:
        model: a compiled model (its loss, optimizer kind and learning rate are used).
        x, y: training data ``(N, ...)``.
        validation_data: ``(x_val, y_val)``; else the last `validation_split` of x, y.
        max_batch_size, min_batch_size: bounds (powers of two are tried).
        budget_epochs: training budget per size, in passes over the training data.
        tolerance: relative validation-loss degradation that counts (0.05 = 5%).
        memory_limit: bytes a compiled step may use (default: the device's
            limit when it reports one).
        seed: initial weights are the model's; shuffling uses this seed.
        verbose: 1 prints one line per size.

    Returns:
        `BatchSizeResult`.

    Raises:
        ValueError: bad bounds, or fewer training samples than `min_batch_size`
            (or no validation sample).
    """
    from ..core.loop import EpochRunner, EvalRunner
    from ..core.step import eval_env, init_train_state, make_eval_step, make_train_step
    from ..core.trees import trainable_mask
    from ..models import _data

    model._require_compiled("find_batch_size")
    max_batch_size = check_positive_int("max_batch_size", max_batch_size)
    min_batch_size = check_positive_int("min_batch_size", min_batch_size)
    if min_batch_size > max_batch_size:
        raise ValueError(f"`min_batch_size` ({min_batch_size}) must not exceed `max_batch_size` ({max_batch_size}).")
    budget_epochs = check_in_range("budget_epochs", budget_epochs, 0.0, math.inf, low_inclusive=False)
    tolerance = check_nonnegative("tolerance", tolerance)

    x, y, sw, n = model._prepare(x, y, None)
    if validation_data is not None:
        vx, vy, vsw = _data.unpack_xy(validation_data, "`validation_data`")
        vx, vy, vsw, vn = model._prepare(vx, vy, vsw, prefix="val_")
    else:
        check_in_range("validation_split", validation_split, 0.0, 1.0, low_inclusive=False)
        (x, y, sw), (vx, vy, vsw) = _data.split_tail(validation_split, x, y, sw)
        n, vn = _data.num_samples(x), _data.num_samples(vx)
    model._check_inputs_fit(x)
    _check_enough_samples(n, vn, min_batch_size, validation_data is None)
    objective = model._objective_for(y)
    objective.validate_targets(y, model)
    variables = jax.tree.map(jnp.array, model.variables)
    mask = trainable_mask(model, variables["params"])
    opt = model.optimizer
    data = jax.device_put((x, y, sw))
    val = jax.device_put((vx, vy, vsw))
    if memory_limit is None:
        stats = getattr(jax.devices()[0], "memory_stats", lambda: None)()
        memory_limit = float(stats["bytes_limit"]) if stats and "bytes_limit" in stats else None

    top = 1
    while top * 2 <= min(n, max_batch_size):
        top *= 2
    sizes = []
    b = top
    while b >= min(min_batch_size, top):
        sizes.append(b)
        b //= 2
    evaluator = EvalRunner(make_eval_step(model, objective), num_samples=vn, batch_size=min(vn, 1024),
                           init_fn=objective.init_metrics, results_fn=objective.results)
    measurements: list[dict[str, Any]] = []
    fits_max = None
    best = math.inf
    reason = f"reached min_batch_size={sizes[-1]}"
    for bs in sizes:
        m: dict[str, Any] = {"batch_size": bs}
        measurements.append(m)
        ts = init_train_state(model, objective, opt, key=jax.random.key(seed), variables=variables)
        step = make_train_step(model, objective, opt, mask=mask)
        runner = EpochRunner(step, num_samples=n, batch_size=bs, results_fn=lambda t: objective.results(t.metrics))
        perm_key = jax.random.key(seed + 1)
        try:
            if fits_max is None:
                m["memory_bytes"] = _memory_estimate(step, ts, data, bs)
                if memory_limit is not None and m["memory_bytes"] is not None and m["memory_bytes"] > memory_limit:
                    raise MemoryError(f"estimated {m['memory_bytes']:.3g} bytes > limit {memory_limit:.3g}")
            t0 = time.perf_counter()
            samples = 0
            epochs_done = 0.0
            while epochs_done < budget_epochs - 1e-9:
                frac = min(1.0, budget_epochs - epochs_done)
                perm = jax.random.permutation(jax.random.fold_in(perm_key, int(epochs_done)), n)
                if frac < 1.0:
                    k = max(bs, int(round(frac * n)) // bs * bs)
                    sub = EpochRunner(step, num_samples=k, batch_size=bs, results_fn=lambda t: objective.results(t.metrics))
                    ts = ts._replace(metrics=objective.init_metrics())
                    ts, _, res = sub.run_epoch(ts, data, perm[:k])
                    samples += k
                else:
                    ts = ts._replace(metrics=objective.init_metrics())
                    ts, _, res = runner.run_epoch(ts, data, perm)
                    samples += n
                epochs_done += frac
            val_logs = evaluator.run(eval_env(ts), val)
            val_loss = float(val_logs["loss"])
            seconds = time.perf_counter() - t0  # includes compiling the epoch program
        except Exception as exc:
            if not (isinstance(exc, MemoryError) or _is_oom(exc)) or fits_max is not None:
                raise
            m.update(fits=False, val_loss=None, error=str(exc).splitlines()[0][:200])
            if verbose:
                print(f"batch size {bs}: does not fit memory")
            continue
        fits_max = bs if fits_max is None else fits_max
        m.update(fits=True, val_loss=val_loss, train_loss=float(res["loss"]), seconds=seconds,
                 samples_per_second=samples / seconds if seconds > 0 else float("inf"))
        if verbose:
            print(f"batch size {bs}: val_loss {val_loss:.4f} ({m['samples_per_second']:.0f} samples/s)")
        if not math.isfinite(val_loss):
            continue
        if val_loss > best * (1 + tolerance):
            reason = f"validation loss degraded at batch size {bs}"
            break
        best = min(best, val_loss)
    if fits_max is None:
        raise MemoryError(f"No batch size from {sizes[0]} down to {sizes[-1]} fits memory; use a smaller model.")
    ok = [m for m in measurements if m.get("val_loss") is not None and math.isfinite(m["val_loss"])]
    if not ok:
        choice = fits_max
    else:
        best = min(m["val_loss"] for m in ok)
        choice = max(m["batch_size"] for m in ok if m["val_loss"] <= best * (1 + tolerance))
    return BatchSizeResult(batch_size=int(choice), max_batch_size=int(fits_max), measurements=measurements,
                           reason=reason)


def _check_enough_samples(n: int, vn: int, min_batch_size: int, split: bool) -> None:
    """Every size tried needs a full batch of training samples, and the comparison a validation sample."""
    if n < min_batch_size:
        where = " after the `validation_split`" if split else ""
        raise ValueError(
            f"find_batch_size got {n} training sample(s){where}, fewer than one batch of `min_batch_size`="
            f"{min_batch_size}. Pass more data, or a `min_batch_size` of at most {max(n, 1)}.")
    if vn < 1:
        raise ValueError(
            "find_batch_size got no validation sample: pass `validation_data` or a larger `validation_split` "
            "(e.g. 0.2).")


def _memory_estimate(step: Any, ts: Any, data: Any, bs: int) -> float:
    """Bytes one training step may need beyond the data already on the device:
    every intermediate array of the step's jaxpr (activations kept for the
    backward pass, gradients, the new state), summed. An upper bound of what
    XLA keeps live at once, and it grows with the batch size, which is what
    the search needs. (XLA's own ``memory_analysis`` on CPU reports buffers
    that do not change with the batch, so it is not used.)"""
    from ..core.loop import gather_batch

    idx = jnp.arange(bs)
    closed = jax.make_jaxpr(lambda ts, data: step(ts, gather_batch(data, idx)))(ts, data)
    return float(_jaxpr_bytes(closed.jaxpr))


def _jaxpr_bytes(jaxpr: Any) -> int:
    total = 0
    for eqn in jaxpr.eqns:
        for v in eqn.outvars:
            aval = getattr(v, "aval", None)
            shape, dtype = getattr(aval, "shape", None), getattr(aval, "dtype", None)
            itemsize = getattr(dtype, "itemsize", None)  # random keys have no numpy dtype
            if shape is not None and isinstance(itemsize, int):
                total += int(np.prod(shape, dtype=np.int64)) * itemsize
        for param in eqn.params.values():
            for sub in param if isinstance(param, (list, tuple)) else (param,):
                inner = getattr(sub, "jaxpr", None)
                if inner is not None and hasattr(inner, "eqns"):
                    total += _jaxpr_bytes(inner)
                elif hasattr(sub, "eqns"):
                    total += _jaxpr_bytes(sub)
    return total
