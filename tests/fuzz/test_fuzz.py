"""Every fuzz target, ``TRAINLAB_FUZZ_N`` mutated inputs each (2,000 by default), in a
subprocess under a memory cap: the target is met only when no outcome is unclean.

``make fuzz`` runs the same targets with 100,000 inputs each (bench/fuzz.py).
"""

from __future__ import annotations

import os
import pathlib

import pytest

from harness import fuzz_in_subprocess

TARGETS = sorted(p.stem.removeprefix("target_") for p in pathlib.Path(__file__).parent.glob("target_*.py"))
N = int(os.environ.get("TRAINLAB_FUZZ_N", "2000"))


def test_there_are_targets():
    assert TARGETS, "no tests/fuzz/target_*.py found"


@pytest.mark.parametrize("name", TARGETS)
def test_fuzz_target_has_no_unclean_outcome(name):
    report = fuzz_in_subprocess(name, n=N, seed=0)
    assert "crashed" not in report, report
    assert report["counts"].get("clean", 0) + report["counts"].get("ok", 0) == N, report
    assert report["unclean_total"] == 0, report["unclean"][:5]
