"""trainlab._io: atomic writes and moves never leave a half-written destination."""

import errno
import os

import pytest

from trainlab import _io


def test_atomic_write_text_and_bytes(tmp_path):
    with _io.atomic_write(tmp_path / "sub" / "a.json", "w") as f:
        f.write("héllo")
    assert (tmp_path / "sub" / "a.json").read_text(encoding="utf-8") == "héllo"
    with _io.atomic_write(tmp_path / "b.bin") as f:
        f.write(b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_atomic_write_failure_keeps_old_content(tmp_path):
    target = tmp_path / "model.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with _io.atomic_write(target, "w") as f:
            f.write("new, half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["model.json"]


def test_atomic_write_rejects_read_mode(tmp_path):
    with pytest.raises(ValueError, match=r"`mode` must be 'w', 'wt' or 'wb'; received 'r'"):
        with _io.atomic_write(tmp_path / "x", "r"):
            pass


def test_atomic_move_same_and_cross_filesystem(tmp_path, monkeypatch):
    src = tmp_path / "a"
    src.write_bytes(b"data")
    assert _io.atomic_move(src, tmp_path / "d" / "b") == tmp_path / "d" / "b"
    assert (tmp_path / "d" / "b").read_bytes() == b"data" and not src.exists()

    real_replace = os.replace
    calls = []

    def replace(a, b):  # the first rename crosses filesystems
        calls.append((a, b))
        if len(calls) == 1:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_replace(a, b)

    src.write_bytes(b"again")
    monkeypatch.setattr(_io.os, "replace", replace)
    _io.atomic_move(src, tmp_path / "d" / "b")
    assert (tmp_path / "d" / "b").read_bytes() == b"again" and not src.exists()
    assert sorted(os.listdir(tmp_path / "d")) == ["b"]


def test_sha256_file(tmp_path):
    (tmp_path / "f").write_bytes(b"abc")
    assert _io.sha256_file(tmp_path / "f", chunk_size=2) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_written_files_get_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        with _io.atomic_write(tmp_path / "weights.bin") as f:
            f.write(b"w")
    finally:
        os.umask(old)
    assert (tmp_path / "weights.bin").stat().st_mode & 0o777 == 0o644
