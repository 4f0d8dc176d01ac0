"""california_housing: Keras's split, versions, frames, and every accepted source."""

import numpy as np
import pytest

from dataset_files import HOUSING_ROWS, housing_text, make_housing_tgz, write_tgz
from trainlab.datasets import DatasetFormatError, california_housing


def keras_split(table, test_split=0.2, seed=113):
    x, y = table[:, :8], table[:, 8]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


@pytest.fixture
def tgz(tmp_path):
    return make_housing_tgz(tmp_path / "cal_housing.tgz")


@pytest.mark.parametrize("test_split, seed", [(0.2, 113), (0.5, 1), (0.0, 3)])
def test_matches_keras_split(tgz, test_split, seed):
    (x_train, y_train), (x_test, y_test) = california_housing.load_data(
        path=tgz, test_split=test_split, seed=seed
    )
    (rx_train, ry_train), (rx_test, ry_test) = keras_split(HOUSING_ROWS, test_split, seed)
    assert x_train.dtype == np.float32 and y_train.dtype == np.float32
    assert x_train.shape == (len(rx_train), 8) and y_test.shape == (len(rx_test),)
    np.testing.assert_allclose(x_train, rx_train, rtol=1e-6)
    np.testing.assert_allclose(y_train, ry_train, rtol=1e-6)
    np.testing.assert_allclose(x_test, rx_test, rtol=1e-6)
    np.testing.assert_allclose(y_test, ry_test, rtol=1e-6)


def test_small_version_takes_first_600_rows(tmp_path):
    rows = np.tile(HOUSING_ROWS, (30, 1))[:700]
    rows[:, 8] = np.arange(700)
    make_housing_tgz(tmp_path / "cal_housing.tgz", rows)
    (x_train, y_train), (x_test, y_test) = california_housing.load_data("small", path=tmp_path)
    assert (len(x_train), len(x_test)) == (480, 120)
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(600))


def test_as_frame_has_mlcc_columns_and_same_rows(tgz):
    pd = pytest.importorskip("pandas", reason="as_frame needs pandas, an optional dependency")
    train_df, test_df = california_housing.load_data(path=tgz, as_frame=True)
    assert isinstance(train_df, pd.DataFrame)
    assert list(train_df.columns) == [
        "longitude", "latitude", "housing_median_age", "total_rooms", "total_bedrooms",
        "population", "households", "median_income", "median_house_value"]  # fmt: skip
    (x_train, y_train), (x_test, _) = california_housing.load_data(path=tgz)
    np.testing.assert_allclose(train_df.iloc[:, :8].to_numpy(), x_train, rtol=1e-6)
    np.testing.assert_allclose(train_df["median_house_value"].to_numpy(), y_train, rtol=1e-6)
    assert len(test_df) == len(x_test)


def test_as_frame_without_pandas(tgz, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match=r"`as_frame=True` needs pandas.*pip install pandas"):
        california_housing.load_data(path=tgz, as_frame=True)


def test_other_sources(tmp_path, tgz):
    reference = california_housing.load_data(path=tgz)
    # the extracted release
    data = tmp_path / "CaliforniaHousing" / "cal_housing.data"
    data.parent.mkdir()
    data.write_bytes(housing_text())
    for path in (data, data.parent):
        np.testing.assert_array_equal(california_housing.load_data(path=path)[0][0], reference[0][0])
    # an MLCC-style CSV with a header, columns in another order
    order = [8, 0, 1, 2, 3, 4, 5, 6, 7]
    names = [california_housing.COLUMNS[i] for i in order]
    csv = tmp_path / "california_housing_train.csv"
    csv.write_text(",".join(names) + "\n" + housing_text(HOUSING_ROWS[:, order]).decode())
    np.testing.assert_array_equal(california_housing.load_data(path=csv)[1][1], reference[1][1])
    # Keras's npz (plain arrays), and Keras's default cache name meaning "the default places"
    np.savez(tmp_path / "kh.npz", x=HOUSING_ROWS[:, :8].astype(np.float32), y=HOUSING_ROWS[:, 8].astype(np.float32))
    np.testing.assert_allclose(california_housing.load_data(path=tmp_path / "kh.npz")[0][0], reference[0][0])
    make_housing_tgz(tmp_path / "cache" / "california_housing" / "cal_housing.tgz")
    np.testing.assert_array_equal(california_housing.load_data("large", "california_housing.npz")[0][0], reference[0][0])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"version": "medium"}, ValueError, r"`version` must be one of 'large', 'small'; received 'medium'"),
        ({"test_split": 1.0}, ValueError, r"`test_split` must be in \[0, 1\); received 1.0"),
        ({"test_split": "a"}, TypeError, r"`test_split` must be a number"),
    ],
)
def test_bad_arguments(tgz, kwargs, error, match):
    with pytest.raises(error, match=match):
        california_housing.load_data(path=tgz, **kwargs)


def test_malformed_files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("longitude,latitude,price\n1,2,3\n")
    with pytest.raises(DatasetFormatError, match=r"bad.csv: the header lacks the column\(s\) housing_median_age"):
        california_housing.load_data(path=bad)
    short = tmp_path / "short.data"
    short.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(DatasetFormatError, match=r"short.data: found 2 rows of 3 columns; expected rows of 9 values"):
        california_housing.load_data(path=short)
    write_tgz(tmp_path / "t.tgz", {"CaliforniaHousing/cal_housing.data": b"1,2,x,4,5,6,7,8,9\n"})
    with pytest.raises(DatasetFormatError, match=r"t.tgz:cal_housing.data: not a numeric comma-separated table"):
        california_housing.load_data(path=tmp_path / "t.tgz")
