"""Categorical features: `CategoryEncoding` / `OneHot` (integers 0..K-1 to
one-hot or multi-hot vectors), `IntegerLookup` (arbitrary integer codes to
contiguous indices), with Keras's arguments and index layout (see `_vocabulary`).

`CategoryEncoding`, `OneHot` and `IntegerLookup` are pure JAX: they run inside
the compiled train step, so they can be a model's first layer. `StringLookup`
(in `string_lookup`) works on strings on the host.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..._validation import check_one_of, describe
from ._base import PreprocessingLayer, iter_batches
from ._vocabulary import VocabularyMixin, encode_counts

__all__ = ["CategoryEncoding", "OneHot", "IntegerLookup"]

_INT32 = np.iinfo(np.int32)


def _is_traced(x: Any) -> bool:
    return isinstance(x, jax.core.Tracer)


def _to_int(x: Any) -> Any:
    if jnp.issubdtype(x.dtype, jnp.floating):
        return jnp.round(x).astype(jnp.int32)
    return x.astype(jnp.int32) if x.dtype != jnp.int32 else x


def _count_output_shape(input_shape: tuple, output_mode: str, depth: int) -> tuple:
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    if len(input_shape) == 1:
        return input_shape + (depth,)
    return input_shape[:-1] + (depth,)


class CategoryEncoding(PreprocessingLayer):
    """Encode integer categories ``0..num_tokens-1`` as one-hot, multi-hot or count vectors.

    Keras's `CategoryEncoding`. Shapes: one_hot ``(N,) or (N, 1) -> (N, K)``;
    multi_hot / count ``(N, T) -> (N, K)`` (the T values of a sample are
    combined).

    Args:
        num_tokens: K, the number of categories.
        output_mode: "multi_hot" (default, Keras), "one_hot" or "count".
        sparse: not supported (dense outputs only).

    Raises:
        ValueError: (eager calls) values outside ``[0, num_tokens)``.

    Example:
        >>> import numpy as np
        >>> np.asarray(CategoryEncoding(4, output_mode="one_hot")(np.array([3, 0]))).tolist()
        [[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]
    """

    autocast = False
    requires_adapt = False

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False,
                 **kwargs: Any):
        super().__init__(**kwargs)
        if sparse:
            raise NotImplementedError("`sparse=True` is not supported; use the dense output (sparse=False).")
        if num_tokens is not None and (isinstance(num_tokens, bool) or not isinstance(num_tokens, (int, np.integer))
                                       or num_tokens < 1):
            raise ValueError(f"`num_tokens` must be a positive integer; received {num_tokens!r}.")
        self.num_tokens = None if num_tokens is None else int(num_tokens)
        self.output_mode = check_one_of("output_mode", output_mode, ("one_hot", "multi_hot", "count"))

    @property
    def is_adapted(self) -> bool:
        return self.num_tokens is not None

    def _require_tokens(self) -> int:
        if self.num_tokens is None:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) needs `num_tokens`: pass it, or call "
                f"{self.name}.adapt(x_train) to count the categories."
            )
        return self.num_tokens

    def call(self, inputs):
        k = self._require_tokens()
        x = _to_int(inputs)
        if not _is_traced(x):
            bad = np.asarray((x < 0) | (x >= k))
            if bad.any():
                value = int(np.asarray(x)[bad][0])
                raise ValueError(
                    f"Layer {self.name!r} ({type(self).__name__}) takes integers in [0, {k}); received {value}. "
                    f"Map arbitrary codes to indices with IntegerLookup first, or raise `num_tokens`."
                )
        return encode_counts(x, k, self.output_mode, jnp)

    def compute_output_shape(self, input_shape):
        return _count_output_shape(input_shape, self.output_mode, self._require_tokens())

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}


class OneHot(CategoryEncoding):
    """One-hot encode integer categories; `adapt` can find ``num_tokens`` (max + 1).

    ``(N,) or (N, 1) -> (N, num_tokens)``. Same as
    ``CategoryEncoding(num_tokens, output_mode="one_hot")``.

    Example:
        >>> import numpy as np
        >>> enc = OneHot()
        >>> enc.adapt(np.array([0, 2, 1]))
        >>> np.asarray(enc(np.array([2]))).tolist()
        [[0.0, 0.0, 1.0]]
    """

    def __init__(self, num_tokens: int | None = None, **kwargs: Any):
        kwargs.pop("output_mode", None)
        super().__init__(num_tokens=num_tokens, output_mode="one_hot", **kwargs)

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Set ``num_tokens`` to the largest category in `data` plus one."""
        batches, _ = iter_batches(data, self, batch_size=batch_size, steps=steps)
        top = -1
        for batch in batches:
            arr = np.asarray(batch)
            if not (np.issubdtype(arr.dtype, np.integer) or
                    (np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)))):
                raise ValueError(
                    f"OneHot.adapt() needs integer categories; received {describe(arr)}. Map strings or other "
                    f"codes to indices with StringLookup / IntegerLookup."
                )
            if arr.size and arr.min() < 0:
                raise ValueError(f"OneHot.adapt() needs categories >= 0; received {int(arr.min())}.")
            if arr.size:
                top = max(top, int(arr.max()))
        if top < 0:
            raise ValueError("OneHot.adapt() received no values.")
        self.num_tokens = top + 1

    def get_config(self):
        config = super().get_config()
        config.pop("output_mode", None)
        return config


class IntegerLookup(VocabularyMixin, PreprocessingLayer):
    """Map integer codes (zip codes, ids) to contiguous indices, learned by `adapt`.

    Keras's `IntegerLookup`: index 0 is the mask (if `mask_token` is set),
    then `num_oov_indices` indices for unknown values, then the vocabulary,
    most frequent first. Runs inside the compiled model (sorted vocabulary +
    binary search), so it can be a model's first layer; the vocabulary is
    saved in the layer configuration.

    Args:
        max_tokens: largest vocabulary size, specials included (None: all).
        num_oov_indices: indices for unknown values (hashed by ``value mod n``).
        mask_token: integer mapped to index 0 (e.g. 0 for padding), or None.
        oov_token: what `invert` returns for OOV indices (default -1).
        vocabulary: a list of integers instead of `adapt`.
        idf_weights: with output_mode="tf_idf" and a given vocabulary.
        invert: map indices back to values.
        output_mode: "int" (indices), "one_hot", "multi_hot", "count", "tf_idf".
        pad_to_max_tokens: non-int outputs are `max_tokens` wide.

    Example:
        >>> import numpy as np
        >>> lookup = IntegerLookup()
        >>> lookup.adapt(np.array([12, 12, 36, 7]))
        >>> lookup.get_vocabulary()
        [-1, 12, 36, 7]
        >>> np.asarray(lookup(np.array([36, 99]))).tolist()
        [2, 0]
    """

    autocast = False

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: int | None = None,
                 oov_token: int = -1, output_mode: str = "int", pad_to_max_tokens: bool = False,
                 sparse: bool = False, vocabulary: Any = None, vocabulary_dtype: str = "int64",
                 idf_weights: Any = None, invert: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if vocabulary_dtype not in ("int32", "int64"):
            raise ValueError(f"`vocabulary_dtype` must be 'int32' or 'int64'; received {vocabulary_dtype!r}.")
        self.vocabulary_dtype = vocabulary_dtype
        for arg, v in (("mask_token", mask_token), ("oov_token", oov_token)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer))):
                raise TypeError(f"`{arg}` of IntegerLookup must be an integer or None; received {describe(v)}.")
        self._init_vocabulary(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                              mask_token=None if mask_token is None else int(mask_token),
                              oov_token=None if oov_token is None else int(oov_token), vocabulary=vocabulary,
                              idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                              pad_to_max_tokens=pad_to_max_tokens, sparse=sparse)

    def _convert_token(self, token: Any) -> int:
        if isinstance(token, bool) or not isinstance(token, (int, np.integer)):
            if isinstance(token, (float, np.floating)) and float(token).is_integer():
                token = int(token)
            else:
                raise TypeError(f"IntegerLookup vocabularies hold integers; received {describe(token)}.")
        token = int(token)
        if not _INT32.min <= token <= _INT32.max:
            raise ValueError(f"IntegerLookup values must fit in int32 (JAX's integer type); received {token}.")
        return token

    def _on_vocabulary_set(self) -> None:
        keys = np.asarray(self._tokens, np.int64)
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order].astype(np.int32)
        self._vals = (order + self._token_start()).astype(np.int32)
        self._table = np.asarray(self.get_vocabulary(), np.int64).astype(np.int32) if self.invert else None

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learn the vocabulary (values by frequency) from `data`."""
        batches, _ = iter_batches(data, self, batch_size=batch_size, steps=steps)
        counts: Counter = Counter()
        doc_counts: Counter = Counter()
        n_docs = 0
        for batch in batches:
            arr = np.asarray(batch)
            if arr.dtype == object or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
                raise TypeError(
                    f"IntegerLookup.adapt() needs integer data; received {describe(arr)}. Use StringLookup for "
                    f"strings."
                )
            if np.issubdtype(arr.dtype, np.floating) and (not np.all(np.isfinite(arr)) or
                                                          not np.all(arr == np.round(arr))):
                raise ValueError("IntegerLookup.adapt() needs integer values; the data holds non-integer floats or NaN.")
            arr = arr.astype(np.int64)
            if arr.size and (arr.min() < _INT32.min or arr.max() > _INT32.max):
                raise ValueError(
                    f"IntegerLookup values must fit in int32 (JAX's integer type); the data spans "
                    f"[{int(arr.min())}, {int(arr.max())}]."
                )
            rows = arr.reshape(arr.shape[0], -1) if arr.ndim > 1 else arr.reshape(-1, 1)
            values, freq = np.unique(rows, return_counts=True)
            counts.update(dict(zip(values.tolist(), freq.tolist())))
            if self.output_mode == "tf_idf":  # documents containing each value: first occurrence per row
                ordered = np.sort(rows, axis=1)
                first = np.ones(ordered.shape, bool)
                first[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
                values, freq = np.unique(ordered[first], return_counts=True)
                doc_counts.update(dict(zip(values.tolist(), freq.tolist())))
            n_docs += rows.shape[0]
        self._finish_vocabulary(counts, doc_counts, n_docs)

    def _lookup(self, x: Any) -> Any:
        keys, vals = jnp.asarray(self._keys), jnp.asarray(self._vals)
        pos = jnp.clip(jnp.searchsorted(keys, x), 0, keys.shape[0] - 1)
        found = keys[pos] == x
        if self.num_oov_indices > 0:
            oov = self._oov_start() + jnp.mod(x, self.num_oov_indices)
        else:
            oov = jnp.full_like(x, -1)
            if not _is_traced(x) and not bool(np.all(np.asarray(found | self._is_mask(x)))):
                bad = int(np.asarray(x)[~np.asarray(found | self._is_mask(x))][0])
                raise ValueError(
                    f"Layer {self.name!r} (IntegerLookup) has num_oov_indices=0 and received {bad}, which is not in "
                    f"its vocabulary. Set num_oov_indices=1 to map unknown values to an OOV index."
                )
        idx = jnp.where(found, vals[pos], oov)
        if self._mask_in_vocab():
            idx = jnp.where(x == self.mask_token, 0, idx)
        return idx

    def _is_mask(self, x: Any) -> Any:
        return (x == self.mask_token) if self.mask_token is not None else jnp.zeros(x.shape, bool)

    def call(self, inputs):
        self._require_vocabulary()
        x = _to_int(inputs)
        if self.invert:
            table = jnp.asarray(self._table)
            ok = (x >= 0) & (x < table.shape[0])
            return jnp.where(ok, table[jnp.clip(x, 0, table.shape[0] - 1)], self.oov_token)
        idx = self._lookup(x)
        if self.output_mode == "int":
            return idx
        valid = None if self.mask_token is None else (x != self.mask_token).astype(jnp.float32)
        return encode_counts(idx, self._depth(), self.output_mode, jnp, valid, self._idf)

    def compute_output_shape(self, input_shape):
        depth = self._depth() if self.output_mode != "int" else 0
        return _count_output_shape(input_shape, self.output_mode, depth)

    def _output_dtype(self, inputs):
        return "int32" if self.output_mode == "int" else "float32"

    def get_config(self):
        return {**super().get_config(), **self._vocabulary_config(), "vocabulary_dtype": self.vocabulary_dtype}
