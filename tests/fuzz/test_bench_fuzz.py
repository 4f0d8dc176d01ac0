"""`bench/fuzz.py` (make fuzz): the results table and its section of RESULTS.md."""

from __future__ import annotations

import argparse
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _bench_fuzz():
    spec = importlib.util.spec_from_file_location("bench_fuzz", ROOT / "bench" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_totals_add_up_chunks_and_crashes():
    bf = _bench_fuzz()
    tot = {"inputs": 0, "ok": 0, "clean": 0, "unclean": 0, "hangs": 0, "crashes": 0, "slowest_s": 0.0,
           "core_s": 0.0, "first": None, "last": None, "examples": [], "planned": 30}
    bf._add(tot, {"n": 10, "counts": {"ok": 4, "clean": 5, "hang": 1}, "slowest_s": 2.5, "unclean": [
        {"kind": "hang"}], "seconds": 3.0}, 100.0)
    bf._add(tot, {"n": 10, "counts": {"clean": 9, "unclean": 1}, "slowest_s": 0.5, "unclean": [
        {"kind": "KeyError", "message": "'x'"}], "seconds": 2.0}, 101.0)
    bf._add(tot, {"crashed": "exit code -6", "stderr": "abort", "seconds": 1.0}, 102.0)
    assert (tot["inputs"], tot["ok"], tot["clean"], tot["unclean"], tot["hangs"], tot["crashes"]) == (20, 4, 14, 1, 1, 1)
    assert tot["slowest_s"] == 2.5 and tot["core_s"] == 6.0 and tot["first"] == 100.0
    args = argparse.Namespace(jobs=2, chunk=10, seed=0, mem_mb=3072, timeout_s=10.0)
    text = bf.table({"model": tot}, args)
    assert "| model | 20 / 30 | 4 | 14 | 1 | 1 | 1 | 2.500 | 6 |" in text
    assert "KeyError" in text and "crash (exit code -6)" in text


def test_section_replaces_only_the_fuzzing_section(tmp_path):
    bf = _bench_fuzz()
    path = tmp_path / "RESULTS.md"
    path.write_text("# Results\n\n## A\n\na\n")
    bf.write_section(bf.HEADING + "\n\nfirst\n", path)
    assert path.read_text() == "# Results\n\n## A\n\na\n\n" + bf.HEADING + "\n\nfirst\n"
    path.write_text(path.read_text() + "\n## B\n\nb\n")
    bf.write_section(bf.HEADING + "\n\nsecond\n", path)
    assert path.read_text() == "# Results\n\n## A\n\na\n\n" + bf.HEADING + "\n\nsecond\n\n## B\n\nb\n"
