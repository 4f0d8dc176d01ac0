"""ModelRegressor / ModelClassifier: any model-building function as a scikit-learn estimator."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import trainlab as tl
from trainlab.estimators import LinearRegressor, ModelClassifier, ModelRegressor


def mlp(n_features_in_, n_outputs_=1, units=16):
    return tl.Sequential([tl.layers.Dense(units, activation="relu", input_shape=(n_features_in_,)),
                          tl.layers.Dense(n_outputs_)])


def classifier(n_features_in_, n_classes_, activation="softmax"):
    units = 1 if (n_classes_ == 2 and activation in ("sigmoid", None)) else n_classes_
    return tl.Sequential([tl.layers.Dense(16, activation="relu", input_shape=(n_features_in_,)),
                          tl.layers.Dense(units, activation=activation)])


def data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X[:, 0] - 2 * X[:, 1] + 0.5 * X[:, 2] ** 2


def test_routed_parameters_and_meta_arguments_reach_the_function():
    seen = {}

    def build(n_features_in_, input_shape, n_outputs_, units=4):
        seen.update(n=n_features_in_, shape=input_shape, out=n_outputs_, units=units)
        return mlp(n_features_in_, n_outputs_, units)

    X, y = data()
    reg = ModelRegressor(build, model__units=12, epochs=1, random_state=0).fit(X, np.column_stack([y, y]))
    assert seen == {"n": 3, "shape": (3,), "out": 2, "units": 12}
    assert reg.get_params()["model__units"] == 12 and reg.predict(X).shape == (300, 2)
    assert clone(reg).get_params()["model__units"] == 12


def test_grid_search_over_routed_and_training_parameters():
    X, y = data()
    search = GridSearchCV(ModelRegressor(mlp, epochs=15, learning_rate=0.01, random_state=0),
                          {"model__units": [2, 32], "learning_rate": [0.001, 0.02]}, cv=3).fit(X, y)
    assert search.best_params_ == {"learning_rate": 0.02, "model__units": 32}
    assert search.best_score_ > 0.9


def test_compiled_model_keeps_its_optimizer_and_loss():
    def build(n_features_in_):
        model = mlp(n_features_in_)
        model.compile(optimizer=tl.optimizers.SGD(0.0), loss="mae")  # a zero learning rate: nothing moves
        return model

    X, y = data()
    reg = ModelRegressor(build, learning_rate=0.5, epochs=3, random_state=0).fit(X, y)
    assert reg._loss() == "mae"
    np.testing.assert_allclose(reg.history_["loss"], reg.history_["loss"][0], rtol=1e-6)  # lr 0: nothing moves
    mae = np.mean(np.abs(reg.predict(X) - y))
    assert reg.history_["loss"][0] == pytest.approx(mae, rel=1e-5)


@pytest.mark.parametrize("activation, classes", [("softmax", 3), (None, 3), ("sigmoid", 2), (None, 2),
                                                 ("softmax", 2)])
def test_classifier_heads_logits_and_probabilities(activation, classes):
    X, _ = data()
    y = np.array(["low", "mid", "high"])[(X[:, 0] > 0).astype(int) + (classes == 3) * (X[:, 1] > 0)]
    clf = ModelClassifier(classifier, model__activation=activation, learning_rate=0.01, epochs=40,
                          random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (300, classes) and np.allclose(proba.sum(1), 1)
    assert clf.score(X, y) > 0.9
    decision = clf.decision_function(X)
    if classes == 2 and decision.ndim == 1:
        np.testing.assert_allclose(1 / (1 + np.exp(-decision)), proba[:, 1], rtol=1e-5)
    else:
        np.testing.assert_array_equal(decision.argmax(1), proba.argmax(1))
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(1)])


def test_model_instance_is_copied_at_every_fit():
    template = mlp(3)
    X, y = data()
    a = ModelRegressor(template, epochs=2, random_state=0).fit(X, y)
    b = ModelRegressor(template, epochs=2, random_state=0).fit(X, y)
    assert a.model_ is not template and a.model_ is not b.model_
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_pipeline_cross_val_and_pickle():
    X, y = data()
    pipe = make_pipeline(StandardScaler(), ModelRegressor(mlp, epochs=20, learning_rate=0.01, random_state=0))
    assert cross_val_score(pipe, X, y, cv=3).mean() > 0.8
    reg = ModelRegressor(mlp, epochs=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reg)).predict(X), reg.predict(X))
    lin = make_pipeline(StandardScaler(), LinearRegressor(learning_rate=0.1, epochs=20, random_state=0))
    assert cross_val_score(lin, X, y, cv=3).mean() > 0.8


def test_wrapper_errors_name_the_problem():
    X, y = data()
    with pytest.raises(ValueError, match=r"ModelRegressor needs `model`: a function that builds"):
        ModelRegressor().fit(X, y)
    with pytest.raises(TypeError, match=r"got the unexpected argument `units`.*model__units"):
        ModelRegressor(mlp, units=3).fit(X, y)
    with pytest.raises(TypeError, match=r"does not take argument\(s\) \['depth'\]"):
        ModelRegressor(mlp, model__depth=3).fit(X, y)
    with pytest.raises(TypeError, match=r"must return a trainlab Model.*returned None"):
        ModelRegressor(lambda: None).fit(X, y)
    with pytest.raises(ValueError, match=r"The model ends in 4 unit\(s\), but there are 3 classes"):
        ModelClassifier(lambda n_features_in_: mlp(n_features_in_, 4)).fit(X, np.arange(300) % 3)
