"""`ModelRegressor` and `ModelClassifier`: any trainlab model-building function as a
scikit-learn estimator (the idea of SciKeras' ``KerasRegressor`` / ``KerasClassifier``).

The function is called at every `fit` (so clones never share weights) with

* the routed parameters: ``ModelClassifier(build, model__units=64)`` calls
  ``build(units=64)``; `GridSearchCV` can search ``model__units``;
* any of these *meta* values its signature asks for by name:
  ``n_features_in_`` (int), ``input_shape`` (shape of one sample),
  ``n_outputs_`` (regression targets), ``n_classes_`` and ``classes_``.

It returns a `Model`. When the model is already compiled, its optimizer and
loss are used; otherwise the wrapper's `optimizer`, `learning_rate` and
`loss` (default: mean squared error; cross-entropy matched to the output
layer for classifiers).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from sklearn.utils.validation import validate_data

from .._validation import describe
from ..layers._base import fresh_layer_names
from ._base import TrainlabEstimator
from ._heads import ClassifierHead, RegressorHead

__all__ = ["ModelRegressor", "ModelClassifier"]

class _WrapperBase(TrainlabEstimator):
    """Routing of ``model__*`` parameters, the model build, and array inputs."""

    _model_family = "wrapper"

    def __init__(self, model: Any = None, **kwargs: Any):  # pragma: no cover - subclasses define __init__
        self.model = model

    # -- routed parameters -------------------------------------------------
    def _keep_extra_kwargs(self, kwargs: dict[str, Any]) -> None:
        """Constructor keywords beyond the named ones: ``model__*`` are routed to the
        build function; any other is kept and reported by `fit`."""
        self._other_kwargs = tuple(k for k in kwargs if not k.startswith("model__"))
        for key, value in kwargs.items():
            setattr(self, key, value)

    def _routed(self) -> dict[str, Any]:
        return {k[len("model__"):]: v for k, v in vars(self).items() if k.startswith("model__")}

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        params = super().get_params(deep=deep)
        params.update({k: v for k, v in vars(self).items() if k.startswith("model__")})
        return params

    def set_params(self, **params: Any) -> "_WrapperBase":
        valid = set(super().get_params(deep=False))
        routed = {k: v for k, v in params.items() if k.startswith("model__")}
        for k, v in routed.items():
            setattr(self, k, v)
        unknown = [k for k in params if k not in routed and k not in valid and "__" not in k]
        for k in unknown:  # reported by fit, like unknown constructor arguments
            setattr(self, k, params[k])
        self._other_kwargs = tuple(dict.fromkeys((*getattr(self, "_other_kwargs", ()), *unknown)))
        rest = {k: v for k, v in params.items() if k not in routed and k not in unknown}
        return super().set_params(**rest) if rest else self

    # -- inputs ------------------------------------------------------------
    def _feature_data(self, X: Any, *, reset: bool) -> tuple[Any, int]:
        X = validate_data(self, X, reset=reset, dtype=[np.float32, np.float64], ensure_all_finite=True,
                          allow_nd=True)
        if reset:
            self._input_shape_ = tuple(X.shape[1:])
        elif tuple(X.shape[1:]) != self._input_shape_:
            raise ValueError(f"`X` has samples of shape {tuple(X.shape[1:])}; the model was fitted on {self._input_shape_}.")
        return np.asarray(X, np.float32), len(X)

    # -- the model -----------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        meta = {"n_features_in_": self.n_features_in_, "input_shape": self._input_shape_}
        if self._is_classifier:
            meta.update(n_classes_=len(self.classes_), classes_=self.classes_)
        else:
            meta["n_outputs_"] = self.n_outputs_
        return meta

    def _make_model(self) -> Any:
        from .. import saving
        from ..models import Model

        build = self.model
        if isinstance(build, Model):
            with fresh_layer_names():
                return saving.deserialize_layer(saving.serialize_layer(build))
        if not callable(build):
            raise TypeError(
                f"`model` must be a function that returns a trainlab Model (or a Model to copy); received "
                f"{describe(build)}."
            )
        kwargs = dict(self._routed())
        signature = inspect.signature(build)
        takes_all = any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values())
        for name, value in self._meta().items():
            if name in signature.parameters or takes_all and name not in kwargs:
                kwargs.setdefault(name, value)
        unknown = [k for k in kwargs if k not in signature.parameters and not takes_all]
        if unknown:
            raise TypeError(
                f"The model function {getattr(build, '__name__', build)!r} does not take argument(s) {unknown}; "
                f"routed parameters `model__<name>` must match its signature {signature}."
            )
        with fresh_layer_names():
            model = build(**kwargs)
        if not isinstance(model, Model):
            raise TypeError(
                f"The model function must return a trainlab Model (Sequential or functional); it returned "
                f"{describe(model)}."
            )
        return model

    def _compiled_loss(self) -> Any:
        if getattr(self.model_, "compiled", False):
            loss = self.model_._compile_args.get("loss")
            if loss is not None:
                return loss
        return None

    def _make_optimizer(self) -> Any:
        model = self.__dict__.get("model_")
        if model is not None and getattr(model, "compiled", False) and model.optimizer is not None:
            opt = model.optimizer
            return type(opt).from_config(opt.get_config())
        return super()._make_optimizer()

    def _structure_key(self) -> tuple:
        from .. import saving

        try:
            config = repr(saving.serialize_layer(self.model_))
        except (TypeError, ValueError):  # e.g. a Lambda layer: no sharing across estimators
            config = ("unserializable", id(self.model_))
        return (type(self).__name__, config)

    def _check_params(self) -> None:
        for key in getattr(self, "_other_kwargs", ()):
            raise TypeError(
                f"{type(self).__name__} got the unexpected argument `{key}`; arguments for the model function are "
                f"routed with the prefix `model__`, e.g. model__{key}=..."
            )
        if self.model is None:
            raise ValueError(
                f"{type(self).__name__} needs `model`: a function that builds a trainlab Model, e.g. "
                f"{type(self).__name__}(model=build_model, model__units=32)."
            )



_COMMON = """
    Args:
        model: a function returning a trainlab `Model` (see the module doc), or
            a `Model` whose architecture is copied at each fit.
        optimizer, learning_rate: used when the model is not compiled.
        loss: used when the model is not compiled (see the class doc for the default).
        batch_size, epochs, steps, clip_gradients_by_norm, early_stopping,
        validation_fraction, n_iter_no_change, tol, warm_start, random_state,
        verbose: as for `LinearRegressor`.
        **kwargs: ``model__<name>=value`` arguments routed to the function.
"""


class ModelRegressor(RegressorHead, _WrapperBase):
    __doc__ = """A trainlab model-building function as a scikit-learn regressor.

    Default loss: mean squared error. Targets ``(N,)`` or ``(N, k)``; the
    model's output must have ``n_outputs_`` values.
""" + _COMMON + """
    Example:
        >>> import numpy as np, trainlab as tl
        >>> def build(units=16, n_features_in_=None):
        ...     return tl.Sequential([tl.layers.Dense(units, activation="relu", input_shape=(n_features_in_,)),
        ...                           tl.layers.Dense(1)])
        >>> X = np.random.default_rng(0).normal(size=(256, 2)); y = X[:, 0] - X[:, 1]
        >>> reg = ModelRegressor(build, learning_rate=0.01, epochs=50, random_state=0, model__units=8)
        >>> reg.fit(X, y).score(X, y) > 0.95
        True
    """

    def __init__(self, model=None, *, optimizer="adam", learning_rate=0.001, loss=None, batch_size=32, epochs=10,
                 steps=None, clip_gradients_by_norm=None, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=5, tol=1e-4, warm_start=False, random_state=None, verbose=0, **kwargs):
        self.model = model
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.batch_size = batch_size
        self.epochs = epochs
        self.steps = steps
        self.clip_gradients_by_norm = clip_gradients_by_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self._keep_extra_kwargs(kwargs)

    def _loss(self) -> Any:
        return self._compiled_loss() or self.loss or "mse"


class ModelClassifier(ClassifierHead, _WrapperBase):
    __doc__ = """A trainlab model-building function as a scikit-learn classifier.

    The model ends in a layer of 1 unit (two classes) or ``n_classes_`` units.
    With a sigmoid / softmax activation the default loss is binary / sparse
    categorical cross-entropy (computed from logits, and `decision_function`
    returns those logits); with no activation the same losses take the outputs
    as logits. `predict_proba` is in the order of `classes_`.
""" + _COMMON + """
    Example:
        >>> import numpy as np, trainlab as tl
        >>> def build(n_features_in_, n_classes_):
        ...     return tl.Sequential([tl.layers.Dense(16, activation="relu", input_shape=(n_features_in_,)),
        ...                           tl.layers.Dense(n_classes_, activation="softmax")])
        >>> X = np.random.default_rng(0).normal(size=(300, 2)); y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
        >>> clf = ModelClassifier(build, learning_rate=0.01, epochs=40, random_state=0).fit(X, y)
        >>> clf.score(X, y) > 0.9
        True
    """

    def __init__(self, model=None, *, optimizer="adam", learning_rate=0.001, loss=None, batch_size=32, epochs=10,
                 steps=None, clip_gradients_by_norm=None, class_weight=None, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=5, tol=1e-4, warm_start=False, random_state=None,
                 verbose=0, **kwargs):
        self.model = model
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.batch_size = batch_size
        self.epochs = epochs
        self.steps = steps
        self.clip_gradients_by_norm = clip_gradients_by_norm
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self._keep_extra_kwargs(kwargs)

    # -- outputs: logits, probabilities -----------------------------------
    def _output_activation(self) -> str | None:
        from .. import activations

        layers = getattr(self.model_, "_deferrable_output_layers", lambda: [None])()
        layer = layers[0] if layers else None
        if layer is None:
            layer = self.model_.layers[-1] if self.model_.layers else None
        act = getattr(layer, "activation", None)
        return activations.name_of(act) if act is not None else None

    def _loss(self) -> Any:
        from .. import losses

        compiled = self._compiled_loss()
        if compiled is not None or self.loss is not None:
            return compiled if compiled is not None else self.loss
        act = self._output_activation()
        binary = self._binary
        if act in ("sigmoid", "softmax"):
            return "binary_crossentropy" if binary else "sparse_categorical_crossentropy"
        if act in (None, "linear"):
            return (losses.BinaryCrossentropy(from_logits=True) if binary
                    else losses.SparseCategoricalCrossentropy(from_logits=True))
        raise ValueError(
            f"The model's output activation is {act!r}; end it with 'sigmoid' (1 unit, two classes), 'softmax' "
            f"({len(self.classes_)} units) or no activation (logits), or pass `loss`."
        )

    def _outputs_mode(self) -> str:
        """How to read logits: "deferred" (the output layer's sigmoid / softmax is skipped),
        "logits" (the model outputs logits: no activation, or a from_logits loss), or
        "proba" (the model outputs probabilities; logits are their log-odds)."""
        engine_logits = self._engine_for_predict().objective.outputs[0].logits_layer is not None
        if engine_logits:
            return "deferred"
        loss = self._loss()
        if getattr(loss, "from_logits", False) or self._output_activation() in (None, "linear"):
            return "logits"
        return "proba"

    def _engine_for_predict(self) -> Any:
        from ._engine import Engine, get_engine

        return get_engine(self._engine_key_, lambda: Engine(self.model_, self._loss(), self._make_optimizer()))

    def _as_proba(self, outputs: np.ndarray) -> np.ndarray:
        if self._outputs_mode() != "logits":
            return outputs
        from scipy.special import expit, softmax

        return expit(outputs) if outputs.shape[1] == 1 else softmax(outputs, axis=1)

    def _logits(self, X: Any) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        mode = self._outputs_mode()
        out = self._outputs(X, logits=(mode == "deferred"))
        if mode != "proba":
            return out
        p = np.clip(out, 1e-12, 1.0)
        if self._binary:
            p = np.clip(p, 1e-12, 1 - 1e-12)
            return np.log(p) - np.log1p(-p)
        return np.log(p)

    @property
    def _binary(self) -> bool:
        """Two classes and a model with one output unit (sigmoid / one logit)."""
        if len(self.classes_) != 2:
            return False
        model = self.__dict__.get("model_")
        shape = getattr(model, "output_shape", None) if model is not None else None
        return not (isinstance(shape, tuple) and shape and shape[-1] == 2)

    def _check_model(self) -> None:
        shape = self.model_.output_shape
        units = shape[-1] if isinstance(shape, tuple) and shape else None
        want = 1 if self._binary else len(self.classes_)
        if units is not None and units != want and not (self._binary and units == 2):
            raise ValueError(
                f"The model ends in {units} unit(s), but there are {len(self.classes_)} classes: the last layer "
                f"needs {want} unit(s) (use the `n_classes_` argument of the model function)."
            )
