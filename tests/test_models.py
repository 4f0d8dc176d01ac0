"""Sequential, functional and subclassed models: the pure core (init/apply),
summary, weights, freezing and input checks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers


def mlp(**kw):
    return tl.Sequential([
        layers.Flatten(input_shape=(28, 28)),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], **kw)


def test_init_is_pure_and_deterministic():
    model = tl.Sequential([layers.Dense(4, name="d")])
    v1 = model.init(jax.random.key(0), (None, 3))
    v2 = model.init(jax.random.key(0), (None, 3))
    v3 = model.init(jax.random.key(1), (None, 3))
    np.testing.assert_array_equal(v1["params"]["d"]["kernel"], v2["params"]["d"]["kernel"])
    assert not np.allclose(v1["params"]["d"]["kernel"], v3["params"]["d"]["kernel"])
    assert not model._is_initialized()  # init returned variables without touching the model's own weights
    assert tl.Sequential([layers.Dense(4)]).get_weights() == []  # unbuilt: no weights yet, as Keras


def test_apply_is_differentiable_and_jittable():
    model = tl.Sequential([layers.Dense(4, activation="tanh"), layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    variables = model.init(jax.random.key(0), x)

    def loss(params):
        y, _ = model.apply({"params": params, "state": {}}, x)
        return jnp.mean(y ** 2)

    g = jax.jit(jax.grad(loss))(variables["params"])
    assert jax.tree.structure(g) == jax.tree.structure(variables["params"])
    y_jit, _ = jax.jit(lambda v, x: model.apply(v, x))(variables, x)
    np.testing.assert_allclose(y_jit, model.apply(variables, x)[0], rtol=1e-6)


def test_summary_before_fit_with_input_shape():
    model = mlp(name="mnist")
    text = model.summary(print_fn=lambda s: None)
    assert "Total params: 101,770" in text
    assert "(None, 128)" in text and "Trainable params: 101,770" in text


def test_lazy_build_from_data():
    model = tl.Sequential([layers.Dense(3), layers.Dense(1)])
    assert not model.built
    model(np.zeros((2, 5), "float32"))
    assert model.built and [w.shape for w in model.get_weights()] == [(5, 3), (3,), (3, 1), (1,)]


def test_get_set_weights_round_trip_and_errors():
    model = mlp()
    weights = model.get_weights() if model._is_initialized() else None
    model.build_from_data(np.zeros((1, 28, 28), "float32"))
    weights = model.get_weights()
    new = [w + 1 for w in weights]
    model.set_weights(new)
    for a, b in zip(model.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"`weights` must be a list of 4 arrays.*received 3"):
        model.set_weights(new[:3])
    with pytest.raises(ValueError, match=r"Weight 'kernel' of layer 'dense' has shape \(784, 128\).*has shape \(2, 2\)"):
        model.set_weights([np.zeros((2, 2))] + new[1:])


def test_unique_layer_names_required():
    with pytest.raises(ValueError, match=r"must be unique; 'same' is used twice"):
        tl.Sequential([layers.Dense(2, name="same"), layers.Dense(2, name="same")])


def test_functional_model_multiple_inputs_outputs():
    a, b = layers.Input((4,), name="a"), layers.Input((2,), name="b")
    h = layers.Dense(8, activation="relu", name="h")(layers.Concatenate()([a, b]))
    model = tl.Model([a, b], [layers.Dense(1, name="price")(h), layers.Dense(3, activation="softmax", name="kind")(h)])
    assert model.output_names == ["price", "kind"]
    variables = model.init(jax.random.key(0))
    xa, xb = np.ones((5, 4), "float32"), np.ones((5, 2), "float32")
    (price, kind), _ = model.apply(variables, {"a": xa, "b": xb})
    assert price.shape == (5, 1) and kind.shape == (5, 3)
    with pytest.raises(ValueError, match=r"has 2 inputs \(a, b\); `inputs` must be a list of 2 arrays"):
        model.apply(variables, xa)


def test_shared_layer_uses_one_set_of_weights():
    inp = layers.Input((3,))
    shared = layers.Dense(3, name="shared")
    out = shared(shared(inp))
    model = tl.Model(inp, out)
    variables = model.init(jax.random.key(0))
    assert list(variables["params"]) == ["shared"]
    x = np.ones((2, 3), "float32")
    w, b = variables["params"]["shared"]["kernel"], variables["params"]["shared"]["bias"]
    np.testing.assert_allclose(model.apply(variables, x)[0], (x @ w + b) @ w + b, rtol=1e-5)


def test_nested_models_and_freezing():
    base = tl.Sequential([layers.Dense(4, input_shape=(3,), name="b1")], name="base")
    model = tl.Sequential([base, layers.Dense(2, name="head")])
    model.build_from_data(np.zeros((1, 3), "float32"))
    assert set(model.variables["params"]) == {"base", "head"}
    base.trainable = False
    from trainlab.models._variables import count_layer_params

    assert count_layer_params(model) == (10, 16)
    assert base.layers[0].trainable is False


def test_subclassed_model():
    class TwoLayer(tl.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(1)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    model = TwoLayer()
    x = np.ones((4, 3), "float32")
    variables = model.init(jax.random.key(0), x)
    assert set(variables["params"]) == {model.hidden.name, model.out.name}
    assert model.apply(variables, x)[0].shape == (4, 1)


def test_input_layer_in_sequential_and_model_input_check():
    model = tl.Sequential([layers.Input((28, 28)), layers.Flatten(), layers.Dense(10)])
    assert model.built
    variables = model.init(jax.random.key(0))
    # a trailing axis of size 1 is squeezed, as Keras 3 does (Functional._adjust_input_rank)
    x = np.random.default_rng(0).random((2, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(model.apply(variables, x[..., None])[0], model.apply(variables, x)[0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(None, 28, 28\), but `inputs` has shape \(None, 28, 28, 3\)"):
        model.apply(variables, np.zeros((2, 28, 28, 3), "float32"))
