"""Writers for small datasets in their real on-disk formats (gzip IDX, CIFAR
binary records in a tar.gz, an aclImdb-style tar.gz, the housing text release)."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import numpy as np

IDX_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file's bytes (header + big-endian data) for `array`."""
    code = IDX_CODES[array.dtype.type]
    header = bytes([0, 0, code, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> Path:
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def random_images(n: int, seed: int, shape=(28, 28)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, *shape), dtype=np.uint8), (np.arange(n) % 10).astype(np.uint8)


def make_mnist_folder(folder: Path, n_train: int = 30, n_test: int = 10, compress: bool = True):
    """The four official IDX files; returns the arrays written."""
    folder.mkdir(parents=True, exist_ok=True)
    x_train, y_train = random_images(n_train, 1)
    x_test, y_test = random_images(n_test, 2)
    suffix = ".gz" if compress else ""
    write_idx(folder / f"train-images-idx3-ubyte{suffix}", x_train, compress)
    write_idx(folder / f"train-labels-idx1-ubyte{suffix}", y_train, compress)
    write_idx(folder / f"t10k-images-idx3-ubyte{suffix}", x_test, compress)
    write_idx(folder / f"t10k-labels-idx1-ubyte{suffix}", y_test, compress)
    return (x_train, y_train), (x_test, y_test)


def make_mnist_10k_folder(folder: Path, n: int = 100):
    folder.mkdir(parents=True, exist_ok=True)
    x, y = random_images(n, 3)
    write_idx(folder / "images-idx3-ubyte.gz", x)
    write_idx(folder / "labels-idx1-ubyte.gz", y)
    return x, y


def add_member(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def write_tgz(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            add_member(archive, name, data)
    return path


def cifar_records(images_chw: np.ndarray, labels: np.ndarray) -> bytes:
    """Binary records: label byte(s) then the image's R, G, B planes."""
    n = len(images_chw)
    rows = np.concatenate([labels.reshape(n, -1).astype(np.uint8), images_chw.reshape(n, -1)], axis=1)
    return rows.tobytes()


def make_cifar10(path: Path, per_batch: int = 4):
    """A cifar-10-binary.tar.gz with 5 training batches and a test batch.

    Returns the expected arrays in Keras's layout (channels last, labels (n, 1)).
    """
    rng = np.random.default_rng(10)
    members, xs, ys = {}, [], []
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        x = rng.integers(0, 256, (per_batch, 3, 32, 32), dtype=np.uint8)
        y = rng.integers(0, 10, per_batch, dtype=np.uint8)
        members[f"cifar-10-batches-bin/{name}"] = cifar_records(x, y)
        xs.append(x.transpose(0, 2, 3, 1))
        ys.append(y.reshape(-1, 1))
    members["cifar-10-batches-bin/batches.meta.txt"] = b"airplane\nautomobile\n"
    write_tgz(path, members)
    return (np.concatenate(xs[:5]), np.concatenate(ys[:5])), (xs[5], ys[5])


def make_cifar100(path: Path, n_train: int = 6, n_test: int = 3):
    rng = np.random.default_rng(100)
    members, expected = {}, {}
    for name, n in (("train.bin", n_train), ("test.bin", n_test)):
        x = rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
        coarse = rng.integers(0, 20, n, dtype=np.uint8)
        fine = rng.integers(0, 100, n, dtype=np.uint8)
        members[f"cifar-100-binary/{name}"] = cifar_records(x, np.stack([coarse, fine], axis=1))
        expected[name] = (x.transpose(0, 2, 3, 1), coarse.reshape(-1, 1), fine.reshape(-1, 1))
    write_tgz(path, members)
    return expected


IMDB_REVIEWS = {
    ("train", "pos", "0_9.txt"): "A great movie. Great acting, great story!<br /><br />Loved it.",
    ("train", "pos", "1_8.txt"): "Great fun; the best film of the year.",
    ("train", "pos", "10_7.txt"): "I don't know why, but I loved it.",
    ("train", "neg", "0_1.txt"): "Terrible. The worst movie, the worst acting.",
    ("train", "neg", "2_2.txt"): "Boring<br />boring and BORING.",
    ("test", "pos", "0_10.txt"): "Great movie, unseenword and great acting.",
    ("test", "pos", "1_9.txt"): "Loved the story.",
    ("test", "neg", "0_3.txt"): "The worst. Boring!",
    ("test", "neg", "1_4.txt"): "Terrible film, terrible story, anotherunseen.",
}


def make_imdb(path: Path, reviews=IMDB_REVIEWS, extracted: bool = False) -> Path:
    """An aclImdb_v1.tar.gz (or an extracted aclImdb/ folder) with `reviews`."""
    members = {f"aclImdb/{s}/{lab}/{f}": text.encode() for (s, lab, f), text in reviews.items()}
    members["aclImdb/imdb.vocab"] = b"the\nand\n"
    members["aclImdb/train/unsup/0_0.txt"] = b"unlabelled review, ignored"
    members["aclImdb/train/urls_pos.txt"] = b"http://www.imdb.com/title/tt0000001/\n"
    if extracted:
        for name, data in members.items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return path / "aclImdb"
    return write_tgz(path, members)


HOUSING_ROWS = np.array(
    [[-122.23 + i / 100, 37.88 - i / 100, 41 + i % 5, 880 + i, 129 + i, 322 + i, 126 + i,
      8.3252 - i / 10, 452600.0 - 1000 * i] for i in range(25)]
)  # fmt: skip


def housing_text(rows: np.ndarray = HOUSING_ROWS) -> bytes:
    """cal_housing.data: 9 comma-separated columns, no header, StatLib order."""
    return "\n".join(",".join(f"{v:.6f}" for v in row) for row in rows).encode() + b"\n"


def make_housing_tgz(path: Path, rows: np.ndarray = HOUSING_ROWS) -> Path:
    domain = b"longitude: continuous.\nlatitude: continuous.\n"
    return write_tgz(
        path,
        {"CaliforniaHousing/cal_housing.data": housing_text(rows),
         "CaliforniaHousing/cal_housing.domain": domain},
    )  # fmt: skip
