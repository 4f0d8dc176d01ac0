"""IMDB movie reviews: 25,000 training and 25,000 test reviews labelled by sentiment.

Same names, arguments and semantics as ``keras.datasets.imdb``, built from the
raw text release ``aclImdb_v1.tar.gz`` (Maas et al., 2011; or its extracted
``aclImdb/`` folder) instead of Keras's pre-encoded pickle ``imdb.npz``:

* reviews are tokenized like Keras's `Tokenizer` (see `trainlab.datasets._text`:
  lower case, ``<br />`` and punctuation removed, apostrophes kept) and words
  are indexed by frequency in the training reviews, 1 = most frequent;
  `get_word_index` returns that ``{word: index}`` dict;
* `load_data` then applies Keras's steps exactly: seeded shuffle
  (``np.random.RandomState(seed)``, training then test set), `start_char`,
  `index_from` offset, `maxlen` filter (keeps sequences *shorter* than
  `maxlen`, start character included), then `num_words`/`skip_top` with
  `oov_char`. Reserved indices: 0 padding, 1 start, 2 out-of-vocabulary.

The base order before the shuffle is negative reviews then positive ones, each
by review id. Indices differ from Keras's ``imdb.npz`` (whose exact
preprocessing is not published; it kept ``br`` as a word), so a model trained
on one and evaluated on the other is not meaningful; results are comparable.

The first load parses the 84 MB archive (tens of seconds) and writes
``imdb_word_index.json`` and ``imdb_sequences.npz`` (``allow_pickle=False``)
into the cache folder ``~/.trainlab/datasets/imdb/``; later loads read those
(about a second). The cache is rebuilt when the source file changes, and a damaged cache
(truncated, corrupted, arrays that do not fit together) is deleted and rebuilt
with a warning. Each review may be at most `MAX_REVIEW_BYTES`, all of them
together `MAX_REVIEWS_BYTES` (checked before reading).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .._io import atomic_write
from .._validation import check_positive_int
from ._archive import iter_members
from ._errors import DatasetFormatError
from ._npz import load_npz
from ._sources import DatasetSpec, RemoteFile, cache_dir, is_keras_cache_name, locate
from ._text import build_word_index, encode, split_flat, tokenize

__all__ = ["load_data", "get_word_index", "SPEC"]

# SHA-256 and size from tensorflow_datasets/url_checksums/imdb_reviews.txt.
SPEC = DatasetSpec(
    name="imdb",
    title="IMDB reviews (aclImdb v1)",
    aliases=("imdb_reviews",),
    files=(
        RemoteFile(
            "aclImdb_v1.tar.gz",
            ("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",),
            "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
            84125825,
            local_names=("aclImdb",),
        ),
    ),
)

CACHE_FORMAT = 1  # bump when tokenization or the cache layout changes
WORD_INDEX_FILE = "imdb_word_index.json"
SEQUENCES_FILE = "imdb_sequences.npz"
_SPLITS = ("train", "test")
MAX_REVIEW_BYTES = 2**20  # the longest review of the release has 13,704 bytes
MAX_REVIEWS_BYTES = 2**29  # all 50,000 labelled reviews take 66 MB


def load_data(
    path: str | os.PathLike[str] | None = None,
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load IMDB as ``(x_train, y_train), (x_test, y_test)`` of word-index sequences.

    Args:
        path: ``aclImdb_v1.tar.gz``, its extracted ``aclImdb`` folder, or a
            folder holding either. None: ``$TRAINLAB_DATA_DIR/imdb/``, the
            cache, then download. Keras's default ``"imdb.npz"`` means None.
        num_words: keep the `num_words` most frequent words (indices below
            ``num_words``, after `index_from`); others become `oov_char`.
            None (or 0): keep all.
        skip_top: also replace indices below `skip_top` by `oov_char`.
        maxlen: drop sequences of length >= `maxlen` (start character
            included), as Keras does; None (or 0): keep all.
        seed: seed of the shuffle of each set.
        start_char: index put at the start of each sequence; None: none.
        oov_char: index for removed words; None: remove them outright.
        index_from: offset added to every word index.

    Returns:
        ``x_train``, ``x_test``: 1-D object arrays (like tf.keras; Keras 3
        returns lists, which index the same way) of Python lists of ints;
        ``y_train``, ``y_test``: int64 arrays of shape ``(n,)``, 1 positive,
        0 negative. 25,000 reviews each without `maxlen`.

    Raises:
        ValueError: bad arguments, or `maxlen` leaves no sequence.
        DatasetNotFoundError / DatasetFormatError: missing or malformed release.

    Example:
        >>> from trainlab.datasets import imdb
        >>> (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)  # doctest: +SKIP
        >>> x_train[0][:3]  # doctest: +SKIP
        [1, 14, 22]
    """
    num_words = check_positive_int("num_words", num_words or None, allow_none=True)
    maxlen = check_positive_int("maxlen", maxlen or None, allow_none=True)
    skip_top = _check_index("skip_top", skip_top)
    index_from = _check_index("index_from", index_from)
    start_char = _check_index("start_char", start_char, allow_none=True)
    oov_char = _check_index("oov_char", oov_char, allow_none=True)
    if is_keras_cache_name(path, "imdb.npz"):
        path = None
    _, corpus = _load_corpus(path)

    rng = np.random.RandomState(seed)
    parts = []
    for split in _SPLITS:
        tokens, offsets, labels = (corpus[f"{split}_{k}"] for k in ("tokens", "offsets", "labels"))
        order = np.arange(len(labels))
        rng.shuffle(order)
        lengths = np.diff(offsets)[order]
        tokens = _gather(tokens, offsets, order) + index_from
        if start_char is not None:
            tokens = np.insert(tokens, _starts(lengths), start_char)
            lengths = lengths + 1
        parts.append([tokens, lengths, labels[order].astype(np.int64)])

    if maxlen:
        for part in parts:
            tokens, lengths, labels = part
            keep = lengths < maxlen
            part[:] = [tokens[np.repeat(keep, lengths)], lengths[keep], labels[keep]]
        if any(len(labels) == 0 for _, _, labels in parts):
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence "
                f"was kept. Increase maxlen."
            )
    if not num_words:
        num_words = max((int(t.max()) for t, _, _ in parts if t.size), default=0)
    result = []
    for tokens, lengths, labels in parts:
        keep = (tokens >= skip_top) & (tokens < num_words)
        if oov_char is not None:
            tokens = np.where(keep, tokens, oov_char)
        else:
            seq = np.repeat(np.arange(len(lengths)), lengths)
            lengths = np.bincount(seq[keep], minlength=len(lengths))
            tokens = tokens[keep]
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        result.append((split_flat(tokens, offsets), labels))
    return result[0], result[1]


def get_word_index(path: str | os.PathLike[str] | None = None) -> dict[str, int]:
    """The ``{word: index}`` dict behind `load_data`'s sequences (1 = most frequent).

    Add `index_from` (3 by default) to map words to `load_data`'s integers.

    Args:
        path: as for `load_data`; Keras's default ``"imdb_word_index.json"``
            means None.

    Example:
        >>> from trainlab.datasets import imdb
        >>> index = imdb.get_word_index()  # doctest: +SKIP
        >>> words = {i + 3: w for w, i in index.items()}  # doctest: +SKIP
    """
    if is_keras_cache_name(path, "imdb_word_index.json"):
        path = None
    word_index, _ = _load_corpus(path)
    return word_index


# ----------------------------------------------------------------- helpers


def _check_index(argument: str, value: Any, allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return None
    expected = f"an integer >= 0{' or None' if allow_none else ''}"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{argument}` must be {expected}; received {value!r}.")
    if value < 0:
        raise ValueError(f"`{argument}` must be {expected}; received {value!r}.")
    return int(value)


def _starts(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)


def _gather(tokens: np.ndarray, offsets: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The flat tokens of documents ``order[0], order[1], ...`` (int64)."""
    lengths = np.diff(offsets)[order]
    starts = np.repeat(offsets[:-1][order] - _starts(lengths), lengths)
    return tokens[starts + np.arange(int(lengths.sum()))].astype(np.int64)


def _is_review(name: str) -> bool:
    parts = name.split("/")
    return (
        len(parts) >= 3
        and parts[-3] in _SPLITS
        and parts[-2] in ("neg", "pos")
        and parts[-1].endswith(".txt")
    )


def _review_key(filename: str) -> tuple[int, str]:
    """``(id, stem)`` for sorting ``<id>_<rating>.txt``; (-1, stem) for other names."""
    stem = filename.rsplit(".", 1)[0]
    head = stem.split("_", 1)[0]
    # "²".isdigit() is True but int("²") fails: ASCII digits only
    return (int(head), stem) if head.isascii() and head.isdigit() else (-1, stem)


def _build(source: Path) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    texts: dict[tuple[str, str], list[tuple[tuple[int, str], str]]] = {
        (s, lab): [] for s in _SPLITS for lab in ("neg", "pos")
    }
    for name, data in iter_members(
        source, _is_review, max_member_bytes=MAX_REVIEW_BYTES, max_total_bytes=MAX_REVIEWS_BYTES
    ):
        split, label, filename = name.split("/")[-3:]
        texts[(split, label)].append((_review_key(filename), data.decode("utf-8", "replace")))
    for split in _SPLITS:
        if not texts[(split, "neg")] and not texts[(split, "pos")]:
            raise DatasetFormatError(
                f"{source} holds no {split} reviews: expected text files named like "
                f"aclImdb/{split}/pos/0_9.txt and aclImdb/{split}/neg/0_3.txt."
            )
    ordered = {}
    for split in _SPLITS:
        docs = [text for lab in ("neg", "pos") for _, text in sorted(texts[(split, lab)])]
        labels = np.repeat([0, 1], [len(texts[(split, "neg")]), len(texts[(split, "pos")])])
        ordered[split] = (docs, labels)
    word_index = build_word_index(tokenize(t) for t in ordered["train"][0])
    corpus = {}
    for split, (docs, labels) in ordered.items():
        tokens, offsets = encode((tokenize(t) for t in docs), word_index)
        corpus.update({f"{split}_tokens": tokens, f"{split}_offsets": offsets,
                       f"{split}_labels": labels.astype(np.int64)})  # fmt: skip
    return word_index, corpus


def _source_key(source: Path) -> dict[str, Any]:
    stat = source.stat()
    return {
        "format": CACHE_FORMAT,
        "source": str(source.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
    }


_CORPUS_KEYS = tuple(f"{split}_{k}" for split in _SPLITS for k in ("tokens", "offsets", "labels"))


def _read_cache(folder: Path, key: dict[str, Any]) -> tuple[dict[str, int], dict[str, np.ndarray]] | None:
    """The cached ``(word_index, corpus)``; None when missing, stale or damaged.

    A damaged cache (a truncated or corrupted file, arrays that do not fit
    together) is deleted, so that it is rebuilt from the source and never
    blocks a later load.
    """
    if not (folder / SEQUENCES_FILE).exists() and not (folder / WORD_INDEX_FILE).exists():
        return None
    try:
        index_bytes = (folder / WORD_INDEX_FILE).read_bytes()
        arrays = load_npz(folder / SEQUENCES_FILE, ("meta", *_CORPUS_KEYS))
        meta = json.loads(str(arrays.pop("meta")))
        if not isinstance(meta, dict) or meta.get("key") != key:
            return None  # stale: another source or format; rebuilt and overwritten
        if meta.get("word_index_sha256") != _sha(index_bytes):
            raise ValueError("the word index does not match the sequences")
        word_index = json.loads(index_bytes)
        _check_corpus(word_index, arrays)
        return word_index, arrays
    except (OSError, ValueError) as error:
        _discard_cache(folder, f"the cache in {folder} is damaged ({error}); it is deleted and rebuilt from "
                               f"the source.", stacklevel=5)
        return None


def _check_corpus(word_index: Any, corpus: dict[str, np.ndarray]) -> None:
    """Raise ValueError unless `corpus` is what `_build` makes for `word_index`."""
    if not isinstance(word_index, dict) or not all(
        isinstance(w, str) and type(i) is int for w, i in word_index.items()
    ) or sorted(word_index.values()) != list(range(1, len(word_index) + 1)):
        raise ValueError("the word index is not a {word: 1..n} dict")
    for split in _SPLITS:
        tokens, offsets, labels = (corpus[f"{split}_{k}"] for k in ("tokens", "offsets", "labels"))
        if (tokens.dtype != np.int32 or offsets.dtype != np.int64 or labels.dtype != np.int64
                or tokens.ndim != 1 or offsets.ndim != 1 or labels.ndim != 1):  # fmt: skip
            raise ValueError(f"{split} arrays have the wrong dtype or rank")
        if len(offsets) != len(labels) + 1 or offsets[0] != 0 or offsets[-1] != len(tokens):
            raise ValueError(f"{split} offsets do not fit the tokens and labels")
        if np.any(np.diff(offsets) < 0) or np.any((labels != 0) & (labels != 1)):
            raise ValueError(f"{split} offsets decrease or a label is not 0/1")
        if tokens.size and (tokens.min() < 1 or tokens.max() > len(word_index)):
            raise ValueError(f"{split} tokens are outside the word index")


def _write_cache(folder: Path, key: dict[str, Any], word_index: dict[str, int], corpus: dict) -> None:
    index_bytes = json.dumps(word_index, ensure_ascii=False).encode("utf-8")
    meta = json.dumps({"key": key, "word_index_sha256": _sha(index_bytes)})
    try:
        with atomic_write(folder / WORD_INDEX_FILE) as f:
            f.write(index_bytes)
        with atomic_write(folder / SEQUENCES_FILE) as f:
            np.savez(f, meta=np.array(meta), **corpus)
    except OSError as error:
        _discard_cache(folder, f"could not write the cache in {folder} ({error}); the next load will parse the "
                               f"archive again. Set TRAINLAB_CACHE_DIR to a writable folder to fix this.", stacklevel=4)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_corpus(path: Any) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    source = locate(SPEC, path)["aclImdb_v1.tar.gz"]
    key = _source_key(source)
    folder = cache_dir(SPEC)
    cached = _read_cache(folder, key)
    if cached is not None:
        return cached
    word_index, corpus = _build(source)
    _write_cache(folder, key, word_index, corpus)
    return word_index, corpus


def _discard_cache(folder: Path, reason: str, stacklevel: int) -> None:
    """Warn with `reason` and delete both cache files (a half-written or damaged cache is never read)."""
    warnings.warn(f"trainlab.datasets.imdb: {reason}", UserWarning, stacklevel=stacklevel)
    for name in (WORD_INDEX_FILE, SEQUENCES_FILE):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
