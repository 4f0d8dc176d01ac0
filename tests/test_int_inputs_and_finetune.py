"""Integer inputs are range-checked before the int32 cast (issue 11, item 2), and
optimizer hyperparameters set after `load_model` win over the saved ones (item 3)."""

import numpy as np
import optax
import pytest

import trainlab as tl
from trainlab import layers


def _classifier():
    model = tl.Sequential([layers.Input((3,)), layers.Dense(4)])
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("dtype, value, wrapped", [
    (np.int64, 2**32 + 1, 1), (np.uint64, 2**32 + 1, 1), (np.uint32, 2**32 - 1, -1)])
def test_label_past_int32_is_refused_not_wrapped(dtype, value, wrapped):
    y = np.array([0, value], dtype=dtype)  # would train as class `wrapped` after the cast
    with pytest.raises(ValueError, match=rf"`y` holds the integer {value} \(at index \(1,\)\), outside the int32 "
                                         rf"range \[-2147483648, 2147483647\].*silently wrap it \(to {wrapped}\)"):
        _classifier().fit(np.ones((2, 3), np.float32), y, verbose=0)


def test_negative_int64_label_past_int32_is_refused():
    with pytest.raises(ValueError, match=r"`y` holds the integer -4294967296"):
        _classifier().fit(np.ones((2, 3), np.float32), np.array([0, -(2**32)], np.int64), verbose=0)


def test_token_past_int32_is_refused_before_embedding_would_accept_it():
    model = tl.Sequential([layers.Embedding(10, 2), layers.Flatten(), layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.array([[1, 2**32 + 5]], np.int64)  # 2**32 + 5 wraps to 5 < input_dim
    with pytest.raises(ValueError, match=r"`x` holds the integer 4294967301 \(at index \(0, 1\)\).*token indices "
                                         r"in \[0, input_dim\)"):
        model.fit(x, np.zeros(1, np.float32), verbose=0)
    with pytest.raises(ValueError, match=r"`x` holds the integer 4294967301"):
        model.predict(x, verbose=0)
    # in range but past input_dim: Embedding's own check, with the true value
    with pytest.raises(ValueError, match=r"`x` contains token index 12, but Embedding"):
        model.fit(np.array([[1, 12]], np.int64), np.zeros(1, np.float32), verbose=0)


def test_int64_in_range_trains_like_int32():
    x = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
    y = np.array([0, 1, 2, 3] * 2)
    results = []
    for dtype in (np.int64, np.int32):
        tl.layers.clear_session()
        tl.set_random_seed(1)
        model = _classifier()
        model.fit(x, y.astype(dtype), epochs=2, shuffle=False, verbose=0)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------
def _saved_linear(tmp_path, optimizer):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype(np.float32)
    y = rng.normal(size=(16, 1)).astype(np.float32)
    model = tl.Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(optimizer, "mse")
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    path = tmp_path / "m.trainlab"
    model.save(path)
    return x, y, path


def test_learning_rate_zero_after_load_freezes_the_weights(tmp_path):
    x, y, path = _saved_linear(tmp_path, tl.optimizers.Adam(learning_rate=0.1))
    loaded = tl.models.load_model(path)
    before = loaded.get_weights()
    loaded.optimizer.learning_rate = 0.0
    loaded.fit(x, y, batch_size=16, epochs=3, verbose=0)
    for a, b in zip(loaded.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert loaded.history.learning_rate == [0.0, 0.0, 0.0]


def test_new_learning_rate_after_load_matches_a_reference_update(tmp_path):
    x, y, path = _saved_linear(tmp_path, tl.optimizers.SGD(learning_rate=0.1))
    loaded = tl.models.load_model(path)
    kernel, bias = loaded.get_weights()
    loaded.optimizer.learning_rate = 0.03
    loaded.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    # reference: one full-batch step of optax.sgd(0.03) on the mean squared error, gradient in numpy
    err = x @ kernel + bias - y
    grads = (2.0 / err.size * x.T @ err, 2.0 / err.size * err.sum(0))
    opt = optax.sgd(0.03)
    updates, _ = opt.update(grads, opt.init(grads))
    expected = optax.apply_updates((kernel, bias), updates)
    new_kernel, new_bias = loaded.get_weights()
    np.testing.assert_allclose(new_kernel, expected[0], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(new_bias, expected[1], rtol=1e-5, atol=1e-7)
    # without a change the saved rate (0.1) is used, from the saved optimizer state
    again = tl.models.load_model(path)
    again.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(again.get_weights()[0], kernel - 0.1 * grads[0], rtol=1e-5, atol=1e-7)
