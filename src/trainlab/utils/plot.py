"""`plot_model`: a picture of a model's layer graph (Keras `utils.plot_model`), drawn
with matplotlib (no Graphviz needed).

Each layer is a box (name, class, optionally output shape, activation and
trainability); arrows follow the functional graph, or the stack of a
`Sequential`. Layers are placed by depth: a layer sits one row below the
deepest layer feeding it.
"""

from __future__ import annotations

import io
import os
from typing import Any

__all__ = ["plot_model"]


def _graph(model: Any) -> tuple[list[Any], list[tuple[int, int]]]:
    """(layers, edges as index pairs) of `model`'s graph."""
    nodes = getattr(model, "_nodes", None)
    if nodes is None:  # Sequential or subclassed: a chain of the layers
        layers = list(model.layers)
        return layers, [(i, i + 1) for i in range(len(layers) - 1)]
    layers = [t.node.layer for t in model._flat_inputs]
    for node in nodes:
        if not any(l is node.layer for l in layers):
            layers.append(node.layer)
    index = {id(l): i for i, l in enumerate(layers)}
    edges = []
    for node in nodes:
        for t in node.input_tensors:
            edge = (index[id(t.node.layer)], index[id(node.layer)])
            if edge not in edges:
                edges.append(edge)
    return layers, edges


def _label(layer: Any, show_shapes: bool, show_layer_names: bool, show_layer_activations: bool,
           show_trainable: bool, show_dtype: bool) -> str:
    kind = type(layer).__name__
    lines = [f"{layer.name} ({kind})" if show_layer_names else kind]
    if show_layer_activations and hasattr(layer, "activation") and callable(layer.activation):
        lines.append(f"activation: {getattr(layer.activation, '__name__', 'custom')}")
    if show_shapes:
        shape = getattr(layer, "batch_shape", None) or layer.output_shape
        lines.append(f"output: {shape}")
    if show_dtype:
        lines.append(f"dtype: {getattr(layer, 'input_dtype', None) or layer.dtype}")
    if show_trainable:
        lines.append(f"trainable: {'Y' if layer.trainable else 'N'}")
    return "\n".join(lines)


def plot_model(model: Any, to_file: str | os.PathLike = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = True, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200, show_layer_activations: bool = False,
               show_trainable: bool = False, **kwargs: Any) -> str:
    """Draw `model`'s layers and connections into an image file (Keras `plot_model`).

    Args:
        model: a built `Sequential` or functional `Model`.
        to_file: output path; the suffix picks the format (.png, .svg, .pdf, .jpg).
        show_shapes / show_dtype / show_layer_names / show_layer_activations /
            show_trainable: what each box shows (Keras' arguments and defaults).
        rankdir: "TB" (top to bottom, default) or "LR" (left to right).
        dpi: resolution of raster formats.
        expand_nested: accepted for compatibility; nested models are drawn as one box.

    Returns:
        The path written (atomically).

    Raises:
        ValueError: an unknown `rankdir` or file suffix.

    Example:
        >>> import tempfile, os, trainlab as tl
        >>> m = tl.Sequential([tl.Input(shape=(4,)), tl.layers.Dense(2)])
        >>> path = plot_model(m, os.path.join(tempfile.mkdtemp(), "m.png"), show_shapes=True)
    """
    from .._io import atomic_write_bytes
    from .._validation import check_one_of

    check_one_of("rankdir", rankdir, ["TB", "LR"])
    path = os.fspath(to_file)
    suffix = os.path.splitext(path)[1].lower().lstrip(".") or "png"
    formats = ["png", "svg", "pdf", "jpg", "jpeg"]
    if suffix not in formats:
        raise ValueError(f"`to_file` must end in one of {', '.join('.' + f for f in formats)}; received {path!r}.")
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    layers, edges = _graph(model)
    depth = [0] * len(layers)
    for _ in layers:  # longest path from the inputs (edges are in topological order)
        for a, b in edges:
            depth[b] = max(depth[b], depth[a] + 1)
    rows: dict[int, list[int]] = {}
    for i, d in enumerate(depth):
        rows.setdefault(d, []).append(i)
    positions = {}
    for d, members in rows.items():
        for j, i in enumerate(members):
            across = j - (len(members) - 1) / 2
            positions[i] = (across * 3.2, -d * 1.4) if rankdir == "TB" else (d * 3.6, -across * 1.4)
    width = max(4.0, 3.4 * max(len(m) for m in rows.values())) if rankdir == "TB" else 3.8 * len(rows)
    height = 1.4 * len(rows) + 0.6 if rankdir == "TB" else max(2.0, 1.5 * max(len(m) for m in rows.values()))
    fig, ax = plt.subplots(figsize=(width, height))
    for a, b in edges:
        ax.annotate("", xy=positions[b], xytext=positions[a],
                    arrowprops={"arrowstyle": "->", "color": "0.3", "shrinkA": 18, "shrinkB": 18})
    for i, layer in enumerate(layers):
        text = _label(layer, show_shapes, show_layer_names, show_layer_activations, show_trainable, show_dtype)
        ax.text(*positions[i], text, ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round,pad=0.4", "facecolor": "#e8f0fe", "edgecolor": "#4a6fa5"})
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    ax.set_xlim(min(xs) - 1.8, max(xs) + 1.8)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.axis("off")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="jpeg" if suffix == "jpg" else suffix, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return path
