"""Datasets through fit / evaluate / predict, and preprocessing carried inside saved models."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers
from trainlab.core import EpochRunner, Objective, init_train_state, make_train_step, population
from trainlab.data import Dataset


@pytest.fixture
def regression():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5)).astype(np.float32) * 4 + 2
    y = (x @ rng.normal(size=(5, 1)) + 1).astype(np.float32)
    return x, y


def _model(seed=0):
    tl.set_random_seed(seed)
    model = tl.Sequential([layers.Input((5,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    model.compile(tl.optimizers.SGD(0.01), "mse", metrics=["mae"])
    return model


def test_a_dataset_trains_like_the_same_batches_in_memory(regression):
    x, y = regression
    in_memory = _model()
    in_memory.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
    streamed = _model()
    history = streamed.fit(Dataset.from_tensor_slices((x, y)).batch(32).prefetch(2), epochs=2, verbose=0)
    for a, b in zip(in_memory.get_weights(), streamed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
    assert set(history.history) == {"loss", "mae"} and len(history.history["loss"]) == 2


def test_validation_evaluate_and_predict_take_datasets(regression):
    x, y = regression
    model = _model()
    train = Dataset.from_tensor_slices((x[:160], y[:160])).shuffle(160, seed=0).batch(32)
    val = Dataset.from_tensor_slices((x[160:], y[160:])).batch(16)
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert "val_loss" in history.history
    logs = model.evaluate(val, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(model.evaluate(x[160:], y[160:], verbose=0, return_dict=True)["loss"],
                                         rel=1e-5)
    np.testing.assert_allclose(model.predict(Dataset.from_tensor_slices(x).batch(64), verbose=0),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_infinite_and_unknown_length_datasets(regression):
    x, y = regression
    model = _model()
    history = model.fit(Dataset.from_tensor_slices((x, y)).batch(50).repeat(), steps_per_epoch=3, epochs=2,
                        verbose=0)
    assert len(history.step_loss[0]) == 3

    def gen():
        for i in range(0, 200, 40):
            yield x[i:i + 40], y[i:i + 40]

    history = model.fit(Dataset.from_generator(gen), epochs=2, verbose=0)
    assert len(history.step_loss[1]) == 5


def test_memmapped_npy_files_train(tmp_path, regression):
    x, y = regression
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    model = _model()
    ds = Dataset.from_npy((tmp_path / "x.npy", tmp_path / "y.npy")).shuffle(64, seed=1).batch(40).prefetch()
    losses = model.fit(ds, epochs=3, verbose=0).history["loss"]
    assert losses[-1] < losses[0]


# ---------------------------------------------------------------- preprocessing inside models
def _adapted_layers(x):
    norm = layers.Normalization()
    norm.adapt(x)
    scale = layers.MinMaxScaling()
    scale.adapt(x)
    pca = layers.PCA(3, whiten=True)
    pca.adapt(x)
    holes = x.copy()
    holes[::7, 1] = np.nan
    imp = layers.Imputer(strategy="median", add_indicator=True)
    imp.adapt(holes)
    clip = layers.OutlierClipper()
    clip.adapt(x)
    return {"normalization": norm, "minmax": scale, "pca": pca, "imputer": imp, "clipper": clip}


@pytest.mark.parametrize("which", ["normalization", "minmax", "pca", "imputer", "clipper"])
def test_adapted_statistics_are_saved_with_the_model(which, regression, tmp_path):
    x, y = regression
    layer = _adapted_layers(x)[which]
    model = tl.Sequential([layers.Input((5,)), layer, layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(x, y, epochs=1, verbose=0)
    before = np.asarray(layer(x))
    for w in jax.tree.leaves(model.variables["state"]):  # the optimizer never touched the statistics
        assert w.dtype == jnp.float32
    np.testing.assert_allclose(layer(x), before)
    path = tmp_path / "model.trainlab"
    model.save(path)
    loaded = tl.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(loaded.layers[0](x), before, rtol=1e-6)  # usable on its own after loading
    fresh = model.init(jax.random.key(5))  # level 1: init returns the adapted values
    for a, b in zip(jax.tree.leaves(fresh["state"]), jax.tree.leaves(model.variables["state"])):
        np.testing.assert_array_equal(a, b)


def test_lookup_layers_are_saved_with_the_model(tmp_path):
    lookup = layers.IntegerLookup(output_mode="multi_hot")
    lookup.adapt(np.array([[3, 5], [5, 9], [9, 9]]))
    model = tl.Sequential([layers.Input((2,), dtype="int32"), lookup, layers.Dense(1)])
    model.compile("adam", "mse")
    x = np.array([[3, 9], [5, 100]], np.int32)
    model.save(tmp_path / "m.trainlab")
    loaded = tl.load_model(tmp_path / "m.trainlab")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[0].get_vocabulary() == [-1, 9, 5, 3]


def test_adapting_again_updates_a_built_model(regression):
    x, y = regression
    norm = layers.Normalization()
    norm.adapt(x)
    model = tl.Sequential([layers.Input((5,)), norm, layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=1, verbose=0)
    norm.adapt(x * 3)
    model.fit(x, y, epochs=1, verbose=0)  # the compiled state picks up the new statistics
    np.testing.assert_allclose(model.variables["state"][norm.name]["mean"], (x * 3).mean(0), rtol=1e-5)


def test_preprocessing_and_augmentation_survive_a_population_vmap(regression):
    x, _ = regression
    images = np.random.default_rng(1).uniform(0, 255, size=(32, 6, 6, 3)).astype(np.float32)
    labels = np.random.default_rng(2).integers(0, 2, 32).astype(np.int32)
    norm = layers.Normalization()
    norm.adapt(images)
    model = tl.Sequential([layers.Input((6, 6, 3)), layers.RandomFlip(), layers.RandomCrop(6, 6, padding=1),
                           norm, layers.Flatten(), layers.Dense(2, name="out")])
    obj = Objective.build(model, loss="sparse_categorical_crossentropy")
    opt = tl.optimizers.Adam()
    step = make_train_step(model, obj, opt)
    ts = init_train_state(model, obj, opt, key=jax.random.key(0))
    members = [population.with_hyperparameters(ts, optimizer={"learning_rate": lr}) for lr in (1e-3, 1e-2)]
    runner = EpochRunner(step, num_samples=32, batch_size=8, vmap_members=True)
    stacked, logs, _ = runner.run_epoch(population.stack(members), jax.device_put((images, labels, None)),
                                        jnp.arange(32))
    assert logs["loss"].shape == (2, 4)
    # the adapted statistics are state, identical in both members and unchanged by training
    np.testing.assert_allclose(population.member(stacked, 1).state[norm.name]["mean"], norm.mean)


def test_array_only_arguments_with_a_dataset_are_refused(regression):
    x, y = regression
    model = _model()
    ds = Dataset.from_tensor_slices((x, y)).batch(32)
    with pytest.raises(ValueError, match=r"`validation_split` is only supported when `x` holds arrays.*"
                                         r"validation_data"):
        model.fit(ds, validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match=r"`y` is only supported when `x` holds arrays.*\(x, y\) tuples"):
        model.fit(Dataset.from_tensor_slices(x).batch(32), y, verbose=0)
