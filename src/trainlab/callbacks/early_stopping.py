"""`EarlyStopping`: stop when a monitored quantity stops improving (Keras 3 semantics)."""

from __future__ import annotations

import warnings
from typing import Any

from .._validation import check_nonnegative
from ._base import Callback
from ._monitor import improved, resolve_mode

__all__ = ["EarlyStopping"]


class EarlyStopping(Callback):
    """Stop training when `monitor` has not improved for `patience` epochs.

    "When the validation loss turns up, you are overfitting: stop." With
    ``restore_best_weights=True`` the model ends with the weights of its best epoch.

    Args:
        monitor: quantity in the epoch logs (default "val_loss").
        min_delta: smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        verbose: 1 prints when it stops / restores.
        mode: "auto", "min" or "max".
        baseline: stop if the model does not beat this value within `patience` epochs.
        restore_best_weights: restore the weights of the best epoch at the end.
        start_from_epoch: epochs of warm-up before monitoring starts.

    Example:
        >>> from trainlab import callbacks
        >>> stop = callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    """

    _resume_attrs = ("wait", "stopped_epoch", "best", "best_epoch", "_resolved")

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0):
        super().__init__()
        self.monitor = monitor
        self.min_delta = abs(check_nonnegative("min_delta", abs(min_delta)))
        if int(patience) < 0:
            raise ValueError(f"`patience` must be >= 0; received {patience!r}.")
        self.patience = int(patience)
        self.verbose = verbose
        self.mode = mode
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = int(start_from_epoch)
        self._resolved: str | None = None
        self.best: float | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0
        self._resolved = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self._resolved is None:
            self._resolved = resolve_mode(self.mode, self.monitor, self.model, "EarlyStopping")
            self.best = float("inf") if self._resolved == "min" else -float("inf")
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(
                f"EarlyStopping is conditioned on `{self.monitor}`, which is not in the logs. Available: "
                f"{', '.join(logs or {})}. Pass validation data for val_ metrics.",
                stacklevel=2,
            )
            return
        if epoch < self.start_from_epoch:
            return
        current = float(current)
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if improved(current, self.best, self._resolved, self.min_delta):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or improved(current, float(self.baseline), self._resolved, self.min_delta):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            _log_event(self.model, epoch, "EarlyStopping", "stop", monitor=self.monitor,
                       best=self.best, best_epoch=self.best_epoch)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
            _log_event(self.model, self.stopped_epoch, "EarlyStopping", "restore_best_weights",
                       best_epoch=self.best_epoch)


def _log_event(model: Any, epoch: int, source: str, action: str, **details: Any) -> None:
    history = getattr(model, "history", None)
    if history is not None and hasattr(history, "log_event"):
        history.log_event(epoch, source, action, **details)
