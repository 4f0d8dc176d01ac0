"""The project's shared copies of Fashion-MNIST and MNIST-10k (real files)."""

import os
from pathlib import Path

import numpy as np
import pytest

from trainlab.datasets import fashion_mnist, mnist

REPO = Path(__file__).resolve().parents[2]
_CANDIDATES = [p for p in os.environ.get("TRAINLAB_DATA_DIR", "").split(os.pathsep) if p]
_CANDIDATES.append(str(REPO.parent / "shared" / "datasets"))
SHARED = next((Path(p) for p in _CANDIDATES if (Path(p) / "fashion-mnist").is_dir()), None)

needs_shared = pytest.mark.skipif(
    SHARED is None,
    reason=f"no shared datasets folder: looked in {', '.join(_CANDIDATES)} "
    f"(set TRAINLAB_DATA_DIR to the folder that holds fashion-mnist/)",
)


@needs_shared
def test_real_fashion_mnist(monkeypatch):
    monkeypatch.setenv("TRAINLAB_DATA_DIR", str(SHARED))
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [6000] * 10  # the shared copy's documented split
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert 0 < x_train.mean() < 255


@needs_shared
def test_real_mnist_10k():
    if not (SHARED / "mnist-10k").is_dir():
        pytest.skip(f"{SHARED / 'mnist-10k'} is absent")
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=SHARED / "mnist-10k")
    assert x_train.shape == (8000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert set(np.unique(y_train)) == set(range(10))
