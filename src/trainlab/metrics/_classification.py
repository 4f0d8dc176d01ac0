"""Threshold metrics: TruePositives.., Precision, Recall, AUC
(``keras/src/metrics/confusion_metrics.py``).

Predictions are probabilities; a prediction is positive when it is strictly
greater than the threshold. With several thresholds, `compute` returns one
value per threshold (a vector), as Keras does.

Example:
    >>> m = Precision()
    >>> round(float(m([0, 1, 1, 1], [1, 0, 1, 1])), 4)
    0.6667
    >>> m = AUC(num_thresholds=3)
    >>> float(m([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]))
    0.75
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._validation import check_one_of, check_positive_int
from ..losses import EPSILON
from ._base import Metric, divide_no_nan
from ._confusion import NEG_INF, counts_by_buckets, counts_by_comparison, prepare_inputs

__all__ = [
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
    "Precision",
    "Recall",
    "AUC",
]


def _parse_thresholds(thresholds, default):
    if thresholds is None:
        return [float(default)]
    values = [thresholds] if np.ndim(thresholds) == 0 else list(np.ravel(thresholds))
    bad = [t for t in values if t is None or not 0 <= float(t) <= 1]
    if bad or not values:
        raise ValueError(
            f"`thresholds` must be a number or a list of numbers in [0, 1]; received "
            f"{thresholds!r}. For logit outputs use thresholds=0.5 after a sigmoid."
        )
    return [float(t) for t in values]


class _ThresholdMetric(Metric):
    """Counts of some confusion cells at fixed thresholds."""

    _CELLS: tuple[str, ...] = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = check_positive_int("top_k", top_k, allow_none=True)
        self.class_id = None if class_id is None else int(class_id)
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = _parse_thresholds(thresholds, default)

    def initial_state(self):
        return {cell: self._zeros((len(self.thresholds),)) for cell in self._CELLS}

    def update(self, state, y_true, y_pred, sample_weight=None):
        y_true, y_pred, w = prepare_inputs(y_true, y_pred, sample_weight, self.dtype,
                                           top_k=self.top_k, class_id=self.class_id)
        counts = counts_by_comparison(y_true, y_pred, np.array(self.thresholds), w)
        return {cell: state[cell] + counts[cell] for cell in self._CELLS}

    def _squeeze(self, value):
        return value[0] if len(self.thresholds) == 1 else value

    def compute(self, state):
        return self._squeeze(state[self._CELLS[0]])

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ThresholdMetric):
    """Weighted count of positives predicted positive (``y_pred > 0.5``).

    Example:
        >>> float(TruePositives()([0, 1, 1, 1], [1, 0, 1, 1]))
        2.0
    """

    _CELLS = ("tp",)

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)


class FalsePositives(_ThresholdMetric):
    """Weighted count of negatives predicted positive."""

    _CELLS = ("fp",)

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)


class TrueNegatives(_ThresholdMetric):
    """Weighted count of negatives predicted negative."""

    _CELLS = ("tn",)

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)


class FalseNegatives(_ThresholdMetric):
    """Weighted count of positives predicted negative."""

    _CELLS = ("fn",)

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)


class Precision(_ThresholdMetric):
    """``tp / (tp + fp)`` over all batches (0 when nothing is predicted positive).

    Args:
        thresholds: a number or list in [0, 1]; default 0.5 (or, with `top_k`,
            "every top-k entry is positive").
        top_k: count only the `k` highest scores of each row as positive.
        class_id: compute the binary precision of this class only.

    Example:
        >>> float(Precision(top_k=2)([[0, 0, 1, 1]], [[1, 1, 1, 1]]))
        0.0
    """

    _CELLS = ("tp", "fp")

    def compute(self, state):
        return self._squeeze(divide_no_nan(state["tp"], state["tp"] + state["fp"]))

    def get_config(self):
        return {**super().get_config(), "top_k": self.top_k, "class_id": self.class_id}


class Recall(_ThresholdMetric):
    """``tp / (tp + fn)`` over all batches (0 when there are no positives).

    Args: as `Precision`.

    Example:
        >>> round(float(Recall()([0, 1, 1, 1], [1, 0, 1, 1])), 4)
        0.6667
    """

    _CELLS = ("tp", "fn")

    def compute(self, state):
        return self._squeeze(divide_no_nan(state["tp"], state["tp"] + state["fn"]))

    def get_config(self):
        return {**super().get_config(), "top_k": self.top_k, "class_id": self.class_id}


class AUC(Metric):
    """Area under the ROC or PR curve, approximated on `num_thresholds`
    thresholds (Keras's bucketed Riemann sum).

    Thresholds are ``[-1e-7, 1/(T-1), ..., (T-2)/(T-1), 1 + 1e-7]``. For ROC
    with ``"interpolation"`` the result is the trapezoidal area, which equals
    the exact AUC except that a positive and a negative falling in the same
    bucket count 1/2 (so the error is at most half the fraction of such
    pairs). PR with ``"interpolation"`` uses Davis & Goadrich interpolation.

    Args:
        num_thresholds: T > 1 (default 200).
        curve: ``"ROC"`` or ``"PR"``.
        summation_method: ``"interpolation"``, ``"minoring"`` or ``"majoring"``.
        thresholds: explicit thresholds in [0, 1] instead (endpoints added).
        multi_label: one AUC per label column, averaged; else all entries are
            flattened into one binary problem.
        num_labels: the number of label columns with `multi_label` (else found
            by `build` from the first batch).
        from_logits: apply a sigmoid to the predictions first.

    Example:
        >>> m = AUC(num_thresholds=3)
        >>> float(m([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1]))
        1.0
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 from_logits=False):
        super().__init__(name=name, dtype=dtype)
        self.curve = check_one_of("curve", str(curve).upper(), ["ROC", "PR"])
        self.summation_method = check_one_of(
            "summation_method", str(summation_method).lower(),
            ["interpolation", "minoring", "majoring"])
        self._init_thresholds = None
        if thresholds is not None:
            inner = sorted(_parse_thresholds(thresholds, 0.5))
            self._init_thresholds = inner
            self.num_thresholds = len(inner) + 2
        else:
            if isinstance(num_thresholds, bool) or int(num_thresholds) != num_thresholds or \
                    num_thresholds <= 1:
                raise ValueError(
                    f"`num_thresholds` must be an integer > 1; received {num_thresholds!r}. "
                    f"The default, 200, suits most uses."
                )
            self.num_thresholds = int(num_thresholds)
            n = self.num_thresholds
            inner = [(i + 1) / (n - 1) for i in range(n - 2)]
        self.thresholds = [0.0 - EPSILON] + inner + [1.0 + EPSILON]
        self.multi_label = bool(multi_label)
        if num_labels is not None and not self.multi_label:
            raise ValueError("`num_labels` is only used with multi_label=True; drop it.")
        self.num_labels = None if num_labels is None else check_positive_int("num_labels",
                                                                             num_labels)
        self.from_logits = bool(from_logits)

    def build(self, y_true_shape, y_pred_shape):
        if not self.multi_label or self.num_labels is not None:
            return
        if len(y_pred_shape) != 2:
            raise ValueError(
                f"AUC(multi_label=True) needs predictions of shape (batch, num_labels); "
                f"received shape {tuple(y_pred_shape)}."
            )
        self.num_labels = int(y_pred_shape[-1])

    def initial_state(self):
        if self.multi_label and self.num_labels is None:
            raise ValueError(
                "AUC(multi_label=True) does not know the number of labels yet: pass "
                "num_labels=... or call metric.build(y_true.shape, y_pred.shape) first."
            )
        shape = (self.num_thresholds, self.num_labels) if self.multi_label else (
            self.num_thresholds,)
        return {cell: self._zeros(shape) for cell in ("tp", "fp", "tn", "fn")}

    def update(self, state, y_true, y_pred, sample_weight=None):
        y_true, y_pred, w = prepare_inputs(y_true, y_pred, sample_weight, self.dtype)
        if self.from_logits:
            y_pred = jax.nn.sigmoid(y_pred)
        if self._init_thresholds is None:
            counts = counts_by_buckets(y_true, y_pred, self.num_thresholds, w, self.multi_label)
        else:
            counts = counts_by_comparison(y_true, y_pred, np.array(self.thresholds), w,
                                          self.multi_label)
        return {cell: state[cell] + counts[cell] for cell in state}

    def _interpolated_pr_auc(self, s):
        tp, fp, fn = s["tp"], s["fp"], s["fn"]
        p = tp + fp
        dtp = tp[:-1] - tp[1:]
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, jnp.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        ratio = jnp.where((p[:-1] > 0) & (p[1:] > 0),
                          divide_no_nan(p[:-1], jnp.maximum(p[1:], 0.0)), 1.0)
        return divide_no_nan(slope * (dtp + intercept * jnp.log(ratio)),
                             jnp.maximum(tp[1:] + fn[1:], 0.0))

    def compute(self, state):
        if self.curve == "PR" and self.summation_method == "interpolation":
            areas = self._interpolated_pr_auc(state)
        else:
            tp, fp, tn, fn = state["tp"], state["fp"], state["tn"], state["fn"]
            recall = divide_no_nan(tp, tp + fn)
            if self.curve == "ROC":
                x, y = divide_no_nan(fp, fp + tn), recall
            else:
                x, y = recall, divide_no_nan(tp, tp + fp)
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2.0
            elif self.summation_method == "minoring":
                heights = jnp.minimum(y[:-1], y[1:])
            else:
                heights = jnp.maximum(y[:-1], y[1:])
            areas = (x[:-1] - x[1:]) * heights
        by_label = jnp.sum(areas, axis=0)
        return jnp.mean(by_label) if self.multi_label else by_label

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "from_logits": self.from_logits}
        if self._init_thresholds is not None:
            config["thresholds"] = list(self._init_thresholds)
        return config
