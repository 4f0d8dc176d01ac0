"""F-beta and F1 scores (``keras/src/metrics/f_score_metrics.py``).

Targets and predictions have shape ``(batch, num_classes)`` (one-hot or
multi-hot targets). Predictions become 0/1 by ``y_pred > threshold``, or,
with ``threshold=None``, by marking each row's maximum.

Example:
    >>> import numpy as np
    >>> m = F1Score(threshold=0.5)
    >>> y_true = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]])
    >>> y_pred = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> np.round(np.asarray(m(y_true, y_pred), dtype=float), 4).tolist()
    [0.5, 0.8, 0.6667]
"""

from __future__ import annotations

import jax.numpy as jnp

from .._validation import check_finite_number, check_one_of
from ..losses import EPSILON
from ._base import Metric

__all__ = ["FBetaScore", "F1Score"]


class FBetaScore(Metric):
    """``(1 + b^2) * precision * recall / (b^2 * precision + recall)``.

    Args:
        average: None (one score per class), ``"micro"`` (global counts),
            ``"macro"`` (unweighted mean over classes) or ``"weighted"``
            (mean weighted by each class's support).
        beta: weight of recall (> 0).
        threshold: in (0, 1], or None for "the row maximum is the prediction".

    The state holds per-class counts, so the number of classes must be known:
    the stateful API finds it on the first batch; in pure code call
    ``metric.build(y_true.shape, y_pred.shape)`` (not needed for ``"micro"``).
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.average = check_one_of("average", average, [None, "micro", "macro", "weighted"])
        self.beta = check_finite_number("beta", beta)
        if self.beta <= 0:
            raise ValueError(f"`beta` must be > 0; received {beta!r}.")
        if threshold is not None:
            threshold = check_finite_number("threshold", threshold)
            if not 0 < threshold <= 1:
                raise ValueError(f"`threshold` must be in (0, 1]; received {threshold!r}.")
        self.threshold = threshold
        self.num_classes = None

    def build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                f"{type(self).__name__} expects y_true and y_pred of shape (batch, "
                f"num_classes); received {tuple(y_true_shape)} and {tuple(y_pred_shape)}. "
                f"One-hot encode integer labels first."
            )
        self.num_classes = int(y_pred_shape[-1])

    def initial_state(self):
        if self.average == "micro":
            shape = ()
        elif self.num_classes is None:
            raise ValueError(
                f"{type(self).__name__}(average={self.average!r}) does not know the number "
                f"of classes yet: call metric.build(y_true.shape, y_pred.shape) first."
            )
        else:
            shape = (self.num_classes,)
        return {k: self._zeros(shape) for k in ("tp", "fp", "fn", "support")}

    def update(self, state, y_true, y_pred, sample_weight=None):
        y_true = jnp.asarray(y_true, self.dtype)
        y_pred = jnp.asarray(y_pred, self.dtype)
        if self.threshold is None:
            row_max = jnp.max(y_pred, axis=-1, keepdims=True)
            y_pred = (y_pred >= row_max) & (jnp.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.astype(self.dtype)
        axis = None if self.average == "micro" else 0

        def weighted_sum(values):
            if sample_weight is not None:
                w = jnp.asarray(sample_weight, self.dtype)
                values = values * jnp.reshape(w, (-1, 1))
            return jnp.sum(values, axis=axis)

        return {
            "tp": state["tp"] + weighted_sum(y_pred * y_true),
            "fp": state["fp"] + weighted_sum(y_pred * (1.0 - y_true)),
            "fn": state["fn"] + weighted_sum((1.0 - y_pred) * y_true),
            "support": state["support"] + weighted_sum(y_true),
        }

    def compute(self, state):
        tp, fp, fn = state["tp"], state["fp"], state["fn"]
        precision = tp / (tp + fp + EPSILON)
        recall = tp / (tp + fn + EPSILON)
        b2 = self.beta ** 2
        score = (1 + b2) * precision * recall / (b2 * precision + recall + EPSILON)
        if self.average == "weighted":
            weights = state["support"] / (jnp.sum(state["support"]) + EPSILON)
            return jnp.sum(score * weights)
        if self.average is not None:
            return jnp.mean(score)
        return score

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """Harmonic mean of precision and recall (`FBetaScore` with beta=1).

    Args:
        average, threshold: as `FBetaScore`.
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
