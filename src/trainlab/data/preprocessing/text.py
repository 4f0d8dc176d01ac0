"""`TextVectorization`: raw text to token indices (or bag-of-words vectors),
with Keras's arguments, defaults and vocabulary rules.

The pipeline per string: standardize (lowercase, strip punctuation) -> split
(on whitespace) -> optional n-grams -> look up each token in the vocabulary
learned by `adapt` (index 0 padding "", 1 unknown "[UNK]", then tokens by
frequency) -> pad or truncate to `output_sequence_length`.

Strings cannot enter a compiled JAX model, so the layer runs on the host and
returns numpy arrays (as Keras on its JAX backend, where TextVectorization
belongs in the data pipeline). Use it on the data or in ``Dataset.map``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..._validation import check_positive_int, describe
from ._base import PreprocessingLayer, iter_batches, to_numpy
from ._vocabulary import VocabularyMixin
from .string_lookup import HostLayerMixin

__all__ = ["TextVectorization"]

# keras.layers.TextVectorization's DEFAULT_STRIP_REGEX
_STRIP = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


class TextVectorization(HostLayerMixin, VocabularyMixin, PreprocessingLayer):
    """Turn strings into integer sequences or bag-of-words vectors.

    Shapes: ``(N,)`` strings -> ``(N, L)`` int32 indices for output_mode="int"
    (L = `output_sequence_length`, else the longest text of the batch; 0 pads),
    or ``(N, max_tokens)`` float32 for "multi_hot", "count", "tf_idf".

    Args:
        max_tokens: vocabulary size including padding and "[UNK]" (None: all).
        standardize: "lower_and_strip_punctuation" (default), "lower",
            "strip_punctuation", None, or a function ``str -> str``.
        split: "whitespace" (default), "character", None (whole string is one
            token), or a function ``str -> list[str]``.
        ngrams: None, an int n (all 1..n-grams) or a tuple of widths.
        output_mode: "int" (default), "multi_hot", "count" or "tf_idf".
        output_sequence_length: pad (at the end, with 0) or truncate (keeping
            the start) every sequence to this length (int mode only).
        pad_to_max_tokens: bag-of-words outputs are `max_tokens` wide.
        vocabulary, idf_weights: give the vocabulary instead of calling `adapt`.
        encoding: of bytes inputs.

    Example:
        >>> import numpy as np
        >>> vectorize = TextVectorization(output_sequence_length=4)
        >>> vectorize.adapt(np.array(["the cat sat", "the dog"]))
        >>> vectorize.get_vocabulary()
        ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
        >>> vectorize(np.array(["The cat ate!"])).tolist()
        [[2, 5, 1, 0]]
    """

    def __init__(self, max_tokens: int | None = None, standardize: Any = "lower_and_strip_punctuation",
                 split: Any = "whitespace", ngrams: int | tuple[int, ...] | None = None, output_mode: str = "int",
                 output_sequence_length: int | None = None, pad_to_max_tokens: bool = False,
                 vocabulary: Any = None, idf_weights: Any = None, sparse: bool = False, ragged: bool = False,
                 encoding: str = "utf-8", **kwargs: Any):
        super().__init__(**kwargs)
        if ragged:
            raise NotImplementedError(
                "`ragged=True` is not supported; sequences are padded with 0 (use output_sequence_length to fix "
                "their length)."
            )
        if output_mode == "one_hot":
            raise ValueError("TextVectorization does not support output_mode='one_hot'; use 'multi_hot' or 'int'.")
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(
                f"`standardize` must be one of {', '.join(map(repr, _STANDARDIZE))}, None or a function; received "
                f"{standardize!r}."
            )
        if not (split is None or callable(split) or split in _SPLIT):
            raise ValueError(
                f"`split` must be 'whitespace', 'character', None or a function; received {split!r}."
            )
        if isinstance(ngrams, (int, np.integer)) and not isinstance(ngrams, bool):
            ngrams = tuple(range(1, check_positive_int("ngrams", ngrams) + 1))
        elif ngrams is not None:
            ngrams = tuple(check_positive_int("ngrams", n) for n in ngrams)
        if output_sequence_length is not None:
            output_sequence_length = check_positive_int("output_sequence_length", output_sequence_length)
            if output_mode != "int":
                raise ValueError("`output_sequence_length` is only used with output_mode='int'.")
        self.standardize = standardize
        self.split = split
        self.ngrams = ngrams
        self.output_sequence_length = output_sequence_length
        self.encoding = encoding
        self._init_vocabulary(max_tokens=max_tokens, num_oov_indices=1,
                              mask_token="" if output_mode == "int" else None, oov_token="[UNK]",
                              vocabulary=vocabulary, idf_weights=idf_weights, invert=False, output_mode=output_mode,
                              pad_to_max_tokens=pad_to_max_tokens, sparse=sparse)

    # ------------------------------------------------------------------
    def _on_vocabulary_set(self) -> None:
        start = self._token_start()
        self._index = {t: i + start for i, t in enumerate(self._tokens)}

    def _convert_token(self, token: Any) -> str:
        if isinstance(token, bytes):
            return token.decode(self.encoding)
        if not isinstance(token, str):
            raise TypeError(f"TextVectorization vocabularies hold strings; received {describe(token)}.")
        return token

    def _standardize(self, text: str) -> str:
        s = self.standardize
        if s is None:
            return text
        if callable(s):
            return s(text)
        if s in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if s in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _STRIP.sub("", text)
        return text

    def _split(self, text: str) -> list[str]:
        s = self.split
        if s is None:
            return [text]
        if callable(s):
            return list(s(text))
        if s == "character":
            return list(text)
        return text.split()

    def tokenize(self, text: str) -> list[str]:
        """The tokens of one string (standardized, split, n-grams)."""
        if isinstance(text, bytes):
            text = text.decode(self.encoding)
        if not isinstance(text, str):
            raise TypeError(
                f"TextVectorization takes strings; received {describe(text)}. Pass texts as a list or a numpy "
                f"array of str."
            )
        tokens = self._split(self._standardize(text))
        if not self.ngrams:
            return tokens
        out: list[str] = []
        for width in self.ngrams:
            out.extend(" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1))
        return out

    def _texts(self, data: Any) -> list[Any]:
        if isinstance(data, str):
            raise TypeError(
                "TextVectorization takes a batch of strings (a list or 1-D array); received one string. Wrap it: "
                "[text]."
            )
        arr, _ = to_numpy(data, "inputs")
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1:
            raise ValueError(
                f"TextVectorization takes a 1-D batch of strings (N,) or (N, 1); received shape {arr.shape}."
            )
        return arr.tolist()

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learn the vocabulary from `data` (strings; a `Dataset` of string batches works too)."""
        batches, _ = iter_batches(data, self, batch_size=batch_size, steps=steps)

        def documents():
            for batch in batches:
                for text in self._texts(batch):
                    yield self.tokenize(text)

        self._build_vocabulary(documents())

    def host_call(self, inputs: Any) -> np.ndarray:
        self._require_vocabulary()
        texts = self._texts(inputs)
        get, oov = self._index.get, self._oov_start()
        seqs = [[get(t, oov) for t in self.tokenize(text)] for text in texts]
        if self.output_mode == "int":
            length = self.output_sequence_length
            if length is None:
                length = max((len(s) for s in seqs), default=0)
            out = np.zeros((len(seqs), length), np.int32)
            for i, s in enumerate(seqs):
                s = s[:length]
                out[i, :len(s)] = s
            return out
        depth = self._depth()
        out = np.zeros((len(seqs), depth), np.float32)
        for i, s in enumerate(seqs):
            if s:
                np.add.at(out[i], np.asarray(s), 1.0)
        if self.output_mode == "multi_hot":
            return np.minimum(out, 1.0)
        if self.output_mode == "count":
            return out
        return out * _padded(self._idf, depth)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self._depth())

    def get_config(self):
        for arg in ("standardize", "split"):
            if callable(getattr(self, arg)):
                raise TypeError(
                    f"Layer {self.name!r} (TextVectorization) has a custom `{arg}` function, which cannot be saved "
                    f"in a configuration (that would need pickle). Use a built-in option, or rebuild the layer in "
                    f"code and call set_vocabulary(layer.get_vocabulary())."
                )
        config = {**super().get_config(), **self._vocabulary_config()}
        for k in ("num_oov_indices", "mask_token", "oov_token", "invert"):
            config.pop(k, None)
        return {**config, "standardize": self.standardize, "split": self.split,
                "ngrams": None if self.ngrams is None else list(self.ngrams),
                "output_sequence_length": self.output_sequence_length, "encoding": self.encoding}


def _padded(idf: np.ndarray, depth: int) -> np.ndarray:
    w = np.zeros(depth, np.float32)
    n = min(depth, len(idf))
    w[:n] = idf[:n]
    return w
