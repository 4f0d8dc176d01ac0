"""diagnose() on synthetic curves with known answers (closed-form curves + seeded noise)."""

import dataclasses
import math

import numpy as np
import pytest

from trainlab.callbacks import History
from trainlab.doctor import CODES, Finding, Thresholds, diagnose, format_findings, worst_severity
from trainlab.doctor.curves import ema, read_history, relative_slope, smooth


def codes(findings):
    return [f.code for f in findings]


def decay(n, start=2.3, end=0.2, rate=0.4):
    """Exponential decay start -> end: a curve that converges."""
    e = np.arange(n)
    return end + (start - end) * np.exp(-rate * e)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("history", [{}, {"loss": []}, {"loss": [2.3]}, {"loss": [2.3], "val_loss": [2.4]}])
def test_too_little_to_judge(history):
    findings = diagnose(history)
    assert codes(findings) == ["insufficient_data"]
    assert "too little to judge" in findings[0].summary
    assert findings[0].severity == "info"


def test_empty_history_object():
    assert codes(diagnose(History())) == ["insufficient_data"]


def test_history_with_nans_is_diverging():
    findings = diagnose({"loss": [2.3, 1.5, float("nan"), float("nan")], "val_loss": [2.2, 1.6, float("nan"), float("nan")],
                         "learning_rate": [0.5] * 4})
    assert findings[0].code == "diverging" and findings[0].severity == "critical"
    assert findings[0].evidence["first_bad_epoch"] == 2
    assert findings[0].evidence["last_finite_loss"] == 1.5
    assert findings[0].suggestion == {"learning_rate": 0.05}


def test_one_epoch_with_nan_steps_is_diverging_not_insufficient():
    h = {"loss": [float("nan")], "step_loss": [[2.3, 50.0, float("inf"), float("nan")]]}
    f = diagnose(h)
    assert f[0].code == "diverging"
    assert f[0].evidence["first_bad_step"] == 2


def test_exploding_finite_loss_is_diverging():
    loss = [2.3, 1.9, 1.7, 3.0, 6.0, 12.0]
    f = diagnose({"loss": loss})
    assert f[0].code == "diverging"
    assert f[0].evidence["best_loss"] == 1.7


def test_bad_types_have_messages():
    with pytest.raises(TypeError, match=r"`history` must be a History .* received \[1, 2\]"):
        diagnose([1, 2])
    with pytest.raises(TypeError, match=r"`history\['loss'\]` must contain only numbers"):
        diagnose({"loss": [1.0, "a"]})
    with pytest.raises(TypeError, match=r"`history\['loss'\]` must be a list of per-epoch numbers"):
        diagnose({"loss": "2.3"})
    with pytest.raises(TypeError, match=r"Unknown threshold\(s\) \['overfit_ris'\].*Did you mean \"overfit_rise\""):
        diagnose({"loss": [1, 0.5]}, overfit_ris=0.1)


# ---------------------------------------------------------------- each code
def test_overfitting_names_the_epoch_it_began_despite_noise():
    rng = np.random.default_rng(0)
    n, turn = 30, 12
    loss = decay(n, 2.3, 0.01, 0.3)
    e = np.arange(n)
    val = decay(n, 2.3, 0.4, 0.3) + np.where(e > turn, 0.03 * (e - turn), 0.0)  # turns up after `turn`
    val = val * (1 + rng.normal(0, 0.01, n))
    f = diagnose({"loss": list(loss), "val_loss": list(val)})
    assert codes(f) == ["overfitting"]
    ev = f[0].evidence
    assert abs(ev["began_epoch"] - turn) <= 2
    assert f[0].suggestion["epochs"] == ev["began_epoch"] + 1
    assert ev["val_rise"] > 0.05 and ev["train_loss_change_since"] < 0


def test_high_variance_from_accuracy_gap_dls_style():
    # DLS: train error 1%, dev error 11% -> high variance
    n = 12
    f = diagnose({"loss": list(decay(n, 2.3, 0.05)), "val_loss": list(decay(n, 2.3, 0.45)),
                  "accuracy": [0.99] * n, "val_accuracy": [0.89] * n})
    over = [x for x in f if x.code == "overfitting"]
    assert over and over[0].evidence["variance"] == pytest.approx(0.10)
    assert over[0].evidence["began_epoch"] is None


def test_underfitting_high_bias_and_baseline_error():
    # DLS: train error 15%, dev 16% -> high bias; with a 14% baseline (Bayes error) bias is avoidable 1% only
    n = 12
    h = {"loss": list(decay(n, 2.3, 0.6)), "val_loss": list(decay(n, 2.3, 0.62)),
         "accuracy": [0.85] * n, "val_accuracy": [0.84] * n}
    f = diagnose(h)
    assert codes(f) == ["underfitting"]
    assert f[0].evidence["avoidable_bias"] == pytest.approx(0.15)
    assert codes(diagnose(h, baseline_error=0.14)) == ["healthy"]


def test_underfitting_without_accuracy_uses_flat_level():
    n = 12
    f = diagnose({"loss": list(decay(n, 2.3, 2.0, 1.0))})
    assert codes(f) == ["underfitting"]
    assert f[0].evidence["level"] == pytest.approx(2.0 / 2.3, rel=0.02)


def test_learning_rate_too_low_steady_and_slow():
    n = 10
    loss = 2.4 - 0.01 * np.arange(n)
    f = diagnose({"loss": list(loss), "val_loss": list(loss + 0.02), "learning_rate": [1e-4] * n})
    assert codes(f) == ["learning_rate_too_low"]
    assert f[0].suggestion == {"learning_rate": 1e-3}
    assert f[0].evidence["progress"] == pytest.approx(1 - smooth(loss)[-1] / 2.4)


def test_learning_rate_too_high_jumps_around():
    rng = np.random.default_rng(1)
    n = 12
    loss = 1.0 + 0.3 * (np.arange(n) % 2) + rng.normal(0, 0.02, n)  # up, down, up, down
    f = diagnose({"loss": list(loss), "learning_rate": [0.3] * n})
    assert f[0].code == "learning_rate_too_high"
    assert f[0].evidence["rising_epochs"] >= 5
    assert f[0].suggestion == {"learning_rate": 0.03}


def test_learning_rate_too_high_from_step_spikes():
    steps = [np.r_[2.3, 40.0, 80.0, 30.0, np.full(40, 2.3)]] + [np.full(44, 2.31)] * 4
    h = {"loss": [float(np.mean(s)) for s in steps], "step_loss": steps}
    f = diagnose(h)
    assert f[0].code == "learning_rate_too_high" and f[0].severity == "critical"
    assert f[0].evidence["spiking_steps"] == 1  # steps 0-2 are ignored (`spike_skip`=3): only the 30.0 counts


def test_not_converged_still_falling():
    n = 5
    loss = decay(n, 2.3, 0.1, 0.3)
    f = diagnose({"loss": list(loss), "val_loss": list(loss + 0.05)})
    assert codes(f) == ["not_converged"]
    assert f[0].suggestion == {"epochs": 15}


def test_healthy_converged_run():
    n = 25
    loss = decay(n, 2.3, 0.1, 0.5)
    f = diagnose({"loss": list(loss), "val_loss": list(loss + 0.03), "accuracy": [0.97] * n,
                  "val_accuracy": [0.95] * n})
    assert codes(f) == ["healthy"]


def test_vanishing_gradients_with_initializer_advice():
    model = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Dense", "config": {"name": f"d{i}", "activation": "sigmoid",
                                           "kernel_initializer": {"class_name": "RandomNormal"}}} for i in range(4)
    ] + [{"class_name": "Dense", "config": {"name": "out", "activation": "softmax",
                                            "kernel_initializer": {"class_name": "GlorotUniform"}}}]}}
    norms = [{"d0": 1e-6, "d1": 1e-5, "d2": 1e-4, "d3": 1e-3, "out": 0.5}] * 4
    n = 12
    f = diagnose({"loss": list(decay(n)), "grad_norms": norms}, model=model)
    vg = [x for x in f if x.code == "vanishing_gradients"][0]
    assert vg.evidence["first_over_last"] == pytest.approx(2e-6)
    assert vg.suggestion["activation"] == {f"d{i}": "relu" for i in range(4)}
    assert vg.suggestion["kernel_initializer"]["d0"] == "he_normal"


def test_exploding_gradients_and_he_advice_for_relu():
    model = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Dense", "config": {"name": "a", "activation": "relu",
                                           "kernel_initializer": {"class_name": "RandomNormal"}}},
        {"class_name": "Dense", "config": {"name": "b", "activation": "relu",
                                           "kernel_initializer": {"class_name": "HeNormal"}}},
        {"class_name": "Dense", "config": {"name": "out", "activation": "softmax",
                                           "kernel_initializer": {"class_name": "GlorotUniform"}}}]}}
    norms = [{"a": 5e3, "b": 2e3, "out": 10.0}] * 3
    f = diagnose({"loss": list(decay(6)), "grad_norms": norms}, model=model)
    eg = [x for x in f if x.code == "exploding_gradients"][0]
    assert eg.evidence["max_norm"] == 5e3
    assert eg.suggestion == {"clipnorm": 1.0, "kernel_initializer": {"a": "he_normal"}}


def test_gradient_layers_in_natural_order_without_model():
    norms = [{"dense_10": 0.5, "dense_2": 1e-7, "dense_3": 1e-5}] * 3
    f = diagnose({"loss": list(decay(6)), "grad_norms": norms})
    vg = [x for x in f if x.code == "vanishing_gradients"][0]
    assert vg.evidence["layers"] == ["dense_2", "dense_3", "dense_10"]


def test_autopilot_recovery_is_not_critical():
    loss = [2.3, float("nan"), 1.2, 0.8, 0.6, 0.5, 0.45, 0.43, 0.42, 0.42]
    events = [{"epoch": 1, "source": "Autopilot", "action": "restore_last_good_weights"}]
    f = diagnose({"loss": loss, "events": events})
    div = [x for x in f if x.code == "diverging"][0]
    assert div.severity == "warning" and div.evidence["recovered_at_epoch"] == 1


# ---------------------------------------------------------------- helpers
def test_smoothing_removes_spikes_and_ema_is_bias_corrected():
    y = np.array([1.0, 1.0, 1.0, 9.0, 1.0, 1.0, 1.0])
    assert np.allclose(smooth(y, 3), 1.0)
    x = np.array([2.0, 4.0])
    # closed form: v1 = 0.1*2/(1-0.9) = 2; v2 = (0.9*0.2 + 0.1*4)/(1-0.81)
    assert ema(x, 0.9).tolist() == pytest.approx([2.0, (0.9 * 0.2 + 0.4) / 0.19])
    y = np.array([5.0, 4.0, 3.5, 3.0])
    assert relative_slope(y) == pytest.approx(np.polyfit(np.arange(4), y, 1)[0] / np.mean(y))


def test_read_history_accepts_history_object_and_saved_json_dict():
    h = History()
    h.history = {"loss": [1.0, 0.5]}
    h.epoch = [0, 1]
    h.step_loss = [np.array([1.2, 0.9]), np.array([0.6, 0.4])]
    d = read_history(h)
    assert d.series["loss"].tolist() == [1.0, 0.5] and len(d.step_loss) == 2
    saved = {"history": {"loss": [1.0, 0.5]}, "step_loss": [[1.2, 0.9], [0.6, 0.4]], "events": []}
    assert read_history(saved).series["loss"].tolist() == [1.0, 0.5]


def test_thresholds_are_documented():
    doc = Thresholds.__doc__
    for field in dataclasses.fields(Thresholds):
        assert field.name + ":" in doc or f"`{field.name}`" in doc or field.name in doc


def test_finding_roundtrip_validation_and_format():
    f = Finding("diverging", "critical", "boom", evidence={"loss": math.nan}, advice="cut", suggestion={"learning_rate": 1e-3})
    assert f.to_dict()["evidence"]["loss"] == "nan"
    g = Finding.from_dict(f.to_dict())
    assert math.isnan(g.evidence["loss"]) and g.code == "diverging"
    with pytest.raises(ValueError, match=r"`code` must be one of .*'diverging'"):
        Finding("diverged", "critical", "x")
    with pytest.raises(ValueError, match=r"`severity` must be one of 'info', 'warning', 'critical'"):
        Finding("healthy", "fatal", "x")
    assert worst_severity([f, Finding("healthy", "info", "ok")]) == "critical"
    assert format_findings([Finding("healthy", "info", "ok"), f]).startswith("[CRITICAL] diverging")
    assert set(CODES) >= {"diverging", "learning_rate_too_high", "learning_rate_too_low", "not_converged",
                          "overfitting", "underfitting", "healthy", "vanishing_gradients", "exploding_gradients"}


@pytest.mark.parametrize("module", ["trainlab.doctor.findings", "trainlab.doctor.curves", "trainlab.doctor.diagnose",
                                    "trainlab.doctor._blowups",
                                    "trainlab.report.plots", "trainlab.report.tensorboard", "trainlab.report.html"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_a_spike_then_no_progress_is_learning_rate_too_high():
    # a few huge steps, then stuck at chance level (dead ReLUs): not "underfitting"
    steps = [np.r_[2.5, 9.0, 4.0, 7.0, 28.0, np.full(40, 2.35)]] + [np.full(45, 2.35)] * 9
    f = diagnose({"loss": [float(np.mean(s)) for s in steps], "step_loss": steps, "accuracy": [0.1] * 10})
    assert f[0].code == "learning_rate_too_high" and f[0].severity == "critical"
    assert "underfitting" not in codes(f)
