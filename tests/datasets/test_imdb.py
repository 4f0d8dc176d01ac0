"""imdb from the raw aclImdb release: tokenization, word index, Keras's load_data semantics, cache."""

import json

import numpy as np
import pytest

from dataset_files import IMDB_REVIEWS, make_imdb
from trainlab.datasets import DatasetFormatError, imdb
from trainlab.datasets._text import tokenize


@pytest.fixture
def archive(tmp_path):
    return make_imdb(tmp_path / "aclImdb_v1.tar.gz")


def keras_reference(base, num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
                    oov_char=2, index_from=3):  # fmt: skip
    """keras.datasets.imdb.load_data's steps, in plain Python, on the unshuffled corpus."""
    (x_train, labels_train), (x_test, labels_test) = base
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = [x_train[i] for i in indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = [x_test[i] for i in indices], labels_test[indices]
    if start_char is not None:
        x_train = [[start_char] + [w + index_from for w in x] for x in x_train]
        x_test = [[start_char] + [w + index_from for w in x] for x in x_test]
    else:
        x_train = [[w + index_from for w in x] for x in x_train]
        x_test = [[w + index_from for w in x] for x in x_test]
    if maxlen:
        keep = [i for i, x in enumerate(x_train) if len(x) < maxlen]
        x_train, labels_train = [x_train[i] for i in keep], labels_train[keep]
        keep = [i for i, x in enumerate(x_test) if len(x) < maxlen]
        x_test, labels_test = [x_test[i] for i in keep], labels_test[keep]
    xs = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    idx = len(x_train)
    return (xs[:idx], labels[:idx]), (xs[idx:], labels[idx:])


def base_corpus(path):
    """The unshuffled, un-offset sequences, as Keras's imdb.npz stores them."""
    _, corpus = imdb._load_corpus(path)
    out = []
    for split in ("train", "test"):
        tokens, offsets = corpus[f"{split}_tokens"].tolist(), corpus[f"{split}_offsets"]
        seqs = [tokens[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
        out.append((seqs, corpus[f"{split}_labels"]))
    return out


def test_tokenizer_matches_keras_defaults():
    assert tokenize("Don't <br />STOP!<br /><br />it's (great)--\t10/10") == [
        "don't", "stop", "it's", "great", "10", "10"]  # fmt: skip


def test_word_index_by_training_frequency(archive):
    index = imdb.get_word_index(path=archive)
    train_words = [w for (s, _, _), t in IMDB_REVIEWS.items() if s == "train" for w in tokenize(t)]
    counts = {w: train_words.count(w) for w in set(train_words)}
    expected = sorted(counts, key=lambda w: (-counts[w], w))
    assert list(index) == expected and list(index.values()) == list(range(1, len(expected) + 1))
    assert index["great"] == 1  # 5 times in the training reviews
    assert "unseenword" not in index and "br" not in index and "don't" in index


def test_shapes_types_and_keras_defaults(archive):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path=archive)
    assert x_train.dtype == object and x_train.shape == (5,) and x_test.shape == (4,)
    assert all(isinstance(x, list) and x[0] == 1 for x in x_train)
    assert y_train.dtype == np.int64 and sorted(y_train.tolist()) == [0, 0, 1, 1, 1]
    index = imdb.get_word_index(path=archive)
    words = {i + 3: w for w, i in index.items()}
    decoded = [" ".join(words.get(i, "?") for i in x[1:]) for x in x_test]
    assert "the worst boring" in decoded  # test-only words are skipped
    # Keras quirk kept: num_words=None means max index, and `w < num_words` makes
    # the rarest word (the largest index) out-of-vocabulary
    flat = [w for x in (*x_train, *x_test) for w in x]
    assert len(index) + 3 not in flat and max(flat) == len(index) + 2


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"seed": 7},
        {"num_words": 10},
        {"num_words": 10, "skip_top": 5},
        {"maxlen": 8},
        {"start_char": None},
        {"oov_char": None, "num_words": 12},
        {"oov_char": None, "skip_top": 4},
        {"index_from": 0, "start_char": None, "oov_char": None},
        {"index_from": 10, "start_char": 5, "oov_char": 3, "num_words": 20, "skip_top": 2},
    ],
    ids=repr,
)
def test_same_as_keras_algorithm(archive, options):
    ((x_train, y_train), (x_test, y_test)) = imdb.load_data(path=archive, **options)
    (rx_train, ry_train), (rx_test, ry_test) = keras_reference(base_corpus(archive), **options)
    assert list(x_train) == rx_train and list(x_test) == rx_test
    np.testing.assert_array_equal(y_train, ry_train)
    np.testing.assert_array_equal(y_test, ry_test)


def test_maxlen_too_small(archive):
    with pytest.raises(ValueError, match=r"shorter than maxlen=2, no sequence was kept. Increase maxlen"):
        imdb.load_data(path=archive, maxlen=2)


@pytest.mark.parametrize(
    "options, match",
    [
        ({"num_words": -1}, r"`num_words` must be a positive integer"),
        ({"skip_top": 1.5}, r"`skip_top` must be an integer >= 0; received 1.5"),
        ({"oov_char": -2}, r"`oov_char` must be an integer >= 0 or None"),
    ],
)
def test_bad_arguments(archive, options, match):
    with pytest.raises((ValueError, TypeError), match=match):
        imdb.load_data(path=archive, **options)


def test_cache_is_used_and_pickle_free(archive, tmp_path, monkeypatch):
    first = imdb.load_data(path=archive, num_words=10)
    folder = tmp_path / "cache" / "imdb"
    assert sorted(p.name for p in folder.iterdir()) == ["imdb_sequences.npz", "imdb_word_index.json"]
    with np.load(folder / "imdb_sequences.npz", allow_pickle=False) as f:
        assert {"train_tokens", "train_offsets", "test_labels", "meta"} <= set(f.files)
    assert json.loads((folder / "imdb_word_index.json").read_text()) == imdb.get_word_index(path=archive)

    def no_parsing(source):
        raise AssertionError("the archive was parsed again")

    monkeypatch.setattr(imdb, "_build", no_parsing)
    second = imdb.load_data(path=archive, num_words=10)
    assert [list(x) for x in second[0][0]] == [list(x) for x in first[0][0]]
    monkeypatch.undo()


def test_cache_rebuilt_when_source_or_index_changes(tmp_path, monkeypatch):
    archive = make_imdb(tmp_path / "a.tar.gz")
    index = imdb.get_word_index(path=archive)
    reviews = dict(IMDB_REVIEWS)
    reviews[("train", "neg", "3_1.txt")] = "zebra zebra zebra zebra zebra zebra"
    make_imdb(tmp_path / "a.tar.gz", reviews)  # same path, new content
    assert imdb.get_word_index(path=archive)["zebra"] == 1 != index.get("zebra")
    # a tampered word index file is not trusted
    path = tmp_path / "cache" / "imdb" / "imdb_word_index.json"
    path.write_text(json.dumps({"tampered": 1}))
    with pytest.warns(UserWarning, match=r"is damaged \(the word index does not match the sequences\); it is deleted and rebuilt"):
        assert imdb.get_word_index(path=archive)["zebra"] == 1


def test_extracted_folder(tmp_path, archive):
    folder = make_imdb(tmp_path / "x", extracted=True)
    assert imdb.get_word_index(path=folder) == imdb.get_word_index(path=archive)
    assert imdb.get_word_index(path=tmp_path / "x") == imdb.get_word_index(path=archive)


def test_archive_without_reviews(tmp_path):
    from dataset_files import write_tgz

    write_tgz(tmp_path / "e.tar.gz", {"aclImdb/README": b"nothing"})
    with pytest.raises(DatasetFormatError, match=r"e.tar.gz holds no train reviews"):
        imdb.load_data(path=tmp_path / "e.tar.gz")


def test_unwritable_cache_warns_and_still_loads(archive, tmp_path, monkeypatch):
    (tmp_path / "blocker").write_text("a file where the cache folder should be")
    monkeypatch.setenv("TRAINLAB_CACHE_DIR", str(tmp_path / "blocker"))
    with pytest.warns(UserWarning, match=r"could not write the cache"):
        (x_train, _), _ = imdb.load_data(path=archive)
    assert len(x_train) == 5


def test_found_directly_in_data_dir(tmp_path, monkeypatch, archive):
    """A one-file dataset may sit right in $TRAINLAB_DATA_DIR (here: an extracted aclImdb/)."""
    make_imdb(tmp_path / "data", extracted=True)
    monkeypatch.setenv("TRAINLAB_DATA_DIR", str(tmp_path / "data"))
    assert imdb.get_word_index() == imdb.get_word_index(path=archive)
