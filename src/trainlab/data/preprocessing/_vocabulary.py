"""Vocabulary bookkeeping shared by `IntegerLookup`, `StringLookup` and
`TextVectorization` (Keras's ``IndexLookup`` rules).

Index layout of a vocabulary, as Keras:

* index 0 is the mask token when ``mask_token`` is set and ``output_mode="int"``;
* then ``num_oov_indices`` out-of-vocabulary (OOV) indices;
* then the learned tokens, most frequent first; ties broken by the token
  itself, larger first (Keras sorts ``(count, token)`` descending).

``adapt`` keeps at most ``max_tokens`` entries in total (specials included).
TF-IDF weights are ``log(1 + documents / (1 + documents containing the token))``,
with the OOV weight the mean of the learned ones (Keras).
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..._validation import check_one_of

__all__ = ["VocabularyMixin", "OUTPUT_MODES", "encode_counts", "stable_hash"]

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def stable_hash(token: Any) -> int:
    """A hash that is the same in every process (Python's `hash` of str is salted)."""
    if isinstance(token, (int, np.integer)):
        return int(token)
    return zlib.crc32(str(token).encode("utf-8"))


class VocabularyMixin:
    """Configuration, `adapt` counting and vocabulary access for lookup layers.

    The host class sets ``self._special_default_oov`` (the default OOV token)
    and implements ``_tokens_of(batch) -> list of documents (lists of tokens)``.
    """

    def _init_vocabulary(self, *, max_tokens: int | None, num_oov_indices: int, mask_token: Any, oov_token: Any,
                         vocabulary: Any, idf_weights: Any, invert: bool, output_mode: str,
                         pad_to_max_tokens: bool, sparse: bool) -> None:
        if sparse:
            raise NotImplementedError(
                "`sparse=True` is not supported: JAX has no sparse tensors in this path. Use the dense output "
                "(sparse=False)."
            )
        self.output_mode = check_one_of("output_mode", output_mode, OUTPUT_MODES)
        if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, (int, np.integer))
                                       or max_tokens < 1):
            raise ValueError(f"`max_tokens` must be a positive integer or None; received {max_tokens!r}.")
        if isinstance(num_oov_indices, bool) or not isinstance(num_oov_indices, (int, np.integer)) \
                or num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be an integer >= 0; received {num_oov_indices!r}.")
        if invert and output_mode != "int":
            raise ValueError(f"`invert=True` works only with output_mode='int'; received output_mode={output_mode!r}.")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError("`pad_to_max_tokens=True` needs `max_tokens` (the output width).")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = bool(invert)
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self._tokens: list[Any] | None = None
        self._idf: np.ndarray | None = None
        if max_tokens is not None and max_tokens <= self._token_start():
            raise ValueError(
                f"`max_tokens`={max_tokens} leaves no room for learned tokens after {self._token_start()} reserved "
                f"index(es) (mask and OOV). Increase it."
            )
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError("`idf_weights` needs a `vocabulary` to go with it.")

    # ------------------------------------------------------------------
    def _mask_in_vocab(self) -> bool:
        return self.mask_token is not None and self.output_mode == "int"

    def _oov_start(self) -> int:
        return 1 if self._mask_in_vocab() else 0

    def _token_start(self) -> int:
        return self._oov_start() + self.num_oov_indices

    def _convert_token(self, token: Any) -> Any:
        return token

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Set the vocabulary (most important first) instead of calling `adapt`.

        It may start with the special tokens in layout order (mask, OOV), as
        `get_vocabulary` returns them; they are recognised and skipped.
        """
        if isinstance(vocabulary, str):
            vocabulary = self._read_vocabulary_file(vocabulary)
        tokens = [self._convert_token(t) for t in (vocabulary.tolist() if hasattr(vocabulary, "tolist")
                                                  else list(vocabulary))]
        specials = ([self.mask_token] if self._mask_in_vocab() else []) + [self.oov_token] * self.num_oov_indices
        if specials and tokens[:len(specials)] == specials:
            tokens = tokens[len(specials):]
        seen, repeated = set(), []
        for t in tokens:
            if t in seen:
                repeated.append(t)
            seen.add(t)
        if repeated:
            raise ValueError(f"`vocabulary` has repeated entries {repeated[:5]!r}; every token must appear once.")
        if self.mask_token is not None and self.mask_token in seen:
            raise ValueError(
                f"`vocabulary` contains the mask token {self.mask_token!r} after the start; leave special tokens "
                f"out of it (they get their indices automatically)."
            )
        if self.max_tokens is not None and len(tokens) + self._token_start() > self.max_tokens:
            raise ValueError(
                f"The vocabulary has {len(tokens) + self._token_start()} entries with the special ones, more than "
                f"`max_tokens`={self.max_tokens}."
            )
        if not tokens:
            raise ValueError("`vocabulary` is empty; pass at least one token or call adapt().")
        self._tokens = tokens
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("output_mode='tf_idf' needs `idf_weights` with the vocabulary (or call adapt()).")
            idf = np.asarray(idf_weights, np.float64).reshape(-1)
            if idf.shape[0] == len(tokens):
                idf = np.concatenate([np.full(self._token_start(), idf.mean()), idf])
            if idf.shape[0] != len(tokens) + self._token_start():
                raise ValueError(
                    f"`idf_weights` has {idf.shape[0]} entries; the vocabulary has {len(tokens)} tokens."
                )
            self._idf = idf
        elif idf_weights is not None:
            raise ValueError(f"`idf_weights` are only used with output_mode='tf_idf' (got {self.output_mode!r}).")
        self._on_vocabulary_set()

    def _read_vocabulary_file(self, path: str) -> list[str]:
        try:
            with open(path, encoding="utf-8") as f:
                return [line.rstrip("\n") for line in f if line.rstrip("\n")]
        except OSError as exc:
            raise ValueError(f"Could not read the vocabulary file `vocabulary`={path!r}: {exc}.") from None

    def _on_vocabulary_set(self) -> None:
        """Hook: refresh lookup tables."""

    @property
    def is_adapted(self) -> bool:
        return self._tokens is not None

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[Any]:
        """The vocabulary in index order (specials first unless excluded)."""
        self._require_vocabulary()
        if not include_special_tokens:
            return list(self._tokens)
        mask = [self.mask_token if self.mask_token is not None else ""] if self._mask_in_vocab() else []
        return mask + [self.oov_token] * self.num_oov_indices + list(self._tokens)

    def vocabulary_size(self) -> int:
        """Number of indices, specials included."""
        self._require_vocabulary()
        return self._token_start() + len(self._tokens)

    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def _require_vocabulary(self) -> None:
        if self._tokens is None:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) has no vocabulary yet: call "
                f"{self.name}.adapt(data) on the training data, or pass `vocabulary=`."
            )

    # ------------------------------------------------------------------
    def _build_vocabulary(self, documents: Iterable[list[Any]]) -> None:
        """Count tokens over `documents` (iterables of tokens) and keep the top ones."""
        counts: Counter = Counter()
        doc_counts: Counter = Counter()
        n_docs = 0
        for doc in documents:
            counts.update(doc)
            if self.output_mode == "tf_idf":
                doc_counts.update(set(doc))
            n_docs += 1
        self._finish_vocabulary(counts, doc_counts, n_docs)

    def _finish_vocabulary(self, counts: Counter, doc_counts: Counter, n_docs: int) -> None:
        """Keep the most frequent tokens of `counts` (and TF-IDF weights from `doc_counts`)."""
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        if not counts:
            raise ValueError(f"{type(self).__name__}.adapt() found no tokens in the data.")
        tokens = list(counts)
        keys = np.asarray(tokens) if not isinstance(tokens[0], str) else np.asarray(tokens, dtype=object)
        freq = np.asarray([counts[t] for t in tokens])
        order = np.lexsort((keys.astype(str) if keys.dtype == object else keys, freq))[::-1]
        if self.max_tokens is not None:
            order = order[: self.max_tokens - self._token_start()]
        self._tokens = [tokens[i] for i in order]
        if self.output_mode == "tf_idf":
            df = np.asarray([doc_counts[t] for t in self._tokens], np.float64)
            idf = np.log(1.0 + n_docs / (1.0 + df))
            self._idf = np.concatenate([np.full(self._token_start(), idf.mean()), idf])
        self._on_vocabulary_set()

    def _vocabulary_config(self) -> dict[str, Any]:
        vocab = None if self._tokens is None else [_jsonable(t) for t in self._tokens]
        idf = None if self._idf is None else self._idf[self._token_start():].tolist()
        return {"max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
                "mask_token": _jsonable(self.mask_token), "oov_token": _jsonable(self.oov_token),
                "vocabulary": vocab, "idf_weights": idf, "invert": self.invert, "output_mode": self.output_mode,
                "pad_to_max_tokens": self.pad_to_max_tokens}


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.str_):
        return str(v)
    return v


def encode_counts(indices: Any, depth: int, output_mode: str, xp: Any, valid: Any = None, idf: Any = None) -> Any:
    """Turn integer `indices` into one_hot / multi_hot / count / tf_idf outputs (numpy or jax.numpy `xp`).

    one_hot: ``(..., 1) -> (..., depth)`` or ``(...,) -> (..., depth)``;
    multi_hot / count / tf_idf: the last axis is one sample's tokens,
    ``(N, T) -> (N, depth)`` (a 1-D input is one token per sample).
    `valid` masks entries that must not count (mask tokens).
    """
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = indices[..., 0]
            valid = None if valid is None else valid[..., 0]
        out = (indices[..., None] == xp.arange(depth)).astype(xp.float32)
        return out if valid is None else out * valid[..., None]
    if indices.ndim == 1:
        indices = indices[:, None]
        valid = None if valid is None else valid[:, None]
    hits = (indices[..., None] == xp.arange(depth)).astype(xp.float32)
    if valid is not None:
        hits = hits * valid[..., None]
    counts = hits.sum(axis=-2)
    if output_mode == "multi_hot":
        return xp.minimum(counts, 1.0)
    if output_mode == "count":
        return counts
    if idf is None:
        raise ValueError("output_mode='tf_idf' needs idf weights.")
    weights = np.zeros(depth, np.float32)
    n = min(depth, len(idf))
    weights[:n] = np.asarray(idf[:n], np.float32)
    return counts * xp.asarray(weights)
