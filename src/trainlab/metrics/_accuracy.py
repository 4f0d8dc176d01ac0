"""Accuracy metrics (``keras/src/metrics/accuracy_metrics.py``).

The per-sample functions return 1.0 / 0.0 per sample; the classes average
them with `MeanMetricWrapper` (weighted by `sample_weight`).

Example:
    >>> import jax.numpy as jnp
    >>> scores = jnp.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    >>> sparse_categorical_accuracy(jnp.array([2, 1]), scores)
    Array([0., 1.], dtype=float32)
"""

from __future__ import annotations

import jax.numpy as jnp

from .._validation import check_in_range, check_positive_int
from ..losses import squeeze_or_expand_to_same_rank
from ._base import MeanMetricWrapper

__all__ = [
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
]


def accuracy(y_true, y_pred):
    """Fraction of exactly equal entries, averaged over the last axis.

    Args:
        y_true, y_pred: shape ``(batch, d)`` (``(batch,)`` vs ``(batch, 1)``
            is aligned).

    Returns:
        Shape ``(batch,)``.
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return jnp.mean((y_true == y_pred).astype(jnp.float32), axis=-1)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Fraction of entries with ``(y_pred > threshold) == y_true``, averaged
    over the last axis (strictly greater, as Keras)."""
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = (y_pred > threshold).astype(y_true.dtype)
    return jnp.mean((y_true == predicted).astype(jnp.float32), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1.0 where ``argmax(y_true) == argmax(y_pred)`` (one-hot targets).

    Returns:
        Shape ``(batch, ..)`` (the class axis removed).
    """
    true_class = jnp.argmax(jnp.asarray(y_true), axis=-1)
    pred_class = jnp.argmax(jnp.asarray(y_pred), axis=-1)
    return (true_class == pred_class).astype(jnp.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals ``argmax(y_pred)``.

    Args:
        y_true: labels, shape ``(batch, ..)`` or ``(batch, .., 1)``.
        y_pred: scores (probabilities or logits), shape ``(batch, .., classes)``.
    """
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = jnp.squeeze(y_true, -1)
    pred_class = jnp.argmax(y_pred, axis=-1)
    return (y_true.astype(jnp.float32) == pred_class.astype(jnp.float32)).astype(jnp.float32)


def _in_top_k(labels, scores, k):
    """Keras/TF ``in_top_k``: the label's score is beaten by fewer than k
    scores (ties count in the label's favour; a NaN score never wins)."""
    at_label = jnp.take_along_axis(scores, labels[..., None].astype(jnp.int32), axis=-1)
    at_label = jnp.where(jnp.isnan(at_label), -jnp.inf, at_label)
    rank = 1 + jnp.sum(scores > at_label, axis=-1)
    return rank <= k


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label is among the `k` highest scores."""
    y_pred = jnp.asarray(y_pred)
    y_true = jnp.asarray(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = jnp.squeeze(y_true, -1)
    return _in_top_k(y_true, y_pred, k).astype(jnp.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where ``argmax(y_true)`` is among the `k` highest scores."""
    return _in_top_k(jnp.argmax(jnp.asarray(y_true), axis=-1), jnp.asarray(y_pred), k).astype(
        jnp.float32)


class _Wrapper(MeanMetricWrapper):
    def get_config(self):
        return {"name": self.name, "dtype": self.dtype.name}


class Accuracy(_Wrapper):
    """How often predictions equal labels exactly.

    Example:
        >>> float(Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]]))
        0.75
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(_Wrapper):
    """How often ``y_pred > threshold`` matches 0/1 labels.

    Args:
        threshold: in (0, 1).

    Example:
        >>> float(BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]))
        0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        self.threshold = check_in_range("threshold", threshold, 0.0, 1.0, low_inclusive=False,
                                        hint="For logit outputs apply a sigmoid first.")
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


class CategoricalAccuracy(_Wrapper):
    """How often the argmax of the scores matches the argmax of one-hot labels.

    Example:
        >>> scores = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
        >>> float(CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], scores))
        0.5
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(_Wrapper):
    """How often the argmax of the scores equals the integer label.

    Example:
        >>> m = SparseCategoricalAccuracy()
        >>> scores = [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]
        >>> round(float(m([[2], [1]], scores, sample_weight=[0.7, 0.3])), 4)
        0.3
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(_Wrapper):
    """How often the one-hot label is among the `k` highest scores.

    Example:
        >>> scores = [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
        >>> float(TopKCategoricalAccuracy(k=1)([[0, 0, 1], [0, 1, 0]], scores))
        0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        self.k = check_positive_int("k", k)
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=self.k)

    def get_config(self):
        return {**super().get_config(), "k": self.k}


class SparseTopKCategoricalAccuracy(_Wrapper):
    """How often the integer label is among the `k` highest scores.

    Example:
        >>> float(SparseTopKCategoricalAccuracy(k=1)([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]))
        0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        self.k = check_positive_int("k", k)
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=self.k)

    def get_config(self):
        return {**super().get_config(), "k": self.k}
