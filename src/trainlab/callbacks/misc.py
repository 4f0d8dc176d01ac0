"""`TerminateOnNaN` and `LambdaCallback`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ._base import Callback
from .early_stopping import _log_event

__all__ = ["TerminateOnNaN", "LambdaCallback"]


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss becomes NaN or infinite (checked at
    every chunk boundary and at the end of each epoch)."""

    def _check(self, logs: dict | None, epoch: int | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            print(f"TerminateOnNaN: invalid loss {float(loss)}, terminating training.")
            self.model.stop_training = True
            _log_event(self.model, epoch if epoch is not None else -1, "TerminateOnNaN", "stop", loss=float(loss))

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._check(logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._check(logs, epoch)


class LambdaCallback(Callback):
    """A callback from plain functions, e.g.
    ``LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))``."""

    _HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
              "on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")

    def __init__(self, **hooks: Callable[..., Any]):
        super().__init__()
        unknown = [k for k in hooks if k not in self._HOOKS]
        if unknown:
            raise TypeError(f"LambdaCallback got unknown hook(s) {unknown}; valid hooks: {', '.join(self._HOOKS)}.")
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)
        self._batch = any(hooks.get(h) for h in self._HOOKS if "batch" in h)

    def _implements_batch_hooks(self) -> bool:
        return self._batch
