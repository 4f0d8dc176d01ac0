"""What the doctor reads from a model (or its saved config) for its advice:
layer order, activations and kernel initializers (He for ReLU, Glorot for
tanh / sigmoid)."""

from __future__ import annotations

from typing import Any

__all__: list[str] = []

_RELU = {"relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "softplus"}
_SATURATING = {"tanh", "sigmoid", "hard_sigmoid", "softsign"}


def _layer_activations(model: Any) -> list[tuple[str, str, str]]:
    """(layer name, activation, kernel initializer class) of layers with a kernel."""
    if model is None:
        return []
    if not isinstance(model, dict):
        from ..saving import serialize_layer

        try:
            model = serialize_layer(model)
        except Exception:  # an unusual model: no advice per layer
            return []
    out: list[tuple[str, str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            cfg = node.get("config") if "class_name" in node else None
            if isinstance(cfg, dict) and "kernel_initializer" in cfg:
                act = cfg.get("activation") or "linear"
                if isinstance(act, dict):
                    act = act.get("class_name", "custom")
                init = cfg.get("kernel_initializer")
                init = init.get("class_name") if isinstance(init, dict) else str(init)
                out.append((str(cfg.get("name")), str(act), str(init)))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(model)
    return out


def _top_layers(model: Any) -> list[tuple[str, str, str]]:
    """Top-level layers in model order (names), from a model or its config."""
    if model is None:
        return []
    if not isinstance(model, dict):
        return [(layer.name, "", "") for layer in getattr(model, "layers", [])]
    cfg = model.get("config", model)
    return [(str(l.get("config", {}).get("name")), "", "") for l in cfg.get("layers", []) if isinstance(l, dict)]


def _order_layers(names: list[str], order: list[str]) -> list[str]:
    """`names` in model order when known, else in natural order (dense_2 before dense_10)."""
    import re

    if order and set(names) <= set(order):
        return [n for n in order if n in names]

    def key(name: str) -> tuple:
        return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))

    return sorted(names, key=key)


def _init_advice(layers: list[tuple[str, str, str]], vanishing: bool = False) -> dict[str, Any]:
    if not layers:
        return {"text": "He (he_normal) for ReLU layers, Glorot (glorot_uniform) for tanh/sigmoid",
                "suggestion": {"kernel_initializer": "he_normal for ReLU, glorot_uniform for tanh/sigmoid"}}
    wrong: dict[str, str] = {}
    for name, act, init in layers[:-1]:  # the output layer's activation is the task's
        low = init.lower()
        if act in _RELU and not low.startswith("he"):
            wrong[name] = "he_normal"
        elif act in _SATURATING and not low.startswith("glorot"):
            wrong[name] = "glorot_uniform"
    saturating = [n for n, a, _ in layers[:-1] if a in _SATURATING]
    text = ""
    if wrong:
        text = "layers " + ", ".join(f"{n} -> {i}" for n, i in wrong.items())
    elif vanishing and saturating:
        text = f"{len(saturating)} hidden layers use saturating activations; switch them to relu with he_normal"
    else:
        text = "He (he_normal) for ReLU layers, Glorot (glorot_uniform) for tanh/sigmoid"
    suggestion: dict[str, Any] = {}
    if wrong:
        suggestion["kernel_initializer"] = wrong
    if vanishing and saturating:
        suggestion["activation"] = {n: "relu" for n in saturating}
        suggestion["kernel_initializer"] = {n: "he_normal" for n in saturating}
    if not suggestion:
        suggestion["batch_normalization"] = True
    return {"text": text, "suggestion": suggestion}
