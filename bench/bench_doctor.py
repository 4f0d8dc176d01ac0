"""Benchmark of the training doctor: real runs made to fail each way, the finding
the doctor gives, what the Autopilot did, and the final validation loss with vs
without it (same seed, same data, same epochs). Also times the learning-rate
finder, the batch-size finder and gradient checking.

Run: ``python bench/bench_doctor.py`` (prints a Markdown section; offline: the
digits data ship with scikit-learn; Fashion-MNIST is used when
$TRAINLAB_DATA_DIR has it).
"""

from __future__ import annotations

import os
import platform
import sys
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")


import trainlab as tl  # noqa: E402
from trainlab.doctor import Autopilot, check_gradients, diagnose, find_batch_size, find_learning_rate  # noqa: E402


def digits():
    from trainlab.datasets import digits as d

    (x, y), (xt, yt) = d.load_data()
    return (x.reshape(len(x), -1).astype("float32") / 16.0, y.astype("int32"),
            xt.reshape(len(xt), -1).astype("float32") / 16.0, yt.astype("int32"))


def mlp(units=(64,)):
    return tl.Sequential([tl.layers.Input((64,))] + [tl.layers.Dense(u, activation="relu") for u in units]
                         + [tl.layers.Dense(10, activation="softmax")])


class _Grads(tl.callbacks.Callback):
    requires_grad_norms = True


CASES = [
    # name, model units, optimizer factory, epochs, training samples, batch size
    ("learning rate far too high (Adam 0.5)", (64,), lambda: tl.optimizers.Adam(0.5), 15, None, 32),
    ("learning rate far too high (SGD 5.0)", (64,), lambda: tl.optimizers.SGD(5.0), 15, None, 32),
    ("learning rate far too low (SGD 1e-4)", (64,), lambda: tl.optimizers.SGD(1e-4), 15, None, 32),
    ("large model, tiny dataset (512x512 on 100 samples)", (512, 512),
     lambda: tl.optimizers.SGD(0.05, momentum=0.9), 60, 100, 16),
    ("too few epochs (Adam 1e-3, 5 epochs)", (64,), lambda: tl.optimizers.Adam(1e-3), 5, None, 32),
]


def run_case(data, units, opt, epochs, n, bs, autopilot):
    x, y, xt, yt = data
    tl.layers.clear_session()
    tl.set_random_seed(0)
    model = mlp(units)
    model.compile(optimizer=opt(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    pilot = Autopilot(patience=5) if autopilot else None
    t0 = time.perf_counter()
    h = model.fit(x[:n], y[:n], epochs=epochs, batch_size=bs, validation_data=(xt, yt), verbose=0,
                  callbacks=[pilot] if pilot else [_Grads()])
    seconds = time.perf_counter() - t0
    val_loss, val_acc = model.evaluate(xt, yt, verbose=0)
    return h, model, pilot, float(val_loss), float(val_acc), seconds


def describe_actions(pilot):
    acts = [a for a in pilot.actions if a["action"] != "verdict"]
    if not acts:
        return "none"
    parts = []
    for a in acts:
        e = a["epoch"] + 1
        if a["action"] in ("cut_learning_rate", "reduce_learning_rate"):
            parts.append(f"ep {e}: {a['action'].replace('_', ' ')} {a['old']:.3g}→{a['new']:.3g}")
        elif a["action"] == "stop":
            parts.append(f"ep {e}: stop ({a['reason']})")
        elif a["action"] == "restore_best_weights":
            parts.append(f"restore best (ep {a['best_epoch'] + 1})")
        else:
            parts.append(f"ep {e}: {a['action'].replace('_', ' ')}")
    return "; ".join(parts)


def describe_finding(findings):
    out = []
    for f in findings:
        ev = f.evidence
        if f.code == "overfitting" and ev.get("began_epoch") is not None:
            out.append(f"`overfitting` (began epoch {ev['began_epoch'] + 1}, val +{ev['val_rise']:.0%})")
        elif f.code == "learning_rate_too_high":
            out.append(f"`learning_rate_too_high` ({ev.get('spiking_steps', 0)} spiking steps, max step loss "
                       f"{ev.get('max_step_loss', float('nan')):.3g}) → {f.suggestion}")
        elif f.code == "learning_rate_too_low":
            out.append(f"`learning_rate_too_low` (progress {ev['progress']:.1%}) → {f.suggestion}")
        elif f.code == "not_converged":
            out.append(f"`not_converged` ({ev['fraction_per_epoch']:.0%}/epoch) → {f.suggestion}")
        elif f.code == "overfitting":
            out.append(f"`overfitting` (variance {ev.get('variance', float('nan')):.1%})")
        else:
            out.append(f"`{f.code}`")
    return "; ".join(out)


def main() -> None:
    data = digits()
    lines = ["## Training doctor (`bench/bench_doctor.py`)", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, JAX {__import__('jax').__version__} (CPU). "
             "Data: scikit-learn digits (1437 train / 360 validation, 8x8, standardised to [0,1]), MLP, seed 0. "
             "Each case is trained twice from the same initial weights: without and with `Autopilot(patience=5)`.",
             "", "| failure mode | doctor's finding on the plain run | Autopilot actions | final val loss without → with | "
             "val accuracy without → with |", "|---|---|---|---|---|"]
    for name, units, opt, epochs, n, bs in CASES:
        h0, m0, _, vl0, va0, s0 = run_case(data, units, opt, epochs, n, bs, False)
        findings = diagnose(h0, model=m0)
        h1, m1, pilot, vl1, va1, s1 = run_case(data, units, opt, epochs, n, bs, True)
        lines.append(f"| {name} | {describe_finding(findings)} | {describe_actions(pilot)} | "
                     f"{vl0:.4f} → **{vl1:.4f}** | {va0:.3f} → {va1:.3f} |")
        print(f"[bench] {name}: {s0:.1f}s / {s1:.1f}s", file=sys.stderr)

    # learning-rate finder and batch-size finder on digits
    x, y, xt, yt = data
    tl.set_random_seed(0)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    t0 = time.perf_counter()
    lr = find_learning_rate(model, x, y, num_steps=300, verbose=0)
    t_lr = time.perf_counter() - t0
    tl.set_random_seed(0)
    model = mlp()
    model.compile(optimizer=tl.optimizers.Adam(lr.suggestion or 1e-3), loss="sparse_categorical_crossentropy")
    h = model.fit(x, y, epochs=10, validation_data=(xt, yt), verbose=0)
    t0 = time.perf_counter()
    bs = find_batch_size(model, x, y, validation_data=(xt, yt), max_batch_size=1024, min_batch_size=8,
                         budget_epochs=2, verbose=0)
    t_bs = time.perf_counter() - t0
    tl.set_random_seed(0)
    model = mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    t0 = time.perf_counter()
    gc = check_gradients(model, x[:32], y[:32], max_checks_per_layer=200)
    t_gc = time.perf_counter() - t0
    lines += ["", "| tool | result | seconds |", "|---|---|---|",
              f"| `find_learning_rate` (Adam, 300 steps, 1e-7…10) | suggestion {lr.suggestion:.3g}, min at "
              f"{lr.lr_at_min:.3g}, {len(lr.losses)} steps ({lr.stop_reason}); 10 epochs at the suggestion: "
              f"val loss {h.history['val_loss'][-1]:.4f} | {t_lr:.1f} |",
              f"| `find_batch_size` (2-epoch budget, 1024…8) | chose {bs.batch_size}; val loss by size: "
              + ", ".join(f"{m['batch_size']}: {m['val_loss']:.3f}" for m in bs.measurements if m.get('val_loss') is not None)
              + f" | {t_bs:.1f} |",
              f"| `check_gradients` (float64, 200 coords/layer) | max relative error {gc.max_relative_error:.2e} "
              f"({'passed' if gc.passed else 'FAILED'}) | {t_gc:.1f} |"]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
