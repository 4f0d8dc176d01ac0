"""Callback, CallbackList and History (Keras API).

Callbacks run in Python at the boundaries of the compiled program: at the
start and end of training and of each epoch, and between *chunks* of an epoch
(the batch hooks are called once per chunk with the index of the last batch
of the chunk). A callback may read and change the model (weights, optimizer
learning rate, `model.stop_training`); the trainer pushes those changes back
into the compiled state before the next chunk.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Callback", "CallbackList", "History"]


class Callback:
    """Base class of callbacks. Override the hooks you need.

    Attributes:
        model: the model being trained (set by `fit`).
        params: ``{"epochs", "steps", "verbose", "batch_size"}``.
        requires_grad_norms: set True in a subclass to make `fit` track the
            per-layer gradient norm inside the compiled step; the epoch means
            appear in ``model.history.grad_norms`` before ``on_epoch_end``.
        _resume_attrs: names of the attributes that `BackupAndRestore` saves
            and puts back after ``on_train_begin`` of a resumed `fit` (counters
            such as EarlyStopping's ``wait``); plain numbers, strings, lists.
    """

    requires_grad_norms = False
    _resume_attrs: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    # whether the hooks below are implemented (lets `fit` skip chunking)
    def _implements_batch_hooks(self) -> bool:
        base = Callback
        for name in ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"):
            if getattr(type(self), name) is not getattr(base, name):
                return True
        return False

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs)
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs)
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_end(self, logs: dict | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_begin(self, logs: dict | None = None) -> None: ...
    def on_predict_end(self, logs: dict | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


class CallbackList:
    """Calls a hook on every callback in order."""

    def __init__(self, callbacks: list[Callback] | None = None, model: Any = None, **params: Any):
        if isinstance(callbacks, Callback):
            raise TypeError(
                f"`callbacks` must be a list of callbacks; received a single {type(callbacks).__name__}. "
                f"Wrap it in a list: callbacks=[{type(callbacks).__name__}(...)]."
            )
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            raise TypeError(
                f"`callbacks` must be a list of callbacks such as [callbacks.EarlyStopping()]; received "
                f"{type(callbacks).__name__}."
            )
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"Every entry of `callbacks` must be a trainlab Callback (e.g. callbacks.EarlyStopping()); "
                    f"received {type(cb).__name__}."
                )
        if model is not None:
            for cb in self.callbacks:
                cb.set_model(model)
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def append(self, cb: Callback) -> None:
        self.callbacks.append(cb)

    @property
    def wants_batch_hooks(self) -> bool:
        return any(cb._implements_batch_hooks() for cb in self.callbacks)

    def __getattr__(self, hook: str):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        # Keras passes `logs` to every hook (an empty dict when there is nothing to
        # report), so user callbacks may declare `logs` without a default.
        at = 1 if hook.endswith(("_batch_begin", "_batch_end", "epoch_begin", "epoch_end")) else 0

        def call(*args: Any, **kwargs: Any) -> None:
            if "logs" in kwargs:
                kwargs["logs"] = {} if kwargs["logs"] is None else kwargs["logs"]
            elif len(args) <= at:
                args = (*args, {})
            elif args[at] is None:
                args = (*args[:at], {}, *args[at + 1:])
            for cb in self.callbacks:
                getattr(cb, hook)(*args, **kwargs)

        return call


class History(Callback):
    """Records per-epoch logs: ``history.history["loss"]`` etc. (returned by `fit`).

    Besides Keras' dict it keeps, per epoch:
        learning_rate: the learning rate at the end of the epoch;
        epoch_seconds: wall time of the epoch (training and validation);
        step_loss: the loss of every training step (a numpy array per epoch),
            which the training doctor uses to judge noise;
        events: actions taken by callbacks (Autopilot, EarlyStopping), as dicts.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.learning_rate: list[float] = []
        self.epoch_seconds: list[float] = []
        self.step_loss: list[np.ndarray] = []
        self.grad_norms: list[dict[str, float]] = []
        self.events: list[dict[str, Any]] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.model is not None:
            self.model.history = self

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))

    def log_event(self, epoch: int, source: str, action: str, **details: Any) -> None:
        """Record an action taken during training (shown in reports)."""
        self.events.append({"epoch": int(epoch), "source": source, "action": action, **details})

    def as_dict(self) -> dict[str, list[float]]:
        """Per-epoch series including `learning_rate` (for the doctor and reports)."""
        out = {k: list(v) for k, v in self.history.items()}
        if self.learning_rate:
            out["learning_rate"] = list(self.learning_rate)
        return out

    def __repr__(self) -> str:
        return f"<History epochs={len(self.epoch)} keys={sorted(self.history)}>"
