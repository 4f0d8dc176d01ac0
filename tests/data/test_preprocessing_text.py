"""TextVectorization (Keras rules) and pad_sequences (against a numpy copy of Keras's algorithm)."""

import numpy as np
import pytest

import trainlab as tl
from trainlab.data import Dataset, TextVectorization, pad_sequences

TEXTS = np.array(["The cat sat on the mat.", "The dog ate my homework!", "a CAT, a dog"])


def test_vocabulary_by_frequency_with_padding_and_unknown():
    vec = TextVectorization()
    vec.adapt(TEXTS)
    vocab = vec.get_vocabulary()
    assert vocab[:2] == ["", "[UNK]"]
    # the: 3; a, cat, dog: 2 (ties: larger string first); the rest once, larger first
    assert vocab[2:6] == ["the", "dog", "cat", "a"]
    assert vocab[6:] == sorted(["sat", "on", "mat", "ate", "my", "homework"], reverse=True)


def test_int_output_pads_truncates_and_marks_unknown_words():
    vec = TextVectorization(output_sequence_length=5)
    vec.adapt(TEXTS)
    index = {w: i for i, w in enumerate(vec.get_vocabulary())}
    out = vec(np.array(["the zebra, the CAT", "a dog a cat the dog"]))
    assert out.dtype == np.int32 and out.shape == (2, 5)
    np.testing.assert_array_equal(out[0], [index["the"], 1, index["the"], index["cat"], 0])
    np.testing.assert_array_equal(out[1], [index[w] for w in "a dog a cat the".split()])
    # without output_sequence_length: padded to the longest text of the batch
    free = TextVectorization(vocabulary=vec.get_vocabulary())
    assert free(np.array(["cat", "the cat sat"])).shape == (2, 3)


def test_standardize_split_and_ngrams_options():
    vec = TextVectorization(standardize="lower", split="whitespace", ngrams=2)
    assert vec.tokenize("Hi, you there") == ["hi,", "you", "there", "hi, you", "you there"]
    vec = TextVectorization(standardize=None, split="character", ngrams=(2,))
    assert vec.tokenize("aBc") == ["a B", "B c"]
    assert TextVectorization(split=None).tokenize("New York!") == ["new york"]


@pytest.mark.parametrize("mode", ["multi_hot", "count", "tf_idf"])
def test_bag_of_words_modes(mode):
    vec = TextVectorization(output_mode=mode, max_tokens=6)
    vec.adapt(TEXTS)
    vocab = vec.get_vocabulary()
    assert vocab[0] == "[UNK]" and len(vocab) == 6  # no padding index outside int mode
    out = vec(np.array(["the the cat zebra"]))
    counts = np.zeros(6)
    for token in ["the", "the", "cat", "zebra"]:
        counts[vocab.index(token) if token in vocab else 0] += 1
    if mode == "multi_hot":
        np.testing.assert_array_equal(out[0], np.minimum(counts, 1))
    elif mode == "count":
        np.testing.assert_array_equal(out[0], counts)
    else:
        docs = [set(vec.tokenize(t)) for t in TEXTS]
        df = np.array([sum(w in d for d in docs) for w in vocab[1:]], float)
        idf = np.log(1 + len(TEXTS) / (1 + df))
        np.testing.assert_allclose(out[0], counts * np.concatenate([[idf.mean()], idf]), rtol=1e-6)


def test_adapt_on_a_dataset_and_use_in_map():
    labels = np.array([1, 0, 1])
    vec = TextVectorization(output_sequence_length=4)
    ds = Dataset.from_tensor_slices((TEXTS, labels)).batch(2)
    vec.adapt(ds.map(lambda x, y: x))
    batches = list(ds.map(lambda x, y: (vec(x), y)))
    assert batches[0][0].shape == (2, 4) and batches[0][0].dtype == np.int32


def test_config_round_trip_and_host_only():
    vec = TextVectorization(max_tokens=8, ngrams=2, output_sequence_length=3)
    vec.adapt(TEXTS)
    clone = TextVectorization.from_config(vec.get_config())
    np.testing.assert_array_equal(clone(TEXTS), vec(TEXTS))
    with pytest.raises(TypeError, match="cannot enter a compiled JAX model"):
        vec(tl.layers.Input((1,)))
    with pytest.raises(ValueError, match=r"must come before every other layer"):
        tl.Sequential([tl.layers.Embedding(8, 2), vec])
    with pytest.raises(TypeError, match="custom `standardize` function"):
        TextVectorization(standardize=str.lower).get_config()
    with pytest.raises(TypeError, match="one string"):
        vec("just one")


# ---------------------------------------------------------------- pad_sequences
def keras_pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Keras's keras.utils.pad_sequences, restated with numpy only."""
    lengths = [len(s) for s in sequences]
    sample_shape = ()
    for s in sequences:
        if len(s):
            sample_shape = np.asarray(s).shape[1:]
            break
    if maxlen is None:
        maxlen = np.max(lengths)
    x = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if padding == "post":
            x[idx, :len(trunc)] = trunc
        else:
            x[idx, -len(trunc):] = trunc
    return x


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 1, 3, 7])
def test_pad_sequences_matches_keras(padding, truncating, maxlen):
    rng = np.random.default_rng(maxlen or 0)
    seqs = [rng.integers(1, 50, rng.integers(0, 9)).tolist() for _ in range(12)]
    for dtype, value in [("int32", 0.0), ("int64", -1), ("float32", 0.5)]:
        got = pad_sequences(seqs, maxlen=maxlen, dtype=dtype, padding=padding, truncating=truncating, value=value)
        ref = keras_pad_sequences(seqs, maxlen, dtype, padding, truncating, value)
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)


def test_pad_sequences_vectors_and_strings():
    seqs = [np.ones((2, 3)), np.zeros((4, 3))]
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=3, dtype="float32"),
                                  keras_pad_sequences(seqs, 3, "float32"))
    out = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>", padding="post")
    assert out.tolist() == [["a", "b"], ["c", "<pad>"]]


def test_pad_sequences_bad_input():
    with pytest.raises(ValueError, match=r"`sequences\[1\]` holds the non-integer value 0\.5 at position 1.*"
                                         r"dtype='float32'"):
        pad_sequences([[1, 2], [3, 0.5]])
    with pytest.raises(ValueError, match=r"`sequences\[0\]` holds 'a'.*TextVectorization"):
        pad_sequences([["a", "b"]])
    with pytest.raises(ValueError, match=r"`sequences\[1\]` is a string"):
        pad_sequences([[1], "hello"])
    with pytest.raises(ValueError, match="list of iterables"):
        pad_sequences([[1], 5])
    with pytest.raises(ValueError, match="`padding` must be one of 'pre', 'post'"):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="`maxlen` must be a positive integer"):
        pad_sequences([[1]], maxlen=0)
    with pytest.raises(ValueError, match="not compatible with `value`"):
        pad_sequences([[1]], value="x")
    with pytest.raises(ValueError, match="differs from the expected shape"):
        pad_sequences([np.ones((2, 3)), np.ones((2, 4))], dtype="float32")
