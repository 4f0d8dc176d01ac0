"""IMDB: aclImdb-layout archives (tar.gz and plain tar) through `imdb.load_data`, and
the loader's own ``imdb_sequences.npz`` cache (zip), which must be discarded and
rebuilt when damaged: a mutated cache may only ever give a correct load."""

from __future__ import annotations

import gzip
import os
import pathlib
import shutil
import sys
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "datasets"))
from dataset_files import make_imdb  # noqa: E402

from trainlab.datasets import imdb  # noqa: E402

CLEAN = (ValueError,)
_STATE: dict = {}
# Durability is not under test here, and every load writes the cache atomically:
# skipping the flush to disk keeps 2,000 inputs at a few seconds (this process only).
os.fsync = lambda fd: None


def seeds(workdir: pathlib.Path) -> list[bytes]:
    source = make_imdb(workdir / "source" / "aclImdb_v1.tar.gz")
    cache_root = workdir / "seed-cache"
    os.environ["TRAINLAB_CACHE_DIR"] = str(cache_root)
    _STATE["source"] = source
    _STATE["expected"] = [list(x) for x in imdb.load_data(path=source)[0][0]]
    _STATE["index"] = (cache_root / "imdb" / imdb.WORD_INDEX_FILE).read_bytes()
    npz = (cache_root / "imdb" / imdb.SEQUENCES_FILE).read_bytes()
    tar = gzip.decompress(source.read_bytes())
    return [gzip.compress(tar, mtime=0), tar, npz]  # mtime=0: the same seeds on every run


def run(data: bytes, workdir: pathlib.Path) -> object:
    cache = workdir / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["TRAINLAB_CACHE_DIR"] = str(cache)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if data[:2] == b"PK":  # a (mutated) cache beside the valid source
            (cache / "imdb").mkdir(parents=True)
            (cache / "imdb" / imdb.WORD_INDEX_FILE).write_bytes(_STATE["index"])
            (cache / "imdb" / imdb.SEQUENCES_FILE).write_bytes(data)
            (x_train, _), _ = imdb.load_data(path=_STATE["source"])
            if [list(x) for x in x_train] != _STATE["expected"]:
                raise AssertionError("a damaged cache gave wrong sequences instead of a rebuild")
            return x_train
        path = workdir / "aclImdb_v1.tar.gz"
        path.write_bytes(data)
        return imdb.load_data(path=path)
