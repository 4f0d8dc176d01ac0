"""Pure helpers on nested-dict pytrees (params, state, hyperparameters):
trainable masks, splitting by a mask, merging and updating."""

from __future__ import annotations

from typing import Any

import jax

__all__ = ["trainable_mask", "split_by_mask", "merge_trees", "deep_update"]


def trainable_mask(model: Any, params: dict) -> Any:
    """A pytree of bools shaped like `params`: True where the weight trains."""

    def walk(layer: Any, tree: dict, ok: bool) -> dict:
        ok = ok and layer.trainable
        out = {}
        subs = {s.name: s for s in layer.sublayers}
        for k, v in tree.items():
            if k in subs and isinstance(v, dict):
                out[k] = walk(subs[k], v, ok)
            else:
                out[k] = jax.tree.map(lambda _: ok, v)
        return out

    return walk(model, params, True)


def split_by_mask(tree: dict, mask: dict) -> tuple[dict, dict]:
    """Split a nested dict into (where mask True, where mask False), dropping empties."""
    a, b = {}, {}
    for k, v in tree.items():
        m = mask[k]
        if isinstance(v, dict):
            va, vb = split_by_mask(v, m)
            if va:
                a[k] = va
            if vb:
                b[k] = vb
        elif m:
            a[k] = v
        else:
            b[k] = v
    return a, b


def merge_trees(a: dict, b: dict) -> dict:
    """Union of two nested dicts with disjoint leaves (inverse of `split_by_mask`)."""
    out = dict(a)
    for k, v in b.items():
        if k in out and isinstance(out[k], dict) and isinstance(v, dict):
            out[k] = merge_trees(out[k], v)
        else:
            out[k] = v
    return out


def deep_update(base: dict, updates: dict) -> dict:
    """`base` with the leaves present in `updates` replaced (structure of base kept)."""
    out = dict(base)
    for k, v in updates.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_update(out[k], v)
        else:
            out[k] = v
    return out
