"""Confusion-matrix counting at thresholds (``keras/src/metrics/metrics_utils.py``).

For every threshold ``t`` a prediction counts as positive when ``y_pred > t``
(strictly). Labels are cast to bool (any nonzero label is positive). Inputs of
shape ``(batch, classes)`` are flattened into ``batch * classes`` binary
decisions unless `multi_label` keeps the label axis apart.

Two exact algorithms, chosen as Keras chooses them:

- `counts_by_comparison`: compares every prediction with every threshold,
  ``O(thresholds * n)`` memory; used for a few arbitrary thresholds
  (Precision, Recall, ...).
- `counts_by_buckets`: for the evenly spaced thresholds of `AUC`, maps each
  prediction to its bucket ``ceil(p * (T - 1)) - 1`` and takes a reversed
  cumulative sum of per-bucket weights, ``O(thresholds + n)``.

Example:
    >>> import jax.numpy as jnp, numpy as np
    >>> c = counts_by_comparison(jnp.array([0, 1, 1, 1.]), jnp.array([1, 0, 1, 1.]),
    ...                          np.array([0.5]))
    >>> [float(c[k][0]) for k in ("tp", "fp", "tn", "fn")]
    [2.0, 1.0, 0.0, 1.0]
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..losses import squeeze_or_expand_to_same_rank

__all__ = ["NEG_INF", "prepare_inputs", "counts_by_comparison", "counts_by_buckets"]

#: Threshold used with `top_k`: every kept prediction is above it.
NEG_INF = -1e10


def _filter_top_k(x, k):
    """Keep the `k` largest entries of the last axis, set the rest to NEG_INF."""
    _, idx = jax.lax.top_k(x, k)
    keep = jnp.sum(jax.nn.one_hot(idx, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * keep + NEG_INF * (1.0 - keep)


def prepare_inputs(y_true, y_pred, sample_weight, dtype, *, top_k=None, class_id=None):
    """Cast, align ranks, apply `top_k` / `class_id`, broadcast the weights.

    Returns:
        ``(y_true, y_pred, weights)`` of one shape; `weights` may be None.
    """
    y_true = jnp.asarray(y_true).astype(dtype)
    y_pred = jnp.asarray(y_pred).astype(dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        w = jnp.expand_dims(jnp.asarray(sample_weight, dtype), -1)
        _, w = squeeze_or_expand_to_same_rank(y_true, w, expand_rank_1=False)
    else:
        w = None
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim < 2:
            raise ValueError(
                f"`class_id={class_id}` needs predictions of shape (batch, num_classes); "
                f"received shape {tuple(y_pred.shape)}."
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if w is not None:
        try:
            w = jnp.broadcast_to(w, y_pred.shape)
        except ValueError:
            raise ValueError(
                f"`sample_weight` of shape {tuple(np.shape(sample_weight))} does not match "
                f"predictions of shape {tuple(y_pred.shape)}; pass one weight per sample."
            ) from None
    return y_true, y_pred, w


def counts_by_comparison(y_true, y_pred, thresholds, weights=None, multi_label=False):
    """Weighted tp/fp/tn/fn for each threshold, by direct comparison.

    Args:
        y_true, y_pred, weights: one shape ``(n, ...)`` (see `prepare_inputs`).
        thresholds: 1-D numpy array of T thresholds.
        multi_label: keep the last axis as separate labels.

    Returns:
        Dict of arrays of shape ``(T,)``, or ``(T, labels)`` with `multi_label`.
    """
    thresholds = jnp.asarray(thresholds, y_pred.dtype)
    if multi_label:
        labels = y_true.reshape(-1, y_true.shape[-1]) != 0
        preds = y_pred.reshape(-1, y_pred.shape[-1])
        w = None if weights is None else weights.reshape(preds.shape)
        above = preds[None] > thresholds[:, None, None]  # (T, n, L)
        labels = labels[None]
        axis = 1
    else:
        labels = (y_true.reshape(-1) != 0)[None]
        preds = y_pred.reshape(-1)
        w = None if weights is None else weights.reshape(-1)
        above = preds[None] > thresholds[:, None]  # (T, n)
        axis = 1
    w = jnp.ones_like(preds) if w is None else w
    w = w[None]

    def total(mask):
        return jnp.sum(jnp.where(mask, w, 0.0), axis=axis)

    return {
        "tp": total(labels & above),
        "fp": total(~labels & above),
        "tn": total(~labels & ~above),
        "fn": total(labels & ~above),
    }


def counts_by_buckets(y_true, y_pred, num_thresholds, weights=None, multi_label=False):
    """Weighted tp/fp/tn/fn at `num_thresholds` evenly spaced thresholds
    ``[-eps, 1/(T-1), ..., (T-2)/(T-1), 1+eps]`` (AUC's), in ``O(T + n)``.

    Predictions are clipped to [0, 1] first, as Keras does.

    Returns:
        Dict of arrays of shape ``(T,)``, or ``(T, labels)`` with `multi_label`.
    """
    y_pred = jnp.clip(y_pred, 0.0, 1.0)
    w = jnp.ones_like(y_pred) if weights is None else weights
    pos = jnp.where(y_true != 0, w, 0.0)
    neg = jnp.where(y_true != 0, 0.0, w)
    bucket = jnp.ceil(y_pred * (num_thresholds - 1)) - 1
    bucket = jnp.maximum(bucket, 0).astype(jnp.int32)  # the -eps threshold takes p == 0

    def cumulative(values, ids):
        per_bucket = jax.ops.segment_sum(values, ids, num_segments=num_thresholds)
        return jnp.cumsum(per_bucket[::-1])[::-1]  # count of predictions above t_i

    if multi_label:
        def flat(a):  # (n, .., L) -> (L, n')
            return a.reshape(-1, a.shape[-1]).T

        tp = jax.vmap(cumulative)(flat(pos), flat(bucket)).T
        fp = jax.vmap(cumulative)(flat(neg), flat(bucket)).T
        total_pos = jnp.sum(flat(pos), axis=1)
        total_neg = jnp.sum(flat(neg), axis=1)
    else:
        tp = cumulative(pos.reshape(-1), bucket.reshape(-1))
        fp = cumulative(neg.reshape(-1), bucket.reshape(-1))
        total_pos, total_neg = jnp.sum(pos), jnp.sum(neg)
    return {"tp": tp, "fp": fp, "tn": total_neg - fp, "fn": total_pos - tp}
