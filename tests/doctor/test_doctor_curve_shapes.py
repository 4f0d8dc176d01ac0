"""diagnose() on the curve shapes that other libraries' real runs showed (closed-form curves with
seeded noise): a blow-up against the chance-level loss, jumps against the running minimum, an
oscillation that is not an explosion, overfitting behind training-loss bumps, a fall that is slow
relative to the whole drop but fast relative to the current level; and the bad inputs."""

import math

import numpy as np
import pytest

from trainlab.doctor import diagnose
from trainlab.doctor.curves import rebounds


def codes(findings):
    return [f.code for f in findings]


def decay(n, start=2.3, end=0.2, rate=0.4):
    return end + (start - end) * np.exp(-rate * np.arange(n))


# ---------------------------------------------------------------- diverging against ln(classes)
def test_saturated_softmax_after_a_blow_up_is_diverging_not_underfitting():
    # the loss blows up in epoch 1 and sits flat at 6 ln(10) with chance accuracy
    rng = np.random.default_rng(0)
    n = 12
    loss = 6 * math.log(10) * (1 + rng.normal(0, 0.01, n))
    acc = 0.1 + rng.normal(0, 0.005, n)
    f = diagnose({"loss": list(loss), "accuracy": list(acc), "val_loss": list(loss), "val_accuracy": list(acc)})
    assert f[0].code == "diverging" and f[0].severity == "critical"
    assert "underfitting" not in codes(f)
    ev = f[0].evidence
    assert ev["classes_estimate"] == 10
    assert ev["chance_level_loss"] == pytest.approx(math.log(10))
    assert ev["ratio_to_chance"] == pytest.approx(6.0, rel=0.02)
    assert "exploded" not in f[0].summary and "ln(10)" in f[0].summary


def test_blow_up_in_epoch_one_then_dead_at_chance_is_diverging():
    n = 10
    loss = [598.0] + [math.log(10) + 0.01 * (i % 3) for i in range(n - 1)]
    acc = [0.1] * n
    f = diagnose({"loss": loss, "accuracy": acc})
    assert f[0].code == "diverging"
    assert f[0].evidence["worst_epoch"] == 0 and f[0].evidence["worst_loss"] == 598.0
    assert "epoch 1 (598" in f[0].summary
    assert f[0].evidence["ratio_to_chance"] == pytest.approx(np.median(loss[-3:]) / math.log(10), rel=0.02)


def test_a_learning_classifier_with_a_high_loss_is_not_called_diverging():
    # a 100-class problem learning from 5% to 40% accuracy: 1/accuracy underestimates the classes, but the
    # accuracy moves, so it is not "at chance"
    n = 15
    loss = decay(n, 4.6, 2.5, 0.4)
    acc = np.linspace(0.05, 0.4, n)
    assert "diverging" not in codes(diagnose({"loss": list(loss), "accuracy": list(acc)}))


# ---------------------------------------------------------------- oscillation is not an explosion
def test_oscillation_around_a_flat_mean_is_learning_rate_too_high_not_exploded():
    n = 20
    loss = [0.90] + [0.86 + 0.40 * (1 if i % 2 else -1) for i in range(1, n - 1)] + [0.93]
    assert min(loss) == pytest.approx(0.46) and max(loss) == pytest.approx(1.26)
    f = diagnose({"loss": loss})
    assert f[0].code == "learning_rate_too_high"
    assert "diverging" not in codes(f)
    assert all("exploded" not in x.summary for x in f)
    assert f[0].evidence["rising_epochs"] == rebounds(np.array(loss), 0.3, 0.05 * 0.90)


def test_exploded_wording_needs_a_loss_that_stays_up():
    loss = [2.3, 1.9, 1.7, 3.0, 6.0, 12.0, 15.0]
    f = diagnose({"loss": loss})
    assert f[0].code == "diverging" and "exploded" in f[0].summary
    ev = f[0].evidence
    assert ev["tail_lowest_loss"] == 12.0 and ev["best_loss"] == 1.7
    assert ev["tail_lowest_loss"] > 2 * ev["best_loss"]


# ---------------------------------------------------------------- jumps measured against the running minimum
def test_repeated_spikes_from_a_low_loss_are_learning_rate_too_high():
    # the training loss spikes from 0.01 to 0.55 again and again
    loss = [1.0, 0.3, 0.05, 0.01, 0.55, 0.05, 0.01, 0.6, 0.03, 0.01, 0.5, 0.02, 0.01]
    val = [0.9, 0.35, 0.1, 0.08, 0.5, 0.1, 0.08, 0.55, 0.09, 0.08, 0.45, 0.09, 0.08]
    f = diagnose({"loss": loss, "val_loss": val})
    assert f[0].code == "learning_rate_too_high"
    assert f[0].evidence["rising_epochs"] == 3
    assert rebounds(np.array(loss), 0.3, 0.05) == 3


def test_dropout_jitter_with_a_flat_validation_loss_is_healthy():
    rng = np.random.default_rng(0)
    n = 30
    jitter = rng.uniform(0.03, 0.06, n) * np.where(np.arange(n) % 2, 1, -1)
    loss = decay(n, 2.3, 0.35, 0.5) + jitter
    val = decay(n, 2.2, 0.3, 0.5) + rng.normal(0, 0.003, n)
    f = diagnose({"loss": list(loss), "val_loss": list(val), "accuracy": [0.9] * n, "val_accuracy": [0.91] * n})
    assert codes(f) == ["healthy"]


def test_rebounds_counts_against_the_running_minimum():
    y = np.array([2.3, 0.5, 0.01, 0.55, 0.02, 0.5, np.nan, 0.6])
    lows = np.minimum.accumulate(np.nan_to_num(y, nan=np.inf))
    prev = np.r_[np.inf, lows[:-1]]
    expected = int(np.sum(np.isfinite(y) & (y > 1.3 * prev) & (y - prev > 0.1)))
    assert rebounds(y, 0.3, 0.1) == expected == 3


# ---------------------------------------------------------------- overfitting behind small bumps
def test_overfitting_is_reported_before_small_training_loss_bumps():
    # 500 images, a 512-256 MLP: val loss bottoms at epoch 7 and rises 49%, training accuracy reaches 100%
    n = 30
    e = np.arange(n)
    loss = decay(n, 2.0, 0.002, 0.45) * (1 + 0.8 * (e % 5 == 4))  # bumps in the training loss
    val = np.where(e <= 7, decay(n, 2.0, 0.5, 0.6), 0.0)
    v7 = val[7]
    val = np.where(e <= 7, val, v7 * (1 + 0.49 * (e - 7) / (n - 8)))
    acc = np.minimum(1.0, 0.5 + 0.1 * e)
    f = diagnose({"loss": list(loss), "val_loss": list(val), "accuracy": list(acc),
                  "val_accuracy": list(np.full(n, 0.8))})
    assert f[0].code == "overfitting"
    ev = f[0].evidence
    assert abs(ev["began_epoch"] - 7) <= 1
    assert ev["val_rise"] == pytest.approx(ev["final_val_loss"] / ev["best_val_loss"] - 1)
    assert ev["val_rise"] > 0.3


# ---------------------------------------------------------------- not converged relative to the current level
def test_validation_loss_still_falling_ten_percent_per_epoch_is_not_converged():
    # a large early drop (2.3 -> 0.6) makes the late fall a small share of the drop, but it is 10%/epoch
    n = 15
    val = np.r_[2.3, 1.2, 0.8, 0.6, 0.6 * 0.9 ** np.arange(1, n - 3)]
    f = diagnose({"loss": list(val * 0.9), "val_loss": list(val)})
    assert codes(f) == ["not_converged"]
    ev = f[0].evidence
    assert ev["fraction_per_epoch"] < 0.02 < 0.045 < ev["fraction_of_level_per_epoch"]
    assert f[0].suggestion["epochs"] == 2 * n


# ---------------------------------------------------------------- bad input
def test_only_validation_keys_is_a_value_error():
    with pytest.raises(ValueError, match=r"`history` has only validation keys \(\['val_accuracy', 'val_loss'\]\)"
                                         r".*expected the per-epoch training loss.*Pass the whole History"):
        diagnose({"val_loss": [1.0, 0.8, 0.7, 0.6], "val_accuracy": [0.5, 0.6, 0.7, 0.7]})


@pytest.mark.parametrize("n", [1, 2, 3])
def test_one_to_three_epochs_is_too_little_to_judge(n):
    loss = list(decay(n))
    f = diagnose({"loss": loss, "val_loss": loss})
    assert codes(f) == ["insufficient_data"]
    assert "too little to judge" in f[0].summary and f[0].evidence["epochs"] == n


def test_nan_in_the_middle_of_the_training_loss_is_diverging():
    loss = list(decay(10))
    loss[5] = float("nan")
    f = diagnose({"loss": loss, "val_loss": list(decay(10, 2.2, 0.3))})
    assert f[0].code == "diverging" and f[0].evidence["first_bad_epoch"] == 5
    assert f[0].evidence["last_finite_loss"] == loss[-1]


def test_nan_in_the_middle_of_the_validation_loss_is_read_across():
    n = 20
    loss, val = decay(n, 2.3, 0.1), decay(n, 2.2, 0.3)
    val[12:] += 0.05 * np.arange(8)  # overfitting
    holed = val.copy()
    holed[8], holed[14] = float("nan"), float("inf")
    f_holed = diagnose({"loss": list(loss), "val_loss": list(holed)})
    f_full = diagnose({"loss": list(loss), "val_loss": list(val)})
    assert codes(f_holed) == codes(f_full) == ["overfitting"]
    assert f_holed[0].evidence["began_epoch"] == f_full[0].evidence["began_epoch"]
