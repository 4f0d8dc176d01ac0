"""keras.utils / keras.regularizers names that course code calls: references written out in numpy."""

import numpy as np
import pytest

import trainlab as tl


def test_to_categorical_matches_one_hot_and_checks_labels():
    y = np.array([2, 0, 1, 2])
    np.testing.assert_array_equal(tl.utils.to_categorical(y), np.eye(3, dtype="float32")[y])
    assert tl.utils.to_categorical(y.reshape(-1, 1), 5).shape == (4, 5)
    with pytest.raises(ValueError, match=r"`y` has labels in \[0, 2\] but `num_classes` is 2"):
        tl.utils.to_categorical(y, 2)


def test_normalize_is_keras_l_p_normalization():
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    x[2] = 0.0
    for axis, order in ((-1, 2), (0, 2), (-1, 1)):
        norm = np.linalg.norm(x, order, axis, keepdims=True)
        expected = x / np.where(norm == 0, 1, norm)
        np.testing.assert_allclose(tl.utils.normalize(x, axis=axis, order=order), expected, rtol=1e-6)
    assert np.all(tl.utils.normalize(x)[2] == 0)  # a zero row stays zero
    with pytest.raises(ValueError, match=r"`order` must be a positive integer"):
        tl.utils.normalize(x, order=0)


def test_pad_sequences_in_utils_is_the_keras_one():
    seqs = [[1, 2, 3], [4], [5, 6]]
    np.testing.assert_array_equal(tl.utils.pad_sequences(seqs, maxlen=2, padding="post", truncating="pre"),
                                  [[2, 3], [4, 0], [5, 6]])


def test_lowercase_regularizer_aliases_as_in_course_code():
    w = np.array([[1.0, -2.0], [0.5, 3.0]], "float32")
    r2, r1 = tl.regularizers.l2(0.001), tl.regularizers.l1(0.01)
    assert isinstance(r2, tl.regularizers.L2) and isinstance(r1, tl.regularizers.L1)
    np.testing.assert_allclose(float(r2(w)), 0.001 * np.sum(w ** 2), rtol=1e-6)
    np.testing.assert_allclose(float(r1(w)), 0.01 * np.sum(np.abs(w)), rtol=1e-6)
    layer = tl.layers.Dense(2, kernel_regularizer=tl.regularizers.l2(0.01))
    assert layer.get_config()["kernel_regularizer"]["class_name"] in ("L2", "l2")
