"""`Functional`: a model defined as a graph from `Input` tensors to outputs
(``Model(inputs, outputs)``): several inputs, several outputs, shared layers."""

from __future__ import annotations

from typing import Any

import jax

from ..layers import _context
from ..layers._base import KerasTensor, Layer, Node, unique_name
from ..layers.core import InputLayer
from ._model import Model

__all__ = ["Functional"]


def _is_kt(x: Any) -> bool:
    return isinstance(x, KerasTensor)


def _flat(struct: Any) -> list[KerasTensor]:
    return jax.tree.leaves(struct, is_leaf=_is_kt)


class Functional(Model):
    """A graph of layers from `Input` tensors to output tensors.

    Example (two inputs, two outputs):
        >>> from trainlab import Model, layers
        >>> a, b = layers.Input((4,), name="a"), layers.Input((2,), name="b")
        >>> h = layers.Dense(8, activation="relu")(layers.Concatenate()([a, b]))
        >>> model = Model([a, b], [layers.Dense(1, name="price")(h), layers.Dense(3, name="kind")(h)])
        >>> model.output_names
        ['price', 'kind']
    """

    autocast = False

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, trainable: bool = True):
        super().__init__(name=name or unique_name("functional"), trainable=trainable)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        flat_in, flat_out = _flat(inputs), _flat(outputs)
        for t in flat_in + flat_out:
            if not _is_kt(t):
                raise TypeError(
                    f"`inputs` and `outputs` of Model must be symbolic tensors from layers.Input(...) and layers "
                    f"called on them; received {type(t).__name__}."
                )
        for t in flat_in:
            if not isinstance(t.node.layer, InputLayer):
                raise ValueError(
                    f"Every entry of `inputs` must come from layers.Input(...); {t!r} is the output of layer "
                    f"{t.node.layer.name!r}."
                )
        self._flat_inputs, self._flat_outputs = flat_in, flat_out
        # ``Model({"a": Input(...), ...}, outputs)``: data dicts are matched by these keys (Keras 3)
        self._input_keys: list[str] | None = None
        if isinstance(inputs, dict) and all(_is_kt(v) for v in inputs.values()):
            by_id = {id(v): str(k) for k, v in inputs.items()}
            self._input_keys = [by_id[id(t)] for t in flat_in]
        # ``outputs={"price": ..., "kind": ...}``: outputs are named by these keys (Keras 3)
        self._output_keys: list[str] | None = None
        if isinstance(outputs, dict) and all(_is_kt(v) for v in outputs.values()):
            by_id = {id(v): str(k) for k, v in outputs.items()}
            self._output_keys = [by_id[id(t)] for t in flat_out]
        self._nodes = self._topological_nodes()
        layers: list[Layer] = [t.node.layer for t in flat_in]
        for node in self._nodes:
            if not any(l is node.layer for l in layers):
                layers.append(node.layer)
        for layer in layers:
            self._sublayers.append(layer)
        self._check_unique_names()
        self.built = True
        self._build_input_shape = self._shape_struct(inputs)
        self._output_shape = self._shape_struct(outputs)

    # ------------------------------------------------------------------
    def _shape_struct(self, struct: Any) -> Any:
        if _is_kt(struct):
            return struct.shape
        if isinstance(struct, dict):
            return {k: self._shape_struct(v) for k, v in struct.items()}
        return [self._shape_struct(v) for v in struct]

    def _topological_nodes(self) -> list[Node]:
        order: list[Node] = []
        state: dict[int, int] = {}  # 1 visiting, 2 done
        input_ids = {id(t) for t in self._flat_inputs}

        def visit(t: KerasTensor) -> None:
            if id(t) in input_ids:
                return
            node = t.node
            if isinstance(node.layer, InputLayer):
                raise ValueError(
                    f"Output {t!r} depends on input {node.layer.name!r}, which is not in the model's `inputs`. "
                    f"Add it to `inputs`."
                )
            mark = state.get(id(node))
            if mark == 2:
                return
            if mark == 1:
                raise ValueError("The layer graph has a cycle.")
            state[id(node)] = 1
            for parent in node.input_tensors:
                visit(parent)
            state[id(node)] = 2
            order.append(node)

        for t in self._flat_outputs:
            visit(t)
        return order

    @property
    def input_names(self) -> list[str]:
        return [t.node.layer.name for t in self._flat_inputs]

    @property
    def output_names(self) -> list[str]:
        if getattr(self, "_output_keys", None) is not None:
            return list(self._output_keys)
        return [t.node.layer.name for t in self._flat_outputs]

    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._flat_inputs)

    @property
    def input(self) -> Any:
        """The `inputs` given to the constructor (a tensor, list or dict; Keras `model.input`)."""
        return self._inputs_struct

    @property
    def output(self) -> Any:
        """The `outputs` given to the constructor (Keras `model.output`)."""
        return self._outputs_struct

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._flat_outputs)

    def _expected_input_shape(self) -> Any:
        return self._build_input_shape

    def _input_consumers(self) -> list[tuple[int, Any]]:
        """(input index, layer) for layers that read a model input directly."""
        index = {id(t): i for i, t in enumerate(self._flat_inputs)}
        return [(index[id(t)], node.layer) for node in self._nodes for t in node.input_tensors if id(t) in index]

    def _deferrable_output_layers(self) -> list[Any]:
        """Per output, its layer if that layer's activation can move into the loss:
        the layer is called once in this graph and its output feeds nothing else."""
        consumed = {id(t) for node in self._nodes for t in node.input_tensors}
        calls: dict[int, int] = {}
        for node in self._nodes:
            calls[id(node.layer)] = calls.get(id(node.layer), 0) + 1
        out = []
        for t in self._flat_outputs:
            layer = t.node.layer
            ok = (hasattr(layer, "activation") and not isinstance(layer, Model) and calls.get(id(layer)) == 1
                  and id(t) not in consumed and len(t.node.outputs) == 1)
            out.append(layer if ok else None)
        return out

    def _flatten_inputs(self, inputs: Any, argument: str = "inputs") -> list[Any]:
        names = self.input_names
        if isinstance(inputs, dict):
            keys = self._input_keys
            if keys is not None and all(k in inputs for k in keys):
                return [inputs[k] for k in keys]
            missing = [n for n in names if n not in inputs]
            if missing:
                expected = keys if keys is not None else names
                how = ("the keys of the dict the model was built from" if keys is not None
                       else "the names given to layers.Input(name=...)")
                raise ValueError(
                    f"`{argument}` is a dict with keys {sorted(map(str, inputs))}, but the model's inputs are "
                    f"{expected}. Use {how} as keys."
                )
            return [inputs[n] for n in names]
        if len(names) == 1:
            if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
                return list(inputs)
            return [inputs]
        if not isinstance(inputs, (list, tuple)) or len(inputs) != len(names):
            got = len(inputs) if isinstance(inputs, (list, tuple)) else 1
            raise ValueError(
                f"Model {self.name!r} has {len(names)} inputs ({', '.join(names)}); `{argument}` must be a list of "
                f"{len(names)} arrays or a dict keyed by those names, but it holds {got}."
            )
        return list(inputs)

    def _check_model_input(self, shape: Any, argument: str = "inputs") -> None:
        shapes = self._flatten_inputs(shape, argument) if not isinstance(shape, tuple) else [shape]
        for t, s in zip(self._flat_inputs, shapes):
            if not isinstance(s, tuple):
                continue
            e = t.shape
            if len(s) != len(e) or any(a is not None and b is not None and a != b for a, b in zip(e[1:], s[1:])):
                raise ValueError(
                    f"Input {t.node.layer.name!r} of model {self.name!r} expects shape {e}, but `{argument}` "
                    f"gives shape {tuple(d if i else None for i, d in enumerate(s))} (batch dimension shown as None)."
                )

    def call(self, inputs: Any, training: bool = False) -> Any:
        ctx = _context.current()
        values: dict[int, Any] = {}
        masks: dict[int, Any] = {}
        for t, v in zip(self._flat_inputs, self._flatten_inputs(inputs)):
            values[id(t)] = v
        for node in self._nodes:
            args = jax.tree.map(lambda t: values[id(t)], node.inputs, is_leaf=_is_kt)
            in_mask = masks.get(id(node.input_tensors[0])) if len(node.input_tensors) == 1 else None
            out, out_mask = node.layer._call_in_context(ctx, args, mask=in_mask, training=training, **node.call_kwargs)
            outs = [out] if len(node.outputs) == 1 else list(out)
            for t, o in zip(node.outputs, outs):
                values[id(t)] = o
                masks[id(t)] = out_mask
        return jax.tree.map(lambda t: values[id(t)], self._outputs_struct, is_leaf=_is_kt)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self._output_shape

    # ------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        from .. import saving

        node_ids: dict[int, int] = {}
        tensor_ref: dict[int, list] = {}
        for i, t in enumerate(self._flat_inputs):
            tensor_ref[id(t)] = ["input", i]
        nodes = []
        for n, node in enumerate(self._nodes):
            node_ids[id(node)] = n
            for k, t in enumerate(node.outputs):
                tensor_ref[id(t)] = ["node", n, k]
            nodes.append({
                "layer": node.layer.name,
                "inputs": _struct_to_json(node.inputs, tensor_ref),
                "kwargs": node.call_kwargs,
            })
        return {
            "name": self.name,
            "trainable": self.trainable,
            "input_layers": [saving.serialize_layer(t.node.layer) for t in self._flat_inputs],
            "inputs": _struct_to_json(self._inputs_struct, tensor_ref),
            "layers": [saving.serialize_layer(l) for l in self._sublayers if not isinstance(l, InputLayer)],
            "nodes": nodes,
            "outputs": _struct_to_json(self._outputs_struct, tensor_ref),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Functional":
        from .. import saving

        input_tensors = [saving.deserialize_layer(c).output for c in config["input_layers"]]
        layers = {}
        for c in config["layers"]:
            layer = saving.deserialize_layer(c)
            layers[layer.name] = layer
        node_outputs: list[list[KerasTensor]] = []

        def resolve(ref: Any) -> Any:
            return _struct_from_json(ref, input_tensors, node_outputs)

        for node in config["nodes"]:
            out = layers[node["layer"]](resolve(node["inputs"]), **node.get("kwargs", {}))
            node_outputs.append(out if isinstance(out, list) else [out])
        return cls(resolve(config["inputs"]), resolve(config["outputs"]), name=config.get("name"),
                   trainable=config.get("trainable", True))


def _struct_to_json(struct: Any, refs: dict[int, list]) -> Any:
    if _is_kt(struct):
        return {"tensor": refs[id(struct)]}
    if isinstance(struct, dict):
        return {"dict": {k: _struct_to_json(v, refs) for k, v in struct.items()}}
    if isinstance(struct, (list, tuple)):
        return {"list": [_struct_to_json(v, refs) for v in struct]}
    raise TypeError(f"Cannot save a graph input of type {type(struct).__name__}.")


def _struct_from_json(obj: Any, inputs: list[KerasTensor], nodes: list[list[KerasTensor]]) -> Any:
    if "tensor" in obj:
        ref = obj["tensor"]
        return inputs[ref[1]] if ref[0] == "input" else nodes[ref[1]][ref[2]]
    if "dict" in obj:
        return {k: _struct_from_json(v, inputs, nodes) for k, v in obj["dict"].items()}
    return [_struct_from_json(v, inputs, nodes) for v in obj["list"]]
