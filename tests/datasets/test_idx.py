"""The IDX reader: every type code, gzip or raw, and every way a file can be wrong."""

import gzip

import numpy as np
import pytest

from dataset_files import idx_bytes, write_idx
from trainlab.datasets import DatasetFormatError
from trainlab.datasets._idx import read_idx, read_images_and_labels


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "raw"])
def test_round_trip_every_type(tmp_path, dtype, compress):
    array = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    path = write_idx(tmp_path / "a-idx3", array, compress)
    result = read_idx(path)
    np.testing.assert_array_equal(result, array)
    assert result.dtype == np.dtype(dtype) and result.dtype.isnative
    assert result.flags.writeable


def test_images_and_labels_checked_together(tmp_path):
    images = np.zeros((3, 28, 28), np.uint8)
    write_idx(tmp_path / "i.gz", images)
    write_idx(tmp_path / "l.gz", np.array([0, 9, 4], np.uint8))
    x, y = read_images_and_labels(tmp_path / "i.gz", tmp_path / "l.gz")
    assert x.shape == (3, 28, 28) and y.tolist() == [0, 9, 4]

    write_idx(tmp_path / "l2.gz", np.array([0, 1], np.uint8))
    with pytest.raises(DatasetFormatError, match=r"holds 3 images but .*l2.gz holds 2 labels"):
        read_images_and_labels(tmp_path / "i.gz", tmp_path / "l2.gz")
    write_idx(tmp_path / "l3.gz", np.array([0, 1, 12], np.uint8))
    with pytest.raises(DatasetFormatError, match=r"l3.gz: found label 12, expected labels 0-9"):
        read_images_and_labels(tmp_path / "i.gz", tmp_path / "l3.gz")
    write_idx(tmp_path / "i2.gz", np.zeros((3, 32, 32), np.uint8))
    with pytest.raises(DatasetFormatError, match=r"i2.gz: items have shape \(32, 32\), expected \(28, 28\)"):
        read_images_and_labels(tmp_path / "i2.gz", tmp_path / "l.gz")


def test_truncated_data_names_file_and_sizes(tmp_path):
    data = idx_bytes(np.zeros((10, 28, 28), np.uint8))
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(data[:-100]))
    with pytest.raises(DatasetFormatError) as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message
    assert "dims (10, 28, 28)" in message and "7,840 data bytes" in message
    assert "7,740 data bytes" in message and "truncated" in message


def test_extra_bytes_rejected(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(idx_bytes(np.zeros(4, np.uint8)) + b"\0")
    with pytest.raises(DatasetFormatError, match="longer than its header says"):
        read_idx(path)


def test_truncated_gzip_stream(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    blob = gzip.compress(idx_bytes(np.arange(5000, dtype=np.int32)))
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DatasetFormatError, match=r"t10k-images-idx3-ubyte.gz is not a valid gzip file"):
        read_idx(path)


@pytest.mark.parametrize(
    "header, match",
    [
        (bytes([0x1F, 0x00, 8, 1]), r"magic number 1f 00 08 01"),
        (bytes([0, 0, 0x07, 1]), r"magic number 00 00 07 01"),
        (bytes([0, 0]), r"fewer than the 4-byte header"),
        (bytes([0, 0, 8, 3, 0, 0]), r"header needs 16 bytes for 3 dimensions"),
    ],
)
def test_bad_headers(tmp_path, header, match):
    path = tmp_path / "bad-idx"
    path.write_bytes(header)
    with pytest.raises(DatasetFormatError, match=match):
        read_idx(path)


def test_wrong_rank_or_type(tmp_path):
    path = write_idx(tmp_path / "labels", np.zeros((2, 2), np.uint8))
    with pytest.raises(DatasetFormatError, match=r"declares 2 dimensions, expected 1"):
        read_idx(path, ndim=1)
    path = write_idx(tmp_path / "floats", np.zeros(2, np.float32))
    with pytest.raises(DatasetFormatError, match=r"type code 0x0d \(>f4\), expected uint8"):
        read_idx(path, dtype=np.uint8)


def test_gzip_bomb_is_inflated_only_to_the_declared_size(tmp_path):
    """A small gzip that expands far past its header's dims is read only up to them (+1 byte)."""
    from trainlab.datasets._idx import read_bytes

    header = bytes([0, 0, 8, 1]) + (1000).to_bytes(4, "big")
    path = tmp_path / "bomb-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(64 * 2**20)))  # 64 MiB of zeros in ~64 KB
    assert path.stat().st_size < 2**20
    assert len(read_bytes(path, max_size=100)) == 101
    with pytest.raises(DatasetFormatError, match=r"dims \(1000,\) of uint8 \(1,000 data bytes\).*longer than its header says"):
        read_idx(path)


def test_header_declaring_more_than_the_cap_is_refused_before_reading(tmp_path):
    from trainlab.datasets._idx import MAX_IDX_BYTES

    header = bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (2**20, 2**10, 2**10))
    path = tmp_path / "huge-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(10)))
    with pytest.raises(DatasetFormatError, match=rf"declares dims \(1048576, 1024, 1024\) \(1,099,511,627,792 bytes\), more than the {MAX_IDX_BYTES:,}-byte limit"):
        read_idx(path)
