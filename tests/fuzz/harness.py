"""Seeded mutation fuzzing: feed mutated files to a reader and classify every outcome.

A *target* is a module ``tests/fuzz/target_<name>.py`` that defines

* ``seeds(workdir: pathlib.Path) -> list[bytes]``: valid inputs to mutate (built by the
  target itself, small and in the real format);
* ``run(data: bytes, workdir: pathlib.Path) -> object``: write ``data`` where the reader
  expects it and read it back (the code under test);
* ``CLEAN: tuple[type[BaseException], ...]``: the error classes a reader may raise for a bad
  input (normally ``(ValueError,)``). The message must be non-empty;
* optionally ``mutate(data: bytes, rng: random.Random) -> bytes``: a format-aware mutator
  (for example one that edits JSON header fields and keeps the container valid, so that
  inputs get past the first parsing checks). When present, half the inputs come from it
  and half from the generic byte-level `mutate` below.

Outcomes: ``ok`` (read without error), ``clean`` (one of ``CLEAN`` with a message),
``unclean`` (any other exception, or an empty message), ``hang`` (longer than
``timeout_s``). A crash (abort, allocation past the process's memory cap) ends the
subprocess, and `fuzz_in_subprocess` reports it with the input that caused it.

Run one target by hand (the memory cap is RLIMIT_DATA, in MiB)::

    python tests/fuzz/harness.py model --n 2000 --seed 0 --mem-mb 3072
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import pathlib
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any, Callable

HERE = pathlib.Path(__file__).resolve().parent
INTERESTING = [b"\x00", b"\xff", b"\x7f", b"\x80", b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80",
               b"-1", b"1e308", b"999999999999", b"NaN", b"null", b"[]", b"{}", b'"', b"\\"]


class _Hang(BaseException):  # not an Exception: a reader's `except Exception` must not swallow it
    pass


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Return a mutated copy of ``data``: 1-4 random edits (flips, overwrites, inserts,
    deletes, duplicated chunks, truncation, numbers replaced by extreme ones)."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(8)
        n = len(buf)
        pos = rng.randrange(n) if n else 0
        if kind == 0 and n:  # bit flip
            buf[pos] ^= 1 << rng.randrange(8)
        elif kind == 1 and n:  # random byte
            buf[pos] = rng.randrange(256)
        elif kind == 2:  # interesting value
            val = rng.choice(INTERESTING)
            buf[pos:pos + len(val)] = val
        elif kind == 3 and n:  # delete a chunk
            del buf[pos:pos + rng.randint(1, 64)]
        elif kind == 4 and n:  # duplicate a chunk
            chunk = buf[pos:pos + rng.randint(1, 64)]
            at = rng.randrange(n)
            buf[at:at] = chunk
        elif kind == 5 and n:  # truncate
            del buf[rng.randrange(n):]
        elif kind == 6:  # replace a decimal number by an extreme one
            text = bytes(buf)
            starts = [i for i in range(len(text)) if 48 <= text[i] <= 57 and (i == 0 or not 48 <= text[i - 1] <= 57)]
            if starts:
                i = rng.choice(starts)
                j = i
                while j < len(text) and 48 <= text[j] <= 57:
                    j += 1
                buf[i:j] = rng.choice([b"0", b"-1", b"1000000000", b"99999999999999999999", b"3.5", b"1e400"])
        elif kind == 7:  # insert random bytes
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(buf)


def load_target(name: str):
    path = HERE / f"target_{name}.py"
    spec = importlib.util.spec_from_file_location(f"fuzz_target_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(HERE))
    spec.loader.exec_module(module)
    return module


def fuzz(target: Any, *, n: int, seed: int, timeout_s: float = 10.0,
         progress: Callable[[int, bytes], None] | None = None) -> dict:
    """Run ``n`` mutated inputs through ``target.run`` in this process; return the report."""
    rng = random.Random(seed)
    counts: collections.Counter = collections.Counter()
    errors: collections.Counter = collections.Counter()
    unclean: list[dict] = []
    slowest = 0.0

    def on_alarm(signum, frame):
        raise _Hang()

    old = signal.signal(signal.SIGALRM, on_alarm)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = pathlib.Path(tmp)
            seeds = target.seeds(work)
            custom = getattr(target, "mutate", None)
            for i in range(n):
                seed_input = rng.choice(seeds)
                data = custom(seed_input, rng) if custom is not None and rng.random() < 0.5 else mutate(seed_input, rng)
                if progress is not None:
                    progress(i, data)
                case = work / f"case{i % 2}"
                case.mkdir(exist_ok=True)
                start = time.perf_counter()
                signal.setitimer(signal.ITIMER_REAL, timeout_s)
                try:
                    target.run(data, case)
                    outcome = "ok"
                except _Hang:
                    outcome = "hang"
                    unclean.append({"index": i, "kind": "hang", "input_hex": data[:4096].hex()})
                except target.CLEAN as exc:
                    if str(exc).strip():
                        outcome = "clean"
                        errors[type(exc).__name__] += 1
                    else:
                        outcome = "unclean"
                        unclean.append({"index": i, "kind": f"{type(exc).__name__} with empty message"})
                except BaseException as exc:  # noqa: BLE001 - classifying every outcome is the point
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    outcome = "unclean"
                    unclean.append({"index": i, "kind": type(exc).__name__, "message": str(exc)[:300],
                                    "where": traceback.format_exc(limit=-3)[-1500:],
                                    "input_hex": data[:4096].hex()})
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                slowest = max(slowest, time.perf_counter() - start)
                counts[outcome] += 1
    finally:
        signal.signal(signal.SIGALRM, old)
    return {"n": n, "seed": seed, "counts": dict(counts), "clean_errors": dict(errors),
            "unclean": unclean[:50], "unclean_total": counts["unclean"] + counts["hang"],
            "slowest_s": round(slowest, 3)}


def fuzz_in_subprocess(name: str, *, n: int, seed: int = 0, mem_mb: int = 3072,
                       timeout_s: float = 10.0, wall_s: float = 3600.0) -> dict:
    """Run target ``name`` in a fresh interpreter under an RLIMIT_DATA of ``mem_mb`` MiB.

    A crash of that interpreter (abort, an allocation past the cap that kills it) is
    reported as ``{"crashed": ..., "last_input_hex": ...}`` instead of a report.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "report.json"
        last = pathlib.Path(tmp) / "last.bin"
        cmd = [sys.executable, str(HERE / "harness.py"), name, "--n", str(n), "--seed", str(seed),
               "--mem-mb", str(mem_mb), "--timeout-s", str(timeout_s), "--out", str(out), "--last", str(last)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=wall_s)
        if proc.returncode != 0 or not out.exists():
            return {"crashed": f"exit code {proc.returncode}", "stderr": proc.stderr[-3000:],
                    "last_input_hex": last.read_bytes()[:4096].hex() if last.exists() else None}
        return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mem-mb", type=int, default=3072)
    parser.add_argument("--timeout-s", type=float, default=10.0)
    parser.add_argument("--out", default=None)
    parser.add_argument("--last", default=None, help="write each input here before running it")
    args = parser.parse_args(argv)
    if args.mem_mb:
        cap = args.mem_mb * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    target = load_target(args.target)

    def remember(i: int, data: bytes) -> None:
        if args.last:
            pathlib.Path(args.last).write_bytes(data)

    report = fuzz(target, n=args.n, seed=args.seed, timeout_s=args.timeout_s, progress=remember)
    report["target"] = args.target
    text = json.dumps(report, indent=1)
    if args.out:
        pathlib.Path(args.out).write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
