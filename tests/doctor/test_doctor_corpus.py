"""The doctor on the committed corpus of real runs it was not tuned on (bench/doctor_corpus.json).

The corpus holds real `fit` histories from trainlab and PyTorch, each made to fail one way (or
trained well), labelled by construction and confirmed by an explicit rule on its curves. A seeded
hash of the run id holds out a third; the doctor's thresholds were tuned on the rest. This test
scores the held-out third with the current doctor, so a change that makes it worse on real runs
fails the suite. Targets (issue 12): at least 95% right, at most 5% false alarms on healthy runs.
The false-alarm target is met; the share right is not yet (89% on the held-out third, see
bench/RESULTS.md), so this test holds the measured level (`RIGHT_FLOOR`) until the doctor reaches 95%.
"""

RIGHT_FLOOR = 0.87  # measured 0.889 on the held-out third; the target is 0.95 (not met yet)

import math
import os
import sys
from collections import Counter

import numpy as np
import pytest

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "bench")
sys.path.insert(0, os.path.abspath(BENCH))

import doctor_corpus  # noqa: E402
import doctor_score  # noqa: E402

from trainlab.doctor import diagnose  # noqa: E402


@pytest.fixture(scope="module")
def corpus():
    import json

    with open(doctor_score.CORPUS) as f:
        return json.load(f)["runs"]


@pytest.fixture(scope="module")
def held_out():
    return doctor_score.load_runs("held_out")


@pytest.fixture(scope="module")
def findings(held_out):
    """Each held-out run diagnosed once: run id -> findings."""
    return {r["config"]["id"]: diagnose(doctor_score.history_of(r)) for r in held_out}


def first_code(findings):
    bad = [f for f in findings if f.severity != "info"]
    return bad[0].code if bad else findings[0].code


def test_corpus_is_large_varied_and_split_by_a_seeded_hash(corpus):
    assert len(corpus) >= 300
    cfgs = [r["config"] for r in corpus]
    datasets = Counter(c["dataset"] for c in cfgs)
    assert len(datasets) >= 8 and {"diabetes", "friedman"} <= set(datasets)  # regression included
    assert {c["optimizer"] for c in cfgs} == set(doctor_corpus.GOOD_LR)  # every optimizer
    assert {c["library"] for c in cfgs} == {"trainlab", "torch"}
    assert len({tuple(c["units"]) for c in cfgs}) >= 8 and len({c["batch_size"] for c in cfgs}) >= 4
    share = np.mean([doctor_score.is_held_out(c["id"]) for c in cfgs])
    assert 0.25 < share < 0.42  # a third, by hash
    assert doctor_score.is_held_out(cfgs[0]["id"]) == doctor_score.is_held_out(cfgs[0]["id"])


def test_every_label_is_the_verdict_of_its_curve_rule(corpus):
    for r in corpus:
        h = doctor_score.history_of(r)
        assert doctor_corpus.check_label(r["config"], h) == r["label_confirmed"], r["config"]["id"]
        assert r["label"] == r["config"]["failure"]


def test_held_out_runs_meet_the_targets(held_out, findings):
    assert len(held_out) >= 50
    assert {r["label"] for r in held_out} >= {"healthy", "diverging", "learning_rate_too_low", "not_converged",
                                               "overfitting", "learning_rate_too_high"}
    predict = lambda r: first_code(findings[r["config"]["id"]])  # noqa: E731 (same as doctor_score.doctor_predict)
    assert predict(held_out[0]) == doctor_score.doctor_predict(held_out[0])
    res = doctor_score.score(held_out, predict)
    wrong = sorted((t, p) for (t, p), k in res["confusion"].items() if t != p for _ in range(k))
    assert res["right"] >= RIGHT_FLOOR, wrong
    assert res["false_alarms"] <= 0.05, wrong
    naive = doctor_score.score(held_out, doctor_score.always_healthy)
    one_rule = doctor_score.score(held_out, doctor_score.one_rule)
    assert res["right"] > max(naive["right"], one_rule["right"])
    # the score is what it says: right = share of runs whose first finding is the label
    by_hand = np.mean([predict(r) == r["label"] for r in held_out])
    assert res["right"] == pytest.approx(by_hand)


def test_evidence_names_the_numbers_and_exploded_means_exploded(held_out, findings):
    for r in held_out:
        loss = np.asarray(doctor_score.history_of(r)["loss"])
        for f in findings[r["config"]["id"]]:
            numbers = [v for v in f.evidence.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
            assert numbers, (r["config"]["id"], f.code)
            if "exploded" in f.summary:
                ev = f.evidence
                assert ev["best_loss"] == pytest.approx(np.nanmin(loss))
                assert ev["final_loss"] > 2 * ev["best_loss"] and ev["tail_lowest_loss"] > 2 * ev["best_loss"]
                assert ev["tail_lowest_loss"] == pytest.approx(np.min(loss[-max(2, len(loss) // 3):]))
            if "chance-level loss" in f.summary:
                ev = f.evidence
                assert ev["chance_level_loss"] == pytest.approx(math.log(ev["classes_estimate"]))
