"""`TensorBoard`: epoch curves (and weight histograms) as TensorBoard event files.

Keras' layout and tags: ``log_dir/train`` and ``log_dir/validation`` hold
``epoch_loss``, ``epoch_<metric>`` (validation values without their ``val_``
prefix) and ``epoch_learning_rate``; `histogram_freq` adds a histogram per
weight every that many epochs. Files are written with tensorboardX, which
TensorBoard reads (``tensorboard --logdir logs``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._validation import check_one_of, check_positive_int
from ._base import Callback

__all__ = ["TensorBoard"]


class TensorBoard(Callback):
    """Write the logs of every epoch for TensorBoard (Keras `callbacks.TensorBoard`).

    Args:
        log_dir: folder of the event files (``train/`` and ``validation/`` inside).
        histogram_freq: every that many epochs, a histogram of each weight (0: never).
        update_freq: "epoch" (Keras' default); "batch" or an int also write
            ``batch_loss`` where `fit` reports batch logs (between compiled chunks).
        write_graph, write_images, write_steps_per_second, profile_batch,
        embeddings_freq, embeddings_metadata: accepted for compatibility; no
            graph, images or profile are written (compiled JAX has no Keras graph).

    Example:
        >>> import tempfile
        >>> cb = TensorBoard(log_dir=tempfile.mkdtemp())   # model.fit(x, y, callbacks=[cb])
    """

    def __init__(self, log_dir: str | os.PathLike = "logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False, update_freq: Any = "epoch",
                 profile_batch: Any = 0, embeddings_freq: int = 0, embeddings_metadata: Any = None):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = int(histogram_freq)
        if self.histogram_freq < 0:
            raise ValueError(f"`histogram_freq` must be >= 0; received {histogram_freq!r}. Pass 0 to disable it.")
        if isinstance(update_freq, str):
            check_one_of("update_freq", update_freq, ["epoch", "batch"])
        else:
            check_positive_int("update_freq", update_freq)
        self.update_freq = update_freq
        self._writers: dict[str, Any] = {}
        self._batches = 0

    def _writer(self, name: str) -> Any:
        if name not in self._writers:
            from tensorboardX import SummaryWriter

            path = os.path.join(self.log_dir, name)
            os.makedirs(path, exist_ok=True)
            self._writers[name] = SummaryWriter(logdir=path, flush_secs=30)
        return self._writers[name]

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._batches = 0

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._batches += 1
        if self.update_freq == "epoch" or not logs or "loss" not in logs:
            return
        every = 1 if self.update_freq == "batch" else int(self.update_freq)
        if self._batches % every == 0:
            self._writer("train").add_scalar("batch_loss", float(np.asarray(logs["loss"])), self._batches)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        for key, value in (logs or {}).items():
            try:
                number = float(np.asarray(value))
            except (TypeError, ValueError):
                continue
            split = "validation" if key.startswith("val_") else "train"
            name = key[4:] if split == "validation" else key
            self._writer(split).add_scalar(f"epoch_{name}", number, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0 and self.model is not None:
            writer = self._writer("train")
            for layer in self.model.layers:
                for i, w in enumerate(layer.get_weights()):
                    writer.add_histogram(f"{layer.name}/weight_{i}", np.asarray(w), epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
