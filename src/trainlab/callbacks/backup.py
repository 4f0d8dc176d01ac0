"""`BackupAndRestore`: survive a crash, a `kill -9` or a reboot in the middle of `fit`.

Keras' callback of the same name and arguments. During `fit` it keeps one
backup file, ``<backup_dir>/latest.backup``, with everything needed to go on:
weights, optimizer state (slots, step count and hyperparameters), the random
key, the position in the epoch, the running metrics, and the counters of the
other callbacks (EarlyStopping's `wait` and `best`, ReduceLROnPlateau's...).
When `fit` starts and the file exists, training continues from there instead
of starting over; at the end of a completed `fit` the file is deleted.

The resumed run computes the same weights as an uninterrupted run, bit for bit
on the same machine: the same batches in the same order, the same dropout
keys, the same optimizer state (see `trainlab.models._resume`).

Writes are atomic (a crash during a save keeps the previous backup), and the
folder is locked while `fit` runs, so two runs never share one backup.
``fit(..., run_dir=...)`` adds one automatically (``<run_dir>/backup``).

Example:
    >>> from trainlab import callbacks
    >>> backup = callbacks.BackupAndRestore(backup_dir="/tmp/backup")
    >>> model.fit(x, y, epochs=10, callbacks=[backup])   # doctest: +SKIP
    >>> # killed in epoch 7? the same call again resumes in epoch 7.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from .._io import atomic_write_bytes
from .._locks import FolderLock
from .._validation import describe
from ._base import Callback

__all__ = ["BackupAndRestore"]

FORMAT_BACKUP = "trainlab.backup"
_FILE = "latest.backup"
_PREVIOUS = "previous.backup"


class BackupAndRestore(Callback):
    """Back up the training state regularly and resume from it after an interruption.

    Args:
        backup_dir: folder for the backup (created). Use one folder per run.
        save_freq: ``"epoch"`` (default): back up at the end of every epoch; an
            int ``N``: also back up every ``N`` training steps within an epoch
            (`fit` then runs epochs in chunks of ``N`` steps), so a crash loses at
            most ``N`` steps.
        double_checkpoint: keep the previous backup too, and fall back to it if
            the latest cannot be read.
        delete_checkpoint: delete the backup when `fit` completes (default, as
            Keras), so the next `fit` starts afresh.

    Raises:
        TypeError: `backup_dir` is not a path.
        ValueError: `save_freq` is neither "epoch" nor a positive int; from
            `fit`, a backup that does not fit the model or the `fit` arguments,
            or a `backup_dir` in use by another run.
    """

    def __init__(self, backup_dir: str | os.PathLike, save_freq: str | int = "epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True):
        super().__init__()
        if not isinstance(backup_dir, (str, os.PathLike)) or not os.fspath(backup_dir):
            raise TypeError(
                f"`backup_dir` must be a folder path such as 'backup/'; received {describe(backup_dir)}."
            )
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, (int, np.integer))
                                     or int(save_freq) < 1):
            raise ValueError(
                f"`save_freq` must be 'epoch' or a positive number of steps; received {save_freq!r}. Use e.g. "
                f"save_freq='epoch', or save_freq=100 to back up every 100 steps."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq if save_freq == "epoch" else int(save_freq)
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._lock = FolderLock(self.backup_dir, argument="backup_dir")
        self._callbacks: list[Callback] = []
        self._epoch = 0
        self._fingerprint: dict[str, Any] = {}

    # --------------------------------------------------------------- for fit
    def _implements_batch_hooks(self) -> bool:
        return self.save_freq != "epoch"  # epoch backups keep one compiled program per epoch

    @property
    def chunk_steps(self) -> int | None:
        """Steps per compiled chunk `fit` must use (an int `save_freq`), else None."""
        return None if self.save_freq == "epoch" else self.save_freq

    def path(self, name: str = _FILE) -> str:
        return os.path.join(self.backup_dir, name)

    def load(self) -> tuple[dict[str, np.ndarray], dict[str, Any], str] | None:
        """``(tensors, meta, path)`` of the latest readable backup, or None.

        Raises:
            ValueError: a backup exists but no backup file can be read.
        """
        candidates = [self.path(_FILE)] + ([self.path(_PREVIOUS)] if self.double_checkpoint else [])
        errors = []
        for path in candidates:
            if not os.path.isfile(path):
                continue
            try:
                return (*_read(path), path)
            except ValueError as exc:
                errors.append(str(exc))
        if errors:
            raise ValueError(
                f"`backup_dir` {self.backup_dir!r} holds a backup that cannot be read ({errors[0]}). Delete the "
                f"folder to start the run over."
            )
        return None

    def check_fingerprint(self, meta: dict[str, Any], path: str) -> None:
        """Fail when the backup was written by a `fit` with another batch layout."""
        saved = meta.get("fit", {})
        for key, value in self._fingerprint.items():
            if key in saved and saved[key] != value and (key != "chunk_steps" or meta.get("step_in_epoch")):
                raise ValueError(
                    f"`{key}` is {value!r}, but the backup {path!r} was written by a fit with {key}={saved[key]!r}. "
                    f"Resume with the same data and arguments, or delete {self.backup_dir!r} to start over."
                )

    # --------------------------------------------------------------- hooks
    def on_train_begin(self, logs: dict | None = None) -> None:
        self._lock.acquire()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            return
        done = batch + 1
        steps = self.params.get("steps")
        if done % self.save_freq == 0 and (steps is None or done < steps):
            self._save(self._epoch, done)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._save(epoch + 1, 0)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.delete_checkpoint:
            for name in (_FILE, _PREVIOUS):
                if os.path.isfile(self.path(name)):
                    os.remove(self.path(name))
        self._lock.release()

    def _on_fit_start(self) -> None:
        """Before `fit` reads a backup: take the folder's lock."""
        self._lock.acquire()

    def _on_fit_exit(self) -> None:
        """`fit` ended (normally, by an error or Ctrl-C): keep the backup, free the folder."""
        self._lock.release()

    # --------------------------------------------------------------- files
    def _save(self, epoch: int, step_in_epoch: int) -> None:
        from safetensors.numpy import save

        from ..models._resume import capture

        tensors, meta = capture(self.model, epoch=epoch, step_in_epoch=step_in_epoch, callbacks=self._callbacks)
        meta["fit"] = self._fingerprint
        data = save(tensors, metadata={"format": FORMAT_BACKUP, "meta": json.dumps(meta)})
        if self.double_checkpoint and os.path.isfile(self.path(_FILE)):
            os.replace(self.path(_FILE), self.path(_PREVIOUS))
        atomic_write_bytes(self.path(_FILE), data)

    def __repr__(self) -> str:
        return f"BackupAndRestore(backup_dir={self.backup_dir!r}, save_freq={self.save_freq!r})"


def _read(path: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    from safetensors import safe_open

    try:
        with safe_open(path, framework="numpy") as f:
            metadata = dict(f.metadata() or {})
            tensors = {k: f.get_tensor(k) for k in f.keys()}
        meta = json.loads(metadata["meta"])
    except Exception as exc:  # safetensors' own error types, KeyError, JSONDecodeError
        raise ValueError(f"{path!r} is not a complete backup: {exc}") from None
    if metadata.get("format") != FORMAT_BACKUP or "train_state/step" not in tensors:
        raise ValueError(f"{path!r} is not a trainlab backup")
    return tensors, meta
