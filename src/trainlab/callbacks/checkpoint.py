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
    ``"ckpt/model-{epoch:02d}-{val_loss:.3f}.trainlab"``. Writes are atomic: a
    failed save leaves the previous file intact.

    ``save_freq``: "epoch", or an int N to save after every N training batches
    (the save-and-load tutorial's ``save_freq=5 * n_batches``). Batches run in
    compiled chunks, so an int is checked at the end of each epoch: the model
    is saved at the first epoch end after each multiple of N batches (exactly
    Keras' epochs when N is a multiple of the batches per epoch).
    """

    _resume_attrs = ("best", "last_saved")

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: str = "epoch", initial_value_threshold: float | None = None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = bool(save_best_only), bool(save_weights_only)
        self.mode = mode
        if not (save_freq == "epoch" or (isinstance(save_freq, int) and not isinstance(save_freq, bool)
                                          and save_freq > 0)):
            raise ValueError(
                f"`save_freq` must be 'epoch' or a positive number of batches, e.g. save_freq=5 * "
                f"steps_per_epoch; received {save_freq!r}."
            )
        self.save_freq = save_freq
        self._batches_seen = 0
        self.best = initial_value_threshold
        self.last_saved: str | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._mode = resolve_mode(self.mode, self.monitor, self.model, "ModelCheckpoint") if self.save_best_only else "min"
        if self.best is None:
            self.best = float("inf") if self._mode == "min" else -float("inf")

    def _path(self, epoch: int, logs: dict) -> str:
        try:
            return self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as exc:
            raise KeyError(
                f"`filepath` {self.filepath!r} uses {exc} which is not in the logs ({', '.join(logs)})."
            ) from None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = dict(logs or {})
        if self.save_freq != "epoch":
            before = self._batches_seen
            self._batches_seen += int(self.params.get("steps") or 0)
            if self._batches_seen // self.save_freq == before // self.save_freq:
                return
        path = self._path(epoch, logs)
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
