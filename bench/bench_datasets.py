"""Benchmark: how long `trainlab.datasets.fashion_mnist.load_data()` takes.

Usage::

    python bench/bench_datasets.py [--data-dir DIR] [--runs N]

`DIR` is the folder that holds ``fashion-mnist/`` (default: ``$TRAINLAB_DATA_DIR``,
else ``../shared/datasets`` next to the repository). Prints a Markdown section
(``### Datasets`` and a table, in seconds) to stdout.

* cold: a fresh Python process per run (nothing cached in memory by trainlab;
  the OS file cache is not dropped, so disk reads are warm), timed around
  ``import trainlab.datasets`` + ``load_data()`` and around ``load_data()`` alone;
* warm: repeated ``load_data()`` calls in one process;
* the gzip decompression of the four files alone, the floor for any IDX loader
  that does not keep a decompressed copy.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 1.0

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from trainlab.datasets import fashion_mnist
t1 = time.perf_counter()
(x, y), (xt, yt) = fashion_mnist.load_data()
t2 = time.perf_counter()
assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
print(json.dumps({"with_import": t2 - t0, "load": t2 - t1}))
"""


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ, TRAINLAB_DATA_DIR=str(data_dir))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    return env


def cold_runs(data_dir: Path, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"with_import": [], "load": []}
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD], env=_env(data_dir), capture_output=True, text=True, check=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        for key in times:
            times[key].append(result[key])
    return times


def warm_runs(data_dir: Path, runs: int) -> list[float]:
    os.environ["TRAINLAB_DATA_DIR"] = str(data_dir)
    sys.path.insert(0, str(REPO / "src"))
    from trainlab.datasets import fashion_mnist

    fashion_mnist.load_data()  # first call excluded
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fashion_mnist.load_data()
        times.append(time.perf_counter() - t0)
    return times


def decompress_runs(data_dir: Path, runs: int) -> list[float]:
    files = sorted((data_dir / "fashion-mnist").glob("*.gz"))
    blobs = [f.read_bytes() for f in files]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for blob in blobs:
            gzip.decompress(blob)
        times.append(time.perf_counter() - t0)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = os.environ.get("TRAINLAB_DATA_DIR") or str(REPO.parent / "shared" / "datasets")
    parser.add_argument("--data-dir", default=default, help="folder holding fashion-mnist/")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median reported)")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir).expanduser().resolve()
    if not (data_dir / "fashion-mnist").is_dir():
        print(f"error: {data_dir / 'fashion-mnist'} does not exist; pass --data-dir", file=sys.stderr)
        return 2

    cold = cold_runs(data_dir, args.runs)
    rows = [
        ("`fashion_mnist.load_data()`, cold: fresh process, import + load", cold["with_import"]),
        ("`fashion_mnist.load_data()`, cold: fresh process, load only", cold["load"]),
        ("`fashion_mnist.load_data()`, warm: same process", warm_runs(data_dir, args.runs)),
        ("gzip decompression of the 4 files alone (floor)", decompress_runs(data_dir, args.runs)),
    ]
    print("### Datasets\n")
    print(f"Full Fashion-MNIST (60,000 + 10,000 images, gzip IDX) from `{data_dir}`; "
          f"median of {args.runs} runs; target under {TARGET_S:g} s.\n")  # fmt: skip
    print("| measurement | median (s) | min (s) | max (s) |")
    print("|---|---:|---:|---:|")
    for label, times in rows:
        print(f"| {label} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |")
    verdict = "meets" if statistics.median(cold["with_import"]) < TARGET_S else "MISSES"
    print(
        f"\nCold load including import {verdict} the {TARGET_S:g} s target. "
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()}. The OS file cache is warm in every run."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
