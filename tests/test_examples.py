"""The course programs in examples/ run (on small or generated data) and do what they teach."""

import numpy as np
import pytest

from _examples import load_example


def test_a_linear_regression_custom_loop():
    out = load_example("linear_regression_custom_loop").train(steps=300, verbose=False)
    np.testing.assert_allclose(out["w"], [3.0, -2.0], atol=0.05)
    assert abs(out["b"] - 1.0) < 0.05
    assert out["learning_rate"] == pytest.approx(0.1 * 0.5 ** 3, rel=1e-6)  # staircase: halved at steps 100, 200, 300
    assert out["losses"][-1] < 0.02


def test_b_fashion_mnist_mlp_on_small_synthetic_images():
    rng = np.random.default_rng(0)
    # 10 classes of 28x28 "images": each class lights a different band of rows
    y = rng.integers(0, 10, 1500)
    x = rng.integers(0, 60, (1500, 28, 28)).astype("uint8")
    for c in range(10):
        x[y == c, 2 * c:2 * c + 6] += 150
    data = ((x[:1200], y[:1200]), (x[1200:], y[1200:]))
    out = load_example("fashion_mnist_mlp").main(data=data, epochs=3, verbose=0)
    assert out["test_accuracy"] > 0.9
    assert set(out["history"].history) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_c_imdb_text_classifier_on_generated_tokens():
    out = load_example("imdb_text_classifier").main(epochs=10, n=1500, batch_size=64, verbose=0)
    assert out["test_accuracy"] > 0.8


def test_d_early_stopping_stops_when_validation_loss_turns_up():
    out = load_example("early_stopping").main(epochs=300, patience=10, verbose=0)
    val = out["history"].history["val_loss"]
    assert len(val) < 300 and out["stopped_epoch"] > 0
    assert min(val) < val[-1]  # the validation loss had turned up when it stopped
    assert out["best_epoch"] == len(val) - 1 - 10  # patience epochs after the best one
