"""`diagnose(history)`: read the loss curves and say what to change.

The rules follow the course notes. "If the training loss does not converge,
train for more epochs. If it decreases too slowly, increase the learning rate.
If it varies wildly, decrease the learning rate. When the validation loss
turns up, you are overfitting: stop." Bias and variance are judged as the Deep
Learning Specialization teaches: *avoidable bias* is the training error minus
the baseline (human-level / Bayes) error; *variance* is the validation error
minus the training error. Errors are ``1 - accuracy`` when an accuracy metric
was logged; otherwise losses stand in for them (see `Thresholds`).

Every number that decides a finding is a field of `Thresholds`, with its
default and meaning; every finding carries the numbers that triggered it.

Example:
    >>> findings = diagnose({"loss": [2.3, 1.2, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2],
    ...                      "val_loss": [2.2, 1.3, 0.8, 0.6, 0.7, 0.8, 0.9, 1.0]})
    >>> [f.code for f in findings]
    ['overfitting']
    >>> findings[0].evidence["began_epoch"]
    3
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._blowups import exploded, saturated
from .curves import HistoryData, read_history, rebounds, relative_slope, smooth
from ._model_info import _init_advice, _layer_activations, _order_layers, _top_layers
from .findings import Finding

__all__ = ["diagnose", "Thresholds"]


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """The documented numbers behind every rule (all overridable).

    Attributes:
        window: smoothing width in epochs (None: 1 below 5 epochs, 3 up to 20,
            then about epochs/8), see `curves.smooth`.
        min_epochs: fewer epochs than this is "too little to judge" (1 to 3
            epochs show no trend).
        divergence_ratio: the training loss ends above its start *and* more
            than this times its best value, and stays there (the lowest loss of
            the last third is above it too, so a loss that swings back down is
            not called exploded): diverging. Any NaN / inf is too.
        chance_ratio: with an accuracy metric, a training loss that ends above
            this times the chance-level loss ``ln(classes)`` (classes estimated
            as ``1 / accuracy`` while the accuracy stays flat, within 0.1 from
            the second epoch on, at or below 0.7) is a blow-up that saturated
            the softmax; an epoch above it followed by a loss still at chance
            level is a blow-up that killed the network: diverging, not underfitting.
        spike_ratio: a step loss (after the first `spike_skip` steps) above
            this times the initial loss is a *spike*; an epoch mean above it is too.
        spike_skip: first steps ignored by the spike count.
        spike_fraction: share of spiking steps that means "learning rate too high";
            any spike counts when the loss then made no lasting progress
            (less than `slow_progress` below the initial loss: a huge step
            killed the network, e.g. dead ReLUs).
        rise_tolerance: an epoch whose training loss is more than this
            fraction above the lowest loss before it ...
        rise_floor: ... and above it by more than this fraction of the initial
            loss counts as a *rise* (a rebound; the jitter dropout adds is smaller).
            When the first epoch blew up, twice the worst later epoch stands in
            for the initial loss, if smaller.
        rise_fraction: share of epochs with rises (and at least 2) that means
            "learning rate too high" (the loss jumps around).
        slow_progress: the smoothed training loss removed less than this
            fraction of the initial loss ...
        linearity: ... while its late slope is at least this fraction of its
            early slope and it fell in at least `monotone_fraction` of epochs:
            "learning rate too low" (steady but slow).
        monotone_fraction: see `linearity`.
        converged_fraction: the monitored loss (validation if present) still
            falls by more than this fraction of the drop achieved so far, per
            epoch, over the last epochs ...
        still_falling: ... or by more than this fraction of its own value per
            epoch: "not converged".
        overfit_rise: validation loss (smoothed) ends this fraction above its
            minimum, at least `overfit_min_epochs` after it, while the training
            loss kept falling: overfitting began at the minimum.
        overfit_min_epochs: see `overfit_rise`.
        variance_gap: validation error minus training error above this
            (absolute, e.g. 0.08 = 8 points of accuracy): high variance. (5 points
            flagged healthy real runs of small MLPs on 2,000 images.)
        variance_loss_gap: without accuracy: (val_loss - loss) above this
            fraction of the initial loss, and val_loss/loss above
            `variance_loss_ratio`: high variance.
        variance_loss_ratio: see `variance_loss_gap`.
        bias_error: training error minus `baseline_error` above this: high bias.
        flat_level: without accuracy: the training loss flattened at more than
            this fraction of its initial value: high bias.
        vanishing_ratio: gradient norm of the first layer / last layer below
            this (median over epochs, 3+ layers with weights): vanishing.
        exploding_norm: a layer's mean gradient norm above this, or the
            first/last ratio above ``1 / vanishing_ratio``: exploding.
    """

    window: int | None = None
    min_epochs: int = 4
    divergence_ratio: float = 2.0
    chance_ratio: float = 3.0
    spike_ratio: float = 2.0
    spike_skip: int = 3
    spike_fraction: float = 0.01
    rise_tolerance: float = 0.3
    rise_floor: float = 0.05
    rise_fraction: float = 0.1
    slow_progress: float = 0.3
    linearity: float = 0.5
    monotone_fraction: float = 0.8
    converged_fraction: float = 0.02
    still_falling: float = 0.045
    overfit_rise: float = 0.08
    overfit_min_epochs: int = 2
    variance_gap: float = 0.08
    variance_loss_gap: float = 0.1
    variance_loss_ratio: float = 1.5
    bias_error: float = 0.14
    flat_level: float = 0.7
    vanishing_ratio: float = 1e-3
    exploding_norm: float = 1e3


_ACCURACY_KEYS = ("accuracy", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy", "acc")


def diagnose(history: Any, *, thresholds: Thresholds | None = None, baseline_error: float = 0.0,
             model: Any = None, monitor: str = "loss", **overrides: Any) -> list[Finding]:
    """Diagnose a training run from its history.

    Args:
        history: a `History` (from `fit`; its per-step losses, learning rates,
            gradient norms and logged events are used), or a dict of per-epoch
            lists such as ``{"loss": [...], "val_loss": [...], "accuracy": [...]}``
            (optionally with ``"step_loss"``, ``"learning_rate"``, ``"grad_norms"``,
            ``"events"`` as written in a run directory's ``history.json``).
        thresholds: a `Thresholds`; keyword `overrides` replace single fields,
            e.g. ``diagnose(h, overfit_rise=0.1)``.
        baseline_error: human-level / Bayes error for the bias judgement
            (avoidable bias = training error - baseline_error).
        model: optional model (or its saved config dict) for initializer advice.
        monitor: the loss key (``"loss"``; ``"<output>_loss"`` for one output).

    Returns:
        A list of `Finding`, worst first. ``healthy`` appears when nothing is
        wrong; ``insufficient_data`` when there are fewer than
        ``thresholds.min_epochs`` epochs (nothing else is judged then, except NaNs).

    Raises:
        TypeError: `history` is not a History or dict of numbers, or an unknown override.
    """
    th = thresholds or Thresholds()
    if overrides:
        valid = {f.name for f in dataclasses.fields(Thresholds)}
        unknown = sorted(set(overrides) - valid)
        if unknown:
            from .._validation import did_you_mean

            raise TypeError(
                f"Unknown threshold(s) {unknown} passed to diagnose().{did_you_mean(unknown[0], valid)} "
                f"Valid names: {', '.join(sorted(valid))}."
            )
        th = dataclasses.replace(th, **overrides)
    data = read_history(history)
    if data.series and all(k.startswith("val_") for k in data.series):
        raise ValueError(
            f"`history` has only validation keys ({sorted(data.series)}) and no training `{monitor}`; expected "
            f"the per-epoch training loss beside them, e.g. {{'{monitor}': [...], 'val_{monitor}': [...]}}. "
            "Pass the whole History returned by model.fit (history.history), not only its validation part."
        )
    return _Doctor(data, th, float(baseline_error), model, monitor).run()


class _Doctor:
    def __init__(self, data: HistoryData, th: Thresholds, baseline: float, model: Any, monitor: str):
        self.d, self.th, self.baseline, self.model = data, th, baseline, model
        self.loss_key = monitor
        self.findings: list[Finding] = []

    # ------------------------------------------------------------- helpers
    def add(self, *args: Any, **kwargs: Any) -> None:
        self.findings.append(Finding(*args, **kwargs))

    @property
    def lr(self) -> float | None:
        lrs = self.d.learning_rate[np.isfinite(self.d.learning_rate)] if len(self.d.learning_rate) else []
        return float(lrs[-1]) if len(lrs) else None

    def lr_suggestion(self, factor: float) -> dict[str, Any]:
        lr = self.lr
        if lr is None:
            return {"learning_rate_multiplier": factor}
        return {"learning_rate": float(f"{lr * factor:.3g}")}

    def start_level(self, loss: np.ndarray) -> float:
        """A robust level to measure progress from: the median of the first five
        step losses (or the first epoch's mean), whichever is higher."""
        if self.d.step_loss and len(self.d.step_loss[0]):
            first = self.d.step_loss[0][:5]
            first = first[np.isfinite(first)]
            if len(first):
                return max(float(np.median(first)), float(loss[0]))
        return float(loss[0])

    def initial_loss(self, loss: np.ndarray) -> float:
        """The loss before training: the first step's loss (computed on the initial
        weights, before any update), else the first epoch's mean."""
        if self.d.step_loss and len(self.d.step_loss[0]) and np.isfinite(self.d.step_loss[0][0]):
            return float(self.d.step_loss[0][0])
        return float(loss[0])

    def accuracy(self, prefix: str = "") -> np.ndarray | None:
        for k in _ACCURACY_KEYS:
            if prefix + k in self.d.series:
                return self.d.series[prefix + k]
        return None

    # ------------------------------------------------------------- rules
    def run(self) -> list[Finding]:
        loss = self.d.series.get(self.loss_key)
        n = 0 if loss is None else len(loss)
        if loss is not None and n and not np.all(np.isfinite(loss)) or self._nonfinite_steps():
            self.diverging(loss)
        elif n < self.th.min_epochs:
            keys = sorted(self.d.series)
            self.add("insufficient_data", "info",
                     f"There is too little to judge: {n} epoch(s) of `{self.loss_key}` (need at least "
                     f"{self.th.min_epochs}).",
                     evidence={"epochs": n, "keys": keys},
                     advice="Train for more epochs (at least 5 show a trend) and keep validation data, then "
                            "diagnose again.",
                     suggestion={"epochs": max(10, self.th.min_epochs)})
            self.gradients()  # gradient norms need no trend: judged even on 1-3 epochs
            order = {"critical": 0, "warning": 1, "info": 2}
            return sorted(self.findings, key=lambda f: order[f.severity])
        else:
            self.diverging(loss)
        start = self._recovery_start()
        critical = any(f.code == "diverging" and f.severity == "critical" for f in self.findings)
        if not critical:
            seg = {k: v[start:] for k, v in self.d.series.items()}
            if len(seg[self.loss_key]) >= self.th.min_epochs:
                self.curves(seg, start)
        self.gradients()
        if not any(f.severity != "info" for f in self.findings):
            self.healthy()
        order = {"critical": 0, "warning": 1, "info": 2}
        return sorted(self.findings, key=lambda f: order[f.severity])

    def _nonfinite_steps(self) -> bool:
        return any(len(s) and not np.all(np.isfinite(s)) for s in self.d.step_loss)

    def _recovery_start(self) -> int:
        """First epoch after the Autopilot's last weight restore (curves are judged from there)."""
        starts = [int(e["epoch"]) + 1 for e in self.d.events if e.get("action") == "restore_last_good_weights"]
        return max(starts) if starts else 0

    def diverging(self, loss: np.ndarray | None) -> None:
        if loss is None or not len(loss):
            return
        bad = np.flatnonzero(~np.isfinite(loss))
        step_bad = [i for i, s in enumerate(self.d.step_loss) if len(s) and not np.all(np.isfinite(s))]
        finite = loss[np.isfinite(loss)]
        evidence: dict[str, Any] = {}
        if len(bad) or step_bad:
            first = int(min(list(bad) + step_bad))
            evidence = {"first_bad_epoch": first, "nonfinite_epochs": int(max(len(bad), len(step_bad)))}
            if step_bad and len(self.d.step_loss[first]):
                s = self.d.step_loss[first]
                evidence["first_bad_step"] = int(np.flatnonzero(~np.isfinite(s))[0])
            if len(finite):
                evidence["last_finite_loss"] = float(finite[-1])
            summary = f"The loss became NaN or infinite in epoch {first + 1}."
        else:
            if len(loss) < 2:
                return
            found = exploded(loss, self.initial_loss(loss), self.th) or saturated(loss, self.accuracy(), self.th)
            if found is None:
                return
            evidence, summary = found
        restores = [e for e in self.d.events if e.get("action") == "restore_last_good_weights"]
        recovered = bool(restores) and np.isfinite(loss[-1])
        if self.lr is not None:
            evidence["learning_rate"] = self.lr
        if recovered:
            evidence["recovered_at_epoch"] = int(restores[-1]["epoch"])
            self.add("diverging", "warning", summary + " The Autopilot restored the last good weights and cut "
                     "the learning rate; training went on from there.", evidence=evidence,
                     advice="Start the next run with the reduced learning rate the Autopilot ended with.",
                     suggestion=self.lr_suggestion(1.0))
            return
        self.add("diverging", "critical", summary, evidence=evidence,
                 advice="The steps are too large: divide the learning rate by 10 (or run find_learning_rate), "
                        "check the inputs are normalised, and consider gradient clipping (clipnorm=1.0).",
                 suggestion=self.lr_suggestion(0.1))

    def curves(self, s: dict[str, np.ndarray], offset: int) -> None:
        th = self.th
        loss = s[self.loss_key]
        n = len(loss)
        sm = smooth(loss, th.window)
        l0 = self.initial_loss(loss) if offset == 0 else float(loss[0])
        val = s.get("val_" + self.loss_key)
        if val is not None and (len(val) < 2 or np.isfinite(val).sum() < 2):
            val = None
        elif val is not None and not np.all(np.isfinite(val)):
            # NaN / inf epochs of a validation curve (an evaluation that overflowed) are read across: the
            # curve is judged on its finite epochs, linearly interpolated between them
            idx = np.arange(len(val))
            ok = np.isfinite(val)
            val = np.interp(idx, idx[ok], val[ok])
        val_sm = smooth(val, th.window) if val is not None else None

        # --- learning rate too high: spikes above the start, or rises between epochs
        spikes, steps = 0, 0
        if offset == 0 and self.d.step_loss:
            allsteps = np.concatenate(self.d.step_loss)[th.spike_skip:]
            steps = len(allsteps)
            spikes = int(np.sum(allsteps > th.spike_ratio * l0))
        epoch_spikes = int(np.sum(loss > th.spike_ratio * l0))
        # the scale of the problem: the initial loss, or twice the worst later epoch when the first epoch
        # itself blew up (so a blow-up does not hide the jumps that follow it)
        scale = min(l0, 2.0 * float(np.max(loss[1:]))) if n >= 2 else l0
        rises = rebounds(loss, th.rise_tolerance, th.rise_floor * scale)
        spike_frac = spikes / steps if steps else 0.0
        stuck = l0 > 0 and 1.0 - float(sm[-1]) / l0 < th.slow_progress
        too_high = (steps and spike_frac >= th.spike_fraction) or epoch_spikes > 0 or (spikes > 0 and stuck) or (
            rises >= 2 and rises / max(1, n - 1) >= th.rise_fraction)
        level = self.start_level(loss) if offset == 0 else float(loss[0])
        progress = 1.0 - float(sm[-1]) / level if level > 0 else float("nan")
        if too_high:
            progress = 1.0 - float(sm[-1]) / l0 if l0 > 0 else float("nan")
            ev = {"initial_loss": l0, "final_loss": float(sm[-1]), "progress": progress,
                  "rising_epochs": rises, "epochs": n}
            if steps:
                ev.update(spiking_steps=spikes, spike_fraction=spike_frac, max_step_loss=float(np.max(allsteps)))
            dead = [k for k, v in (self.d.grad_norms[-1] if self.d.grad_norms else {}).items() if v == 0.0]
            if dead:
                ev["layers_with_zero_gradient"] = dead
            if self.lr is not None:
                ev["learning_rate"] = self.lr
            what = (f"{spikes} of {steps} steps jumped above {th.spike_ratio:g}x the starting loss"
                    if spikes else f"the training loss rebounded in {rises} of {n - 1} epochs (more than "
                    f"{th.rise_tolerance:.0%} above its lowest so far, by more than {th.rise_floor:.0%} of the "
                    f"initial loss)" if rises >= 2
                    else "an epoch's mean loss ended far above the starting loss")
            stuck = " and the loss made no lasting progress" if progress < th.slow_progress else ""
            self.add("learning_rate_too_high", "critical" if progress < th.slow_progress else "warning",
                     f"The loss jumps around: {what}{stuck}.", evidence=ev,
                     advice="Decrease the learning rate (divide it by 10, or run find_learning_rate); "
                            + ("some layers stopped learning (zero gradient: dead ReLUs after a huge step). "
                               if dead else ""),
                     suggestion=self.lr_suggestion(0.1))
            if progress < th.slow_progress or rises >= 0.25 * (n - 1):
                return  # stuck, or jumping in a quarter of the epochs: the learning rate is the first thing to fix
            # the loss jumps but training made progress: a validation loss that turned up is the stronger
            # signal (the jumps may be noise of a network that memorises), so look for it and report it first
            jumpy = self.findings.pop()
            self.variance(loss, sm, val, val_sm, l0, offset, fast_fall=False)
            self.findings.append(jumpy)
            return

        # --- learning rate too low: steady but slow
        decreasing = float(np.mean(loss[1:] < loss[:-1])) if n > 1 else 0.0
        half = max(1, n // 2)
        early = (sm[0] - sm[half]) / half if n > 2 else l0 - sm[-1]
        late = (sm[n - 1 - half] - sm[-1]) / half if n > 2 else early
        linear = early > 0 and late / early >= th.linearity
        too_low = progress < th.slow_progress and decreasing >= th.monotone_fraction and late > 0 and linear
        if too_low:
            ev = {"initial_loss": level, "final_loss": float(sm[-1]), "progress": progress,
                  "decreasing_epochs_fraction": decreasing, "early_slope": float(-early), "late_slope": float(-late),
                  "late_over_early": float(late / early)}
            if self.lr is not None:
                ev["learning_rate"] = self.lr
            self.add("learning_rate_too_low", "warning",
                     f"The loss decreases steadily but far too slowly: only {progress:.1%} of the initial loss "
                     f"removed in {n} epochs, and it is not levelling off.", evidence=ev,
                     advice="Increase the learning rate (multiply it by 10, or run find_learning_rate).",
                     suggestion=self.lr_suggestion(10.0))
            return

        # --- overfitting / variance, then not converged
        fall = self._tail_fall(loss, sm, val, val_sm, l0, offset)
        overfit, train_err, val_err = self.variance(loss, sm, val, val_sm, l0, offset, fast_fall=fall["fast"])
        falling, still, own, per_epoch, drop, k = (fall[x] for x in ("falling", "still", "own", "per_epoch",
                                                                    "drop", "k"))

        # --- not converged: the monitored loss is still falling
        not_converged = not overfit and falling
        if not_converged:
            which = "validation loss" if val_sm is not None else "training loss"
            epochs_total = n + offset
            self.add("not_converged", "warning",
                     f"Not converged: the {which} is still falling at the end ({still:.1%} of the drop so far, "
                     f"per epoch, over the last {k} epochs).",
                     evidence={"monitored": "val_" + self.loss_key if val_sm is not None else self.loss_key,
                               "slope_per_epoch": -per_epoch, "drop_so_far": drop, "fraction_per_epoch": still,
                               "fraction_of_level_per_epoch": own,
                               "last_epochs": k, "epochs": epochs_total},
                     advice="Train for more epochs (with EarlyStopping on val_loss to stop at the right time).",
                     suggestion={"epochs": max(2 * epochs_total, epochs_total + 10)})

        # --- underfitting / bias
        flat = not not_converged
        if flat:
            high_bias, ev = False, {}
            if train_err is not None:
                avoidable = train_err - self.baseline
                ev = {"train_error": train_err, "baseline_error": self.baseline, "avoidable_bias": avoidable}
                if val_err is not None:
                    ev["val_error"] = val_err
                high_bias = avoidable > th.bias_error
            else:
                ev = {"initial_loss": l0, "final_loss": float(sm[-1]), "level": float(sm[-1] / l0) if l0 else 0.0}
                high_bias = l0 > 0 and sm[-1] > th.flat_level * l0
            if high_bias:
                ev["train_slope_per_epoch"] = relative_slope(sm, max(3, n // 4))
                self.add("underfitting", "warning",
                         "Underfitting (high bias): " + (
                             f"the training error is {train_err:.1%} (avoidable bias {ev['avoidable_bias']:.1%} "
                             f"over a baseline of {self.baseline:.1%}) and the loss has flattened."
                             if train_err is not None else
                             f"the training loss flattened at {ev['level']:.0%} of its initial value."),
                         evidence=ev,
                         advice="Reduce bias: a bigger network (more units or layers), train longer or with a "
                                "better optimizer (Adam), and less regularization.",
                         suggestion={"hidden_units_multiplier": 2, "extra_hidden_layers": 1,
                                     "epochs": max(2 * n, n + 10)})

    def _tail_fall(self, loss: np.ndarray, sm: np.ndarray, val: np.ndarray | None, val_sm: np.ndarray | None,
                   l0: float, offset: int) -> dict[str, Any]:
        """How fast the monitored loss (validation if present) still falls over its last epochs."""
        th = self.th
        mon, mon_sm = (val, val_sm) if val_sm is not None else (loss, sm)
        k = max(3, len(mon_sm) // 4)
        tail = mon_sm[-k:]
        per_epoch = -float(np.polyfit(np.arange(len(tail)), tail, 1)[0]) if len(tail) >= 2 else 0.0
        drop = float(mon_sm[0] - np.min(mon_sm)) if offset else float(max(mon[0], l0) - np.min(mon_sm))
        still = per_epoch / drop if drop > 0 else 0.0
        level_now = float(abs(mon_sm[-1]))
        own = per_epoch / level_now if level_now > 0 else 0.0
        falling = per_epoch > 0 and (still > th.converged_fraction or own > th.still_falling)
        return {"k": k, "per_epoch": per_epoch, "drop": drop, "still": still, "own": own, "falling": falling,
                "fast": falling and own > th.still_falling}

    def variance(self, loss: np.ndarray, sm: np.ndarray, val: np.ndarray | None, val_sm: np.ndarray | None,
                 l0: float, offset: int, fast_fall: bool) -> tuple[bool, float | None, float | None]:
        """Overfitting: the validation loss turned up, or a large train/validation gap (not judged while
        the validation loss still falls fast). Returns (found, train error, validation error)."""
        th, n = self.th, len(loss)
        acc, val_acc = self.accuracy(), self.accuracy("val_")
        train_err = val_err = None
        if acc is not None and len(acc) and np.isfinite(acc[-1]):
            train_err = 1.0 - float(smooth(acc[-len(loss):], th.window)[-1])
        if val_acc is not None and len(val_acc) and np.isfinite(val_acc[-1]):
            val_err = 1.0 - float(smooth(val_acc, th.window)[-1])
        overfit = False
        if val_sm is None:
            return overfit, train_err, val_err
        # the minimum on a light smoothing (3 epochs): a wide window flattens an early minimum
        val_low = smooth(val, min(3, th.window or 3))
        best = int(np.nanargmin(val_low))
        rise = float(val_sm[-1] / val_low[best] - 1.0) if val_low[best] > 0 else 0.0
        since = len(val_sm) - 1 - best
        # training epochs matching the val curve (validation_freq may thin it)
        scale = n / len(val_sm)
        tb = min(n - 1, int(round((best + 1) * scale)) - 1)
        train_fell = sm[-1] < sm[tb]
        bv = self._bias_variance(train_err, val_err, float(sm[-1]), float(val_sm[-1]), l0)
        if rise >= th.overfit_rise and since >= th.overfit_min_epochs and train_fell:
            overfit = True
            began = tb + offset
            ev = {"began_epoch": began, "best_val_loss": float(val_low[best]), "final_val_loss": float(val_sm[-1]),
                  "val_rise": rise, "epochs_since_best": since,
                  "train_loss_change_since": float(sm[-1] - sm[tb]), **bv}
            self.add("overfitting", "warning",
                     f"Overfitting (high variance): the validation loss turned up after epoch {began + 1} "
                     f"(best {val_low[best]:.4g}, now {val_sm[-1]:.4g}, +{rise:.1%}) while the training "
                     f"loss kept falling.", evidence=ev,
                     advice="Stop at the best epoch (EarlyStopping(monitor='val_loss', patience=3, "
                            "restore_best_weights=True)), then reduce variance: more data or augmentation, "
                            "L2 regularization or dropout, or a smaller network.",
                     suggestion={"epochs": began + 1,
                                 "early_stopping": {"monitor": "val_loss", "patience": 3,
                                                    "restore_best_weights": True},
                                 "l2": 1e-4, "dropout": 0.3})
        elif bv.get("high_variance") and not fast_fall:
            # (a gap measured while the validation loss still falls fast is not judged yet)
            overfit = True
            self.add("overfitting", "warning",
                     "High variance: the model does much better on the training data than on the validation "
                     "data" + (f" (train error {train_err:.1%}, validation error {val_err:.1%})."
                               if train_err is not None and val_err is not None else
                               f" (loss {sm[-1]:.4g} vs validation loss {val_sm[-1]:.4g})."),
                     evidence={"began_epoch": None, **bv},
                     advice="Reduce variance: more training data or augmentation, L2 regularization or dropout, "
                            "or a smaller network; stop early at the best validation epoch.",
                     suggestion={"l2": 1e-4, "dropout": 0.3,
                                 "early_stopping": {"monitor": "val_loss", "patience": 3,
                                                    "restore_best_weights": True}})
        return overfit, train_err, val_err

    def _bias_variance(self, train_err: float | None, val_err: float | None, loss: float, val: float,
                       l0: float) -> dict[str, Any]:
        th = self.th
        if train_err is not None and val_err is not None:
            variance = val_err - train_err
            return {"train_error": train_err, "val_error": val_err, "variance": variance,
                    "avoidable_bias": train_err - self.baseline, "high_variance": variance > th.variance_gap}
        gap = val - loss
        ratio = val / loss if loss > 0 else float("inf")
        high = l0 > 0 and gap > th.variance_loss_gap * l0 and ratio > th.variance_loss_ratio
        return {"train_loss": loss, "val_loss": val, "loss_gap": gap, "loss_ratio": ratio, "high_variance": bool(high)}

    def gradients(self) -> None:
        norms = self.d.grad_norms
        if not norms:
            return
        layers = _layer_activations(self.model)
        names = _order_layers(list(norms[0]), [name for name, _, _ in _top_layers(self.model)])
        if len(names) < 2:
            return
        th = self.th
        mat = np.array([[g.get(k, np.nan) for k in names] for g in norms], dtype=np.float64)
        finite_rows = mat[np.all(np.isfinite(mat), axis=1)]
        biggest = float(np.nanmax(np.where(np.isfinite(mat), mat, np.nan))) if np.isfinite(mat).any() else float("nan")
        ratios = finite_rows[:, 0] / np.maximum(finite_rows[:, -1], 1e-30) if len(finite_rows) else np.array([])
        ratio = float(np.median(ratios)) if len(ratios) else float("nan")
        med = np.median(finite_rows, axis=0) if len(finite_rows) else np.full(len(names), np.nan)
        ev = {"layers": names, "median_norms": [float(v) for v in med], "first_over_last": ratio}
        nonfinite = not np.all(np.isfinite(mat))
        if (np.isfinite(biggest) and biggest > th.exploding_norm) or (len(names) >= 3 and ratio > 1 / th.vanishing_ratio) \
                or (nonfinite and len(finite_rows) < len(mat)):
            ev.update(max_norm=biggest, nonfinite_norms=nonfinite)
            init = _init_advice(layers)
            self.add("exploding_gradients", "critical" if nonfinite else "warning",
                     "Exploding gradients: " + (f"a layer's gradient norm reached {biggest:.3g}"
                                                if np.isfinite(biggest) and biggest > th.exploding_norm
                                                else "gradient norms became NaN / infinite"
                                                if nonfinite else f"the first layer's gradient is {ratio:.3g}x the last's")
                     + ".", evidence=ev,
                     advice="Use an initializer scaled to the activation (" + init["text"] + "), clip gradients "
                            "(clipnorm=1.0), lower the learning rate, or add BatchNormalization.",
                     suggestion={"clipnorm": 1.0, **init["suggestion"]})
        elif len(names) >= 3 and len(ratios) and ratio < th.vanishing_ratio:
            init = _init_advice(layers, vanishing=True)
            self.add("vanishing_gradients", "warning",
                     f"Vanishing gradients: the first layer's gradient norm is {ratio:.2g}x the last layer's "
                     f"(median over {len(ratios)} epochs), so the first layers barely learn.", evidence=ev,
                     advice="Use ReLU activations with He initialization (he_normal), Glorot for tanh/sigmoid, "
                            "add BatchNormalization or residual connections, or use fewer layers. " + init["text"],
                     suggestion=init["suggestion"])

    def healthy(self) -> None:
        loss = self.d.series.get(self.loss_key)
        ev: dict[str, Any] = {"epochs": len(loss), "final_loss": float(loss[-1])}
        val = self.d.series.get("val_" + self.loss_key)
        if val is not None and len(val):
            ev["final_val_loss"] = float(val[-1])
            ev["best_val_epoch"] = int(np.nanargmin(val)) if np.isfinite(val).any() else None
        acc, val_acc = self.accuracy(), self.accuracy("val_")
        if acc is not None and val_acc is not None and len(acc) and len(val_acc):
            ev.update(train_error=1 - float(acc[-1]), val_error=1 - float(val_acc[-1]))
        self.add("healthy", "info", "Training looks healthy: the loss fell steadily and levelled off, with no sign "
                 "of divergence, high bias or high variance.", evidence=ev,
                 advice="Nothing to fix. To improve further, tune one hyperparameter at a time (learning rate "
                        "first), or try a bigger model with regularization.")
