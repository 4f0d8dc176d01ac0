"""Feature columns, checked against NumPy / pandas / scikit-learn references.

Each column is run the way a model runs it: `adapt` on training data, `encode`
on the host, then the layer inside a compiled `Model.apply`.
"""

import jax
import numpy as np
import pandas as pd
import pytest

import trainlab as tl
from trainlab import features as F
from trainlab.features._columns import cross_hash


def dense(columns, train, data=None):
    """Outputs of a DenseFeatures layer adapted on `train`, applied to `data` in a jitted model."""
    layer = F.DenseFeatures(columns, name="features").adapt(train)
    inputs = layer.inputs()
    model = tl.Model(inputs, layer(inputs))
    x = layer.encode(train if data is None else data)
    variables = model.init(jax.random.key(0), x)
    y, _ = jax.jit(lambda v, x: model.apply(v, x))(variables, x)
    return np.asarray(y), model, variables


def fingerprint_reference(values):
    text = np.asarray([str(v) for v in values], dtype=object)
    return (pd.util.hash_array(text, categorize=False) >> np.uint64(33)).astype(np.int64)


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    n = 40
    return pd.DataFrame({
        "x": rng.normal(3.0, 2.0, n),
        "z": rng.uniform(-1, 5, n),
        "city": rng.choice(["paris", "rome", "oslo"], n),
        "day": rng.integers(0, 7, n),
    })


# ----------------------------------------------------------------------
# numeric
def test_numeric_normalize_uses_training_statistics_only(frame):
    train, test = frame.iloc[:30], frame.iloc[30:]
    out, model, variables = dense([F.numeric_column("x", normalize=True)], train, test)
    mean, std = train["x"].mean(), train["x"].std(ddof=0)
    np.testing.assert_allclose(out[:, 0], (test["x"] - mean) / std, rtol=1e-5)
    state = variables["state"]["features"]
    np.testing.assert_allclose(state["x_mean"], [mean], rtol=1e-6)
    np.testing.assert_allclose(state["x_variance"], [train["x"].var(ddof=0)], rtol=1e-6)


def test_numeric_without_normalization_passes_values_and_shapes_through():
    data = {"v": np.arange(12, dtype="float64").reshape(4, 3)}
    out, _, _ = dense([F.numeric_column("v", shape=(3,))], data)
    np.testing.assert_array_equal(out, data["v"])


def test_constant_column_is_centered_not_divided_by_zero():
    train = pd.DataFrame({"c": [2.0, 2.0, 2.0]})
    out, _, _ = dense([F.numeric_column("c", normalize=True)], train, pd.DataFrame({"c": [2.0, 5.0]}))
    np.testing.assert_allclose(out[:, 0], [0.0, 3.0])


@pytest.mark.parametrize("strategy", ["mean", "median"])
def test_fitted_imputers_match_sklearn_simple_imputer(strategy):
    from sklearn.impute import SimpleImputer

    train = pd.DataFrame({"a": [1.0, np.nan, 4.0, 10.0, np.nan]})
    test = pd.DataFrame({"a": [np.nan, 2.0]})
    out, _, _ = dense([F.numeric_column("a", default_value=strategy)], train, test)
    ref = SimpleImputer(strategy=strategy).fit(train[["a"]]).transform(test[["a"]])
    np.testing.assert_allclose(out, ref)


def test_constant_default_value_fills_missing_values():
    out, _, _ = dense([F.numeric_column("a", default_value=-1)], pd.DataFrame({"a": [1.0, None, 3.0]}))
    np.testing.assert_array_equal(out[:, 0], [1.0, -1.0, 3.0])


def test_normalizer_fn_runs_inside_the_model():
    out, _, _ = dense([F.numeric_column("a", normalizer_fn=lambda x: x * 10 + 1)], pd.DataFrame({"a": [1.0, 2.0]}))
    np.testing.assert_allclose(out[:, 0], [11.0, 21.0])


# ----------------------------------------------------------------------
# bucketized
def test_bucketized_matches_numpy_digitize(frame):
    bounds = [0.0, 2.0, 3.5, 6.0]
    col = F.bucketized_column(F.numeric_column("x"), bounds)
    out, _, _ = dense([col], frame)
    ids = np.digitize(frame["x"], bounds)  # bins[i-1] <= x < bins[i], as TF
    np.testing.assert_array_equal(out, np.eye(len(bounds) + 1)[ids])


def test_bucketized_boundary_value_goes_to_the_upper_bucket():
    col = F.bucketized_column(F.numeric_column("x"), [0.0, 1.0])
    out, _, _ = dense([col], pd.DataFrame({"x": [-0.5, 0.0, 0.999, 1.0]}))
    np.testing.assert_array_equal(out.argmax(1), [0, 1, 1, 2])


def test_bucketized_multi_value_numeric_has_one_block_per_value():
    data = {"p": np.array([[0.5, 5.0], [3.0, -1.0]])}
    col = F.bucketized_column(F.numeric_column("p", shape=(2,)), [1.0, 4.0])
    out, _, _ = dense([col], data)
    assert col.num_buckets == 6
    expected = np.zeros((2, 6))
    expected[0, [0, 3 + 2]] = 1
    expected[1, [1, 3 + 0]] = 1
    np.testing.assert_array_equal(out, expected)


# ----------------------------------------------------------------------
# categorical
def test_vocabulary_indicator_is_one_hot_in_vocabulary_order(frame):
    vocab = ["rome", "paris", "oslo"]
    out, _, _ = dense([F.indicator_column(F.categorical_column_with_vocabulary_list("city", vocab))], frame)
    expected = np.eye(3)[[vocab.index(c) for c in frame["city"]]]
    np.testing.assert_array_equal(out, expected)


def test_vocabulary_oov_buckets_are_hashed_after_the_vocabulary():
    col = F.categorical_column_with_vocabulary_list("c", ["a", "b"], num_oov_buckets=3)
    values = ["a", "zz", "b", "qq", "zz"]
    ids = col.encode_codes(np.array(values, dtype=object))[:, 0]
    fp = fingerprint_reference(["zz", "qq"])
    np.testing.assert_array_equal(ids, [0, 2 + fp[0] % 3, 1, 2 + fp[1] % 3, 2 + fp[0] % 3])


def test_vocabulary_default_minus_one_gives_an_all_zero_indicator():
    col = F.indicator_column(F.categorical_column_with_vocabulary_list("c", ["a", "b"], default_value=-1))
    out, _, _ = dense([col], pd.DataFrame({"c": ["b", "unknown"]}))
    np.testing.assert_array_equal(out, [[0, 1], [0, 0]])


def test_integer_vocabulary_and_string_vocabulary_compare_by_type():
    ints = F.categorical_column_with_vocabulary_list("k", [10, 20, 30])
    np.testing.assert_array_equal(ints.encode_codes(np.array([30, 10]))[:, 0], [2, 0])
    strings = F.categorical_column_with_vocabulary_list("k", ["1", "2"])
    np.testing.assert_array_equal(strings.encode_codes(np.array([2, 1]))[:, 0], [1, 0])


def test_identity_ids_and_default(frame):
    out, _, _ = dense([F.indicator_column(F.categorical_column_with_identity("day", 7))], frame)
    np.testing.assert_array_equal(out, np.eye(7)[frame["day"]])
    col = F.categorical_column_with_identity("d", 3, default_value=0)
    np.testing.assert_array_equal(col.encode_codes(np.array([2, 5, -1]))[:, 0], [2, 0, 0])


def test_hash_bucket_is_a_stable_fingerprint_modulo_size_inside_the_model():
    values = ["alpha", "beta", "gamma", "alpha", 17]
    col = F.indicator_column(F.categorical_column_with_hash_bucket("h", 7))
    out, _, _ = dense([col], {"h": np.array(values, dtype=object)})
    np.testing.assert_array_equal(out.argmax(1), fingerprint_reference(values) % 7)
    # integers hash like their decimal text
    assert F.categorical_column_with_hash_bucket("h", 7).encode_codes(np.array([17]))[0, 0] == \
        F.categorical_column_with_hash_bucket("h", 7).encode_codes(np.array(["17"], dtype=object))[0, 0]


def _fmix32(h):
    h = np.uint32(h)
    h ^= h >> np.uint32(16)
    h = np.uint32((int(h) * 0x85EBCA6B) & 0xFFFFFFFF)
    h ^= h >> np.uint32(13)
    h = np.uint32((int(h) * 0xC2B2AE35) & 0xFFFFFFFF)
    return h ^ (h >> np.uint32(16))


def _cross_reference(ids, size, seed=0x9E3779B9):
    h = np.uint32(seed)
    for v in ids:
        v = _fmix32(np.uint32(v))
        combined = (int(v) + 0x9E3779B9 + ((int(h) << 6) & 0xFFFFFFFF) + (int(h) >> 2)) & 0xFFFFFFFF
        h = _fmix32(np.uint32(int(h) ^ combined))
    return int(h) % size


def test_crossed_column_matches_a_reference_hash_and_spreads_pairs():
    lat = F.bucketized_column(F.numeric_column("lat"), [34.0, 36.0, 38.0])
    lon = F.bucketized_column(F.numeric_column("lon"), [-122.0, -120.0, -118.0])
    cross = F.crossed_column([lat, lon], 1000)
    grid = np.array([(a, b) for a in [33.0, 35.0, 37.0, 39.0] for b in [-123.0, -121.0, -119.0, -117.0]])
    out, _, _ = dense([F.indicator_column(cross)], {"lat": grid[:, 0], "lon": grid[:, 1]})
    lat_ids = np.digitize(grid[:, 0], [34.0, 36.0, 38.0])
    lon_ids = np.digitize(grid[:, 1], [-122.0, -120.0, -118.0])
    expected = [_cross_reference([a, b], 1000) for a, b in zip(lat_ids, lon_ids)]
    np.testing.assert_array_equal(out.argmax(1), expected)
    assert len(set(expected)) == 16  # 16 distinct cells, no collision in 1000 buckets


def test_cross_of_raw_string_keys_and_missing_parts():
    ids = np.asarray(cross_hash([jax.numpy.array([[3], [-1]]), jax.numpy.array([[5], [5]])], 10, 7))
    assert ids[1, 0] == -1 and ids[0, 0] == _cross_reference([3, 5], 10, seed=7)
    cross = F.crossed_column(["a", "b"], 50)
    out, _, _ = dense([F.indicator_column(cross)], {"a": np.array(["x", "x", "y"], object),
                                                    "b": np.array(["u", "u", "u"], object)})
    assert out[0].argmax() == out[1].argmax() and out.sum() == 3


def test_embedding_combiners_match_numpy_lookups():
    data = {"p": np.array([[0.5, 5.0], [3.0, 2.0]])}
    bucket = F.bucketized_column(F.numeric_column("p", shape=(2,)), [1.0, 4.0])
    for combiner, reduce in [("mean", lambda v: v.mean(0)), ("sum", lambda v: v.sum(0)),
                             ("sqrtn", lambda v: v.sum(0) / np.sqrt(len(v)))]:
        col = F.embedding_column(bucket, 4, combiner=combiner)
        out, _, variables = dense([col], data)
        table = np.asarray(variables["params"]["features"]["p_bucketized_embedding_embedding_weights"])
        ids = np.stack([np.digitize(data["p"][:, 0], [1.0, 4.0]), 3 + np.digitize(data["p"][:, 1], [1.0, 4.0])], 1)
        np.testing.assert_allclose(out, [reduce(table[row]) for row in ids], rtol=1e-6)


def test_embedding_default_initializer_and_max_norm():
    col = F.embedding_column(F.categorical_column_with_identity("i", 500), 16, max_norm=0.1)
    out, _, variables = dense([col], {"i": np.arange(500)})
    table = np.asarray(variables["params"]["features"]["i_embedding_embedding_weights"])
    # truncated normal (at 2 stddev) with stddev 1/sqrt(16): sample std = 0.25 * 0.8796
    assert abs(table.std() - 0.25 * 0.8796) < 0.01 and np.abs(table).max() <= 2 / 4 + 1e-6
    np.testing.assert_array_less(np.linalg.norm(out, axis=1), 0.1 + 1e-6)


def test_several_columns_concatenate_in_the_given_order(frame):
    cols = [F.numeric_column("z"), F.indicator_column(F.categorical_column_with_identity("day", 7)),
            F.numeric_column("x")]
    out, _, _ = dense(cols, frame)
    np.testing.assert_allclose(out[:, 0], frame["z"], rtol=1e-6)
    np.testing.assert_array_equal(out[:, 1:8], np.eye(7)[frame["day"]])
    np.testing.assert_allclose(out[:, 8], frame["x"], rtol=1e-6)
    layer = F.DenseFeatures(cols)
    assert layer.encoder.numeric_width == 2 and layer.encoder.ids_width == 1 and layer.output_width == 9


# ----------------------------------------------------------------------
# LinearModel
def test_linear_model_equals_one_hot_times_kernel(frame):
    cols = [F.numeric_column("x"), F.categorical_column_with_vocabulary_list("city", ["paris", "rome", "oslo"]),
            F.bucketized_column(F.numeric_column("z"), [0.0, 2.0])]
    layer = F.LinearModel(cols, units=2, name="linear").adapt(frame)
    inputs = layer.inputs()
    model = tl.Model(inputs, layer(inputs))
    x = layer.encode(frame)
    variables = model.init(jax.random.key(0), x)
    rng = np.random.default_rng(1)
    params = jax.tree.map(lambda a: rng.normal(size=a.shape).astype("float32"), variables["params"])
    y, _ = model.apply({"params": params, "state": variables["state"]}, x)
    p = params["linear"]
    city = np.eye(3)[[["paris", "rome", "oslo"].index(c) for c in frame["city"]]]
    zb = np.eye(3)[np.digitize(frame["z"], [0.0, 2.0])]
    ref = (frame[["x"]].to_numpy() @ p["kernel"] + city @ p["city_weights"] + zb @ p["z_bucketized_weights"]
           + p["bias"])
    np.testing.assert_allclose(np.asarray(y), ref, rtol=1e-5, atol=1e-5)
    assert all(np.all(v == 0) for v in jax.tree.leaves(variables["params"]))  # TF linear models start at zero


# ----------------------------------------------------------------------
# training and saving
def test_embeddings_and_kernels_train_inside_fit_and_the_model_saves(tmp_path, frame):
    y = (frame["city"] == "rome") * 2.0 + frame["x"]
    cols = [F.numeric_column("x", normalize=True),
            F.embedding_column(F.categorical_column_with_vocabulary_list("city", ["paris", "rome", "oslo"]), 2)]
    feats = F.DenseFeatures(cols, name="features").adapt(frame)
    inputs = feats.inputs()
    model = tl.Model(inputs, tl.layers.Dense(1)(tl.layers.Dense(8, activation="relu")(feats(inputs))))
    model.compile(tl.optimizers.Adam(0.05), "mse")
    x = feats.encode(frame)
    model.build_from_data(x)
    before = np.array(model.get_layer("features").get_weights()[0])
    history = model.fit(x, y.to_numpy(), epochs=30, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    assert not np.allclose(before, model.get_layer("features").get_weights()[0])
    model.save(tmp_path / "m.trainlab")
    loaded = tl.load_model(tmp_path / "m.trainlab")
    layer = loaded.get_layer("features")
    np.testing.assert_array_equal(layer.encode(frame)["features_numeric"], x["features_numeric"])
    np.testing.assert_allclose(loaded.predict(layer.encode(frame), verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_column_configs_round_trip():
    cols = [F.numeric_column("a", shape=(2,), default_value="median", normalize=True),
            F.indicator_column(F.crossed_column(["s", F.categorical_column_with_identity("i", 4)], 30, hash_key=3)),
            F.embedding_column(F.categorical_column_with_vocabulary_list("v", ["x", 1], num_oov_buckets=2), 3,
                               combiner="sqrtn", max_norm=2.0),
            F.bucketized_column(F.numeric_column("b"), [1, 2]),
            F.indicator_column(F.categorical_column_with_hash_bucket("h", 9))]
    for col in cols:
        assert F.deserialize_column(F.serialize_column(col)) == col


def test_structure_signature_ignores_statistics_but_not_structure():
    a = F.DenseFeatures([F.numeric_column("x", normalize=True)], name="f").adapt({"x": np.array([1.0, 2.0])})
    b = F.DenseFeatures([F.numeric_column("x", normalize=True)], name="f").adapt({"x": np.array([5.0, 9.0])})
    c = F.DenseFeatures([F.numeric_column("x")], name="f")
    assert a.structure_signature() == b.structure_signature() != c.structure_signature()
