"""Helpers on the variables pytree ``{"params": {...}, "state": {...}}``: weight
lists in Keras order, parameter counts, trainable masks, and tree merging."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

# Incremented by every write of weights through the object API (set_weights,
# model.variables = ...), so that a running `fit` can notice that a callback
# changed the weights and push them into its compiled state.
WEIGHTS_VERSION = [0]


def bump_weights_version() -> None:
    WEIGHTS_VERSION[0] += 1


from ..core.trees import deep_update, merge_trees, split_by_mask, trainable_mask  # noqa: E402,F401

__all__ = [
    "WEIGHTS_VERSION",
    "bump_weights_version",
    "layer_weight_list",
    "set_layer_weight_list",
    "count_layer_params",
    "trainable_mask",
    "split_by_mask",
    "merge_trees",
    "deep_update",
]


def _ordered_layers(layer: Any) -> list[Any]:
    """`layer` itself then its sublayers, depth first (Keras weight order)."""
    out = [layer]
    for sub in layer.sublayers:
        out.extend(_ordered_layers(sub))
    return out


def _unique(layers: list[Any]) -> list[Any]:
    seen, out = set(), []
    for layer in layers:
        if id(layer) not in seen:
            seen.add(id(layer))
            out.append(layer)
    return out


def _weight_slots(layer: Any) -> list[tuple[Any, Any]]:
    """(layer, spec) pairs in Keras order: per layer, trainable specs then state."""
    slots = []
    for sub in _unique(_ordered_layers(layer)):
        specs = sub.weight_specs
        slots.extend((sub, s) for s in specs if s.trainable)
        slots.extend((sub, s) for s in specs if not s.trainable)
    return slots


def layer_weight_list(layer: Any) -> list[np.ndarray]:
    """All weights of `layer` (and sublayers) as numpy arrays, Keras order."""
    out = []
    for sub, spec in _weight_slots(layer):
        if sub._values is None or spec.name not in sub._values[spec.collection]:
            raise ValueError(
                f"Layer {sub.name!r} has no weights yet: build the model first (call it on data, "
                f"fit it, or give the first layer an input shape)."
            )
        out.append(np.asarray(sub._values[spec.collection][spec.name]))
    return out


def set_layer_weight_list(layer: Any, weights: Sequence[Any]) -> None:
    """Set weights from a list in `layer_weight_list` order, checking count and shapes."""
    slots = _weight_slots(layer)
    weights = list(weights)
    if len(weights) != len(slots):
        names = [f"{s.name}/{spec.name}" for s, spec in slots]
        raise ValueError(
            f"`weights` must be a list of {len(slots)} arrays for {layer.name!r} ({', '.join(names) or 'no weights'}); "
            f"received {len(weights)}."
        )
    for (sub, spec), w in zip(slots, weights):
        w = np.asarray(w)
        if tuple(w.shape) != tuple(spec.shape):
            raise ValueError(
                f"Weight {spec.name!r} of layer {sub.name!r} has shape {spec.shape}; the array given for it in "
                f"`weights` has shape {tuple(w.shape)}."
            )
    for (sub, spec), w in zip(slots, weights):
        if sub._values is None:
            sub._values = {"params": {}, "state": {}}
        sub._values[spec.collection][spec.name] = jnp.asarray(w, spec.dtype)
    bump_weights_version()


def count_layer_params(layer: Any) -> tuple[int, int]:
    """(trainable, non-trainable) parameter counts, by the specs (no values needed)."""
    trainable = non_trainable = 0
    for sub, spec in _weight_slots(layer):
        n = int(np.prod(spec.shape)) if spec.shape else 1
        if spec.trainable and _effectively_trainable(layer, sub):
            trainable += n
        else:
            non_trainable += n
    return trainable, non_trainable


def _effectively_trainable(root: Any, target: Any) -> bool:
    """A weight trains only if its layer and every enclosing layer are trainable."""

    def walk(layer: Any, ok: bool) -> bool | None:
        ok = ok and layer.trainable
        if layer is target:
            return ok
        for sub in layer.sublayers:
            found = walk(sub, ok)
            if found is not None:
                return found
        return None

    found = walk(root, True)
    return bool(found)


