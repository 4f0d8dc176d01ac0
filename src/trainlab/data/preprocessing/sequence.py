"""`pad_sequences`: lists of token sequences to one padded array, exactly as
Keras's ``keras.utils.pad_sequences`` (same arguments, defaults and output),
with clearer errors: non-integer values are refused when the output dtype is
an integer type (Keras would silently truncate 0.7 to 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..._validation import check_one_of, describe

__all__ = ["pad_sequences"]


def _check_integral(seq: np.ndarray, index: int, dtype: np.dtype) -> None:
    if seq.dtype == object or seq.dtype.kind in ("U", "S"):
        bad = next((v for v in seq.reshape(-1) if not isinstance(v, (int, np.integer, bool, np.bool_))), None)
        bad = bad.item() if isinstance(bad, np.generic) else bad
        raise ValueError(
            f"`sequences[{index}]` holds {describe(bad)}, not an integer token index. pad_sequences pads integer "
            f"sequences (dtype={str(dtype)!r}); turn text into indices first (TextVectorization, StringLookup), or "
            f"pass dtype='float32' / dtype=object to pad other values."
        )
    if seq.dtype.kind == "f" or seq.dtype.kind == "c":
        flat = seq.reshape(-1)
        frac = ~np.isfinite(flat) | (flat != np.round(flat)) if seq.dtype.kind == "f" else np.ones(flat.shape, bool)
        if frac.any():
            pos = int(np.flatnonzero(frac)[0])
            raise ValueError(
                f"`sequences[{index}]` holds the non-integer value {flat[pos].item()!r} at position {pos}, but the output "
                f"dtype is {str(dtype)!r}. pad_sequences pads integer token sequences; pass dtype='float32' to pad "
                f"real-valued sequences."
            )


def pad_sequences(sequences: Sequence[Any], maxlen: int | None = None, dtype: Any = "int32", padding: str = "pre",
                  truncating: str = "pre", value: Any = 0.0) -> np.ndarray:
    """Pad (and truncate) sequences to the same length: ``N`` sequences -> ``(N, maxlen, ...)``.

    Args:
        sequences: a list of sequences (lists or arrays; each element may itself
            be a vector, giving ``(N, maxlen, *sample_shape)``).
        maxlen: the output length; default the longest sequence.
        dtype: of the output (default "int32", as Keras).
        padding: "pre" (default) or "post": where to put `value`.
        truncating: "pre" (default: drop the start of long sequences) or "post".
        value: the padding value (a string only with dtype=object or str).

    Returns:
        A numpy array ``(N, maxlen, *sample_shape)``.

    Raises:
        ValueError: a sequence is not iterable, sequences with different sample
            shapes, a non-integer value with an integer `dtype`, unknown
            `padding` / `truncating`, bad `maxlen`, or a string `value` with a
            numeric `dtype`.

    Example:
        >>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
        [[2, 3], [0, 4]]
        >>> pad_sequences([[1, 2, 3], [4]], padding="post", truncating="post").tolist()
        [[1, 2, 3], [4, 0, 0]]
    """
    check_one_of("padding", padding, ("pre", "post"))
    check_one_of("truncating", truncating, ("pre", "post"))
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise ValueError(
            f"`sequences` must be a list of sequences (e.g. [[1, 2], [3]]); received {describe(sequences)}."
        )
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 1):
        raise ValueError(f"`maxlen` must be a positive integer or None; received {maxlen!r}.")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"`dtype` {dtype!r} is not a numpy dtype; use e.g. 'int32' or 'float32'.") from None
    num_samples = len(sequences)
    lengths = []
    sample_shape: tuple = ()
    found_shape = False
    for i, x in enumerate(sequences):
        if isinstance(x, (str, bytes)) and np.issubdtype(dtype, np.number):
            raise ValueError(
                f"`sequences[{i}]` is a string ({describe(x)}), not a sequence of token indices. Turn text into "
                f"indices first (TextVectorization), then pad."
            )
        try:
            lengths.append(len(x))
        except TypeError:
            raise ValueError(
                f"`sequences` must be a list of iterables; `sequences[{i}]` is {describe(x)}. Wrap single values "
                f"in a list."
            ) from None
        if not found_shape and len(x):
            sample_shape = np.asarray(x).shape[1:]
            found_shape = True
    if maxlen is None:
        maxlen = int(np.max(lengths)) if lengths else 0
    is_str_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype != object and not is_str_dtype:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type {type(value)}; pass dtype=object for "
            f"variable-length strings."
        )
    integer_out = np.issubdtype(dtype, np.integer)
    x_out = np.full((num_samples, maxlen) + tuple(sample_shape), value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        raw = np.asarray(trunc)
        if integer_out:
            _check_integral(raw, idx, dtype)
        trunc = np.asarray(raw, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {trunc.shape[1:]} of `sequences[{idx}]` differs from the expected shape "
                f"{sample_shape} (that of the first non-empty sequence)."
            )
        if padding == "post":
            x_out[idx, :len(trunc)] = trunc
        else:
            x_out[idx, -len(trunc):] = trunc
    return x_out
