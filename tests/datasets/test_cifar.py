"""cifar10 / cifar100 from the binary release: layout, labels, and broken files."""

import tarfile

import numpy as np
import pytest

from dataset_files import cifar_records, make_cifar10, make_cifar100, write_tgz
from trainlab.datasets import DatasetFormatError, cifar10, cifar100


def test_cifar10_archive_matches_keras_layout(tmp_path):
    (x_train_ref, y_train_ref), (x_test_ref, y_test_ref) = make_cifar10(tmp_path / "cifar-10-binary.tar.gz")
    (x_train, y_train), (x_test, y_test) = cifar10.load_data(path=tmp_path)
    assert x_train.shape == (20, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (20, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (4, 32, 32, 3) and y_test.shape == (4, 1)
    assert x_train.flags.c_contiguous
    np.testing.assert_array_equal(x_train, x_train_ref)
    np.testing.assert_array_equal(y_train, y_train_ref)
    np.testing.assert_array_equal(x_test, x_test_ref)
    np.testing.assert_array_equal(y_test, y_test_ref)


def test_cifar_pixel_planes_become_channels_last(tmp_path):
    """Record = label, 1024 red, 1024 green, 1024 blue bytes, rows first."""
    red, green, blue = np.full(1024, 10), np.full(1024, 20), np.full(1024, 30)
    red[33] = 99  # row 1, column 1 of the red plane
    record = bytes([7]) + np.concatenate([red, green, blue]).astype(np.uint8).tobytes()
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    write_tgz(tmp_path / "c.tar.gz", {f"cifar-10-batches-bin/{n}": record for n in names})
    (x_train, y_train), _ = cifar10.load_data(path=tmp_path / "c.tar.gz")
    assert x_train[0, 0, 0].tolist() == [10, 20, 30]
    assert x_train[0, 1, 1].tolist() == [99, 20, 30]
    assert y_train[:, 0].tolist() == [7] * 5


def test_cifar10_extracted_folder(tmp_path):
    expected = make_cifar10(tmp_path / "a.tar.gz")
    with tarfile.open(tmp_path / "a.tar.gz") as archive:
        archive.extractall(tmp_path / "x", filter="data")
    for path in (tmp_path / "x", tmp_path / "x" / "cifar-10-batches-bin"):
        (x_train, _), (_, y_test) = cifar10.load_data(path=path)
        np.testing.assert_array_equal(x_train, expected[0][0])
        np.testing.assert_array_equal(y_test, expected[1][1])


@pytest.mark.parametrize("label_mode, column", [("fine", 2), ("coarse", 1)])
def test_cifar100_label_modes(tmp_path, label_mode, column):
    expected = make_cifar100(tmp_path / "cifar-100-binary.tar.gz")
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode, path=tmp_path)
    assert x_train.shape == (6, 32, 32, 3) and y_train.shape == (6, 1) and y_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, expected["train.bin"][0])
    np.testing.assert_array_equal(y_train, expected["train.bin"][column])
    np.testing.assert_array_equal(x_test, expected["test.bin"][0])
    np.testing.assert_array_equal(y_test, expected["test.bin"][column])


def test_cifar100_bad_label_mode():
    with pytest.raises(ValueError, match=r"`label_mode` must be one of 'fine', 'coarse'; received 'fin'"):
        cifar100.load_data("fin")


def test_truncated_batch_names_member_and_sizes(tmp_path):
    record = cifar_records(np.zeros((2, 3, 32, 32), np.uint8), np.zeros(2, np.uint8))
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    members = {f"cifar-10-batches-bin/{n}": record for n in names}
    members["cifar-10-batches-bin/data_batch_3.bin"] = record[:-10]
    write_tgz(tmp_path / "t.tar.gz", members)
    with pytest.raises(DatasetFormatError, match=r"t.tar.gz:data_batch_3.bin: 6,136 bytes is not a whole number of 3073-byte records"):
        cifar10.load_data(path=tmp_path / "t.tar.gz")


def test_label_out_of_range(tmp_path):
    bad = cifar_records(np.zeros((1, 3, 32, 32), np.uint8), np.array([[25, 3]]))
    write_tgz(tmp_path / "c.tar.gz", {"cifar-100-binary/train.bin": bad, "cifar-100-binary/test.bin": bad})
    with pytest.raises(DatasetFormatError, match=r"train.bin: found label 25 in label byte 0, expected 0-19"):
        cifar100.load_data(path=tmp_path / "c.tar.gz")


def test_truncated_archive_and_missing_member(tmp_path):
    make_cifar10(tmp_path / "full.tar.gz", per_batch=50)
    blob = (tmp_path / "full.tar.gz").read_bytes()
    (tmp_path / "cut.tar.gz").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DatasetFormatError, match=r"cut.tar.gz \([\d,]+ bytes\) is not a complete tar archive"):
        cifar10.load_data(path=tmp_path / "cut.tar.gz")
    write_tgz(tmp_path / "few.tar.gz", {"cifar-10-batches-bin/test_batch.bin": b""})
    with pytest.raises(DatasetFormatError, match=r"few.tar.gz lacks data_batch_1.bin, data_batch_2.bin"):
        cifar10.load_data(path=tmp_path / "few.tar.gz")
