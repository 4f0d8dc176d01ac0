"""LinearRegressor / LinearClassifier / DNNRegressor / DNNClassifier, checked against
closed-form solutions, scikit-learn's solvers and hand-computed gradient steps."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

from trainlab import features as F
from trainlab.estimators import DNNClassifier, DNNRegressor, LinearClassifier, LinearRegressor
from trainlab.estimators._engine import get_engine


def linear_data(n=200, d=3, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * [1.0, 5.0, 0.2][:d] + [0.0, 10.0, -3.0][:d]
    w = np.array([1.5, -0.4, 4.0][:d])
    return X, X @ w + 2.0 + noise * rng.normal(size=n)


def test_linear_regressor_recovers_least_squares_coefficients():
    X, y = linear_data(noise=0.1)
    # full-batch gradient descent on standardized features converges to the least-squares solution
    # (mini-batches hover around it; Adam's memory of the first large gradients slows the bias down)
    est = LinearRegressor(optimizer="sgd", learning_rate=0.2, epochs=600, batch_size=200, tol=None,
                          random_state=0).fit(X, y)  # tol=None: exactly 600 epochs
    ols = LinearRegression().fit(X, y)
    np.testing.assert_allclose(est.coef_, ols.coef_, rtol=2e-3, atol=2e-3)
    assert est.intercept_ == pytest.approx(ols.intercept_, abs=0.02)
    np.testing.assert_allclose(est.predict(X), ols.predict(X), atol=0.02)
    assert est.score(X, y) == pytest.approx(ols.score(X, y), abs=1e-5)
    assert est.n_features_in_ == 3 and est.n_iter_ == 600 and est.t_ == 600 and len(est.loss_curve_) == 600
    minibatch = LinearRegressor(optimizer="sgd", learning_rate=0.02, epochs=40, batch_size=32, tol=None,
                                random_state=0).fit(X, y)
    assert minibatch.t_ == 40 * 7 and minibatch.score(X, y) == pytest.approx(ols.score(X, y), abs=1e-3)


@pytest.mark.parametrize("clip", [None, 0.5])
def test_one_sgd_step_matches_the_hand_computed_clipped_gradient(clip):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=16), "b": rng.normal(size=16)})
    y = 3 * df["a"] - df["b"] + 1
    est = LinearRegressor([F.numeric_column("a"), F.numeric_column("b")], optimizer="sgd", learning_rate=0.1,
                          batch_size=16, steps=1, clip_gradients_by_norm=clip, random_state=0).fit(df, y)
    X = df.to_numpy()
    sd = np.std(y.to_numpy())
    z = (y - y.mean()) / sd  # the model trains on standardized targets
    grad = np.concatenate([-2 / 16 * X.T @ z, [-2 / 16 * z.sum()]])  # weights start at zero
    if clip is not None:
        grad = grad * min(1.0, clip / np.linalg.norm(grad))  # the global norm, as tf clip_gradients_by_norm
    # and its scale is folded back: raw weights = std * w, raw bias = mean + std * b
    np.testing.assert_allclose(est.coef_, -0.1 * grad[:2] * sd, rtol=1e-5)
    assert est.intercept_ == pytest.approx(y.mean() - 0.1 * grad[2] * sd, rel=1e-5)
    assert est.t_ == 1


def test_l2_matches_ridge_and_l1_zeroes_irrelevant_weights():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=100), "b": rng.normal(size=100), "noise": rng.normal(size=100)})
    y = 2 * df["a"] - df["b"] + 0.1 * rng.normal(size=100)
    cols = [F.numeric_column(k) for k in df]
    common = dict(learning_rate=0.02, batch_size=100, epochs=1500, tol=None, random_state=0)
    ridge_like = LinearRegressor(cols, l2=0.05, **common).fit(df, y)
    ridge = Ridge(alpha=100 * 0.05).fit(df, y)  # Keras l2 * sum(w^2) on a mean loss = Ridge alpha / n
    np.testing.assert_allclose(ridge_like.coef_, ridge.coef_, rtol=2e-3, atol=2e-3)
    lasso_like = LinearRegressor(cols, l1=0.05, **common).fit(df, y)
    plain = LinearRegressor(cols, **common).fit(df, y)
    assert abs(lasso_like.coef_[2]) < 0.01 < abs(plain.coef_[2]) * 10
    assert abs(lasso_like.coef_[0]) < abs(plain.coef_[0])


def test_linear_regressor_with_categorical_columns_matches_least_squares_on_one_hot():
    rng = np.random.default_rng(2)
    n = 300
    df = pd.DataFrame({"x": rng.normal(size=n), "city": rng.choice(["a", "b", "c", "d"], n),
                       "day": rng.integers(0, 3, n)})
    effect = {"a": 0.0, "b": 3.0, "c": -2.0, "d": 1.0}
    y = 2 * df["x"] + df["city"].map(effect) + 0.5 * df["day"] + 0.1 * rng.normal(size=n)
    cols = [F.numeric_column("x", normalize=True),
            F.categorical_column_with_vocabulary_list("city", ["a", "b", "c", "d"]),
            F.categorical_column_with_identity("day", 3)]
    est = LinearRegressor(cols, learning_rate=0.05, epochs=500, batch_size=n, tol=None, random_state=0).fit(df, y)
    design = pd.get_dummies(df, columns=["city", "day"], dtype=float)
    ols = LinearRegression().fit(design, y)
    rmse = np.sqrt(np.mean((est.predict(df) - y) ** 2))
    rmse_ols = np.sqrt(np.mean((ols.predict(design) - y) ** 2))
    assert rmse == pytest.approx(rmse_ols, rel=0.01)
    with pytest.raises(AttributeError, match=r"coef_ is only defined when every feature column is a numeric"):
        est.coef_


def test_multi_output_regression():
    X, y = linear_data()
    Y = np.column_stack([y, -y])
    est = LinearRegressor(learning_rate=0.05, epochs=60, random_state=0).fit(X, Y)
    assert est.predict(X).shape == (200, 2) and est.coef_.shape == (2, 3)
    np.testing.assert_allclose(est.coef_[1], -est.coef_[0], rtol=1e-2)


def logistic_data(n=400, seed=0, classes=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    logits = X @ rng.normal(size=(2, classes)) * 2
    y = np.array([rng.choice(classes, p=np.exp(l) / np.exp(l).sum()) for l in logits])
    return X, y


@pytest.mark.parametrize("classes", [2, 3])
def test_linear_classifier_matches_unregularized_logistic_regression(classes):
    X, y = logistic_data(classes=classes)
    labels = np.array(["cat", "dog", "emu"])[y]
    clf = LinearClassifier(learning_rate=0.05, epochs=800, batch_size=400, tol=None, random_state=0).fit(X, labels)
    ref = LogisticRegression(C=1e6, max_iter=5000).fit(X, labels)
    assert clf.classes_.tolist() == ref.classes_.tolist()
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba, ref.predict_proba(X), atol=0.02)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    decision = clf.decision_function(X)
    assert decision.shape == ((400,) if classes == 2 else (400, classes))
    if classes == 2:
        np.testing.assert_allclose(1 / (1 + np.exp(-decision)), proba[:, 1], rtol=1e-6)
        np.testing.assert_allclose(clf.coef_, ref.coef_, atol=0.1)
    assert clf.score(X, labels) == pytest.approx(ref.score(X, labels), abs=0.01)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-6)


def test_dnn_estimators_learn_nonlinear_functions():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(400, 2))
    reg = DNNRegressor(hidden_units=(32, 16), learning_rate=0.01, epochs=80, random_state=0)
    assert reg.fit(X, X[:, 0] ** 2 - X[:, 1]).score(X, X[:, 0] ** 2 - X[:, 1]) > 0.95
    y = np.where(X[:, 0] ** 2 + X[:, 1] ** 2 > 1.5, "out", "in")
    clf = DNNClassifier(hidden_units=(32, 16), learning_rate=0.01, epochs=80, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.93
    assert LinearClassifier(learning_rate=0.05, epochs=20, random_state=0).fit(X, y).score(X, y) < 0.75


def test_dropout_and_batch_norm_train_and_predict_deterministically():
    X, y = linear_data(noise=0.1)
    reg = DNNRegressor(hidden_units=(16,), dropout=0.2, batch_norm=True, learning_rate=0.01, epochs=40,
                       random_state=0).fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), reg.predict(X))
    assert reg.score(X, y) > 0.9
    names = [layer.name for layer in reg.model_.layers]
    assert {"hidden_1", "batch_norm_1", "dropout_1", "logits"} <= set(names)


def test_steps_count_gradient_steps_and_may_end_inside_an_epoch():
    X, y = linear_data()
    est = LinearRegressor(batch_size=32, steps=10, random_state=0).fit(X, y)  # 7 steps per epoch
    assert est.t_ == 10 and est.n_iter_ == 2
    est = LinearRegressor(batch_size=32, steps=3, random_state=0).fit(X, y)
    assert est.t_ == 3 and est.n_iter_ == 1


def test_early_stopping_keeps_the_best_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 20))
    y = X[:, 0] + rng.normal(scale=2.0, size=120)  # a big network overfits this
    est = DNNRegressor(hidden_units=(128, 128), learning_rate=0.01, epochs=200, early_stopping=True,
                       validation_fraction=0.25, n_iter_no_change=5, random_state=0).fit(X, y)
    val = est.history_["val_loss"]
    best = int(np.argmin(val))
    assert est.n_iter_ < 200 and len(val) == est.n_iter_
    assert est.n_iter_ == best + 1 + 5
    assert est.best_loss_ == min(val)


def test_early_stopping_needs_enough_rows():
    with pytest.raises(ValueError, match=r"leaves no validation or no training sample"):
        LinearRegressor(early_stopping=True, validation_fraction=0.5).fit(np.ones((1, 2)), [1.0])


def test_fit_is_idempotent_and_warm_start_continues():
    X, y = linear_data(noise=0.5)
    a = LinearRegressor(epochs=3, random_state=0).fit(X, y)
    first = a.predict(X)
    np.testing.assert_array_equal(a.fit(X, y).predict(X), first)
    warm = LinearRegressor(epochs=3, warm_start=True, random_state=0).fit(X, y)
    warm.fit(X, y)
    assert warm.n_iter_ == 6 and warm.t_ == 42
    assert warm.history_["loss"][-1] < warm.history_["loss"][2]


def test_partial_fit_learns_online():
    X, y = linear_data(n=1000, noise=0.1)
    est = LinearRegressor(optimizer="sgd", learning_rate=0.05, batch_size=32, random_state=0)
    for _ in range(3):
        for chunk in np.array_split(np.arange(1000), 10):
            est.partial_fit(X[chunk], y[chunk])
    assert est.score(X, y) > 0.995 and est.n_iter_ == 30  # the noise caps R^2 at about 0.9985


def test_classifier_partial_fit_needs_all_classes_first():
    X, y = logistic_data(classes=3)
    clf = LinearClassifier(random_state=0)
    with pytest.raises(ValueError, match=r"`classes` must be passed on the first call to partial_fit"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    assert clf.classes_.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"label\(s\) \[7\] that are not among the classes \[0, 1, 2\]"):
        clf.partial_fit(X[:2], [0, 7])


def test_clones_share_compiled_programs():
    X, y = linear_data()
    a = DNNRegressor(hidden_units=(8,), learning_rate=0.01, l2=0.001, epochs=2, random_state=0).fit(X, y)
    a.predict(X)
    engine = get_engine(a._engine_key_, None)
    compiles = engine.compiles
    b = DNNRegressor(hidden_units=(8,), learning_rate=0.05, l2=0.01, epochs=2, random_state=1).fit(X * 2, y)
    b.predict(X)
    assert b._engine_key_ == a._engine_key_ and engine.compiles == compiles
    assert not np.allclose(a.predict(X), b.predict(X))  # same programs, different weights and statistics


def test_pickle_round_trip_keeps_predictions_and_online_learning():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=100), "c": rng.choice(["u", "v"], 100)})
    y = df["x"] + (df["c"] == "u")
    est = DNNRegressor(hidden_units=(8,), epochs=5, random_state=0).fit(df, y)
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.predict(df), est.predict(df))
    clone.partial_fit(df, y)
    est.partial_fit(df, y)
    np.testing.assert_allclose(clone.predict(df), est.predict(df), rtol=1e-6)


def test_trained_model_is_a_regular_trainlab_model(tmp_path):
    import trainlab as tl

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=60), "c": rng.choice(["u", "v", "w"], 60)})
    clf = DNNClassifier(hidden_units=(8,), epochs=3, random_state=0).fit(df, df["c"] == "u")
    assert "'c' [" in clf.feature_explanation_ and [c.name for c in clf.feature_columns_] == ["x", "c_indicator"]
    clf.model_.save(tmp_path / "clf.trainlab")
    loaded = tl.load_model(tmp_path / "clf.trainlab")
    x = loaded.get_layer("features").encode(df)
    np.testing.assert_allclose(loaded.predict(x, verbose=0)[:, 0], clf.predict_proba(df)[:, 1], rtol=1e-5)


def test_sample_weights_of_zero_ignore_rows_and_class_weight_balances():
    X, y = linear_data(n=120, noise=0.05)
    garbage_X, garbage_y = np.random.default_rng(5).normal(size=(40, 3)), np.full(40, 100.0)
    Xw, yw = np.vstack([X, garbage_X]), np.concatenate([y, garbage_y])
    w = np.r_[np.ones(120), np.zeros(40)]
    est = LinearRegressor(optimizer="sgd", learning_rate=0.3, epochs=2000, batch_size=160, tol=None,
                          random_state=0).fit(Xw, yw, sample_weight=w)
    np.testing.assert_allclose(est.coef_, LinearRegression().fit(X, y).coef_, rtol=1e-2)
    rng = np.random.default_rng(0)
    Xi = rng.normal(size=(300, 1))
    yi = (Xi[:, 0] + rng.normal(scale=1.0, size=300) > 1.3).astype(int)  # about 15% positives
    plain = LinearClassifier(learning_rate=0.05, epochs=60, random_state=0).fit(Xi, yi)
    balanced = LinearClassifier(learning_rate=0.05, epochs=60, class_weight="balanced", random_state=0).fit(Xi, yi)
    assert balanced.predict(Xi).mean() > 2 * plain.predict(Xi).mean()


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = linear_data()
    LinearRegressor(epochs=2, verbose=1, early_stopping=True, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1: loss ") and "val_loss" in lines[0]


def test_grid_search_and_cross_validation_on_a_dataframe_with_categories():
    from sklearn.model_selection import GridSearchCV, cross_val_score

    rng = np.random.default_rng(3)
    n = 240
    df = pd.DataFrame({"size": rng.normal(size=n), "color": rng.choice(["red", "green", "blue"], n)})
    y = np.where(df["size"] + (df["color"] == "red") * 1.5 > 0.5, "buy", "skip")
    cols = [F.numeric_column("size", normalize=True),
            F.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])]
    search = GridSearchCV(LinearClassifier(cols, epochs=20, random_state=0),
                          {"learning_rate": [0.0001, 0.05], "l2": [0.0, 0.01]}, cv=3).fit(df, y)
    assert search.best_params_["learning_rate"] == 0.05 and search.best_score_ > 0.9
    scores = cross_val_score(DNNClassifier(hidden_units=(8,), learning_rate=0.01, epochs=20, random_state=0),
                             df, y, cv=3)  # columns inferred per fold, with their reasons
    assert scores.mean() > 0.85
