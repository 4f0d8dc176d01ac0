"""`ModelCheckpoint` and `CSVLogger`."""

from __future__ import annotations

import csv
import io
import os
from typing import Any

import numpy as np

from ._base import Callback
from ._monitor import improved, resolve_mode

__all__ = ["ModelCheckpoint", "CSVLogger"]


class ModelCheckpoint(Callback):
    """Save the model (or only its weights) at the end of every epoch, or only
    when `monitor` improves (``save_best_only=True``).

    `filepath` may contain format fields filled from the epoch and logs, e.g.
    ``"ckpt/model-{epoch:02d}-{val_loss:.3f}.trainlab"`` (and ``{batch}`` with an
    int `save_freq`). Writes are atomic: a failed save leaves the previous file intact.

    `save_freq`: "epoch", or an int N to save every N training steps (batches),
    counted across epochs as Keras does. Batch-level hooks run between compiled
    chunks of an epoch, so the save happens at the first chunk boundary at or after
    each multiple of N (``compile(..., steps_per_execution=N)`` makes it exact).
    """

    _resume_attrs = ("best", "last_saved", "_steps_before_epoch", "_saved_blocks")

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: str | int = "epoch", initial_value_threshold: float | None = None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = bool(save_best_only), bool(save_weights_only)
        self.mode = mode
        if save_freq != "epoch" and (isinstance(save_freq, (bool, str)) or not isinstance(save_freq, (int, np.integer))
                                     or save_freq < 1):
            raise ValueError(
                f"`save_freq` must be 'epoch' or a positive number of batches (save every that many batches, e.g. "
                f"save_freq=5 * steps_per_epoch); received {save_freq!r}."
            )
        self.save_freq = save_freq if isinstance(save_freq, str) else int(save_freq)
        self._steps_before_epoch = 0
        self._steps_in_epoch = 0
        self._saved_blocks = 0
        self.best = initial_value_threshold
        self.last_saved: str | None = None

    def _implements_batch_hooks(self) -> bool:
        return self.save_freq != "epoch"

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._steps_before_epoch += self._steps_in_epoch
        self._steps_in_epoch = 0
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._steps_in_epoch = batch + 1
        blocks = (self._steps_before_epoch + batch + 1) // self.save_freq
        if blocks > self._saved_blocks:
            self._saved_blocks = blocks
            self._save(getattr(self, "_epoch", 0), dict(logs or {}), batch=batch + 1)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._steps_before_epoch = self._steps_in_epoch = self._saved_blocks = 0
        self._mode = resolve_mode(self.mode, self.monitor, self.model, "ModelCheckpoint") if self.save_best_only else "min"
        if self.best is None:
            self.best = float("inf") if self._mode == "min" else -float("inf")

    def _path(self, epoch: int, logs: dict, batch: int | None = None) -> str:
        try:
            return self.filepath.format(epoch=epoch + 1, **({"batch": batch} if batch else {}), **logs)
        except KeyError as exc:
            raise KeyError(
                f"`filepath` {self.filepath!r} uses {exc} which is not in the logs ({', '.join(logs)})."
            ) from None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, dict(logs or {}))

    def _save(self, epoch: int, logs: dict, batch: int | None = None) -> None:
        path = self._path(epoch, logs, batch)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                import warnings

                warnings.warn(f"ModelCheckpoint: `{self.monitor}` is not in the logs; nothing saved.", stacklevel=2)
                return
            if not improved(float(current), self.best, self._mode):
                return
            if self.verbose:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {float(current):.5f}, saving to {path}")
            self.best = float(current)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        if self.verbose and not self.save_best_only:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        self.last_saved = path


class CSVLogger(Callback):
    """Append each epoch's logs as a row of a CSV file (columns: epoch, then
    metrics in sorted order). The file is rewritten atomically each epoch."""

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self._rows: list[dict[str, Any]] = []
        self._keys: list[str] | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._rows = []
        self._keys = None
        if self.append and os.path.exists(self.filename):
            with open(self.filename, newline="") as f:
                reader = csv.DictReader(f, delimiter=self.sep)
                self._rows = list(reader)
                self._keys = [k for k in (reader.fieldnames or []) if k != "epoch"] or None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
        row: dict[str, Any] = {"epoch": epoch}
        for k in self._keys:
            v = logs.get(k, "NA")
            row[k] = v if isinstance(v, str) else repr(float(np.asarray(v)))
        self._rows.append(row)
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=["epoch"] + self._keys, delimiter=self.sep, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self._rows)
        from .._io import atomic_write_text

        atomic_write_text(self.filename, buf.getvalue())
