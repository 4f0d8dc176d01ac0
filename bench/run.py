"""`make bench`: every benchmark side by side with the peers, in one run.

1. The `mlp` workload of ../shared/peers (Fashion-MNIST, batch 32, 5 epochs)
   for trainlab and the four peers (hand-written JAX, Keras 3 on JAX, Keras 3
   on TensorFlow, PyTorch eager), each in its own process, alternating when
   ``--repeat`` > 1. Reports steady-epoch ratios and test accuracies against
   the targets of issue 2.
2. Every ``bench/bench_*.py`` script (each prints a Markdown section).

The table goes to stdout and to ``bench/RESULTS.md`` (``--no-write`` to skip).
Absolute seconds on shared machines are noisy: read the ratios.

    python bench/run.py --peers-python .venv-peers/bin/python --shared ../shared
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PEERS = [
    # (label, script, extra args, which python)
    ("trainlab", os.path.join(HERE, "trainlab_peer.py"), [], "self"),
    ("jax-handwritten", "jax_reference.py", [], "peers"),
    ("keras-jax", "keras_peer.py", ["--backend", "jax"], "peers"),
    ("keras-tensorflow", "keras_peer.py", ["--backend", "tensorflow"], "peers"),
    ("pytorch-eager", "torch_peer.py", [], "peers"),
]

# issue 2 targets: trainlab steady epoch time / peer steady epoch time must be <= this
TARGETS = {"jax-handwritten": 1.15, "pytorch-eager": 1 / 3, "keras-jax": 1 / 1.5}


def run_json(cmd: list[str], env: dict[str, str], timeout: int = 1800) -> dict:
    """Run a peer script and parse its one JSON line."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    for line in reversed(proc.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"{' '.join(cmd)} printed no result (exit {proc.returncode}):\n{proc.stderr[-3000:]}")


def run_peers(peers: list, workload_args: list[str], *, env: dict[str, str], peers_python: str, shared: str,
              repeat: int, tag: str, skip: list[str] | None = None) -> dict[str, dict]:
    """Run every ``(label, script, extra_args, "self"|"peers")`` of `peers` on one
    workload, `repeat` alternating rounds; the best (lowest steady epoch) run of
    each. A peer that cannot run is reported on stderr and left out."""
    peers_dir = os.path.join(shared, "peers")
    results: dict[str, list[dict]] = {}
    for _ in range(repeat):
        for label, script, extra, which in peers:
            if skip and label in skip:
                continue
            python = sys.executable if which == "self" else peers_python
            path = script if os.path.isabs(script) else os.path.join(peers_dir, script)
            t = time.perf_counter()
            try:
                out = run_json([python, path] + workload_args + extra, env)
            except Exception as exc:  # a peer that cannot run is reported, not fatal
                print(f"[{tag}] {label} failed: {exc}", file=sys.stderr)
                continue
            print(f"[{tag}] {label}: steady {out['steady_epoch_seconds']:.3f} s/epoch, "
                  f"acc {out['test_accuracy']:.4f} ({time.perf_counter() - t:.0f} s)", file=sys.stderr)
            results.setdefault(label, []).append(out)
    return {k: min(v, key=lambda r: r["steady_epoch_seconds"]) for k, v in results.items()}


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def mlp_section(args: argparse.Namespace, env: dict[str, str]) -> str:
    best = run_peers(PEERS, ["--workload", "mlp", "--epochs", str(args.epochs)], env=env,
                     peers_python=args.peers_python, shared=args.shared, repeat=args.repeat, tag="bench",
                     skip=args.skip)
    if "trainlab" not in best:
        return "### MLP workload\n\ntrainlab did not run.\n"
    t_ours = best["trainlab"]["steady_epoch_seconds"]
    acc_ours = best["trainlab"]["test_accuracy"]
    lines = [
        f"### MLP workload (Fashion-MNIST 60k, Flatten-Dense(128)-Dense(10), Adam, batch 32, {args.epochs} epochs)",
        "",
        "| peer | steady epoch (s) | first epoch (s) | trainlab time / peer time | test accuracy | target | met |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    verdicts = []
    for label, _, _, _ in PEERS:
        if label not in best:
            continue
        r = best[label]
        ratio = t_ours / r["steady_epoch_seconds"]
        target = TARGETS.get(label)
        if target is None:
            tgt, met = "", ""
        else:
            tgt = f"<= {target:.2f}"
            ok = ratio <= target and acc_ours >= r["test_accuracy"] - 0.005
            met = "yes" if ok else "no"
            verdicts.append(ok)
        lines.append(
            f"| {label} | {r['steady_epoch_seconds']:.3f} | {r['first_epoch_seconds']:.2f} | "
            f"{ratio:.2f} | {r['test_accuracy']:.4f} | {tgt} | {met} |"
        )
    lines += [
        "",
        "Ratio < 1 means trainlab is faster. Targets (issue 2): within 1.15x of the hand-written JAX reference, at "
        "least 3x faster than PyTorch eager (ratio <= 0.33), at least 1.5x faster than Keras on JAX (ratio <= 0.67), "
        "test accuracy within 0.5 points (or higher). Best of "
        f"{args.repeat} alternating run(s) per peer. Steady epoch = median of epochs after the first.",
        "",
    ]
    return "\n".join(lines)


def script_sections(args: argparse.Namespace, env: dict[str, str]) -> list[str]:
    sections = []
    for path in sorted(glob.glob(os.path.join(HERE, "bench_*.py"))):
        name = os.path.basename(path)[len("bench_"):-3]
        if args.only and name not in args.only:
            continue
        t = time.perf_counter()
        print(f"[bench] running {os.path.basename(path)} ...", file=sys.stderr)
        cmd = [sys.executable, path, "--peers-python", args.peers_python, "--shared", args.shared]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=args.timeout)
        if proc.returncode == 2 and "unrecognized arguments" in proc.stderr:
            proc = subprocess.run([sys.executable, path], capture_output=True, text=True, env=env, timeout=args.timeout)
        if proc.returncode != 0:
            sections.append(f"### {name}\n\nThe benchmark failed (exit {proc.returncode}):\n\n```\n{proc.stderr[-2000:]}\n```\n")
        else:
            sections.append(proc.stdout.strip() + "\n")
        print(f"[bench] {name} done in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return sections


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--peers-python", default=os.path.join(ROOT, ".venv-peers", "bin", "python"))
    p.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--repeat", type=int, default=1, help="alternating runs per peer (best is reported)")
    p.add_argument("--only", nargs="*", help="run only these sections: mlp and/or bench_<name> names")
    p.add_argument("--skip", nargs="*", help="peers to skip in the mlp section")
    p.add_argument("--timeout", type=int, default=3600)
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args()
    args.shared = os.path.abspath(args.shared)
    env = dict(os.environ)
    env.setdefault("TRAINLAB_DATA_DIR", os.path.join(args.shared, "datasets"))
    env.setdefault("PEERS_DATA_DIR", os.path.join(args.shared, "datasets"))
    env.setdefault("TRAINLAB_PEERS_DIR", os.path.join(args.shared, "peers"))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sections = []
    if not args.only or "mlp" in args.only:
        sections.append(mlp_section(args, env))
    sections += script_sections(args, env)
    header = [
        "# Benchmark results",
        "",
        f"Generated by `make bench` (`bench/run.py`) on {datetime.date.today().isoformat()}; {machine()}.",
        "Every table compares tools measured in the same run on the same machine; absolute seconds on these shared",
        "machines are noisy, so read the ratios.",
        "",
    ]
    text = "\n".join(header) + "\n".join(sections)
    print(text)
    if not args.no_write:
        from trainlab._io import atomic_write_text

        atomic_write_text(os.path.join(HERE, "RESULTS.md"), text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
