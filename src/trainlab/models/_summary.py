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


def summary_text(model: Any, line_length: int = 78) -> str:
    """The summary table as text (unbuilt layers show "?" shapes)."""
    widths = [int(line_length * 0.42), int(line_length * 0.36)]
    widths.append(line_length - sum(widths))

    def row(cells: list[str]) -> str:
        out = ""
        for cell, w in zip(cells, widths):
            cell = cell if len(cell) < w else cell[: w - 2] + "…"
            out += cell.ljust(w)
        return out.rstrip()

    lines = [f'Model: "{model.name}"', "━" * line_length, row(["Layer (type)", "Output Shape", "Param #"]), "━" * line_length]
    for i, layer in enumerate(model.layers):
        t, n = count_layer_params(layer)
        lines.append(row([f"{layer.name} ({type(layer).__name__})", _fmt_shape(layer.output_shape), f"{t + n:,}"]))
        if i < len(model.layers) - 1:
            lines.append("─" * line_length)
    lines.append("━" * line_length)
    trainable, non_trainable = count_layer_params(model)
    total = trainable + non_trainable
    lines.append(f" Total params: {total:,} ({total * 4 / 1024:.2f} KB)")
    lines.append(f" Trainable params: {trainable:,}")
    lines.append(f" Non-trainable params: {non_trainable:,}")
    return "\n".join(lines)
