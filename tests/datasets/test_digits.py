"""digits: scikit-learn's bundled copy with a seeded, stratified split."""

import numpy as np
import pytest

from trainlab.datasets import digits


def test_shapes_dtypes_and_stratified_split():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8 and y_test.shape == (360,)
    assert int(x_train.max()) == digits.MAX_PIXEL
    full = np.bincount(np.concatenate([y_train, y_test])) / 1797
    np.testing.assert_allclose(np.bincount(y_test) / 360, full, atol=1.5 / 360 + 1e-9)


def test_seeded():
    a = digits.load_data(seed=1)
    b = digits.load_data(seed=1)
    c = digits.load_data(seed=2)
    np.testing.assert_array_equal(a[0][0], b[0][0])
    assert not np.array_equal(a[1][1], c[1][1])


def test_bad_test_split():
    with pytest.raises(ValueError, match=r"`test_split` must be in \(0, 1\); received 0"):
        digits.load_data(test_split=0)
