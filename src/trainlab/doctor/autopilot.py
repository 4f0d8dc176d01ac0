"""`Autopilot`: a callback that acts on the doctor's findings during `fit`.

What it does, at the end of every epoch:

* **Divergence** (loss NaN / infinite, an epoch's mean loss above
  ``divergence_ratio`` x the initial loss, a step's loss above
  ``step_spike_ratio`` x the initial loss, or the epoch loss above
  ``divergence_ratio`` x its best and above the first epoch's): restore the weights of the last good epoch,
  forget the optimizer's slots (`Model.reset_optimizer_state`) and multiply
  the learning rate by ``lr_cut`` (0.1). After ``max_recoveries`` it stops.
* **Plateau** (the monitored loss has not improved by ``min_delta`` for
  ``plateau_patience`` epochs and neither has the training loss): multiply
  the learning rate by ``plateau_factor`` (0.5), not below ``min_lr``. A
  monitored loss that fell in each of the last ``plateau_patience`` epochs,
  however slowly, counts as improving (a learning rate already too low is not cut).
* **Overfitting** (the validation loss has not improved for ``patience``
  epochs while the training loss kept falling): stop, and restore the best
  weights.
* **At the end**: restore the best weights if the last epoch is worse, then
  run `diagnose` and keep the findings as `verdict`.

Every action is logged with ``history.log_event(epoch, "Autopilot", action, ...)``
(actions: ``restore_last_good_weights``, ``cut_learning_rate``,
``reduce_learning_rate``, ``stop``, ``restore_best_weights``, ``verdict``), so
it appears in the run directory's report. With ``track_gradients=True`` (default)
`fit` also records per-layer gradient norms for the verdict.

Example:
    >>> from trainlab.doctor import Autopilot
    >>> pilot = Autopilot(patience=4)
    >>> history = model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[pilot])  # doctest: +SKIP
    >>> print(pilot.report())                                                          # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import check_in_range, check_nonnegative, check_positive_int
from ..callbacks import Callback
from .diagnose import diagnose
from .findings import Finding, format_findings

__all__ = ["Autopilot"]


class Autopilot(Callback):
    """Watch the loss curves during `fit` and fix what can be fixed on the fly.

    Args:
        monitor: the validation quantity to watch (``"val_loss"``); without
            validation data it falls back to ``"loss"`` (no overfitting check then).
        patience: epochs without improvement of `monitor`, while the training
            loss falls, before stopping for overfitting (and on a plateau that a
            learning-rate reduction did not fix).
        plateau_patience: epochs without improvement of both `monitor` and the
            training loss before reducing the learning rate.
        plateau_factor: learning-rate multiplier on a plateau, in (0, 1).
        lr_cut: learning-rate multiplier after a divergence, in (0, 1).
        divergence_ratio: a finite training loss above this times its best
            (and above the first epoch's) counts as diverged.
        min_delta: relative improvement that counts (1e-3 = 0.1%).
        min_lr: never reduce the learning rate below this.
        max_recoveries: divergences to recover from before giving up (stop).
        step_spike_ratio: a single step's loss above this times the initial
            loss also counts as a divergence (a blow-up inside the epoch).
        restore_best_weights: end with the weights of the best `monitor` epoch.
        track_gradients: ask `fit` for per-layer gradient norms (cheap).
        verbose: 1 prints each action and the verdict.

    Attributes:
        actions: the events this Autopilot logged, in order.
        verdict: the findings of `diagnose` at the end of training.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, plateau_patience: int = 2,
                 plateau_factor: float = 0.5, lr_cut: float = 0.1, divergence_ratio: float = 2.0,
                 min_delta: float = 1e-3, min_lr: float = 1e-7, max_recoveries: int = 3,
                 restore_best_weights: bool = True, track_gradients: bool = True, step_spike_ratio: float = 10.0,
                 verbose: int = 0):
        super().__init__()
        self.monitor = str(monitor)
        self.patience = check_positive_int("patience", patience)
        self.plateau_patience = check_positive_int("plateau_patience", plateau_patience)
        self.plateau_factor = check_in_range("plateau_factor", plateau_factor, 0.0, 1.0, low_inclusive=False,
                                             hint="It multiplies the learning rate on a plateau, e.g. 0.5.")
        self.lr_cut = check_in_range("lr_cut", lr_cut, 0.0, 1.0, low_inclusive=False,
                                     hint="It multiplies the learning rate after a divergence, e.g. 0.1.")
        self.divergence_ratio = check_in_range("divergence_ratio", divergence_ratio, 1.0, math.inf,
                                               low_inclusive=False)
        self.step_spike_ratio = check_in_range("step_spike_ratio", step_spike_ratio, 1.0, math.inf,
                                               low_inclusive=False)
        self.min_delta = check_nonnegative("min_delta", min_delta)
        self.min_lr = check_nonnegative("min_lr", min_lr)
        self.max_recoveries = check_positive_int("max_recoveries", max_recoveries)
        self.restore_best_weights = bool(restore_best_weights)
        self.requires_grad_norms = bool(track_gradients)
        self.verbose = int(verbose)
        self.actions: list[dict[str, Any]] = []
        self.verdict: list[Finding] = []

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs: dict | None = None) -> None:
        self.actions, self.verdict = [], []
        self._good_weights = self.model.get_weights()
        self._good_epoch = -1
        self._best = math.inf
        self._best_epoch = -1
        self._best_weights: list[np.ndarray] | None = None
        self._best_train = math.inf
        self._train_at_best = math.inf
        self._first_train: float | None = None
        self._initial_loss: float | None = None
        self._wait = 0
        self._plateau_wait = 0
        self._plateau_reduced = False
        self._recoveries = 0
        self._last_epoch = -1
        self._stop_reason: str | None = None
        self._monitor_used: str | None = None
        self._seen: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        self._last_epoch = epoch
        loss = float(logs.get("loss", math.nan))
        if self._diverged(loss, logs):
            self._recover(epoch, loss)
            return
        if self._first_train is None:
            self._first_train = loss
        self._good_weights = self.model.get_weights()
        self._good_epoch = epoch
        train_improved = loss < self._best_train * (1 - self.min_delta)
        self._best_train = min(self._best_train, loss)

        key = self._monitor_key(logs)
        current = float(logs[key])
        self._seen.append(current)
        recent = self._seen[-(self.plateau_patience + 1):]
        # a loss that fell in every one of the last epochs, however slowly, still improves: no plateau,
        # no overfitting (cutting the learning rate or stopping would only slow a slow run further)
        steady = len(recent) > self.plateau_patience and all(b < a for a, b in zip(recent, recent[1:]))
        if current < self._best * (1 - self.min_delta) or (steady and current < self._best):
            self._best, self._best_epoch, self._train_at_best = current, epoch, loss
            if self.restore_best_weights:
                self._best_weights = self._good_weights
            self._wait = self._plateau_wait = 0
            return
        self._wait += 1
        self._plateau_wait = 0 if (train_improved and key != "loss") else self._plateau_wait + 1
        train_falling = key != "loss" and loss < self._train_at_best * (1 - self.min_delta)
        if self._wait >= self.patience:
            reason = "overfitting" if train_falling else "plateau"
            self._stop(epoch, reason)
            return
        if self._plateau_wait >= self.plateau_patience:
            self._plateau_wait = 0
            self._scale_lr(epoch, self.plateau_factor, "reduce_learning_rate", reason="plateau",
                           monitor=key, best=self._best, best_epoch=self._best_epoch)

    def on_train_end(self, logs: dict | None = None) -> None:
        history = self.model.history
        last = self._last_epoch
        if self.restore_best_weights and self._best_weights is not None and self._best_epoch != self._good_epoch:
            self.model.set_weights(self._best_weights)
            self._log(last, "restore_best_weights", best_epoch=self._best_epoch, best=self._best,
                      monitor=self._monitor_used)
        if history is not None:
            try:
                self.verdict = diagnose(history, model=self.model)
            except Exception as exc:  # never fail a finished training on the verdict
                self.verdict = []
                self._log(last, "verdict", codes=[], error=str(exc))
                return
            self._log(last, "verdict", codes=[f.code for f in self.verdict],
                      severities=[f.severity for f in self.verdict],
                      summary=" ".join(f.summary for f in self.verdict))
            if self.verbose:
                print("Autopilot verdict:\n" + format_findings(self.verdict))

    # ------------------------------------------------------------------ rules
    def _monitor_key(self, logs: dict) -> str:
        if self._monitor_used is None:
            self._monitor_used = self.monitor if self.monitor in logs else "loss"
        return self._monitor_used if self._monitor_used in logs else "loss"

    def _diverged(self, loss: float, logs: dict) -> bool:
        if not math.isfinite(loss):
            return True
        val = logs.get(self.monitor)
        if val is not None and not math.isfinite(float(val)):
            return True
        history = self.model.history
        steps = history.step_loss[-1] if history is not None and history.step_loss else None
        if steps is not None and len(steps) and not np.all(np.isfinite(steps)):
            return True
        if self._initial_loss is None and steps is not None and len(steps):
            self._initial_loss = float(steps[0])  # the loss of the initial weights (first step)
        if self._initial_loss is not None and loss > self.divergence_ratio * self._initial_loss:
            return True
        if self._initial_loss is not None and steps is not None and len(steps) and \
                float(np.max(steps)) > self.step_spike_ratio * abs(self._initial_loss):
            return True  # a step blew up inside the epoch (the weights it left may be dead)
        first = self._first_train
        return first is not None and loss > self.divergence_ratio * self._best_train and loss > first

    def _recover(self, epoch: int, loss: float) -> None:
        if self._recoveries >= self.max_recoveries:
            self._log(epoch, "stop", reason="diverged", loss=loss, recoveries=self._recoveries)
            self._stop_reason = "diverged"
            self.model.set_weights(self._good_weights)
            self.model.reset_optimizer_state()
            self.model.stop_training = True
            return
        self._recoveries += 1
        self.model.set_weights(self._good_weights)
        self.model.reset_optimizer_state()
        self._log(epoch, "restore_last_good_weights", loss=loss, restored_epoch=self._good_epoch)
        self._scale_lr(epoch, self.lr_cut, "cut_learning_rate", reason="diverged")

    def _stop(self, epoch: int, reason: str) -> None:
        self._stop_reason = reason
        self.model.stop_training = True
        self._log(epoch, "stop", reason=reason, monitor=self._monitor_used, best=self._best,
                  best_epoch=self._best_epoch, **({"began_epoch": self._best_epoch} if reason == "overfitting" else {}))

    def _scale_lr(self, epoch: int, factor: float, action: str, **details: Any) -> None:
        opt = self.model.optimizer
        lr = opt.learning_rate
        if isinstance(lr, (int, float)):
            old = float(lr)
            new = max(old * factor, self.min_lr)
            if new >= old:
                self._log(epoch, "keep_learning_rate", old=old, reason=f"already at min_lr={self.min_lr:g}", **details)
                return
            opt.learning_rate = new
        else:  # a schedule: scale its initial learning rate when it has one
            key = "learning_rate/initial_learning_rate"
            hp = opt.hyperparameters()
            if key not in hp:
                self._log(epoch, "keep_learning_rate", reason="the learning rate is a schedule without "
                          "`initial_learning_rate`", **details)
                return
            old = float(hp[key])
            new = max(old * factor, self.min_lr)
            opt.set_hyperparameters({key: new})
        self._log(epoch, action, old=old, new=new, **details)

    def _log(self, epoch: int, action: str, **details: Any) -> None:
        event = {"epoch": int(epoch), "source": "Autopilot", "action": action, **details}
        self.actions.append(event)
        history = getattr(self.model, "history", None)
        if history is not None and hasattr(history, "log_event"):
            history.log_event(epoch, "Autopilot", action, **details)
        if self.verbose and action != "verdict":
            text = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in details.items())
            print(f"Epoch {epoch + 1}: Autopilot {action.replace('_', ' ')} ({text})")

    def report(self) -> str:
        """The actions taken and the final verdict, as text."""
        lines = ["Autopilot actions:"] if self.actions else ["Autopilot took no action."]
        for a in self.actions:
            if a["action"] == "verdict":
                continue
            details = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in a.items()
                                if k not in ("epoch", "source", "action"))
            lines.append(f"  epoch {a['epoch'] + 1}: {a['action']} ({details})")
        if self.verdict:
            lines.append("Verdict:")
            lines.append(format_findings(self.verdict))
        return "\n".join(lines)
