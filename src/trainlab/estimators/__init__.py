"""scikit-learn estimators on trainlab: from a pandas DataFrame to a trained model.

TensorFlow's canned estimators (`LinearRegressor`, `LinearClassifier`,
`DNNRegressor`, `DNNClassifier`) with feature columns, as proper scikit-learn
estimators (`fit`, `predict`, `predict_proba`, `score`, `partial_fit`,
`get_params` / `set_params`) that work in `Pipeline`, `GridSearchCV` and
`cross_val_score`; a wrapper that makes any model-building function an
estimator; an autoencoder `AnomalyDetector`; and transfer-learning recipes.

Example:
    >>> import numpy as np
    >>> from sklearn.model_selection import cross_val_score
    >>> from trainlab.estimators import LinearRegressor
    >>> X = np.random.default_rng(0).normal(size=(120, 2)); y = X @ [2.0, -1.0]
    >>> scores = cross_val_score(LinearRegressor(learning_rate=0.1, epochs=40, random_state=0), X, y, cv=3)
    >>> bool(scores.min() > 0.99)
    True
"""

from . import transfer
from ._anomaly import AnomalyDetector
from ._canned import DNNClassifier, DNNRegressor, LinearClassifier, LinearRegressor
from ._engine import clear_engines
from ._input_fn import EstimatorFormMixin, clip_gradients_by_norm
from ._sklearn_checks import SKLEARN_EXPECTED_FAILED_CHECKS, expected_failed_checks
from ._wrapper import ModelClassifier, ModelRegressor

__all__ = [
    "LinearRegressor",
    "LinearClassifier",
    "DNNRegressor",
    "DNNClassifier",
    "ModelRegressor",
    "ModelClassifier",
    "AnomalyDetector",
    "clear_engines",
    "clip_gradients_by_norm",
    "EstimatorFormMixin",
    "SKLEARN_EXPECTED_FAILED_CHECKS",
    "expected_failed_checks",
    "transfer",
]
