"""`Sequential`: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from typing import Any

from ..layers import _context
from ..layers._base import KerasTensor, Layer, Node
from ..layers.core import InputLayer
from ._model import Model

__all__ = ["Sequential"]


def _runs_on_host(layer: Any) -> bool:
    return bool(getattr(layer, "runs_on_host", False))


class Sequential(Model):
    """A linear stack of layers.

    Give the input shape with ``Input``/``InputLayer`` first, or with
    ``input_shape=`` on the first layer (then `summary` works at once); or
    leave it out and the model builds itself from the data on the first `fit`.

    Example (the course's Fashion-MNIST classifier):
        >>> from trainlab import Sequential, layers
        >>> model = Sequential([
        ...     layers.Flatten(input_shape=(28, 28)),
        ...     layers.Dense(128, activation="relu"),
        ...     layers.Dense(10, activation="softmax"),
        ... ])
        >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    """

    autocast = False

    def __init__(self, layers: list[Any] | None = None, name: str | None = None, trainable: bool = True):
        super().__init__(name=name, trainable=trainable)
        self._declared_shape = None
        self._input_dtype = "float32"
        self._graph: list[Node] = []  # symbolic nodes of the stack (layer.input / layer.output)
        self._graph_input: KerasTensor | None = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Any) -> None:
        """Append a layer (or set the input shape with an `Input`/`InputLayer`)."""
        if isinstance(layer, KerasTensor):
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if self._sublayers:
                raise ValueError(
                    f"An Input/InputLayer must come first in Sequential model {self.name!r}; "
                    f"it was added after {len(self._sublayers)} layer(s)."
                )
            self._declared_shape = layer.batch_shape
            self._input_dtype = layer.input_dtype
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer (such as layers.Dense(10)); received "
                f"{type(layer).__name__}. Did you pass a layer class instead of an instance?"
            )
        if _runs_on_host(layer) and len(self._host_layers()) < len(self._sublayers):
            raise ValueError(
                f"Layer {layer.name!r} ({type(layer).__name__}) works on strings on the host, so it must come "
                f"before every other layer of Sequential model {self.name!r}; it was added after "
                f"{self._sublayers[-1].name!r}. Put it first, or apply it to the data (x = layer(texts))."
            )
        if not self._sublayers and self._declared_shape is None and layer._declared_input_shape is not None \
                and not _runs_on_host(layer):
            self._declared_shape = layer._declared_input_shape
        self._sublayers.append(layer)
        self._check_unique_names()
        self.built = False
        if self._declared_shape is not None and not self._host_layers():
            self.build(self._declared_shape)

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._sublayers:
            raise ValueError(f"Sequential model {self.name!r} has no layers to pop.")
        layer = self._sublayers.pop()
        self.built = False
        if self._declared_shape is not None and self._sublayers and not self._host_layers():
            self.build(self._declared_shape)
        return layer

    def build(self, input_shape: Any = None) -> None:
        """Infer every layer's shapes for inputs of `input_shape` (batch first)."""
        shape = tuple(input_shape if input_shape is not None else self._declared_shape)
        self._build_input_shape = shape
        for layer in self._compiled_layers():
            try:
                layer._maybe_build(shape)
                shape = layer.compute_output_shape(shape)
            except ValueError as exc:
                raise ValueError(
                    f"In Sequential model {self.name!r}, layer {layer.name!r} ({type(layer).__name__}) cannot "
                    f"take inputs of shape {shape}: {exc}"
                ) from None
            layer._output_shape = shape
        self._output_shape = shape
        self.built = True
        self._record_graph()

    def _record_graph(self) -> None:
        """Give every layer a symbolic node for this stack, from the shapes just inferred,
        so that ``layer.input`` / ``layer.output`` and ``model.inputs`` / ``model.outputs``
        work as in Keras (``Model(model.inputs, model.layers[1].output)``). Nodes of an
        earlier build are replaced."""
        for node in self._graph:
            if node in node.layer._inbound_nodes:
                node.layer._inbound_nodes.remove(node)
        self._graph, self._graph_input = [], None
        if self._host_layers() or not isinstance(self._build_input_shape, tuple):
            return
        source = InputLayer(batch_input_shape=self._build_input_shape, dtype=self._input_dtype,
                            name=f"{self.name}_input")
        tensor = source._inbound_nodes[0].outputs[0]
        self._graph_input = tensor
        for layer in self._compiled_layers():
            if not isinstance(layer.output_shape, tuple):
                return
            node = Node(layer, tensor, [], {})
            tensor = KerasTensor(layer.output_shape, "float32", node, 0)
            node.outputs = [tensor]
            layer._inbound_nodes.append(node)
            self._graph.append(node)

    def _graph_tensors(self, which: str) -> list[KerasTensor]:
        if not self.built and self._declared_shape is not None and not self._host_layers():
            self.build(self._declared_shape)
        if self._graph_input is None or not self._graph:
            raise ValueError(
                f"Sequential model {self.name!r} has no symbolic `{which}` yet: give it an input shape "
                f"(tl.Input(shape=...) first, or `input_shape=` on the first layer), or fit it on data first."
            )
        return [self._graph_input] if which == "inputs" else [self._graph[-1].outputs[0]]

    @property
    def inputs(self) -> list[KerasTensor]:
        """The symbolic input of the stack, in a list (Keras `model.inputs`)."""
        return self._graph_tensors("inputs")

    @property
    def outputs(self) -> list[KerasTensor]:
        """The symbolic output of the last layer, in a list (Keras `model.outputs`)."""
        return self._graph_tensors("outputs")

    @property
    def input(self) -> KerasTensor:
        return self._graph_tensors("inputs")[0]

    @property
    def output(self) -> KerasTensor:
        return self._graph_tensors("outputs")[0]

    def _host_layers(self) -> list[Layer]:
        """The leading layers that run on the host (string lookups, text vectorization)."""
        out = []
        for layer in self._sublayers:
            if not _runs_on_host(layer):
                break
            out.append(layer)
        return out

    def _compiled_layers(self) -> list[Layer]:
        return self._sublayers[len(self._host_layers()):]

    def _host_inputs(self, x: Any) -> Any:
        """Raw inputs through the host layers (strings -> integer arrays); as is without them."""
        for layer in self._host_layers():
            x = layer(x)
        return x

    def _expected_input_shape(self) -> Any:
        if self.built:
            return self._build_input_shape
        # with host layers first, the declared input (strings) is not what the compiled layers see
        return None if self._host_layers() else self._declared_shape

    def _check_model_input(self, shape: Any, argument: str = "inputs") -> None:
        expected = self._expected_input_shape()
        if expected is None or not isinstance(shape, tuple):
            return
        if len(shape) != len(expected) or any(e is not None and s is not None and e != s for e, s in zip(expected[1:], shape[1:])):
            hint = ""
            if len(shape) == len(expected) + 1 and shape[-1] == 1:
                hint = " Remove the trailing axis of size 1."
            elif len(shape) + 1 == len(expected):
                hint = " Add a channel axis, e.g. x[..., None]."
            raise ValueError(
                f"Model {self.name!r} expects inputs of shape {tuple(expected)}, but `{argument}` has shape "
                f"{tuple(s if i else None for i, s in enumerate(shape))} (batch dimension shown as None).{hint}"
            )

    def call(self, inputs: Any, training: bool = False) -> Any:
        ctx = _context.current()
        x, mask = inputs, None
        for layer in self._compiled_layers():
            x, mask = layer._call_in_context(ctx, x, mask=mask, training=training)
        return x

    @property
    def output_names(self) -> list[str]:
        return [self._sublayers[-1].name] if self._sublayers else ["output"]

    def _input_consumers(self) -> list[tuple[int, Any]]:
        compiled = self._compiled_layers()
        first = compiled[0] if compiled else None
        if isinstance(first, Model):
            return first._input_consumers()
        return [(0, first)] if first is not None else []

    def _deferrable_output_layers(self) -> list[Any]:
        """The last layer, if its activation can be deferred to the loss."""
        last = self._sublayers[-1] if self._sublayers else None
        if last is None or isinstance(last, Model) or not hasattr(last, "activation"):
            return [None]
        return [last]

    def compute_output_shape(self, input_shape: Any) -> Any:
        if not self.built:
            self.build(input_shape)
        return self._output_shape

    def get_config(self) -> dict[str, Any]:
        from .. import saving

        config = {"name": self.name, "trainable": self.trainable,
                  "layers": [saving.serialize_layer(layer) for layer in self._sublayers]}
        if self._declared_shape is not None:
            config["input_shape"] = list(self._declared_shape)
            config["input_dtype"] = self._input_dtype
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Sequential":
        from .. import saving

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        if config.get("input_shape") is not None:
            model.add(InputLayer(shape=tuple(config["input_shape"][1:]), batch_size=config["input_shape"][0],
                                 dtype=config.get("input_dtype", "float32")))
        for layer_config in config["layers"]:
            model.add(saving.deserialize_layer(layer_config))
        return model
