"""Benchmark: the 16-trial learning-rate search of ../shared/peers/tune_peers.py.

Workload (identical for every contestant): Fashion-MNIST, Flatten -> Dense(128,
relu) -> Dense(10), Adam, learning rate log-uniform in [1e-4, 1e-1] drawn by a
seeded random sampler (seed 0), 3 epochs, batch 32, trained on the first 50,000
training images and scored by accuracy on the last 10,000. The clock starts
after the data are loaded and includes imports of the tuning libraries,
compilation, training, validation and writing every trial to storage.

Contestants, each in a fresh process:
* trainlab, random search, the 16 trials as one population: one compiled,
  vmapped program (on CPU called on chunks of 2 members, one chunk per core at
  a time, see `trainlab.tune.executor.CPU_MEMBERS_PER_PROGRAM`);
* trainlab, successive halving (eta=2: 16 members -> 8 after epoch 1 -> 4
  after epoch 2; the survivors finish all 3 epochs);
* the peers: ``optuna-torch`` and ``kerastuner-keras`` (trials one after another);
* the two trainlab runs again, after the peers (machine load drifts on a shared machine).

Then the population scaling curve: wall time of one epoch with 1, 4, 16 and 64
members in one program (first call, which includes compilation, and a second
call, steady state), and a steady epoch with the executor's default layout.

Usage: python bench/bench_tune.py [--peers-python .venv-peers/bin/python]
       [--shared ../shared] [--output bench/RESULTS-tune.md] [--skip-peers]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _load():
    from trainlab.datasets import fashion_mnist

    (x, y), _ = fashion_mnist.load_data()
    x = (x.reshape(-1, 784) / 255.0).astype("float32")
    y = y.astype("int32")
    return x[:50000], y[:50000], x[50000:], y[50000:]


def run_trainlab(strategy: str, trials: int, epochs: int, seed: int = 0) -> dict:
    xtr, ytr, xva, yva = _load()
    start = time.perf_counter()
    import trainlab as tl
    from trainlab.tune import Tuner

    def build(hp):
        lr = hp.Float("learning_rate", 1e-4, 1e-1, log=True)
        model = tl.Sequential([tl.layers.Input((784,)), tl.layers.Dense(128, activation="relu"),
                               tl.layers.Dense(10)])
        model.compile(optimizer=tl.optimizers.Adam(lr), metrics=["accuracy"],
                      loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    strat = {"random": "random", "sha": {"name": "successive_halving", "reduction_factor": 2}}[strategy]
    with tempfile.TemporaryDirectory() as d:
        tuner = Tuner(build, objective="val_accuracy", strategy=strat, max_trials=trials, epochs=epochs,
                      batch_size=32, seed=seed, directory=d, study_name="bench", verbose=0)
        tuner.search(xtr, ytr, validation_data=(xva, yva))
        total = time.perf_counter() - start
        board = tuner.leaderboard()
        member_epochs = int(board["epochs"].fillna(0).sum())
        best = tuner.best_trial
        chunks = tuner.last_executor.chunk_sizes
        return {"total_seconds": round(total, 2), "best_val_accuracy": round(float(best.value), 4),
                "best_learning_rate": float(best.params["learning_rate"]), "member_epochs": member_epochs,
                "programs": sorted(set(chunks), reverse=True)}


def run_scaling(members: int) -> dict:
    import jax
    import numpy as np

    import trainlab as tl
    from trainlab.tune.executor import Member, PopulationExecutor
    from trainlab.tune.tuner import fresh_layer_names

    xtr, ytr, xva, yva = _load()

    def build(lr):
        with fresh_layer_names():
            model = tl.Sequential([tl.layers.Input((784,)), tl.layers.Dense(128, activation="relu"),
                                   tl.layers.Dense(10)])
            model.compile(optimizer=tl.optimizers.Adam(lr), metrics=["accuracy"],
                          loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.build_from_data(xtr[:2])
        return model

    ms = [Member(i, build(lr), seed=i) for i, lr in enumerate(np.geomspace(1e-4, 1e-1, members))]
    ex = PopulationExecutor(xtr, ytr, validation_data=(xva, yva), epochs=1, objective="val_accuracy",
                            direction="maximize", members_per_program=members)
    g = ex._group_for(ms[0])
    sample = xtr[:1]
    for m in ms:
        ex._group_for(m)
        m.ts = g.init_state(m, sample)
    times = []
    for epoch in range(2):
        t0 = time.perf_counter()
        ex._epoch(g, ms, ex._perm(epoch))
        jax.block_until_ready(ms[-1].ts.params)
        times.append(time.perf_counter() - t0)
    # the executor's default on this machine: chunks of CPU_MEMBERS_PER_PROGRAM, one program per core at a time
    dflt = PopulationExecutor(xtr, ytr, validation_data=(xva, yva), epochs=1, objective="val_accuracy",
                              direction="maximize")
    cap = dflt.capacity(g, ms[0].ts, ms[0])
    jobs = [(g, ms[i:i + cap]) for i in range(0, members, cap)]
    dflt._train_chunks(jobs, dflt._perm(0))  # compiles the chunk size
    jax.block_until_ready(ms[-1].ts.params)
    t0 = time.perf_counter()
    dflt._train_chunks(jobs, dflt._perm(1))
    jax.block_until_ready(ms[-1].ts.params)
    default_s = time.perf_counter() - t0
    return {"members": members, "first_epoch_s": round(times[0], 2), "epoch_s": round(times[1], 2),
            "per_member_epoch_s": round(times[1] / members, 3), "default_epoch_s": round(default_s, 2),
            "default_per_member_epoch_s": round(default_s / members, 3),
            "default_layout": f"chunks of {cap}, {dflt.concurrency()} at a time"}


SHARED = ROOT / ".." / "shared"


def _child(args: list[str], python: str | None = None) -> dict:
    cmd = [python or sys.executable] + args
    env = dict(os.environ)
    env.setdefault("TRAINLAB_DATA_DIR", str((SHARED / "datasets").resolve()))
    env["PEERS_DATA_DIR"] = env["TRAINLAB_DATA_DIR"]
    load0 = os.getloadavg()[0]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        return {"error": (out.stderr or out.stdout)[-600:]}
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1]
    result = json.loads(line)
    result["load_before"] = round(load0, 1)
    return result


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--peers-python", default=str(ROOT / ".venv-peers" / "bin" / "python"))
    p.add_argument("--shared", default=str(ROOT / ".." / "shared"))
    p.add_argument("--output", default=None, help="also write the Markdown here")
    p.add_argument("--skip-peers", action="store_true")
    p.add_argument("--trials", type=int, default=16)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--scaling", default="1,4,16,64")
    p.add_argument("--seed", type=int, default=0, help="seed of the samplers, weights and batch order")
    args = p.parse_args()
    global SHARED
    SHARED = Path(args.shared)
    if args.child:
        kind, _, arg = args.child.partition(":")
        result = run_trainlab(arg, args.trials, args.epochs, args.seed) if kind == "tune" else run_scaling(int(arg))
        print(json.dumps(result), flush=True)
        return
    me = [str(Path(__file__).resolve())]
    common = ["--trials", str(args.trials), "--epochs", str(args.epochs), "--seed", str(args.seed)]
    rows = []
    ours = (("trainlab population, random search (16 trials, one compiled program in chunks)", "random"),
            ("trainlab population, successive halving (eta=2)", "sha"))

    def run_ours(suffix: str) -> None:
        for label, strategy in ours:
            r = _child(me + ["--child", f"tune:{strategy}"] + common)
            rows.append((label + suffix, r))
            print(label + suffix, r, file=sys.stderr, flush=True)

    # trainlab runs before and after the peers, so that a change of machine load
    # during the (long) peer runs shows up instead of favouring one side
    run_ours("")
    if not args.skip_peers:
        peers_script = str(Path(args.shared) / "peers" / "tune_peers.py")
        for peer in ("optuna-torch", "kerastuner-keras"):
            r = _child([peers_script, "--peer", peer] + common, python=args.peers_python)
            rows.append((f"peer: {peer}", r))
            print(peer, r, file=sys.stderr, flush=True)
    if not args.skip_peers:
        run_ours(" (again, after the peers)")
    scaling = []
    for n in [int(s) for s in args.scaling.split(",") if s]:
        r = _child(me + ["--child", f"scale:{n}"])
        scaling.append(r)
        print("scale", n, r, file=sys.stderr, flush=True)

    peers = [r for label, r in rows if label.startswith("peer") and "total_seconds" in r]
    fastest_peer = min(peers, key=lambda r: r["total_seconds"]) if peers else None
    best_peer_acc = max((r["best_val_accuracy"] for r in peers), default=None)
    lines = ["## Tuning: 16-trial learning-rate search (Fashion-MNIST MLP, Adam, 3 epochs, batch 32)", ""]
    lines.append(f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}; "
                 f"no GPU. `load` is the 1-minute load average when each run started (other jobs share the machine).")
    lines.append("")
    lines.append("| contestant | total s | best val accuracy | best lr | member-epochs | speed-up vs fastest peer | load |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for label, r in rows:
        if "error" in r:
            lines.append(f"| {label} | failed: {r['error'][-120:]!r} | | | | | |")
            continue
        speed = f"{fastest_peer['total_seconds'] / r['total_seconds']:.1f}x" if fastest_peer else "-"
        me_epochs = r.get("member_epochs", args.trials * args.epochs)
        lines.append(f"| {label} | {r['total_seconds']:.1f} | {r['best_val_accuracy']:.4f} | "
                     f"{r['best_learning_rate']:.2e} | {me_epochs} | {speed} | {r.get('load_before', '')} |")
    lines.append("")
    if fastest_peer:
        for label, r in rows:
            if label.startswith("trainlab") and "total_seconds" in r:
                ok = r["total_seconds"] * 5 <= fastest_peer["total_seconds"] and r["best_val_accuracy"] >= best_peer_acc
                lines.append(f"- {label}: target (>= 5x faster than the fastest peer, best accuracy >= "
                             f"{best_peer_acc:.4f}) {'met' if ok else 'NOT met'}.")
        lines.append("")
    lines.append("### Population scaling (one epoch of 50,000 images, members in one vmapped program, CPU)")
    lines.append("")
    lines.append("| members | first epoch s (with compile) | steady epoch s | s per member-epoch | "
                 "executor default: steady epoch s | s per member-epoch | layout |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for r in scaling:
        if "error" in r:
            lines.append(f"| ? | failed: {r['error'][-120:]!r} | | | | | |")
        else:
            lines.append(f"| {r['members']} | {r['first_epoch_s']} | {r['epoch_s']} | {r['per_member_epoch_s']} | "
                         f"{r['default_epoch_s']} | {r['default_per_member_epoch_s']} | {r['default_layout']} |")
    lines.append("")
    lines.append("Left: all members in one vmapped program. Right: the executor's default on this machine "
                 "(on CPU, chunks of `CPU_MEMBERS_PER_PROGRAM` members, one program per core at a time on "
                 "threads; on a GPU, one program).")
    lines.append("")
    lines.append("GPU curve: not measured (no GPU was lent to this session).")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
