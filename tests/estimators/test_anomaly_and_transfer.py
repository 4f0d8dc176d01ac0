"""AnomalyDetector (scikit-learn's outlier convention) and the transfer-learning recipes."""

import numpy as np
import pytest

import trainlab as tl
from trainlab.estimators import AnomalyDetector, transfer


@pytest.fixture(scope="module")
def subspace():
    rng = np.random.default_rng(0)
    basis = rng.normal(size=(3, 10))
    normal = rng.normal(size=(400, 3)) @ basis + 5.0
    odd = rng.normal(size=(40, 10)) * 2 + 5.0
    return normal, odd


def test_detector_flags_points_off_the_training_manifold(subspace):
    normal, odd = subspace
    det = AnomalyDetector(hidden_units=(16, 3), learning_rate=0.01, epochs=60, random_state=0).fit(normal)
    assert (det.predict(odd) == -1).mean() > 0.9 and (det.predict(normal) == 1).mean() > 0.95


def test_scores_follow_scikit_learns_outlier_convention(subspace):
    normal, odd = subspace
    det = AnomalyDetector(hidden_units=(16, 3), learning_rate=0.01, epochs=30, threshold_percentile=95,
                          random_state=0).fit(normal)
    X = np.vstack([normal[:50], odd])
    # reconstruction error recomputed by hand from the trained Keras-style model
    z = (X - det.mean_) / det.scale_
    recon = det.model_.predict(z.astype("float32"), verbose=0)
    errors = np.mean((recon - z) ** 2, axis=1)
    np.testing.assert_allclose(det.score_samples(X), -errors, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(det.decision_function(X), det.score_samples(X) - det.offset_)
    np.testing.assert_array_equal(det.predict(X), np.where(-det.score_samples(X) <= det.threshold_, 1, -1))
    assert (det.predict(odd) == -1).mean() > 0.9
    assert det.threshold_ == pytest.approx(np.percentile(det.validation_errors_, 95))
    assert det.offset_ == -det.threshold_ and len(det.validation_errors_) == 40  # 10% of 400 held out
    np.testing.assert_allclose(det.mean_, normal.mean(0), atol=0.3)  # statistics of the 90% training part


def test_threshold_percentile_controls_false_alarms_on_held_out_normal_data(subspace):
    normal, _ = subspace
    strict = AnomalyDetector(hidden_units=(16, 3), epochs=30, learning_rate=0.01, threshold_percentile=50,
                             random_state=0).fit(normal)
    assert 0.2 < (strict.predict(normal) == -1).mean() < 0.8
    with pytest.raises(ValueError, match=r"`threshold_percentile` must be in \(0, 100\]"):
        AnomalyDetector(threshold_percentile=0).fit(normal)
    with pytest.raises(ValueError, match=r"at least 2 samples.*received 1 sample"):
        AnomalyDetector().fit(normal[:1])


# ----------------------------------------------------------------------
# transfer learning
def pretrained_model():
    tl.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int32") + (x[:, 2] > 0)
    model = tl.Sequential([tl.layers.Dense(16, activation="relu", input_shape=(8,), name="h1"),
                           tl.layers.Dense(8, activation="relu", name="h2"),
                           tl.layers.Dense(3, activation="softmax", name="out")])
    model.compile(tl.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, verbose=0)
    return model, x


def test_base_model_shares_trained_weights_and_freezes_them():
    model, x = pretrained_model()
    trained = model.get_weights()[:4]
    base = transfer.base_model(model)
    assert [layer.name for layer in base.layers] == ["h1", "h2"]
    assert all(not layer.trainable for layer in base.layers)
    for a, b in zip(base.get_weights(), trained):
        np.testing.assert_array_equal(a, b)  # reused, not re-initialized
    new = transfer.with_new_head(base, [tl.layers.Dense(2, activation="softmax", name="new_head")])
    new.compile(tl.optimizers.Adam(0.05), "sparse_categorical_crossentropy")
    new.fit(x, (x[:, 3] > 0).astype("int32"), epochs=2, verbose=0)
    for a, b in zip(base.get_weights(), trained):
        np.testing.assert_array_equal(a, b)  # frozen: no gradient, no update
    assert new.predict(x[:4], verbose=0).shape == (4, 2)
    assert model.get_layer("h2") in base.layers


def test_unfreezing_is_noticed_by_fit_without_recompiling():
    model, x = pretrained_model()
    base = transfer.base_model(model)
    new = transfer.with_new_head(base, [tl.layers.Dense(2, activation="softmax")])
    new.compile(tl.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    y = (x[:, 3] > 0).astype("int32")
    new.fit(x, y, epochs=1, verbose=0)
    h1, h2 = (layer.get_weights()[0].copy() for layer in base.layers)
    unfrozen = transfer.unfreeze_top(base, 1)
    assert [layer.name for layer in unfrozen] == ["h2"] and base.layers[0].trainable is False
    new.fit(x, y, epochs=1, verbose=0)  # no compile() in between
    np.testing.assert_array_equal(base.layers[0].get_weights()[0], h1)
    assert not np.array_equal(base.layers[1].get_weights()[0], h2)


def test_fine_tune_recompiles_with_a_lower_learning_rate():
    model, x = pretrained_model()
    base = transfer.base_model(model, up_to="h1")
    new = transfer.with_new_head(base, [tl.layers.Dense(2, activation="softmax")])
    new.compile(tl.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = transfer.fine_tune(new, base, x, (x[:, 3] > 0).astype("int32"), unfreeze=1, learning_rate=1e-4,
                                 epochs=1, verbose=0)
    assert new.optimizer.get_config()["learning_rate"] == pytest.approx(1e-4)
    assert "accuracy" in history.history and base.layers[0].trainable


def test_transfer_errors():
    model, _ = pretrained_model()
    with pytest.raises(ValueError, match=r"`up_to`='h9' is not a layer.*\['h1', 'h2', 'out'\]"):
        transfer.base_model(model, up_to="h9")
    with pytest.raises(ValueError, match=r"`up_to`=7 is out of range for a model of 3 layers"):
        transfer.base_model(model, up_to=7)
    with pytest.raises(TypeError, match=r"`head` must be a non-empty list of layers"):
        transfer.with_new_head(transfer.base_model(model), tl.layers.Dense(2))
    with pytest.raises(ValueError, match=r"`n`=5 is more than the 2 layers with weights"):
        transfer.unfreeze_top(transfer.base_model(model), 5)
    with pytest.raises(TypeError, match=r"`model` must be a trainlab Model"):
        transfer.base_model("model")
