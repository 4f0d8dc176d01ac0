"""`Model.summary()`: the Keras-style table of layers, shapes and parameter counts."""

from __future__ import annotations

from typing import Any

from ._variables import count_layer_params

__all__ = ["summary_text"]


def _fmt_shape(shape: Any) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, tuple):
        return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
    if isinstance(shape, dict):
        return ", ".join(f"{k}: {_fmt_shape(v)}" for k, v in shape.items())
    return ", ".join(_fmt_shape(s) for s in shape)


def _rows(layers: list, depth: int, expand_nested: bool) -> list[tuple[int, Any]]:
    """(depth, layer) in display order; nested models' layers follow them when expanded."""
    out: list[tuple[int, Any]] = []
    for layer in layers:
        out.append((depth, layer))
        inner = getattr(layer, "layers", None)
        if expand_nested and inner and layer is not None and hasattr(layer, "summary"):
            out.extend(_rows([l for l in inner if type(l).__name__ != "InputLayer"], depth + 1, expand_nested))
    return out


def summary_text(model: Any, line_length: int = 78, expand_nested: bool = False, show_trainable: bool = False) -> str:
    """The summary table as text (unbuilt layers show "?" shapes).

    `expand_nested` lists the layers of nested models under them, indented with
    "│ "; `show_trainable` adds a "Trainable" column (Y/N), as Keras.
    """
    widths = [int(line_length * 0.42), int(line_length * 0.36)]
    widths.append(line_length - sum(widths))
    if show_trainable:
        widths[0] -= 6
        widths[1] -= 6
        widths.append(12)

    def row(cells: list[str]) -> str:
        out = ""
        for cell, w in zip(cells, widths):
            cell = cell if len(cell) < w else cell[: w - 2] + "…"
            out += cell.ljust(w)
        return out.rstrip()

    header = ["Layer (type)", "Output Shape", "Param #"] + (["Trainable"] if show_trainable else [])
    lines = [f'Model: "{model.name}"', "━" * line_length, row(header), "━" * line_length]
    rows = _rows(model.layers, 0, expand_nested)
    for i, (depth, layer) in enumerate(rows):
        t, n = count_layer_params(layer)
        cells = [f"{'│ ' * depth}{layer.name} ({type(layer).__name__})", _fmt_shape(layer.output_shape), f"{t + n:,}"]
        if show_trainable:
            cells.append("Y" if layer.trainable else "N")
        lines.append(row(cells))
        if i < len(rows) - 1:
            lines.append("─" * line_length)
    lines.append("━" * line_length)
    trainable, non_trainable = count_layer_params(model)
    total = trainable + non_trainable
    lines.append(f" Total params: {total:,} ({total * 4 / 1024:.2f} KB)")
    lines.append(f" Trainable params: {trainable:,}")
    lines.append(f" Non-trainable params: {non_trainable:,}")
    return "\n".join(lines)
