"""Matplotlib figures for reports (Agg backend, no display needed).

Each function takes plain data (a history dict, arrays) and returns a
`matplotlib.figure.Figure`; `figure_to_data_uri` embeds it in HTML as base64
PNG, `save_figure` writes it atomically. Reusable by the tuner's reports.

Example:
    >>> fig = curves_figure({"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.5]}, "loss")
    >>> figure_to_data_uri(fig).startswith("data:image/png;base64,")
    True
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "figure_to_data_uri",
    "save_figure",
    "curves_figure",
    "learning_rate_figure",
    "step_loss_figure",
    "grad_norms_figure",
    "confusion_matrix_figure",
    "samples_figure",
    "lr_finder_figure",
    "batch_size_figure",
]


def _plt() -> Any:
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _figure(ax: Any = None, size: tuple[float, float] = (6.0, 3.6)) -> tuple[Any, Any]:
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=100)
    return fig, fig.add_subplot(1, 1, 1)


def figure_to_data_uri(fig: Any, fmt: str = "png") -> str:
    """The figure as a ``data:`` URI (base64 PNG or SVG) for self-contained HTML."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight")
    mime = "image/svg+xml" if fmt == "svg" else f"image/{fmt}"
    return f"data:{mime};base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def save_figure(fig: Any, path: str | os.PathLike) -> None:
    """Write the figure to `path` (format from the extension) atomically."""
    from .._io import atomic_write

    fmt = os.path.splitext(os.fspath(path))[1].lstrip(".").lower() or "png"
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format=fmt, bbox_inches="tight")


def curves_figure(history: Mapping[str, Sequence[float]], key: str, ax: Any = None,
                  events: Sequence[Mapping[str, Any]] = ()) -> Any:
    """Training vs validation curve of `key` (``"loss"``, ``"accuracy"``) by epoch (1-based),
    with logged actions (Autopilot, EarlyStopping) as vertical lines."""
    fig, ax = _figure(ax)
    train = np.asarray(history.get(key, []), dtype=float)
    val = np.asarray(history.get("val_" + key, []), dtype=float)
    if len(train):
        ax.plot(np.arange(1, len(train) + 1), train, "o-", ms=3, label=f"training {key}")
    if len(val):
        ax.plot(np.linspace(1, max(len(train), len(val)), len(val)) if len(train) else np.arange(1, len(val) + 1),
                val, "s-", ms=3, label=f"validation {key}")
    for e in events:
        if e.get("action") in ("verdict",):
            continue
        ax.axvline(int(e.get("epoch", 0)) + 1, color="grey", ls=":", lw=1)
        ax.annotate(str(e.get("action", "")).replace("_", " "), (int(e.get("epoch", 0)) + 1, ax.get_ylim()[1]),
                    rotation=90, va="top", ha="right", fontsize=7, color="grey")
    positive = np.concatenate([train[np.isfinite(train)], val[np.isfinite(val)]])
    if key.endswith("loss") and len(positive) and positive.min() > 0 and positive.max() / positive.min() > 20:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(key)
    ax.set_title(f"{key}: training vs validation")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return fig


def learning_rate_figure(learning_rates: Sequence[float], ax: Any = None) -> Any:
    """Learning rate at the end of each epoch (log scale)."""
    fig, ax = _figure(ax, (6.0, 2.8))
    lr = np.asarray(learning_rates, dtype=float)
    ax.plot(np.arange(1, len(lr) + 1), lr, "o-", ms=3, color="tab:purple")
    if len(lr) and np.all(lr > 0):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate")
    ax.set_title("learning rate")
    ax.grid(alpha=0.3)
    return fig


def step_loss_figure(step_loss: Sequence[np.ndarray], ax: Any = None) -> Any:
    """Every step's training loss, with epoch boundaries."""
    fig, ax = _figure(ax, (6.0, 2.8))
    if step_loss:
        y = np.concatenate([np.asarray(s, dtype=float).reshape(-1) for s in step_loss])
        ax.plot(np.arange(len(y)), y, lw=0.6, color="tab:blue")
        ends = np.cumsum([len(s) for s in step_loss])[:-1]
        for e in ends:
            ax.axvline(e, color="grey", lw=0.4, alpha=0.5)
        finite = y[np.isfinite(y)]
        if len(finite) and finite.min() > 0 and finite.max() / finite.min() > 20:
            ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("per-step training loss")
    ax.grid(alpha=0.3)
    return fig


def grad_norms_figure(grad_norms: Sequence[Mapping[str, float]], order: Sequence[str] | None = None,
                      ax: Any = None) -> Any:
    """Mean gradient norm of each layer per epoch (log scale)."""
    fig, ax = _figure(ax, (6.0, 3.2))
    present = list(grad_norms[0]) if grad_norms else []
    names = [n for n in order if n in present] + [n for n in present if n not in order] if order else present
    for name in names:
        v = np.asarray([g.get(name, np.nan) for g in grad_norms], dtype=float)
        ax.plot(np.arange(1, len(v) + 1), np.where(v > 0, v, np.nan), "o-", ms=3, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("gradient norm")
    ax.set_title("gradient norm per layer")
    ax.grid(alpha=0.3)
    if names:
        ax.legend(fontsize=7, ncol=2)
    return fig


def confusion_matrix_figure(matrix: np.ndarray, class_names: Sequence[str] | None = None, ax: Any = None) -> Any:
    """A confusion matrix (rows: true class, columns: predicted) with counts."""
    m = np.asarray(matrix)
    k = m.shape[0]
    fig, ax = _figure(ax, (min(8.0, 1.6 + 0.45 * k), min(8.0, 1.4 + 0.45 * k)))
    ax.imshow(m, cmap="Blues")
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    ax.set_xticks(range(k), names, rotation=90 if k > 10 else 0, fontsize=7)
    ax.set_yticks(range(k), names, fontsize=7)
    if k <= 20:
        top = m.max() if m.size else 0
        for i in range(k):
            for j in range(k):
                ax.text(j, i, str(int(m[i, j])), ha="center", va="center", fontsize=7,
                        color="white" if m[i, j] > top / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix (validation)")
    return fig


def samples_figure(images: np.ndarray, true: Sequence[Any], pred: Sequence[Any],
                   class_names: Sequence[str] | None = None, cols: int = 8) -> Any:
    """A grid of images titled "pred (true)"; wrong predictions in red."""
    from matplotlib.figure import Figure

    imgs = np.asarray(images, dtype=float)
    n = len(imgs)
    rows = max(1, -(-n // cols))
    fig = Figure(figsize=(cols * 1.1, rows * 1.3), dpi=100)
    names = list(class_names) if class_names is not None else None
    for i in range(n):
        ax = fig.add_subplot(rows, cols, i + 1)
        img = imgs[i]
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        lo, hi = float(np.min(img)), float(np.max(img))
        img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        t, p = true[i], pred[i]
        label = (names[int(p)] if names else str(p)) + f" ({names[int(t)] if names else t})"
        ax.set_title(label, fontsize=7, color="black" if int(p) == int(t) else "red")
        ax.axis("off")
    fig.suptitle("sample predictions: predicted (true)", fontsize=9)
    return fig


def lr_finder_figure(result: Any, ax: Any = None) -> Any:
    """Raw and smoothed loss against the learning rate, suggestion marked."""
    fig, ax = _figure(ax)
    ax.plot(result.learning_rates, result.losses, lw=0.6, alpha=0.4, label="loss")
    ax.plot(result.learning_rates, result.smoothed, lw=1.6, label="smoothed")
    if result.suggestion is not None:
        ax.axvline(result.suggestion, color="tab:red", ls="--", lw=1)
        ax.annotate(f"suggestion {result.suggestion:.2g}", (result.suggestion, ax.get_ylim()[1]), rotation=90,
                    va="top", ha="right", fontsize=8, color="tab:red")
    ax.set_xscale("log")
    finite = result.smoothed[np.isfinite(result.smoothed)]
    if len(finite):
        top = min(float(np.max(finite)), 4 * float(np.min(finite)) + 1e-12 if np.min(finite) > 0 else float(np.max(finite)))
        ax.set_ylim(float(np.min(finite)) * 0.9 if np.min(finite) > 0 else None, max(top, float(finite[0])) * 1.1)
    ax.set_xlabel("learning rate (log)")
    ax.set_ylabel("loss")
    ax.set_title("learning-rate range test")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def batch_size_figure(result: Any, ax: Any = None) -> Any:
    """Validation loss after the fixed budget for each batch size tried."""
    fig, ax = _figure(ax)
    ms = [m for m in result.measurements if m.get("val_loss") is not None]
    xs = [m["batch_size"] for m in ms]
    ys = [m["val_loss"] for m in ms]
    ax.plot(xs, ys, "o-")
    ax.axvline(result.batch_size, color="tab:red", ls="--", lw=1, label=f"choice {result.batch_size}")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("batch size")
    ax.set_ylabel("validation loss after budget")
    ax.set_title("batch-size search")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
