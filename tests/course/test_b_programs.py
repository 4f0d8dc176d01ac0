"""Course programs of issue 16, part B (tests/course/b_*.py), each run on small
data and checked to have learned: above chance, or near a closed form."""

import math
import pathlib

import numpy as np
import pytest
from _examples import run_course_program

HERE = pathlib.Path(__file__).resolve().parent


run = run_course_program


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch):
    if "TRAINLAB_DATA_DIR" not in __import__("os").environ:
        monkeypatch.setenv("TRAINLAB_DATA_DIR", str(HERE.parents[2] / "shared" / "datasets"))


def test_save_and_load_into_a_second_instance():
    out = run("b_save_and_load")
    assert out["trained_acc"] > 0.7  # 10 classes: chance is 0.1
    assert out["untrained_acc"] < 0.3
    assert out["restored_acc"] == pytest.approx(out["trained_acc"], abs=1e-6)
    assert out["loaded_acc"] == pytest.approx(out["trained_acc"], abs=1e-6)


def test_functional_multi_input_multi_output_with_dicts():
    out = run("b_functional_multi_io")
    assert out["val_department_accuracy"] > 0.6  # 4 departments: chance 0.25
    assert out["history"]["priority_loss"][-1] < out["history"]["priority_loss"][0]
    assert out["priority_shape"] == (5, 1)


def test_crash_course_linear_regression_runs_with_import_edits_only():
    out = run("b_crash_course_linear_regression")
    assert out["global_step"] == 500
    assert out["rmse"] < 0.7 * out["rmse_untrained"]
    assert out["rmse"] >= out["rmse_least_squares"] * 0.999  # the least-squares line is the floor


def test_crash_course_synthetic_feature_and_clipped_outliers():
    out = run("b_crash_course_synthetic_features")
    clipped = out["rmse_clipped"]
    assert clipped[-1] < clipped[0] and clipped[-1] < 0.5 * out["rmse_untrained"]
    assert clipped[-1] < out["rmse_raw"][-1]  # clipping the outliers helps, as the exercise shows


def test_crash_course_feature_crosses_beat_predicting_the_mean():
    out = run("b_crash_course_feature_crosses")
    assert out["validation_rmse"][-1] < out["validation_rmse"][0]
    assert out["validation_rmse"][-1] < out["rmse_predict_mean"]


def test_text_classification_from_a_folder():
    out = run("b_text_from_directory")
    assert out["class_names"] == ["neg", "pos"]
    assert out["val_accuracy"] > 0.8
    assert out["examples"][0] > 0.5 > out["examples"][1]


def test_image_classification_from_a_folder():
    out = run("b_image_from_directory")
    assert out["class_names"] == ["circles", "horizontal", "vertical"]
    assert out["val_accuracy"] > 0.6  # 3 classes: chance 1/3


def test_user_callbacks_with_logs():
    out = run("b_custom_callbacks")
    kinds = [c[0] for c in out["calls"]]
    assert kinds[:2] == ["on_train_begin", "on_epoch_begin"]
    assert kinds[-6:] == ["on_train_end", "on_test_begin", "on_test_end", "on_predict_begin",
                          "on_predict_batch_end", "on_predict_end"]
    assert out["calls"][-4] == ("on_test_end", ["loss", "mean_absolute_error"])
    assert out["calls"][-2] == ("on_predict_batch_end", ["outputs"])
    assert kinds.count("on_train_batch_end") >= 1
    assert dict(out["calls"])["on_epoch_end"] == ["loss", "mean_absolute_error"]
    stopper = out["stopper"]
    assert stopper.stopped_epoch > 0 and len(out["history"]["loss"]) == stopper.stopped_epoch + 1
    for best, final in zip(out["best_weights"], out["final_weights"]):  # the best weights were restored
        np.testing.assert_array_equal(best, final)
    np.testing.assert_allclose(out["learning_rates"][:4], [0.1, 0.1, 0.1, 0.05], rtol=1e-6)
    assert out["final_loss"] < 0.1 * float(np.sum(out["true_w"] ** 2))  # vs predicting 0: E[y^2] = |w|^2


def test_subclassed_models_functional_arguments_and_loss_lists():
    out = run("b_custom_model")
    assert out["is_custom"] and out["custom_accuracy"] > 0.6  # 3 classes
    logs = out["two_logs"]
    assert logs["output_2_accuracy"] > 0.6 and logs["output_1_loss"] < 0.5 * out["price_variance"]
    assert math.isclose(logs["loss"], logs["output_1_loss"] + logs["output_2_loss"], rel_tol=1e-4)


def test_premade_estimators_iris():
    out = run("b_premade_estimators")
    assert out["eval_result"]["accuracy"] > 0.8 and out["eval_result"]["global_step"] == 300
    assert sum(p == e for p, e in zip(out["predicted"], out["expected"])) >= 2
