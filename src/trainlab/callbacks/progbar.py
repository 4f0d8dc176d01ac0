"""`ProgbarLogger`: the Keras-style progress bar, drawn with tqdm.

``verbose=1``: in a terminal, a bar per epoch updated at chunk boundaries with
ETA and running metrics; in a notebook (Jupyter, Colab), the same bar as one
output updated in place (see `_notebook`); when output goes to a file or a CI log (not a
terminal), one final line per epoch, as Keras does. ``verbose=2``: one short
line per epoch.

    Epoch 1/5
    1500/1500 [==============================] 2s 1.3ms/step - accuracy: 0.8213 - loss: 0.5061 - val_accuracy: ...
"""

from __future__ import annotations

import sys
import time
from typing import Any

from ._base import Callback

__all__ = ["ProgbarLogger", "format_logs"]

_WIDTH = 30


def format_logs(logs: dict[str, Any]) -> str:
    """``"accuracy: 0.9012 - loss: 0.3120 - val_accuracy: ..."`` (training keys first)."""
    parts = []
    for k in sorted(logs, key=lambda k: (k.startswith("val_"), k)):
        try:
            parts.append(f"{k}: {float(logs[k]):.4f}")
        except (TypeError, ValueError):
            continue
    return " - ".join(parts)


def _timing(seconds: float, steps: int) -> str:
    per_step = seconds / max(steps, 1)
    unit = f"{per_step * 1000:.1f}ms/step" if per_step < 1 else f"{per_step:.2f}s/step"
    return f"{seconds:.0f}s {unit}"


class ProgbarLogger(Callback):
    """Print progress: a bar per epoch (verbose=1) or a line per epoch (verbose=2)."""

    def __init__(self, verbose: int = 1, file: Any = None):
        super().__init__()
        self.verbose = verbose
        self.file = file
        self._bar = None
        self._t0 = 0.0

    @property
    def _out(self) -> Any:
        return self.file or sys.stdout

    @property
    def dynamic(self) -> bool:
        """True when the output is a terminal (the bar can redraw itself)."""
        isatty = getattr(self._out, "isatty", None)
        try:
            return bool(isatty and isatty())
        except ValueError:  # closed stream
            return False

    @property
    def notebook(self) -> bool:
        """True when the output is a Jupyter / Colab kernel's (the bar updates a display in place)."""
        from ._notebook import in_notebook

        return in_notebook(self._out)

    def _implements_batch_hooks(self) -> bool:
        return self.verbose == 1 and (self.dynamic or self.notebook)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        print(f"Epoch {epoch + 1}/{self.params.get('epochs')}", file=self._out, flush=True)
        self._t0 = time.perf_counter()
        self._nb = None
        if self.verbose == 1 and self.notebook:
            from ._notebook import NotebookProgress

            self._nb = NotebookProgress(self.params.get("steps"), _WIDTH)
        elif self.verbose == 1 and self.dynamic:
            import shutil

            from tqdm.auto import tqdm

            # pseudo-terminals (CI runners, `script`) may report 0 columns / rows,
            # which makes tqdm draw nothing; fall back to a sane size
            columns, rows = shutil.get_terminal_size((120, 24))
            self._bar = tqdm(
                ncols=columns if columns >= 40 else 120,
                nrows=rows if rows >= 5 else 24,
                total=self.params.get("steps"),
                file=self._out,
                ascii=" =",
                bar_format="{n_fmt}/{total_fmt} [{bar:" + str(_WIDTH) + "}] {elapsed}<{remaining} {desc}",
                leave=True,
                dynamic_ncols=False,
                mininterval=0.0,
            )

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if getattr(self, "_nb", None) is not None:
            self._nb.update(batch + 1, f"{time.perf_counter() - self._t0:.0f}s - {format_logs(logs or {})}")
        if self._bar is None:
            return
        self._bar.n = batch + 1
        self._bar.set_description_str(format_logs(logs or {}), refresh=False)
        self._bar.refresh()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        steps = self.params.get("steps") or 1
        timing = _timing(time.perf_counter() - self._t0, steps)
        text = format_logs(logs or {})
        if getattr(self, "_nb", None) is not None:
            self._nb.update(steps, f"{timing} - {text}")
            self._nb = None
        elif self._bar is not None:
            self._bar.bar_format = "{n_fmt}/{total_fmt} [{bar:" + str(_WIDTH) + "}] {desc}"
            self._bar.n = steps
            self._bar.set_description_str(f"{timing} - {text}", refresh=False)
            self._bar.close()
            self._bar = None
        elif self.verbose == 1:
            print(f"{steps}/{steps} [{'=' * _WIDTH}] {timing} - {text}", file=self._out, flush=True)
        elif self.verbose == 2:
            print(f"{steps}/{steps} - {timing} - {text}", file=self._out, flush=True)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
