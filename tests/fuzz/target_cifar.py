"""CIFAR-10 and CIFAR-100 binary archives (tar.gz of fixed-size records) through the
loaders. The reader never unpickles; members are size-checked before they are read."""

from __future__ import annotations

import gzip
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "datasets"))
from dataset_files import make_cifar10, make_cifar100  # noqa: E402

from trainlab.datasets import cifar10, cifar100  # noqa: E402

CLEAN = (ValueError,)


def seeds(workdir: pathlib.Path) -> list[bytes]:
    make_cifar10(workdir / "seed10.tar.gz", per_batch=1)
    make_cifar100(workdir / "seed100.tar.gz", n_train=2, n_test=1)
    # uncompressed tars too, so that mutations reach the tar headers and the records
    tars = [gzip.decompress((workdir / n).read_bytes()) for n in ("seed10.tar.gz", "seed100.tar.gz")]
    return [gzip.compress(t, mtime=0) for t in tars] + tars  # mtime=0: the same seeds every run


def run(data: bytes, workdir: pathlib.Path) -> object:
    path = workdir / "cifar.tar.gz"
    path.write_bytes(data)
    try:
        return cifar10.load_data(path=path)
    except ValueError as error:
        if "lacks" not in str(error):
            raise
    return cifar100.load_data(path=path, label_mode="coarse")
