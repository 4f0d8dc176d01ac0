"""`ProgbarLogger`: the Keras-style progress bar, drawn with tqdm.

``verbose=1``: a bar per epoch, updated at chunk boundaries, with ETA and the
running metrics; ``verbose=2``: one line per epoch.

    Epoch 1/5
    1500/1500 [==============================] 2s 1.3ms/step - accuracy: 0.8213 - loss: 0.5061 - val_accuracy: ...
"""

from __future__ import annotations

import sys
import time
from typing import Any

from ._base import Callback

__all__ = ["ProgbarLogger", "format_logs"]


def format_logs(logs: dict[str, Any]) -> str:
    parts = []
    for k in sorted(logs, key=lambda k: (k.startswith("val_"), k)):
        v = logs[k]
        try:
            parts.append(f"{k}: {float(v):.4f}")
        except (TypeError, ValueError):
            continue
    return " - ".join(parts)


class ProgbarLogger(Callback):
    """Print progress: a bar per epoch (verbose=1) or a line per epoch (verbose=2)."""

    def __init__(self, verbose: int = 1, file: Any = None):
        super().__init__()
        self.verbose = verbose
        self.file = file
        self._bar = None
        self._t0 = 0.0

    def _implements_batch_hooks(self) -> bool:
        return self.verbose == 1

    @property
    def _out(self) -> Any:
        return self.file or sys.stdout

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        epochs = self.params.get("epochs")
        print(f"Epoch {epoch + 1}/{epochs}", file=self._out, flush=True)
        self._t0 = time.perf_counter()
        if self.verbose == 1:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=self.params.get("steps"),
                file=self._out,
                ascii=" =",
                bar_format="{n_fmt}/{total_fmt} [{bar:30}] {elapsed}<{remaining} {postfix}",
                leave=True,
                dynamic_ncols=False,
                mininterval=0.0,
            )

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._bar is None:
            return
        self._bar.n = batch + 1
        self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)
        self._bar.refresh()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        seconds = time.perf_counter() - self._t0
        steps = self.params.get("steps") or 1
        timing = f"{seconds:.0f}s {1000 * seconds / steps:.1f}ms/step"
        if self._bar is not None:
            self._bar.n = steps
            self._bar.set_postfix_str(f"{timing} - {format_logs(logs or {})}", refresh=False)
            self._bar.refresh()
            self._bar.close()
            self._bar = None
        elif self.verbose == 2:
            print(f"{steps}/{steps} - {timing} - {format_logs(logs or {})}", file=self._out, flush=True)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
