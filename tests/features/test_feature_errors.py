"""Bad input to feature columns: every message names the column, the value and the fix."""

import numpy as np
import pandas as pd
import pytest

from trainlab import features as F


def encode(columns, data, train=None):
    layer = F.DenseFeatures(columns).adapt(data if train is None else train)
    return layer.encode(data)


def test_missing_column_is_named_with_a_suggestion():
    df = pd.DataFrame({"median_income": [1.0], "population": [3.0]})
    with pytest.raises(KeyError, match=r"needs a column named 'median_incme'.*Did you mean \"median_income\""):
        encode([F.numeric_column("median_incme")], df)


def test_missing_column_at_predict_time_is_named():
    layer = F.DenseFeatures([F.numeric_column("a"), F.numeric_column("b")]).adapt(pd.DataFrame({"a": [1.0], "b": [2.0]}))
    with pytest.raises(KeyError, match=r"'b'.*Available columns: 'a'"):
        layer.encode(pd.DataFrame({"a": [1.0]}))


def test_non_numeric_value_names_column_row_and_value():
    df = pd.DataFrame({"rooms": [3, "n/a", 5, "?"]})
    with pytest.raises(TypeError, match=r"Column 'rooms' must hold numbers, but row 1 holds 'n/a'"):
        encode([F.numeric_column("rooms")], df)


def test_nan_without_imputer_names_column_and_row_and_suggests_default_value():
    df = pd.DataFrame({"age": [30.0, 41.0, np.nan, np.nan]})
    with pytest.raises(ValueError, match=r"Column 'age' has 2 missing value\(s\).*first is in row 2.*default_value='mean'"):
        encode([F.numeric_column("age")], df)


def test_none_in_object_column_is_a_missing_value():
    with pytest.raises(ValueError, match=r"'w' has 1 missing value"):
        encode([F.numeric_column("w")], pd.DataFrame({"w": [1.0, None, 2]}, dtype=object))


def test_infinite_value_is_named():
    with pytest.raises(ValueError, match=r"Column 'r' has 1 infinite value\(s\); the first is in row 1"):
        encode([F.numeric_column("r")], pd.DataFrame({"r": [1.0, np.inf]}))


def test_unseen_category_without_oov_names_the_value():
    col = F.indicator_column(F.categorical_column_with_vocabulary_list("ocean", ["INLAND", "NEAR BAY"]))
    train = pd.DataFrame({"ocean": ["INLAND", "NEAR BAY"]})
    with pytest.raises(ValueError, match=r"Column 'ocean' holds the value 'ISLAND' in row 1.*num_oov_buckets=1"):
        encode([col], pd.DataFrame({"ocean": ["INLAND", "ISLAND"]}), train)


def test_unseen_category_goes_to_the_oov_bucket_when_configured():
    col = F.indicator_column(F.categorical_column_with_vocabulary_list("ocean", ["INLAND", "NEAR BAY"],
                                                                       num_oov_buckets=1))
    layer = F.DenseFeatures([col], name="f").adapt(pd.DataFrame({"ocean": ["INLAND"]}))
    ids = layer.encode(pd.DataFrame({"ocean": ["ISLAND", None, "INLAND"]}))["f_ids"][:, 0]
    np.testing.assert_array_equal(ids, [2, 2, 0])


def test_identity_out_of_range_and_non_integer():
    col = F.indicator_column(F.categorical_column_with_identity("day", 7))
    with pytest.raises(ValueError, match=r"'day' holds the id 9 in row 1, outside \[0, 7\)"):
        encode([col], pd.DataFrame({"day": [1, 9]}))
    with pytest.raises(TypeError, match=r"must hold integer ids, but row 0 holds 1.5"):
        encode([col], pd.DataFrame({"day": [1.5]}))


def test_encode_before_adapt_explains_what_to_do():
    layer = F.DenseFeatures([F.numeric_column("a", normalize=True)])
    with pytest.raises(RuntimeError, match=r"adapted.*Call layer.adapt\(train_data\) first"):
        layer.encode({"a": np.ones(2)})


def test_data_must_be_a_frame_or_dict():
    layer = F.DenseFeatures([F.numeric_column("a")])
    with pytest.raises(TypeError, match=r"`x` must be a pandas DataFrame or a dict"):
        layer.encode(np.ones((2, 1)))


def test_dict_columns_of_different_lengths():
    with pytest.raises(ValueError, match=r"same number of rows: `a` has 2, `b` has 3"):
        encode([F.numeric_column("a"), F.numeric_column("b")], {"a": np.ones(2), "b": np.ones(3)})


def test_wrong_numeric_shape_says_which_shape_to_declare():
    with pytest.raises(ValueError, match=r"shape \(3,\) per row.*numeric_column\('v', shape=\(3,\)\)"):
        encode([F.numeric_column("v")], {"v": np.ones((4, 3))})


@pytest.mark.parametrize("make, error, message", [
    (lambda: F.numeric_column(""), TypeError, r"`key` of numeric_column must be the non-empty name"),
    (lambda: F.numeric_column("a", shape=(0,)), ValueError, r"`shape` of numeric_column\('a'\) must hold positive"),
    (lambda: F.numeric_column("a", default_value="mode"), ValueError, r"`default_value` must be one of 'mean', 'median'"),
    (lambda: F.numeric_column("a", default_value=[1]), TypeError, r"must be None, a number, 'mean' or 'median'"),
    (lambda: F.numeric_column("a", normalize=True, normalizer_fn=abs), ValueError, r"both `normalizer_fn` and"),
    (lambda: F.bucketized_column(F.numeric_column("a"), [2, 1]), ValueError, r"strictly increasing.*sorted\(set"),
    (lambda: F.bucketized_column(F.numeric_column("a"), []), ValueError, r"non-empty list"),
    (lambda: F.bucketized_column("a", [1]), TypeError, r"`source_column` of bucketized_column must be a numeric_column"),
    (lambda: F.categorical_column_with_vocabulary_list("c", ["a", "a"]), ValueError, r"duplicate value\(s\) \['a'\]"),
    (lambda: F.categorical_column_with_vocabulary_list("c", []), ValueError, r"`vocabulary_list` of 'c' is empty"),
    (lambda: F.categorical_column_with_vocabulary_list("c", "abc"), TypeError, r"must be a list of values"),
    (lambda: F.categorical_column_with_vocabulary_list("c", ["a"], default_value=0, num_oov_buckets=1),
     ValueError, r"both `default_value` and `num_oov_buckets`"),
    (lambda: F.categorical_column_with_vocabulary_list("c", ["a"], default_value=5), ValueError, r"-1 \(no category\)"),
    (lambda: F.categorical_column_with_identity("c", 0), ValueError, r"`num_buckets` must be a positive integer"),
    (lambda: F.categorical_column_with_hash_bucket("c", 1), ValueError, r"`hash_bucket_size` must be at least 2"),
    (lambda: F.crossed_column(["a"], 10), ValueError, r"at least two features"),
    (lambda: F.crossed_column(["a", F.numeric_column("b")], 10), TypeError, r"Bucketize numeric columns first"),
    (lambda: F.indicator_column(F.numeric_column("a")), TypeError, r"already dense.*bucketized_column"),
    (lambda: F.embedding_column(F.categorical_column_with_identity("a", 3), 0), ValueError,
     r"`dimension` must be a positive integer"),
    (lambda: F.embedding_column(F.categorical_column_with_identity("a", 3), 2, combiner="max"), ValueError,
     r"`combiner` must be one of 'mean', 'sum', 'sqrtn'"),
    (lambda: F.embedding_column(F.categorical_column_with_identity("a", 3), 2, ckpt_to_load_from="x"), TypeError,
     r"unsupported argument\(s\) `ckpt_to_load_from`"),
])
def test_bad_column_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_dense_features_rejects_bare_categorical_columns_with_the_fix():
    with pytest.raises(TypeError, match=r"'city' is categorical.*indicator_column.*embedding_column"):
        F.DenseFeatures([F.categorical_column_with_vocabulary_list("city", ["a"])])


def test_feature_layer_arguments():
    with pytest.raises(ValueError, match=r"several columns named \['a'\]"):
        F.DenseFeatures([F.numeric_column("a"), F.numeric_column("a", normalize=True)])
    with pytest.raises(TypeError, match=r"must hold columns made by trainlab.features"):
        F.DenseFeatures(["a"])
    with pytest.raises(ValueError, match=r"`feature_columns` of LinearModel is empty"):
        F.LinearModel([])


def test_imputer_on_a_column_without_any_value():
    with pytest.raises(ValueError, match=r"'e' has no values at all.*Pass a number as default_value"):
        F.DenseFeatures([F.numeric_column("e", default_value="mean")]).adapt(pd.DataFrame({"e": [np.nan, np.nan]}))


def test_normalizer_fn_models_cannot_be_saved_and_say_why():
    with pytest.raises(TypeError, match=r"`normalizer_fn`, a Python function that cannot be saved"):
        F.serialize_column(F.numeric_column("a", normalizer_fn=abs))
