"""Window geometry shared by the convolution and pooling ops and layers: argument
normalisation, padding amounts and output sizes (TensorFlow/Keras conventions).

Example:
    >>> normalize_tuple(3, 2, "kernel_size")
    (3, 3)
    >>> padding_pairs((28, 28), (3, 3), (1, 1), (1, 1), "same")
    [(1, 1), (1, 1)]
    >>> conv_output_size(28, 3, 2, 1, "valid")
    13
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "normalize_tuple",
    "normalize_padding",
    "effective_size",
    "padding_pairs",
    "conv_output_size",
    "transpose_padding_pairs",
    "transpose_output_size",
]

PADDINGS = ("valid", "same", "causal")


def normalize_tuple(value: Any, n: int, argument: str, *, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or a sequence of `n` ints as a tuple of `n` positive ints.

    Raises:
        ValueError: wrong length or a value < 1 (< 0 with `allow_zero`).
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise TypeError(
                f"`{argument}` must be an integer or a tuple of {n} integers; received {value!r}."
            ) from None
        if len(values) != n or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in values):
            raise ValueError(
                f"`{argument}` must be an integer or a tuple of {n} integers; received {value!r}."
            )
        values = tuple(int(v) for v in values)
    low = 0 if allow_zero else 1
    if any(v < low for v in values):
        raise ValueError(
            f"`{argument}` must contain only integers >= {low}; received {value!r}."
        )
    return values


def normalize_padding(padding: Any, rank: int, *, allow_causal: bool = False) -> Any:
    """``"valid"``, ``"same"``, ``"causal"`` (1-D convolutions) or explicit
    ``((low, high), ...)`` pairs, one per spatial axis."""
    if isinstance(padding, str):
        value = padding.lower()
        valid = PADDINGS if allow_causal else PADDINGS[:2]
        if value not in valid:
            raise ValueError(
                f"`padding` must be one of {', '.join(repr(v) for v in valid)}; received {padding!r}."
            )
        return value
    try:
        pairs = tuple((int(lo), int(hi)) for lo, hi in padding)
    except (TypeError, ValueError):
        raise ValueError(
            f"`padding` must be 'valid', 'same' or {rank} (low, high) pairs; received {padding!r}."
        ) from None
    if len(pairs) != rank or any(lo < 0 or hi < 0 for lo, hi in pairs):
        raise ValueError(
            f"`padding` must be 'valid', 'same' or {rank} non-negative (low, high) pairs; received {padding!r}."
        )
    return pairs


def effective_size(kernel: int, dilation: int) -> int:
    """The span of a dilated window: ``(kernel - 1) * dilation + 1``."""
    return (kernel - 1) * dilation + 1


def _pair(size: int | None, k: int, s: int, d: int, padding: Any, axis: int) -> tuple[int, int]:
    eff = effective_size(k, d)
    if isinstance(padding, tuple):
        return padding[axis]
    if padding == "valid":
        return (0, 0)
    if padding == "causal":
        return (eff - 1, 0)
    if size is None:  # "same" on an unknown size: only the total matters for shapes
        return (0, 0)
    out = -(-size // s)
    total = max((out - 1) * s + eff - size, 0)
    return (total // 2, total - total // 2)


def padding_pairs(sizes: Sequence[int | None], window: Sequence[int], strides: Sequence[int],
                  dilation: Sequence[int], padding: Any) -> list[tuple[int, int]]:
    """(low, high) zero padding per spatial axis, as TensorFlow/XLA ("same": the
    extra element goes to the high side)."""
    return [_pair(n, k, s, d, padding, i) for i, (n, k, s, d) in enumerate(zip(sizes, window, strides, dilation))]


def conv_output_size(size: int | None, k: int, s: int, d: int, padding: Any, axis: int = 0) -> int | None:
    """Output length of a convolution or pooling window along one axis (None if unknown)."""
    if size is None:
        return None
    if padding == "same":
        return -(-size // s)
    lo, hi = _pair(size, k, s, d, padding, axis)
    return (size + lo + hi - effective_size(k, d)) // s + 1


def transpose_padding_pairs(window: Sequence[int], strides: Sequence[int], dilation: Sequence[int],
                            padding: str, output_padding: Sequence[int] | None) -> list[tuple[int, int]]:
    """Padding of the stride-dilated input that makes a transposed convolution
    produce Keras' output size (Keras 3's rule for the JAX backend)."""
    pairs = []
    for i, (k, s, d) in enumerate(zip(window, strides, dilation)):
        eff = effective_size(k, d)
        op = None if output_padding is None else output_padding[i]
        if padding == "valid":
            op = max(eff, s) - eff if op is None else op
            pairs.append((eff - 1, eff - 1 + op))
        else:
            total = s + eff - 2 if op is None else eff + eff % 2 - 2 + op
            lo = min(total // 2 + total % 2, eff - 1)
            pairs.append((lo, total - lo))
    return pairs


def transpose_output_size(size: int | None, k: int, s: int, d: int, pair: tuple[int, int]) -> int | None:
    """Output length of a transposed convolution with dilated-input padding `pair`."""
    if size is None:
        return None
    return (size - 1) * s + 1 + pair[0] + pair[1] - effective_size(k, d) + 1
