"""scikit-learn's own estimator checks (`check_estimator`), run on every trainlab estimator.

The instances use small networks, few epochs and a batch size above the checks'
data sizes so that the many fits stay fast (one padded batch per epoch: the
same compiled program for every data size below 256 rows). Expected failures
and their reasons are in `trainlab.estimators.SKLEARN_EXPECTED_FAILED_CHECKS`;
`check_array_api_input` is skipped by scikit-learn itself unless
``SCIPY_ARRAY_API=1`` is set (its own reason is shown).
"""

import warnings

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import trainlab as tl
from trainlab.estimators import (
    AnomalyDetector,
    DNNClassifier,
    DNNRegressor,
    LinearClassifier,
    LinearRegressor,
    ModelClassifier,
    ModelRegressor,
    expected_failed_checks,
)


class Builder:
    """A model-building function with a stable repr (test ids must not contain memory addresses,
    or pytest-xdist's workers would collect different tests)."""

    def __init__(self, task):
        self.task = task

    def __repr__(self):
        return f"Builder({self.task!r})"

    def __call__(self, n_features_in_, n_outputs_=1, n_classes_=2, units=8):
        if self.task == "regression":
            head = tl.layers.Dense(n_outputs_)
        elif n_classes_ == 2:
            head = tl.layers.Dense(1, activation="sigmoid")
        else:
            head = tl.layers.Dense(n_classes_, activation="softmax")
        return tl.Sequential([tl.layers.Dense(units, activation="relu", input_shape=(n_features_in_,)), head])


FAST = dict(batch_size=256, epochs=40, random_state=0)

ESTIMATORS = [
    LinearRegressor(learning_rate=0.1, **FAST),
    LinearClassifier(learning_rate=0.1, **FAST),
    DNNRegressor(hidden_units=(8,), learning_rate=0.05, **FAST),
    DNNClassifier(hidden_units=(8,), learning_rate=0.05, **FAST),
    ModelRegressor(Builder("regression"), learning_rate=0.05, **FAST),
    ModelClassifier(Builder("classification"), learning_rate=0.05, **FAST),
    AnomalyDetector(hidden_units=(4,), learning_rate=0.05, **FAST),
]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks, xfail_strict=True)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        check(estimator)


def test_every_expected_failure_has_a_reason():
    for estimator in ESTIMATORS:
        reasons = expected_failed_checks(estimator)
        assert reasons and all(len(why) > 40 for why in reasons.values())
        assert set(reasons) == {"check_sample_weight_equivalence_on_dense_data"}


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_predict_before_fit_raises_not_fitted_error(estimator):
    import numpy as np
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    est = clone(estimator)
    for method in ("predict", "predict_proba", "decision_function", "score_samples"):
        if hasattr(est, method):
            with pytest.raises(NotFittedError, match=r"is not fitted yet"):
                getattr(est, method)(np.ones((2, 3)))
