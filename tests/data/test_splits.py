"""trainlab.data.splits: seeded, stratified train/val/test splits and k-fold indices."""

import numpy as np
import pytest
from sklearn.model_selection import KFold, train_test_split

from trainlab.data import kfold_indices, train_val_test_split

FROZEN_TEST_ROWS = [8, 2, 5]  # train_val_test_split(np.arange(10), val_size=0, test_size=3, seed=113)


def test_sizes_follow_sklearn_rounding():
    x = np.arange(101)
    x_tr, x_val, x_te = train_val_test_split(x, val_size=0.15, test_size=0.2, seed=0)
    assert (len(x_tr), len(x_val), len(x_te)) == (101 - 16 - 21, 16, 21)
    _, sk_test = train_test_split(x, test_size=0.2, random_state=0)
    _, _, x_te = train_val_test_split(x, val_size=0, test_size=0.2, seed=0)
    assert len(x_te) == len(sk_test)
    x_tr, x_val, x_te = train_val_test_split(x, val_size=10, test_size=5, seed=0)
    assert (len(x_tr), len(x_val), len(x_te)) == (86, 10, 5)
    assert sorted(np.concatenate([x_tr, x_val, x_te]).tolist()) == x.tolist()


def test_rows_stay_aligned_across_types():
    pd = pytest.importorskip("pandas", reason="DataFrame support is checked only when pandas is installed")
    n = 40
    x = np.arange(n * 2).reshape(n, 2)
    labels = [f"row{i}" for i in range(n)]
    features = {"a": np.arange(n), "b": np.arange(n) * 10}
    frame = pd.DataFrame({"v": np.arange(n)}, index=np.arange(n) + 1000)
    series = pd.Series(np.arange(n))
    parts = train_val_test_split(x, labels, features, frame, series, seed=3)
    assert len(parts) == 15
    for k in range(3):
        xs, ls, ds, fs, ss = parts[k], parts[3 + k], parts[6 + k], parts[9 + k], parts[12 + k]
        rows = xs[:, 0] // 2
        assert isinstance(xs, np.ndarray) and isinstance(ls, list) and isinstance(ds, dict)
        assert isinstance(fs, pd.DataFrame) and isinstance(ss, pd.Series)
        assert ls == [f"row{i}" for i in rows]
        assert ds["b"].tolist() == (rows * 10).tolist()
        assert fs["v"].tolist() == rows.tolist() and ss.tolist() == rows.tolist()


def test_seed_gives_a_frozen_split():
    """RandomState streams never change across numpy versions: pin one split."""
    _, _, x_te = train_val_test_split(np.arange(10), val_size=0, test_size=3, seed=113)
    assert x_te.tolist() == FROZEN_TEST_ROWS


def test_seeded_and_shuffle_false():
    x = np.arange(50)
    a = train_val_test_split(x, seed=5)
    b = train_val_test_split(x, seed=5)
    c = train_val_test_split(x, seed=6)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[0], c[0])
    x_tr, x_val, x_te = train_val_test_split(x, val_size=0.2, test_size=0.2, shuffle=False)
    assert x_tr.tolist() == list(range(30)) and x_val.tolist() == list(range(30, 40))
    assert x_te.tolist() == list(range(40, 50))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stratified_proportions(seed):
    y = np.repeat([0, 1, 2, 3], [50, 30, 15, 5])
    x = np.arange(100)
    x_tr, x_val, x_te, y_tr, y_val, y_te = train_val_test_split(
        x, y, val_size=0.2, test_size=0.2, stratify=y, seed=seed
    )
    assert (len(y_tr), len(y_val), len(y_te)) == (60, 20, 20)
    for part, share in ((y_val, 0.2), (y_te, 0.2), (y_tr, 0.6)):
        expected = np.array([50, 30, 15, 5]) * share
        assert np.all(np.abs(np.bincount(part, minlength=4) - expected) <= 1)
    np.testing.assert_array_equal(y[x_te], y_te)  # rows aligned


def test_stratify_rows_of_a_one_hot_matrix():
    y = np.repeat(np.eye(3, dtype=int), [10, 10, 10], axis=0)
    _, _, y_te = train_val_test_split(y, val_size=0, test_size=0.3, stratify=y, seed=0)
    assert y_te.sum(axis=0).tolist() == [3, 3, 3]


def test_every_class_kept_in_training_part():
    y = np.repeat([0, 1, 2], [3, 40, 40])
    _, y_val, y_te = train_val_test_split(y, val_size=0.34, test_size=0.34, stratify=y, seed=0)
    y_tr, _, _ = train_val_test_split(y, val_size=0.34, test_size=0.34, stratify=y, seed=0)
    assert set(y_tr.tolist()) == {0, 1, 2}
    assert len(y_tr) + len(y_val) + len(y_te) == 83


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((), {}, ValueError, r"needs at least one array; received none"),
        ((np.arange(10), np.arange(9)), {}, ValueError, r"same number of rows; received lengths \[10, 9\]"),
        (({"a": np.arange(3), "b": np.arange(4)},), {}, ValueError, r"dict 0 have different numbers of rows"),
        ((np.arange(10),), {"val_size": 0.5, "test_size": 0.5}, ValueError, r"take 5 \+ 5 of 10 rows, leaving no training rows"),
        ((np.arange(10),), {"test_size": 1.5}, ValueError, r"`test_size` must be in \[0, 1\); received 1.5"),
        ((np.arange(10),), {"test_size": 10}, ValueError, r"`test_size` as a number of rows must be in \[0, 10\)"),
        ((np.arange(10),), {"val_size": True}, TypeError, r"`val_size` must be a fraction in \[0, 1\) or a number of rows"),
        ((np.arange(10),), {"val_size": "0.1"}, TypeError, r"`val_size` must be a fraction"),
        ((np.arange(10),), {"stratify": np.zeros(9)}, ValueError, r"`stratify` must hold one label per row \(10 rows\); received an array of shape \(9,\)"),
        ((np.arange(10),), {"stratify": np.array([0] * 9 + [1])}, ValueError, r"class in `stratify` \(label 1\) has only 1 member\(s\); a stratified train/val/test split needs at least 3"),
        ((np.arange(20),), {"stratify": np.arange(20) % 5, "test_size": 3, "val_size": 0}, ValueError, r"`test_size` gives 3 rows, fewer than the 5 classes"),
        ((np.arange(10),), {"stratify": np.arange(10) % 2, "shuffle": False}, ValueError, r"stratified split needs `shuffle=True`"),
        ((np.float64(3.0),), {}, TypeError, r"Array 0 has no rows"),
        ((np.arange(1),), {}, ValueError, r"Cannot split 1 row"),
        ((np.arange(10),), {"seed": -1}, ValueError, r"`seed` must be None or an integer in \[0, 2\*\*32\)"),
    ],
)
def test_split_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        train_val_test_split(*args, **kwargs)


# ------------------------------------------------------------------- k-fold


@pytest.mark.parametrize("n, k", [(10, 5), (11, 3), (7, 7)])
def test_kfold_unshuffled_equals_sklearn(n, k):
    ours = list(kfold_indices(n, k=k, shuffle=False))
    theirs = list(KFold(n_splits=k).split(np.zeros(n)))
    assert len(ours) == k
    for (tr, va), (str_, sva) in zip(ours, theirs):
        np.testing.assert_array_equal(tr, str_)
        np.testing.assert_array_equal(va, sva)


def test_kfold_shuffled_partition_and_seed():
    folds = list(kfold_indices(23, k=4, seed=0))
    val = np.concatenate([v for _, v in folds])
    assert sorted(val.tolist()) == list(range(23))
    assert sorted(len(v) for _, v in folds) == [5, 6, 6, 6]
    for tr, va in folds:
        assert not set(tr) & set(va) and len(tr) + len(va) == 23
    again = list(kfold_indices(23, k=4, seed=0))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))
    assert not np.array_equal(folds[0][1], list(kfold_indices(23, k=4, seed=1))[0][1])


def test_kfold_stratified():
    y = np.repeat([0, 1, 2], [30, 20, 10])
    for _, va in kfold_indices(60, k=5, stratify=y, seed=2):
        assert np.bincount(y[va]).tolist() == [6, 4, 2]
    sizes = [len(va) for _, va in kfold_indices(61, k=5, stratify=np.r_[y, 0], seed=2)]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n": 10, "k": 1}, ValueError, r"`k` must be between 2 and n=10"),
        ({"n": 3, "k": 4}, ValueError, r"`k` must be between 2 and n=3"),
        ({"n": 0}, ValueError, r"`n` must be a positive integer"),
        ({"n": 10.5}, TypeError, r"`n` must be a positive integer"),
        ({"n": 10, "stratify": np.zeros(8)}, ValueError, r"`stratify` must hold one label per row \(10 rows\)"),
        ({"n": 10, "k": 5, "stratify": np.array([0] * 7 + [1] * 3)}, ValueError,
         r"\(label 1\) has only 3 member\(s\); 5-fold stratified cross-validation needs at least 5 per class.*reduce `k`"),
    ],
)
def test_kfold_errors_raised_at_call(kwargs, error, match):
    with pytest.raises(error, match=match):
        kfold_indices(**kwargs)  # no iteration needed
