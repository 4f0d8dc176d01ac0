"""Tokenize raw reviews and index words by frequency, as Keras prepared IMDB.

Tokenization is Keras's `Tokenizer` default (``text_to_word_sequence``):
lower-case, replace the HTML line breaks ``<br />`` of the IMDB release by
spaces, replace every character of `FILTERS` (punctuation, tab, newline) by a
space, split on whitespace. Apostrophes are kept (``"don't"`` is one word).

Words are ranked by their count in the *training* reviews (most frequent
first, ties in alphabetical order), starting at 1; test-only words have no
index and are dropped from the encoded test reviews, as Keras documents.

Encoded corpora are stored flat: one int32 array of all word indices and an
int64 array of ``n + 1`` offsets, so that review ``i`` is
``tokens[offsets[i]:offsets[i + 1]]``.

Example:
    >>> tokenize("A <br />great, GREAT film!")
    ['a', 'great', 'great', 'film']
    >>> build_word_index([["a", "b", "b"], ["c", "b"]])
    {'b': 1, 'a': 2, 'c': 3}
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["FILTERS", "tokenize", "build_word_index", "encode", "split_flat"]

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'  # Keras Tokenizer's default filters
_TABLE = str.maketrans({c: " " for c in FILTERS})


def tokenize(text: str) -> list[str]:
    """The words of `text`: lower-cased, without ``<br />`` and punctuation."""
    return text.lower().replace("<br />", " ").translate(_TABLE).split()


def build_word_index(documents: Iterable[Sequence[str]]) -> dict[str, int]:
    """``{word: rank}``, rank 1 for the most frequent word; ties alphabetical."""
    counts: Counter[str] = Counter()
    for words in documents:
        counts.update(words)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {word: rank for rank, (word, _) in enumerate(ranked, start=1)}


def encode(documents: Iterable[Sequence[str]], word_index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Encode tokenized documents as flat ``(tokens int32, offsets int64)``.

    Words missing from `word_index` are dropped.
    """
    lengths = []
    chunks = []
    for words in documents:
        ids = [word_index[w] for w in words if w in word_index]
        lengths.append(len(ids))
        chunks.append(ids)
    tokens = np.fromiter(itertools.chain.from_iterable(chunks), dtype=np.int32)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return tokens, offsets


def split_flat(tokens: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """A 1-D object array of Python lists of ints, one per document.

    (``np.array(list_of_lists, dtype=object)`` would make a 2-D array when all
    lists have the same length, so the array is filled element by element.)
    """
    values = tokens.tolist()
    bounds = offsets.tolist()
    out = np.empty(len(bounds) - 1, dtype=object)
    for i in range(len(out)):
        out[i] = values[bounds[i] : bounds[i + 1]]
    return out
