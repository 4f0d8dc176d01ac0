"""PCA, Imputer, OutlierClipper and drop_outliers against scikit-learn and numpy."""

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA as SkPCA
from sklearn.impute import SimpleImputer

from trainlab.data import PCA, Imputer, OutlierClipper, drop_outliers, outlier_bounds


@pytest.fixture
def correlated():
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(400, 3))
    mix = rng.normal(size=(3, 6))
    return latent @ mix + 0.05 * rng.normal(size=(400, 6)) + 2.0


@pytest.mark.parametrize("n_components,whiten", [(2, False), (3, True), (0.9, False), (None, False)])
def test_pca_matches_sklearn_including_signs(correlated, n_components, whiten):
    pca = PCA(n_components=n_components, whiten=whiten)
    pca.adapt(correlated, batch_size=64)  # streamed scatter-matrix accumulation
    ref = SkPCA(n_components=n_components, whiten=whiten, svd_solver="full").fit(correlated)
    assert pca.n_components_ == ref.n_components_
    np.testing.assert_allclose(pca.explained_variance_, ref.explained_variance_, rtol=1e-6)
    np.testing.assert_allclose(pca.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-6)
    np.testing.assert_allclose(np.abs(pca.components_), np.abs(ref.components_), atol=1e-5)
    out = np.asarray(pca(correlated))
    np.testing.assert_allclose(out, ref.transform(correlated), atol=2e-3 if whiten else 1e-3)
    assert out.shape == (400, ref.n_components_)


def test_pca_variance_ratio_picks_the_fewest_components(correlated):
    pca = PCA(n_components=0.99)
    pca.adapt(correlated)
    ratios = np.cumsum(pca.explained_variance_ratio_)
    assert ratios[-1] >= 0.99 and (len(ratios) == 1 or ratios[-2] < 0.99)
    assert pca.get_config()["output_dim"] == pca.n_components_ == 3


def test_pca_bad_input(correlated):
    bad = correlated.copy()
    bad[5, 4] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite values in column\(s\) 4: 1 value"):
        PCA(2).adapt(bad)
    pca = PCA(2)
    pca.adapt(correlated)
    with pytest.raises(ValueError, match=r"adapted on 6 features, but received inputs of shape \(None, 5\)"):
        pca(correlated[:, :5])
    with pytest.raises(ValueError, match=r"`n_components`=9 must be <= min\(samples, features\)"):
        PCA(9).adapt(correlated)
    with pytest.raises(ValueError, match=r"fraction of explained variance and must be in \(0, 1\)"):
        PCA(1.5)
    with pytest.raises(ValueError, match="Flatten images first"):
        PCA(2).adapt(np.ones((4, 2, 2)))


# ---------------------------------------------------------------- Imputer
@pytest.fixture
def holes():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, size=(60, 4)).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:, 3] = rng.normal(size=60)  # a column without missing values
    return x


@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent", "constant"])
@pytest.mark.parametrize("add_indicator", [False, True])
def test_imputer_matches_simple_imputer(holes, strategy, add_indicator):
    imp = Imputer(strategy=strategy, fill_value=-7.0 if strategy == "constant" else None,
                  add_indicator=add_indicator)
    imp.adapt(holes, batch_size=16)
    ref = SimpleImputer(strategy=strategy, fill_value=-7.0 if strategy == "constant" else None,
                        add_indicator=add_indicator).fit(holes)
    test = holes[::-1].copy()
    test[0, 3] = np.nan  # missing where training had none: imputed, no indicator (as scikit-learn)
    np.testing.assert_allclose(imp(test), ref.transform(test), rtol=1e-6)
    if add_indicator:
        assert imp.indicator_columns == [0, 1, 2]


def test_imputer_with_a_sentinel_missing_value():
    x = np.array([[1.0, -1.0], [3.0, 4.0], [-1.0, 8.0]])
    imp = Imputer(missing_values=-1, strategy="mean")
    imp.adapt(x)
    ref = SimpleImputer(missing_values=-1, strategy="mean").fit(x)
    np.testing.assert_allclose(imp(x), ref.transform(x))


def test_imputer_refuses_an_all_missing_column_by_name():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, np.nan]})
    with pytest.raises(ValueError, match=r"no observed value in column\(s\) 1 \('b'\).*strategy='constant'"):
        Imputer().adapt(frame)


def test_imputer_other_feature_count_is_refused(holes):
    imp = Imputer()
    imp.adapt(holes)
    with pytest.raises(ValueError, match=r"adapted on 4 features, but received inputs of shape \(None, 3\)"):
        imp(holes[:, :3])


# ---------------------------------------------------------------- outliers
def test_bounds_follow_tukey_and_zscore():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 3))
    lo, hi = outlier_bounds(x, "iqr", 2.0)
    q1, q3 = np.percentile(x, 25, axis=0), np.percentile(x, 75, axis=0)
    np.testing.assert_allclose(lo, q1 - 2.0 * (q3 - q1))
    np.testing.assert_allclose(hi, q3 + 2.0 * (q3 - q1))
    lo, hi = outlier_bounds(x, "zscore")
    np.testing.assert_allclose(hi, x.mean(0) + 3 * x.std(0))


def test_clipper_clips_to_training_bounds():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(100, 2))
    clip = OutlierClipper(method="zscore", threshold=2.0)
    clip.adapt(x)
    lo, hi = x.mean(0) - 2 * x.std(0), x.mean(0) + 2 * x.std(0)
    test = np.array([[100.0, -100.0], [0.1, 0.2]])
    np.testing.assert_allclose(clip(test), np.clip(test, lo, hi), rtol=1e-5)


def test_drop_outliers_drops_rows_and_reports_counts():
    x = np.array([[1.0, 10.0], [2.0, 11.0], [3.0, 12.0], [4.0, 13.0], [100.0, 12.0], [2.5, -500.0], [3.0, 900.0]])
    y = np.arange(7)
    x_kept, y_kept, report = drop_outliers(x, y)
    assert y_kept.tolist() == [0, 1, 2, 3]
    assert report.n_dropped == 3 and report.n_kept == 4 and report.n_rows == 7
    assert report.per_column == {"0": 1, "1": 2}
    np.testing.assert_array_equal(x_kept, x[:4])
    assert "dropped 3 of 7 rows" in str(report)


def test_drop_outliers_on_a_frame_with_named_columns_and_clipper_bounds():
    frame = pd.DataFrame({"price": [1.0, 2.0, 3.0, 50.0], "rooms": [1.0, 1.0, 2.0, 2.0]})
    kept, report = drop_outliers(frame, columns=["price"])
    assert list(kept.index) == [0, 1, 2] and report.per_column == {"0 ('price')": 1}
    clip = OutlierClipper()
    clip.adapt(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]))
    _, report = drop_outliers(frame.to_numpy(), clipper=clip)  # bounds [-3, 6] from the clipper
    assert report.n_dropped == 1


def test_drop_outliers_bad_input():
    with pytest.raises(ValueError, match=r"drop_outliers\(\) received data with NaN.*column\(s\) 0: 1 value"):
        drop_outliers(np.array([[np.nan], [1.0]]))
    with pytest.raises(ValueError, match="same rows: `x` has 2, argument 1 has 3"):
        drop_outliers(np.ones((2, 1)), np.ones(3))
    with pytest.raises(ValueError, match="no such column"):
        drop_outliers(pd.DataFrame({"a": [1.0]}), columns=["b"])
