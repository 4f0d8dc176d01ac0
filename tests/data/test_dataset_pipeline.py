"""Dataset: sources, transformations, shuffling, prefetching, and memory maps."""

import threading

import jax
import numpy as np
import pandas as pd
import pytest

from trainlab.data import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from trainlab.data import _sources


def flat(ds):
    return [np.asarray(e).tolist() for e in ds]


def test_from_tensor_slices_structures_and_batching():
    x = np.arange(20).reshape(10, 2)
    y = np.arange(10) * 10
    ds = Dataset.from_tensor_slices((x, {"label": y}))
    first = next(iter(ds))
    assert first[0].tolist() == [0, 1] and first[1]["label"] == 0
    batches = list(ds.batch(4))
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    np.testing.assert_array_equal(np.concatenate([b[1]["label"] for b in batches]), y)
    assert len(ds.batch(4)) == 3 and len(ds.batch(4, drop_remainder=True)) == 2
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    assert flat(Dataset.from_tensor_slices(frame)) == [[1.0, 3.0], [2.0, 4.0]]


def test_map_filter_take_skip_repeat():
    ds = Dataset.from_tensor_slices((np.arange(6), np.arange(6) % 2))
    assert flat(ds.map(lambda x, y: x * 10 + y)) == [0, 11, 20, 31, 40, 51]
    assert flat(ds.batch(3).map(lambda x, y: x.sum())) == [3, 12]  # after batch: one call per batch
    odd = ds.filter(lambda x, y: y == 1)
    assert [int(x) for x, _ in odd] == [1, 3, 5] and odd.cardinality() == UNKNOWN_CARDINALITY
    plain = Dataset.from_tensor_slices(np.arange(6))
    assert flat(plain.skip(2).take(3)) == [2, 3, 4]
    assert flat(plain.take(2).repeat(3)) == [0, 1] * 3
    assert plain.repeat().cardinality() == INFINITE_CARDINALITY
    assert flat(plain.map(lambda v: v + 1, num_parallel_calls=AUTOTUNE)) == [1, 2, 3, 4, 5, 6]


def test_shuffle_is_a_seeded_permutation_that_changes_every_epoch():
    ds = Dataset.from_tensor_slices(np.arange(1000)).shuffle(1000, seed=3)
    first, second = flat(ds), flat(ds)
    assert sorted(first) == list(range(1000)) and sorted(second) == list(range(1000))
    assert first != second  # reshuffled each iteration
    again = Dataset.from_tensor_slices(np.arange(1000)).shuffle(1000, seed=3)
    assert flat(again) == first  # same seed, same order
    fixed = Dataset.from_tensor_slices(np.arange(50)).shuffle(50, seed=3, reshuffle_each_iteration=False)
    assert flat(fixed) == flat(fixed)


def test_small_buffer_shuffles_locally_with_bounded_memory():
    n, buffer = 5000, 100
    order = flat(Dataset.from_tensor_slices(np.arange(n)).shuffle(buffer, seed=0))
    assert sorted(order) == list(range(n))
    position = np.empty(n, int)
    position[order] = np.arange(n)
    # an element enters the buffer only when the stream reaches it: it cannot come out much earlier
    assert np.all(position >= np.arange(n) - buffer)
    # but it is mixed: displacement spreads over the buffer's width
    displacement = position - np.arange(n)
    assert displacement.std() > buffer / 10
    assert np.mean(np.abs(np.diff(order)) == 1) < 0.05


def test_full_buffer_shuffle_is_close_to_uniform():
    first_positions = []
    ds = Dataset.from_tensor_slices(np.arange(10)).shuffle(10, seed=1)
    for _ in range(2000):
        first_positions.append(flat(ds).index(0))
    counts = np.bincount(first_positions, minlength=10)
    assert counts.min() > 140 and counts.max() < 260  # each position about 200 times


def test_prefetch_moves_batches_to_the_device_and_keeps_order():
    x = np.arange(100, dtype=np.float64).reshape(50, 2)
    ds = Dataset.from_tensor_slices((x, np.arange(50))).batch(8).prefetch(2)
    batches = list(ds)
    assert all(isinstance(b[0], jax.Array) for b in batches)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int32  # as fit converts them
    np.testing.assert_array_equal(np.concatenate([np.asarray(b[0]) for b in batches]), x)


def test_prefetch_propagates_errors_and_stops_its_thread_on_early_exit():
    def boom(v):
        if v == 3:
            raise RuntimeError("bad element 3")
        return v

    ds = Dataset.from_tensor_slices(np.arange(10)).map(boom).prefetch(2)
    with pytest.raises(RuntimeError, match="bad element 3"):
        list(ds)
    before = threading.active_count()
    it = iter(Dataset.from_tensor_slices(np.arange(10_000)).prefetch(4))
    next(it)
    it.close()
    assert threading.active_count() <= before


def test_from_npy_memory_maps(tmp_path):
    x = np.random.default_rng(0).normal(size=(3000, 7)).astype(np.float32)
    y = np.arange(3000, dtype=np.int64)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    ds = Dataset.from_npy((tmp_path / "x.npy", tmp_path / "y.npy")).batch(512)
    assert len(ds) == 6
    got = list(ds)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in got]), x)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in got]), y)
    named = Dataset.from_npy({"x": tmp_path / "x.npy"})
    assert next(iter(named))["x"].shape == (7,)


def test_memory_map_pages_are_released_after_reading(tmp_path, monkeypatch):
    np.save(tmp_path / "big.npy", np.arange(300_000, dtype=np.float64))
    released = []
    original = _sources._release
    monkeypatch.setattr(_sources, "_release", lambda piece, root: (released.append(piece.nbytes),
                                                                   original(piece, root)))
    mm = np.load(tmp_path / "big.npy", mmap_mode="r")
    total = sum(len(b) for b in Dataset.from_tensor_slices(mm).batch(10_000))
    assert total == 300_000
    assert sum(released) == mm.nbytes  # every byte read was handed back
    np.testing.assert_array_equal(mm[-3:], [299_997, 299_998, 299_999])  # the map still reads fine


def test_from_files_and_from_generator(tmp_path):
    for i in range(5):
        np.save(tmp_path / f"sample_{i}.npy", np.full((2, 2), i))
    ds = Dataset.from_files(tmp_path / "*.npy", labels=np.arange(5) * 2)
    elements = list(ds)
    assert len(ds) == 5 and elements[3][0].tolist() == [[3, 3], [3, 3]] and elements[3][1] == 6
    assert len(Dataset.from_files(tmp_path)) == 5
    (tmp_path / "note.txt").write_text("hello", encoding="utf-8")
    assert list(Dataset.from_files([tmp_path / "note.txt"])) == ["hello"]

    def gen():
        for i in range(7):
            yield np.full(3, i), i % 2

    g = Dataset.from_generator(gen).batch(3)
    assert [b[0].shape[0] for b in g] == [3, 3, 1]
    assert [b[0].shape[0] for b in g] == [3, 3, 1]  # called again for the second pass
    with pytest.raises(TypeError, match="length is unknown"):
        len(g)


def test_element_spec_and_numpy_iterator():
    ds = Dataset.from_tensor_slices((np.zeros((4, 3), np.float32), np.zeros(4, np.int32))).batch(2)
    assert ds.element_spec == (((2, 3), "float32"), ((2,), "int32"))
    assert all(isinstance(b[0], np.ndarray) for b in ds.prefetch().as_numpy_iterator())
    assert "batches=2" in repr(ds)


# ---------------------------------------------------------------- bad input
def test_bad_sources_are_explained(tmp_path):
    with pytest.raises(ValueError, match=r"same number of rows.*`tensors\[0\]` has 3, `tensors\[1\]` has 2"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(2)))
    with pytest.raises(TypeError, match="ragged lists"):
        Dataset.from_tensor_slices([[1, 2], [3]])
    with pytest.raises(FileNotFoundError, match="No .npy file at"):
        Dataset.from_npy(tmp_path / "missing.npy")
    (tmp_path / "junk.npy").write_bytes(b"not numpy at all")
    with pytest.raises(ValueError, match="not a readable .npy array file"):
        Dataset.from_npy(tmp_path / "junk.npy")
    np.save(tmp_path / "a.npy", np.zeros(3))
    np.save(tmp_path / "b.npy", np.zeros(4))
    with pytest.raises(ValueError, match=r"same number of rows.*has 3.*has 4"):
        Dataset.from_npy((tmp_path / "a.npy", tmp_path / "b.npy"))
    with pytest.raises(ValueError, match="matched no file"):
        Dataset.from_files(tmp_path / "*.png")
    with pytest.raises(TypeError, match="not a generator object"):
        Dataset.from_generator((i for i in range(3)))
    with pytest.raises(ValueError, match="`batch_size` must be a positive integer"):
        Dataset.from_tensor_slices(np.zeros(3)).batch(0)
    with pytest.raises(TypeError, match="`buffer_size` must be a positive integer"):
        Dataset.from_tensor_slices(np.zeros(3)).shuffle(2.5)
