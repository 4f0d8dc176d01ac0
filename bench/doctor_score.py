"""Score `diagnose` on the labelled corpus of real runs (`bench/doctor_corpus.json`).

* The held-out third is chosen by a seeded hash of each run id (`is_held_out`);
  thresholds are tuned only on the other two thirds.
* A run is **right** when the doctor's first (worst) finding has the run's label
  (``healthy``: no warning or critical finding at all).
* A **false alarm** is a healthy run given any warning or critical finding.
* Only runs whose label the curve rule confirmed (``label_confirmed``) are scored.

Run: ``python bench/doctor_score.py`` prints the Markdown tables of
``bench/RESULTS.md`` (the doctor, the doctor before this corpus existed when
``--baseline-src`` points at its source tree, and naive baselines).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import Counter
from typing import Any, Callable

import numpy as np

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "doctor_corpus.json")
SPLIT_SEED = "doctor-corpus-0"


def is_held_out(run_id: str) -> bool:
    """A seeded hash puts one run in three into the held-out part."""
    return int(hashlib.sha256(f"{SPLIT_SEED}:{run_id}".encode()).hexdigest(), 16) % 3 == 0


def load_runs(part: str = "held_out", path: str = CORPUS) -> list[dict[str, Any]]:
    """Confirmed runs of one part: ``"held_out"``, ``"tune"`` or ``"all"``."""
    with open(path) as f:
        runs = [r for r in json.load(f)["runs"] if r["label_confirmed"]]
    if part == "all":
        return runs
    return [r for r in runs if is_held_out(r["config"]["id"]) == (part == "held_out")]


def history_of(run: dict[str, Any]) -> dict[str, list[float]]:
    """The run's history as `diagnose` takes it (JSON's "nan"/"inf" strings back to floats)."""
    return {k: [float(v) for v in vals] for k, vals in run["history"].items()}


def doctor_predict(run: dict[str, Any]) -> str:
    """The code of the doctor's worst finding (``healthy`` when nothing is wrong)."""
    from trainlab.doctor import diagnose

    findings = diagnose(history_of(run))
    bad = [f for f in findings if f.severity != "info"]
    return bad[0].code if bad else findings[0].code


def always_healthy(run: dict[str, Any]) -> str:
    return "healthy"


def one_rule(run: dict[str, Any]) -> str:
    """A naive single-rule doctor: NaN -> diverging; validation loss ends 10% above its minimum ->
    overfitting; training loss ends above its first epoch -> learning_rate_too_high; else healthy."""
    h = history_of(run)
    loss, val = np.asarray(h["loss"]), np.asarray(h["val_loss"])
    if not (np.all(np.isfinite(loss)) and np.all(np.isfinite(val))):
        return "diverging"
    if val[-1] > 1.1 * val.min():
        return "overfitting"
    if loss[-1] > loss[0]:
        return "learning_rate_too_high"
    return "healthy"


def score(runs: list[dict[str, Any]], predict: Callable[[dict[str, Any]], str]) -> dict[str, Any]:
    """Accuracy, healthy false-alarm rate, and precision / recall per code."""
    pairs = [(r["label"], predict(r)) for r in runs]
    labels = sorted({t for t, _ in pairs} | {p for _, p in pairs})
    per_code = {}
    for c in labels:
        tp = sum(t == c and p == c for t, p in pairs)
        npred, ntrue = sum(p == c for _, p in pairs), sum(t == c for t, _ in pairs)
        per_code[c] = {"n": ntrue, "precision": tp / npred if npred else math.nan,
                       "recall": tp / ntrue if ntrue else math.nan}
    healthy = [p for t, p in pairs if t == "healthy"]
    return {"n": len(pairs), "right": sum(t == p for t, p in pairs) / max(1, len(pairs)),
            "false_alarms": sum(p != "healthy" for p in healthy) / max(1, len(healthy)),
            "per_code": per_code, "confusion": Counter(pairs)}


def _pct(x: float) -> str:
    return "–" if isinstance(x, float) and math.isnan(x) else f"{100 * x:.0f}%"


def markdown(results: dict[str, dict[str, Any]]) -> str:
    names = list(results)
    codes = sorted({c for r in results.values() for c in r["per_code"]})
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names),
             "| runs | " + " | ".join(str(results[n]["n"]) for n in names) + " |",
             "| **right** | " + " | ".join(f"**{_pct(results[n]['right'])}**" for n in names) + " |",
             "| **false alarms on healthy** | " + " | ".join(f"**{_pct(results[n]['false_alarms'])}**"
                                                            for n in names) + " |"]
    for c in codes:
        cells = []
        for n in names:
            pc = results[n]["per_code"].get(c)
            cells.append(f"{_pct(pc['precision'])} / {_pct(pc['recall'])}" if pc else "–")
        n_true = max((results[n]["per_code"].get(c, {}).get("n", 0) for n in names), default=0)
        lines.append(f"| `{c}` (n={n_true}) precision / recall | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    part = sys.argv[1] if len(sys.argv) > 1 else "held_out"
    runs = load_runs(part)
    res = {"doctor": score(runs, doctor_predict), "always healthy": score(runs, always_healthy),
           "one rule": score(runs, one_rule)}
    print(markdown(res))
    print()
    print("doctor confusion (label, predicted):", sorted(res["doctor"]["confusion"].items(), key=lambda kv: -kv[1]))
