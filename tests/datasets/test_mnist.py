"""mnist and fashion_mnist: Keras shapes and dtypes, the 10k variant, Keras's npz."""

import warnings

import numpy as np
import pytest

from dataset_files import make_mnist_10k_folder, make_mnist_folder
from trainlab.datasets import DatasetFormatError, DatasetNotFoundError, fashion_mnist, mnist


@pytest.mark.parametrize("module", [mnist, fashion_mnist], ids=["mnist", "fashion_mnist"])
def test_official_layout(tmp_path, module):
    expected = make_mnist_folder(tmp_path / "d", n_train=30, n_test=10)
    (x_train, y_train), (x_test, y_test) = module.load_data(path=tmp_path / "d")
    assert x_train.shape == (30, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (30,) and y_train.dtype == np.uint8
    assert x_test.shape == (10, 28, 28) and y_test.shape == (10,)
    np.testing.assert_array_equal(x_train, expected[0][0])
    np.testing.assert_array_equal(y_test, expected[1][1])


def test_mnist_10k_variant_explicit_path(tmp_path):
    x, y = make_mnist_10k_folder(tmp_path / "mnist-10k", n=100)
    for path in (tmp_path / "mnist-10k", tmp_path):  # the folder, or its parent
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an explicit path does not warn
            (x_train, y_train), (x_test, y_test) = mnist.load_data(path=path)
        assert x_train.shape == (80, 28, 28) and x_test.shape == (20, 28, 28)
        assert np.bincount(y_test).tolist() == [2] * 10  # stratified
    # a partition of the 100 images, the same on every call
    rows = {r.tobytes() for r in np.concatenate([x_train, x_test])}
    assert rows == {r.tobytes() for r in x}
    (x_train2, _), _ = mnist.load_data(path=tmp_path / "mnist-10k")
    np.testing.assert_array_equal(x_train, x_train2)


def test_mnist_10k_variant_from_data_dir_warns(tmp_path, monkeypatch):
    make_mnist_10k_folder(tmp_path / "data" / "mnist-10k", n=50)
    monkeypatch.setenv("TRAINLAB_DATA_DIR", str(tmp_path / "data"))
    with pytest.warns(UserWarning, match=r"10k variant .* instead of the official 60,000 / 10,000"):
        (x_train, _), (x_test, _) = mnist.load_data()
    assert len(x_train) == 40 and len(x_test) == 10
    # the official layout in the same data dir is preferred
    make_mnist_folder(tmp_path / "data" / "mnist", n_train=7, n_test=3)
    (x_train, _), _ = mnist.load_data()
    assert len(x_train) == 7


def test_load_10k_split_arguments(tmp_path, monkeypatch):
    make_mnist_10k_folder(tmp_path / "data" / "mnist-10k", n=100)
    monkeypatch.setenv("TRAINLAB_DATA_DIR", str(tmp_path / "data"))
    (x_train, _), (x_test, _) = mnist.load_10k(test_split=0.3, seed=1)
    assert (len(x_train), len(x_test)) == (70, 30)
    with pytest.raises(ValueError, match=r"`test_split` must be in \(0, 1\)"):
        mnist.load_10k(test_split=1.0)
    monkeypatch.delenv("TRAINLAB_DATA_DIR")
    with pytest.raises(DatasetNotFoundError, match=r"images-idx3-ubyte.gz and labels-idx1-ubyte.gz"):
        mnist.load_10k()


def test_keras_npz_and_keras_default_name(tmp_path, monkeypatch):
    x = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    np.savez(tmp_path / "mnist.npz", x_train=x, y_train=np.array([1, 2], np.uint8), x_test=x[:1],
             y_test=np.array([3], np.uint8))  # fmt: skip
    (x_train, y_train), (_, y_test) = mnist.load_data(path=tmp_path / "mnist.npz")
    np.testing.assert_array_equal(x_train, x)
    assert y_test.tolist() == [3]
    np.savez(tmp_path / "bad.npz", x=x)
    with pytest.raises(DatasetFormatError, match=r"bad.npz is not a Keras mnist.npz"):
        mnist.load_data(path=tmp_path / "bad.npz")
    # Keras's cache name "mnist.npz" (absent here) means "the default places"
    monkeypatch.chdir(tmp_path / "..")
    make_mnist_folder(tmp_path / "cache" / "mnist", n_train=5)
    (x_train, _), _ = mnist.load_data("mnist.npz")
    assert len(x_train) == 5


def test_mnist_missing_everything_mentions_variants(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetNotFoundError, match=r"lacks train-images-idx3-ubyte.gz.*10k variant"):
        mnist.load_data(path=tmp_path / "empty")
    with pytest.raises(DatasetNotFoundError, match=r"t10k-labels-idx1-ubyte.gz"):
        mnist.load_data()  # offline: names the official files
