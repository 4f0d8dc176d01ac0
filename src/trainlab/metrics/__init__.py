"""Metrics with Keras names and semantics, on a pure state API.

Every metric offers pure, jit/vmap/scan-safe functions of an explicit state
(`Metric.initial_state`, `Metric.update`, `Metric.compute`) -- the compiled
training epoch carries that state through ``lax.scan`` -- and, built on them,
Keras's stateful ``update_state`` / ``result`` / ``reset_state``.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from trainlab import metrics
    >>> m = metrics.get("accuracy", y_true_shape=(4,), y_pred_shape=(4, 3))
    >>> s = jax.jit(m.update)(m.initial_state(), jnp.array([0, 1, 2, 2]),
    ...                       jnp.eye(3)[jnp.array([0, 1, 2, 0])])
    >>> m.name, float(m.compute(s))
    ('accuracy', 0.75)
"""

from ._accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from ._base import Mean, MeanMetricWrapper, Metric, Sum
from ._classification import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from ._fscore import F1Score, FBetaScore
from ._regression import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    MeanAbsoluteError,
    MeanSquaredError,
    Poisson,
    RootMeanSquaredError,
    SparseCategoricalCrossentropy,
)
from ._resolve import deserialize, get, resolve_accuracy, serialize

__all__ = [
    # base
    "Metric",
    "Mean",
    "Sum",
    "MeanMetricWrapper",
    # accuracy
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    # regression / probabilistic
    "MeanSquaredError",
    "MeanAbsoluteError",
    "RootMeanSquaredError",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "KLDivergence",
    "Poisson",
    # thresholds
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
    "Precision",
    "Recall",
    "AUC",
    "F1Score",
    "FBetaScore",
    # resolution
    "get",
    "serialize",
    "deserialize",
    "resolve_accuracy",
]
