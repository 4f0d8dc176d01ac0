"""CategoryEncoding / OneHot / IntegerLookup / StringLookup: Keras's index layout and encodings."""

import jax
import numpy as np
import pytest

import trainlab as tl
from trainlab.data import CategoryEncoding, IntegerLookup, OneHot, StringLookup


def _one_hot(idx, depth):
    return np.eye(depth, dtype=np.float32)[idx]


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_category_encoding_against_numpy(mode):
    x = np.array([[0, 2, 2], [1, 1, 3]])
    out = np.asarray(CategoryEncoding(4, output_mode=mode)(x if mode != "one_hot" else x[:, :1]))
    counts = np.stack([np.bincount(r, minlength=4) for r in x]).astype(np.float32)
    expected = {"one_hot": _one_hot(x[:, 0], 4), "multi_hot": np.minimum(counts, 1), "count": counts}[mode]
    np.testing.assert_array_equal(out, expected)


def test_category_encoding_out_of_range_is_refused():
    with pytest.raises(ValueError, match=r"takes integers in \[0, 3\); received 5.*IntegerLookup"):
        CategoryEncoding(3)(np.array([[1, 5]]))


def test_one_hot_adapts_its_depth_and_saves_it():
    enc = OneHot()
    enc.adapt(np.array([0, 4, 2]))
    np.testing.assert_array_equal(enc(np.array([4, 1])), _one_hot([4, 1], 5))
    clone = OneHot.from_config(enc.get_config())
    assert clone.num_tokens == 5
    with pytest.raises(ValueError, match="needs integer categories"):
        OneHot().adapt(np.array([0.5, 1.0]))


def test_integer_lookup_orders_by_frequency_then_value_descending():
    lookup = IntegerLookup()
    lookup.adapt(np.array([7, 3, 3, 9, 9, 5, 1]))
    # counts: 3 and 9 twice (ties: larger first), then 7, 5, 1 once
    assert lookup.get_vocabulary() == [-1, 9, 3, 7, 5, 1]
    np.testing.assert_array_equal(lookup(np.array([[9, 1], [42, 3]])), [[1, 5], [0, 2]])


def test_integer_lookup_mask_oov_buckets_and_invert():
    lookup = IntegerLookup(mask_token=0, num_oov_indices=2, vocabulary=[12, 36, 7])
    assert lookup.get_vocabulary() == [0, -1, -1, 12, 36, 7]
    x = np.array([0, 12, 7, 100, 101])
    # mask -> 0; OOV -> 1 + (value mod 2)
    np.testing.assert_array_equal(lookup(x), [0, 3, 5, 1 + 100 % 2, 1 + 101 % 2])
    inverse = IntegerLookup(mask_token=0, num_oov_indices=2, vocabulary=[12, 36, 7], invert=True)
    np.testing.assert_array_equal(inverse(np.array([3, 4, 5, 1, 99])), [12, 36, 7, -1, -1])


def test_integer_lookup_max_tokens_and_encodings():
    data = np.array([[1, 1, 2], [3, 3, 3], [2, 4, 4]])
    lookup = IntegerLookup(max_tokens=3, output_mode="count")
    lookup.adapt(data)
    assert lookup.get_vocabulary() == [-1, 3, 4]  # 3 (x3), then 4 and 2 and 1 (x2): ties larger first
    # columns: [OOV, 3, 4]
    np.testing.assert_array_equal(lookup(data), [[3, 0, 0], [0, 3, 0], [1, 0, 2]])
    multi = IntegerLookup(vocabulary=[3, 4], output_mode="multi_hot", pad_to_max_tokens=True, max_tokens=5)
    np.testing.assert_array_equal(multi(np.array([[3, 3, 9]])), [[1, 1, 0, 0, 0]])


def test_tf_idf_weights_follow_keras_formula():
    docs = np.array([[1, 1, 2], [1, 3, 3], [2, 2, 2]])
    lookup = IntegerLookup(output_mode="tf_idf")
    lookup.adapt(docs)
    vocab = lookup.get_vocabulary()[1:]  # [2, 1, 3]: counts 4, 3, 2
    assert vocab == [2, 1, 3]
    df = np.array([2, 2, 1], float)  # documents containing 2, 1, 3
    idf = np.log(1 + 3 / (1 + df))
    idf = np.concatenate([[idf.mean()], idf])  # OOV: the mean, as Keras
    counts = np.array([[0, 1, 2, 0], [0, 0, 1, 2], [0, 3, 0, 0]], float)
    np.testing.assert_allclose(lookup(docs), counts * idf, rtol=1e-6)


def test_integer_lookup_runs_inside_a_compiled_model():
    lookup = IntegerLookup(vocabulary=[10, 20, 30], output_mode="one_hot")
    model = tl.Sequential([tl.layers.Input((1,), dtype="int32"), lookup, tl.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.array([[10], [30], [99]], np.int32)
    model.fit(x, np.ones((3, 1)), epochs=1, verbose=0)
    variables = model.variables
    fn = jax.jit(lambda v, x: model.apply(v, x)[0])
    np.testing.assert_allclose(fn(variables, x), model.predict(x, verbose=0), rtol=1e-6)


def test_string_lookup_orders_and_maps():
    lookup = StringLookup()
    lookup.adapt(np.array([["b", "a"], ["a", "c"], ["a", "b"]]))
    assert lookup.get_vocabulary() == ["[UNK]", "a", "b", "c"]
    np.testing.assert_array_equal(lookup(np.array(["c", "zzz", "a"])), [3, 0, 1])
    assert lookup.vocabulary_size() == 4
    inverse = StringLookup(vocabulary=lookup.get_vocabulary(), invert=True)
    assert inverse(np.array([1, 3, 0])).tolist() == ["a", "c", "[UNK]"]


def test_string_lookup_mask_one_hot_and_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("red\ngreen\nblue\n", encoding="utf-8")
    lookup = StringLookup(vocabulary=str(path), mask_token="", output_mode="one_hot")
    # one_hot keeps no mask index (Keras): [UNK], red, green, blue
    np.testing.assert_array_equal(lookup(np.array(["blue", "pink"])), _one_hot([3, 0], 4))
    ints = StringLookup(vocabulary=["red", "green"], mask_token="")
    np.testing.assert_array_equal(ints(np.array(["", "green", b"red"], dtype=object)), [0, 3, 2])


def test_string_lookup_cannot_enter_a_compiled_model():
    lookup = StringLookup(vocabulary=["a"])
    with pytest.raises(TypeError, match=r"works on strings, which cannot enter a compiled JAX model.*dataset\.map"):
        lookup(tl.layers.Input((1,)))  # a functional graph is compiled as a whole
    with pytest.raises(ValueError, match=r"must come before every other layer"):
        tl.Sequential([tl.layers.Dense(2), lookup])  # Sequential runs it on the host, first only
    with pytest.raises(TypeError, match="takes strings"):
        lookup(np.array([1, 2]))


def test_lookup_configs_round_trip():
    lookup = StringLookup(max_tokens=10, num_oov_indices=2)
    lookup.adapt(np.array(["x", "y", "y"]))
    clone = StringLookup.from_config(lookup.get_config())
    assert clone.get_vocabulary() == lookup.get_vocabulary() == ["[UNK]", "[UNK]", "y", "x"]
    ints = IntegerLookup(output_mode="tf_idf")
    ints.adapt(np.array([[1, 2], [2, 2]]))
    clone = IntegerLookup.from_config(ints.get_config())
    np.testing.assert_allclose(clone(np.array([[1, 2]])), ints(np.array([[1, 2]])))


def test_lookup_bad_arguments():
    with pytest.raises(ValueError, match="repeated entries"):
        StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="`max_tokens`=1 leaves no room"):
        StringLookup(max_tokens=1)
    with pytest.raises(ValueError, match=r"has no vocabulary yet: call string_lookup(_\d+)?\.adapt"):
        StringLookup()(np.array(["a"]))
    with pytest.raises(ValueError, match="num_oov_indices=0 and received 'b'"):
        StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array(["b"]))
    with pytest.raises(ValueError, match="num_oov_indices=0 and received 5"):
        IntegerLookup(vocabulary=[1], num_oov_indices=0)(np.array([5]))
    with pytest.raises(TypeError, match="needs integer data"):
        IntegerLookup().adapt(np.array(["a"]))
    with pytest.raises(ValueError, match=r"must fit in int32.*\[1, 1099511627776\]"):
        IntegerLookup().adapt(np.array([1, 2 ** 40]))
