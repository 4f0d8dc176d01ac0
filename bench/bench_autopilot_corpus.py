"""Does the Autopilot help on the corpus's configurations, and never harm?

A seeded sample of the labelled corpus's configurations (`bench/doctor_corpus.json`,
confirmed labels only; two per failure, six healthy) is trained twice with
trainlab from the same seed: without and with `Autopilot()` (defaults). The
final validation loss is `model.evaluate` on the validation data after `fit`
(with the Autopilot: after its restore of the best weights).

Targets: on failing configurations the final validation loss improves; on
healthy ones it is at most 1.02x the loss without the Autopilot.

Run (main .venv, after ``bench/doctor_corpus.py prepare``)::

    python bench/bench_autopilot_corpus.py        # prints a Markdown table and writes nothing
"""

from __future__ import annotations

import math
import os
import random
import sys
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import doctor_corpus as dc  # noqa: E402
from doctor_score import load_runs  # noqa: E402

PER_FAILURE = {"healthy": 6, "not_converged": 2, "diverging": 2, "learning_rate_too_high": 2,
               "learning_rate_too_low": 2, "overfitting": 2, "underfitting": 2}
SMALL = ("wine", "breast_cancer", "moons", "bow_text", "diabetes", "friedman", "digits")


# the sample `draw()` gave on the 411-run corpus of the first measurement, kept so that the
# table in bench/RESULTS.md can be reproduced as the corpus grows
SAMPLE = ["friedman-healthy-6-torch", "friedman-healthy-c2-torch", "bow_text-healthy-c0-torch",
          "digits-healthy-8-torch", "moons-healthy-c1-torch", "diabetes-healthy-c3-torch",
          "wine-not_converged-c2-torch", "wine-not_converged-c0-torch", "digits-diverging-2-trainlab",
          "friedman-diverging-3-torch", "friedman-learning_rate_too_high-c3-torch",
          "moons-learning_rate_too_high-c0-torch", "diabetes-learning_rate_too_low-c1-torch",
          "wine-learning_rate_too_low-1-torch", "bow_text-overfitting-c2-torch",
          "breast_cancer-overfitting-c1-torch", "digits-underfitting-1-torch", "digits-underfitting-c1-torch"]


def sample() -> list[dict]:
    """The configurations of `SAMPLE`, from the committed corpus."""
    by_id = {r["config"]["id"]: r["config"] for r in load_runs("all")}
    only = [i for i in os.environ.get("AUTOPILOT_BENCH_IDS", "").split(",") if i]  # e.g. to rerun a few
    return [by_id[i] for i in (only or SAMPLE)]


def draw() -> list[dict]:
    """A fresh seeded draw: `PER_FAILURE` confirmed configurations per label, small datasets only."""
    rng = random.Random(0)
    runs = [r for r in load_runs("all") if r["config"]["dataset"] in SMALL]
    out = []
    for failure, k in PER_FAILURE.items():
        pool = sorted((r["config"] for r in runs if r["label"] == failure), key=lambda c: c["id"])
        out += rng.sample(pool, min(k, len(pool)))
    return out


def final_val_loss(cfg: dict, data: dict, autopilot: bool) -> tuple[float, list[str]]:
    from trainlab.doctor import Autopilot

    pilot = Autopilot() if autopilot else None
    _, model = dc.run_trainlab(cfg, data, callbacks=[pilot] if pilot else None, with_model=True)
    _, _, xv, yv = dc._data_for(cfg, data)
    yv = yv.astype("int32") if cfg["task"] == "cls" else yv[:, None]
    out = model.evaluate(xv, yv, verbose=0)
    loss = float(out[0] if isinstance(out, (list, tuple)) else out)
    actions = [a["action"] for a in pilot.actions if a["action"] != "verdict"] if pilot else []
    return loss, actions


def main() -> None:
    data = dc.load_data()
    rows = []
    for cfg in sample():
        t0 = time.perf_counter()
        without, _ = final_val_loss(cfg, data, False)
        with_, actions = final_val_loss(cfg, data, True)
        ratio = with_ / without if math.isfinite(without) and without > 0 else (0.0 if math.isfinite(with_) else 1.0)
        rows.append((cfg, without, with_, ratio, actions))
        print(f"{cfg['id']}: {without:.4g} -> {with_:.4g} ({ratio:.3f}) {actions} {time.perf_counter() - t0:.0f}s",
              file=sys.stderr, flush=True)
    print("| configuration (label) | optimizer, lr | final val loss without → with | ratio | Autopilot actions |")
    print("|---|---|---|---|---|")
    for cfg, a, b, r, acts in rows:
        short = ", ".join(dict.fromkeys(acts)) or "none"
        print(f"| {cfg['id']} (`{cfg['failure']}`) | {cfg['optimizer']} {cfg['learning_rate']:g} | "
              f"{a:.4g} → {b:.4g} | {r:.3f} | {short} |")
    healthy = [r for c, _, _, r, _ in rows if c["failure"] == "healthy"]
    failing = [(c, r) for c, _, _, r, _ in rows if c["failure"] != "healthy"]
    print()
    print(f"Healthy: worst ratio {max(healthy):.3f}, {sum(r <= 1.02 for r in healthy)}/{len(healthy)} within 1.02x.")
    print(f"Failing: {sum(r < 0.999 for _, r in failing)}/{len(failing)} improved, "
          f"{sum(r > 1.001 for _, r in failing)} worse, geometric mean ratio "
          f"{math.exp(np.mean([math.log(max(r, 1e-6)) for _, r in failing])):.3f}.")


if __name__ == "__main__":
    main()
