"""The `Loss` base class and Keras 3 reduction semantics.

A loss object turns ``(y_true, y_pred)`` into per-sample losses with `call`
and reduces them to a scalar with `__call__`, exactly as
``keras.losses.Loss`` does (``keras/src/losses/loss.py``):

1. ``y_true`` and ``y_pred`` are cast to float32 (the loss dtype).
2. ``call`` returns one loss per sample, shape ``(batch, d0, .., dN-1)``
   (the last axis is averaged away by MSE, crossentropies, ...).
3. ``sample_weight`` is brought to the rank of the losses (a trailing axis of
   size 1 is squeezed or added, Keras's ``squeeze_or_expand_to_same_rank``),
   then multiplied in.
4. The weighted losses are reduced: ``"sum_over_batch_size"`` / ``"mean"``
   divide the weighted sum by the number of loss *elements* (not by the sum
   of the weights); ``"mean_with_sample_weight"`` divides by the sum of the
   weights; ``"sum"`` sums; ``"none"`` / ``None`` return them unreduced.

Everything here is pure `jax.numpy` on static shapes, so a loss can be used
inside `jax.jit`, `jax.grad`, `jax.vmap` and `lax.scan`.

Example:
    >>> import numpy as np
    >>> sq = LossFunctionWrapper(lambda t, p: ((t - p) ** 2).mean(axis=-1), name="sq")
    >>> float(sq(np.zeros((2, 3)), np.ones((2, 3))))
    1.0
    >>> float(reduce_weighted_values(jnp.array([1.0, 3.0]), [1.0, 0.0]))  # sum / 2
    0.5
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from .._registry import snake_case
from .._validation import check_one_of

__all__ = [
    "EPSILON",
    "Reduction",
    "REDUCTIONS",
    "Loss",
    "LossFunctionWrapper",
    "squeeze_or_expand_to_same_rank",
    "reduce_weighted_values",
]

#: Keras's fuzz factor ``keras.backend.epsilon()``: probabilities are clipped
#: to ``[EPSILON, 1 - EPSILON]`` before taking logarithms.
EPSILON = 1e-7


class Reduction:
    """The reduction names, as constants (``tf.keras.losses.Reduction``).

    ``AUTO`` is tf.keras's spelling of ``SUM_OVER_BATCH_SIZE`` and is accepted
    so that tf.keras course code runs unchanged.
    """

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"
    MEAN = "mean"
    MEAN_WITH_SAMPLE_WEIGHT = "mean_with_sample_weight"


REDUCTIONS = (
    "sum_over_batch_size",
    "sum",
    "mean",
    "mean_with_sample_weight",
    "none",
    None,
)


def _standardize_reduction(reduction: Any) -> str | None:
    if reduction == Reduction.AUTO:
        return "sum_over_batch_size"
    return check_one_of("reduction", reduction, REDUCTIONS)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Align two arrays whose ranks differ by one trailing axis of size 1.

    Keras rule: when one array has one more axis than the other and that axis
    has size 1, it is squeezed away -- except when the other array has rank 1
    and `expand_rank_1` is true, in which case the rank-1 array gets a
    trailing axis instead. So ``(n,)`` vs ``(n, 1)`` becomes ``(n, 1)`` vs
    ``(n, 1)``; ``(n, t)`` vs ``(n, t, 1)`` becomes ``(n, t)`` vs ``(n, t)``.
    Arrays whose ranks differ otherwise are returned unchanged.

    Args:
        x1, x2: arrays (anything with ``.shape`` and ``.ndim``).
        expand_rank_1: see above.

    Returns:
        ``(x1, x2)`` aligned.

    Example:
        >>> a, b = squeeze_or_expand_to_same_rank(jnp.zeros(4), jnp.zeros((4, 1)))
        >>> a.shape, b.shape
        ((4, 1), (4, 1))
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = jnp.expand_dims(x2, -1)
        else:
            x1 = jnp.squeeze(x1, -1)
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = jnp.expand_dims(x1, -1)
        else:
            x2 = jnp.squeeze(x2, -1)
    return x1, x2


def _align_weights(values, weights):
    """`weights` brought to broadcast against `values` (Keras rank rule, then
    trailing singleton axes so that ``(batch,)`` weights scale ``(batch, t)``
    losses sample by sample)."""
    values, weights = squeeze_or_expand_to_same_rank(values, weights)
    if 0 < weights.ndim < values.ndim:
        weights = jnp.reshape(weights, weights.shape + (1,) * (values.ndim - weights.ndim))
    try:
        np.broadcast_shapes(weights.shape, values.shape)
    except ValueError:
        raise ValueError(
            f"`sample_weight` of shape {tuple(weights.shape)} cannot be matched to the "
            f"per-sample losses of shape {tuple(values.shape)}. Pass one weight per "
            f"sample, shape {tuple(values.shape[:1])}, or weights of shape "
            f"{tuple(values.shape)}."
        ) from None
    return values, weights


def _divide_no_nan(a, b):
    safe = jnp.where(b == 0, jnp.ones_like(b), b)
    return jnp.where(b == 0, jnp.zeros_like(a), a / safe)


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size"):
    """Weight and reduce per-sample losses with Keras 3 semantics.

    Args:
        values: per-sample losses, shape ``(batch, ...)``.
        sample_weight: None, a scalar, ``(batch,)``, ``(batch, 1)`` or the
            shape of `values`.
        mask: optional boolean array of the shape of `values`; masked-out
            entries do not count. With ``"sum_over_batch_size"``/``"mean"``
            the divisor becomes the number of unmasked entries.
        reduction: one of `REDUCTIONS` (or ``"auto"``).

    Returns:
        A scalar, or the weighted `values` when the reduction is none.
    """
    reduction = _standardize_reduction(reduction)
    values = jnp.asarray(values)
    dtype = values.dtype
    weights = None if sample_weight is None else jnp.asarray(sample_weight, dtype)
    if mask is not None:
        mask = jnp.asarray(mask, dtype)
        if reduction in ("mean", "sum_over_batch_size"):
            # valid entries weigh total/valid, so sum/total == sum_valid/valid
            mask = mask * _divide_no_nan(jnp.asarray(mask.size, dtype), jnp.sum(mask))
        if weights is None:
            weights = mask
        else:
            mask, weights = _align_weights(mask, weights)
            weights = weights * mask
    if weights is not None:
        values, weights = _align_weights(values, weights)
        values = values * weights
    if reduction in (None, "none") or values.ndim == 0 or values.size == 0:
        return values
    total = jnp.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weights is not None:
        return _divide_no_nan(total, jnp.sum(jnp.broadcast_to(weights, values.shape)))
    return total / values.size


class Loss:
    """Base class of all losses (``keras.losses.Loss``).

    Subclasses implement `call(y_true, y_pred)` returning per-sample losses;
    `__call__` adds sample weights and the reduction.

    Args:
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``,
            ``"mean_with_sample_weight"``, ``"none"`` or None (``"auto"`` is
            read as ``"sum_over_batch_size"``).
        name: name of the loss; defaults to the snake-case class name.
        dtype: computation dtype, float32 by default (Keras's floatx).

    Example:
        >>> class Cube(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return jnp.mean(jnp.abs(y_true - y_pred) ** 3, axis=-1)
        >>> float(Cube()(jnp.zeros((2, 2)), jnp.full((2, 2), 2.0)))
        8.0
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str | None = None,
                 dtype: Any = None):
        self.reduction = _standardize_reduction(reduction)
        self.name = name or snake_case(type(self).__name__)
        self.dtype = jnp.dtype(dtype or "float32")

    # -- numeric core -------------------------------------------------------
    def call(self, y_true, y_pred):
        """Per-sample losses, shape ``(batch, d0, .., dN-1)`` (pure)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `call(y_true, y_pred)` returning "
            f"per-sample losses."
        )

    def call_with_mask(self, y_true, y_pred):
        """``(per-sample losses, mask or None)``; the mask marks entries that
        count (used by ``ignore_class``)."""
        return self.call(y_true, y_pred), None

    def _cast_inputs(self, y_true, y_pred):
        return jnp.asarray(y_true, self.dtype), jnp.asarray(y_pred, self.dtype)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Reduced loss (a scalar unless the reduction is none).

        Args:
            y_true: targets, shape ``(batch, ...)``.
            y_pred: model outputs, shape ``(batch, ...)``.
            sample_weight: optional weights, scalar, ``(batch,)`` or the shape
                of the per-sample losses.
        """
        y_true, y_pred = self._cast_inputs(y_true, y_pred)
        values, mask = self.call_with_mask(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction)

    # -- host-side hooks ----------------------------------------------------
    def validate_targets(self, y_true: np.ndarray, y_pred_shape: tuple) -> None:
        """Check targets on the host before training; raise ValueError with a
        fix when they cannot fit this loss. The default accepts anything.

        Args:
            y_true: the full target array (numpy), shape ``(n, ...)``.
            y_pred_shape: the model's output shape, batch axis first (it may
                be None).
        """

    def logits_version(self, final_activation: str) -> Loss | None:
        """An equivalent loss that takes pre-activation outputs, or None.

        When a model ends in `final_activation` (``"softmax"`` or
        ``"sigmoid"``) and this loss takes probabilities, the model can feed
        the pre-activation outputs to the returned loss instead, which is
        numerically stable. The default is None (no such version).
        """
        return None

    # -- configuration -----------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)

    def _replace(self, **changes: Any) -> Loss:
        config = self.get_config()
        config.update(changes)
        return type(self).from_config(config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class LossFunctionWrapper(Loss):
    """A `Loss` around a plain function ``fn(y_true, y_pred, **kwargs)`` that
    returns per-sample losses (``keras.losses.LossFunctionWrapper``).

    Before calling `fn`, ``y_true`` and ``y_pred`` are aligned with
    `squeeze_or_expand_to_same_rank`, so ``(n,)`` targets work with
    ``(n, 1)`` outputs.

    Args:
        fn: the per-sample loss function.
        reduction, name, dtype: as for `Loss`; `name` defaults to ``fn.__name__``.
        **kwargs: passed to `fn` on every call.

    Example:
        >>> l1 = LossFunctionWrapper(lambda t, p: jnp.abs(t - p).sum(-1), name="l1")
        >>> float(l1(jnp.zeros(3), jnp.ones((3, 1))))
        1.0
    """

    def __init__(self, fn: Callable, reduction="sum_over_batch_size", name=None, dtype=None,
                 **kwargs: Any):
        super().__init__(reduction=reduction, name=name or getattr(fn, "__name__", None),
                         dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        from . import _function_name  # late import: the table lives in __init__

        config = super().get_config()
        config["fn"] = _function_name(self.fn)
        config.update(copy.deepcopy(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        from . import _function_from_name

        if cls is not LossFunctionWrapper:  # built-in subclasses fix their function
            return cls(**config)
        config = dict(config)
        fn = config.pop("fn")
        return cls(_function_from_name(fn) if isinstance(fn, str) else fn, **config)
