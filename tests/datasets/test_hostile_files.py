"""Damaged and hostile dataset files: damaged IMDB caches are rebuilt, archive members
are size-checked before they are read, folders may not link outside themselves."""

from __future__ import annotations

import io
import tarfile
import zipfile

import numpy as np
import pytest

from dataset_files import IMDB_REVIEWS, make_imdb, write_tgz
from trainlab.datasets import DatasetFormatError, cifar10, imdb
from trainlab.datasets._archive import iter_members
from trainlab.datasets._npz import load_npz


@pytest.fixture
def archive(tmp_path):
    return make_imdb(tmp_path / "aclImdb_v1.tar.gz")


def _cache(tmp_path):
    return tmp_path / "cache" / "imdb" / "imdb_sequences.npz"


def _damage_truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _damage_flip(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF  # inside an array: the zip CRC no longer matches
    path.write_bytes(bytes(data))


def _damage_garbage(path):
    path.write_bytes(b"PK\x03\x04 not really a zip")


def _damage_offsets(path):
    arrays = dict(np.load(path, allow_pickle=False))
    arrays["train_offsets"] = arrays["train_offsets"][::-1].copy()
    np.savez(path, **arrays)


@pytest.mark.parametrize("damage", [_damage_truncate, _damage_flip, _damage_garbage, _damage_offsets])
def test_damaged_imdb_cache_is_discarded_and_rebuilt(archive, tmp_path, damage):
    expected = imdb.load_data(path=archive)
    damage(_cache(tmp_path))
    with pytest.warns(UserWarning, match=r"imdb: the cache in .* is damaged \(.+\); it is deleted and rebuilt"):
        (x_train, y_train), (x_test, _) = imdb.load_data(path=archive)
    assert list(x_train) == list(expected[0][0]) and list(x_test) == list(expected[1][0])
    np.testing.assert_array_equal(y_train, expected[0][1])
    # rebuilt: the next load reads a valid cache without a warning, and another archive works too
    load_npz(_cache(tmp_path))
    other = make_imdb(tmp_path / "other" / "aclImdb_v1.tar.gz", {**IMDB_REVIEWS, ("train", "pos", "7_7.txt"): "zebra"})
    assert "zebra" in imdb.get_word_index(path=other)


def test_npz_with_a_lying_header_is_refused_before_allocation(tmp_path):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.arange(4, dtype=np.int64))
    npy = buffer.getvalue().replace(b"(4,)", b"(10000000000000,)".ljust(4))  # header text grows
    with zipfile.ZipFile(tmp_path / "a.npz", "w") as z:
        z.writestr("x.npy", npy)
    with pytest.raises(DatasetFormatError, match=r"a.npz.*(declares shape \(10000000000000,\)|not a readable .npz)"):
        load_npz(tmp_path / "a.npz")
    np.savez(tmp_path / "o.npz", x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(DatasetFormatError, match=r"o.npz: array 'x' holds Python objects; trainlab never unpickles"):
        load_npz(tmp_path / "o.npz")


def test_review_names_with_non_ascii_digits_are_read(tmp_path):
    reviews = {**IMDB_REVIEWS, ("train", "pos", "²_1.txt"): "superscript named review"}
    archive = make_imdb(tmp_path / "aclImdb_v1.tar.gz", reviews)
    assert "superscript" in imdb.get_word_index(path=archive)


def _bomb_archive(path, name, size):
    """A tar.gz whose one member declares (and holds) `size` zero bytes: tiny on disk."""
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = size
        tar.addfile(info, io.BytesIO(bytes(size)))
    return path


def test_oversized_cifar_member_refused_before_it_is_read(tmp_path, monkeypatch):
    size = cifar10.BATCH_BYTES + 3073
    path = _bomb_archive(tmp_path / "c.tar.gz", "cifar-10-batches-bin/data_batch_1.bin", size)
    assert path.stat().st_size < size // 100
    reads = []
    monkeypatch.setattr(tarfile.ExFileObject, "read", lambda self, *a: reads.append(1) or b"")
    with pytest.raises(DatasetFormatError, match=rf"c.tar.gz:cifar-10-batches-bin/data_batch_1.bin is {size:,} bytes, more than the {cifar10.BATCH_BYTES:,} bytes one file can hold"):
        cifar10.load_data(path=path)
    assert reads == []


def test_oversized_review_and_total_caps(tmp_path):
    path = _bomb_archive(tmp_path / "i.tar.gz", "aclImdb/train/pos/0_1.txt", imdb.MAX_REVIEW_BYTES + 1)
    with pytest.raises(DatasetFormatError, match=r"0_1.txt is 1,048,577 bytes, more than the 1,048,576 bytes one file"):
        imdb.load_data(path=path)
    members = {f"aclImdb/train/pos/{i}_1.txt": b"x" * 100 for i in range(5)}
    write_tgz(tmp_path / "t.tar.gz", members)
    with pytest.raises(DatasetFormatError, match=r"files up to .*2_1.txt is 300 bytes, more than the 250 bytes all files together"):
        list(iter_members(tmp_path / "t.tar.gz", lambda n: True, max_total_bytes=250))


def test_symlink_out_of_an_extracted_folder_is_not_followed(tmp_path):
    folder = make_imdb(tmp_path / "x", extracted=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("private words")
    (folder / "train" / "pos" / "5_9.txt").symlink_to(secret)
    with pytest.raises(DatasetFormatError, match=r"5_9.txt is a symbolic link to .*secret.txt, outside the dataset folder .*; trainlab does not follow links"):
        imdb.get_word_index(path=folder)
    # a link that stays inside the folder is fine
    (folder / "train" / "pos" / "5_9.txt").unlink()
    (folder / "train" / "pos" / "5_9.txt").symlink_to(folder / "train" / "pos" / "0_9.txt")
    assert "great" in imdb.get_word_index(path=folder)
