"""TensorFlow's Estimator form on trainlab's estimators: ``train`` /
``evaluate`` / ``predict`` with an ``input_fn``, and `clip_gradients_by_norm`.

The Google ML Crash Course trains canned estimators like this::

    def my_input_fn(features, targets, batch_size=1, shuffle=True, num_epochs=None):
        features = {key: np.array(value) for key, value in dict(features).items()}
        ds = Dataset.from_tensor_slices((features, targets)).batch(batch_size).repeat(num_epochs)
        if shuffle:
            ds = ds.shuffle(buffer_size=10000)
        return ds.make_one_shot_iterator().get_next()

    regressor = LinearRegressor(feature_columns=[numeric_column("total_rooms")],
                                optimizer=clip_gradients_by_norm(SGD(1e-5), 5.0))
    regressor.train(input_fn=lambda: my_input_fn(df[["total_rooms"]], df["value"]), steps=100)
    values = [p["predictions"][0] for p in regressor.predict(input_fn=...)]

`EstimatorFormMixin` is a thin layer over the estimators' scikit-learn
machinery: it reads the batches an input function describes, then trains with
the estimator's own `_fit` (warm-started, so each `train` call continues, as
in TF) for exactly that many gradient steps with that batch size.

An ``input_fn`` takes no arguments and returns one of:

* a trainlab `Dataset` of ``(dict of features, labels)`` batches (or of
  features only, for `predict`);
* ``ds.make_one_shot_iterator().get_next()`` of such a dataset (TF 1 style);
* a ``(features, labels)`` tuple of a dict / DataFrame and an array: one batch
  that every step trains on (as TF does with constant tensors).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from .._validation import describe

__all__ = ["EstimatorFormMixin", "clip_gradients_by_norm", "read_input_fn"]


def clip_gradients_by_norm(optimizer: Any, clip_norm: float) -> Any:
    """A copy of `optimizer` that clips the gradients' global norm to `clip_norm`
    (``tf.contrib.estimator.clip_gradients_by_norm``).

    Args:
        optimizer: a trainlab optimizer object or name ("sgd", "adam", ...).
        clip_norm: the largest global L2 norm of all gradients together (> 0).

    Returns:
        A new optimizer with ``global_clipnorm=clip_norm``; `optimizer` is unchanged.

    Raises:
        ValueError: `clip_norm` is not a positive number.

    Example:
        >>> from trainlab import optimizers
        >>> opt = clip_gradients_by_norm(optimizers.SGD(learning_rate=1e-5), 5.0)
        >>> opt.get_config()["global_clipnorm"]
        5.0
    """
    from .. import optimizers as _optimizers

    if isinstance(clip_norm, bool) or not isinstance(clip_norm, (int, float, np.number)) or not clip_norm > 0:
        raise ValueError(
            f"`clip_norm` must be a positive number (the Crash Course uses 5.0); received {clip_norm!r}."
        )
    opt = _optimizers.get(optimizer)
    if opt is None:
        raise TypeError(
            f"`optimizer` must be a trainlab optimizer or its name, e.g. optimizers.SGD(learning_rate=0.01); "
            f"received None."
        )
    config = opt.get_config()
    config.update(clipnorm=None, clipvalue=None, global_clipnorm=float(clip_norm))
    return type(opt).from_config(config)


# ----------------------------------------------------------------------
# reading what an input_fn describes
def _call_input_fn(input_fn: Any, method: str) -> Any:
    if not callable(input_fn):
        raise TypeError(
            f"`input_fn` of {method}() must be a function with no arguments that returns a Dataset or a "
            f"(features, labels) tuple; received {describe(input_fn)}. Wrap a call in a lambda: "
            f"{method}(input_fn=lambda: my_input_fn(features, targets))."
        )
    return input_fn()


def _to_numpy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): np.asarray(v) for k, v in value.items()}
    if hasattr(value, "columns") and hasattr(value, "iloc"):  # a DataFrame: a dict of its columns
        return {str(k): value[k].to_numpy() for k in value.columns}
    return None if value is None else np.asarray(value)


def _concat(parts: list[Any]) -> Any:
    if parts[0] is None:
        return None
    if isinstance(parts[0], dict):
        return {k: np.concatenate([np.reshape(p[k], (len(p[k]),) + np.shape(p[k])[1:]) for p in parts])
                for k in parts[0]}
    return np.concatenate([np.reshape(p, (len(p),) + np.shape(p)[1:]) for p in parts])


def _rows(features: Any) -> int:
    if isinstance(features, dict):
        return len(next(iter(features.values()))) if features else 0
    return len(features)


def read_input_fn(input_fn: Callable[[], Any], method: str, steps: int | None) -> tuple[Any, Any, int, int | None]:
    """Call `input_fn` and read the batches it describes.

    Args:
        input_fn: see the module docstring.
        method: "train", "evaluate" or "predict" (for error messages).
        steps: read at most this many batches (None: until the input ends).

    Returns:
        ``(features, labels, batch_size, batches)``: features as a dict of
        arrays ``(rows, ...)`` (or one array), labels ``(rows, ...)`` or None,
        the largest batch's row count, and the number of batches read (None
        for a constant ``(features, labels)`` tuple, which every step reuses).
    """
    from ..data import INFINITE_CARDINALITY, Dataset
    from ..data._one_shot import dataset_of

    out = _call_input_fn(input_fn, method)
    dataset = out if isinstance(out, Dataset) else dataset_of(out)
    if dataset is None:
        if isinstance(out, tuple) and len(out) == 2:
            features, labels = _to_numpy(out[0]), _to_numpy(out[1])
        elif isinstance(out, Mapping) or hasattr(out, "columns"):
            features, labels = _to_numpy(out), None
        else:
            raise TypeError(
                f"`input_fn` of {method}() returned {describe(out)}; expected a trainlab Dataset of "
                f"(features dict, labels) batches, ds.make_one_shot_iterator().get_next(), or a "
                f"(features, labels) tuple."
            )
        return features, labels, _rows(features), None
    if steps is None and dataset.cardinality() == INFINITE_CARDINALITY:
        raise ValueError(
            f"The dataset of `input_fn` repeats forever (repeat() with no count), so {method}() would never end. "
            f"Pass `steps=`, or build the dataset with repeat(1) / num_epochs=1."
        )
    if not dataset._node.batched:
        dataset = dataset.batch(1)
    features_parts, label_parts = [], []
    batches: Iterator[Any] = iter(dataset)
    for element in (batches if steps is None else itertools.islice(batches, int(steps))):
        if isinstance(element, tuple) and len(element) >= 2:
            features_parts.append(_to_numpy(element[0]))
            label_parts.append(_to_numpy(element[1]))
        else:
            features_parts.append(_to_numpy(element))
            label_parts.append(None)
    if not features_parts:
        raise ValueError(f"The dataset of `input_fn` of {method}() is empty: there is nothing to {method} on.")
    batch_size = max(_rows(f) for f in features_parts)
    return _concat(features_parts), _concat(label_parts), batch_size, len(features_parts)


# ----------------------------------------------------------------------
class EstimatorFormMixin:
    """TF's ``train`` / ``evaluate`` / ``predict(input_fn=...)`` for trainlab
    estimators (mixed in before the scikit-learn heads; see the module docstring)."""

    def train(self, input_fn: Callable[[], Any], hooks: Any = None, steps: int | None = None,
              max_steps: int | None = None, saving_listeners: Any = None) -> Any:
        """Train on the batches `input_fn` gives, continuing from the current weights.

        Args:
            input_fn: a function with no arguments (see the module docstring).
            steps: gradient steps to take now (None: until the input ends).
            max_steps: instead of `steps`, train until this many steps in total.

        Returns:
            self.

        Example:
            >>> import numpy as np
            >>> from trainlab.data import Dataset
            >>> from trainlab.estimators import LinearRegressor
            >>> x = np.linspace(-1, 1, 64); y = 3 * x + 1
            >>> est = LinearRegressor(optimizer="sgd", learning_rate=0.1)
            >>> fn = lambda: Dataset.from_tensor_slices(({"x": x}, y)).batch(8).repeat()
            >>> est.train(input_fn=fn, steps=400).t_
            400
        """
        if hooks or saving_listeners:
            raise ValueError(
                "`hooks` and `saving_listeners` are TF session hooks, which trainlab does not have; drop them "
                "(save the trained model with est.model_.save(path))."
            )
        if steps is not None and max_steps is not None:
            raise ValueError(f"Pass `steps` or `max_steps`, not both; received steps={steps}, max_steps={max_steps}.")
        for name, value in (("steps", steps), ("max_steps", max_steps)):
            # whole floats are accepted: the Crash Course passes steps / periods (100.0)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, np.number))
                                      or value != int(value) or value < (0 if name == "max_steps" else 1)):
                raise ValueError(f"`{name}` must be a positive whole number or None; received {value!r}.")
        steps = None if steps is None else int(steps)
        max_steps = None if max_steps is None else int(max_steps)
        if max_steps is not None:
            steps = int(max_steps) - int(getattr(self, "t_", 0))
            if steps <= 0:
                return self
        features, labels, batch_size, batches = read_input_fn(input_fn, "train", steps)
        if labels is None:
            raise ValueError(
                "`input_fn` of train() gave features without labels: return (features, labels) batches, e.g. "
                "Dataset.from_tensor_slices((dict(features), targets))."
            )
        if batches is None and steps is None:
            raise ValueError(
                "`input_fn` returned fixed (features, labels) arrays, which TF trains on forever; pass `steps=`."
            )
        steps = batches if steps is None else min(int(steps), batches or int(steps))
        return self._train_steps(features, labels, batch_size=batch_size, steps=steps)

    def _train_steps(self, features: Any, labels: Any, *, batch_size: int, steps: int) -> Any:
        """`steps` mini-batch steps of `batch_size` on the rows, through `_fit` (warm start)."""
        params = ("batch_size", "steps", "warm_start", "early_stopping")
        saved = {p: getattr(self, p) for p in params}
        try:
            self.batch_size, self.steps, self.warm_start, self.early_stopping = int(batch_size), int(steps), True, False
            # as TF does, train on the targets' own units (no standardization: see RegressorHead)
            self.__dict__["_raw_target_units"] = True
            self._fit(features, labels, None, partial=False)
        finally:
            self.__dict__.pop("_raw_target_units", None)
            for p, v in saved.items():
                setattr(self, p, v)
        return self

    def evaluate(self, input_fn: Callable[[], Any], steps: int | None = None, hooks: Any = None,
                 checkpoint_path: Any = None, name: str | None = None) -> dict[str, Any]:
        """Metrics on the batches of `input_fn`, with TensorFlow's key names.

        Returns:
            Regressors: ``average_loss`` (mean squared error), ``loss``,
            ``label/mean``, ``prediction/mean``, ``global_step``. Classifiers:
            ``accuracy``, ``average_loss`` (cross-entropy), ``loss``,
            ``global_step``; for two classes also ``accuracy_baseline``,
            ``auc``, ``auc_precision_recall``, ``precision``, ``recall``,
            ``label/mean``, ``prediction/mean``.
        """
        features, labels, _, _ = read_input_fn(input_fn, "evaluate", steps)
        if labels is None:
            raise ValueError("`input_fn` of evaluate() gave features without labels: return (features, labels).")
        return self._tf_metrics(features, labels)

    def _tf_metrics(self, features: Any, labels: Any) -> dict[str, Any]:
        step = int(getattr(self, "t_", 0))
        if not getattr(self, "_is_classifier", False):
            pred = np.asarray(self.predict(features), np.float64)
            y = np.asarray(labels, np.float64).reshape(pred.shape)
            mse = float(np.mean((pred - y) ** 2))
            return {"average_loss": mse, "label/mean": float(np.mean(y)), "loss": mse,
                    "prediction/mean": float(np.mean(pred)), "global_step": step}
        from sklearn import metrics

        from ._heads import EPSILON

        proba = self.predict_proba(features)
        y = np.asarray(labels).reshape(-1)
        ids = np.searchsorted(self.classes_, y)
        if np.any(ids >= len(self.classes_)) or np.any(self.classes_[np.minimum(ids, len(self.classes_) - 1)] != y):
            raise ValueError(f"`labels` of evaluate() hold values outside the classes {self.classes_.tolist()}.")
        p = np.clip(proba, EPSILON, 1 - EPSILON)
        loss = float(np.mean(-np.log(p[np.arange(len(ids)), ids])))
        out = {"accuracy": float(np.mean(proba.argmax(1) == ids)), "average_loss": loss, "loss": loss}
        if len(self.classes_) == 2:
            pos, pred = proba[:, 1], proba.argmax(1)
            both = len(np.unique(ids)) == 2
            out.update({
                "accuracy_baseline": float(max(np.mean(ids), 1 - np.mean(ids))),
                "auc": float(metrics.roc_auc_score(ids, pos)) if both else float("nan"),
                "auc_precision_recall": float(metrics.average_precision_score(ids, pos)) if both else float("nan"),
                "label/mean": float(np.mean(ids)),
                "precision": float(metrics.precision_score(ids, pred, zero_division=0)),
                "prediction/mean": float(np.mean(pos)),
                "recall": float(metrics.recall_score(ids, pred, zero_division=0)),
            })
        out["global_step"] = step
        return dict(sorted(out.items()))

    def predict(self, X: Any = None, *, input_fn: Callable[[], Any] | None = None, predict_keys: Any = None,
                hooks: Any = None, checkpoint_path: Any = None, yield_single_examples: bool = True) -> Any:
        """scikit-learn's ``predict(X)``, or TF's ``predict(input_fn=...)``.

        With `input_fn` (or a function as `X`), returns a generator of one dict
        per example: ``{"predictions": (k,)}`` for regressors; for classifiers
        ``{"class_ids": (1,), "classes": (1,) bytes, "probabilities": (K,),
        "logits": (1,) for two classes else (K,), "logistic": (1,) (two classes),
        "all_class_ids", "all_classes"}``. `predict_keys` keeps only those keys.
        """
        if input_fn is None and callable(X):
            X, input_fn = None, X
        if input_fn is None:
            if X is None:
                raise TypeError("predict() needs `X` (scikit-learn) or `input_fn=` (TF's Estimator form).")
            return super().predict(X)
        if X is not None:
            raise TypeError("Pass either `X` or `input_fn` to predict(), not both.")
        features, _, _, _ = read_input_fn(input_fn, "predict", None)
        return self._predict_examples(features, predict_keys, yield_single_examples)

    def _predict_examples(self, features: Any, predict_keys: Any, single: bool) -> Iterator[dict[str, np.ndarray]]:
        if getattr(self, "_is_classifier", False):
            proba, logits = self.predict_proba(features), self._logits(features)
            ids = proba.argmax(1)
            classes = np.array([str(c).encode() for c in self.classes_])
            n = len(ids)
            out = {"class_ids": ids[:, None], "classes": classes[ids][:, None], "probabilities": proba,
                   "logits": logits, "all_class_ids": np.tile(np.arange(len(classes)), (n, 1)),
                   "all_classes": np.tile(classes, (n, 1))}
            if len(classes) == 2:
                out["logistic"] = proba[:, 1:]
        else:
            pred = np.asarray(super().predict(features))
            out = {"predictions": pred.reshape(len(pred), -1)}
        if predict_keys is not None:
            keys = [predict_keys] if isinstance(predict_keys, str) else list(predict_keys)
            unknown = [k for k in keys if k not in out]
            if unknown:
                raise ValueError(f"`predict_keys` {unknown} are not among the predictions' keys {sorted(out)}.")
            out = {k: out[k] for k in keys}
        if not single:
            yield out
            return
        for i in range(len(next(iter(out.values())))):
            yield {k: v[i] for k, v in out.items()}
