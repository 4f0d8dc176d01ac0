"""Tests for trainlab.metrics: every metric through the pure API (jit + lax.scan
over batches) and the stateful API against numpy / scikit-learn on the
concatenated data; vmap over members; "accuracy" resolution; messages."""

from __future__ import annotations

import doctest
import zlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn import metrics as skm

from trainlab import losses, metrics
from trainlab.metrics import (
    _accuracy,
    _base,
    _classification,
    _confusion,
    _fscore,
    _regression,
    _resolve,
)

N_BATCHES, BATCH, CLASSES = 4, 24, 5
N = N_BATCHES * BATCH


def _rng(seed):
    return np.random.default_rng(seed)


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# ----------------------------------------------------------------------------
# data: (y_true, y_pred) over the whole set, shape (N, ...)
# ----------------------------------------------------------------------------
def data_binary(seed):
    r = _rng(seed)
    y = r.integers(0, 2, size=(N, 1))
    p = np.clip(0.35 * y + r.uniform(0, 0.65, size=(N, 1)), 0, 1)
    return y, p


def data_sparse(seed):
    r = _rng(seed)
    y = r.integers(0, CLASSES, size=(N,))
    return y, softmax(r.normal(size=(N, CLASSES)) + 1.5 * np.eye(CLASSES)[y])


def data_onehot(seed):
    y, p = data_sparse(seed)
    return np.eye(CLASSES)[y], p


def data_regression(seed):
    r = _rng(seed)
    return r.normal(size=(N, 3)), r.normal(size=(N, 3))


def data_multilabel(seed):
    r = _rng(seed)
    y = r.integers(0, 2, size=(N, 3))
    return y, np.clip(0.3 * y + r.uniform(0, 0.7, size=(N, 3)), 0, 1)


def data_counts(seed):
    r = _rng(seed)
    return r.poisson(2.0, size=(N, 2)).astype(float), r.uniform(0.2, 4, size=(N, 2))


def wavg(values, w):
    return np.average(values, weights=w) if w is not None else np.mean(values)


def ref_topk(k):
    def ref(y, p, w):
        labels = y.argmax(-1) if y.ndim == 2 else y
        return skm.top_k_accuracy_score(labels, p, k=k, labels=range(CLASSES), sample_weight=w)
    return ref


def binarize(p, t=0.5):
    return (p > t).astype(int).ravel()


def ref_loss(fn):
    return lambda y, p, w: wavg(fn(y, p), w)


# name, factory, data, reference(y_true, y_pred, sample_weight) on the whole set
CASES = [
    ("accuracy", metrics.Accuracy,
     lambda s: (lambda y: (y[:, None], np.where(_rng(s).uniform(size=(N, 1)) < 0.7, y[:, None],
                                                 (y[:, None] + 1) % CLASSES)))(
         data_sparse(s)[0]),
     lambda y, p, w: skm.accuracy_score(y.ravel(), p.ravel(), sample_weight=w)),
    ("binary_accuracy", metrics.BinaryAccuracy, data_binary,
     lambda y, p, w: skm.accuracy_score(y.ravel(), binarize(p), sample_weight=w)),
    ("binary_accuracy_0.7", lambda: metrics.BinaryAccuracy(threshold=0.7), data_binary,
     lambda y, p, w: skm.accuracy_score(y.ravel(), binarize(p, 0.7), sample_weight=w)),
    ("categorical_accuracy", metrics.CategoricalAccuracy, data_onehot,
     lambda y, p, w: skm.accuracy_score(y.argmax(-1), p.argmax(-1), sample_weight=w)),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy, data_sparse,
     lambda y, p, w: skm.accuracy_score(y, p.argmax(-1), sample_weight=w)),
    ("top_k_categorical_accuracy", lambda: metrics.TopKCategoricalAccuracy(k=2), data_onehot,
     ref_topk(2)),
    ("sparse_top_k_categorical_accuracy", lambda: metrics.SparseTopKCategoricalAccuracy(k=3),
     data_sparse, ref_topk(3)),
    ("mean_squared_error", metrics.MeanSquaredError, data_regression,
     lambda y, p, w: skm.mean_squared_error(y, p, sample_weight=w)),
    ("mean_absolute_error", metrics.MeanAbsoluteError, data_regression,
     lambda y, p, w: skm.mean_absolute_error(y, p, sample_weight=w)),
    ("root_mean_squared_error", metrics.RootMeanSquaredError, data_regression,
     lambda y, p, w: np.sqrt(skm.mean_squared_error(y, p, sample_weight=w))),
    ("binary_crossentropy", metrics.BinaryCrossentropy, data_binary,
     lambda y, p, w: skm.log_loss(y.ravel(), p.ravel(), sample_weight=w, labels=[0, 1])),
    ("categorical_crossentropy", metrics.CategoricalCrossentropy, data_onehot,
     lambda y, p, w: skm.log_loss(y.argmax(-1), p, sample_weight=w, labels=range(CLASSES))),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalCrossentropy, data_sparse,
     lambda y, p, w: skm.log_loss(y, p, sample_weight=w, labels=range(CLASSES))),
    ("kl_divergence", metrics.KLDivergence,
     lambda s: (softmax(_rng(s).normal(size=(N, 4))), softmax(_rng(s + 1).normal(size=(N, 4)))),
     ref_loss(lambda y, p: np.sum(y * np.log(y / p), -1))),
    ("poisson", metrics.Poisson, data_counts,
     ref_loss(lambda y, p: np.mean(p - y * np.log(p + 1e-7), -1))),
    ("true_positives", metrics.TruePositives, data_binary,
     lambda y, p, w: skm.confusion_matrix(y.ravel(), binarize(p), sample_weight=w)[1, 1]),
    ("false_positives", metrics.FalsePositives, data_binary,
     lambda y, p, w: skm.confusion_matrix(y.ravel(), binarize(p), sample_weight=w)[0, 1]),
    ("true_negatives", metrics.TrueNegatives, data_binary,
     lambda y, p, w: skm.confusion_matrix(y.ravel(), binarize(p), sample_weight=w)[0, 0]),
    ("false_negatives", metrics.FalseNegatives, data_binary,
     lambda y, p, w: skm.confusion_matrix(y.ravel(), binarize(p), sample_weight=w)[1, 0]),
    ("precision", metrics.Precision, data_binary,
     lambda y, p, w: skm.precision_score(y.ravel(), binarize(p), sample_weight=w)),
    ("recall", metrics.Recall, data_binary,
     lambda y, p, w: skm.recall_score(y.ravel(), binarize(p), sample_weight=w)),
    ("precision_thresholds", lambda: metrics.Precision(thresholds=[0.3, 0.5, 0.8]), data_binary,
     lambda y, p, w: [skm.precision_score(y.ravel(), binarize(p, t), sample_weight=w)
                      for t in (0.3, 0.5, 0.8)]),
    ("recall_thresholds", lambda: metrics.Recall(thresholds=[0.3, 0.5, 0.8]), data_binary,
     lambda y, p, w: [skm.recall_score(y.ravel(), binarize(p, t), sample_weight=w)
                      for t in (0.3, 0.5, 0.8)]),
    ("precision_multiclass_flattened", metrics.Precision, data_multilabel,
     lambda y, p, w: skm.precision_score(
         y.ravel(), binarize(p), sample_weight=None if w is None else np.repeat(w, 3))),
    ("precision_class_id", lambda: metrics.Precision(class_id=2), data_onehot,
     lambda y, p, w: skm.precision_score(y[:, 2], binarize(p[:, 2]), sample_weight=w)),
    ("recall_class_id", lambda: metrics.Recall(class_id=1), data_onehot,
     lambda y, p, w: skm.recall_score(y[:, 1], binarize(p[:, 1]), sample_weight=w)),
    ("f1_macro", lambda: metrics.F1Score(average="macro", threshold=0.5), data_multilabel,
     lambda y, p, w: skm.f1_score(y, p > 0.5, average="macro", sample_weight=w)),
    ("f1_micro", lambda: metrics.F1Score(average="micro", threshold=0.5), data_multilabel,
     lambda y, p, w: skm.f1_score(y, p > 0.5, average="micro", sample_weight=w)),
    ("f1_weighted", lambda: metrics.F1Score(average="weighted", threshold=0.5), data_multilabel,
     lambda y, p, w: skm.f1_score(y, p > 0.5, average="weighted", sample_weight=w)),
    ("f1_none_argmax", lambda: metrics.F1Score(), data_onehot,
     lambda y, p, w: skm.f1_score(y.argmax(-1), p.argmax(-1), average=None,
                                  labels=range(CLASSES), sample_weight=w)),
    ("fbeta_2", lambda: metrics.FBetaScore(average="macro", beta=2.0, threshold=0.5),
     data_multilabel,
     lambda y, p, w: skm.fbeta_score(y, p > 0.5, beta=2.0, average="macro", sample_weight=w)),
]
CASE_IDS = [c[0] for c in CASES]


def run_pure(metric, y, p, w):
    """initial_state -> lax.scan(update) over batches -> compute, all under jit."""
    def split(a):
        return None if a is None else jnp.asarray(a).reshape((N_BATCHES, BATCH) + a.shape[1:])

    metric.build(y.shape, p.shape)

    @jax.jit
    def epoch(ys, ps, ws):
        def step(state, batch):
            yb, pb, wb = batch
            return metric.update(state, yb, pb, sample_weight=wb), None

        state, _ = jax.lax.scan(step, metric.initial_state(), (ys, ps, ws))
        return state, metric.compute(state)

    return epoch(split(y), split(p), split(w))


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name,factory,data,ref", CASES, ids=CASE_IDS)
def test_metric_matches_reference_pure_and_stateful(name, factory, data, ref, weighted):
    y, p = data(zlib.crc32(name.encode()) % 1000)
    w = _rng(7).uniform(0.1, 2.0, size=N) if weighted else None
    expected = np.asarray(ref(y, p, w), dtype=float)

    state, value = run_pure(factory(), y, p, w)
    np.testing.assert_allclose(value, expected, rtol=2e-5, atol=2e-6)

    stateful = factory()
    for b in range(N_BATCHES):
        sl = slice(b * BATCH, (b + 1) * BATCH)
        stateful.update_state(y[sl], p[sl], sample_weight=None if w is None else w[sl])
    np.testing.assert_allclose(stateful.result(), value, rtol=1e-6, atol=1e-7)
    jax.tree_util.tree_map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-6),
                           stateful.state, state)
    stateful.reset_state()
    assert stateful.state is None
    np.testing.assert_allclose(stateful.result(), np.zeros_like(expected))


def test_mean_and_sum_track_weighted_values():
    values = _rng(1).normal(size=(N_BATCHES, BATCH))
    w = _rng(2).uniform(0, 3, size=(N_BATCHES, BATCH))
    mean, total = metrics.Mean(), metrics.Sum()
    ms, ts = mean.initial_state(), total.initial_state()
    for v, wb in zip(values, w, strict=True):
        ms = jax.jit(mean.update)(ms, v, wb)
        ts = jax.jit(total.update)(ts, v, wb)
    np.testing.assert_allclose(mean.compute(ms), np.average(values, weights=w), rtol=1e-5)
    np.testing.assert_allclose(total.compute(ts), np.sum(values * w), rtol=1e-5)
    # the loss tracker: scalar batch losses weighted by batch sizes
    sizes, batch_losses = [32, 32, 7], [0.5, 0.25, 1.0]
    state = mean.initial_state()
    for loss, size in zip(batch_losses, sizes, strict=True):
        state = mean.update(state, loss, sample_weight=size)
    np.testing.assert_allclose(mean.compute(state), np.average(batch_losses, weights=sizes),
                               rtol=1e-6)
    # per-sample values of shape (batch, steps) are averaged per sample first
    m = metrics.Mean()
    m.update_state(np.array([[1.0, 3.0], [5.0, 7.0]]), sample_weight=[1.0, 3.0])
    assert float(m.result()) == pytest.approx((2.0 * 1 + 6.0 * 3) / 4)
    assert float(metrics.Mean().result()) == 0.0


def auc_bucket_error_bound(y, p, w=None, num_thresholds=200):
    """Max |bucketed ROC-AUC - exact ROC-AUC|. The trapezoid over bucket
    boundaries is the Mann-Whitney statistic with every (positive, negative)
    pair that shares a bucket counted 1/2; exactly it counts 0, 1/2 or 1. So
    the error is at most half the (weighted) fraction of such pairs."""
    w = np.ones_like(p) if w is None else w
    bucket = np.maximum(np.ceil(p * (num_thresholds - 1)) - 1, 0)
    same = sum(np.sum(w[(y == 1) & (bucket == b)]) * np.sum(w[(y == 0) & (bucket == b)])
               for b in np.unique(bucket))
    return 0.5 * same / (np.sum(w[y == 1]) * np.sum(w[y == 0]))


def ref_pr_auc_interpolated(y, p, w, num_thresholds=200):
    """Keras's PR-AUC interpolation (Davis & Goadrich), float64, by direct comparison."""
    t = np.array([-1e-7] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
                 + [1 + 1e-7])
    above = p[None, :] > t[:, None]
    tp = (above * (y == 1) * w).sum(1)
    fp = (above * (y == 0) * w).sum(1)
    fn = ((~above) * (y == 1) * w).sum(1)
    pp = tp + fp
    dtp, dp = tp[:-1] - tp[1:], pp[:-1] - pp[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(dp > 0, dtp / np.where(dp > 0, dp, 1), 0.0)
        intercept = tp[1:] - slope * pp[1:]
        ratio = np.where((pp[:-1] > 0) & (pp[1:] > 0), pp[:-1] / np.where(pp[1:] > 0, pp[1:], 1),
                         1.0)
        denom = tp[1:] + fn[1:]
        terms = np.where(denom > 0, slope * (dtp + intercept * np.log(ratio)) /
                         np.where(denom > 0, denom, 1), 0.0)
    return terms.sum()


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_auc_roc_within_bucketization_error_of_sklearn(weighted):
    y, p = data_binary(11)
    y, p = y.ravel(), p.ravel()
    w = _rng(3).uniform(0.1, 2, size=N) if weighted else None
    state, value = run_pure(metrics.AUC(), y, p, w)
    exact = skm.roc_auc_score(y, p, sample_weight=w)
    assert abs(float(value) - exact) <= auc_bucket_error_bound(y, p, w) + 1e-6
    assert abs(float(value) - exact) < 1e-3  # well-spread scores: few shared buckets
    # the 200 thresholds are Keras's: [-1e-7, 1/199, ..., 198/199, 1 + 1e-7]
    assert state["tp"].shape == (200,)
    assert float(state["tp"][0] + state["fn"][0]) == pytest.approx(
        np.sum(y * (w if weighted else 1)), rel=1e-5)


def test_auc_exact_when_no_two_scores_share_a_bucket():
    y = np.array([0, 1, 0, 1, 1, 0, 1, 0])
    p = np.array([0.1, 0.9, 0.45, 0.3, 0.8, 0.65, 0.55, 0.02])
    m = metrics.AUC()
    m.update_state(y, p)
    assert float(m.result()) == pytest.approx(skm.roc_auc_score(y, p), abs=1e-6)
    m = metrics.AUC(num_thresholds=3)  # Keras's docstring example
    m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert float(m.result()) == pytest.approx(0.75)


def test_auc_pr_curve():
    y, p = data_binary(12)
    y, p = y.ravel(), p.ravel()
    w = _rng(4).uniform(0.1, 2, size=N)
    values = {}
    for summation in ("interpolation", "minoring", "majoring"):
        _, values[summation] = run_pure(metrics.AUC(curve="PR", summation_method=summation),
                                        y, p, w)
    np.testing.assert_allclose(values["interpolation"], ref_pr_auc_interpolated(y, p, w),
                               rtol=1e-4)
    ap = skm.average_precision_score(y, p, sample_weight=w)
    for value in values.values():  # a different (step-wise) estimate of the same area
        assert abs(float(value) - ap) < 0.03
    assert float(values["minoring"]) <= float(values["interpolation"]) + 1e-6
    assert float(values["interpolation"]) <= float(values["majoring"]) + 1e-6


def test_auc_multi_label_from_logits_and_explicit_thresholds():
    y, p = data_multilabel(13)
    m = metrics.AUC(multi_label=True)
    _, value = run_pure(m, y, p, None)
    assert m.num_labels == 3
    per_label = [skm.roc_auc_score(y[:, j], p[:, j]) for j in range(3)]
    bound = np.mean([auc_bucket_error_bound(y[:, j], p[:, j]) for j in range(3)])
    assert abs(float(value) - np.mean(per_label)) <= bound + 1e-6
    # flattened (multi_label=False) = one binary problem over all entries
    _, flat = run_pure(metrics.AUC(), y, p, None)
    assert abs(float(flat) - skm.roc_auc_score(y.ravel(), p.ravel())) <= \
        auc_bucket_error_bound(y.ravel(), p.ravel()) + 1e-6
    logits = np.log(p + 1e-4) - np.log1p(-p + 1e-4)
    _, from_logits = run_pure(metrics.AUC(from_logits=True), y, logits, None)
    _, from_probs = run_pure(metrics.AUC(), y, jax.nn.sigmoid(logits), None)
    np.testing.assert_allclose(from_logits, from_probs, rtol=1e-6)
    # explicit (uneven) thresholds use direct comparison; same curve points
    thresholds = [0.1, 0.25, 0.6, 0.9]
    _, explicit = run_pure(metrics.AUC(thresholds=thresholds), y[:, 0], p[:, 0], None)
    t = np.array([-1e-7] + thresholds + [1 + 1e-7])
    above = p[:, 0][None] > t[:, None]
    yy = y[:, 0] == 1
    tpr, fpr = (above & yy).sum(1) / yy.sum(), (above & ~yy).sum(1) / (~yy).sum()
    np.testing.assert_allclose(explicit, np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2),
                               rtol=1e-5)


def test_precision_recall_top_k_match_numpy():
    y, p = data_multilabel(14)
    keep = np.argsort(-p, axis=1)[:, :2]
    predicted = np.zeros_like(y)
    np.put_along_axis(predicted, keep, 1, axis=1)
    tp = np.sum(predicted * y)
    _, precision = run_pure(metrics.Precision(top_k=2), y, p, None)
    _, recall = run_pure(metrics.Recall(top_k=2), y, p, None)
    np.testing.assert_allclose(precision, tp / predicted.sum(), rtol=1e-6)
    np.testing.assert_allclose(recall, tp / y.sum(), rtol=1e-6)
    m = metrics.Precision(top_k=2)  # Keras's docstring example
    assert float(m([[0, 0, 1, 1]], [[1, 1, 1, 1]])) == 0.0


def test_vmap_over_members_for_mean_accuracy_and_auc():
    members = 3
    y, p = data_sparse(15)
    preds = jnp.stack([p, np.roll(p, 1, axis=1), p[:, ::-1]])
    acc = metrics.get("accuracy", y_true_shape=y.shape, y_pred_shape=p.shape)
    states = jax.vmap(lambda _: acc.initial_state())(jnp.arange(members))
    states = jax.jit(jax.vmap(acc.update, in_axes=(0, None, 0)))(states, y, preds)
    np.testing.assert_allclose(jax.vmap(acc.compute)(states),
                               [np.mean(y == np.asarray(m).argmax(-1)) for m in preds], rtol=1e-6)
    mean = metrics.Mean()
    losses_per_member = jnp.array([[0.5, 1.0], [2.0, 4.0], [1.0, 1.0]])
    ms = jax.vmap(lambda _: mean.initial_state())(jnp.arange(members))
    ms = jax.vmap(mean.update)(ms, losses_per_member, jnp.array([[1.0, 3.0]] * members))
    np.testing.assert_allclose(jax.vmap(mean.compute)(ms), [0.875, 3.5, 1.0], rtol=1e-6)
    yb, pb = data_binary(16)
    scores = jnp.stack([pb, 1 - pb, 0.5 * pb])
    auc = metrics.AUC()
    st = jax.vmap(lambda _: auc.initial_state())(jnp.arange(members))
    st = jax.vmap(auc.update, in_axes=(0, None, 0))(st, yb, scores)
    values = jax.vmap(auc.compute)(st)
    assert float(values[0]) == pytest.approx(1 - float(values[1]), abs=1e-4)


# ----------------------------------------------------------------------------
# "accuracy" resolution and names
# ----------------------------------------------------------------------------
ACC = metrics.BinaryAccuracy, metrics.CategoricalAccuracy, metrics.SparseCategoricalAccuracy
RESOLUTION_TABLE = [
    # loss, y_true shape, y_pred shape -> class   (shapes win over the loss, as Keras 3)
    ("binary_crossentropy", (32, 1), (32, 1), metrics.BinaryAccuracy),
    ("binary_crossentropy", (32,), (32, 1), metrics.BinaryAccuracy),
    ("mse", (32, 1), (32, 1), metrics.BinaryAccuracy),
    ("sparse_categorical_crossentropy", (32,), (32, 10), metrics.SparseCategoricalAccuracy),
    ("sparse_categorical_crossentropy", (32, 1), (32, 10), metrics.SparseCategoricalAccuracy),
    ("categorical_crossentropy", (32, 10), (32, 10), metrics.CategoricalAccuracy),
    ("sparse_categorical_crossentropy", (8, 20), (8, 20, 7), metrics.SparseCategoricalAccuracy),
    ("categorical_crossentropy", (8, 20, 7), (8, 20, 7), metrics.CategoricalAccuracy),
    # multi-label sigmoid outputs: Keras 3 decides by shape -> categorical accuracy
    ("binary_crossentropy", (32, 5), (32, 5), metrics.CategoricalAccuracy),
    # shapes unknown: the loss decides
    ("binary_crossentropy", None, None, metrics.BinaryAccuracy),
    (losses.BinaryCrossentropy(from_logits=True), None, None, metrics.BinaryAccuracy),
    ("sparse_categorical_crossentropy", None, None, metrics.SparseCategoricalAccuracy),
    (losses.sparse_categorical_crossentropy, None, None, metrics.SparseCategoricalAccuracy),
    ("categorical_crossentropy", None, None, metrics.CategoricalAccuracy),
]


@pytest.mark.parametrize("identifier", ["accuracy", "acc", "Accuracy", "ACC"])
@pytest.mark.parametrize("loss,yt,yp,expected", RESOLUTION_TABLE)
def test_accuracy_resolution_table(identifier, loss, yt, yp, expected):
    m = metrics.get(identifier, loss=loss, y_true_shape=yt, y_pred_shape=yp)
    assert type(m) is expected
    assert m.name == identifier


def test_accuracy_resolution_needs_shapes_or_a_crossentropy():
    with pytest.raises(ValueError, match=r"Cannot tell which accuracy.*'mse'.*y_true_shape.*"
                                         r"'sparse_categorical_accuracy'"):
        metrics.get("accuracy", loss="mse")
    with pytest.raises(ValueError, match=r"Cannot tell which accuracy"):
        metrics.get("accuracy")


@pytest.mark.parametrize("name,cls", [
    ("mse", metrics.MeanSquaredError), ("MSE", metrics.MeanSquaredError),
    ("mean_squared_error", metrics.MeanSquaredError), ("mae", metrics.MeanAbsoluteError),
    ("rmse", metrics.RootMeanSquaredError),
    ("root_mean_squared_error", metrics.RootMeanSquaredError),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
    ("sparse_top_k_categorical_accuracy", metrics.SparseTopKCategoricalAccuracy),
    ("binary_accuracy", metrics.BinaryAccuracy), ("categorical_accuracy",
                                                   metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("precision", metrics.Precision), ("recall", metrics.Recall), ("auc", metrics.AUC),
    ("AUC", metrics.AUC), ("f1_score", metrics.F1Score), ("bce", metrics.BinaryCrossentropy),
    ("binary_crossentropy", metrics.BinaryCrossentropy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalCrossentropy),
    ("kl_divergence", metrics.KLDivergence), ("poisson", metrics.Poisson),
    ("true_positives", metrics.TruePositives), ("mean", metrics.Mean),
])
def test_get_keeps_the_users_string_as_name(name, cls):
    m = metrics.get(name)
    assert type(m) is cls and m.name == name


def test_get_objects_functions_and_losses():
    auc = metrics.AUC(curve="PR")
    assert metrics.get(auc) is auc
    assert metrics.get(None) is None
    assert type(metrics.get(metrics.Recall)) is metrics.Recall

    def l1(y_true, y_pred):
        return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)

    m = metrics.get(l1)
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "l1"
    assert float(m([[0.0], [0.0]], [[1.0], [3.0]])) == pytest.approx(2.0)
    m = metrics.get(losses.Huber(delta=1.0))
    assert m.name == "huber_loss"
    assert float(m([[0.0]], [[3.0]])) == pytest.approx(2.5)
    with pytest.raises(TypeError, match="Could not interpret"):
        metrics.get(3.5)


def test_unknown_metric_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown metric 'accuarcy' passed as `metrics`\. "
                                         r"Did you mean \"accuracy\"\?.*Expected one of: .*"
                                         r"acc, accuracy.*auc.*mse.*precision.*rmse"):
        metrics.get("accuarcy")


@pytest.mark.parametrize("metric", [
    metrics.Mean(name="loss"), metrics.Sum(), metrics.Accuracy(),
    metrics.BinaryAccuracy(threshold=0.3), metrics.CategoricalAccuracy(name="acc"),
    metrics.SparseCategoricalAccuracy(), metrics.TopKCategoricalAccuracy(k=3),
    metrics.SparseTopKCategoricalAccuracy(k=2), metrics.MeanSquaredError(),
    metrics.MeanAbsoluteError(), metrics.RootMeanSquaredError(),
    metrics.BinaryCrossentropy(from_logits=True), metrics.CategoricalCrossentropy(),
    metrics.SparseCategoricalCrossentropy(), metrics.KLDivergence(), metrics.Poisson(),
    metrics.Precision(thresholds=[0.2, 0.6], class_id=1), metrics.Recall(top_k=2),
    metrics.TruePositives(thresholds=0.3), metrics.FalseNegatives(),
    metrics.AUC(num_thresholds=50, curve="PR", summation_method="majoring"),
    metrics.AUC(thresholds=[0.2, 0.7], multi_label=True, num_labels=3),
    metrics.F1Score(average="macro", threshold=0.4), metrics.FBetaScore(beta=0.5),
    metrics.MeanMetricWrapper(metrics.sparse_top_k_categorical_accuracy, name="top2", k=2),
], ids=lambda m: type(m).__name__)
def test_serialize_round_trip(metric):
    restored = metrics.deserialize(metrics.serialize(metric))
    assert type(restored) is type(metric)
    assert restored.get_config() == metric.get_config()
    assert restored.name == metric.name


def test_custom_function_metric_cannot_be_saved_by_name():
    with pytest.raises(TypeError, match="Cannot save the metric function"):
        metrics.serialize(metrics.MeanMetricWrapper(lambda t, p: t - p))


def test_bad_arguments_have_actionable_messages():
    with pytest.raises(ValueError, match=r"`threshold` must be in \(0, 1\); received 0.*sigmoid"):
        metrics.BinaryAccuracy(threshold=0)
    with pytest.raises(ValueError, match=r"`thresholds` must be a number or a list of numbers in"
                                         r" \[0, 1\]; received \[0.5, 2\]"):
        metrics.Precision(thresholds=[0.5, 2])
    with pytest.raises(ValueError, match=r"`num_thresholds` must be an integer > 1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match=r"`curve` must be one of 'ROC', 'PR'"):
        metrics.AUC(curve="roc-ish")
    with pytest.raises(ValueError, match=r"does not know the number of labels yet.*build"):
        metrics.AUC(multi_label=True).initial_state()
    with pytest.raises(ValueError, match=r"does not know the number of classes yet.*build"):
        metrics.F1Score(average="macro").initial_state()
    with pytest.raises(ValueError, match=r"`class_id=3` needs predictions of shape"):
        metrics.Precision(class_id=3).update_state([0, 1], [0.2, 0.7])
    with pytest.raises(ValueError, match=r"`sample_weight` of shape \(3,\) does not match"):
        metrics.Accuracy().update_state([1, 2, 3], [1, 2, 2], sample_weight=[1, 1, 1])


def test_keras_docstring_values():
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], sample_weight=[1, 0, 0, 1])
    assert float(m.result()) == pytest.approx(0.5)
    m = metrics.CategoricalAccuracy()
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
                   sample_weight=[0.7, 0.3])
    assert float(m.result()) == pytest.approx(0.3)
    m = metrics.Precision()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
    assert float(m.result()) == pytest.approx(1.0)
    m = metrics.Precision(top_k=4)
    assert float(m([[0, 0, 1, 1]], [[1, 1, 1, 1]])) == pytest.approx(0.5)
    m = metrics.RootMeanSquaredError()
    assert float(m([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])) == \
        pytest.approx(0.70710677)
    m = metrics.F1Score(threshold=0.5)
    y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]])
    y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    np.testing.assert_allclose(m(y_true, y_pred), [0.5, 0.8, 0.6666667], rtol=1e-5)
    m = metrics.FBetaScore(beta=2.0, threshold=0.5)
    np.testing.assert_allclose(m(y_true, y_pred), [0.3846154, 0.90909094, 0.8333334], rtol=1e-5)


def test_predictions_equal_to_the_threshold_are_negative():
    # Keras compares strictly: y_pred > threshold
    assert float(metrics.BinaryAccuracy()([[1], [0]], [[0.5], [0.5]])) == 0.5
    assert float(metrics.Recall()([1, 1], [0.5, 0.7])) == 0.5
    assert float(metrics.TruePositives(thresholds=[0.0, 0.5])([1, 1], [0.0, 0.5])[0]) == 1.0
    assert float(metrics.F1Score(average="micro", threshold=0.5)([[1, 1]], [[0.5, 0.6]])) == \
        pytest.approx(2 / 3, rel=1e-5)
    # ties with the label's score count in its favour in top-k (TF's in_top_k)
    assert float(metrics.SparseTopKCategoricalAccuracy(k=1)([1], [[0.5, 0.5, 0.0]])) == 1.0
    assert float(metrics.SparseTopKCategoricalAccuracy(k=1)([0], [[0.4, 0.5, 0.1]])) == 0.0


def test_sample_weight_may_be_positional_as_in_keras():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state([0, 1], [[0.9, 0.1], [0.8, 0.2]], [3.0, 1.0])
    assert float(m.result()) == pytest.approx(0.75)
    mean = metrics.Mean()
    mean.update_state([1.0, 3.0], [1.0, 0.0])
    assert float(mean.result()) == 1.0


def test_stateful_metric_deepcopies_and_call_returns_result():
    import copy

    m = metrics.SparseCategoricalAccuracy()
    assert float(m([0, 1], [[0.9, 0.1], [0.8, 0.2]])) == 0.5
    clone = copy.deepcopy(m)
    clone.update_state([1], [[0.1, 0.9]])
    assert float(clone.result()) == pytest.approx(2 / 3)
    assert float(m.result()) == 0.5


@pytest.mark.parametrize("module", [metrics, _accuracy, _base, _classification, _confusion,
                                    _fscore, _regression, _resolve], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
