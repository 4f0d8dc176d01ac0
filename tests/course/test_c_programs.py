"""Part C's course programs (custom loops, Metric subclasses, train_step, tuner):
each runs on small data and learned (above chance, or near a closed form)."""

import numpy as np
import pytest
from _examples import run_course_program



run = run_course_program


def test_custom_training_walkthrough_learns_iris():
    out = run("c_custom_training_walkthrough")
    assert out["losses"][-1] < 0.6 * out["losses"][0]
    assert out["test_accuracy"] > 0.8  # chance: 1/3
    assert out["tracing_count"] == 2  # one program for the full batches, one for the last, smaller batch


def test_loop_from_scratch_learns_mnist():
    out = run("c_loop_from_scratch_mnist")
    assert out["val_accuracy"] > 0.8 and out["test_accuracy"] > 0.8  # chance: 0.1
    assert out["tracing_count"] == 1  # 2048 = 32 batches of 64


def test_lab_linear_regression_reaches_least_squares():
    out = run("c_lab_linear_regression")
    slope, intercept = np.polyfit(out["x"], out["y"], 1)
    assert out["W"] == pytest.approx(slope, abs=0.01) and out["b"] == pytest.approx(intercept, abs=0.03)
    assert out["costs"][-1] < 1e-3 < out["costs"][0]


def test_lab_logistic_regression_agrees_with_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    out = run("c_lab_logistic_regression")
    ref = LogisticRegression(C=1e6).fit(out["x"], out["y"].ravel())
    assert out["accuracy"] > 0.95
    assert out["accuracy"] == pytest.approx(ref.score(out["x"], out["y"].ravel()), abs=0.03)
    # the separating direction matches the unregularized maximum-likelihood fit's
    w, w_ref = out["W"].ravel(), ref.coef_.ravel()
    assert np.dot(w, w_ref) / (np.linalg.norm(w) * np.linalg.norm(w_ref)) > 0.99


def test_lab_softmax_classifier_learns_iris():
    out = run("c_lab_softmax_classifier")
    assert out["cost"] < 0.3 * out["first_cost"]
    assert out["accuracy"] > 0.9


def test_gan_with_two_optimizers_moves_samples_to_the_data():
    out = run("c_gan_two_optimizers")
    assert abs(out["mean"] - 3.0) < 0.5 * abs(out["start_mean"] - 3.0)
    assert out["tracing_count"] == 1


def test_custom_metric_counts_true_positives_in_fit_and_eagerly():
    out = run("c_custom_metric")
    expected = float(np.sum((out["predictions"].ravel() > 0.5) & (out["y"] > 0.5)))
    assert out["evaluate"]["binary_true_positives"] == pytest.approx(expected)
    assert out["eager"] == pytest.approx(expected)
    assert out["evaluate"]["accuracy"] > 0.8  # chance: 0.5


def test_overridden_train_step_learns_with_fit():
    hist = run("c_train_step_override")["history"]
    assert set(hist) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert hist["val_accuracy"][-1] > 0.8 and hist["loss"][-1] < hist["loss"][0]


def test_tuner_search_with_callbacks_then_hypermodel_build(tmp_path):
    out = run("c_tuner_search", directory=tmp_path)
    assert set(out["best_hps"]) == {"units", "learning_rate"}
    assert out["model"].layers[0].units == out["best_hps"]["units"]
    assert out["test_accuracy"] > 0.7


def test_custom_layer_and_loss_with_model_losses_fit_a_line():
    out = run("c_custom_layer_loss")
    assert out["mse"] < 0.01 * out["var"]
    assert len(out["penalties"]) == 1 and out["penalties"][0] > 0  # add_loss of the last call


def test_batchnorm_dropout_loop_learns_fashion_mnist():
    out = run("c_batchnorm_dropout_loop")
    assert out["history"][-1][1] > 0.7  # chance: 0.1
    assert out["history"][-1][0] < out["history"][0][0]
    assert not np.allclose(out["moving_mean"], 0.0)  # BatchNormalization's statistics were updated
    assert out["tracing_count"] == 1
