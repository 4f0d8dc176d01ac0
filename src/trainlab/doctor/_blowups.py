"""Blow-ups the doctor sees in a finite loss curve (private to `diagnose`).

* `exploded`: the training loss ended far above its best and its start, and
  stayed there (the lowest loss of the last third is up too: a loss that
  swings back down is jumping, not exploding).
* `saturated`: with an accuracy metric, the loss measured against the
  chance-level loss ``ln(classes)`` (classes estimated as ``1 / accuracy``
  while the accuracy sits flat at chance): far above it (the softmax
  saturated), or an epoch far above it and the network dead at chance since.

Each returns ``(evidence, summary)`` or None; `th` is a `Thresholds`.

Example:
    >>> import numpy as np
    >>> from trainlab.doctor import Thresholds
    >>> exploded(np.array([2.3, 1.9, 1.7, 3.0, 6.0, 12.0, 15.0]), 2.3, Thresholds())[0]["tail_lowest_loss"]
    12.0
    >>> ev, text = saturated(np.full(8, 13.8), np.full(8, 0.1), Thresholds())
    >>> ev["classes_estimate"], "ln(10)" in text
    (10, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .curves import relative_slope, smooth

__all__ = ["exploded", "saturated"]


def exploded(loss: np.ndarray, start: float, th: Any) -> tuple[dict[str, Any], str] | None:
    """The loss rose far above its best and its start, and stayed up (not a swing)."""
    ratio = th.divergence_ratio
    best = float(np.min(loss))
    end = float(smooth(loss, th.window)[-1])
    tail_low = float(np.min(loss[-max(2, len(loss) // 3):]))
    if not (end > start and end > ratio * best and tail_low > ratio * best):
        return None
    evidence = {"initial_loss": start, "best_loss": best, "final_loss": end, "tail_lowest_loss": tail_low,
                "ratio_to_best": end / best if best > 0 else float("inf")}
    return evidence, (f"The loss exploded: it ended at {end:.4g}, above its start ({start:.4g}) and "
                      f"{evidence['ratio_to_best']:.3g}x its best ({best:.4g}); the lowest loss of the last "
                      f"epochs, {tail_low:.4g}, is still {tail_low / best:.3g}x the best.")

def saturated(loss: np.ndarray, acc: np.ndarray | None, th: Any) -> tuple[dict[str, Any], str] | None:
    """A blow-up visible against the chance-level loss ln(classes) (classes ~ 1 / accuracy while the
    accuracy stays flat at chance from the second epoch on): the loss sits far above it (the softmax saturated), or an epoch went far
    above it and the network never learned afterwards (it died)."""
    if acc is None or len(acc) < len(loss) or not np.all(np.isfinite(acc[-len(loss):])):
        return None
    acc_run = acc[-len(loss):]
    acc_end = float(smooth(acc_run, th.window)[-1])
    end = float(smooth(loss, th.window)[-1])
    if acc_end > 0.7:
        return None  # far from chance: whatever the loss, the network predicts
    classes = max(2, int(round(1.0 / max(acc_end, 1e-3))))
    chance = float(np.log(classes))
    ratio = th.chance_ratio
    evidence = {"final_loss": end, "final_accuracy": acc_end, "classes_estimate": classes,
                "chance_level_loss": chance, "ratio_to_chance": end / chance}
    if end > ratio * chance and np.ptp(acc_run[1:]) <= 0.1:
        return evidence, (f"The loss blew up and the softmax saturated: the training loss sits at {end:.4g}, "
                          f"{end / chance:.3g}x the chance-level loss ln({classes}) = {chance:.3g}, with the "
                          f"accuracy at chance ({acc_end:.1%}). A network that learned nothing would score "
                          f"{chance:.3g}; only huge, confidently wrong outputs score this high.")
    blown = np.flatnonzero(loss > ratio * chance)
    if len(blown) and blown[-1] <= len(loss) - 4 and end >= 0.8 * chance:
        last = int(blown[-1])
        after = acc_run[last + 2:]
        flat = relative_slope(loss[last + 1:]) > -th.still_falling
        if np.ptp(after) <= 0.1 and flat:  # flat at chance ever since: the blow-up killed the network
            evidence.update(worst_loss=float(loss[last]), worst_epoch=last)
            return evidence, (f"The loss blew up in epoch {last + 1} ({loss[last]:.4g}, "
                              f"{loss[last] / chance:.3g}x the chance-level loss ln({classes}) = {chance:.3g}) "
                              f"and the network never recovered: it ends at {end:.4g} with the accuracy at "
                              f"chance ({acc_end:.1%}).")
    return None
