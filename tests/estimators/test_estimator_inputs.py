"""Bad input to estimators (the issue's list) and parameter checks: errors name what is wrong."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from trainlab import features as F
from trainlab.estimators import DNNClassifier, DNNRegressor, LinearClassifier, LinearRegressor


@pytest.fixture
def houses():
    rng = np.random.default_rng(0)
    n = 60
    df = pd.DataFrame({"rooms": rng.uniform(2, 8, n), "ocean": rng.choice(["INLAND", "NEAR BAY"], n)})
    return df, 50 * df["rooms"] + 100 * (df["ocean"] == "INLAND")


def columns(oov=0):
    return [F.numeric_column("rooms", normalize=True),
            F.indicator_column(F.categorical_column_with_vocabulary_list("ocean", ["INLAND", "NEAR BAY"],
                                                                         num_oov_buckets=oov))]


def test_missing_column_is_named_at_fit_and_predict(houses):
    df, y = houses
    with pytest.raises(KeyError, match=r"needs a column named 'ocean'"):
        DNNRegressor(feature_columns=columns(), epochs=1).fit(df[["rooms"]], y)
    est = DNNRegressor(hidden_units=(4,), feature_columns=columns(), epochs=1, random_state=0).fit(df, y)
    with pytest.raises(KeyError, match=r"needs a column named 'rooms'.*Available columns: 'ocean'"):
        est.predict(df[["ocean"]])


def test_extra_columns_are_ignored(houses):
    df, y = houses
    est = LinearRegressor(feature_columns=columns(), epochs=1, random_state=0).fit(df, y)
    np.testing.assert_array_equal(est.predict(df.assign(other=1.0)), est.predict(df))


def test_non_numeric_value_names_column_and_first_bad_value(houses):
    df, y = houses
    bad = df.astype({"rooms": object})
    bad.loc[7, "rooms"] = "six"
    bad.loc[9, "rooms"] = "??"
    with pytest.raises(TypeError, match=r"Column 'rooms' must hold numbers, but row 7 holds 'six'"):
        LinearRegressor(feature_columns=columns(), epochs=1).fit(bad, y)


def test_unseen_category_raises_without_oov_and_uses_it_when_configured(houses):
    df, y = houses
    new = df.head(3).assign(ocean=["INLAND", "ISLAND", "NEAR BAY"])
    strict = LinearRegressor(feature_columns=columns(), epochs=1, random_state=0).fit(df, y)
    with pytest.raises(ValueError, match=r"Column 'ocean' holds the value 'ISLAND' in row 1.*num_oov_buckets"):
        strict.predict(new)
    lenient = LinearRegressor(feature_columns=columns(oov=1), epochs=1, random_state=0).fit(df, y)
    assert np.isfinite(lenient.predict(new)).all()


def test_nan_without_imputer_is_an_error_and_an_imputer_fixes_it(houses):
    df, y = houses
    holes = df.copy()
    holes.loc[[3, 5], "rooms"] = np.nan
    with pytest.raises(ValueError, match=r"Column 'rooms' has 2 missing value\(s\).*row 3.*default_value='mean'"):
        LinearRegressor(feature_columns=columns(), epochs=1).fit(holes, y)
    cols = [F.numeric_column("rooms", default_value="mean", normalize=True)] + columns()[1:]
    est = LinearRegressor(feature_columns=cols, epochs=1, random_state=0).fit(holes, y)
    assert np.isfinite(est.predict(holes)).all()


def test_nan_in_an_array_is_rejected_the_scikit_learn_way():
    with pytest.raises(ValueError, match=r"Input X contains NaN"):
        LinearRegressor().fit(np.array([[1.0], [np.nan]]), [1.0, 2.0])


def test_predict_before_fit_is_not_fitted_error(houses):
    df, _ = houses
    for est in (LinearRegressor(), DNNClassifier()):
        with pytest.raises(NotFittedError, match=r"is not fitted yet"):
            est.predict(df)


def test_targets_are_checked():
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match=r"requires y to be passed"):
        LinearRegressor().fit(X)
    with pytest.raises(ValueError, match=r"only one class \('a'\); a classifier needs samples of at least 2"):
        LinearClassifier().fit(X, ["a"] * 4)
    with pytest.raises(ValueError, match=r"Unknown label type"):
        LinearClassifier().fit(X, [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match=r"`X` has 2 rows but `y` has 3"):
        LinearRegressor().fit(pd.DataFrame({"a": [1.0, 2.0]}), [1.0, 2.0, 3.0])


@pytest.mark.parametrize("params, error, message", [
    (dict(batch_size=0), ValueError, r"`batch_size` must be a positive integer"),
    (dict(epochs=2.5), TypeError, r"`epochs` must be a positive integer"),
    (dict(validation_fraction=1.5), ValueError, r"`validation_fraction` must be in \(0, 1\)"),
    (dict(clip_gradients_by_norm=-1.0), ValueError, r"`clip_gradients_by_norm` must be a positive number.*5.0"),
    (dict(l2=-0.1), ValueError, r"`l2` must be >= 0"),
    (dict(optimizer="adamm"), ValueError, r"Unknown optimizer 'adamm'.*Did you mean \"adam\""),
    (dict(optimizer=3), TypeError, r"`optimizer` must be an optimizer name"),
    (dict(hidden_units="big"), TypeError, r"`hidden_units` must be a non-empty list of layer sizes"),
    (dict(hidden_units=(8, 0)), ValueError, r"`hidden_units` must be a positive integer"),
    (dict(dropout=1.0), ValueError, r"`dropout` must be in \[0, 1\)"),
    (dict(activation="relux"), ValueError, r"Unknown activation 'relux'"),
    (dict(feature_columns=["rooms"]), TypeError, r"must hold columns made by trainlab.features"),
])
def test_bad_parameters_fail_at_fit_with_the_argument_named(params, error, message):
    est = DNNRegressor(epochs=1).set_params(**params)  # scikit-learn: no validation in __init__ / set_params
    with pytest.raises(error, match=message):
        est.fit(pd.DataFrame({"rooms": [1.0, 2.0, 3.0]}), [1.0, 2.0, 3.0])


def test_optimizer_object_is_copied_and_clipping_conflicts_are_reported():
    import trainlab as tl

    opt = tl.optimizers.SGD(0.05, momentum=0.9)
    est = LinearRegressor(optimizer=opt, epochs=2, random_state=0).fit(np.ones((8, 1)), np.ones(8))
    assert est.optimizer is opt and opt.get_config()["global_clipnorm"] is None
    with pytest.raises(ValueError, match=r"already clips gradients and `clip_gradients_by_norm` is set"):
        LinearRegressor(optimizer=tl.optimizers.SGD(clipnorm=1.0), clip_gradients_by_norm=5.0).fit(
            np.ones((8, 1)), np.ones(8))
    made = LinearRegressor(optimizer="sgd", learning_rate=0.3, clip_gradients_by_norm=5.0)._make_optimizer()
    assert made.get_config()["global_clipnorm"] == 5.0 and made.get_config()["learning_rate"] == 0.3


def test_dnn_with_bare_categorical_column_explains_the_fix(houses):
    df, y = houses
    bare = [F.categorical_column_with_vocabulary_list("ocean", ["INLAND", "NEAR BAY"])]
    with pytest.raises(TypeError, match=r"'ocean' is categorical.*indicator_column"):
        DNNRegressor(feature_columns=bare, epochs=1).fit(df, y)
    # linear models take categorical columns directly (one weight per category)
    assert LinearRegressor(feature_columns=bare, epochs=1, random_state=0).fit(df, y).predict(df).shape == (60,)


def test_array_features_after_dataframe_fit_and_feature_names():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [0.0, 1.0, 0.0, 1.0]})
    y = [1.0, 2.0, 3.0, 5.0]
    est = LinearRegressor(epochs=2, random_state=0).fit(df, y)
    assert list(est.feature_names_in_) == ["a", "b"] and est.n_features_in_ == 2
    with pytest.warns(UserWarning, match=r"X does not have valid feature names"):
        np.testing.assert_allclose(est.predict(df.to_numpy()), est.predict(df))


def test_arrays_with_feature_columns_name_their_columns_x0_x1():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = 2 * X[:, 0] + (X[:, 1] > 0)
    cols = [F.numeric_column("x0"), F.bucketized_column(F.numeric_column("x1"), [0.0])]
    est = LinearRegressor(cols, learning_rate=0.1, epochs=60, random_state=0).fit(X, y)
    assert est.score(X, y) > 0.99


def test_dict_of_arrays_input():
    rng = np.random.default_rng(0)
    data = {"v": rng.normal(size=(50, 2)), "tag": rng.choice(["a", "b"], 50)}
    y = data["v"][:, 0] + (data["tag"] == "a")
    cols = [F.numeric_column("v", shape=(2,)), F.indicator_column(F.categorical_column_with_vocabulary_list(
        "tag", ["a", "b"]))]
    est = DNNRegressor(hidden_units=(8,), feature_columns=cols, epochs=2, random_state=0).fit(data, y)
    assert est.n_features_in_ == 2 and est.predict(data).shape == (50,)
    with pytest.raises(ValueError, match=r"same number of rows: `v` has 50, `tag` has 3"):
        est.predict({"v": data["v"], "tag": data["tag"][:3]})
