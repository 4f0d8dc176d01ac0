"""Part A's course programs (tests/course/a_*.py), each run on small data and checked
against a reference: closed forms, numpy, least squares, or accuracy above chance."""

import os
import pathlib

import numpy as np
import pytest
from _examples import run_course_program

HERE = pathlib.Path(__file__).resolve().parent
DATA = pathlib.Path(os.environ.get("TRAINLAB_DATA_DIR", HERE.parents[2] / "shared" / "datasets"))


run = run_course_program


def test_basic_regression_matches_least_squares():
    r = run("a_basic_regression")
    assert r["shape"] == (251, 1)                                 # a 1-D grid fed to Normalization(axis=None)
    assert r["mean"] == pytest.approx(r["data_mean"], rel=1e-5)
    assert r["slope"] == pytest.approx(r["ls_slope"], rel=0.1)   # MAE fit vs least squares, same line
    assert r["val_loss"] < 2.0                                   # noise has std 1 (MAE of pure noise ~0.8)


def test_basic_classification_learns_and_softmax_matches_numpy():
    if not (DATA / "fashion-mnist").is_dir():
        pytest.fail(f"Fashion-MNIST is missing under {DATA}; set TRAINLAB_DATA_DIR")
    r = run("a_basic_classification")
    assert r["test_acc"] > 0.6                                   # chance is 0.1
    logits = r["logits"]
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(r["predictions"][:5], expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(r["single"][0], r["predictions"][1], rtol=1e-5, atol=1e-6)
    for name in r["layer_names"]:                                # expand_nested lists the inner layers
        assert f"│ {name} (" in r["summary"]


def test_linear_regression_lab_finds_identity():
    r = run("a_linear_regression_lab")
    assert r["W"] == pytest.approx(1.0, abs=0.02) and r["b"] == pytest.approx(0.0, abs=0.06)
    np.testing.assert_allclose(r["y_predict"][:, 0], [5.0, 4.0], atol=0.05)


def test_logistic_regression_lab_separates_and_hypothesis_is_sigmoid():
    r = run("a_logistic_regression_lab")
    assert r["accuracy"] == 1.0 and r["keras_accuracy"] == 1.0
    w, b = r["weights"]
    np.testing.assert_allclose(r["hypothesis"], 1 / (1 + np.exp(-(r["x"] @ w + b))), rtol=1e-5)


def test_softmax_lab_classifies_training_set():
    r = run("a_softmax_classification_lab")
    np.testing.assert_array_equal(r["pred_classes"], r["labels"])
    z = r["logits"] - r["logits"].max(1, keepdims=True)
    np.testing.assert_allclose(r["probs"], np.exp(z) / np.exp(z).sum(1, keepdims=True), rtol=1e-4, atol=1e-6)
    assert r["new_class"] == 1


def test_overfit_underfit_l2_shrinks_weights_and_logs_tensorboard(tmp_path):
    from trainlab.report.tensorboard import read_scalars

    r = run("a_overfit_underfit", logdir=str(tmp_path))
    assert r["large"]["losses"] == []
    expected = [0.001 * float(np.sum(k.astype(np.float64) ** 2)) for k in r["l2"]["kernels"]]
    np.testing.assert_allclose(r["l2"]["losses"], expected, rtol=1e-4)
    norm = lambda ks: sum(float(np.sum(k ** 2)) for k in ks)  # noqa: E731
    assert norm(r["l2"]["kernels"]) < norm(r["large"]["kernels"])
    for name in ("large", "l2"):
        train = read_scalars(os.path.join(r[name]["logdir"], "train"))
        val = read_scalars(os.path.join(r[name]["logdir"], "validation"))
        history = r[name]["history"]
        np.testing.assert_allclose([v for _, v in train["epoch_loss"]], history["loss"], rtol=1e-6)
        np.testing.assert_allclose([v for _, v in val["epoch_accuracy"]], history["val_accuracy"], rtol=1e-6)
        assert [s for s, _ in train["epoch_loss"]] == list(range(len(history["loss"])))


def test_feature_cross_beats_linear_features():
    r = run("a_feature_crosses")
    assert r["crossed_acc"] > 0.85          # the one-hot cross can represent the checkerboard
    assert r["plain_acc"] < 0.65            # a linear model of the raw features cannot (chance 0.5)


def test_tf_data_pipeline_caches_and_checkpoints_every_25_steps(tmp_path):
    r = run("a_tf_data_pipeline", ckpt_dir=str(tmp_path))
    assert r["decoded"] == 1000             # map ran once: later epochs read the cache
    assert r["val_acc"] > 0.65              # chance is about 0.5
    # 20 steps per epoch, 4 epochs: saves after global steps 25, 50, 75 (at 5, 10, 15 of epochs 2-4)
    assert r["checkpoints"] == ["ckpt-02-5.weights.trainlab", "ckpt-03-10.weights.trainlab",
                                "ckpt-04-15.weights.trainlab"]


def test_structured_data_quartiles_and_feature_extractor(tmp_path):
    r = run("a_structured_data", plot_dir=str(tmp_path))
    with open(r["plot"], "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    np.testing.assert_allclose(r["boundaries"], np.quantile(r["ages"].astype(np.float64), [0.25, 0.5, 0.75]),
                               rtol=1e-6)
    assert r["accuracy"] > 0.75
    assert r["features"].shape == (500, 32) and (r["features"] >= 0).all()
    assert r["probability"].shape == (1, 1)


def test_tensor_ops_equal_numpy_and_layer_outputs():
    r = run("a_tensor_ops")
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(r["total"], 2 * a + 1)
    np.testing.assert_allclose(r["product"], a @ np.ones((2, 2)))
    e = np.exp([2.0, 1.0, 0.1])
    np.testing.assert_allclose(r["probs"][0], e / e.sum(), rtol=1e-6)
    np.testing.assert_allclose(r["grid"][:, 0], np.linspace(-1, 1, 200), atol=1e-6)
    assert r["accuracy"] > 0.9
    assert r["grid_probs"][0, 1] > 0.5 and r["grid_probs"][100, 0] > 0.5   # |x| > 0.5 is class 1
    z = r["logits"] - r["logits"].max(1, keepdims=True)
    np.testing.assert_allclose(r["model_probs"], np.exp(z) / np.exp(z).sum(1, keepdims=True), rtol=1e-5)
    assert r["features"].shape == (8, 16) and np.abs(r["features"]).max() <= 1.0
