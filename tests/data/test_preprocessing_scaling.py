"""Normalization and MinMaxScaling against numpy and scikit-learn."""

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import MinMaxScaler, StandardScaler

import trainlab as tl
from trainlab.data import MinMaxScaling, Normalization


@pytest.fixture
def table():
    rng = np.random.default_rng(0)
    return rng.normal(size=(300, 5)) * np.array([1.0, 10.0, 0.1, 100.0, 3.0]) + np.array([0, 5, -2, 1000, 7])


def test_normalization_matches_standard_scaler(table):
    norm = Normalization()
    norm.adapt(table)
    np.testing.assert_allclose(norm(table), StandardScaler().fit_transform(table), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(norm.mean, table.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(norm.variance, table.var(axis=0), rtol=1e-5)  # population variance, as Keras
    assert float(norm.count) == 300


def test_streamed_adapt_equals_one_pass(table):
    whole, streamed = Normalization(), Normalization()
    whole.adapt(table)
    streamed.adapt(table, batch_size=7)  # uneven chunks through Chan's update
    np.testing.assert_allclose(streamed.mean, whole.mean, rtol=1e-6)
    np.testing.assert_allclose(streamed.variance, whole.variance, rtol=1e-5)


def test_adapt_on_a_dataset_of_batches(table):
    norm = Normalization()
    norm.adapt(tl.data.Dataset.from_tensor_slices(table).batch(64))
    np.testing.assert_allclose(norm.mean, table.mean(axis=0), rtol=1e-5)


@pytest.mark.parametrize("axis,reduce", [(-1, (0, 1, 2)), ((1, 3), (0, 2)), (None, (0, 1, 2, 3))])
def test_normalization_axes_on_images(axis, reduce):
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 255, size=(20, 6, 5, 3))
    norm = Normalization(axis=axis)
    norm.adapt(images)
    mean = images.mean(axis=reduce, keepdims=True)
    std = images.std(axis=reduce, keepdims=True)
    np.testing.assert_allclose(norm(images), (images - mean) / std, rtol=1e-4, atol=1e-4)


def test_constant_feature_maps_to_zero_and_invert_undoes():
    x = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    norm = Normalization()
    norm.adapt(x)
    out = np.asarray(norm(x))
    assert np.all(out[:, 1] == 0.0)  # sqrt(variance) floored at 1e-7, as Keras
    inv = Normalization(mean=norm.mean, variance=norm.variance, invert=True)
    np.testing.assert_allclose(inv(out)[:, 0], x[:, 0], rtol=1e-6)


def test_given_mean_and_variance_need_no_adapt():
    norm = Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    np.testing.assert_allclose(norm(np.array([[3.0, 8.0]])), [[1.0, 2.0]])
    assert norm.get_weights() == []  # constants, like Keras, not weights


def test_minmax_matches_sklearn(table):
    for feature_range in [(0.0, 1.0), (-1.0, 1.0)]:
        scale = MinMaxScaling(feature_range=feature_range)
        scale.adapt(table, batch_size=50)
        ref = MinMaxScaler(feature_range=feature_range).fit(table)
        np.testing.assert_allclose(scale(table), ref.transform(table), rtol=1e-4, atol=1e-5)
        test = table * 2.0
        np.testing.assert_allclose(scale(test), ref.transform(test), rtol=1e-4, atol=1e-4)


def test_minmax_clip_and_constant_feature():
    scale = MinMaxScaling(clip=True)
    scale.adapt(np.array([[0.0, 3.0], [10.0, 3.0]]))
    np.testing.assert_allclose(scale(np.array([[20.0, 3.0], [-5.0, 4.0]])), [[1.0, 0.0], [0.0, 1.0]])


def test_pandas_frame_in(table):
    frame = pd.DataFrame(table, columns=list("abcde"))
    norm = Normalization()
    norm.adapt(frame)
    np.testing.assert_allclose(norm(frame), StandardScaler().fit_transform(table), rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------- bad input
def test_adapt_with_nan_names_the_columns():
    frame = pd.DataFrame({"rooms": [1.0, np.nan, 3.0], "age": [1.0, 2.0, 3.0], "income": [np.nan, np.nan, 1.0]})
    for layer in (Normalization(), MinMaxScaling()):
        with pytest.raises(ValueError, match=r"column\(s\) 0 \('rooms'\): 1 value\(s\), 2 \('income'\): 2 value"):
            layer.adapt(frame)
    with pytest.raises(ValueError, match=r"Imputer"):
        Normalization().adapt(np.array([[1.0, np.inf]]))


def test_transform_with_other_feature_count_is_refused(table):
    for layer in (Normalization(), MinMaxScaling()):
        layer.adapt(table)
        with pytest.raises(ValueError, match=r"adapted on data of shape \(None, 5\).*received inputs of shape "
                                             r"\(None, 4\).*same columns"):
            layer(table[:, :4])


def test_model_with_other_feature_count_is_refused(table):
    norm = Normalization()
    norm.adapt(table)
    with pytest.raises(ValueError, match=r"adapted on data of shape \(None, 5\)"):
        tl.Sequential([tl.layers.Input((4,)), norm, tl.layers.Dense(1)])


def test_use_before_adapt_is_refused():
    with pytest.raises(ValueError, match=r"no statistics yet: call normalization\.adapt\(x_train\)"):
        Normalization()(np.ones((2, 3)))


def test_bad_arguments():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        Normalization(mean=[1.0])
    with pytest.raises(ValueError, match="axis=None"):
        Normalization().adapt(np.arange(5.0))
    with pytest.raises(ValueError, match=r"`feature_range` must have low < high"):
        MinMaxScaling(feature_range=(1, 0))
    with pytest.raises(ValueError, match="empty data"):
        Normalization().adapt(np.zeros((0, 3)))
