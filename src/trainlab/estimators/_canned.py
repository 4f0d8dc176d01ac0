"""The canned estimators of TensorFlow's Estimator API, as scikit-learn estimators:
`LinearRegressor`, `LinearClassifier`, `DNNRegressor`, `DNNClassifier`.

Inputs:

* a pandas DataFrame (string column names) or a dict of arrays: read through
  feature columns (given, or proposed by
  `trainlab.features.infer_feature_columns`); string categories are welcome;
  columns the features do not use are ignored;
* a numeric array ``(N, d)`` (what scikit-learn pipelines pass), or a
  DataFrame with non-string column names: one ``numeric_column("x",
  shape=(d,))`` by default; with explicit `feature_columns`, the array's
  columns are named ``"x0"``, ``"x1"``, ...
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import activations as _activations
from .._validation import check_in_range, check_positive_int, describe
from sklearn.utils.validation import validate_data

from ._base import TrainlabEstimator, is_frame_like
from ._heads import ClassifierHead, RegressorHead
from ._input_fn import EstimatorFormMixin

__all__ = ["LinearRegressor", "LinearClassifier", "DNNRegressor", "DNNClassifier"]

_COMMON_ARGS = """
        feature_columns: feature columns (`trainlab.features`) that read a
            DataFrame / dict `X`. None: for a numeric array ``(N, d)``, one
            numeric column of shape ``(d,)``; for a DataFrame, the columns that
            `infer_feature_columns` proposes (its reasons are in
            ``feature_explanation_`` after fit).
        optimizer: optimizer name ("adam", "sgd", "adagrad", ...) or a trainlab
            optimizer object (which then keeps its own learning rate).
        learning_rate: learning rate when `optimizer` is a name.
        batch_size: rows per gradient step.
        epochs: the most passes over the training data (scikit-learn's
            ``max_iter``): `fit` stops earlier once the loss has converged
            (see `tol`) and warns with scikit-learn's `ConvergenceWarning` when
            the budget runs out first.
        steps: number of gradient steps instead of `epochs` (TensorFlow's
            ``steps``; the last epoch may be partial): exactly that many, no
            convergence check on the training loss.
        clip_gradients_by_norm: clip the gradients' global norm to this value
            (``tf.contrib.estimator.clip_gradients_by_norm``; None: no clipping).
        l1, l2: L1 / L2 penalty strengths on every kernel (not biases),
            Keras formula ``l1 * sum|w| + l2 * sum w**2``.
        early_stopping: hold out `validation_fraction` of the rows and stop when
            the validation loss has not improved by `tol` for `n_iter_no_change`
            epochs; the best weights are kept.
        validation_fraction: share of rows held out with early stopping
            (stratified for classifiers).
        n_iter_no_change: patience, in epochs.
        tol: minimum improvement of the loss per `n_iter_no_change` epochs
            (scikit-learn's rule): of the validation loss with
            `early_stopping`, else of the training loss, where a plateau first
            divides the learning rate by 10 (twice at most) before `fit` stops.
            Regression losses are in units of the standardized target. None:
            train exactly `epochs` epochs, no convergence check (`steps` never
            has one).
        normalize_features: when columns are inferred (``feature_columns=None``),
            standardize numeric features with training statistics.
        warm_start: a second `fit` continues from the current weights and
            optimizer state (feature statistics are kept).
        random_state: seed of initialization, shuffling and the validation split.
        verbose: 1 prints the loss after every epoch.
"""

_ATTRIBUTES = """
    Attributes:
        model_: the trained trainlab `Model` (save it, summarize it, or call
            ``model_.predict`` on ``model_.layers[...]``-encoded inputs).
        feature_columns_: the feature columns used.
        history_: ``{"loss": [...], "val_loss": [...]}`` per epoch.
        loss_curve_: training loss per epoch (scikit-learn's MLP name).
        n_iter_: epochs run; ``t_``: gradient steps taken.
        n_features_in_, feature_names_in_: as in scikit-learn.
"""


class _ColumnsInput:
    """Inputs read through feature columns (see the module docstring of `_canned`)."""

    def _feature_data(self, X: Any, *, reset: bool) -> tuple[Any, int]:
        """`X` as a DataFrame / dict for the feature columns, after scikit-learn's checks."""
        if is_frame_like(X):
            from ..features._host import num_rows

            if hasattr(X, "columns"):
                if reset:
                    validate_data(self, X, reset=True, skip_check_array=True)
                n = len(X)
            else:
                n = num_rows(X)
                if reset:
                    self.n_features_in_ = len(X)
            if reset:
                self._input_kind_ = "frame"
            if n == 0:
                raise ValueError("`X` has 0 rows; at least one sample is required.")
            return X, n
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32], ensure_all_finite=True)
        if reset:
            self._input_kind_ = "array"
        names = getattr(self, "feature_names_in_", None)
        if not reset and self._input_kind_ == "frame" and names is not None:
            return {str(k): X[:, i] for i, k in enumerate(names)}, len(X)
        if not reset and self._input_kind_ == "frame":
            raise ValueError("This estimator was fitted on a dict of arrays; pass the same kind of input.")
        if self.feature_columns is None:
            return {"x": X}, len(X)
        return {f"x{i}": X[:, i] for i in range(X.shape[1])}, len(X)

    def _resolve_columns(self, data: Any) -> list:
        from .. import features

        if self.feature_columns is not None:
            from ..features._layers import check_columns

            return check_columns(self.feature_columns, type(self).__name__)
        if self._input_kind_ == "array":
            width = int(np.asarray(data["x"]).shape[1])
            return [features.numeric_column("x", shape=(width,), normalize=self.normalize_features)]
        if not hasattr(data, "columns"):
            import pandas as pd

            data = pd.DataFrame({k: list(v) if np.ndim(v) > 1 else v for k, v in data.items()})
        model = "linear" if self._model_family == "linear" else "dnn"
        inferred = features.infer_feature_columns(data, model=model, normalize=self.normalize_features)
        self.feature_explanation_ = inferred.explain()
        if not len(inferred):
            raise ValueError(
                "No usable feature column was found in `X`:\n" + inferred.explain()
                + "\nPass `feature_columns` explicitly."
            )
        return list(inferred)

    def _setup_inputs(self, data: Any, rows: int | None = None) -> Any:
        from ..features import FeatureEncoder

        self.feature_columns_ = self._resolve_columns(data)
        encoder = FeatureEncoder(self.feature_columns_)
        encoded = encoder.fit_encode(data, rows)  # one pass: statistics and the training inputs
        self._encoder_state_ = encoder.get_state()
        self._fresh_encoding_ = encoded
        return None

    def _encode_inputs(self, data: Any, rows: int | None = None) -> Any:
        fresh = self.__dict__.pop("_fresh_encoding_", None)
        layer = self._feature_layer()
        if fresh is not None:
            return layer._packed(*fresh)
        return layer.encode(data, rows)


    def _feature_layer(self) -> Any:
        for layer in self.model_.layers:
            if hasattr(layer, "encode") and hasattr(layer, "adapt"):
                return layer
        raise RuntimeError("The model has no feature layer.")  # pragma: no cover


def _check_hidden_units(hidden_units: Any) -> tuple[int, ...]:
    if isinstance(hidden_units, (int, np.integer)) and not isinstance(hidden_units, bool):
        hidden_units = (hidden_units,)
    if isinstance(hidden_units, (str, bytes)) or not isinstance(hidden_units, Sequence) or not hidden_units:
        raise TypeError(
            f"`hidden_units` must be a non-empty list of layer sizes, e.g. (64, 32); received {describe(hidden_units)}."
        )
    return tuple(check_positive_int("hidden_units", h) for h in hidden_units)


class _LinearFamily(_ColumnsInput):
    """A `LinearModel` layer over the feature columns is the whole model."""

    _model_family = "linear"
    _output_layer = "linear"
    _stop_on_tol = True

    def _check_params(self) -> None:
        pass

    def _output_weight_names(self) -> set[str]:
        """Weights of the `LinearModel` layer that act on the outputs directly (see `RegressorHead`)."""
        from ..features._layers import _sanitize

        return {"kernel", "bias"} | {f"{_sanitize(c.name)}_weights" for c in self._feature_layer().categorical_columns}

    def _make_model(self) -> Any:
        from .. import features
        from ..models import Model

        units, activation = self._head()
        linear = features.LinearModel(self.feature_columns_, units=units, activation=activation,
                                      kernel_regularizer=self._regularizer(), stats=self._encoder_state_,
                                      name="linear")
        inputs = linear.inputs()
        return Model(inputs, linear(inputs), name=type(self).__name__.lower())

    def _structure_key(self) -> tuple:
        return (type(self).__name__, self._feature_layer().structure_signature())

    # -- coefficients in the units of the raw numeric features
    @property
    def coef_(self) -> np.ndarray:
        """Weights per raw numeric input, ``(n_features,)`` for one target, else ``(n_outputs, n_features)``.

        Available when every feature column is a plain numeric column: the
        standardization is folded back into the weights, so they compare with
        scikit-learn's `LinearRegression.coef_`.
        """
        coef, _ = self._raw_coefficients()
        return coef

    @property
    def intercept_(self) -> np.ndarray:
        """Bias in raw units, ``(n_outputs,)`` (a float for one regression target)."""
        _, intercept = self._raw_coefficients()
        return intercept

    def _raw_coefficients(self) -> tuple[np.ndarray, Any]:
        from ..features import NumericColumn

        if "model_" not in self.__dict__:
            raise AttributeError("coef_ is available after fit.")
        layer = self._feature_layer()
        if layer.categorical_columns or not all(
                isinstance(c, NumericColumn) and c.normalizer_fn is None for c in layer.feature_columns):
            raise AttributeError(
                "coef_ is only defined when every feature column is a numeric_column; inspect "
                "model_.get_layer('linear').get_weights() for categorical weights."
            )
        weights = {k: np.asarray(v, np.float64) for k, v in self.model_.variables["params"]["linear"].items()}
        kernel, bias = weights["kernel"], weights["bias"].copy()
        moments = self._encoder_state_["moments"]
        rows, offset = [], 0
        for col in layer.feature_columns:
            w = kernel[offset:offset + col.width]
            offset += col.width
            if col.normalize:
                mean, var = (np.asarray(a, np.float64) for a in moments[col.name])
                std = np.where(var > 0, np.sqrt(np.maximum(var, 1e-300)), 1.0)
                w = w / std[:, None]
                bias = bias - (mean[:, None] * w).sum(axis=0)
            rows.append(w)
        coef = np.concatenate(rows, axis=0).T  # (outputs, features)
        if not self._is_classifier and self._y_ndim_ == 1:
            return coef[0], float(bias[0])
        return coef, bias


class _DNNFamily(_ColumnsInput):
    """`DenseFeatures` -> hidden `Dense` layers (+ batch norm, dropout) -> output `Dense`."""

    _model_family = "dnn"
    _output_layer = "logits"
    _stop_on_tol = True

    def _output_weight_names(self) -> set[str]:
        return {"kernel", "bias"}

    def _check_params(self) -> None:
        _check_hidden_units(self.hidden_units)
        _activations.get(self.activation)
        if self.dropout is not None:
            check_in_range("dropout", self.dropout, 0.0, 1.0, hint="It is the fraction of units dropped, e.g. 0.2.")

    def _make_model(self) -> Any:
        from .. import features, layers
        from ..models import Model

        units, activation = self._head()
        reg = self._regularizer()
        feats = features.DenseFeatures(self.feature_columns_, stats=self._encoder_state_, name="features")
        inputs = feats.inputs()
        h = feats(inputs)
        for i, width in enumerate(_check_hidden_units(self.hidden_units), start=1):
            h = layers.Dense(width, activation=self.activation, kernel_regularizer=reg, name=f"hidden_{i}")(h)
            if self.batch_norm:
                h = layers.BatchNormalization(name=f"batch_norm_{i}")(h)
            if self.dropout:
                h = layers.Dropout(float(self.dropout), name=f"dropout_{i}")(h)
        outputs = layers.Dense(units, activation=activation, kernel_regularizer=reg, name="logits")(h)
        return Model(inputs, outputs, name=type(self).__name__.lower())

    def _structure_key(self) -> tuple:
        return (type(self).__name__, self._feature_layer().structure_signature(),
                _check_hidden_units(self.hidden_units), repr(self.activation), bool(self.dropout),
                bool(self.batch_norm), self._head(), self._regularizer() is not None)


class LinearRegressor(EstimatorFormMixin, RegressorHead, _LinearFamily, TrainlabEstimator):
    __doc__ = f"""Linear regression trained by mini-batch gradient descent (TF's `LinearRegressor`).

    ``y = sum_i w_i . feature_i + b`` over feature columns: numeric ones through
    a kernel, categorical ones (vocabulary, hash, crossed, bucketized) by one
    weight per category. Weights start at zero. Mean squared error loss on
    standardized targets, whose scale is folded back into the weights after
    training: the bias starts at the targets' mean, and the default learning
    rate suits targets of any scale.

    Args:{_COMMON_ARGS}
{_ATTRIBUTES}
    Example:
        >>> import numpy as np
        >>> from trainlab.estimators import LinearRegressor
        >>> X = np.random.default_rng(0).normal(size=(200, 3))
        >>> y = X @ [1.0, -2.0, 0.5] + 3
        >>> est = LinearRegressor(learning_rate=0.1, epochs=30, random_state=0).fit(X, y)
        >>> np.round(est.coef_, 1).tolist(), round(est.intercept_, 1)
        ([1.0, -2.0, 0.5], 3.0)
    """

    def __init__(self, feature_columns=None, *, optimizer="adam", learning_rate=0.01, batch_size=32, epochs=1000,
                 steps=None, clip_gradients_by_norm=None, l1=0.0, l2=0.0, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=5, tol=1e-4, normalize_features=True, warm_start=False,
                 random_state=None, verbose=0):
        self.feature_columns = feature_columns
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.steps = steps
        self.clip_gradients_by_norm = clip_gradients_by_norm
        self.l1 = l1
        self.l2 = l2
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.normalize_features = normalize_features
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose


class LinearClassifier(EstimatorFormMixin, ClassifierHead, _LinearFamily, TrainlabEstimator):
    __doc__ = f"""Logistic regression trained by mini-batch gradient descent (TF's `LinearClassifier`).

    Two classes: one logit and a sigmoid (binary cross-entropy); more: one
    logit per class and a softmax (sparse categorical cross-entropy). Labels
    may be of any type (strings too); they are listed in `classes_`.

    Args:{_COMMON_ARGS}
        class_weight: None, "balanced", or ``{{label: weight}}``; multiplies the
            sample weights.
{_ATTRIBUTES}
    Example:
        >>> import numpy as np
        >>> from trainlab.estimators import LinearClassifier
        >>> X = np.random.default_rng(0).normal(size=(300, 2))
        >>> y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
        >>> clf = LinearClassifier(learning_rate=0.1, epochs=20, random_state=0).fit(X, y)
        >>> clf.classes_.tolist(), clf.score(X, y) > 0.95
        (['no', 'yes'], True)
    """

    def __init__(self, feature_columns=None, *, optimizer="adam", learning_rate=0.01, batch_size=32, epochs=1000,
                 steps=None, clip_gradients_by_norm=None, l1=0.0, l2=0.0, class_weight=None, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=5, tol=1e-4, normalize_features=True, warm_start=False,
                 random_state=None, verbose=0):
        self.feature_columns = feature_columns
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.steps = steps
        self.clip_gradients_by_norm = clip_gradients_by_norm
        self.l1 = l1
        self.l2 = l2
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.normalize_features = normalize_features
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose


_DNN_ARGS = """
        hidden_units: sizes of the hidden layers, e.g. (64, 32).
        activation: activation of the hidden layers (default "relu").
        dropout: fraction of hidden units dropped during training (None: no dropout).
        batch_norm: batch normalization after each hidden layer."""


class DNNRegressor(EstimatorFormMixin, RegressorHead, _DNNFamily, TrainlabEstimator):
    __doc__ = f"""A feed-forward neural network for regression (TF's `DNNRegressor`).

    Feature columns must be dense (numeric, bucketized, indicator, embedding);
    inferred columns already are.

    Args:{_DNN_ARGS}{_COMMON_ARGS}
{_ATTRIBUTES}
    Example:
        >>> import numpy as np
        >>> from trainlab.estimators import DNNRegressor
        >>> X = np.random.default_rng(0).uniform(-2, 2, size=(500, 1))
        >>> reg = DNNRegressor(hidden_units=(32,), learning_rate=0.01, epochs=100, random_state=0)
        >>> reg.fit(X, X[:, 0] ** 2).score(X, X[:, 0] ** 2) > 0.9
        True
    """

    def __init__(self, hidden_units=(64, 32), feature_columns=None, *, activation="relu", dropout=None,
                 batch_norm=False, optimizer="adam", learning_rate=0.001, batch_size=32, epochs=200, steps=None,
                 clip_gradients_by_norm=None, l1=0.0, l2=0.0, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=5, tol=1e-4, normalize_features=True, warm_start=False, random_state=None,
                 verbose=0):
        self.hidden_units = hidden_units
        self.feature_columns = feature_columns
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.steps = steps
        self.clip_gradients_by_norm = clip_gradients_by_norm
        self.l1 = l1
        self.l2 = l2
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.normalize_features = normalize_features
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose


class DNNClassifier(EstimatorFormMixin, ClassifierHead, _DNNFamily, TrainlabEstimator):
    __doc__ = f"""A feed-forward neural network classifier (TF's `DNNClassifier`).

    Args:{_DNN_ARGS}{_COMMON_ARGS}
        class_weight: None, "balanced", or ``{{label: weight}}``.
{_ATTRIBUTES}
    Example:
        >>> import numpy as np
        >>> from trainlab.estimators import DNNClassifier
        >>> X = np.random.default_rng(0).normal(size=(400, 2))
        >>> y = (X[:, 0] ** 2 + X[:, 1] ** 2 > 1).astype(int)
        >>> clf = DNNClassifier(hidden_units=(32,), learning_rate=0.01, epochs=60, random_state=0).fit(X, y)
        >>> clf.score(X, y) > 0.9
        True
    """

    def __init__(self, hidden_units=(64, 32), feature_columns=None, *, activation="relu", dropout=None,
                 batch_norm=False, optimizer="adam", learning_rate=0.001, batch_size=32, epochs=200, steps=None,
                 clip_gradients_by_norm=None, l1=0.0, l2=0.0, class_weight=None, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=5, tol=1e-4, normalize_features=True, warm_start=False,
                 random_state=None, verbose=0):
        self.hidden_units = hidden_units
        self.feature_columns = feature_columns
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.steps = steps
        self.clip_gradients_by_norm = clip_gradients_by_norm
        self.l1 = l1
        self.l2 = l2
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.normalize_features = normalize_features
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
