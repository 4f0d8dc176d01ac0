"""Probabilistic losses: crossentropies, KL divergence, Poisson.

Numerics follow Keras's JAX backend:

- ``from_logits=True`` uses ``log_softmax`` / ``log_sigmoid``: finite values
  and finite gradients for any logits.
- ``from_logits=False`` takes probabilities. Categorical outputs are first
  renormalised to sum to 1 along `axis`; probabilities are clipped to
  ``[1e-7, 1 - 1e-7]`` before the logarithm. The clipping bounds the loss
  (at about 16.1 per element) but its gradient is zero outside the clip range,
  which is why `logits_version` exists.

Example:
    >>> import jax.numpy as jnp
    >>> y_true = jnp.array([[0, 1, 0], [0, 0, 1]])
    >>> y_pred = jnp.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    >>> round(float(CategoricalCrossentropy()(y_true, y_pred)), 3)
    1.177
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._validation import check_in_range
from . import _targets
from ._base import EPSILON, Loss, LossFunctionWrapper, squeeze_or_expand_to_same_rank

__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "kl_divergence",
    "poisson",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "KLDivergence",
    "Poisson",
]


def _float(x):
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(jnp.float32)


def _activation_name(activation) -> str | None:
    if isinstance(activation, str):
        return activation.lower()
    name = getattr(activation, "__name__", None)
    return name.lower() if isinstance(name, str) else None


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Elementwise binary crossentropy, averaged over `axis`.

    Args:
        y_true: targets in [0, 1], shape ``(batch, d0, .., dN)`` (``(batch,)``
            is accepted with ``(batch, 1)`` outputs).
        y_pred: probabilities, or logits when `from_logits`; same shape.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: targets become ``y * (1 - s) + 0.5 * s``.
        axis: the axis averaged away.

    Returns:
        Shape ``(batch, d0, .., dN-1)``.
    """
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        elementwise = -(y_true * jax.nn.log_sigmoid(y_pred)
                        + (1.0 - y_true) * jax.nn.log_sigmoid(-y_pred))
    else:
        p = jnp.clip(y_pred, EPSILON, 1.0 - EPSILON)
        elementwise = -(y_true * jnp.log(p) + (1.0 - y_true) * jnp.log1p(-p))
    return jnp.mean(elementwise, axis=axis)


def _log_probs(y_pred, from_logits, axis):
    if from_logits:
        return jax.nn.log_softmax(y_pred, axis=axis)
    p = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
    return jnp.log(jnp.clip(p, EPSILON, 1.0 - EPSILON))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Crossentropy between one-hot (or soft) targets and predictions.

    Args:
        y_true: one-hot targets, shape ``(batch, .., num_classes)``.
        y_pred: probabilities (renormalised along `axis`) or logits.
        from_logits: whether `y_pred` holds logits.
        label_smoothing: targets become ``y * (1 - s) + s / num_classes``.
        axis: the class axis.

    Returns:
        Shape of `y_pred` without `axis`.
    """
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    if label_smoothing:
        num_classes = y_true.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return -jnp.sum(y_true * _log_probs(y_pred, from_logits, axis), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Crossentropy between integer labels and predictions.

    Args:
        y_true: integer labels, shape ``(batch, ..)`` or ``(batch, .., 1)``.
        y_pred: probabilities or logits, shape ``(batch, .., num_classes)``.
        from_logits: whether `y_pred` holds logits.
        ignore_class: a label value whose entries get loss 0 (e.g. -1 or 255
            for "void" pixels).
        axis: must be the last axis.

    Returns:
        Shape ``(batch, ..)``. A label outside ``[0, num_classes)`` gives loss
        0, as in Keras: check labels with
        `SparseCategoricalCrossentropy.validate_targets`.
    """
    return _sparse_ce_with_mask(y_true, y_pred, from_logits, ignore_class, axis)[0]


def _sparse_ce_with_mask(y_true, y_pred, from_logits, ignore_class, axis=-1):
    y_pred = _float(y_pred)
    if axis not in (-1, y_pred.ndim - 1):
        raise ValueError(f"`axis` must be -1 (the class axis last); received axis={axis}.")
    y_true = jnp.asarray(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = jnp.squeeze(y_true, -1)
    labels = y_true.astype(jnp.int32)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = jnp.where(valid, labels, 0)
    one_hot = jax.nn.one_hot(labels, y_pred.shape[-1], dtype=y_pred.dtype)
    losses = -jnp.sum(one_hot * _log_probs(y_pred, from_logits, -1), axis=-1)
    if valid is not None:
        losses = jnp.where(valid, losses, 0.0)
    return losses, valid


def kl_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to
    ``[1e-7, 1]``."""
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_true = jnp.clip(y_true, EPSILON, 1.0)
    y_pred = jnp.clip(y_pred, EPSILON, 1.0)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1)``."""
    y_pred = _float(y_pred)
    y_true = jnp.asarray(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return jnp.mean(y_pred - y_true * jnp.log(y_pred + EPSILON), axis=-1)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary crossentropy for 0/1 (or soft) targets.

    Args:
        from_logits: whether outputs are logits (recommended) or probabilities.
        label_smoothing: in [0, 1]; squeezes targets towards 0.5.
        axis: the axis averaged away (default last).

    Example:
        >>> bce = BinaryCrossentropy(from_logits=True)
        >>> round(float(bce([0, 1, 0, 0], [[-18.6], [0.51], [2.94], [-12.8]])), 3)
        0.865
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_in_range("label_smoothing", label_smoothing, 0.0, 1.0,
                                              high_inclusive=True)
        self.axis = axis
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=self.from_logits, label_smoothing=self.label_smoothing,
                         axis=axis)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}

    def validate_targets(self, y_true, y_pred_shape):
        _targets.check_binary_targets(y_true, y_pred_shape, self.name)

    def logits_version(self, final_activation):
        if not self.from_logits and _activation_name(final_activation) == "sigmoid":
            return self._replace(from_logits=True)
        return None


class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for one-hot targets.

    Args:
        from_logits: whether outputs are logits or probabilities.
        label_smoothing: in [0, 1]; moves ``s / num_classes`` mass to every class.
        axis: the class axis (default last).

    Example:
        >>> cce = CategoricalCrossentropy()
        >>> y_true, y_pred = [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
        >>> round(float(cce(y_true, y_pred, sample_weight=[0.3, 0.7])), 3)
        0.814
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_in_range("label_smoothing", label_smoothing, 0.0, 1.0,
                                              high_inclusive=True)
        self.axis = axis
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=self.from_logits, label_smoothing=self.label_smoothing,
                         axis=axis)

    def call(self, y_true, y_pred):
        # no rank alignment: one-hot targets must match the outputs' shape
        return categorical_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing,
                                        self.axis)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}

    def validate_targets(self, y_true, y_pred_shape):
        _targets.check_one_hot_targets(y_true, y_pred_shape, self.name)

    def logits_version(self, final_activation):
        if (not self.from_logits and self.axis == -1
                and _activation_name(final_activation) == "softmax"):
            return self._replace(from_logits=True)
        return None


class SparseCategoricalCrossentropy(Loss):
    """Crossentropy for integer class labels.

    Args:
        from_logits: whether outputs are logits or probabilities.
        ignore_class: a label whose entries are left out of the loss and of
            the ``"sum_over_batch_size"`` divisor (Keras masking semantics).

    Example:
        >>> scce = SparseCategoricalCrossentropy()
        >>> round(float(scce([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])), 3)
        1.177
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.from_logits = bool(from_logits)
        self.ignore_class = None if ignore_class is None else int(ignore_class)

    def _cast_inputs(self, y_true, y_pred):
        return jnp.asarray(y_true), jnp.asarray(y_pred, self.dtype)

    def call(self, y_true, y_pred):
        return self.call_with_mask(y_true, y_pred)[0]

    def call_with_mask(self, y_true, y_pred):
        return _sparse_ce_with_mask(y_true, y_pred, self.from_logits, self.ignore_class)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}

    def validate_targets(self, y_true, y_pred_shape):
        _targets.check_sparse_labels(y_true, y_pred_shape, self.name, self.ignore_class)

    def logits_version(self, final_activation):
        if not self.from_logits and _activation_name(final_activation) == "softmax":
            return self._replace(from_logits=True)
        return None


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``.

    Example:
        >>> round(float(KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]])), 4)
        0.1438
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


class Poisson(LossFunctionWrapper):
    """Poisson loss ``y_pred - y_true * log(y_pred)`` for count targets.

    Example:
        >>> round(float(Poisson()([[1.0]], [[2.0]])), 4)  # 2 - log 2
        1.3069
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}
