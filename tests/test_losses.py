"""Tests for trainlab.losses: closed-form numpy references, Keras's documented
values, reduction and sample-weight rules, logits stability, target checks,
name resolution and serialization."""

from __future__ import annotations

import doctest

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from trainlab import losses
from trainlab.losses import _base, _probabilistic, _regression, _targets

EPS = 1e-7
RNG = np.random.default_rng(0)


# ----------------------------------------------------------------------------
# numpy references (float64), written from the formulas in the Keras docs
# ----------------------------------------------------------------------------
def np_log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def np_log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def ref_mse(t, p):
    return np.mean((t - p) ** 2, axis=-1)


def ref_mae(t, p):
    return np.mean(np.abs(t - p), axis=-1)


def ref_huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.mean(np.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta**2), axis=-1)


def ref_log_cosh(t, p):
    return np.mean(np.log(np.cosh(p - t)), axis=-1)


def ref_hinge(t, p):
    t = 2 * t - 1 if np.all((t == 0) | (t == 1)) else t
    return np.mean(np.maximum(1 - t * p, 0), axis=-1)


def ref_bce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return np.mean(-(t * np_log_sigmoid(p) + (1 - t) * np_log_sigmoid(-p)), axis=-1)
    p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), axis=-1)


def ref_cce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + label_smoothing / t.shape[-1]
    if from_logits:
        return -np.sum(t * np_log_softmax(p), axis=-1)
    p = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return -np.sum(t * np.log(p), axis=-1)


def ref_scce(labels, p, from_logits=False):
    return ref_cce(np.eye(p.shape[-1])[labels], p, from_logits)


def ref_kld(t, p):
    t, p = np.clip(t, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(t * np.log(t / p), axis=-1)


def ref_poisson(t, p):
    return np.mean(p - t * np.log(p + EPS), axis=-1)


def softmax(x):
    return np.exp(np_log_softmax(x))


def make_data(kind, shape=(6, 4)):
    """(y_true, y_pred) for a loss family, shape (batch, ..., d)."""
    n_classes = shape[-1]
    if kind == "regression":
        return RNG.normal(size=shape), RNG.normal(size=shape)
    if kind == "binary":
        return RNG.integers(0, 2, size=shape).astype(float), RNG.uniform(0.02, 0.98, size=shape)
    if kind == "binary_logits":
        return RNG.integers(0, 2, size=shape).astype(float), RNG.normal(scale=3, size=shape)
    if kind == "hinge":
        return RNG.choice([-1.0, 1.0], size=shape), RNG.normal(size=shape)
    if kind == "onehot":
        labels = RNG.integers(0, n_classes, size=shape[:-1])
        return np.eye(n_classes)[labels], softmax(RNG.normal(size=shape))
    if kind == "onehot_logits":
        labels = RNG.integers(0, n_classes, size=shape[:-1])
        return np.eye(n_classes)[labels], RNG.normal(scale=3, size=shape)
    if kind == "sparse":
        return RNG.integers(0, n_classes, size=shape[:-1]), softmax(RNG.normal(size=shape))
    if kind == "sparse_logits":
        return RNG.integers(0, n_classes, size=shape[:-1]), RNG.normal(scale=3, size=shape)
    if kind == "distribution":
        return softmax(RNG.normal(size=shape)), softmax(RNG.normal(size=shape))
    if kind == "counts":
        return RNG.poisson(2.0, size=shape).astype(float), RNG.uniform(0.1, 4, size=shape)
    raise AssertionError(kind)


# name, loss factory, per-sample function (with kwargs), numpy reference, data kind
CASES = [
    ("mse", losses.MeanSquaredError, losses.mean_squared_error, ref_mse, "regression"),
    ("mae", losses.MeanAbsoluteError, losses.mean_absolute_error, ref_mae, "regression"),
    ("huber", lambda: losses.Huber(delta=0.7), lambda t, p: losses.huber(t, p, delta=0.7),
     lambda t, p: ref_huber(t, p, 0.7), "regression"),
    ("log_cosh", losses.LogCosh, losses.log_cosh, ref_log_cosh, "regression"),
    ("hinge", losses.Hinge, losses.hinge, ref_hinge, "hinge"),
    ("bce", losses.BinaryCrossentropy, losses.binary_crossentropy, ref_bce, "binary"),
    ("bce_logits_smooth",
     lambda: losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2),
     lambda t, p: losses.binary_crossentropy(t, p, from_logits=True, label_smoothing=0.2),
     lambda t, p: ref_bce(t, p, True, 0.2), "binary_logits"),
    ("cce", losses.CategoricalCrossentropy, losses.categorical_crossentropy, ref_cce, "onehot"),
    ("cce_logits_smooth",
     lambda: losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
     lambda t, p: losses.categorical_crossentropy(t, p, from_logits=True, label_smoothing=0.1),
     lambda t, p: ref_cce(t, p, True, 0.1), "onehot_logits"),
    ("scce", losses.SparseCategoricalCrossentropy, losses.sparse_categorical_crossentropy,
     ref_scce, "sparse"),
    ("scce_logits", lambda: losses.SparseCategoricalCrossentropy(from_logits=True),
     lambda t, p: losses.sparse_categorical_crossentropy(t, p, from_logits=True),
     lambda t, p: ref_scce(t, p, True), "sparse_logits"),
    ("kld", losses.KLDivergence, losses.kl_divergence, ref_kld, "distribution"),
    ("poisson", losses.Poisson, losses.poisson, ref_poisson, "counts"),
]
CASE_IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("shape", [(6, 4), (3, 5, 4)], ids=["2d", "3d"])
@pytest.mark.parametrize("name,factory,fn,ref,kind", CASES, ids=CASE_IDS)
def test_per_sample_losses_match_numpy(name, factory, fn, ref, kind, shape):
    y_true, y_pred = make_data(kind, shape)
    expected = ref(y_true, y_pred)
    assert expected.shape == shape[:-1]
    per_sample = factory().call(jnp.asarray(y_true), jnp.asarray(y_pred, jnp.float32))
    np.testing.assert_allclose(per_sample, expected, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(fn(y_true, y_pred), expected, rtol=2e-5, atol=2e-6)
    # default reduction: the mean over all per-sample losses
    np.testing.assert_allclose(factory()(y_true, y_pred), expected.mean(), rtol=2e-5, atol=2e-6)


def ref_reduce(values, sample_weight, reduction):
    """Keras 3 reduction: weight, then sum / size (or / sum of weights)."""
    w = np.ones_like(values) if sample_weight is None else np.asarray(sample_weight, float)
    if w.ndim == values.ndim + 1 and w.shape[-1] == 1:
        # Keras: (n,) losses with (n, 1) weights become (n, 1); else squeeze the weights
        if values.ndim == 1:
            values = values[:, None]
        else:
            w = w[..., 0]
    while 0 < w.ndim < values.ndim:
        w = w[..., None]
    w = np.broadcast_to(w, values.shape)
    weighted = values * w
    if reduction in (None, "none"):
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction in ("sum_over_batch_size", "mean", "auto"):
        return weighted.sum() / weighted.size
    assert reduction == "mean_with_sample_weight"
    return weighted.sum() / w.sum()


REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None,
              "auto"]
WEIGHTS = {
    "none": lambda n: None,
    "per_sample": lambda n: RNG.uniform(0, 2, size=n),
    "column": lambda n: RNG.uniform(0, 2, size=(n, 1)),
    "scalar": lambda n: 0.5,
}


@pytest.mark.parametrize("weights", list(WEIGHTS), ids=list(WEIGHTS))
@pytest.mark.parametrize("reduction", REDUCTIONS, ids=[str(r) for r in REDUCTIONS])
@pytest.mark.parametrize("name", ["mse", "scce_logits"])
def test_reductions_and_sample_weights(name, reduction, weights):
    _, factory, _, ref, kind = CASES[CASE_IDS.index(name)]
    y_true, y_pred = make_data(kind, (8, 3))
    sw = WEIGHTS[weights](8)
    loss = factory()
    loss.reduction = _base._standardize_reduction(reduction)
    got = loss(y_true, y_pred, sample_weight=sw)
    expected = ref_reduce(ref(y_true, y_pred), sw, reduction)
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("weight_shape", [(4,), (4, 1), (4, 5)])
def test_sequence_losses_take_per_sample_or_per_step_weights(weight_shape):
    # per-sample losses of shape (batch, steps): weights broadcast per sample
    y_true, y_pred = make_data("sparse_logits", (4, 5, 3))
    sw = RNG.uniform(0, 1, size=weight_shape)
    values = ref_scce(y_true, y_pred, True)
    w = np.broadcast_to(sw.reshape(weight_shape + (1,) * (2 - len(weight_shape))), values.shape)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    np.testing.assert_allclose(loss(y_true, y_pred, sw), (values * w).sum() / values.size,
                               rtol=2e-5)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True,
                                                reduction="mean_with_sample_weight")
    np.testing.assert_allclose(loss(y_true, y_pred, sw), (values * w).sum() / w.sum(), rtol=2e-5)


def test_keras_documented_values():
    # keras.losses docstrings (Keras 3)
    y_true = np.array([[0, 1, 0], [0, 0, 1]])
    y_pred = np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    cce = losses.CategoricalCrossentropy()
    assert float(cce(y_true, y_pred)) == pytest.approx(1.177, abs=1e-3)
    assert float(cce(y_true, y_pred, sample_weight=[0.3, 0.7])) == pytest.approx(0.814, abs=1e-3)
    assert float(losses.CategoricalCrossentropy(reduction="sum")(y_true, y_pred)) == \
        pytest.approx(2.354, abs=1e-3)
    np.testing.assert_allclose(losses.CategoricalCrossentropy(reduction=None)(y_true, y_pred),
                               [0.0513, 2.303], atol=1e-3)
    scce = losses.SparseCategoricalCrossentropy()
    assert float(scce([1, 2], y_pred, sample_weight=np.array([0.3, 0.7]))) == \
        pytest.approx(0.814, abs=1e-3)
    bce = losses.BinaryCrossentropy(from_logits=True)
    y_true, y_pred = np.array([[0, 1], [0, 0]]), np.array([[-18.6, 0.51], [2.94, -12.8]])
    assert float(bce(y_true, y_pred)) == pytest.approx(0.8654, abs=2e-4)
    # weights scale per-sample losses, the divisor stays the batch size (2), not sum(w) (1)
    assert float(bce(y_true, y_pred, sample_weight=[0.8, 0.2])) == pytest.approx(0.243, abs=1e-3)
    bce_sum = losses.BinaryCrossentropy(from_logits=True, reduction="sum")
    assert float(bce_sum(y_true, y_pred)) == pytest.approx(1.730, abs=1e-3)
    np.testing.assert_allclose(
        losses.BinaryCrossentropy(from_logits=True, reduction=None)(y_true, y_pred),
        [0.235, 1.496], atol=1e-3)
    np.testing.assert_allclose(losses.binary_crossentropy([[0, 1], [0, 0]],
                                                          [[0.6, 0.4], [0.4, 0.6]]),
                               [0.916, 0.714], atol=1e-3)
    assert float(losses.huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).mean()) == \
        pytest.approx(0.155, abs=1e-3)
    assert float(losses.log_cosh([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]).mean()) \
        == pytest.approx(0.108, abs=1e-3)


def test_binary_targets_of_shape_n_work_with_outputs_of_shape_n_1():
    y_true, y_pred = make_data("binary", (7, 1))
    bce = losses.BinaryCrossentropy()
    np.testing.assert_allclose(bce(y_true[:, 0], y_pred), bce(y_true, y_pred), rtol=1e-6)
    np.testing.assert_allclose(losses.MeanSquaredError()(y_true[:, 0], y_pred),
                               ref_mse(y_true, y_pred).mean(), rtol=1e-5)


def test_sparse_labels_of_shape_n_1_and_float_labels():
    labels, probs = make_data("sparse", (6, 4))
    scce = losses.SparseCategoricalCrossentropy()
    expected = ref_scce(labels, probs).mean()
    np.testing.assert_allclose(scce(labels[:, None], probs), expected, rtol=1e-5)
    np.testing.assert_allclose(scce(labels.astype(np.float32), probs), expected, rtol=1e-5)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
def test_ignore_class_masks_entries_as_keras(reduction):
    labels, logits = make_data("sparse_logits", (4, 6, 3))
    labels[0, :3] = -1
    labels[2, 5] = -1
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                                reduction=reduction)
    valid = labels != -1
    per = np.where(valid, ref_scce(np.where(valid, labels, 0), logits, True), 0.0)
    expected = {"sum_over_batch_size": per.sum() / valid.sum(), "sum": per.sum(),
                "none": per}[reduction]
    np.testing.assert_allclose(loss(labels, logits), expected, rtol=2e-5, atol=1e-7)
    grads = jax.grad(lambda x: loss(labels, x).sum())(jnp.asarray(logits, jnp.float32))
    assert np.all(np.isfinite(grads))
    assert np.all(np.asarray(grads)[~valid] == 0)


# ----------------------------------------------------------------------------
# logits versus probabilities
# ----------------------------------------------------------------------------
LOGIT_PAIRS = [
    ("binary", losses.BinaryCrossentropy, "sigmoid", jax.nn.sigmoid, "binary_logits"),
    ("categorical", losses.CategoricalCrossentropy, "softmax", jax.nn.softmax, "onehot_logits"),
    ("sparse", losses.SparseCategoricalCrossentropy, "softmax", jax.nn.softmax,
     "sparse_logits"),
]


@pytest.mark.parametrize("family,cls,activation,act,kind,smoothing", [
    pair + (smoothing,) for pair in LOGIT_PAIRS for smoothing in (0.0, 0.15)
    if not (pair[0] == "sparse" and smoothing)  # no label smoothing for sparse (as Keras)
], ids=["bce", "bce-smooth", "cce", "cce-smooth", "scce"])
def test_logits_version_agrees_on_moderate_inputs(family, cls, activation, act, kind, smoothing):
    kwargs = {"label_smoothing": smoothing} if smoothing else {}
    y_true, logits = make_data(kind, (16, 5))
    logits = np.clip(logits, -5, 5)
    prob_loss = cls(**kwargs)
    logit_loss = prob_loss.logits_version(activation)
    assert isinstance(logit_loss, cls) and logit_loss.from_logits
    assert logit_loss.name == prob_loss.name and logit_loss.reduction == prob_loss.reduction
    if smoothing:
        assert logit_loss.label_smoothing == smoothing
    logits = jnp.asarray(logits, jnp.float32)
    np.testing.assert_allclose(logit_loss(y_true, logits), prob_loss(y_true, act(logits)),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(logit_loss.call(y_true, logits),
                               prob_loss.call(y_true, act(logits)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("family,cls,activation,act,kind", LOGIT_PAIRS, ids=["bce", "cce", "scce"])
def test_extreme_logits_stay_finite_and_correct(family, cls, activation, act, kind):
    y_true, _ = make_data(kind, (6, 3))
    logits = np.array([[200.0, -200.0, 0.0], [-200.0, 200.0, 199.0], [200.0, 200.0, -200.0],
                       [-200.0, -200.0, -200.0], [0.0, 150.0, -150.0], [1.0, -1.0, 200.0]])
    logit_loss = cls().logits_version(activation)
    reference = {"binary": lambda t, x: ref_bce(t, x, True),
                 "categorical": lambda t, x: ref_cce(t, x, True),
                 "sparse": lambda t, x: ref_scce(t, x, True)}[family]
    values = logit_loss.call(y_true, jnp.asarray(logits, jnp.float32))
    assert np.all(np.isfinite(values))
    # atol: a row whose exact loss is ~1e-87 (every logit -200, every label 0) is 0 in float32
    np.testing.assert_allclose(values, reference(y_true, logits), rtol=1e-5, atol=1e-6)
    grads = jax.grad(lambda x: logit_loss(y_true, x))(jnp.asarray(logits, jnp.float32))
    assert np.all(np.isfinite(grads))
    # the probability version saturates at -log(1e-7) and its gradient vanishes there
    probs = act(jnp.asarray(logits, jnp.float32))
    prob_values = cls().call(y_true, probs)
    assert np.all(np.isfinite(prob_values))
    assert float(jnp.max(prob_values)) <= -np.log(EPS) + 1e-3


def test_probability_gradient_vanishes_where_logits_gradient_does_not():
    # a confidently wrong sigmoid output: p = sigmoid(-30) ~ 1e-13 for a positive target
    prob_grad = jax.grad(lambda z: losses.BinaryCrossentropy()([[1.0]], jax.nn.sigmoid(z)))(
        jnp.array([[-30.0]]))
    logit_grad = jax.grad(lambda z: losses.BinaryCrossentropy(from_logits=True)([[1.0]], z))(
        jnp.array([[-30.0]]))
    assert float(prob_grad[0, 0]) == 0.0
    assert float(logit_grad[0, 0]) == pytest.approx(-1.0, abs=1e-6)


def test_logits_version_is_none_when_it_does_not_apply():
    assert losses.BinaryCrossentropy().logits_version("softmax") is None
    assert losses.BinaryCrossentropy(from_logits=True).logits_version("sigmoid") is None
    assert losses.CategoricalCrossentropy().logits_version("sigmoid") is None
    assert losses.CategoricalCrossentropy(axis=1).logits_version("softmax") is None
    assert losses.SparseCategoricalCrossentropy().logits_version("linear") is None
    assert losses.MeanSquaredError().logits_version("softmax") is None
    assert losses.SparseCategoricalCrossentropy().logits_version(jax.nn.softmax).from_logits
    assert losses.BinaryCrossentropy().logits_version("Sigmoid").from_logits


def test_label_smoothing_formulas():
    t = np.array([[0.0, 1.0, 0.0]])
    p = np.array([[0.2, 0.5, 0.3]])
    smoothed = t * 0.7 + 0.3 / 3
    np.testing.assert_allclose(losses.categorical_crossentropy(t, p, label_smoothing=0.3),
                               -np.sum(smoothed * np.log(p), -1), rtol=1e-6)
    smoothed = t * 0.7 + 0.15
    np.testing.assert_allclose(
        losses.binary_crossentropy(t, p, label_smoothing=0.3),
        np.mean(-(smoothed * np.log(p) + (1 - smoothed) * np.log(1 - p)), -1), rtol=1e-6)


def test_probabilities_are_renormalised_and_clipped_as_keras():
    # categorical outputs are divided by their sum; exact zeros are clipped to 1e-7
    t = np.array([[0.0, 1.0]])
    np.testing.assert_allclose(losses.categorical_crossentropy(t, [[2.0, 2.0]]), np.log(2),
                               rtol=1e-6)
    np.testing.assert_allclose(losses.categorical_crossentropy(t, [[1.0, 0.0]]), -np.log(EPS),
                               rtol=1e-4)
    np.testing.assert_allclose(losses.binary_crossentropy([[1.0]], [[0.0]]), -np.log(EPS),
                               rtol=1e-4)


# ----------------------------------------------------------------------------
# jit / grad / vmap
# ----------------------------------------------------------------------------
def test_losses_are_pure_under_jit_grad_and_vmap():
    labels, logits = make_data("sparse_logits", (8, 5))
    loss = losses.get("sparse_categorical_crossentropy").logits_version("softmax")
    sw = RNG.uniform(size=8)
    eager = loss(labels, logits, sw)
    jitted = jax.jit(loss.__call__)(labels, logits, sw)
    np.testing.assert_allclose(jitted, eager, rtol=1e-6)
    grads = jax.jit(jax.grad(lambda x: loss(labels, x, sw)))(jnp.asarray(logits, jnp.float32))
    assert grads.shape == (8, 5)
    members = jnp.stack([logits, 2 * logits, -logits]).astype(jnp.float32)
    per_member = jax.vmap(lambda x: loss(labels, x, sw))(members)
    np.testing.assert_allclose(per_member, [loss(labels, m, sw) for m in members], rtol=1e-6)


# ----------------------------------------------------------------------------
# target validation
# ----------------------------------------------------------------------------
def test_sparse_labels_out_of_range_name_y_range_and_fix():
    scce = losses.SparseCategoricalCrossentropy()
    scce.validate_targets(np.array([0, 9, 3]), (None, 10))
    scce.validate_targets(np.array([[0], [9]]), (None, 10))
    with pytest.raises(ValueError, match=r"`y` range from 1 to 10.*10 output classes.*"
                                         r"last Dense layer has 10 units; labels must be 0\.\.9"
                                         r".*1-based: pass y - 1"):
        scce.validate_targets(np.array([1, 10, 5]), (None, 10))
    with pytest.raises(ValueError, match=r"from 0 to 12.*give the last Dense layer 13 units"):
        scce.validate_targets(np.array([0, 12]), (32, 10))
    with pytest.raises(ValueError, match=r"from -1 to 3.*ignore_class=-1"):
        scce.validate_targets(np.array([-1, 3]), (None, 10))
    losses.SparseCategoricalCrossentropy(ignore_class=-1).validate_targets(
        np.array([-1, 3]), (None, 10))
    with pytest.raises(ValueError, match=r"single output unit.*binary_crossentropy"):
        scce.validate_targets(np.array([0, 1]), (None, 1))


def test_sparse_labels_must_be_integers_not_one_hot():
    scce = losses.SparseCategoricalCrossentropy()
    with pytest.raises(ValueError, match=r"looks one-hot.*categorical_crossentropy"):
        scce.validate_targets(np.eye(10)[[1, 2, 3]], (None, 10))
    with pytest.raises(ValueError, match=r"non-integer values such as 0\.5.*categorical_cross"):
        scce.validate_targets(np.array([0.5, 1.0]), (None, 10))
    with pytest.raises(ValueError, match=r"NaN"):
        scce.validate_targets(np.array([np.nan, 1.0]), (None, 10))
    with pytest.raises(ValueError, match=r"shape \(3, 2\).*one integer label per output row"):
        scce.validate_targets(np.zeros((3, 2)), (None, 10))
    scce.validate_targets(np.array([1.0, 2.0]), (None, 10))  # integral floats are fine


def test_categorical_crossentropy_with_integer_labels_suggests_sparse():
    cce = losses.CategoricalCrossentropy()
    cce.validate_targets(np.eye(10)[[1, 2]], (None, 10))
    for y in (np.array([1, 2, 9]), np.array([[1], [2], [9]])):
        with pytest.raises(ValueError, match=r"integer class labels \(1 to 9\).*"
                                             r"sparse_categorical_crossentropy.*np\.eye\(10\)"):
            cce.validate_targets(y, (None, 10))
    with pytest.raises(ValueError, match=r"same shape as the outputs"):
        cce.validate_targets(np.eye(5)[[1, 2]], (None, 10))
    with pytest.warns(UserWarning, match="single output unit"):
        cce.validate_targets(np.ones((3, 1)), (None, 1))


def test_binary_crossentropy_targets_outside_0_1():
    bce = losses.BinaryCrossentropy()
    bce.validate_targets(np.array([0, 1, 1]), (None, 1))
    bce.validate_targets(np.array([[0.2], [1.0]]), (None, 1))
    with pytest.raises(ValueError, match=r"targets in \[0, 1\].*from -1 to 1.*\(y \+ 1\) / 2"):
        bce.validate_targets(np.array([-1, 1, 1]), (None, 1))
    with pytest.raises(ValueError, match=r"from 0 to 4.*sparse_categorical_crossentropy.*"
                                         r"Dense\(5, activation='softmax'\)"):
        bce.validate_targets(np.array([0, 4, 2]), (None, 1))
    with pytest.raises(ValueError, match=r"from 0 to 2\.5.*Rescale"):
        bce.validate_targets(np.array([0.0, 2.5]), (None, 1))
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(None, 4\).*element by element"):
        bce.validate_targets(np.array([0, 1, 1]), (None, 4))


def test_default_validate_targets_accepts_anything():
    assert losses.MeanSquaredError().validate_targets(np.array(["a"]), (None, 1)) is None


# ----------------------------------------------------------------------------
# resolution and serialization
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("name,cls", [
    ("mse", losses.MeanSquaredError), ("MSE", losses.MeanSquaredError),
    ("mean_squared_error", losses.MeanSquaredError), ("mae", losses.MeanAbsoluteError),
    ("mean_absolute_error", losses.MeanAbsoluteError), ("huber", losses.Huber),
    ("huber_loss", losses.Huber), ("log_cosh", losses.LogCosh), ("logcosh", losses.LogCosh),
    ("hinge", losses.Hinge), ("binary_crossentropy", losses.BinaryCrossentropy),
    ("bce", losses.BinaryCrossentropy), ("categorical_crossentropy",
                                         losses.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
    ("kld", losses.KLDivergence), ("kl_divergence", losses.KLDivergence),
    ("kullback_leibler_divergence", losses.KLDivergence), ("poisson", losses.Poisson),
    ("SparseCategoricalCrossentropy", losses.SparseCategoricalCrossentropy),
    ("Huber", losses.Huber),
])
def test_get_resolves_keras_names(name, cls):
    loss = losses.get(name)
    assert type(loss) is cls
    assert loss.name == (name if name != cls.__name__ else cls().name)


def test_get_passes_objects_functions_and_configs():
    huber = losses.Huber(delta=3.0)
    assert losses.get(huber) is huber
    assert losses.get(None) is None
    assert type(losses.get(losses.sparse_categorical_crossentropy)) is \
        losses.SparseCategoricalCrossentropy
    assert type(losses.get(losses.Poisson)) is losses.Poisson

    def cube(y_true, y_pred):
        return jnp.mean(jnp.abs(y_true - y_pred) ** 3, axis=-1)

    wrapped = losses.get(cube)
    assert isinstance(wrapped, losses.LossFunctionWrapper) and wrapped.name == "cube"
    assert float(wrapped(np.zeros((2, 1)), np.full((2, 1), 2.0))) == pytest.approx(8.0)
    with pytest.raises(TypeError, match="Cannot save the loss function"):
        losses.serialize(wrapped)
    with pytest.raises(TypeError, match=r"Could not interpret .* as a loss for `loss`"):
        losses.get(3)


def test_unknown_loss_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown loss 'sparse_categorical_crossentropyy' "
                                         r"passed as `loss`\. Did you mean "
                                         r"\"sparse_categorical_crossentropy\"\?.*"
                                         r"Expected one of: .*mae.*mse.*poisson"):
        losses.get("sparse_categorical_crossentropyy")


def test_invalid_reduction_and_smoothing_messages():
    with pytest.raises(ValueError, match=r"`reduction` must be one of .*'sum_over_batch_size'"
                                         r".*received 'average'"):
        losses.MeanSquaredError(reduction="average")
    with pytest.raises(ValueError, match=r"`label_smoothing` must be in \[0, 1\]; received 1\.5"):
        losses.BinaryCrossentropy(label_smoothing=1.5)


@pytest.mark.parametrize("loss", [
    losses.MeanSquaredError(reduction="sum"), losses.Huber(delta=2.5, name="h"),
    losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    losses.CategoricalCrossentropy(label_smoothing=0.2, axis=-1),
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255),
    losses.KLDivergence(), losses.Poisson(reduction=None), losses.LogCosh(), losses.Hinge(),
    losses.MeanAbsoluteError(), losses.LossFunctionWrapper(losses.mean_squared_error, name="w"),
], ids=lambda loss: type(loss).__name__)
def test_serialize_round_trip(loss):
    config = losses.serialize(loss)
    restored = losses.deserialize(config)
    assert type(restored) is type(loss)
    assert restored.get_config() == loss.get_config()
    y_true, y_pred = make_data("binary", (4, 3))
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        y_true = RNG.integers(0, 3, size=4)
    np.testing.assert_allclose(restored(y_true, y_pred), loss(y_true, y_pred), rtol=1e-6)
    assert losses.serialize(losses.mean_squared_error) == "mean_squared_error"
    assert type(losses.deserialize("mse")) is losses.MeanSquaredError


def test_custom_subclass_uses_base_reduction():
    class Cube(losses.Loss):
        def call(self, y_true, y_pred):
            return jnp.mean(jnp.abs(y_true - y_pred) ** 3, axis=-1)

    loss = Cube(reduction="sum")
    assert loss.name == "cube"
    assert float(loss(np.zeros((3, 2)), np.ones((3, 2)), sample_weight=[1, 2, 3])) == 6.0
    with pytest.raises(NotImplementedError, match="must implement `call"):
        losses.Loss()(np.zeros(2), np.zeros(2))


@pytest.mark.parametrize("module", [losses, _base, _regression, _probabilistic, _targets],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
