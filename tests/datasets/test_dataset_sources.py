"""Where files come from: path=, TRAINLAB_DATA_DIR, the cache, a verified download."""

import hashlib
import os
import urllib.error
from dataclasses import replace

import numpy as np
import pytest

from dataset_files import make_mnist_folder
from trainlab.datasets import ChecksumError, DatasetNotFoundError, _download, fashion_mnist
from trainlab.datasets._sources import DatasetSpec, RemoteFile, cache_root, locate

FILES = [f.name for f in fashion_mnist.SPEC.files]
REAL_FETCH = _download.fetch  # saved at import, before the autouse fixture disables it


def assert_loaded(result, expected):
    (x_train, y_train), (x_test, y_test) = result
    np.testing.assert_array_equal(x_train, expected[0][0])
    np.testing.assert_array_equal(y_train, expected[0][1])
    np.testing.assert_array_equal(x_test, expected[1][0])
    np.testing.assert_array_equal(y_test, expected[1][1])


def test_cache_root_follows_env(monkeypatch, tmp_path):
    assert cache_root() == tmp_path / "cache"
    monkeypatch.delenv("TRAINLAB_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".trainlab" / "datasets"


def test_explicit_folder_wins_over_everything(tmp_path, monkeypatch):
    expected = make_mnist_folder(tmp_path / "mine", n_train=12)
    make_mnist_folder(tmp_path / "data" / "fashion-mnist", n_train=20)
    monkeypatch.setenv("TRAINLAB_DATA_DIR", str(tmp_path / "data"))
    assert_loaded(fashion_mnist.load_data(path=tmp_path / "mine"), expected)
    # the dataset's folder name below the given folder is accepted too
    assert_loaded(fashion_mnist.load_data(path=str(tmp_path / "mine")), expected)


@pytest.mark.parametrize("folder", ["fashion-mnist", "fashion_mnist"])
def test_data_dir_before_cache(tmp_path, monkeypatch, folder):
    expected = make_mnist_folder(tmp_path / "data" / folder, n_train=20)
    make_mnist_folder(tmp_path / "cache" / "fashion-mnist", n_train=30)
    monkeypatch.setenv("TRAINLAB_DATA_DIR", os.pathsep.join([str(tmp_path / "none"), str(tmp_path / "data")]))
    assert_loaded(fashion_mnist.load_data(), expected)


def test_incomplete_data_dir_falls_through_to_cache(tmp_path, monkeypatch):
    make_mnist_folder(tmp_path / "data" / "fashion-mnist")
    (tmp_path / "data" / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    expected = make_mnist_folder(tmp_path / "cache" / "fashion-mnist", n_train=15)
    monkeypatch.setenv("TRAINLAB_DATA_DIR", str(tmp_path / "data"))
    assert_loaded(fashion_mnist.load_data(), expected)


def test_decompressed_local_files_accepted(tmp_path):
    expected = make_mnist_folder(tmp_path / "raw", compress=False)
    assert_loaded(fashion_mnist.load_data(path=tmp_path / "raw"), expected)


def test_explicit_folder_missing_files(tmp_path):
    make_mnist_folder(tmp_path / "partial")
    (tmp_path / "partial" / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetNotFoundError, match=r"partial given as `path` lacks train-labels-idx1-ubyte.gz"):
        fashion_mnist.load_data(path=tmp_path / "partial")
    with pytest.raises(DatasetNotFoundError, match=r"`path` '.*nowhere' does not exist"):
        fashion_mnist.load_data(path=tmp_path / "nowhere")
    with pytest.raises(DatasetNotFoundError, match=r"points to the file .* needs 4 files"):
        fashion_mnist.load_data(path=tmp_path / "partial" / "t10k-labels-idx1-ubyte.gz")


def test_offline_error_lists_files_folder_and_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINLAB_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(DatasetNotFoundError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    for name in FILES:
        assert name in message
    assert str(tmp_path / "cache" / "fashion-mnist") in message
    assert str(tmp_path / "data" / "fashion-mnist") in message
    assert "TRAINLAB_DATA_DIR" in message and "network disabled in tests" in message
    assert "`path=`" in message
    assert not list((tmp_path / "cache" / "fashion-mnist").glob("*"))  # nothing half-written


# ------------------------------------------------------------------ downloads


def file_spec(tmp_path, content: bytes, sha: str | None = None) -> DatasetSpec:
    source = tmp_path / "server" / "blob.bin"
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(content)
    sha = sha or hashlib.sha256(content).hexdigest()
    return DatasetSpec("toy", "Toy", (RemoteFile("blob.bin", (source.as_uri(),), sha, len(content)),))


@pytest.fixture
def real_fetch(monkeypatch):
    """Allow `fetch` to read file:// URLs again (the tests use no network URL)."""
    monkeypatch.setattr(_download, "fetch", REAL_FETCH)


def test_download_from_file_url_into_cache(tmp_path, real_fetch):
    spec = file_spec(tmp_path, b"payload" * 1000)
    found = locate(spec)
    assert found["blob.bin"] == tmp_path / "cache" / "toy" / "blob.bin"
    assert found["blob.bin"].read_bytes() == b"payload" * 1000
    assert [p.name for p in (tmp_path / "cache" / "toy").iterdir()] == ["blob.bin"]
    (tmp_path / "server" / "blob.bin").unlink()  # the second call does not download
    assert locate(spec)["blob.bin"] == found["blob.bin"]


def test_checksum_mismatch_deletes_download(tmp_path, real_fetch):
    spec = file_spec(tmp_path, b"tampered", sha="ab" * 32)
    actual = hashlib.sha256(b"tampered").hexdigest()
    with pytest.raises(ChecksumError) as info:
        locate(spec)
    message = str(info.value)
    assert spec.files[0].urls[0] in message and "ab" * 32 in message and actual in message
    folder = tmp_path / "cache" / "toy"
    assert not folder.exists() or not list(folder.iterdir())  # no file, no temp file


def test_mirror_used_when_first_url_fails(tmp_path, monkeypatch):
    content = b"idx bytes"
    spec = DatasetSpec(
        "toy", "Toy",
        (RemoteFile("f.gz", ("https://down.example/f.gz", "https://mirror.example/f.gz"),
                    hashlib.sha256(content).hexdigest()),),
    )  # fmt: skip
    calls = []

    def fake(url, out, *, timeout=0):
        calls.append(url)
        if "down" in url:
            raise urllib.error.URLError("503")
        out.write(content)

    monkeypatch.setattr(_download, "fetch", fake)
    assert locate(spec)["f.gz"].read_bytes() == content
    assert calls == ["https://down.example/f.gz", "https://mirror.example/f.gz"]


def test_interrupted_download_leaves_nothing(tmp_path, monkeypatch):
    spec = file_spec(tmp_path, b"x")

    def dies(url, out, *, timeout=0):
        out.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(_download, "fetch", dies)
    with pytest.raises(KeyboardInterrupt):
        locate(spec)
    assert not list((tmp_path / "cache" / "toy").iterdir())


def test_fashion_mnist_download_path(tmp_path, monkeypatch):
    """load_data downloads every missing file (with checksums) into the cache."""
    expected = make_mnist_folder(tmp_path / "server")
    served = {name: (tmp_path / "server" / name).read_bytes() for name in FILES}
    spec = replace(
        fashion_mnist.SPEC,
        files=tuple(replace(f, sha256=hashlib.sha256(served[f.name]).hexdigest()) for f in fashion_mnist.SPEC.files),
    )
    monkeypatch.setattr(fashion_mnist, "SPEC", spec)
    urls = []

    def fake(url, out, *, timeout=0):
        urls.append(url)
        out.write(served[url.rsplit("/", 1)[-1]])

    monkeypatch.setattr(_download, "fetch", fake)
    assert_loaded(fashion_mnist.load_data(), expected)
    assert urls == [f"https://storage.googleapis.com/tensorflow/tf-keras-datasets/{n}" for n in FILES]
    assert sorted(p.name for p in (tmp_path / "cache" / "fashion-mnist").iterdir()) == sorted(FILES)
