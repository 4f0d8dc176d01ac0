"""Learning-rate range test (Leslie Smith's "LR finder").

Train a *copy* of the model for a few hundred steps while the learning rate
grows exponentially from `start_lr` to `end_lr`, record the loss of every
step, and pick the learning rate where the smoothed loss falls fastest. The
model's own weights and optimizer are never touched: the test runs on the
pure core (`make_train_step` + a jitted `lax.scan` over chunks of steps), with
the learning rate of step ``i`` written into ``opt_state.hparams`` before it.
It stops once the smoothed loss exceeds ``diverge_factor`` times its minimum.

Smoothing and the suggestion (robust to early spikes): the raw losses go
through a centred running median of ``median_window`` steps (isolated spikes
vanish), then the bias-corrected exponentially weighted average with `beta`.
The suggestion is the learning rate of steepest descent of the smoothed loss
(per decade of learning rate), searched after the first `skip_start` steps and
before the minimum of the smoothed loss; ``lr_at_min / 10`` is also reported.

Example:
    >>> result = find_learning_rate(model, x_train, y_train, num_steps=200)  # doctest: +SKIP
    >>> result.suggestion                                                    # doctest: +SKIP
    0.0021
    >>> result.plot("lr_finder.png")                                         # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .._validation import check_finite_number, check_in_range, check_positive_int
from .curves import ema

__all__ = ["find_learning_rate", "suggest_learning_rate", "LRFinderResult", "lr_smooth"]


@dataclasses.dataclass
class LRFinderResult:
    """Outcome of `find_learning_rate`.

    Attributes:
        learning_rates: ``(S,)`` learning rate of each step taken.
        losses: ``(S,)`` raw training loss of each step.
        smoothed: ``(S,)`` smoothed loss (median filter + bias-corrected EMA).
        suggestion: the suggested learning rate (steepest descent), or None.
        lr_at_min: learning rate at the minimum of the smoothed loss.
        stopped_early: True when the test stopped on divergence.
        stop_reason: why it stopped ("diverged", "nan", "end_lr reached").
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float | None
    lr_at_min: float | None
    stopped_early: bool
    stop_reason: str

    @property
    def lr_min_over_10(self) -> float | None:
        """The other classic rule: a tenth of the learning rate at the minimum."""
        return None if self.lr_at_min is None else self.lr_at_min / 10.0

    def to_dict(self) -> dict[str, Any]:
        return {"learning_rates": self.learning_rates.tolist(), "losses": [_num(v) for v in self.losses],
                "smoothed": [_num(v) for v in self.smoothed], "suggestion": self.suggestion,
                "lr_at_min": self.lr_at_min, "stopped_early": self.stopped_early, "stop_reason": self.stop_reason}

    def plot(self, path: Any = None, ax: Any = None) -> Any:
        """Loss against learning rate (log axis) with the suggestion marked.

        Args:
            path: optional file to write (``.png`` / ``.svg``), atomically.
            ax: optional matplotlib Axes to draw into.

        Returns:
            The matplotlib Figure.
        """
        from ..report.plots import lr_finder_figure, save_figure

        fig = lr_finder_figure(self, ax=ax)
        if path is not None:
            save_figure(fig, path)
        return fig

    def __str__(self) -> str:
        s = "none (the loss never fell: widen the range)" if self.suggestion is None else f"{self.suggestion:.3g}"
        lines = [f"Suggested learning rate: {s}"]
        if self.lr_at_min is not None:
            lines.append(f"Minimum smoothed loss at learning rate {self.lr_at_min:.3g} "
                         f"(a tenth of it: {self.lr_min_over_10:.3g})")
        lines.append(f"{len(self.losses)} steps, stopped: {self.stop_reason}")
        return "\n".join(lines)


def _num(v: float) -> float | str:
    return float(v) if math.isfinite(v) else str(v)


def lr_smooth(losses: np.ndarray, beta: float = 0.9, median_window: int = 7) -> np.ndarray:
    """Centred running median over `median_window` steps, then a bias-corrected EMA."""
    y = np.asarray(losses, dtype=np.float64)
    if len(y) == 0:
        return y
    half = median_window // 2
    med = np.empty_like(y)
    for i in range(len(y)):
        seg = y[max(0, i - half): i + half + 1]
        seg = seg[np.isfinite(seg)]
        med[i] = np.median(seg) if len(seg) else np.inf
    med = np.where(np.isfinite(med), med, np.nanmax(np.where(np.isfinite(med), med, np.nan)) * 10
                   if np.isfinite(med).any() else 0.0)
    return ema(med, beta)


def suggest_learning_rate(learning_rates: np.ndarray, losses: np.ndarray, *, beta: float = 0.9,
                          median_window: int = 7, skip_start: int = 10, skip_end: int = 5,
                          min_drop: float = 0.05) -> tuple[float | None, float | None, np.ndarray]:
    """The steepest-descent learning rate of a range test (pure, testable).

    Args:
        learning_rates: ``(S,)`` increasing learning rates.
        losses: ``(S,)`` raw losses.
        min_drop: the smoothed loss must fall by this fraction below its level
            after `skip_start` steps, else there is no suggestion.

    Returns:
        ``(suggestion, lr_at_min, smoothed)``; the first two are None when the
        loss never decreased.
    """
    lrs = np.asarray(learning_rates, dtype=np.float64)
    sm = lr_smooth(losses, beta, median_window)
    n = len(sm)
    lo, hi = min(skip_start, max(0, n - 3)), max(min(skip_start, n - 3) + 2, n - skip_end)
    if n < 3 or hi - lo < 2:
        return None, None, sm
    region = sm[lo:hi]
    i_min = lo + int(np.argmin(region))
    lr_at_min = float(lrs[i_min])
    if sm[lo] - sm[i_min] < min_drop * abs(sm[lo]):  # the loss never really fell
        return None, None, sm
    if i_min - lo < 2:
        return None, lr_at_min, sm
    seg = sm[lo:i_min + 1]
    grad = np.gradient(seg, np.log10(lrs[lo:i_min + 1]))
    i_steep = lo + int(np.argmin(grad))
    if grad[i_steep - lo] >= 0:
        return None, lr_at_min, sm
    return float(lrs[i_steep]), lr_at_min, sm


def find_learning_rate(model: Any, x: Any, y: Any = None, *, start_lr: float = 1e-7, end_lr: float = 10.0,
                       num_steps: int = 200, batch_size: int = 32, beta: float = 0.9, median_window: int = 7,
                       diverge_factor: float = 4.0, skip_start: int = 10, skip_end: int = 5,
                       chunk_steps: int = 25, seed: int = 0, verbose: int = 1) -> LRFinderResult:
    """Exponential learning-rate range test on a copy of a compiled model.

    Args:
        model: a compiled model (its loss and optimizer kind are used; its
            weights and optimizer state are left untouched).
        x, y: training data, ``(N, ...)``.
        start_lr, end_lr: the range, ``0 < start_lr < end_lr``.
        num_steps: steps over the range (a few hundred).
        batch_size: samples per step (batches cycle through shuffled data).
        beta, median_window: smoothing (see `lr_smooth`).
        diverge_factor: stop when the smoothed loss exceeds this times its minimum.
        skip_start, skip_end: steps ignored at each end by the suggestion.
        chunk_steps: steps per compiled call (divergence is checked between calls).
        seed: shuffling and dropout randomness.
        verbose: 1 shows a progress bar.

    Returns:
        `LRFinderResult`.

    Raises:
        RuntimeError: the model is not compiled.
        ValueError: bad range or counts, or fewer samples than one batch.
    """
    from ..core.loop import gather_batch
    from ..core.step import init_train_state, make_train_step
    from ..core.trees import trainable_mask

    model._require_compiled("find_learning_rate")
    start_lr = check_finite_number("start_lr", start_lr)
    end_lr = check_finite_number("end_lr", end_lr)
    if not 0 < start_lr < end_lr:
        raise ValueError(f"`start_lr` and `end_lr` must satisfy 0 < start_lr < end_lr; received "
                         f"start_lr={start_lr!r}, end_lr={end_lr!r}. The default range is 1e-7 to 10.")
    num_steps = check_positive_int("num_steps", num_steps)
    if num_steps < 10:
        raise ValueError(f"`num_steps` must be at least 10 for a meaningful curve; received {num_steps}. "
                         f"A few hundred (e.g. 200) is typical.")
    batch_size = check_positive_int("batch_size", batch_size)
    chunk_steps = check_positive_int("chunk_steps", chunk_steps)
    check_in_range("beta", beta, 0.0, 1.0)
    diverge_factor = check_in_range("diverge_factor", diverge_factor, 1.0, math.inf, low_inclusive=False)

    x, y, sw, n = model._prepare(x, y, None)
    model._check_inputs_fit(x)
    objective = model._objective_for(y)
    objective.validate_targets(y, model)
    if n < batch_size:
        raise ValueError(
            f"find_learning_rate got {n} training sample(s), fewer than one batch of `batch_size`={batch_size}: "
            f"every step of the range test needs a full batch of distinct samples. Pass more data, or a "
            f"`batch_size` of at most {n}.")

    # a copy of the weights and a fresh optimizer of the same kind with a float learning rate
    variables = jax.tree.map(jnp.array, model.variables)
    config = dict(model.optimizer.get_config())
    config["learning_rate"] = float(start_lr)
    opt = type(model.optimizer).from_config(config)
    mask = trainable_mask(model, variables["params"])
    ts = init_train_state(model, objective, opt, key=jax.random.key(seed), variables=variables)
    step = make_train_step(model, objective, opt, mask=mask)

    lrs = start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))
    rng = np.random.default_rng(seed)
    need = num_steps * batch_size
    order = np.concatenate([rng.permutation(n) for _ in range(-(-need // n))])[:need].reshape(num_steps, batch_size)
    data = jax.device_put((x, y, sw))

    def run_chunk(ts, data, lr_chunk, idx_chunk):
        def body(ts, inputs):
            lr, idx = inputs
            hp = dict(ts.opt_state.hparams)
            hp["learning_rate"] = lr.astype(hp["learning_rate"].dtype)
            ts = ts._replace(opt_state=ts.opt_state._replace(hparams=hp))
            ts, logs = step(ts, gather_batch(data, idx))
            return ts, logs["loss"]
        return lax.scan(body, ts, (lr_chunk, idx_chunk))

    run_chunk = jax.jit(run_chunk)
    bar = None
    if verbose:
        from tqdm.auto import tqdm

        bar = tqdm(total=num_steps, desc="lr range test", unit="step", leave=False)
    losses: list[float] = []
    reason = "end_lr reached"
    stopped = False
    try:
        for start in range(0, num_steps, chunk_steps):
            stop = min(num_steps, start + chunk_steps)
            lr_c = jnp.asarray(lrs[start:stop], jnp.float32)
            idx_c = jnp.asarray(order[start:stop])
            if stop - start < chunk_steps:  # pad to the compiled length; extra steps are discarded
                pad = chunk_steps - (stop - start)
                lr_c = jnp.concatenate([lr_c, jnp.full((pad,), lr_c[-1])])
                idx_c = jnp.concatenate([idx_c, jnp.repeat(idx_c[-1:], pad, axis=0)])
            ts, chunk_losses = run_chunk(ts, data, lr_c, idx_c)
            losses.extend(np.asarray(chunk_losses, dtype=np.float64)[: stop - start].tolist())
            if bar is not None:
                bar.update(stop - start)
            cut = _divergence_point(np.asarray(losses), diverge_factor, beta, median_window, skip_start)
            if cut is not None:
                losses = losses[: cut[0] + 1]
                reason, stopped = cut[1], True
                break
    finally:
        if bar is not None:
            bar.close()
    losses_arr = np.asarray(losses)
    lrs_used = lrs[: len(losses_arr)]
    suggestion, lr_at_min, smoothed = suggest_learning_rate(lrs_used, losses_arr, beta=beta,
                                                            median_window=median_window,
                                                            skip_start=skip_start, skip_end=skip_end)
    return LRFinderResult(lrs_used, losses_arr, smoothed, suggestion, lr_at_min, stopped, reason)


def _divergence_point(losses: np.ndarray, factor: float, beta: float, window: int, skip: int) -> tuple[int, str] | None:
    """First step where the loss is NaN or the smoothed loss exceeds factor x its minimum so far."""
    bad = np.flatnonzero(~np.isfinite(losses))
    if len(bad):
        return max(0, int(bad[0]) - 1), "nan"
    sm = lr_smooth(losses, beta, window)
    best = np.inf
    for i, v in enumerate(sm):
        if i >= skip and v > factor * best:
            return i, "diverged"
        if i >= min(skip, len(sm) - 1) // 2:
            best = min(best, v)
    return None
