"""`ReduceLROnPlateau` and `LearningRateScheduler`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._validation import check_nonnegative
from ._base import Callback
from ._monitor import improved, resolve_mode
from .early_stopping import _log_event

__all__ = ["ReduceLROnPlateau", "LearningRateScheduler"]


def _get_lr(model: Any) -> float:
    lr = model.optimizer.learning_rate
    if not isinstance(lr, (int, float)):
        raise TypeError(
            "This callback sets the learning rate, but the optimizer was created with a learning-rate schedule. "
            "Use a float `learning_rate`, or let the schedule alone decide."
        )
    return float(lr)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` when `monitor` stops improving
    for `patience` epochs (Keras 3 semantics).

    Args:
        monitor: quantity in the logs ("val_loss").
        factor: new_lr = lr * factor (must be < 1).
        patience: epochs without improvement before reducing.
        min_delta: threshold for measuring a new optimum.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: lower bound on the learning rate.
    """

    _resume_attrs = ("best", "wait", "cooldown_counter", "_mode")

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0, **kwargs: Any):
        super().__init__()
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau got unexpected argument(s) {sorted(kwargs)}.")
        if not 0.0 <= float(factor) < 1.0:
            raise ValueError(
                f"`factor` of ReduceLROnPlateau must be in [0, 1) (it multiplies the learning rate); received {factor!r}."
            )
        self.monitor, self.factor, self.patience = monitor, float(factor), int(patience)
        self.verbose, self.mode = verbose, mode
        self.min_delta = check_nonnegative("min_delta", min_delta)
        self.cooldown, self.min_lr = int(cooldown), check_nonnegative("min_lr", min_lr)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._mode = resolve_mode(self.mode, self.monitor, self.model, "ReduceLROnPlateau")
        self.best = float("inf") if self._mode == "min" else -float("inf")
        self.wait = 0
        self.cooldown_counter = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        logs["learning_rate"] = _get_lr(self.model)
        current = logs.get(self.monitor)
        if current is None:
            return
        current = float(current)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if improved(current, self.best, self._mode, self.min_delta):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = _get_lr(self.model)
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose > 0:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new:.4g}.")
                    _log_event(self.model, epoch, "ReduceLROnPlateau", "reduce_learning_rate", old=old, new=new)
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch from ``schedule(epoch, lr)``
    (or ``schedule(epoch)``): epoch-based step decay.

    Example:
        >>> def step_decay(epoch, lr):
        ...     return lr * 0.5 if epoch and epoch % 10 == 0 else lr
        >>> cb = LearningRateScheduler(step_decay)
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"`schedule` must be a function of (epoch, lr); received {type(schedule).__name__}.")
        self.schedule = schedule
        self.verbose = verbose
        try:
            self._two_args = len(inspect.signature(schedule).parameters) >= 2
        except (TypeError, ValueError):
            self._two_args = True

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        lr = _get_lr(self.model)
        new = self.schedule(epoch, lr) if self._two_args else self.schedule(epoch)
        try:
            new = float(new)
        except (TypeError, ValueError):
            raise ValueError(f"The `schedule` function must return a float; it returned {new!r}.") from None
        if not new >= 0:
            raise ValueError(f"The `schedule` function returned a negative or NaN learning rate {new!r} at epoch {epoch}.")
        self.model.optimizer.learning_rate = new
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {new:.4g}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = _get_lr(self.model)
