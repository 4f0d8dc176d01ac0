"""`infer_feature_columns`: proposals from dtypes and cardinality, with reasons."""

import numpy as np
import pandas as pd
import pytest

from trainlab import features as F


@pytest.fixture
def df():
    rng = np.random.default_rng(0)
    n = 400
    price = rng.lognormal(0, 1, n)
    price[:10] = np.nan
    return pd.DataFrame({
        "income": rng.normal(size=n),
        "price": price,
        "rooms": rng.integers(1, 9, n),
        "pool": rng.random(n) > 0.5,
        "ocean": rng.choice(["INLAND", "NEAR BAY", "ISLAND"], n),
        "zip": [f"z{i % 50}" for i in range(n)],
        "street": [f"s{i % 200}" for i in range(n)],
        "user_id": [f"u{i}" for i in range(n)],
        "kind": pd.Categorical(rng.choice(["a", "b"], n), categories=["a", "b", "c"]),
        "constant": 1.0,
        "nothing": np.nan,
        "when": pd.date_range("2020-01-01", periods=n),
        "target": rng.normal(size=n),
    })


def by_key(cols):
    return {c.key: c for c in cols.choices}


def test_proposals_follow_dtype_and_cardinality(df):
    cols = F.infer_feature_columns(df, exclude="target", max_one_hot=20, max_vocabulary=100)
    choice = by_key(cols)
    assert choice["income"].column == F.numeric_column("income", normalize=True)
    assert choice["price"].column == F.numeric_column("price", default_value="mean", normalize=True)
    assert "10 missing value(s) (2.5%) filled with the training mean" in choice["price"].reason
    assert "right-skewed" in choice["price"].reason
    assert "codes rather than amounts" in choice["rooms"].reason
    assert choice["pool"].column == F.numeric_column("pool")
    ocean = choice["ocean"].column
    assert isinstance(ocean, F.IndicatorColumn)
    assert ocean.categorical_column.vocabulary_list == ("INLAND", "ISLAND", "NEAR BAY")
    assert ocean.categorical_column.num_oov_buckets == 1
    zip_col = choice["zip"].column
    assert isinstance(zip_col, F.EmbeddingColumn) and zip_col.dimension == 3  # ceil(50 ** 0.25)
    street = choice["street"].column
    assert isinstance(street.categorical_column, F.HashedColumn)
    assert street.categorical_column.hash_bucket_size == 512  # next power of two >= 2 * 200 distinct
    assert choice["kind"].column.categorical_column.vocabulary_list == ("a", "b", "c")  # all categories
    for skipped, why in [("user_id", "identifier"), ("constant", "constant"), ("nothing", "missing"),
                         ("when", "derive numbers"), ("target", "excluded")]:
        assert choice[skipped].column is None and why in choice[skipped].reason
    assert cols.skipped == ["user_id", "constant", "nothing", "when", "target"]
    assert [c.name for c in cols] == ["income", "price", "rooms", "pool", "ocean_indicator", "zip_embedding",
                                      "street_embedding", "kind_indicator"]


def test_explain_has_one_line_per_column(df):
    cols = F.infer_feature_columns(df[["income", "ocean"]])
    lines = cols.explain().splitlines()
    assert lines[0].startswith("'income' [float64, 400 distinct, 0 missing] -> income: numeric; standardized")
    dtype = str(pd.Series(["a"]).dtype)  # "object" before pandas 3, "str" after
    assert lines[1].startswith(f"'ocean' [{dtype}, 3 distinct, 0 missing] -> ocean_indicator: 3 categories")


def test_linear_mode_keeps_categorical_columns_bare(df):
    cols = F.infer_feature_columns(df[["ocean", "zip", "income"]], model="linear", normalize=False)
    assert isinstance(cols[0], F.VocabularyListColumn) and isinstance(cols[1], F.VocabularyListColumn)
    assert cols[2] == F.numeric_column("income")


def test_inferred_columns_build_a_working_layer(df):
    cols = F.infer_feature_columns(df, exclude=["target"])
    layer = F.DenseFeatures(cols).adapt(df)
    encoded = layer.encode(df)
    assert encoded[layer.input_names[0]].shape == (400, 4) and encoded[layer.input_names[1]].shape == (400, 4)


def test_verbose_prints_the_explanation(df, capsys):
    F.infer_feature_columns(df[["income"]], verbose=True)
    assert "'income'" in capsys.readouterr().out


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"`df` of infer_feature_columns must be a pandas DataFrame"):
        F.infer_feature_columns({"a": [1]})
    with pytest.raises(ValueError, match=r"`exclude` names column\(s\) \['nope'\]"):
        F.infer_feature_columns(pd.DataFrame({"a": [1.0, 2.0]}), exclude="nope")
    with pytest.raises(ValueError, match=r"`model` must be one of 'dnn', 'linear'"):
        F.infer_feature_columns(pd.DataFrame({"a": [1.0, 2.0]}), model="tree")
