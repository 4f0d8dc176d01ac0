"""`StringLookup`: strings to integer indices (and back), and `HostLayerMixin`,
the base of layers that work on strings.

Strings cannot enter a compiled JAX program, so these layers run on the host,
like Keras's on its JAX backend: apply them to the data (``x = lookup(x)``) or
in ``Dataset.map``; they return numpy arrays, which then feed the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._validation import describe
from ...layers import _context
from ...layers._base import KerasTensor
from ._base import PreprocessingLayer, iter_batches, to_numpy
from ._vocabulary import VocabularyMixin, encode_counts, stable_hash
from .lookup import _count_output_shape, _is_traced

__all__ = ["StringLookup", "HostLayerMixin"]


class HostLayerMixin:
    """For layers that work on strings: they run on the host (numpy), never in
    a compiled model; calling them inside one raises an error that says how
    to use them instead. A `Sequential` model accepts them as its first
    layers: it applies them to the inputs on the host before the compiled
    program (in fit, evaluate, predict and calls), and saves them with the model."""

    runs_on_host = True

    def _host_only_error(self) -> TypeError:
        return TypeError(
            f"Layer {self.name!r} ({type(self).__name__}) works on strings, which cannot enter a compiled JAX "
            f"model (Keras's JAX backend has the same limit). Apply it to the data instead: "
            f"x = {self.name}(texts), or dataset.map(lambda x, y: ({self.name}(x), y)); then feed the "
            f"integer output to the model (e.g. an Embedding layer); or make it the first layer of a Sequential model."
        )

    def build(self, input_shape: Any) -> None:
        # only models build these layers (host calls never do): refuse to become part of one
        raise self._host_only_error()

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if _context.current() is not None or isinstance(inputs, KerasTensor) or _is_traced(inputs):
            raise self._host_only_error()
        kwargs.pop("training", None)
        return self.host_call(inputs)

    def host_call(self, inputs: Any) -> np.ndarray:
        raise NotImplementedError


def _as_str_array(data: Any, encoding: str) -> np.ndarray:
    arr, _ = to_numpy(data, "inputs")
    if arr.ndim == 2 and hasattr(data, "columns") and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.dtype.kind == "S" or (arr.dtype == object and any(isinstance(v, bytes) for v in arr.flat)):
        arr = np.vectorize(lambda b: b.decode(encoding) if isinstance(b, bytes) else b, otypes=[object])(arr)
    if arr.dtype.kind not in ("U", "O"):
        raise TypeError(
            f"StringLookup takes strings; received {describe(arr)}. Use IntegerLookup for integer codes."
        )
    return arr.astype(object)


class StringLookup(HostLayerMixin, VocabularyMixin, PreprocessingLayer):
    """Map strings to integer indices (and back), vocabulary learned by `adapt`.

    Keras's `StringLookup` with the same arguments and index layout (default:
    index 0 for unknown strings "[UNK]", then tokens by frequency). Works on
    the host: ``lookup(np.array(["a", "b"]))`` returns a numpy array; use it
    on the data or in `Dataset.map`, then feed indices to the model. The
    vocabulary is part of the layer configuration (`get_config`).

    Args:
        as `IntegerLookup`, with ``oov_token="[UNK]"``, string `mask_token`
        (e.g. ""), `vocabulary` a list or a text file (one token a line), and
        `encoding` for bytes inputs. More than one OOV index hashes tokens
        with CRC-32 (TensorFlow uses FarmHash, so buckets differ).

    Example:
        >>> import numpy as np
        >>> lookup = StringLookup()
        >>> lookup.adapt(np.array(["cat", "dog", "cat"]))
        >>> lookup.get_vocabulary()
        ['[UNK]', 'cat', 'dog']
        >>> lookup(np.array(["dog", "fish"])).tolist()
        [2, 0]
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: str | None = None,
                 oov_token: str = "[UNK]", vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False, sparse: bool = False,
                 encoding: str = "utf-8", **kwargs: Any):
        super().__init__(**kwargs)
        self.encoding = encoding
        self._init_vocabulary(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                              oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                              output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse)

    def _convert_token(self, token: Any) -> str:
        if isinstance(token, bytes):
            return token.decode(self.encoding)
        if not isinstance(token, str):
            raise TypeError(f"StringLookup vocabularies hold strings; received {describe(token)}.")
        return str(token)

    def _on_vocabulary_set(self) -> None:
        start = self._token_start()
        self._index = {t: i + start for i, t in enumerate(self._tokens)}

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learn the vocabulary (strings by frequency) from `data`."""
        batches, _ = iter_batches(data, self, batch_size=batch_size, steps=steps)

        def documents():
            for batch in batches:
                arr = _as_str_array(batch, self.encoding)
                if arr.ndim <= 1:
                    arr = arr.reshape(-1, 1)
                for row in arr.reshape(arr.shape[0], -1):
                    yield list(row)

        self._build_vocabulary(documents())

    def lookup_tokens(self, arr: np.ndarray) -> np.ndarray:
        """Indices (int32) of a numpy object array of strings, same shape."""
        oov_start, n_oov = self._oov_start(), self.num_oov_indices
        mask = self.mask_token if self._mask_in_vocab() else None
        flat = arr.reshape(-1)
        out = np.empty(flat.shape[0], np.int32)
        get = self._index.get
        for i, t in enumerate(flat):
            j = get(t)
            if j is None:
                if mask is not None and t == mask:
                    j = 0
                elif n_oov:
                    j = oov_start + (stable_hash(t) % n_oov if n_oov > 1 else 0)
                else:
                    raise ValueError(
                        f"Layer {self.name!r} (StringLookup) has num_oov_indices=0 and received {t!r}, which is not "
                        f"in its vocabulary. Set num_oov_indices=1 to map unknown strings to an OOV index."
                    )
            out[i] = j
        return out.reshape(arr.shape)

    def host_call(self, inputs: Any) -> np.ndarray:
        self._require_vocabulary()
        if self.invert:
            idx = np.asarray(inputs)
            if not np.issubdtype(idx.dtype, np.integer):
                raise TypeError(f"StringLookup(invert=True) takes integer indices; received {describe(idx)}.")
            table = np.asarray(self.get_vocabulary(), dtype=object)
            ok = (idx >= 0) & (idx < len(table))
            out = np.where(ok, table[np.clip(idx, 0, len(table) - 1)], self.oov_token)
            return out.astype(str)
        arr = _as_str_array(inputs, self.encoding)
        idx = self.lookup_tokens(arr)
        if self.output_mode == "int":
            return idx
        valid = None if self.mask_token is None else (arr != self.mask_token).astype(np.float32)
        return encode_counts(idx, self._depth(), self.output_mode, np, valid, self._idf)

    def compute_output_shape(self, input_shape):
        depth = self._depth() if self.output_mode != "int" else 0
        return _count_output_shape(input_shape, self.output_mode, depth)

    def get_config(self):
        return {**super().get_config(), **self._vocabulary_config(), "encoding": self.encoding}
