"""`Model`: a layer made of layers, with the functional core (init / apply) and
the Keras-style trainer (compile / fit / evaluate / predict, in `_trainer`).

Three ways to define one, as in Keras:

* `Sequential([...])`: a stack;
* ``Model(inputs, outputs)``: a functional graph (several inputs or outputs);
* subclassing ``Model`` and writing ``call``.

Level 1 (pure):
    >>> import jax, jax.numpy as jnp
    >>> from trainlab import Sequential, layers
    >>> model = Sequential([layers.Dense(3)])
    >>> variables = model.init(jax.random.key(0), (None, 4))
    >>> y, state = model.apply(variables, jnp.ones((2, 4)))
    >>> y.shape
    (2, 3)
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..layers import _context
from ..layers._base import Layer, _batchless_shape, prune_empty
from ..layers._context import Context
from ..utils.random import as_key, next_key
from ._custom_step import CustomStepMixin
from ._rank import adjust_inputs
from ._trainer import TrainerMixin
from ._variables import bump_weights_version, count_layer_params, deep_update, layer_weight_list, set_layer_weight_list

__all__ = ["Model"]


class Model(TrainerMixin, CustomStepMixin, Layer):
    """Groups layers into an object with training and inference features.

    ``Model(inputs, outputs)`` builds a functional graph (see `Functional`);
    ``class MyModel(Model)`` with a ``call`` method defines a subclassed model
    whose layers are the `Layer` attributes set in ``__init__``.
    """

    def __new__(cls, *args: Any, **kwargs: Any):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            from ._functional import Functional

            if cls is Model:
                return super().__new__(Functional)
        if _functional_arguments(args, kwargs):
            # ``class CustomModel(Model)`` built as ``CustomModel(inputs, outputs)``
            # (Keras' "customize fit" pattern): a functional graph with the subclass's methods
            from ._functional import Functional

            if not issubclass(cls, Functional):
                return super().__new__(_functional_subclass(cls))
        return super().__new__(cls)

    def __init__(self, *args: Any, name: str | None = None, trainable: bool = True, **kwargs: Any):
        Layer.__init__(self, name=name, trainable=trainable, **kwargs)
        TrainerMixin.__init__(self)

    # ------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The model's layers, in order."""
        return list(self._sublayers)

    def _host_inputs(self, x: Any) -> Any:
        """Inputs after the layers that run on the host (see `Sequential`); as is here."""
        return x

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or index (Keras `get_layer`)."""
        if index is not None:
            layers = self.layers
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"`index` {index} is out of range: the model has {len(layers)} layers.")
            return layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No layer named {name!r} in model {self.name!r}. Layers: {', '.join(l.name for l in self.layers)}."
        )

    def _check_unique_names(self) -> None:
        seen: dict[str, Layer] = {}
        for layer in self.layers:
            other = seen.get(layer.name)
            if other is not None and other is not layer:
                raise ValueError(
                    f"All layer names in model {self.name!r} must be unique; {layer.name!r} is used twice. "
                    f"Pass distinct `name=` arguments."
                )
            seen[layer.name] = layer

    # ------------------------------------------------------------------
    # input specification
    def _expected_input_shape(self) -> Any:
        """Shape(s) of the inputs the model was built for, or None if unknown."""
        return self._build_input_shape

    def _sample_inputs(self, shape_or_sample: Any) -> Any:
        """A batch-of-one zero input matching `shape_or_sample` (a shape or arrays)."""

        def from_shape(shape, dtype="float32"):
            shape = tuple(shape)
            if any(d is None for d in shape[1:]):
                raise ValueError(
                    f"Cannot build model {self.name!r} from input shape {shape}: every dimension except the "
                    f"batch must be known. Pass a sample array instead, e.g. model.init(key, x[:1])."
                )
            return jnp.zeros((1,) + shape[1:], dtype)

        if _is_shape_tuple(shape_or_sample):
            return from_shape(shape_or_sample)
        if isinstance(shape_or_sample, (list, tuple)) and shape_or_sample and all(_is_shape_tuple(s) for s in shape_or_sample):
            return [from_shape(s) for s in shape_or_sample]
        if isinstance(shape_or_sample, dict) and all(_is_shape_tuple(s) for s in shape_or_sample.values()):
            return {k: from_shape(s) for k, s in shape_or_sample.items()}
        return jax.tree.map(lambda a: jnp.asarray(a)[:1], shape_or_sample)

    # ------------------------------------------------------------------
    # level 1: pure functional core
    def init(self, key: jax.Array | int | None, input_shape: Any = None) -> dict[str, dict]:
        """Create fresh variables ``{"params": ..., "state": ...}`` for inputs of
        `input_shape` (batch dimension first, e.g. ``(None, 784)``) or like a
        sample array. Does not change the model's own weights.

        Args:
            key: a JAX key or an int seed.
            input_shape: shape(s) with the batch dimension, or sample array(s);
                optional when the model already knows its input shape.

        Returns:
            Nested dicts of arrays keyed by layer name.
        """
        if input_shape is None:
            input_shape = self._expected_input_shape()
            if input_shape is None:
                raise ValueError(
                    f"Model {self.name!r} does not know its input shape yet: pass it, e.g. "
                    f"model.init(key, (None, 784)), or give the first layer `input_shape=`."
                )
        sample = self._sample_inputs(input_shape)
        ctx = Context(mode="init", training=False, key=as_key(key))
        with ctx:
            root = ctx.root({}, {}, None)
            self._run_root(ctx, root, sample, training=False)
        return {"params": prune_empty(root.params), "state": prune_empty(root.state)}

    def apply(
        self,
        variables: dict[str, Any],
        x: Any,
        *,
        training: bool = False,
        key: jax.Array | None = None,
        hparams: dict | None = None,
        return_losses: bool = False,
        skip_activation: frozenset = frozenset(),
    ) -> Any:
        """Run the model as a pure function.

        Args:
            variables: ``{"params": ..., "state": ...}`` from `init` or `variables`.
            x: inputs, ``(N, ...)`` (a list or dict of arrays for several inputs).
            training: training mode (dropout active, batch statistics updated).
            key: random key; required in training mode when the model has Dropout.
            hparams: optional hyperparameter overrides (see `hyperparameters`).
            return_losses: also return the list of penalties added during the
                pass (activity regularizers, ``add_loss``).
            skip_activation: ids of layers whose activation is deferred (logits).

        Returns:
            ``(y, new_state)`` (plus the penalties when `return_losses`).
        """
        ctx = Context(mode="apply", training=training, key=key, skip_activation=frozenset(skip_activation))
        state = variables.get("state", {}) or {}
        with ctx:
            root = ctx.root(variables.get("params", {}) or {}, state, hparams)
            y = self._run_root(ctx, root, x, training=training)
        new_state = deep_update(state, root.new_state) if root.new_state else state
        if return_losses:
            return y, new_state, ctx.losses
        return y, new_state

    def _run_root(self, ctx: Context, root: Any, x: Any, training: bool) -> Any:
        """Run `call` with this model as the root frame (its layers are children)."""
        root.layer = self
        x = self._adjust_input_rank(x)
        shape = _batchless_shape(x)
        if not self.built:
            self._build_input_shape = shape
            self.build(shape)
            self.built = True
        else:
            self._check_model_input(shape)
        if self.autocast_inputs:
            x = jax.tree.map(lambda a: a.astype(jnp.float32) if hasattr(a, "dtype") and a.dtype == jnp.float64 else a, x)
        y = self._invoke_call(x, training, None, (), {})
        if self._output_shape is None:
            # a subclassed model learns its output shape(s) on its first call
            self._output_shape = _batchless_shape(y)
        return y

    autocast_inputs = True

    def _adjust_input_rank(self, x: Any) -> Any:
        """Keras' rank adjustment: a 1-D input for a declared ``(None, 1)`` becomes
        ``(N, 1)`` (see `_rank`); inputs are matched by name or position."""
        flat = getattr(self, "_flat_inputs", None)
        if flat is not None:
            return adjust_inputs(x, [t.shape for t in flat], self.input_names)
        return adjust_inputs(x, self._expected_input_shape())

    def _check_model_input(self, shape: Any, argument: str = "inputs") -> None:
        """Hook: Sequential / Functional check incoming shapes with clear messages."""

    def hyperparameters(self) -> dict[str, Any]:
        """Array-valued hyperparameters of every layer, nested by layer name, e.g.
        ``{"dropout": {"rate": 0.5}, "dense": {"kernel_regularizer": {"l2": 0.01}}}``."""
        out: dict[str, Any] = {}
        for layer in self.layers:
            hp = layer.hyperparameters()
            if hp:
                out[layer.name] = hp
        return out

    def regularization_loss(self, params: dict, hparams: dict | None = None, *, trainable_only: bool = True) -> jax.Array:
        """Sum of weight penalties (kernel / bias regularizers) over the model (pure).

        Only trainable weights count, as in Keras.
        """
        total = jnp.zeros((), jnp.float32)
        hparams = hparams or {}

        def walk(layer: Layer, p: dict, hp: dict, ok: bool) -> None:
            nonlocal total
            ok = ok and layer.trainable
            for spec in layer.weight_specs:
                if spec.regularizer is None or (trainable_only and not (ok and spec.trainable)):
                    continue
                if spec.name not in p:
                    continue
                strengths = hp.get(f"{spec.name}_regularizer") or spec.regularizer.hyperparameters()
                total = total + spec.regularizer.penalty(p[spec.name], strengths)
            for sub in layer.sublayers:
                walk(sub, p.get(sub.name, {}), hp.get(sub.name, {}) if isinstance(hp, dict) else {}, ok)

        for layer in self.layers:
            walk(layer, params.get(layer.name, {}), hparams.get(layer.name, {}), self.trainable)
        return total

    # ------------------------------------------------------------------
    # level 2: the model's own weights (imperative shell)
    def _ensure_weights(self) -> None:
        """Create weights now if the input shape is known but weights are not
        (Keras creates them when the model is built)."""
        if not self._is_initialized():
            shape = self._expected_input_shape()
            if shape is not None:
                self._store_values(self._init_keeping_existing(next_key(), shape))

    def _init_keeping_existing(self, key: jax.Array, shape_or_sample: Any) -> dict[str, dict]:
        """Fresh variables for the layers that have no weights yet; layers that
        already have weights (trained layers reused in a new model, as in
        transfer learning) keep them, as in Keras."""
        fresh = self.init(key, shape_or_sample)
        existing = self._collect_values()
        return {"params": deep_update(fresh["params"], existing["params"]),
                "state": deep_update(fresh["state"], existing["state"])}

    @property
    def variables(self) -> dict[str, dict]:
        """The model's current weights as ``{"params": ..., "state": ...}``."""
        self._sync_from_training()
        self._ensure_weights()
        if not self._is_initialized():
            raise ValueError(
                f"Model {self.name!r} has no weights yet. Build it first: fit it, call it on data, "
                f"or give the first layer an input shape."
            )
        return self._collect_values()

    @variables.setter
    def variables(self, variables: dict[str, dict]) -> None:
        self._sync_from_training()
        self._store_values(variables)
        bump_weights_version()

    def build_from_data(self, x: Any, key: jax.Array | None = None) -> None:
        """Create weights for inputs like `x` if the model has none yet."""
        if not self._is_initialized():
            variables = self._init_keeping_existing(key if key is not None else next_key(), self._sample_inputs(x))
            self._store_values(variables)

    def get_weights(self) -> list[np.ndarray]:
        """Weights as a list of numpy arrays (Keras order: layer by layer)."""
        self._sync_from_training()
        self._ensure_weights()
        return layer_weight_list(self)

    def set_weights(self, weights: Any) -> None:
        """Set weights from a list as returned by `get_weights`."""
        self._sync_from_training()
        self._ensure_weights()
        set_layer_weight_list(self, weights)

    def count_params(self) -> int:
        t, n = count_layer_params(self)
        return t + n

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if _context.current() is None and not _has_keras_tensor(inputs):
            # eager call on arrays: build on first use, then run with own weights
            inputs = self._host_inputs(inputs)
            self.build_from_data(inputs)
            training = bool(kwargs.pop("training", False))
            variables = self._collect_values()
            y, new_state, penalties = self.apply(variables, inputs, training=training,
                                                 key=next_key() if training else None, return_losses=True)
            self.__dict__["_call_losses"] = list(penalties)
            if training and new_state:
                self._store_values({"params": variables["params"], "state": new_state})
            return y
        return super().__call__(inputs, *args, **kwargs)

    @property
    def losses(self) -> list[jax.Array]:
        """Penalties to add to a custom loop's loss (Keras ``model.losses``): the
        ``add_loss`` / activity-regularizer values of the last call, then one
        penalty per regularized weight (their sum is the term `fit` adds). Read it in the same step as the call, e.g.
        ``loss = loss_fn(y, model(x, training=True)) + sum(model.losses)``."""
        out = list(self.__dict__.get("_call_losses", []))
        if self._is_initialized():
            out.extend(Layer.losses.fget(self))  # one scalar per regularized weight, as Keras
        return out

    def summary(self, print_fn: Any = None, line_length: int = 78, *, expand_nested: bool = False,
                show_trainable: bool = False, positions: Any = None, layer_range: Any = None) -> str:
        """Print (and return) a table of layers, output shapes and parameter counts.

        `expand_nested=True` also lists the layers inside nested models;
        `show_trainable=True` adds a Trainable column (Keras' arguments;
        `positions` and `layer_range` are accepted and ignored)."""
        from ._summary import summary_text

        if line_length is None:
            line_length = 78
        text = summary_text(self, line_length, expand_nested=expand_nested, show_trainable=show_trainable)
        (print_fn or print)(text)
        return _PrintedText(text)


class _PrintedText(str):
    """Text that was already printed: a notebook shows no second copy as the cell's result."""

    def _ipython_display_(self) -> None:
        pass


def _functional_arguments(args: tuple, kwargs: dict) -> bool:
    """Whether constructor arguments are ``(inputs, outputs)`` symbolic tensors."""
    from ..layers._base import KerasTensor

    inputs = args[0] if args else kwargs.get("inputs")
    outputs = args[1] if len(args) > 1 else kwargs.get("outputs")
    if inputs is None or outputs is None:
        return False
    leaves = jax.tree.leaves([inputs, outputs], is_leaf=lambda t: isinstance(t, KerasTensor))
    return bool(leaves) and all(isinstance(t, KerasTensor) for t in leaves)


_FUNCTIONAL_SUBCLASSES: dict[type, type] = {}


def _functional_subclass(cls: type) -> type:
    """`cls` with `Functional` mixed in after it (its own methods win), made once per class."""
    from ._functional import Functional

    made = _FUNCTIONAL_SUBCLASSES.get(cls)
    if made is None:
        made = type(cls.__name__, (cls, Functional), {"__module__": cls.__module__, "__qualname__": cls.__qualname__})
        _FUNCTIONAL_SUBCLASSES[cls] = made
    return made


def _is_shape_tuple(s: Any) -> bool:
    return isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _has_keras_tensor(x: Any) -> bool:
    from ..layers._base import KerasTensor

    return any(isinstance(t, KerasTensor) for t in jax.tree.leaves(x, is_leaf=lambda a: isinstance(a, KerasTensor)))
