"""The data course programs in examples/ run on generated fixtures and do what they teach."""

import numpy as np

from _examples import load_example


def test_california_housing_from_a_dataframe():
    example = load_example("california_housing_regression")
    frame = example.generated_housing(n=2000, seed=3)
    out = example.main(frame.iloc[:1600], frame.iloc[1600:], epochs=12, verbose=0)
    # both models beat the mean by far; the MLP captures the nonlinear part the linear model cannot
    assert out["linear_rmse"] < 0.6 * out["baseline_rmse"]
    assert out["mlp_rmse"] < 0.9 * out["linear_rmse"]
    # the normalizer was adapted on the training rows only and travels inside the model
    norm = out["mlp_model"].layers[0]
    np.testing.assert_allclose(norm.mean, frame.iloc[:1600][example.FEATURES].mean().to_numpy(), rtol=1e-5)
    rmse = out["mlp_history"].history["root_mean_squared_error"]
    assert rmse[-1] < rmse[0]


def test_cifar_pipeline_with_augmentation_on_generated_images():
    example = load_example("cifar_augmentation")
    out = example.main(generated=True, n=800, epochs=4, verbose=0)
    assert out["source"] == "generated images"
    assert out["test_accuracy"] > 0.3  # ten classes: chance is 0.1
    model = out["model"]
    x, _ = example.generated_images(16, seed=5)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))  # no augmentation
