"""Every core layer against a reference formula, plus the error messages."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers


def _run(model_or_layer, x, training=False, key=None):
    model = model_or_layer if isinstance(model_or_layer, tl.Model) else tl.Sequential([model_or_layer])
    variables = model.init(jax.random.key(0), x)
    y, state = model.apply(variables, x, training=training, key=key)
    return y, state, variables


def test_dense_matches_matmul_plus_bias_with_activation():
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    layer = layers.Dense(3, activation="relu", name="d")
    y, _, v = _run(layer, x)
    w, b = v["params"]["d"]["kernel"], v["params"]["d"]["bias"]
    np.testing.assert_allclose(y, np.maximum(x @ w + b, 0), rtol=1e-5, atol=1e-6)


def test_dense_on_3d_inputs_acts_on_last_axis():
    x = np.ones((2, 7, 4), "float32")
    y, _, v = _run(layers.Dense(3, use_bias=False, name="d"), x)
    assert y.shape == (2, 7, 3)
    np.testing.assert_allclose(y[0, 0], x[0, 0] @ v["params"]["d"]["kernel"], rtol=1e-5)


def test_dense_wrong_input_names_layer_and_both_shapes():
    model = tl.Sequential([layers.Dense(8, input_shape=(784,), name="hidden")])
    variables = model.init(jax.random.key(0))
    with pytest.raises(ValueError, match=r"expects inputs of shape \(None, 784\), but `inputs` has shape \(None, 28, 28\)"):
        model.apply(variables, np.zeros((2, 28, 28), "float32"))
    layer = layers.Dense(8, name="hidden")
    layer(np.zeros((2, 784), "float32"))
    with pytest.raises(ValueError, match=r"Layer 'hidden' \(Dense\) expects inputs whose last dimension is 784.*shape \(None, 28, 28\).*Flatten"):
        layer(np.zeros((2, 28, 28), "float32"))


def test_flatten_reshape_rescaling_activation():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    assert _run(layers.Flatten(), x)[0].shape == (2, 12)
    np.testing.assert_array_equal(_run(layers.Reshape((4, -1)), x)[0], x.reshape(2, 4, 3))
    np.testing.assert_allclose(_run(layers.Rescaling(0.5, offset=1.0), x)[0], x * 0.5 + 1.0)
    np.testing.assert_allclose(_run(layers.Activation("tanh"), x)[0], np.tanh(x), rtol=1e-6)
    with pytest.raises(ValueError, match=r"Reshape\) cannot reshape inputs of shape \(None, 3, 4\) \(12 values per sample\) to `target_shape` \(5, -1\)"):
        _run(layers.Reshape((5, -1)), x)


def test_dropout_training_statistics_inference_identity_and_key():
    x = np.ones((200, 100), "float32")
    layer = layers.Dropout(0.3)
    y, _, _ = _run(layer, x, training=True, key=jax.random.key(1))
    y = np.asarray(y)
    dropped = (y == 0).mean()
    assert abs(dropped - 0.3) < 0.02
    np.testing.assert_allclose(y[y != 0], 1 / 0.7, rtol=1e-6)
    y2, _, _ = _run(layers.Dropout(0.3), x, training=True, key=jax.random.key(1))
    np.testing.assert_array_equal(y, y2)  # same key, same mask
    np.testing.assert_array_equal(_run(layers.Dropout(0.3), x)[0], x)
    model = tl.Sequential([layers.Dropout(0.5, name="drop")])
    variables = model.init(jax.random.key(0), x)
    with pytest.raises(ValueError, match=r"Layer 'drop' \(Dropout\) needs a random key in training mode.*key=jax.random.key"):
        model.apply(variables, x, training=True)
    with pytest.raises(ValueError, match=r"`rate` of Dropout must be a number in \[0, 1\); received 1.5"):
        layers.Dropout(1.5)


def test_dropout_rate_is_a_hyperparameter():
    model = tl.Sequential([layers.Dropout(0.5, name="drop")])
    x = np.ones((100, 50), "float32")
    variables = model.init(jax.random.key(0), x)
    assert model.hyperparameters() == {"drop": {"rate": 0.5}}
    y, _ = model.apply(variables, x, training=True, key=jax.random.key(0), hparams={"drop": {"rate": jnp.float32(0.1)}})
    assert abs(float((np.asarray(y) == 0).mean()) - 0.1) < 0.02


def test_batch_normalization_training_and_inference():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(64, 3)) * [1, 2, 3] + [0, 5, -5]).astype("float32")
    bn = layers.BatchNormalization(momentum=0.9, name="bn")
    model = tl.Sequential([bn])
    variables = model.init(jax.random.key(0), x)
    y, state = model.apply(variables, x, training=True)
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(state["bn"]["moving_mean"], 0.9 * 0 + 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(state["bn"]["moving_variance"], 0.9 * 1 + 0.1 * x.var(0), rtol=1e-5)
    # inference uses the moving averages
    y_inf, state_inf = model.apply({"params": variables["params"], "state": state}, x, training=False)
    mm, mv = np.asarray(state["bn"]["moving_mean"]), np.asarray(state["bn"]["moving_variance"])
    np.testing.assert_allclose(y_inf, (x - mm) / np.sqrt(mv + 1e-3), rtol=1e-4, atol=1e-4)
    assert state_inf is state or jax.tree.all(jax.tree.map(lambda a, b: bool(jnp.all(a == b)), state_inf, state))
    # a frozen BatchNormalization runs in inference mode even when training (Keras 3)
    bn.trainable = False
    y_frozen, state_frozen = model.apply(variables, x, training=True)
    np.testing.assert_allclose(y_frozen, x / np.sqrt(1 + 1e-3), rtol=1e-5)
    np.testing.assert_array_equal(state_frozen["bn"]["moving_mean"], variables["state"]["bn"]["moving_mean"])


def test_layer_normalization_matches_numpy():
    x = np.random.default_rng(1).normal(size=(4, 6)).astype("float32")
    y, _, _ = _run(layers.LayerNormalization(), x)
    expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)


def test_embedding_and_masked_global_average_pooling():
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0]], "int32")
    model = tl.Sequential([layers.Embedding(5, 2, mask_zero=True, name="emb"), layers.GlobalAveragePooling1D()])
    variables = model.init(jax.random.key(0), x)
    y, _ = model.apply(variables, x)
    table = np.asarray(variables["params"]["emb"]["embeddings"])
    np.testing.assert_allclose(y[0], table[[1, 2]].mean(0), rtol=1e-6)
    np.testing.assert_allclose(y[1], table[3], rtol=1e-6)
    plain = tl.Sequential([layers.Embedding(5, 2, name="emb"), layers.GlobalAveragePooling1D()])
    y_plain, _ = plain.apply(variables, x)
    np.testing.assert_allclose(y_plain[1], table[[3, 0, 0, 0]].mean(0), rtol=1e-6)


def test_merge_layers_functional():
    a, b = layers.Input((3,), name="a"), layers.Input((3,), name="b")
    outs = [layers.Add()([a, b]), layers.Subtract()([a, b]), layers.Multiply()([a, b]), layers.Average()([a, b]),
            layers.Maximum()([a, b]), layers.Minimum()([a, b]), layers.Concatenate()([a, b])]
    model = tl.Model([a, b], outs)
    xa, xb = np.array([[1.0, 5.0, 3.0]], "float32"), np.array([[4.0, 2.0, 3.0]], "float32")
    ys, _ = model.apply(model.init(jax.random.key(0)), [xa, xb])
    for y, ref in zip(ys, [xa + xb, xa - xb, xa * xb, (xa + xb) / 2, np.maximum(xa, xb), np.minimum(xa, xb),
                           np.concatenate([xa, xb], -1)]):
        np.testing.assert_allclose(y, ref)
    with pytest.raises(ValueError, match=r"Layer 'add_1' \(Add\) needs inputs of the same shape"):
        layers.Add(name="add_1")([a, layers.Input((4,))])


def test_eager_layer_call_creates_and_reuses_weights():
    layer = layers.Dense(2)
    x = np.ones((1, 3), "float32")
    y1 = layer(x)
    y2 = layer(x)
    np.testing.assert_array_equal(y1, y2)
    assert [w.shape for w in layer.get_weights()] == [(3, 2), (2,)]


def test_custom_keras_style_layer_in_a_model():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.alpha = self.add_weight("alpha", (input_shape[-1],), initializer="ones")

        def call(self, inputs):
            return inputs * self.alpha

    model = tl.Sequential([Scale(name="scale")])
    x = np.arange(6, dtype="float32").reshape(2, 3)
    variables = model.init(jax.random.key(0), x)
    variables["params"]["scale"]["alpha"] = jnp.array([1.0, 2.0, 3.0])
    y, _ = model.apply(variables, x)
    np.testing.assert_allclose(y, x * [1, 2, 3])
    grads = jax.grad(lambda p: model.apply({"params": p, "state": {}}, x)[0].sum())(variables["params"])
    np.testing.assert_allclose(grads["scale"]["alpha"], x.sum(0))


def test_unknown_layer_argument_is_named():
    with pytest.raises(TypeError, match=r"Dense got unexpected keyword argument\(s\) `unit`"):
        layers.Dense(3, unit=4)
