"""TensorFlow's Estimator form: train / evaluate / predict(input_fn=...), clip_gradients_by_norm,
Dataset.make_one_shot_iterator and `trainlab.compat.v1`, checked against closed forms and scikit-learn."""

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics

import trainlab.compat.v1 as tf
from trainlab import features as F
from trainlab import optimizers
from trainlab.data import Dataset
from trainlab.estimators import LinearClassifier, LinearRegressor, clip_gradients_by_norm

X = np.linspace(-1.0, 1.0, 64)
Y = 3.0 * X + 1.0


def gradient_descent(steps, lr, x=X, y=Y, clip=None):
    """Full-batch gradient descent on the mean squared error from zero weights (the closed-form reference)."""
    w = b = 0.0
    for _ in range(steps):
        r = w * x + b - y
        gw, gb = 2 * np.mean(r * x), 2 * np.mean(r)
        norm = np.hypot(gw, gb)
        if clip is not None and norm > clip:
            gw, gb = gw * clip / norm, gb * clip / norm
        w, b = w - lr * gw, b - lr * gb
    return w, b


def test_train_with_constant_arrays_is_full_batch_gradient_descent_and_continues():
    est = LinearRegressor([F.numeric_column("x")], optimizer="sgd", learning_rate=0.1)
    est.train(input_fn=lambda: ({"x": X}, Y), steps=5)
    np.testing.assert_allclose([est.coef_[0], est.intercept_], gradient_descent(5, 0.1), rtol=1e-5)
    est.train(input_fn=lambda: ({"x": X}, Y), steps=3)  # continues, as TF does
    assert est.t_ == 8
    np.testing.assert_allclose([est.coef_[0], est.intercept_], gradient_descent(8, 0.1), rtol=1e-5)
    est.train(input_fn=lambda: ({"x": X}, Y), max_steps=10)
    assert est.t_ == 10
    assert est.batch_size == 32 and est.steps is None  # parameters are left as they were


def test_clip_gradients_by_norm_clips_the_global_norm():
    opt = clip_gradients_by_norm(optimizers.SGD(learning_rate=0.1), 0.5)
    assert opt.get_config()["global_clipnorm"] == 0.5
    est = LinearRegressor([F.numeric_column("x")], optimizer=opt)
    est.train(input_fn=lambda: ({"x": X}, Y), steps=4)
    np.testing.assert_allclose([est.coef_[0], est.intercept_], gradient_descent(4, 0.1, clip=0.5), rtol=1e-5)
    with pytest.raises(ValueError, match=r"`clip_norm` must be a positive number.*received -1"):
        clip_gradients_by_norm("sgd", -1)


def test_dataset_input_fn_steps_batches_and_one_shot_iterator():
    def input_fn(num_epochs=None, shuffle=True):
        ds = Dataset.from_tensor_slices(({"x": X}, Y)).batch(8).repeat(num_epochs)
        if shuffle:
            ds = ds.shuffle(100)
        features, labels = ds.make_one_shot_iterator().get_next()
        return features, labels

    est = LinearRegressor([F.numeric_column("x")], optimizer="sgd", learning_rate=0.1, random_state=0)
    est.train(input_fn=input_fn, steps=300)
    assert est.t_ == 300
    np.testing.assert_allclose([est.coef_[0], est.intercept_], [3.0, 1.0], atol=0.05)
    est.train(input_fn=lambda: input_fn(num_epochs=2))  # until the input ends: 2 epochs of 8 batches
    assert est.t_ == 316
    preds = np.array([p["predictions"][0] for p in est.predict(input_fn=lambda: input_fn(1, shuffle=False))])
    np.testing.assert_allclose(preds, est.predict(pd.DataFrame({"x": X})), rtol=1e-6)
    np.testing.assert_allclose(preds, est.coef_[0] * X + est.intercept_, rtol=1e-5, atol=1e-6)
    logs = est.evaluate(input_fn=lambda: input_fn(1, shuffle=False))
    assert sorted(logs) == ["average_loss", "global_step", "label/mean", "loss", "prediction/mean"]
    np.testing.assert_allclose(logs["average_loss"], metrics.mean_squared_error(Y, preds), rtol=1e-6)
    assert logs["global_step"] == 316 and logs["label/mean"] == pytest.approx(Y.mean())
    it = Dataset.from_tensor_slices(({"x": X}, Y)).batch(8).make_one_shot_iterator()
    np.testing.assert_array_equal(next(it)[1], Y[:8])
    with pytest.raises(TypeError, match="only an estimator"):
        np.asarray(it.get_next()[0])


def test_classifier_evaluate_and_predict_dicts_match_scikit_learn():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    labels = (df["a"] + 0.5 * df["b"] + rng.normal(0, 0.3, 200) > 0).astype(int)
    fn = lambda: Dataset.from_tensor_slices((dict(df), labels)).batch(20)  # noqa: E731
    clf = LinearClassifier([F.numeric_column("a"), F.numeric_column("b")], learning_rate=0.1, random_state=0)
    for _ in range(3):
        clf.train(input_fn=fn)
    assert clf.t_ == 30
    proba = clf.predict_proba(df)
    logs = clf.evaluate(input_fn=fn)
    np.testing.assert_allclose(logs["auc"], metrics.roc_auc_score(labels, proba[:, 1]), rtol=1e-6)
    np.testing.assert_allclose(logs["accuracy"], metrics.accuracy_score(labels, clf.predict(df)))
    np.testing.assert_allclose(logs["average_loss"], metrics.log_loss(labels, proba), rtol=1e-4)
    np.testing.assert_allclose(logs["precision"], metrics.precision_score(labels, clf.predict(df)))
    assert logs["accuracy"] > 0.8 and logs["accuracy_baseline"] == pytest.approx(max(labels.mean(), 1 - labels.mean()))
    preds = list(clf.predict(input_fn=lambda: Dataset.from_tensor_slices(dict(df)).batch(50)))
    assert len(preds) == 200
    assert set(preds[0]) == {"class_ids", "classes", "probabilities", "logits", "logistic", "all_class_ids",
                             "all_classes"}
    np.testing.assert_array_equal([p["class_ids"][0] for p in preds], clf.predict(df))
    np.testing.assert_allclose([p["probabilities"] for p in preds], proba, rtol=1e-6)
    assert preds[0]["classes"][0] in (b"0", b"1") and preds[0]["logits"].shape == (1,)
    only = next(clf.predict(input_fn=lambda: dict(df), predict_keys=["probabilities"]))
    assert list(only) == ["probabilities"]


def test_input_fn_errors_name_the_argument_and_the_fix():
    est = LinearRegressor([F.numeric_column("x")])
    with pytest.raises(TypeError, match=r"`input_fn` of train\(\) must be a function.*received"):
        est.train(input_fn=({"x": X}, Y), steps=1)
    forever = lambda: Dataset.from_tensor_slices(({"x": X}, Y)).batch(8).repeat()  # noqa: E731
    with pytest.raises(ValueError, match=r"repeats forever.*Pass `steps=`"):
        est.train(input_fn=forever)
    with pytest.raises(ValueError, match=r"Pass `steps` or `max_steps`, not both"):
        est.train(input_fn=forever, steps=1, max_steps=2)
    with pytest.raises(ValueError, match=r"without labels"):
        est.train(input_fn=lambda: {"x": X}, steps=1)
    with pytest.raises(TypeError, match=r"predict\(\) needs `X`"):
        est.predict()
    with pytest.raises(ValueError, match=r"`hooks`"):
        est.train(input_fn=forever, steps=1, hooks=[object()])


def test_compat_v1_names_of_the_crash_course():
    opt = tf.contrib.estimator.clip_gradients_by_norm(tf.train.GradientDescentOptimizer(learning_rate=0.1), 5.0)
    tf.logging.set_verbosity(tf.logging.ERROR)
    est = tf.estimator.LinearRegressor(feature_columns=[tf.feature_column.numeric_column("x")], optimizer=opt,
                                       model_dir=None)
    est.train(input_fn=lambda: ({"x": X}, Y), steps=5)
    np.testing.assert_allclose([est.coef_[0], est.intercept_], gradient_descent(5, 0.1), rtol=1e-5)
    assert tf.train.AdamOptimizer(0.01).get_config()["epsilon"] == 1e-8
    assert tf.keras.layers.Dense is __import__("trainlab").layers.Dense
    with pytest.raises(ValueError, match=r"`weight_column`"):
        tf.estimator.LinearClassifier(feature_columns=[], weight_column="w")


@pytest.mark.parametrize("name", ["trainlab.estimators._input_fn", "trainlab.data._one_shot", "trainlab.compat.v1"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
