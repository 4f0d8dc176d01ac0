"""Benchmark: the data pipeline (issue 3).

Usage::

    python bench/bench_data.py [--limit-mb 768] [--ratio 10] [--workdir DIR] [--fashion] [--skip-control]

Prints a Markdown section (``### Data pipeline``) to stdout:

1. With ``--fashion``: loading full Fashion-MNIST (target under 1 s), the
   table of ``bench/bench_datasets.py`` run as a subprocess (off by default,
   since ``make bench`` runs that script on its own).
2. Streaming a ``.npy`` memory map ten times larger than the process's
   allowed memory through ``model.fit``. The training runs in a child process
   whose data segment is capped with ``setrlimit(RLIMIT_DATA, limit)`` (heap,
   anonymous and private writable mappings: every array numpy or JAX
   allocates). A file-backed, read-only memory map does not count against that
   limit, and ``RLIMIT_AS`` cannot be used instead because mapping a file
   needs address space for all of it. So the run also reports the peak
   resident set (``VmHWM``), which *does* include mapped file pages touched,
   and compares it with the file size: the pipeline releases each chunk's
   pages after copying them (``madvise(MADV_DONTNEED)``).
3. A control: the same reads with the page release switched off, to show what
   the release buys.
4. The price of the streaming path on data that fits in memory: one epoch of
   the same MLP from arrays (one compiled ``lax.scan``) and from a Dataset.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
FEATURES = 256

_CHILD = r"""
import json, os, resource, sys, threading, time
limit = int(sys.argv[4])
resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
import numpy as np
import trainlab as tl
from trainlab.data import Dataset, _sources

def status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, value = line.split(":", 1)
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "VmData", "VmSize"):
                out[key] = int(value.split()[0]) * 1024
    return out

peaks = {"RssAnon": 0, "RssFile": 0}
done = threading.Event()
def sample():
    while not done.is_set():
        s = status()
        for k in peaks:
            peaks[k] = max(peaks[k], s.get(k, 0))
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()

x_path, y_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "control":
    _sources._release = lambda piece, root: None  # keep every page that was read
tl.set_random_seed(0)
model = tl.Sequential([tl.layers.Input((%(features)d,)), tl.layers.Dense(32, activation="relu"), tl.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
ds = Dataset.from_npy((x_path, y_path))
rows = len(ds)
if mode == "control":
    ds = ds.take(rows // 4)
ds = ds.shuffle(16384, seed=0).batch(4096).prefetch(2)
before = status()
t0 = time.perf_counter()
history = model.fit(ds, epochs=1, verbose=0)
seconds = time.perf_counter() - t0
done.set()
after = status()
read_rows = rows if mode != "control" else rows // 4
print(json.dumps({"seconds": seconds, "steps": len(history.step_loss[0]), "rows": read_rows,
                  "loss": history.history["loss"][-1], "before": before, "after": after, "peaks": peaks,
                  "limit": limit}))
""" % {"features": FEATURES}


def write_npy(path: Path, rows: int, cols: int, seed: int, chunk_rows: int = 65536) -> None:
    """Write a float32 .npy of shape (rows, cols) chunk by chunk (never whole in memory)."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(FEATURES, 1)).astype(np.float32) / np.sqrt(FEATURES)
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f4", "fortran_order": False, "shape": (rows, cols)})
        for start in range(0, rows, chunk_rows):
            n = min(chunk_rows, rows - start)
            chunk_rng = np.random.default_rng([seed, start])
            x = chunk_rng.normal(size=(n, FEATURES)).astype(np.float32)
            f.write((x if cols == FEATURES else x @ w).astype(np.float32).tobytes())


def run_child(x: Path, y: Path, mode: str, limit: int) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    env.setdefault("JAX_PLATFORMS", "cpu")
    out = subprocess.run([sys.executable, "-c", _CHILD, str(x), str(y), mode, str(limit)],
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def in_memory_comparison() -> list[tuple[str, float]]:
    sys.path.insert(0, str(REPO / "src"))
    import trainlab as tl
    from trainlab.data import Dataset

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60_000, 784)).astype(np.float32)
    y = rng.integers(0, 10, 60_000)

    def model():
        tl.set_random_seed(0)
        m = tl.Sequential([tl.layers.Input((784,)), tl.layers.Dense(128, activation="relu"), tl.layers.Dense(10)])
        m.compile("adam", tl.losses.SparseCategoricalCrossentropy(from_logits=True))
        return m

    rows = []
    for batch in (32, 256):
        m = model()
        m.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # compile
        t0 = time.perf_counter()
        m.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        rows.append((f"arrays, batch {batch} (one compiled `lax.scan` per epoch)", time.perf_counter() - t0))
        m = model()
        ds = Dataset.from_tensor_slices((x, y)).shuffle(60_000, seed=0).batch(batch).prefetch(2)
        m.fit(ds, epochs=1, verbose=0)
        t0 = time.perf_counter()
        m.fit(ds, epochs=1, verbose=0)
        rows.append((f"`Dataset` shuffle+batch {batch}+prefetch (one compiled step per batch)",
                     time.perf_counter() - t0))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit-mb", type=int, default=768,
                        help="RLIMIT_DATA of the training process (MiB); JAX's runtime alone needs about 450")
    parser.add_argument("--ratio", type=float, default=10.0, help="file size / limit")
    parser.add_argument("--workdir", default=None, help="where to write the big file (default: a temp folder)")
    parser.add_argument("--fashion", action="store_true", help="include the Fashion-MNIST loading table")
    parser.add_argument("--skip-control", action="store_true")
    args = parser.parse_args(argv)
    print("### Data pipeline\n")
    if args.fashion:
        out = subprocess.run([sys.executable, str(REPO / "bench" / "bench_datasets.py")], capture_output=True,
                             text=True)
        print(out.stdout.replace("### Datasets", "#### Loading full Fashion-MNIST").strip() if out.returncode == 0
              else f"(bench_datasets.py failed: {out.stderr.strip()[-300:]})")
        print()

    limit = args.limit_mb << 20
    row_bytes = FEATURES * 4 + 4
    rows = int(limit * args.ratio / row_bytes) + 1
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="trainlab-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    x_path, y_path = workdir / "x.npy", workdir / "y.npy"
    try:
        t0 = time.perf_counter()
        write_npy(x_path, rows, FEATURES, seed=1)
        write_npy(y_path, rows, 1, seed=1)
        write_s = time.perf_counter() - t0
        size = x_path.stat().st_size + y_path.stat().st_size
        stream = run_child(x_path, y_path, "stream", limit)
        control = None if args.skip_control else run_child(x_path, y_path, "control", limit)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            for p in (x_path, y_path):
                p.unlink(missing_ok=True)

    mib = 1 << 20
    print("#### Streaming a memory-mapped `.npy` larger than the allowed memory through `fit`\n")
    print(f"Files: `x.npy` {rows:,} x {FEATURES} float32 and `y.npy` {rows:,} x 1 ({size / mib:,.0f} MiB in "
          f"total, written in {write_s:.1f} s). Training process: `RLIMIT_DATA` = {args.limit_mb} MiB, so the "
          f"data is {size / limit:.1f}x the memory the process may allocate. Pipeline: "
          f"`Dataset.from_npy((x, y)).shuffle(16384).batch(4096).prefetch(2)`, MLP {FEATURES}-32-1, Adam, "
          f"one epoch.\n")
    print("| run | rows read | steps | seconds | MB/s | peak RSS (VmHWM) | peak anon | peak file-backed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in (("streaming (pages released)", stream), ("control: pages kept, 1/4 of the file", control)):
        if r is None:
            continue
        read = r["rows"] * row_bytes
        print(f"| {label} | {r['rows']:,} | {r['steps']} | {r['seconds']:.1f} | {read / r['seconds'] / 1e6:,.0f} | "
              f"{r['after']['VmHWM'] / mib:,.0f} MiB | {r['peaks']['RssAnon'] / mib:,.0f} MiB | "
              f"{r['peaks']['RssFile'] / mib:,.0f} MiB |")
    verdict = "bounded" if stream["after"]["VmHWM"] < 0.25 * size else "NOT bounded"
    print(f"\nPeak resident memory of the streaming run: {stream['after']['VmHWM'] / mib:,.0f} MiB for "
          f"{size / mib:,.0f} MiB of data ({100 * stream['after']['VmHWM'] / size:.1f}% of the file): {verdict}. "
          f"The run stayed under its {args.limit_mb} MiB data limit (it would have failed with MemoryError "
          f"otherwise). Final training loss {stream['loss']:.4f}.")
    if control is not None:
        read = control["rows"] * row_bytes
        print(f"Without releasing pages, peak RSS follows the bytes read ({read / mib:,.0f} MiB read, "
              f"{control['after']['VmHWM'] / mib:,.0f} MiB peak): file pages stay mapped in the process until "
              f"the kernel reclaims them. MB/s depends on how much of the file the OS page cache holds (the "
              f"streaming run follows the write; the control run, after it, reads partly from disk).")
    print()
    print("#### Arrays (one compiled program per epoch) vs `Dataset` on data that fits in memory\n")
    print("60,000 x 784 float32, MLP 784-128-10, Adam; second epoch (compiled), seconds.\n")
    print("| input | seconds per epoch |")
    print("|---|---:|")
    for label, seconds in in_memory_comparison():
        print(f"| {label} | {seconds:.2f} |")
    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()}; shared with other jobs, so absolute seconds drift.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
