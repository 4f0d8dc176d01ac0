"""`Layer`: the building block, Keras-style on the outside, pure on the inside.

A layer is *configuration* (units, activation, initializers) plus weight
*specs* declared in ``build(input_shape)`` with `add_weight`. Its ``call(inputs)``
reads weights as attributes. Where those attributes come from depends on how
the layer is called:

* inside `Model.apply(variables, x)` (level 1) they are slices of `variables`:
  the layer is a pure function, safe to jit, grad and vmap;
* called on concrete arrays outside any model (``Dense(3)(x)``) it uses the
  weights it stores itself, creating them on first use (eager, like Keras);
* called on a symbolic `Input` it records a node of a functional graph.

Trainable weights live in the ``params`` tree, non-trainable ones (moving
averages) in the ``state`` tree; both are nested dicts keyed by layer name.

Example (a custom layer, as in a Keras course):
    >>> import jax.numpy as jnp
    >>> class Scale(Layer):
    ...     def build(self, input_shape):
    ...         self.add_weight("alpha", (), initializer="ones")
    ...     def call(self, inputs):
    ...         return inputs * self.alpha
    >>> Scale()(jnp.ones((2, 3))).shape
    (2, 3)
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import _binding
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from ..utils.random import next_key
from . import _context
from ._context import Context

__all__ = [
    "Layer",
    "WeightSpec",
    "KerasTensor",
    "Node",
    "unique_name",
    "clear_session",
    "to_snake_case",
    "Shape",
]

Shape = tuple  # a shape with the batch dimension first, possibly None

_NAME_COUNTS: dict[str, int] = {}


def to_snake_case(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()  # Keras: Conv2D -> conv2d
    return s.replace("__", "_")


def unique_name(base: str) -> str:
    """``base``, then ``base_1``, ``base_2``... within this Python session (as Keras)."""
    count = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Reset automatic layer names (``dense``, ``dense_1``...), as `keras.backend.clear_session`."""
    _NAME_COUNTS.clear()


@contextlib.contextmanager
def fresh_layer_names() -> Iterator[None]:
    """Automatic layer names restart at ``dense``, ``dense_1``... inside the block and
    the caller's counters are restored after it, so every build of a model gets the
    same names (and reuses the same compiled programs), as Keras Tuner does with
    ``clear_session``. Used by the tuner and the scikit-learn wrappers."""
    saved = dict(_NAME_COUNTS)
    _NAME_COUNTS.clear()
    try:
        yield
    finally:
        _NAME_COUNTS.clear()
        _NAME_COUNTS.update(saved)


@dataclass
class WeightSpec:
    """What `add_weight` declares: a weight's shape and how to create it."""

    name: str
    shape: tuple
    initializer: Any
    regularizer: Any = None
    trainable: bool = True
    dtype: Any = jnp.float32

    @property
    def collection(self) -> str:
        return "params" if self.trainable else "state"


class KerasTensor:
    """A symbolic tensor of the functional API: a shape, a dtype, and the node
    that produced it.

    Example:
        >>> from trainlab.layers import Input
        >>> Input((784,)).shape
        (None, 784)
    """

    def __init__(self, shape: tuple, dtype: Any = "float32", node: "Node | None" = None, index: int = 0, name: str | None = None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = np.dtype(object) if dtype == "string" else jnp.dtype(dtype)  # strings: host layers only
        self.node = node
        self.index = index
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        origin = self.node.layer.name if self.node is not None else "?"
        return f"<KerasTensor shape={self.shape} dtype={self.dtype} from={origin!r}>"

    def __jax_array__(self):  # pragma: no cover - defensive
        raise TypeError(
            "A symbolic Input cannot be used in JAX operations directly. Wrap the operation in a "
            "layer (for example trainlab.layers.Lambda(fn)) so that it becomes part of the model."
        )


class Node:
    """One call of a layer in a functional graph: which tensors went in and came out."""

    def __init__(self, layer: "Layer", inputs: Any, outputs: list[KerasTensor], call_kwargs: dict):
        self.layer = layer
        self.inputs = inputs  # the structure passed to the layer (tensor, list or dict)
        self.outputs = outputs
        self.call_kwargs = call_kwargs
        self.input_tensors = [t for t in jax.tree.leaves(inputs, is_leaf=_is_keras_tensor) if _is_keras_tensor(t)]

    def __repr__(self) -> str:
        return f"<Node {self.layer.name}>"


def _is_keras_tensor(x: Any) -> bool:
    return isinstance(x, KerasTensor)


def _shape_of(x: Any) -> Any:
    return jax.tree.map(lambda a: tuple(a.shape), x, is_leaf=lambda a: hasattr(a, "shape"))


class Layer:
    """Base class of every layer and model.

    Subclasses implement ``build(input_shape)`` (declare weights with
    `add_weight`) and ``call(inputs, training=False)`` (compute outputs from
    ``self.<weight>``). ``input_shape`` excludes nothing: the batch dimension
    comes first and is usually None.

    Args:
        name: unique name; by default the snake-case class name with a counter.
        trainable: False freezes the layer's weights (fine-tuning, feature extraction).
        dtype: accepted for Keras compatibility; only float32 is used.
        input_shape: shape of one sample (without batch), as in tf.keras course code
            (``Dense(10, input_shape=(784,))``); only meaningful on a model's first layer.
        input_dim: shorthand for ``input_shape=(input_dim,)``.
    """

    supports_masking = False
    # cast integer / float64 inputs to float32 before `call` (False for index inputs)
    autocast = True

    def __init__(
        self,
        *,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
        input_shape: Sequence[int | None] | None = None,
        input_dim: int | None = None,
        batch_input_shape: Sequence[int | None] | None = None,
        activity_regularizer: Any = None,
        **kwargs: Any,
    ):
        if kwargs:
            bad = ", ".join(f"`{k}`" for k in kwargs)
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s) {bad}. "
                f"Check the spelling against the layer's documented arguments."
            )
        object.__setattr__(self, "_specs", {})
        object.__setattr__(self, "_attr_to_spec", {})
        object.__setattr__(self, "_sublayers", [])
        object.__setattr__(self, "_values_store", None)  # eager weights: {"params": {...}, "state": {...}}
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        if not isinstance(self.name, str) or not self.name or "/" in self.name:
            raise ValueError(f"`name` must be a non-empty string without '/'; received {name!r}.")
        self._trainable = bool(trainable)
        self.dtype = "float32" if dtype is None else str(jnp.dtype(dtype))
        self.built = False
        self._build_input_shape: Any = None
        self._output_shape: Any = None
        self.activity_regularizer = _regularizers.get(activity_regularizer, "activity_regularizer")
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._declared_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self._declared_input_shape = (None,) + tuple(input_shape)
        else:
            self._declared_input_shape = None
        self._inbound_nodes: list[Node] = []

    # ------------------------------------------------------------------
    # the layer's own weights, liftable into pure functions (see trainlab._binding)
    _lift_must_exist = True

    @property
    def _values(self) -> dict[str, dict] | None:
        return _binding.read(self)

    @_values.setter
    def _values(self, value: dict[str, dict] | None) -> None:
        _binding.write(self, value)

    def _lift_load(self) -> dict[str, dict] | None:
        return self.__dict__.get("_values_store")

    def _lift_store(self, value: dict[str, dict] | None) -> None:
        object.__setattr__(self, "_values_store", value)

    @property
    def trainable_variables(self) -> list[Any]:
        """The trainable weights as `trainlab.Variable` handles, in Keras order
        (the order `tl.value_and_grad` returns gradients in)."""
        from ..variables import layer_variables

        return layer_variables(self, trainable=True)

    @property
    def non_trainable_variables(self) -> list[Any]:
        """The other weights (frozen layers' weights, moving statistics), Keras order."""
        from ..variables import layer_variables

        return layer_variables(self, trainable=False)

    @property
    def trainable_weights(self) -> list[Any]:
        """Keras's other name for `trainable_variables`."""
        return self.trainable_variables

    @property
    def non_trainable_weights(self) -> list[Any]:
        """Keras's other name for `non_trainable_variables`."""
        return self.non_trainable_variables

    # ------------------------------------------------------------------
    # attribute magic: weights and sublayers
    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, WeightSpec):
            self._attr_to_spec[name] = value.name
            return
        if isinstance(value, Layer) and name not in ("_parent",) and value is not self:
            subs = self.__dict__.get("_sublayers")
            if subs is not None and not any(s is value for s in subs):
                subs.append(value)
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: resolve weights by name
        d = self.__dict__
        specs = d.get("_specs")
        if specs is None:
            raise AttributeError(name)
        spec_name = d["_attr_to_spec"].get(name, name)
        spec = specs.get(spec_name)
        if spec is None:
            raise AttributeError(f"{type(self).__name__!s} object has no attribute {name!r}")
        return self._read_weight(spec)

    def _read_weight(self, spec: WeightSpec) -> jax.Array:
        ctx = _context.current()
        if ctx is not None:
            frame = ctx.frame_of(self)
            if frame is not None:
                if spec.collection == "state" and spec.name in frame.new_state:
                    return frame.new_state[spec.name]
                tree = frame.params if spec.collection == "params" else frame.state
                if spec.name in tree:
                    return tree[spec.name]
                raise KeyError(
                    f"Layer {self.name!r} has no value for weight {spec.name!r} in the variables passed to "
                    f"apply(). Create the variables with model.init(key, input_shape) for this model."
                )
        if self._values is None:
            raise AttributeError(
                f"Layer {self.name!r} is not built yet, so weight {spec.name!r} has no value. "
                f"Call the layer (or its model) on data first, or build the model."
            )
        return self._values[spec.collection][spec.name]

    # ------------------------------------------------------------------
    # declaring weights
    def add_weight(
        self,
        name: str | None = None,
        shape: Sequence[int] = (),
        initializer: Any = "glorot_uniform",
        regularizer: Any = None,
        trainable: bool = True,
        dtype: Any = None,
        constraint: Any = None,
    ) -> WeightSpec:
        """Declare a weight (call from `build`). Read it later as ``self.<name>``.

        Args:
            name: weight name (unique within the layer).
            shape: full shape, e.g. ``(input_dim, units)``.
            initializer: name or object, e.g. "glorot_uniform", "zeros".
            regularizer: optional penalty added to the loss (L1/L2).
            trainable: False for statistics the layer updates itself (moving averages);
                those live in the ``state`` tree and change through `assign`.
        """
        if constraint is not None:
            raise NotImplementedError(
                "Weight constraints are not supported yet; remove `constraint=` or clip weights in a callback."
            )
        if name is None:
            name = f"weight_{len(self._specs)}"
        if name in self._specs:
            raise ValueError(f"Layer {self.name!r} already has a weight named {name!r}; pick another `name`.")
        spec = WeightSpec(
            name=name,
            shape=tuple(int(d) for d in shape),
            initializer=_initializers.get(initializer, "initializer"),
            regularizer=_regularizers.get(regularizer, "regularizer"),
            trainable=bool(trainable),
            dtype=jnp.dtype(dtype or self.dtype),
        )
        self._specs[name] = spec
        return spec

    def assign(self, name: str, value: jax.Array) -> None:
        """Set a non-trainable weight (layer state) from inside `call`, e.g. a
        moving average. Pure: the new value is returned by `Model.apply` as new state."""
        spec = self._specs.get(name)
        if spec is None or spec.trainable:
            raise ValueError(f"`assign` works on non-trainable weights of {self.name!r}; {name!r} is not one.")
        ctx = _context.current()
        frame = ctx.frame_of(self) if ctx is not None else None
        value = jnp.asarray(value, spec.dtype)
        if frame is not None:
            frame.new_state[name] = value
        else:
            values = self._values
            self._values = {"params": values["params"], "state": {**values["state"], name: value}}

    def add_loss(self, value: jax.Array) -> None:
        """Add a scalar penalty to the training loss from inside `call`."""
        ctx = _context.current()
        if ctx is not None and ctx.mode == "apply":
            ctx.losses.append(jnp.asarray(value, jnp.float32))

    def activate(self, outputs: jax.Array) -> jax.Array:
        """Apply ``self.activation`` unless the model asked for pre-activation
        outputs (logits) so that the loss can be computed stably."""
        ctx = _context.current()
        if ctx is not None and id(self) in ctx.skip_activation:
            return outputs
        return self.activation(outputs)

    def random_key(self) -> jax.Array:
        """A fresh random key for this call (Dropout, noise, augmentation).

        Raises:
            ValueError: in training mode when no key was given to apply().
        """
        ctx = _context.current()
        frame = ctx.frame_of(self) if ctx is not None else None
        if frame is None or frame.key is None:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) needs a random key in training mode. "
                f"Pass one: model.apply(variables, x, training=True, key=jax.random.key(0))."
            )
        frame.key_calls += 1
        return jax.random.fold_in(frame.key, 1_000_003 + frame.key_calls)

    def hparam(self, name: str) -> Any:
        """The current value of hyperparameter `name` (a traced array inside a
        population step, else the configured float)."""
        ctx = _context.current()
        frame = ctx.frame_of(self) if ctx is not None else None
        if frame is not None and name in frame.hparams:
            return frame.hparams[name]
        return self.hyperparameters()[name]

    # ------------------------------------------------------------------
    # to override
    def build(self, input_shape: Any) -> None:
        """Declare weights for inputs of `input_shape` (batch dimension first)."""

    def call(self, inputs: Any, training: bool = False) -> Any:
        """Compute outputs. Read weights as ``self.<name>``."""
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Output shape for `input_shape`; by default found by abstract evaluation."""
        return self._eval_output_shape(input_shape)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the outputs (layers that support masking pass it through)."""
        return mask if self.supports_masking else None

    def hyperparameters(self) -> dict[str, Any]:
        """Array-valued hyperparameters read with `hparam` (e.g. Dropout's rate) and
        regularizer strengths, as a nested dict of floats."""
        out: dict[str, Any] = {}
        for spec in self._specs.values():
            if spec.regularizer is not None and spec.regularizer.hyperparameters():
                out[f"{spec.name}_regularizer"] = dict(spec.regularizer.hyperparameters())
        if self.activity_regularizer is not None and self.activity_regularizer.hyperparameters():
            out["activity_regularizer"] = dict(self.activity_regularizer.hyperparameters())
        return out

    def check_input_shape(self, input_shape: Any) -> None:
        """Raise a clear ValueError when a built layer receives inputs it cannot take."""

    # ------------------------------------------------------------------
    # configuration
    def get_config(self) -> dict[str, Any]:
        """JSON-able constructor arguments (Keras `get_config`)."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._declared_input_shape is not None:
            config["batch_input_shape"] = list(self._declared_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = _regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Layer":
        return cls(**config)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for sub in self._sublayers:
            sub.trainable = value

    @property
    def sublayers(self) -> list["Layer"]:
        return list(self._sublayers)

    @property
    def input_shape(self) -> Any:
        return self._build_input_shape

    @property
    def output_shape(self) -> Any:
        return self._output_shape

    def _node_tensors(self, which: str) -> Any:
        if not self._inbound_nodes:
            raise ValueError(
                f"Layer {self.name!r} has no `{which}` yet: it is defined once the layer is called on a symbolic "
                f"input, e.g. x = tl.Input(shape=(4,)); y = layer(x), or once a Sequential model with a known "
                f"input shape (an Input first, or `input_shape=`) is built."
            )
        node = self._inbound_nodes[0]
        if which == "output" or type(self).__name__ == "InputLayer":
            tensors = node.outputs
            return tensors[0] if len(tensors) == 1 else list(tensors)
        return node.inputs

    @property
    def input(self) -> Any:
        """The symbolic tensor(s) this layer was first called on (Keras `layer.input`)."""
        return self._node_tensors("input")

    @property
    def output(self) -> Any:
        """The symbolic tensor(s) this layer first produced (Keras `layer.output`); use them
        to build a model of an intermediate layer: ``Model(model.inputs, layer.output)``."""
        return self._node_tensors("output")

    @property
    def losses(self) -> list[jax.Array]:
        """The weight penalties (kernel / bias regularizers) of this layer and its
        sublayers at their current values, one scalar per regularized weight (Keras
        `layer.losses`; their sum is what `fit` adds to the loss). Empty before the
        weights exist.

        Example:
            >>> import jax.numpy as jnp
            >>> from trainlab import layers, regularizers
            >>> d = layers.Dense(2, kernel_initializer="ones", kernel_regularizer=regularizers.l2(0.1))
            >>> _ = d(jnp.ones((1, 3)))
            >>> [float(p) for p in d.losses]
            [0.6000000238418579]
        """
        out: list[jax.Array] = []

        def walk(layer: "Layer") -> None:
            values = layer._values
            for spec in layer._specs.values():
                if spec.regularizer is None or values is None or spec.name not in values[spec.collection]:
                    continue
                weight = values[spec.collection][spec.name]
                out.append(spec.regularizer.penalty(weight, spec.regularizer.hyperparameters()))
            for sub in layer._sublayers:
                walk(sub)

        walk(self)
        return out

    # ------------------------------------------------------------------
    # weights of the eager (object) side
    def init_variables(self, key: jax.Array) -> dict[str, dict]:
        """Create this layer's own weights (not its sublayers') from `key` (pure)."""
        params, state = {}, {}
        for i, spec in enumerate(self._specs.values()):
            value = spec.initializer(jax.random.fold_in(key, i), spec.shape, spec.dtype)
            (params if spec.trainable else state)[spec.name] = jnp.asarray(value, spec.dtype)
        return {"params": params, "state": state}

    def own_weight_names(self) -> list[str]:
        return list(self._specs)

    @property
    def weight_specs(self) -> list[WeightSpec]:
        return list(self._specs.values())

    def get_weights(self) -> list[np.ndarray]:
        """This layer's weights (own, then sublayers') as numpy arrays, in Keras order."""
        from ..models._variables import layer_weight_list

        return layer_weight_list(self)

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Set weights from a list as returned by `get_weights` (shapes must match)."""
        from ..models._variables import set_layer_weight_list

        set_layer_weight_list(self, weights)

    @property
    def weights(self) -> list[jax.Array]:
        return [jnp.asarray(w) for w in self.get_weights()]

    def count_params(self) -> int:
        from ..models._variables import count_layer_params

        return count_layer_params(self)[0] + count_layer_params(self)[1]

    # ------------------------------------------------------------------
    # calling
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if any(_is_keras_tensor(t) for t in jax.tree.leaves(inputs, is_leaf=_is_keras_tensor)):
            return self._call_symbolic(inputs, *args, **kwargs)
        ctx = _context.current()
        if ctx is not None:
            return self._call_in_context(ctx, inputs, *args, **kwargs)[0]
        return self._call_eager(inputs, *args, **kwargs)

    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            self._build_input_shape = input_shape
            self.build(input_shape)
            self.built = True
        else:
            self.check_input_shape(input_shape)

    def _call_signature(self) -> tuple[bool, bool]:
        cls = type(self)
        cached = cls.__dict__.get("_sig_cache")
        if cached is None:
            params = inspect.signature(cls.call).parameters
            has_var = any(p.kind == p.VAR_KEYWORD for p in params.values())
            cached = ("training" in params or has_var, "mask" in params or has_var)
            setattr(cls, "_sig_cache", cached)
        return cached

    def _invoke_call(self, inputs: Any, training: bool, mask: Any, args: tuple, kwargs: dict) -> Any:
        takes_training, takes_mask = self._call_signature()
        kwargs = dict(kwargs)
        if takes_training and "training" not in kwargs:
            kwargs["training"] = training
        elif not takes_training:
            kwargs.pop("training", None)
        if takes_mask and mask is not None and "mask" not in kwargs:
            kwargs["mask"] = mask
        return self.call(inputs, *args, **kwargs)

    def _call_in_context(self, ctx: Context, inputs: Any, *args: Any, mask: Any = None, **kwargs: Any) -> tuple[Any, Any]:
        """Run inside Model.apply/init. Returns (outputs, output_mask)."""
        self._maybe_build(_batchless_shape(inputs))
        frame = ctx.push(self)
        try:
            if ctx.mode == "init" and self._specs and not frame.params and not frame.state:
                values = self.init_variables(frame.key if frame.key is not None else next_key())
                frame.params.update(values["params"])
                frame.state.update(values["state"])
            training = bool(kwargs.pop("training", ctx.training))
            if self.autocast:
                inputs = jax.tree.map(_to_float, inputs)
            outputs = self._invoke_call(inputs, training, mask, args, kwargs)
            if self.activity_regularizer is not None and ctx.mode == "apply":
                hp = self.hparam("activity_regularizer") if self.activity_regularizer.hyperparameters() else {}
                for out in jax.tree.leaves(outputs):
                    ctx.losses.append(self.activity_regularizer.penalty(out, hp))
            out_mask = self.compute_mask(inputs, mask)
            if ctx.record_shapes is not None:
                ctx.record_shapes[id(self)] = _shape_of(outputs)
        finally:
            ctx.pop()
        if self._output_shape is None:
            self._output_shape = _batchless_shape(outputs)
        return outputs, out_mask

    def _call_eager(self, inputs: Any, *args: Any, training: bool = False, **kwargs: Any) -> Any:
        """Called on concrete arrays outside a model: use (and create) own weights."""
        inputs = jax.tree.map(jnp.asarray, inputs)
        if not self._is_initialized():
            self._store_values(self._init_tree(inputs, next_key()))
        variables = self._collect_values()
        key = next_key() if training else None
        ctx = Context(mode="apply", training=training, key=key)
        with ctx:
            root = ctx.root({self.name: variables["params"]}, {self.name: variables["state"]}, None)
            outputs, _ = self._call_in_context(ctx, inputs, *args, training=training, **kwargs)
        new_state = root.new_state.get(self.name)
        if new_state:
            self._store_values({"params": variables["params"], "state": new_state})
        return outputs

    def _init_tree(self, inputs: Any, key: jax.Array) -> dict[str, dict]:
        """Create every weight this layer (and its sublayers) needs for `inputs`."""
        ctx = Context(mode="init", training=False, key=key)
        with ctx:
            root = ctx.root({}, {}, None)
            self._call_in_context(ctx, inputs)
        return {"params": prune_empty(root.params.get(self.name, {})), "state": prune_empty(root.state.get(self.name, {}))}

    def _is_initialized(self) -> bool:
        return self._values is not None and all(sub._is_initialized() for sub in self._sublayers)

    # eager storage for layers with sublayers (nested dicts mirror the params tree)
    def _collect_values(self) -> dict[str, dict]:
        params = dict(self._values["params"]) if self._values else {}
        state = dict(self._values["state"]) if self._values else {}
        for sub in self._sublayers:
            if sub._values is None and not sub._sublayers:
                continue
            v = sub._collect_values()
            if v["params"]:
                params[sub.name] = v["params"]
            if v["state"]:
                state[sub.name] = v["state"]
        return {"params": params, "state": state}

    def _store_values(self, variables: dict[str, dict]) -> None:
        """Inverse of `_collect_values`: write a (sub)tree back into the objects."""
        params = variables.get("params", {}) or {}
        state = variables.get("state", {}) or {}
        own: dict[str, dict] = {"params": {}, "state": {}}
        for spec in self._specs.values():
            tree = params if spec.trainable else state
            if spec.name in tree:
                own[spec.collection][spec.name] = tree[spec.name]
            elif self._values is not None and spec.name in self._values[spec.collection]:
                own[spec.collection][spec.name] = self._values[spec.collection][spec.name]
        self._values = own
        for sub in self._sublayers:
            sub._store_values({"params": params.get(sub.name, {}), "state": state.get(sub.name, {})})

    # ------------------------------------------------------------------
    # symbolic (functional API)
    def _call_symbolic(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if args:
            raise TypeError(
                f"Layer {self.name!r} was called on a symbolic tensor with extra positional arguments; "
                f"pass options as keyword arguments."
            )
        input_shape = jax.tree.map(lambda t: t.shape, inputs, is_leaf=_is_keras_tensor)
        self._maybe_build(input_shape)
        out_shape = self.compute_output_shape(input_shape)
        dtype = self._output_dtype(inputs)
        shapes = _shape_leaves(out_shape)
        node = Node(self, inputs, [], dict(kwargs))
        outputs = [KerasTensor(s, dtype, node, i) for i, s in enumerate(shapes)]
        node.outputs = outputs
        self._inbound_nodes.append(node)
        if self._output_shape is None:
            self._output_shape = out_shape
        if _is_single_shape(out_shape):
            return outputs[0]
        return outputs

    def _output_dtype(self, inputs: Any) -> Any:
        return "float32"

    def _eval_output_shape(self, input_shape: Any) -> Any:
        """Output shape by abstract evaluation (jax.eval_shape) with batch size 1."""

        def concrete(s):
            return tuple(1 if d is None else d for d in s)

        in_struct = jax.tree.map(
            lambda s: jax.ShapeDtypeStruct(concrete(s), jnp.float32),
            input_shape,
            is_leaf=_is_shape,
        )

        def run(x):
            ctx = Context(mode="init", training=False, key=jax.random.key(0))
            with ctx:
                ctx.root({}, {}, None)
                out, _ = self._call_in_context(ctx, x)
            return out

        try:
            out = jax.eval_shape(run, in_struct)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) cannot take inputs of shape {input_shape}: {exc}"
            ) from exc
        batch_none = _leading_is_none(input_shape)
        return jax.tree.map(
            lambda a: ((None,) + tuple(a.shape[1:])) if batch_none else tuple(a.shape),
            out,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _is_shape(s: Any) -> bool:
    return isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _is_single_shape(s: Any) -> bool:
    return _is_shape(s)


def _shape_leaves(s: Any) -> list[tuple]:
    if _is_shape(s):
        return [s]
    if isinstance(s, dict):
        return [t for k in s for t in _shape_leaves(s[k])]
    return [t for item in s for t in _shape_leaves(item)]


def _leading_is_none(input_shape: Any) -> bool:
    leaves = _shape_leaves(input_shape)
    return bool(leaves) and len(leaves[0]) > 0 and leaves[0][0] is None


def _batchless_shape(x: Any) -> Any:
    """Shapes of the arrays in `x` with the batch dimension replaced by None."""

    def one(a):
        shape = tuple(getattr(a, "shape", ()))
        return (None,) + shape[1:] if shape else shape

    if hasattr(x, "shape"):
        return one(x)
    if isinstance(x, dict):
        return {k: _batchless_shape(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_batchless_shape(v) for v in x]
    return one(x)


def _to_float(a: Any) -> Any:
    if hasattr(a, "dtype") and a.dtype != jnp.float32 and not jnp.issubdtype(a.dtype, jnp.bfloat16):
        if jnp.issubdtype(a.dtype, jnp.floating) or jnp.issubdtype(a.dtype, jnp.integer) or a.dtype == jnp.bool_:
            return a.astype(jnp.float32)
    return a


def prune_empty(tree: Any) -> Any:
    """Drop empty sub-dicts (layers without weights) from a nested dict."""
    if not isinstance(tree, dict):
        return tree
    out = {}
    for k, v in tree.items():
        v = prune_empty(v)
        if isinstance(v, dict) and not v:
            continue
        out[k] = v
    return out
