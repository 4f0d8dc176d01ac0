"""Curve helpers shared by the doctor: reading a history, smoothing, slopes.

Smoothing (documented, used by every rule):

* `smooth` — offline, *centred* and robust: a running median over ``window``
  epochs (removes single-epoch spikes) followed by a running mean of the same
  width. Centred windows have no lag, so the epoch where a curve turns is
  found where it happened. Windows shrink at the ends.
* `ema` — online, the course's exponentially weighted average with bias
  correction, ``v_t = beta v_{t-1} + (1 - beta) x_t``, ``v_t / (1 - beta^t)``.
  Used where only the past is known (the `Autopilot`, the learning-rate finder).

Example:
    >>> import numpy as np
    >>> smooth(np.array([1.0, 1.0, 9.0, 1.0, 1.0]), 3).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    >>> ema(np.array([1.0, 1.0, 1.0]), 0.9).round(3).tolist()
    [1.0, 1.0, 1.0]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._validation import describe

__all__ = ["HistoryData", "read_history", "smooth", "ema", "relative_slope", "rebounds", "default_window"]


@dataclasses.dataclass
class HistoryData:
    """A history normalised for the doctor.

    Attributes:
        series: per-epoch values by key (``"loss"``, ``"val_loss"``, ...), float arrays.
        step_loss: per-step training losses, one array per epoch (may be empty).
        grad_norms: per-epoch ``{layer: mean gradient norm}`` (may be empty).
        learning_rate: per-epoch learning rate (may be empty).
        events: actions logged during training (Autopilot, EarlyStopping).
    """

    series: dict[str, np.ndarray]
    step_loss: list[np.ndarray]
    grad_norms: list[dict[str, float]]
    learning_rate: np.ndarray
    events: list[dict[str, Any]]

    @property
    def num_epochs(self) -> int:
        return len(self.series.get("loss", ()))


_EXTRA_KEYS = ("step_loss", "grad_norms", "events", "epoch", "learning_rate", "epoch_seconds")


def read_history(history: Any, argument: str = "history") -> HistoryData:
    """Normalise a `History`, a ``History.as_dict()``-style dict, or a dict read
    from ``history.json`` into `HistoryData`.

    Raises:
        TypeError: `history` is neither, or a series holds non-numbers.
    """
    if hasattr(history, "history") and hasattr(history, "epoch") and not isinstance(history, Mapping):
        raw = dict(history.history)
        step_loss = list(getattr(history, "step_loss", []) or [])
        grad_norms = list(getattr(history, "grad_norms", []) or [])
        lr = list(getattr(history, "learning_rate", []) or [])
        events = list(getattr(history, "events", []) or [])
    elif isinstance(history, Mapping):
        raw = {k: v for k, v in history.items() if k not in _EXTRA_KEYS}
        if "history" in raw and isinstance(raw["history"], Mapping):  # a saved History.to_json-like dict
            nested = dict(history)
            raw = dict(nested["history"])
            history = nested
        step_loss = list(history.get("step_loss") or [])
        grad_norms = list(history.get("grad_norms") or [])
        lr = list(history.get("learning_rate") or [])
        events = list(history.get("events") or [])
    else:
        raise TypeError(
            f"`{argument}` must be a History (returned by model.fit) or a dict of per-epoch lists such as "
            f"{{'loss': [...], 'val_loss': [...]}}; received {describe(history)}."
        )
    series: dict[str, np.ndarray] = {}
    for key, values in raw.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
            raise TypeError(
                f"`{argument}[{key!r}]` must be a list of per-epoch numbers; received {describe(values)}."
            )
        try:
            series[str(key)] = np.asarray([float(v) for v in values], dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"`{argument}[{key!r}]` must contain only numbers (NaN allowed); received {describe(values)}."
            ) from None
    return HistoryData(
        series=series,
        step_loss=[np.asarray(s, dtype=np.float64).reshape(-1) for s in step_loss],
        grad_norms=[{str(k): float(v) for k, v in g.items()} for g in grad_norms],
        learning_rate=np.asarray([float(v) for v in lr], dtype=np.float64),
        events=[dict(e) for e in events],
    )


def default_window(n: int) -> int:
    """Smoothing width for `n` epochs: 1 below 5 epochs, 3 up to 20, then about n/8 (odd, at most 9)."""
    if n < 5:
        return 1
    if n <= 20:
        return 3
    w = min(9, n // 8)
    return w if w % 2 else w + 1


def smooth(values: np.ndarray, window: int | None = None) -> np.ndarray:
    """Centred running median then running mean over `window` points (odd).

    Non-finite values are ignored inside each window (a window of only NaNs
    gives NaN).
    """
    y = np.asarray(values, dtype=np.float64)
    n = len(y)
    w = default_window(n) if window is None else int(window)
    if w <= 1 or n == 0:
        return y.copy()
    half = w // 2

    def run(x: np.ndarray, fn: Any) -> np.ndarray:
        out = np.empty(n)
        for i in range(n):
            seg = x[max(0, i - half): i + half + 1]
            seg = seg[np.isfinite(seg)]
            out[i] = fn(seg) if len(seg) else np.nan
        return out

    return run(run(y, np.median), np.mean)


def ema(values: np.ndarray, beta: float) -> np.ndarray:
    """Bias-corrected exponentially weighted average (the course's formula)."""
    y = np.asarray(values, dtype=np.float64)
    out = np.empty_like(y)
    v = 0.0
    for t, x in enumerate(y, start=1):
        v = beta * v + (1.0 - beta) * x
        out[t - 1] = v / (1.0 - beta ** t)
    return out


def relative_slope(values: np.ndarray, last: int | None = None) -> float:
    """Least-squares slope of the last `last` points divided by their mean
    magnitude: the fractional change per epoch (-0.05 = falling 5% per epoch).

    Returns NaN with fewer than two finite points.
    """
    y = np.asarray(values, dtype=np.float64)
    if last is not None:
        y = y[-last:]
    x = np.arange(len(y), dtype=np.float64)
    ok = np.isfinite(y)
    if ok.sum() < 2:
        return float("nan")
    x, y = x[ok], y[ok]
    slope = np.polyfit(x, y, 1)[0]
    scale = np.mean(np.abs(y))
    return float(slope / scale) if scale > 0 else 0.0


def rebounds(values: np.ndarray, tolerance: float, floor: float = 0.0) -> int:
    """How many points rebound above the lowest value before them: more than
    ``(1 + tolerance)`` times it *and* more than `floor` above it.

    Measured against the running minimum (not the previous point), a loss that
    keeps jumping back up from a low level counts every jump, while small
    jitter around a falling curve (dropout) counts none.

    Args:
        values: a curve, shape ``(epochs,)``.
        tolerance: relative rise that counts, e.g. 0.3.
        floor: absolute rise that counts, e.g. 5% of the initial loss.

    Returns:
        The number of rebounding points (NaNs never count).

    Example:
        >>> rebounds(np.array([2.3, 0.5, 0.01, 0.55, 0.02, 0.5]), 0.3, 0.1)
        2
    """
    y = np.asarray(values, dtype=np.float64)
    low = np.fmin.accumulate(np.where(np.isfinite(y), y, np.inf))
    prev = np.r_[np.inf, low[:-1]]
    ok = np.isfinite(y) & np.isfinite(prev)
    return int(np.sum(ok & (y > prev * (1.0 + tolerance)) & (y - prev > floor)))
