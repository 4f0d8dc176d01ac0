"""The estimator course programs in examples/ run and do what they teach."""

import numpy as np
import pytest

from _examples import load_example


def test_crash_course_walkthrough_matches_least_squares_within_two_percent(tmp_path, capsys):
    cc = load_example("crash_course_linear_regression")
    df = cc.synthetic_housing(6000, seed=1)
    out = cc.main(df, steps=1500, periods=5, plot_path=str(tmp_path / "rmse.png"))
    assert abs(out["val_rmse"] / out["ols_val_rmse"] - 1) < 0.02
    assert abs(out["train_rmse"] / out["ols_train_rmse"] - 1) < 0.02
    history = out["history"]
    # trained on standardized targets, the first period already lands near least squares; later ones refine
    assert len(history["train_rmse"]) == 5 and history["val_rmse"][-1] <= history["val_rmse"][0]
    assert out["model"].t_ == 1500 and out["model"].clip_gradients_by_norm == 5.0
    printed = capsys.readouterr().out
    assert "period 00 : train" in printed and "period 04 : train" in printed and "least squares" in printed
    assert (tmp_path / "rmse.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_crash_course_prepares_the_dataframe_as_the_course_does():
    cc = load_example("crash_course_linear_regression")
    df = cc.synthetic_housing(100, seed=0)
    train, val = cc.prepare(df, seed=0)
    assert len(train) == 70 and len(val) == 30
    both = np.sort(np.concatenate([train["median_house_value"], val["median_house_value"]]))
    np.testing.assert_allclose(both, np.sort(df["median_house_value"] / 1000))
    np.testing.assert_allclose(train["rooms_per_person"], train["total_rooms"] / train["population"])
    assert not np.allclose(train["median_house_value"], df["median_house_value"][:70] / 1000)  # shuffled
    assert cc.synthetic_housing(2000, seed=0).eval("total_rooms / population").max() > 5  # has the outliers


def test_crash_course_uses_the_real_data_when_the_loader_has_it(monkeypatch):
    cc = load_example("crash_course_linear_regression")
    from trainlab.datasets import california_housing
    from trainlab.datasets._errors import DatasetNotFoundError

    frame = cc.synthetic_housing(3000, seed=2)[list(california_housing.COLUMNS)]
    monkeypatch.setattr(california_housing, "load_data", lambda as_frame=False: (frame, frame.iloc[:10]))
    out = cc.main(steps=1500, periods=2, verbose=0)
    assert abs(out["val_gap"]) < 0.02

    def offline(as_frame=False):
        raise DatasetNotFoundError("Could not find California Housing locally, and downloading it failed")

    monkeypatch.setattr(california_housing, "load_data", offline)
    with pytest.raises(DatasetNotFoundError, match=r"Could not find California Housing"):
        cc.main(verbose=0)


def test_anomaly_detection_on_digits():
    out = load_example("anomaly_detection_digits").main(digit=0, epochs=60, verbose=0)
    assert out["roc_auc"] > 0.97 and out["detected"] > 0.8 and out["false_alarms"] < 0.3


def test_transfer_learning_recipes_on_split_digits():
    out = load_example("transfer_learning_digits").run(seed=0, labels_per_class=5, pretrain_epochs=20, head_epochs=60,
                                               fine_tune_epochs=30)
    assert out["base_unchanged_while_frozen"] and out["base_changed_by_fine_tuning"]
    for key in ("scratch", "feature_extraction", "fine_tuning"):
        assert out[key] > 0.6  # five classes: chance is 0.2
