"""`Objective`: what a model is trained on and measured by, as pure functions.

Built from Keras-style ``compile`` arguments (loss, loss_weights, metrics) and
the model's outputs. It computes the total loss from targets and outputs,
applies deferred activations (see below), and carries metric states through a
compiled epoch.

Stable cross-entropy: when an output layer ends in softmax / sigmoid and its
loss is the matching cross-entropy on probabilities, the objective asks the
model for that layer's *pre-activation* outputs (logits) and uses the
``from_logits=True`` form of the loss, which never takes ``log(0)``. Metrics
still see probabilities.

Example:
    >>> from trainlab import Sequential, layers
    >>> from trainlab.core import Objective
    >>> model = Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    >>> obj = Objective.build(model, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> obj.log_names
    ['loss', 'accuracy']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["Objective", "OutputSpec"]


@dataclass
class OutputSpec:
    """One model output: its name, loss, loss weight, metrics and logits handling."""

    name: str
    loss: Any  # Loss object or None (output not trained)
    weight: float
    metrics: list
    weighted_metrics: list = None  # metrics that use sample weights (Keras `weighted_metrics`)
    logits_layer: Any = None  # layer whose activation is deferred
    activation: Any = None  # the deferred activation (to get probabilities)
    logits_loss: Any = None  # loss taking logits


def _as_list_for_outputs(value: Any, names: list[str], argument: str) -> list[Any]:
    """Spread a per-output argument (single value, list, or dict by name) over outputs."""
    n = len(names)
    if isinstance(value, dict) and "class_name" in value and "class_name" not in names:
        return [value] * n  # one serialized object (as saved files store it), not a per-output dict
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(
                f"`{argument}` has key(s) {unknown} that are not output names; the model's outputs are {names}."
            )
        return [value.get(k) for k in names]
    if isinstance(value, (list, tuple)) and n > 1:
        if len(value) != n:
            raise ValueError(
                f"`{argument}` is a list of {len(value)} entries but the model has {n} outputs ({', '.join(names)}). "
                f"Pass one entry per output, or a dict keyed by output name."
            )
        return list(value)
    return [value] * n


class Objective:
    """Losses and metrics per output. Use `Objective.build`."""

    def __init__(self, outputs: list[OutputSpec], single_output: bool, weighted_metrics: bool = True):
        self.outputs = outputs
        self.single_output = single_output
        from ..metrics import Mean

        self._loss_tracker = Mean(name="loss")
        self._part_trackers = [Mean(name=f"{o.name}_loss") for o in outputs] if not single_output else []
        self.log_names = ["loss"] + [t.name for t in self._part_trackers] + [
            self._metric_log_name(o, m) for o in outputs for m, _ in _all_metrics(o)
        ]
        self.skip_activation = frozenset(id(o.logits_layer) for o in outputs if o.logits_layer is not None)

    def _metric_log_name(self, output: OutputSpec, metric: Any) -> str:
        return metric.name if self.single_output else f"{output.name}_{metric.name}"

    # ------------------------------------------------------------------
    @classmethod
    def build(cls, model: Any, loss: Any = None, loss_weights: Any = None, metrics: Any = None,
              weighted_metrics: Any = None, y_shapes: list | None = None) -> "Objective":
        """Resolve Keras-style compile arguments against `model`'s outputs.

        Args:
            model: the model (its output names and output layers are used).
            loss: a loss (name, object, or callable), a list per output, or a dict by output name.
            loss_weights: scalar weights per output (list or dict).
            metrics: list of metrics (applied to every output), list of lists, or dict by output.
                As in Keras 3 these ignore sample weights.
            weighted_metrics: like `metrics`, but weighted by `sample_weight` / `class_weight`.
            y_shapes: target shapes per output when known (resolves "accuracy").
        """
        from .. import losses as _losses
        from .. import metrics as _metrics

        names = model_output_names(model, loss)
        single = len(names) == 1
        loss_list = _as_list_for_outputs(loss, names, "loss")
        if all(l is None for l in loss_list):
            raise ValueError(
                "`loss` is required to train: pass e.g. loss=\"mse\" for regression or "
                "loss=\"sparse_categorical_crossentropy\" for integer class labels."
            )
        weights = _as_list_for_outputs(1.0 if loss_weights is None else loss_weights, names, "loss_weights")
        def number(w: Any) -> bool:
            return isinstance(w, (int, float, np.integer, np.floating)) and not isinstance(w, bool)

        # a one-output model given loss_weights=[2.0] (a list of one number per output)
        weights = [w[0] if isinstance(w, (list, tuple)) and len(w) == 1 and number(w[0]) else w for w in weights]
        for w in weights:
            if w is not None and not number(w):
                hint = (" If these are metrics, pass them as metrics=[...] (Keras 3's compile order is "
                        "(optimizer, loss, loss_weights, metrics)).") if isinstance(w, (list, tuple, str)) else ""
                raise TypeError(
                    f"`loss_weights` must be a number per output (e.g. 1.0, or {{'output_name': 0.5}}); "
                    f"received {w!r}.{hint}"
                )
        metric_lists = _spread_metrics(metrics, names, single, "metrics")
        weighted_lists = _spread_metrics(weighted_metrics, names, single, "weighted_metrics")
        out_layers = model_output_layers(model, len(names))
        out_shapes = model_output_shapes(model, len(names))
        specs = []
        for i, name in enumerate(names):
            loss_obj = None if loss_list[i] is None else _losses.get(loss_list[i])
            y_shape = y_shapes[i] if y_shapes else None
            def resolve(ids: list) -> list:
                return [_metrics.get(m, loss=loss_obj, y_true_shape=y_shape, y_pred_shape=out_shapes[i]) for m in ids]

            ms, wms = resolve(metric_lists[i]), resolve(weighted_lists[i])
            taken = {m.name for m in ms}
            for m in wms:
                if m.name in taken:
                    m.name = f"weighted_{m.name}"
            spec = OutputSpec(name=name, loss=loss_obj, weight=float(1.0 if weights[i] is None else weights[i]),
                              metrics=ms, weighted_metrics=wms)
            layer = out_layers[i]
            if loss_obj is not None and layer is not None and hasattr(layer, "activation"):
                from .. import activations

                act_name = activations.name_of(layer.activation)
                logits_version = getattr(loss_obj, "logits_version", None)
                alt = logits_version(act_name) if (act_name and logits_version) else None
                if alt is not None:
                    spec.logits_layer, spec.activation, spec.logits_loss = layer, layer.activation, alt
            specs.append(spec)
        _check_unique_metric_names(specs, single)
        return cls(specs, single)

    # ------------------------------------------------------------------
    # flattening of targets / outputs
    def flatten_outputs(self, outputs: Any) -> list[Any]:
        if self.single_output:
            return [outputs[0] if isinstance(outputs, (list, tuple)) and len(outputs) == 1 else outputs]
        if isinstance(outputs, dict):
            return [outputs[o.name] for o in self.outputs]
        return list(outputs)

    def flatten_targets(self, y: Any, argument: str = "y") -> list[Any]:
        names = [o.name for o in self.outputs]
        if self.single_output:
            if isinstance(y, dict):
                if names[0] in y:
                    return [y[names[0]]]
                raise ValueError(f"`{argument}` is a dict without the output name {names[0]!r}.")
            if isinstance(y, (list, tuple)) and len(y) == 1:
                return [y[0]]
            return [y]
        if isinstance(y, dict):
            missing = [n for n in names if n not in y and self.outputs[names.index(n)].loss is not None]
            if missing:
                raise ValueError(
                    f"`{argument}` is a dict without target(s) for output(s) {missing}; outputs are {names}."
                )
            return [y.get(n) for n in names]
        if not isinstance(y, (list, tuple)) or len(y) != len(names):
            raise ValueError(
                f"The model has {len(names)} outputs ({', '.join(names)}), so `{argument}` must be a list of "
                f"{len(names)} arrays or a dict keyed by output name."
            )
        return list(y)

    def sample_weights_for(self, sample_weight: Any) -> list[Any]:
        if sample_weight is None:
            return [None] * len(self.outputs)
        if isinstance(sample_weight, dict):
            return [sample_weight.get(o.name) for o in self.outputs]
        if isinstance(sample_weight, (list, tuple)) and not self.single_output:
            return list(sample_weight)
        return [sample_weight] * len(self.outputs)

    # ------------------------------------------------------------------
    # pure pieces used inside compiled steps
    def loss(self, y: Any, outputs: Any, sample_weight: Any = None) -> tuple[jax.Array, list[jax.Array]]:
        """Weighted total and per-output losses. `outputs` hold logits for deferred layers."""
        ys, outs, sws = self.flatten_targets(y), self.flatten_outputs(outputs), self.sample_weights_for(sample_weight)
        total = jnp.zeros((), jnp.float32)
        parts = []
        for spec, yt, yp, sw in zip(self.outputs, ys, outs, sws):
            if spec.loss is None:
                parts.append(jnp.zeros((), jnp.float32))
                continue
            fn = spec.logits_loss if spec.logits_layer is not None else spec.loss
            value = fn(yt, yp, sample_weight=sw)
            parts.append(value)
            total = total + spec.weight * value
        return total, parts

    def probabilities(self, outputs: Any) -> list[Any]:
        """Outputs with deferred activations applied (what `predict` would return)."""
        outs = self.flatten_outputs(outputs)
        return [spec.activation(o) if spec.logits_layer is not None else o for spec, o in zip(self.outputs, outs)]

    def init_metrics(self) -> dict[str, Any]:
        states = {"loss": self._loss_tracker.initial_state()}
        for t in self._part_trackers:
            states[t.name] = t.initial_state()
        for o in self.outputs:
            for m, _ in _all_metrics(o):
                states[self._metric_log_name(o, m)] = m.initial_state()
        return states

    def update_metrics(self, states: dict, y: Any, probs: list[Any], sample_weight: Any, total: jax.Array,
                       parts: list[jax.Array], batch_size: int) -> dict:
        new = dict(states)
        bs = jnp.asarray(batch_size, jnp.float32)
        new["loss"] = self._loss_tracker.update(states["loss"], total, sample_weight=bs)
        for t, p in zip(self._part_trackers, parts):
            new[t.name] = t.update(states[t.name], p, sample_weight=bs)
        ys, sws = self.flatten_targets(y), self.sample_weights_for(sample_weight)
        for spec, yt, yp, sw in zip(self.outputs, ys, probs, sws):
            for m, weighted in _all_metrics(spec):
                key = self._metric_log_name(spec, m)
                new[key] = m.update(states[key], yt, yp, sample_weight=sw if weighted else None)
        return new

    def results(self, states: dict) -> dict[str, jax.Array]:
        out = {"loss": self._loss_tracker.compute(states["loss"])}
        for t in self._part_trackers:
            out[t.name] = t.compute(states[t.name])
        for o in self.outputs:
            for m, _ in _all_metrics(o):
                key = self._metric_log_name(o, m)
                out[key] = m.compute(states[key])
        return out

    def validate_targets(self, y: Any, model: Any, argument: str = "y") -> None:
        """Host-side checks of targets (label ranges, one-hot vs sparse) before training."""
        import numpy as np

        shapes = model_output_shapes(model, len(self.outputs))
        for spec, yt, shape in zip(self.outputs, self.flatten_targets(y, argument), shapes):
            if spec.loss is None or yt is None:
                continue
            check = getattr(spec.loss, "validate_targets", None)
            if check is not None:
                check(np.asarray(yt), shape)


def _all_metrics(o: OutputSpec) -> list[tuple[Any, bool]]:
    return [(m, False) for m in o.metrics] + [(m, True) for m in (o.weighted_metrics or [])]


def _spread_metrics(metrics: Any, names: list[str], single: bool, argument: str) -> list[list]:
    if metrics is None:
        return [[] for _ in names]
    if isinstance(metrics, dict):
        return [_listify(m) for m in _as_list_for_outputs(metrics, names, argument)]
    if isinstance(metrics, (list, tuple)) and not single and metrics and all(isinstance(m, (list, tuple)) for m in metrics):
        return [_listify(m) for m in _as_list_for_outputs(list(metrics), names, argument)]
    return [_listify(metrics) for _ in names]


def _listify(m: Any) -> list:
    if m is None:
        return []
    if isinstance(m, (list, tuple)):
        return list(m)
    return [m]


def _check_unique_metric_names(specs: list[OutputSpec], single: bool) -> None:
    seen = set()
    for o in specs:
        for m, _ in _all_metrics(o):
            key = m.name if single else f"{o.name}_{m.name}"
            if key in seen or key == "loss":
                raise ValueError(
                    f"Two metrics would both be logged as {key!r}; give one of them another `name=`."
                )
            seen.add(key)


# ----------------------------------------------------------------------
# what an Objective needs to know about a model
def model_output_names(model: Any, loss: Any = None) -> list[str]:
    """The model's output names; for a model that does not declare them (a
    subclassed model) they come from a per-output `loss`, as in Keras: the keys
    of a dict, or ``output_1, output_2, ...`` for a list of several losses."""
    names = getattr(model, "output_names", None)
    if names:
        return list(names)
    if isinstance(loss, dict) and loss:
        return [str(k) for k in loss]
    if isinstance(loss, (list, tuple)) and len(loss) > 1:
        return [f"output_{i + 1}" for i in range(len(loss))]
    return ["output"]


def model_output_layers(model: Any, n: int | None = None) -> list[Any]:
    """Per output (`n` of them, by default as many as output names), the layer
    whose activation may be deferred (or None)."""
    fn = getattr(model, "_deferrable_output_layers", None)
    if fn is None:
        return [None] * (len(model_output_names(model)) if n is None else n)
    return fn()


def model_output_shapes(model: Any, n: int | None = None) -> list[Any]:
    shape = getattr(model, "output_shape", None)
    n = len(model_output_names(model)) if n is None else n
    if shape is None or (n > 1 and not isinstance(shape, (list, tuple, dict))):
        return [None] * n
    if n == 1:
        return [shape if isinstance(shape, tuple) else (shape[0] if isinstance(shape, list) else None)]
    if isinstance(shape, dict):
        names = model_output_names(model)
        return [shape.get(k) for k in names] if all(k in shape for k in names) else list(shape.values())
    return list(shape)
