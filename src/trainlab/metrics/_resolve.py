"""Resolve ``compile(metrics=[...])`` identifiers (``keras/src/trainers/compile_utils.py``).

``"accuracy"`` / ``"acc"`` (any case) becomes binary, sparse categorical or
categorical accuracy. Keras 3 decides from the shapes alone
(``is_binary_or_sparse_categorical``), batch axis included:

- ``y_pred.shape[-1] == 1``                       -> `BinaryAccuracy`
- else ``y_true`` has lower rank than ``y_pred``,
  or ``y_true.shape[-1] == 1``                    -> `SparseCategoricalAccuracy`
- else                                            -> `CategoricalAccuracy`

When the shapes are not known, the loss decides (binary / sparse categorical
/ categorical crossentropy, the pre-TF2 Keras rule). Every string keeps the
user's spelling as the metric's `name`, so logs say ``"accuracy"`` and
``"mse"``, as Keras's logs do.

Example:
    >>> m = get("accuracy", y_true_shape=(32,), y_pred_shape=(32, 10))
    >>> type(m).__name__, m.name
    ('SparseCategoricalAccuracy', 'accuracy')
    >>> type(get("acc", loss="binary_crossentropy")).__name__
    'BinaryAccuracy'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import losses as _losses
from .._registry import Registry, snake_case
from .._validation import describe, unknown_name_error
from . import _accuracy as acc
from . import _classification as cls_
from . import _fscore as fs
from . import _regression as reg
from ._base import Mean, MeanMetricWrapper, Metric, Sum

__all__ = ["get", "serialize", "deserialize", "resolve_accuracy", "REGISTRY"]

REGISTRY = Registry("metric", "metrics")

# class -> extra accepted names (the class name and its snake-case form are
# always accepted, as in Keras 3's ALL_OBJECTS_DICT)
_ALIASES: dict[type, tuple[str, ...]] = {
    Mean: (), Sum: (), MeanMetricWrapper: (),
    acc.Accuracy: (), acc.BinaryAccuracy: (), acc.CategoricalAccuracy: (),
    acc.SparseCategoricalAccuracy: (), acc.TopKCategoricalAccuracy: (),
    acc.SparseTopKCategoricalAccuracy: (),
    reg.MeanSquaredError: ("mse", "MSE"),
    reg.MeanAbsoluteError: ("mae", "MAE"),
    reg.RootMeanSquaredError: ("rmse", "RMSE"),
    reg.BinaryCrossentropy: ("bce", "BCE"),
    reg.CategoricalCrossentropy: (), reg.SparseCategoricalCrossentropy: (),
    reg.KLDivergence: (), reg.Poisson: (),
    cls_.TruePositives: (), cls_.FalsePositives: (), cls_.TrueNegatives: (),
    cls_.FalseNegatives: (), cls_.Precision: (), cls_.Recall: (), cls_.AUC: (),
    fs.F1Score: (), fs.FBetaScore: (),
}
for _cls, _extra in _ALIASES.items():
    REGISTRY.register(snake_case(_cls.__name__), *_extra)(_cls)

_ACCURACY_NAMES = ("accuracy", "acc")


def resolve_accuracy(loss: Any = None, y_true_shape: tuple | None = None,
                     y_pred_shape: tuple | None = None) -> type:
    """The accuracy class that ``"accuracy"`` means for these shapes / this loss.

    Args:
        loss: the compiled loss (name, `Loss` or function); used only when the
            shapes are not given.
        y_true_shape, y_pred_shape: full shapes, batch axis first.

    Raises:
        ValueError: when neither the shapes nor a crossentropy loss decide.
    """
    if y_true_shape is not None and y_pred_shape is not None:
        yt, yp = tuple(y_true_shape), tuple(y_pred_shape)
        if not yt or not yp:
            raise ValueError(
                f"`y_true_shape` and `y_pred_shape` must include the batch axis; received "
                f"{yt} and {yp}."
            )
        if yp[-1] == 1:
            return acc.BinaryAccuracy
        if len(yt) < len(yp) or (yt[-1] == 1 and yp[-1] > 1):
            return acc.SparseCategoricalAccuracy
        return acc.CategoricalAccuracy
    loss_obj = _losses.get(loss) if loss is not None else None
    if isinstance(loss_obj, _losses.BinaryCrossentropy):
        return acc.BinaryAccuracy
    if isinstance(loss_obj, _losses.SparseCategoricalCrossentropy):
        return acc.SparseCategoricalAccuracy
    if isinstance(loss_obj, _losses.CategoricalCrossentropy):
        return acc.CategoricalAccuracy
    raise ValueError(
        "Cannot tell which accuracy `metrics=['accuracy']` means"
        + (f" for loss {getattr(loss_obj, 'name', loss)!r}" if loss is not None else "")
        + ": pass `y_true_shape` and `y_pred_shape`, or name it explicitly: "
        "'binary_accuracy', 'categorical_accuracy' or 'sparse_categorical_accuracy'."
    )


def get(identifier: Any, *, loss: Any = None, y_true_shape: tuple | None = None,
        y_pred_shape: tuple | None = None) -> Metric | None:
    """Resolve a metric identifier to a `Metric`, as ``compile`` does.

    Args:
        identifier: None; a `Metric` (returned as is); a `Metric` class; a
            name (``"accuracy"``, ``"acc"``, ``"mse"``, ``"rmse"``, ``"auc"``,
            ``"precision"``, ``"top_k_categorical_accuracy"``, any Keras class
            name or its snake-case form); a config dict from `serialize`; a
            `trainlab.losses.Loss`; or a function ``fn(y_true, y_pred) ->
            per-sample values`` (averaged with `MeanMetricWrapper`).
        loss, y_true_shape, y_pred_shape: used to resolve ``"accuracy"``;
            shapes include the batch axis.

    Returns:
        A new `Metric` (for strings, named by the string), or None.

    Raises:
        ValueError: unknown name (the message lists the valid names), or an
            ``"accuracy"`` that cannot be resolved.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in _ACCURACY_NAMES:
            metric_cls = resolve_accuracy(loss, y_true_shape, y_pred_shape)
        else:
            if identifier not in REGISTRY.names():
                raise unknown_name_error("metric", "metrics", identifier,
                                         REGISTRY.names() + list(_ACCURACY_NAMES))
            metric_cls = REGISTRY.lookup(identifier)
            if metric_cls is MeanMetricWrapper:
                raise ValueError(
                    "`metrics=['MeanMetricWrapper']` needs a function: pass "
                    "MeanMetricWrapper(fn) or the function itself."
                )
        metric = metric_cls()
        metric.name = identifier
        return metric
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, _losses.Loss):
        return MeanMetricWrapper(identifier.call, name=identifier.name)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(
        f"Could not interpret {describe(identifier)} as a metric for `metrics`. Pass a name "
        f"such as 'accuracy', a trainlab.metrics.Metric, or a function "
        f"fn(y_true, y_pred) returning per-sample values."
    )


def serialize(metric: Metric | Callable | None) -> Any:
    """``{"class_name", "config"}`` for a `Metric`, the name for a built-in function."""
    if metric is None:
        return None
    if isinstance(metric, Metric):
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    from ._functions import function_name

    return function_name(metric)


def deserialize(config: Any) -> Metric | None:
    """Inverse of `serialize`."""
    if config is None:
        return None
    if isinstance(config, str):
        from ._functions import FUNCTIONS

        if config in FUNCTIONS and config not in REGISTRY.names():
            return MeanMetricWrapper(FUNCTIONS[config])
        return get(config)
    return REGISTRY.get(config, base=Metric)
