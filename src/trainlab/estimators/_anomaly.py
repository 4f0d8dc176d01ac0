"""`AnomalyDetector`: an autoencoder trained on normal data only.

Anything the autoencoder reconstructs badly is unusual. The detector

1. standardizes the features with the training mean and standard deviation,
2. trains ``Dense`` encoder and decoder layers to reproduce the standardized
   input (mean squared error) on a training part of the normal data,
3. sets the threshold at the `threshold_percentile` of the reconstruction
   errors on a held-out validation part of the normal data (errors on
   training rows would be optimistically small).

Scores follow scikit-learn's outlier-detector convention (like
`IsolationForest`): `score_samples` is the *negative* reconstruction error
(lower = more abnormal), ``decision_function = score_samples - offset_`` with
``offset_ = -threshold_`` (negative = outlier), and `predict` returns +1 for
inliers and -1 for outliers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import OutlierMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._validation import check_in_range
from ._base import TrainlabEstimator
from ._canned import _check_hidden_units

__all__ = ["AnomalyDetector"]


class AnomalyDetector(OutlierMixin, TrainlabEstimator):
    """Autoencoder anomaly detector with a threshold from validation reconstruction errors.

    Args:
        hidden_units: encoder sizes; the decoder mirrors them (the last one is
            the bottleneck), e.g. ``(32, 8)`` builds ``d -> 32 -> 8 -> 32 -> d``.
        activation: activation of the hidden layers.
        threshold_percentile: percentile (0-100] of the validation
            reconstruction errors used as the threshold; 99 flags about 1% of
            normal data as anomalous.
        validation_fraction: share of the (normal) training rows held out to
            set the threshold (and for early stopping).
        optimizer, learning_rate, batch_size, epochs, steps,
        clip_gradients_by_norm, l1, l2, early_stopping, n_iter_no_change, tol,
        warm_start, random_state, verbose: as for `DNNRegressor`.

    Attributes:
        threshold_: the reconstruction-error threshold; ``offset_ = -threshold_``.
        validation_errors_: reconstruction errors of the held-out normal rows
            (pick another percentile with ``np.percentile(validation_errors_, q)``).
        model_: the trained autoencoder (inputs: standardized features).
        mean_, scale_: the standardization.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> normal = rng.normal(size=(500, 4)) @ rng.normal(size=(4, 8))   # on a 4-d subspace
        >>> odd = rng.normal(size=(20, 8)) * 3
        >>> det = AnomalyDetector(hidden_units=(16, 4), epochs=60, learning_rate=0.01, random_state=0).fit(normal)
        >>> bool((det.predict(odd) == -1).mean() > 0.8), bool((det.predict(normal) == 1).mean() > 0.9)
        (True, True)
    """

    def __init__(self, hidden_units=(32, 8), *, activation="relu", threshold_percentile=99.0, optimizer="adam",
                 learning_rate=0.001, batch_size=32, epochs=20, steps=None, clip_gradients_by_norm=None, l1=0.0,
                 l2=0.0, early_stopping=False, validation_fraction=0.1, n_iter_no_change=5, tol=1e-4,
                 warm_start=False, random_state=None, verbose=0):
        self.hidden_units = hidden_units
        self.activation = activation
        self.threshold_percentile = threshold_percentile
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
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    _model_family = "autoencoder"

    # ------------------------------------------------------------------
    def _check_params(self) -> None:
        _check_hidden_units(self.hidden_units)
        check_in_range("threshold_percentile", self.threshold_percentile, 0.0, 100.0, low_inclusive=False,
                       high_inclusive=True, hint="99 flags about 1% of normal rows as anomalies.")

    def _feature_data(self, X: Any, *, reset: bool) -> tuple[Any, int]:
        X = validate_data(self, X, reset=reset, dtype=[np.float64, np.float32], ensure_all_finite=True)
        return np.asarray(X, np.float64), len(X)

    def _setup_inputs(self, data: Any) -> None:
        self.mean_ = data.mean(axis=0)
        std = data.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)

    def _encode_inputs(self, data: Any, rows: int | None = None) -> Any:
        from ._engine import pad_rows

        z = ((data - self.mean_) / self.scale_).astype(np.float32)
        return z if rows is None else pad_rows(z, rows)

    def _encode_targets(self, y: Any, *, reset: bool, classes: Any = None) -> np.ndarray:
        return y  # the standardized inputs, set by fit

    def _loss(self) -> str:
        return "mse"

    def _data_loss(self, outputs: np.ndarray, y: np.ndarray, sample_weight: Any) -> float:
        return float(np.average(np.mean((outputs - y) ** 2, axis=1), weights=sample_weight))

    def _make_model(self) -> Any:
        from .. import layers
        from ..models import Model

        units = _check_hidden_units(self.hidden_units)
        reg = self._regularizer()
        inputs = layers.Input((self.n_features_in_,), name="x")
        h = inputs
        sizes = list(units) + list(reversed(units[:-1]))
        for i, width in enumerate(sizes, start=1):
            h = layers.Dense(width, activation=self.activation, kernel_regularizer=reg, name=f"dense_{i}")(h)
        outputs = layers.Dense(self.n_features_in_, kernel_regularizer=reg, name="reconstruction")(h)
        return Model(inputs, outputs, name="autoencoder")

    def _structure_key(self) -> tuple:
        return ("AnomalyDetector", self.n_features_in_, _check_hidden_units(self.hidden_units),
                repr(self.activation), self._regularizer() is not None)

    # ------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> "AnomalyDetector":
        """Train on normal rows `X` ``(N, d)`` (`y` is ignored) and set `threshold_`.

        `validation_fraction` of the rows (at least one) are held out: the
        threshold is the `threshold_percentile` of their reconstruction errors
        (and with ``early_stopping=True`` their loss decides when to stop).
        """
        import jax

        from ._engine import PaddedData

        self._check_common_params()
        self._check_params()
        X, n = self._feature_data(X, reset=True)
        n_val = int(np.ceil(n * float(self.validation_fraction)))
        if n < 2 or n - n_val < 1:
            raise ValueError(
                f"AnomalyDetector needs at least 2 samples: one part to train on and one to set the threshold; "
                f"received {n} sample(s)."
            )
        sw = None if sample_weight is None else np.asarray(
            _check_sample_weight(sample_weight, X, ensure_non_negative=True), np.float32)
        self._seed_ = int(check_random_state(self.random_state).randint(2**31 - 1))
        self._rng_ = np.random.default_rng(self._seed_)
        order = self._rng_.permutation(n)
        val_idx, train_idx = np.sort(order[:n_val]), np.sort(order[n_val:])
        self._setup_inputs(X[train_idx])
        train, val = self._encode_inputs(X[train_idx]), self._encode_inputs(X[val_idx])
        optimizer = self._make_optimizer()
        self.model_ = self._make_model()
        engine = self._engine(optimizer)
        variables = self.model_.init(jax.random.key(self._seed_), train[:1])
        ts = engine.init_state(self.model_, variables, optimizer, self._seed_)
        self.history_ = {"loss": [], "val_loss": []} if self.early_stopping else {"loss": []}
        self.n_iter_ = 0
        self.t_ = 0
        monitor = (X[val_idx], val, None) if self.early_stopping else None
        ts = self._train(engine, ts, PaddedData(train, train, None if sw is None else sw[train_idx]), monitor,
                         val if self.early_stopping else None, partial=False)
        self._ts_ = ts
        self.model_.variables = {"params": ts.params, "state": ts.state}
        self.loss_curve_ = list(self.history_["loss"])
        self.validation_errors_ = self._errors(X[val_idx])
        self.threshold_ = float(np.percentile(self.validation_errors_, float(self.threshold_percentile)))
        self.offset_ = -self.threshold_
        return self

    # ------------------------------------------------------------------
    def _errors(self, data: np.ndarray) -> np.ndarray:
        """Mean squared reconstruction error of each row of checked `data` (standardized units)."""
        return np.mean((self._reconstruct(data) - self._encode_inputs(data)) ** 2, axis=1)

    def _reconstruct(self, data: np.ndarray) -> np.ndarray:
        from ._engine import Engine, bucket_rows, get_engine

        n = len(data)
        engine = get_engine(self._engine_key_, lambda: Engine(self.model_, "mse", self._make_optimizer()))
        x = self._encode_inputs(data, bucket_rows(n))
        return np.asarray(engine.predict(self.model_.variables, x, n), np.float64)

    def reconstruction_error(self, X: Any) -> np.ndarray:
        """Mean squared reconstruction error per row ``(N,)`` (standardized units)."""
        check_is_fitted(self)
        X, _ = self._feature_data(X, reset=False)
        return self._errors(X)

    def score_samples(self, X: Any) -> np.ndarray:
        """Negative reconstruction error ``(N,)``: the lower, the more abnormal."""
        return -self.reconstruction_error(X)

    def decision_function(self, X: Any) -> np.ndarray:
        """``score_samples(X) - offset_``: negative for outliers, positive for inliers."""
        return self.score_samples(X) - self.offset_

    def predict(self, X: Any) -> np.ndarray:
        """+1 for inliers (error <= `threshold_`), -1 for outliers."""
        return np.where(self.decision_function(X) >= 0, 1, -1)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags
