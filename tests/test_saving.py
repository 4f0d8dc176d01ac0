"""One-file save / load: round trips, optimizer state, and damaged files."""

import os

import numpy as np
import pytest

import trainlab as tl
from trainlab import layers


def _trained(tmp_path=None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = rng.integers(0, 3, 64)
    model = tl.Sequential([
        layers.Dense(8, activation="relu", input_shape=(4,), kernel_regularizer="l2"),
        layers.BatchNormalization(),
        layers.Dropout(0.1),
        layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    return model, x, y


def test_round_trip_predictions_compile_and_optimizer_state(tmp_path):
    model, x, y = _trained()
    path = tmp_path / "m.trainlab"
    model.save(path)
    loaded = tl.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)
    # training continues exactly where it stopped (optimizer slots restored)
    tl.set_random_seed(5)
    model.fit(x, y, epochs=1, shuffle=False, verbose=0)
    tl.set_random_seed(5)
    loaded.fit(x, y, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_functional_model_round_trip(tmp_path):
    a, b = layers.Input((3,), name="a"), layers.Input((2,), name="b")
    h = layers.Dense(4, activation="tanh")(layers.Concatenate()([a, b]))
    model = tl.Model([a, b], [layers.Dense(1, name="out1")(h), layers.Dense(2, name="out2")(h)])
    xa, xb = np.ones((5, 3), "float32"), np.ones((5, 2), "float32")
    model.build_from_data([xa, xb])
    model.save(tmp_path / "f.trainlab")
    loaded = tl.load_model(tmp_path / "f.trainlab")
    for p, q in zip(loaded.predict([xa, xb], verbose=0), model.predict([xa, xb], verbose=0)):
        np.testing.assert_allclose(p, q, rtol=1e-6)


def test_truncated_and_foreign_files_give_clear_errors(tmp_path):
    model, _, _ = _trained()
    path = tmp_path / "m.trainlab"
    model.save(path)
    data = path.read_bytes()
    (tmp_path / "cut.trainlab").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"not a complete trainlab model file.*truncated"):
        tl.load_model(tmp_path / "cut.trainlab")
    (tmp_path / "tiny").write_bytes(b"abc")
    with pytest.raises(ValueError, match=r"not a trainlab model file: it is only 3 bytes long"):
        tl.load_model(tmp_path / "tiny")
    (tmp_path / "text.trainlab").write_text("hello, this is not a model at all" * 10)
    with pytest.raises(ValueError, match=r"not a trainlab model file"):
        tl.load_model(tmp_path / "text.trainlab")
    from safetensors.numpy import save_file

    save_file({"w": np.zeros(2, "float32")}, str(tmp_path / "other.safetensors"))
    with pytest.raises(ValueError, match=r"not one written by trainlab"):
        tl.load_model(tmp_path / "other.safetensors")
    with pytest.raises(FileNotFoundError, match=r"No model file"):
        tl.load_model(tmp_path / "missing.trainlab")


def test_failed_save_leaves_old_file_intact(tmp_path, monitor=None):
    model, _, _ = _trained()
    path = tmp_path / "m.trainlab"
    model.save(path)
    before = path.read_bytes()
    import trainlab._io as io

    real = io.atomic_write

    def failing(p, mode="wb", **kw):
        class Boom:
            def __enter__(self_inner):
                self_inner.cm = real(p, mode, **kw)
                f = self_inner.cm.__enter__()
                f.write(b"partial")
                raise OSError("disk full")

            def __exit__(self_inner, *exc):
                return self_inner.cm.__exit__(*exc)

        return Boom()

    io.atomic_write = failing
    try:
        with pytest.raises(OSError, match="disk full"):
            model.save(path)
    finally:
        io.atomic_write = real
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.trainlab"]


def test_load_weights_checks_architecture_and_loads_nothing_on_error(tmp_path):
    model, x, _ = _trained()
    model.save_weights(tmp_path / "w.safetensors")
    other = tl.Sequential([layers.Dense(5, input_shape=(4,)), layers.Dense(3)])
    other.build_from_data(x)
    before = [w.copy() for w in other.get_weights()]
    with pytest.raises(ValueError, match=r"(has no tensor|different architecture|has shape)"):
        other.load_weights(tmp_path / "w.safetensors")
    for a, b in zip(other.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    twin = tl.Sequential([
        layers.Dense(8, activation="relu", input_shape=(4,), kernel_regularizer="l2", name=model.layers[0].name),
        layers.BatchNormalization(name=model.layers[1].name), layers.Dropout(0.1, name=model.layers[2].name),
        layers.Dense(3, activation="softmax", name=model.layers[3].name),
    ])
    twin.load_weights(tmp_path / "w.safetensors")
    np.testing.assert_allclose(twin.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    with pytest.raises(ValueError, match=r"holds only weights"):
        tl.load_model(tmp_path / "w.safetensors")


def test_lambda_layer_cannot_be_saved(tmp_path):
    model = tl.Sequential([layers.Lambda(lambda t: t * 2, input_shape=(2,))])
    model.build_from_data(np.ones((1, 2), "float32"))
    with pytest.raises(TypeError, match=r"Lambda layer, which cannot be saved"):
        model.save(tmp_path / "x.trainlab")
    assert not os.path.exists(tmp_path / "x.trainlab")


def test_round_trip_with_loss_and_metric_objects(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, 32)
    model = tl.Sequential([layers.Dense(3, input_shape=(4,))])
    model.compile(optimizer=tl.optimizers.SGD(0.1, momentum=0.9),
                  loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[tl.metrics.SparseCategoricalAccuracy(name="acc")])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.trainlab")
    loaded = tl.load_model(tmp_path / "m.trainlab")
    assert loaded.optimizer.get_config()["momentum"] == 0.9
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        model.evaluate(x, y, verbose=0, return_dict=True), rel=1e-6)
