"""Regression and classification heads: targets, losses, outputs and scores.

`RegressorHead` and `ClassifierHead` are mixins over `TrainlabEstimator` that
turn scikit-learn targets into what the model trains on, and model outputs
back into scikit-learn's `predict`, `predict_proba` and `decision_function`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, column_or_1d

__all__ = ["RegressorHead", "ClassifierHead", "EPSILON"]

EPSILON = 1e-7  # Keras' clipping of probabilities in cross-entropy


class RegressorHead(RegressorMixin):
    """Targets ``(N,)`` or ``(N, k)`` (k = TF's ``label_dimension``); loss: mean squared error.

    Estimators whose last layer is linear name it in `_output_layer`; they
    train on standardized targets ``(y - mean) / std`` (statistics of the
    first `fit` / `partial_fit`, per target column), so that the default
    learning rate suits targets of any scale and the zero-initialized bias
    starts at the targets' mean. The scale is folded back into that layer's
    weights after training: ``model_`` predicts in the targets' own units, and
    ``coef_`` / ``intercept_`` are raw-unit values. Losses in ``history_`` are
    in standardized units (mean squared error divided by the variance).
    """

    _is_classifier = False

    def _loss(self) -> str:
        return "mse"

    def _head(self) -> tuple[int, Any]:
        return self.n_outputs_, None

    def _encode_targets(self, y: Any, *, reset: bool, classes: Any = None) -> np.ndarray:
        y = check_array(y, ensure_2d=False, dtype="numeric", ensure_all_finite=True, input_name="y")
        if y.ndim > 2:
            raise ValueError(f"`y` must be 1-D or 2-D (samples x targets); received shape {y.shape}.")
        y2 = y.reshape(len(y), -1).astype(np.float32)
        if reset:
            self.n_outputs_ = y2.shape[1]
            self._y_ndim_ = y.ndim
        elif y2.shape[1] != self.n_outputs_:
            raise ValueError(f"`y` has {y2.shape[1]} target column(s); the model was fitted with {self.n_outputs_}.")
        return y2

    def _setup_targets(self, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        """First fit only: the (weighted) mean and standard deviation per target column."""
        if self._linear_output() is None:
            return
        w = None if sample_weight is None or not np.sum(sample_weight) > 0 else sample_weight
        y = np.asarray(y, np.float64)
        mean = np.average(y, axis=0, weights=w)
        std = np.sqrt(np.average((y - mean) ** 2, axis=0, weights=w))
        if self.__dict__.get("_raw_target_units"):
            # TF's Estimator form (`train(input_fn=...)`): the course's learning rates are for raw units
            mean, std = np.zeros_like(mean), np.ones_like(std)
        self._target_mean_, self._target_scale_ = mean, np.where(std > 0, std, 1.0)

    def _target_unit(self) -> float:
        """Standardized targets: their std (mean over columns). ``l1 / std`` on standardized
        targets keeps the raw-unit objective ``mse + l1 |w| + l2 w**2`` of a linear model
        (divided by ``std**2``); l2 needs no change."""
        if self._linear_output() is None or not hasattr(self, "_target_scale_"):
            return 1.0
        return float(np.mean(self._target_scale_))

    def _linear_output(self) -> str | None:
        """Name of the linear output layer (set by the estimator family), or None: no standardization."""
        return getattr(self, "_output_layer", None)

    def _model_targets(self, y: np.ndarray) -> np.ndarray:
        if self._linear_output() is None:
            return y
        return ((y - self._target_mean_) / self._target_scale_).astype(np.float32)

    def _export_variables(self, ts: Any) -> dict:
        """Variables predicting raw targets: ``z * std + mean`` folded into the linear output layer."""
        layer_name = self._linear_output()
        if layer_name is None:
            return {"params": ts.params, "state": ts.state}
        mean, scale = self._target_mean_.astype(np.float32), self._target_scale_.astype(np.float32)
        params = dict(ts.params)
        # the weights that map straight to the outputs end in the unit axis: kernel (d, k), categorical
        # weights (buckets, k), bias (k,); feature statistics and embeddings of the layer stay as they are
        outputs = self._output_weight_names()
        layer = {name: w * scale if name in outputs else w for name, w in params[layer_name].items()}
        layer["bias"] = layer["bias"] + mean
        params[layer_name] = layer
        return {"params": params, "state": ts.state}

    def _data_loss(self, outputs: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> float:
        per_row = np.mean((outputs.reshape(len(y), -1) - y) ** 2, axis=1)
        return float(np.average(per_row, weights=sample_weight))

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
        """One epoch over `X`, `y`, continuing from the current weights (online learning).

        The first call builds the model; feature statistics (normalization,
        imputers) are fitted on the first call's data and kept afterwards.
        """
        return self._fit(X, y, sample_weight, partial=True)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values: ``(N,)``, or ``(N, k)`` when fitted on ``k`` target columns.

        Raises:
            sklearn.exceptions.NotFittedError: before `fit`.
        """
        out = self._outputs(X)
        return out[:, 0] if self._y_ndim_ == 1 else out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


class ClassifierHead(ClassifierMixin):
    """Labels of any type (strings too) -> ids via `LabelEncoder`; sigmoid output
    for two classes, softmax for more; loss: (binary / sparse categorical) cross-entropy."""

    _is_classifier = True

    @property
    def _binary(self) -> bool:
        return len(self.classes_) == 2

    def _loss(self) -> str:
        return "binary_crossentropy" if self._binary else "sparse_categorical_crossentropy"

    def _head(self) -> tuple[int, Any]:
        return (1, "sigmoid") if self._binary else (len(self.classes_), "softmax")

    def _encode_targets(self, y: Any, *, reset: bool, classes: Any = None) -> np.ndarray:
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if reset:
            encoder = LabelEncoder().fit(y if classes is None else np.asarray(classes))
            if len(encoder.classes_) < 2:
                raise ValueError(
                    f"`y` has only one class ({encoder.classes_.tolist()[0]!r}); a classifier needs samples of at least "
                    f"2 classes."
                )
            self._label_encoder_ = encoder
            self.classes_ = encoder.classes_
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if len(unknown):
            raise ValueError(
                f"`y` holds label(s) {unknown[:5].tolist()} that are not among the classes {self.classes_.tolist()} "
                f"the classifier was set up with. Pass every label in `classes` on the first partial_fit call."
            )
        return self._label_encoder_.transform(y).astype(np.int32)

    def _model_targets(self, ids: np.ndarray) -> np.ndarray:
        """Class ids as the model trains on them: float ``(N, 1)`` for one sigmoid unit, else int ids."""
        return ids.astype(np.float32)[:, None] if self._binary else ids.astype(np.int32)

    def _fit(self, X: Any, y: Any, sample_weight: Any, *, partial: bool, classes: Any = None) -> Any:
        if partial and not hasattr(self, "model_") and classes is None:
            raise ValueError(
                "`classes` must be passed on the first call to partial_fit: every label the classifier will ever "
                "see, e.g. partial_fit(X, y, classes=np.unique(y_all))."
            )
        if getattr(self, "class_weight", None) is not None and y is not None:
            from sklearn.utils.class_weight import compute_sample_weight

            labels = column_or_1d(y, warn=False)
            cw = compute_sample_weight(self.class_weight, labels)
            sample_weight = cw if sample_weight is None else cw * np.asarray(sample_weight, np.float64)
        return super()._fit(X, y, sample_weight, partial=partial, classes=classes)

    def _data_loss(self, outputs: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> float:
        p = np.clip(self._as_proba(outputs), EPSILON, 1 - EPSILON)
        t = y.reshape(-1).astype(int)
        if p.shape[1] == 1:
            per_row = -(t * np.log(p[:, 0]) + (1 - t) * np.log(1 - p[:, 0]))
        else:
            per_row = -np.log(p[np.arange(len(t)), t])
        return float(np.average(per_row, weights=sample_weight))

    def _logits(self, X: Any) -> np.ndarray:
        return self._outputs(X, logits=True)

    def _as_proba(self, outputs: np.ndarray) -> np.ndarray:
        """Model outputs (in inference mode) as probabilities."""
        return outputs

    def decision_function(self, X: Any) -> np.ndarray:
        """Logits: ``(N,)`` for two classes (positive means `classes_[1]`), ``(N, K)`` otherwise."""
        z = self._logits(X)
        return z[:, 0] if self._binary else z

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities ``(N, K)`` in the order of `classes_` (rows sum to 1)."""
        z = self._logits(X)
        if self._binary:
            p = expit(z[:, 0])
            return np.column_stack([1.0 - p, p])
        return softmax(z, axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of `predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels (from `classes_`).

        Raises:
            sklearn.exceptions.NotFittedError: before `fit`.
        """
        z = self._logits(X)
        ids = (z[:, 0] > 0).astype(int) if self._binary else np.argmax(z, axis=1)
        return self.classes_[ids]

    def partial_fit(self, X: Any, y: Any = None, classes: Any = None, sample_weight: Any = None) -> Any:
        """One epoch over `X`, `y` from the current weights (online learning).

        Args:
            classes: all labels, required on the first call (scikit-learn's rule).
        """
        return self._fit(X, y, sample_weight, partial=True, classes=classes)
