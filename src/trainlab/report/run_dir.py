"""Run directories: everything about one training run in one folder.

Layout (written by `RunLogger`, read by `RunDirectory`)::

    run_dir/
      config.json        model, optimizer, compile and fit settings, hyperparameters, extra config
      history.csv        one row per epoch: logs, learning_rate, epoch_seconds
      history.json       the full History: series, per-step losses, learning rates,
                         per-layer gradient norms, events (Autopilot, EarlyStopping)
      diagnosis.json     the doctor's findings
      evaluation.json    confusion matrix and class names (classifiers with validation data)
      samples.npz        sample validation images with true and predicted labels (images)
      tensorboard/       TensorBoard event files (tensorboardX)
      checkpoints/       last.trainlab (every epoch), best.trainlab (best val_loss)
      report.html        self-contained report (plots embedded)

Every file is written atomically; history.csv / history.json / last.trainlab are
refreshed every epoch, so an interrupted run still has a readable directory.
Ctrl-C also writes diagnosis.json and report.html of the finished epochs.

Resuming: ``fit(..., run_dir=...)`` keeps a `BackupAndRestore` backup in
``run_dir/backup`` and continues an unfinished run from it. A `fit` that starts
at epoch ``k > 0`` (resumed, or ``initial_epoch=k``) keeps the first ``k``
epochs of the directory's history, and ``best.trainlab`` is only replaced by
an epoch better than all of them. While `fit` runs, the folder is locked
(``.lock``): a second run into it fails with a ValueError instead of mixing
files. TensorBoard event files are named by time, host and process, so runs
never write into each other's file.

Example:
    >>> model.fit(x, y, epochs=10, validation_split=0.2, run_dir="runs/mlp")     # doctest: +SKIP
    >>> from trainlab.report import RunDirectory
    >>> RunDirectory("runs/mlp").findings()                                     # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import time
from typing import Any

import numpy as np

from .._io import atomic_write, atomic_write_text
from .._locks import FolderLock
from .._validation import describe
from ..callbacks import Callback

__all__ = ["RunLogger", "RunDirectory", "REQUIRED_FILES"]

#: Files without which a run directory cannot be read.
REQUIRED_FILES = ("config.json", "history.json")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return str(obj)


def _dump(path: str, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=1, default=_json_default))


def _plain(v: Any) -> Any:
    try:
        arr = np.asarray(v)
        return float(arr) if arr.ndim == 0 else arr.tolist()
    except Exception:
        return str(v)


class RunLogger(Callback):
    """Write a run directory during `fit` (see the module docstring for its files).

    ``model.fit(..., run_dir=path)`` adds one, last in the callback list, with
    the validation data. Put it *after* an `Autopilot` when adding it yourself
    so the report includes the Autopilot's verdict.

    Args:
        run_dir: the folder (created; files in it are overwritten).
        validation_data: ``(x_val, y_val)`` for the confusion matrix and sample predictions.
        class_names: names of the classes (default "0", "1", ...).
        image_shape: reshape flat inputs to this shape for sample images (e.g. ``(8, 8)``).
        config: extra configuration to record (e.g. the CLI's dataset settings).
        checkpoints: save ``checkpoints/last.trainlab`` / ``best.trainlab``.
        tensorboard: write TensorBoard event files.
        track_gradients: ask `fit` for per-layer gradient norms.
        num_samples: sample predictions shown in the report.
    """

    def __init__(self, run_dir: str | os.PathLike, *, validation_data: Any = None, class_names: Any = None,
                 image_shape: tuple[int, ...] | None = None, config: dict[str, Any] | None = None,
                 checkpoints: bool = True, tensorboard: bool = True, track_gradients: bool = True,
                 num_samples: int = 16):
        super().__init__()
        if not isinstance(run_dir, (str, os.PathLike)):
            raise TypeError(f"`run_dir` must be a folder path; received {describe(run_dir)}.")
        if os.path.exists(run_dir) and not os.path.isdir(run_dir):
            raise ValueError(f"`run_dir` {os.fspath(run_dir)!r} is an existing file, not a folder; pass a folder "
                             f"path (new or existing), or move the file away.")
        self.run_dir = os.fspath(run_dir)
        self.validation_data = validation_data
        self.class_names = None if class_names is None else [str(c) for c in class_names]
        self.image_shape = None if image_shape is None else tuple(int(d) for d in image_shape)
        self.extra_config = dict(config or {})
        self.checkpoints = bool(checkpoints)
        self.tensorboard = bool(tensorboard)
        self.requires_grad_norms = bool(track_gradients)
        self.num_samples = int(num_samples)
        self._writer: Any = None
        self.report_path: str | None = None
        self._lock = FolderLock(self.run_dir, argument="run_dir")
        self._rows: list[dict[str, Any]] = []
        self._prior: dict[str, list[Any]] = {}
        self._begun = False

    # ----------------------------------------------------------------- paths
    def path(self, *parts: str) -> str:
        return os.path.join(self.run_dir, *parts)

    # ----------------------------------------------------------------- hooks
    def on_train_begin(self, logs: dict | None = None) -> None:
        os.makedirs(self.run_dir, exist_ok=True)
        self._lock.acquire()
        start = int(getattr(self.model, "_initial_epoch", 0) or 0)
        self._rows, self._prior = self._read_prior(start) if start > 0 else ([], {})
        monitor = "val_loss" if any("val_loss" in r for r in self._rows) else "loss"
        self._best = min((r[monitor] for r in self._rows if isinstance(r.get(monitor), float)
                          and math.isfinite(r[monitor])), default=math.inf)
        self._started = time.time()
        _dump(self.path("config.json"), self._config())
        if self.tensorboard:
            from .tensorboard import TensorBoardWriter

            self._writer = TensorBoardWriter(self.path("tensorboard"))
        self._step = sum(len(s) for s in self._prior.get("step_loss", []))
        self._begun = True

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = {k: float(v) for k, v in (logs or {}).items()}
        history = self.model.history
        row = {"epoch": epoch, **logs}
        if history is not None and len(history.learning_rate) >= 1:
            row["learning_rate"] = history.learning_rate[-1]
            row["epoch_seconds"] = history.epoch_seconds[-1]
        self._rows.append(row)
        self._write_csv()
        self._write_history()
        if self._writer is not None:
            self._tensorboard(epoch, logs, history)
        if self.checkpoints:
            self.model.save(self.path("checkpoints", "last.trainlab"))
            current = logs.get("val_loss", logs.get("loss"))
            if current is not None and math.isfinite(current) and current < self._best:
                self._best = current
                self.model.save(self.path("checkpoints", "best.trainlab"))

    def on_train_end(self, logs: dict | None = None) -> None:
        self._finish(evaluate=True)

    def _on_interrupt(self) -> None:
        """Ctrl-C: diagnosis and report of the finished epochs (history and checkpoints are theirs)."""
        if self._begun:
            self._finish(evaluate=False)

    def _on_fit_start(self) -> None:
        """Before `fit` reads a backup: take the folder's lock."""
        self._lock.acquire()

    def _on_fit_exit(self) -> None:
        """`fit` ended, also by an error: close the event file and free the folder."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._lock.release()

    def _finish(self, evaluate: bool) -> None:
        from ..doctor import diagnose

        history = self.model.history
        self._write_history()
        findings = []
        if history is not None:
            try:
                # a resumed run is diagnosed on its whole history, as written
                source = self._history_data() if self._prior else history
                findings = diagnose(source, model=self.model)
            except Exception as exc:  # a report without diagnosis beats no report
                findings = []
                _dump(self.path("diagnosis_error.json"), {"error": str(exc)})
        _dump(self.path("diagnosis.json"), [f.to_dict() for f in findings])
        if evaluate:
            self._evaluate()
        if self._writer is not None:
            text = "\n\n".join(f"**{f.code}** ({f.severity}): {f.summary}  \n{f.advice}" for f in findings)
            self._writer.text("diagnosis", text or "no findings", step=len(self._rows))
            self._writer.close()
            self._writer = None
        from .html import write_report

        self.report_path = write_report(self.run_dir)
        self._begun = False
        self._lock.release()

    def _read_prior(self, start: int) -> tuple[list[dict[str, Any]], dict[str, list[Any]]]:
        """Rows and per-epoch lists of epochs before `start` already in the folder."""
        rows: list[dict[str, Any]] = []
        if os.path.isfile(self.path("history.csv")):
            with open(self.path("history.csv"), newline="", encoding="utf-8") as f:
                for rec in csv.DictReader(f):
                    try:
                        row = {"epoch": int(rec["epoch"]), **{k: float(v) for k, v in rec.items()
                                                             if k != "epoch" and v not in ("", None)}}
                    except (KeyError, TypeError, ValueError):
                        continue  # a damaged row: its epoch is trained again
                    if row["epoch"] < start:
                        rows.append(row)
        prior: dict[str, list[Any]] = {}
        try:
            with open(self.path("history.json"), encoding="utf-8") as f:
                saved = json.load(f)
            n = len(rows)
            for key in ("learning_rate", "epoch_seconds", "step_loss", "grad_norms"):
                prior[key] = list(saved.get(key, []))[:n]
            prior["events"] = [e for e in saved.get("events", []) if int(e.get("epoch", 0)) < start]
        except (OSError, ValueError, AttributeError, TypeError):
            prior = {}
        return rows, prior

    # ----------------------------------------------------------------- writers
    def _config(self) -> dict[str, Any]:
        from .. import __version__
        from ..saving import serialize_layer

        model = self.model
        cfg: dict[str, Any] = {"trainlab_version": __version__,
                               "created": time.strftime("%Y-%m-%d %H:%M:%S"),
                               "fit": {k: v for k, v in self.params.items()}}
        try:
            cfg["model"] = serialize_layer(model)
        except Exception as exc:  # subclassed models without get_config
            cfg["model"] = {"class_name": type(model).__name__, "error": str(exc)}
        opt = getattr(model, "optimizer", None)
        if opt is not None:
            cfg["optimizer"] = {"class_name": type(opt).__name__,
                                "config": {k: _plain(v) if not isinstance(v, dict) else v
                                           for k, v in opt.get_config().items()}}
        compile_args = getattr(model, "_compile_args", {}) or {}
        cfg["compile"] = {k: (v if isinstance(v, (str, list, dict, type(None))) else repr(v))
                          for k, v in compile_args.items()}
        hp = {}
        if opt is not None:
            hp["optimizer"] = {k: _plain(v) for k, v in opt.hyperparameters().items()}
        try:
            layer_hp = model.hyperparameters()
            if layer_hp:
                hp["layers"] = json.loads(json.dumps(layer_hp, default=_json_default))
        except Exception:
            pass
        cfg["hyperparameters"] = hp
        if self.extra_config:
            cfg["run"] = self.extra_config
        return cfg

    def _write_csv(self) -> None:
        keys: list[str] = []
        for r in self._rows:
            keys.extend(k for k in r if k not in keys and k != "epoch")
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=["epoch"] + keys, lineterminator="\n", restval="")
        w.writeheader()
        w.writerows(self._rows)
        atomic_write_text(self.path("history.csv"), buf.getvalue())

    def _history_data(self) -> dict[str, Any]:
        """The content of history.json: earlier epochs of the folder, then this `fit`'s."""
        h = self.model.history
        series: dict[str, list[float]] = {}
        for r in self._rows:
            for k, v in r.items():
                if k not in ("epoch", "learning_rate", "epoch_seconds"):
                    series.setdefault(k, []).append(v)
        prior = self._prior
        return {
            "history": series,
            "epoch": [r["epoch"] for r in self._rows],
            "learning_rate": prior.get("learning_rate", []) + list(getattr(h, "learning_rate", []) or []),
            "epoch_seconds": prior.get("epoch_seconds", []) + list(getattr(h, "epoch_seconds", []) or []),
            "step_loss": prior.get("step_loss", []) + [np.asarray(s).tolist()
                                                       for s in (getattr(h, "step_loss", []) or [])],
            "grad_norms": prior.get("grad_norms", []) + list(getattr(h, "grad_norms", []) or []),
            "grad_norm_layers": [layer.name for layer in getattr(self.model, "layers", [])],
            "events": prior.get("events", []) + list(getattr(h, "events", []) or []),
        }

    def _write_history(self) -> None:
        _dump(self.path("history.json"), self._history_data())

    def _tensorboard(self, epoch: int, logs: dict[str, float], history: Any) -> None:
        w = self._writer
        for k, v in logs.items():
            name = k[4:] if k.startswith("val_") else k
            w.scalar(f"{name}/{'validation' if k.startswith('val_') else 'train'}", v, epoch)
        if history is not None and history.learning_rate:
            w.scalar("learning_rate", history.learning_rate[-1], epoch)
        if history is not None and history.step_loss:
            for v in np.asarray(history.step_loss[-1]).reshape(-1):
                w.scalar("step/loss", float(v), self._step)
                self._step += 1
        if history is not None and history.grad_norms:
            for layer, v in history.grad_norms[-1].items():
                w.scalar(f"grad_norm/{layer}", v, epoch)
        w.flush()

    def _evaluate(self) -> None:
        """Confusion matrix and sample predictions on the validation data."""
        if self.validation_data is None:
            return
        vx, vy = self.validation_data[0], self.validation_data[1]
        if isinstance(vx, (list, dict)) or isinstance(vy, (list, dict)):
            return  # several inputs / outputs: no single confusion matrix
        vx, vy = np.asarray(vx), np.asarray(vy)
        n = min(len(vx), 5000)
        try:
            pred = np.asarray(self.model.predict(vx[:n], verbose=0))
        except Exception:
            return
        loss = str(getattr(self.model, "_compile_args", {}).get("loss", "")).lower()
        classifier = "crossentropy" in loss or "hinge" in loss
        if not classifier or pred.ndim != 2:
            return
        if pred.shape[1] == 1:
            pred_label = (pred[:, 0] > (0.5 if pred.min() >= 0 and pred.max() <= 1 else 0.0)).astype(int)
            k = 2
        else:
            pred_label = pred.argmax(axis=1)
            k = pred.shape[1]
        true = vy[:n]
        true_label = true.argmax(axis=1) if true.ndim == 2 and true.shape[1] > 1 else true.reshape(-1).astype(int)
        from sklearn.metrics import confusion_matrix

        cm = confusion_matrix(true_label, pred_label, labels=list(range(k)))
        names = self.class_names or [str(i) for i in range(k)]
        _dump(self.path("evaluation.json"), {"confusion_matrix": cm.tolist(), "class_names": names,
                                              "accuracy": float(np.trace(cm) / max(1, cm.sum())), "samples": int(n)})
        images = vx[: self.num_samples]
        if self.image_shape is not None:
            images = images.reshape((len(images),) + self.image_shape)
        if images.ndim in (3, 4) and (images.ndim == 3 or images.shape[-1] in (1, 3, 4)):
            with atomic_write(self.path("samples.npz"), "wb") as f:
                np.savez_compressed(f, images=images.astype(np.float32), true=true_label[: len(images)],
                                    pred=pred_label[: len(images)])


class RunDirectory:
    """Read a run directory written by `RunLogger` / ``fit(run_dir=...)`` / ``trainlab train``.

    Raises:
        FileNotFoundError: the folder does not exist.
        NotADirectoryError: the path is a file.
        ValueError: a required file (`REQUIRED_FILES`) is missing or unreadable.
    """

    def __init__(self, path: str | os.PathLike):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"`run_dir` must be a folder path; received {describe(path)}.")
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise FileNotFoundError(
                f"Run directory `run_dir` {self.path!r} does not exist. Pass the folder given to "
                f"fit(..., run_dir=...) or `trainlab train --run-dir`."
            )
        if not os.path.isdir(self.path):
            raise NotADirectoryError(f"`run_dir` {self.path!r} is a file, not a run directory (a folder).")
        missing = [f for f in REQUIRED_FILES if not os.path.isfile(os.path.join(self.path, f))]
        if missing:
            present = sorted(os.listdir(self.path))
            raise ValueError(
                f"Run directory {self.path!r} is incomplete: missing {', '.join(missing)}. Found: "
                f"{', '.join(present) or 'nothing'}. Expected {', '.join(REQUIRED_FILES)} as written by "
                f"fit(..., run_dir=...); the run may have stopped before its first epoch ended."
            )
        self.config = self._read_json("config.json")
        self._history = self._read_json("history.json")
        if not isinstance(self._history, dict) or "history" not in self._history:
            raise ValueError(f"Run directory {self.path!r}: history.json has no `history` key; the file is not "
                             f"a trainlab history (rewrite it by training again with run_dir=...).")

    def _read_json(self, name: str) -> Any:
        try:
            with open(os.path.join(self.path, name), encoding="utf-8") as f:
                return json.load(f)
        except json.JSONDecodeError as exc:
            raise ValueError(f"Run directory {self.path!r}: {name} is not valid JSON ({exc}); the file is "
                             f"damaged.") from None

    def file(self, name: str) -> str:
        return os.path.join(self.path, name)

    def history(self) -> dict[str, Any]:
        """The saved history (format of ``history.json``; `diagnose` accepts it)."""
        return self._history

    def findings(self, recompute: bool = False) -> list[Any]:
        """The doctor's findings (from diagnosis.json, or recomputed from the history)."""
        from ..doctor import Finding, diagnose

        if not recompute and os.path.isfile(self.file("diagnosis.json")):
            return [Finding.from_dict(d) for d in self._read_json("diagnosis.json")]
        return diagnose(self._history, model=self.config.get("model"))

    def evaluation(self) -> dict[str, Any] | None:
        return self._read_json("evaluation.json") if os.path.isfile(self.file("evaluation.json")) else None

    def samples(self) -> dict[str, np.ndarray] | None:
        if not os.path.isfile(self.file("samples.npz")):
            return None
        with np.load(self.file("samples.npz")) as z:
            return {k: z[k] for k in z.files}

    @property
    def checkpoints(self) -> dict[str, str]:
        folder = self.file("checkpoints")
        if not os.path.isdir(folder):
            return {}
        return {os.path.splitext(f)[0]: os.path.join(folder, f) for f in sorted(os.listdir(folder))
                if f.endswith(".trainlab")}

    def load_model(self, which: str = "best") -> Any:
        """The model saved in ``checkpoints/<which>.trainlab`` ("best" or "last")."""
        from ..saving import load_model

        ck = self.checkpoints
        if which not in ck:
            raise ValueError(f"Run directory {self.path!r} has no checkpoint {which!r}; available: "
                             f"{', '.join(ck) or 'none'}.")
        return load_model(ck[which])

    def write_report(self) -> str:
        from .html import write_report

        return write_report(self.path)

    def __repr__(self) -> str:
        return f"<RunDirectory {self.path!r} epochs={len(self._history.get('epoch', []))}>"
