import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from trainlab import activations, initializers, regularizers

X = jnp.linspace(-4.0, 4.0, 17)

REFERENCES = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "relu6": lambda x: np.clip(x, 0, 6),
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "exponential": np.exp,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activation_matches_formula(name):
    np.testing.assert_allclose(activations.get(name)(X), REFERENCES[name](np.asarray(X, np.float64)), rtol=1e-5, atol=1e-6)


def test_activation_none_is_linear_and_unknown_lists_names():
    assert activations.get(None) is activations.linear
    with pytest.raises(ValueError, match=r"Unknown activation 'rleu'.*Did you mean \"relu\"\?.*Expected one of:.*sigmoid"):
        activations.get("rleu")


def test_activation_serialize_round_trip():
    for name in ("relu", "softmax", "swish"):
        assert activations.get(activations.serialize(activations.get(name))) is activations.get(name)


@pytest.mark.parametrize(
    "shape,fans",
    [((10,), (10, 10)), ((784, 128), (784, 128)), ((3, 3, 8, 16), (72, 144)), ((5, 4, 2), (20, 10))],
)
def test_compute_fans_like_keras(shape, fans):
    assert initializers.compute_fans(shape) == fans


@pytest.mark.parametrize(
    "name,check",
    [
        ("glorot_uniform", lambda w, fi, fo: (np.abs(w).max() <= math.sqrt(6 / (fi + fo)), w.var(), 2 / (fi + fo))),
        ("he_uniform", lambda w, fi, fo: (np.abs(w).max() <= math.sqrt(6 / fi), w.var(), 2 / fi)),
        ("lecun_uniform", lambda w, fi, fo: (np.abs(w).max() <= math.sqrt(3 / fi), w.var(), 1 / fi)),
        ("glorot_normal", lambda w, fi, fo: (np.abs(w).max() <= 2 * math.sqrt(2 / (fi + fo)) / 0.8796, w.var(), 2 / (fi + fo))),
        ("he_normal", lambda w, fi, fo: (np.abs(w).max() <= 2 * math.sqrt(2 / fi) / 0.8796, w.var(), 2 / fi)),
        ("lecun_normal", lambda w, fi, fo: (np.abs(w).max() <= 2 * math.sqrt(1 / fi) / 0.8796, w.var(), 1 / fi)),
    ],
)
def test_variance_scaling_initializers_have_keras_variance(name, check):
    fan_in, fan_out = 400, 300
    w = np.asarray(initializers.get(name)(jax.random.key(1), (fan_in, fan_out)))
    within, var, expected_var = check(w, fan_in, fan_out)
    assert within
    assert abs(var / expected_var - 1) < 0.05


def test_simple_initializers_and_seed():
    key = jax.random.key(0)
    assert float(jnp.sum(initializers.get("zeros")(key, (3, 2)))) == 0.0
    assert float(jnp.sum(initializers.get("ones")(key, (3, 2)))) == 6.0
    np.testing.assert_allclose(initializers.Constant(2.5)(key, (2,)), [2.5, 2.5])
    w = np.asarray(initializers.get("random_normal")(key, (20000,)))
    assert abs(w.std() - 0.05) < 0.002
    u = np.asarray(initializers.get("random_uniform")(key, (20000,)))
    assert u.min() >= -0.05 and u.max() < 0.05
    a = initializers.GlorotUniform(seed=3)(jax.random.key(1), (4, 4))
    b = initializers.GlorotUniform(seed=3)(jax.random.key(2), (4, 4))
    np.testing.assert_array_equal(a, b)
    q = np.asarray(initializers.Orthogonal()(key, (6, 6)))
    np.testing.assert_allclose(q @ q.T, np.eye(6), atol=1e-5)


def test_initializer_errors():
    with pytest.raises(ValueError, match=r"Unknown initializer 'glorot_unifrom'.*Did you mean"):
        initializers.get("glorot_unifrom")
    with pytest.raises(ValueError, match=r"`mode` must be one of"):
        initializers.VarianceScaling(mode="fan")


def test_regularizer_formulas_and_errors():
    w = jnp.array([[1.0, -2.0], [3.0, -4.0]])
    assert float(regularizers.L1(0.1)(w)) == pytest.approx(1.0)
    assert float(regularizers.L2(0.01)(w)) == pytest.approx(0.30)
    assert float(regularizers.L1L2(0.1, 0.01)(w)) == pytest.approx(1.30)
    assert float(regularizers.get("l2")(w)) == pytest.approx(0.30)
    # strengths are hyperparameters: a penalty under vmap over strengths
    pen = jax.vmap(lambda s: regularizers.L2().penalty(w, {"l2": s}))(jnp.array([0.0, 0.01, 0.1]))
    np.testing.assert_allclose(pen, [0.0, 0.3, 3.0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"`l2` must be >= 0; received -0.1"):
        regularizers.L2(-0.1)
