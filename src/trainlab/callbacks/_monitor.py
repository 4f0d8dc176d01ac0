"""Which way is better for a monitored quantity ("val_loss" down, "val_accuracy" up)."""

from __future__ import annotations

from typing import Any

from .._validation import check_one_of

__all__ = ["resolve_mode", "improved"]

_UP = ("acc", "auc", "precision", "recall", "f1", "fmeasure", "iou", "r2")
_DOWN = ("loss", "error", "mse", "mae", "rmse", "mape", "crossentropy", "divergence", "hinge", "poisson")


def resolve_mode(mode: str, monitor: str, model: Any = None, owner: str = "callback") -> str:
    """"min" or "max" for `monitor`; "auto" infers from the metric (as Keras)."""
    check_one_of("mode", mode, ["auto", "min", "max"])
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_")
    metric_direction = _metric_direction(model, name)
    if metric_direction is not None:
        return metric_direction
    lowered = name.lower()
    if lowered == "loss" or lowered.endswith("_loss"):
        return "min"
    if any(tag in lowered for tag in _UP):
        return "max"
    if any(tag in lowered for tag in _DOWN):
        return "min"
    raise ValueError(
        f"{owner} received monitor={monitor!r} but cannot tell whether it should go up or down. "
        f"Pass mode='max' (higher is better) or mode='min' (lower is better)."
    )


def _metric_direction(model: Any, name: str) -> str | None:
    objective = getattr(model, "_objective", None)
    if objective is None:
        return None
    for out in objective.outputs:
        for m in list(out.metrics) + list(out.weighted_metrics or []):
            key = m.name if objective.single_output else f"{out.name}_{m.name}"
            if key == name:
                direction = getattr(m, "direction", None) or getattr(m, "_direction", None)
                if direction in ("up", "max"):
                    return "max"
                if direction in ("down", "min"):
                    return "min"
    return None


def improved(current: float, best: float, mode: str, min_delta: float = 0.0) -> bool:
    """True when `current` beats `best` by more than `min_delta` in direction `mode`."""
    if mode == "min":
        return current < best - abs(min_delta)
    return current > best + abs(min_delta)
