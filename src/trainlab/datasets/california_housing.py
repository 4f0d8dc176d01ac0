"""California Housing: 20,640 census block groups of 1990 California, 8 features + price.

Same names, arguments and split as ``keras.datasets.california_housing``
(Keras 3), read from the StatLib text release ``cal_housing.tgz`` (the archive
scikit-learn's `fetch_california_housing` downloads), its extracted
``CaliforniaHousing/cal_housing.data``, Keras's ``california_housing.npz``, or
a CSV file with the Google ML Crash Course header (such as
``california_housing_train.csv``).

Columns, in the order of the release and of Keras's arrays (Keras's docstring
lists scikit-learn's derived features instead; its data holds these raw ones,
see keras-team/keras#21886):

| x column | name (`COLUMNS`, MLCC)  | meaning                                  |
|---------:|-------------------------|------------------------------------------|
| 0        | ``longitude``           | block group longitude                    |
| 1        | ``latitude``            | block group latitude                     |
| 2        | ``housing_median_age``  | median house age, years                  |
| 3        | ``total_rooms``         | rooms in the block group                 |
| 4        | ``total_bedrooms``      | bedrooms in the block group              |
| 5        | ``population``          | people in the block group                |
| 6        | ``households``          | households in the block group            |
| 7        | ``median_income``       | median income, tens of thousands of USD  |
| y        | ``median_house_value``  | median house value, USD                  |
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_in_range, check_one_of
from ._archive import read_members
from ._errors import DatasetFormatError
from ._npz import load_npz
from ._sources import DatasetSpec, RemoteFile, is_keras_cache_name, locate

__all__ = ["load_data", "COLUMNS", "FEATURES", "TARGET", "SPEC"]

FEATURES = (
    "longitude", "latitude", "housing_median_age", "total_rooms",
    "total_bedrooms", "population", "households", "median_income",
)  # fmt: skip
TARGET = "median_house_value"
COLUMNS = (*FEATURES, TARGET)
SMALL_SIZE = 600

# The archive and SHA-256 that scikit-learn's `fetch_california_housing` uses
# (sklearn/datasets/_california_housing.py); the second URL is the StatLib home.
SPEC = DatasetSpec(
    name="california_housing",
    title="California Housing",
    aliases=("california-housing", "cal_housing"),
    files=(
        RemoteFile(
            "cal_housing.tgz",
            (
                "https://ndownloader.figshare.com/files/5976036",
                "https://www.dcc.fc.up.pt/~ltorgo/Regression/cal_housing.tgz",
            ),
            "aaa5c9a6afe2225cc2aed2723682ae403280c4a3695a2ddda4ffb5d8215ea681",
            local_names=("CaliforniaHousing", "cal_housing.data", "california_housing.npz"),
        ),
    ),
)

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def load_data(
    version: str = "large",
    path: str | os.PathLike[str] | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    *,
    as_frame: bool = False,
) -> Any:
    """Load California Housing as ``(x_train, y_train), (x_test, y_test)``.

    Rows are shuffled with ``np.random.RandomState(seed)`` and the first
    ``int(n * (1 - test_split))`` become the training set, exactly as in Keras.

    Args:
        version: ``"large"`` (all 20,640 rows) or ``"small"`` (the first 600,
            Keras's stand-in for the retired Boston Housing dataset).
        path: ``cal_housing.tgz``, ``cal_housing.data``, the extracted
            ``CaliforniaHousing`` folder, Keras's ``california_housing.npz``, an
            MLCC-style CSV with a header, or a folder holding ``cal_housing.tgz``
            (or one of the first three). None:
            ``$TRAINLAB_DATA_DIR/california_housing/``, the cache, then download.
            Keras's default ``"california_housing.npz"`` means None when absent.
        test_split: fraction of rows for the test set, in [0, 1).
        seed: seed of the shuffle before splitting.
        as_frame: return pandas DataFrames (needs pandas) instead of arrays.

    Returns:
        Arrays (default): ``x_train`` float32 ``(n_train, 8)``, ``y_train``
        float32 ``(n_train,)`` in dollars, and the same for the test set; with
        the defaults 16,512 training and 4,128 test rows. With ``as_frame=True``:
        ``(train_df, test_df)``, two DataFrames with the nine `COLUMNS` (float64),
        holding the same rows in the same order as the arrays.

    Raises:
        ValueError: bad `version` or `test_split`.
        ImportError: ``as_frame=True`` without pandas installed.
        DatasetNotFoundError / DatasetFormatError: missing or malformed files.

    Example:
        >>> from trainlab.datasets import california_housing
        >>> (x_train, y_train), (x_test, y_test) = california_housing.load_data(
        ...     version="small")  # doctest: +SKIP
        >>> x_train.shape, x_test.shape  # doctest: +SKIP
        ((480, 8), (120, 8))
    """
    check_one_of("version", version, ["large", "small"])
    test_split = check_in_range("test_split", test_split, 0.0, 1.0)
    if as_frame:
        pd = _import_pandas()
    if is_keras_cache_name(path, "california_housing.npz"):
        path = None
    source = locate(SPEC, path)["cal_housing.tgz"]
    table = read_table(source)
    if version == "small":
        table = table[:SMALL_SIZE]
    indices = np.arange(len(table))
    np.random.RandomState(seed).shuffle(indices)
    table = table[indices]
    n_train = int(len(table) * (1 - test_split))
    train, test = table[:n_train], table[n_train:]
    if as_frame:
        return tuple(pd.DataFrame(part, columns=list(COLUMNS)) for part in (train, test))
    x_train, y_train = train[:, :8].astype(np.float32), train[:, 8].astype(np.float32)
    x_test, y_test = test[:, :8].astype(np.float32), test[:, 8].astype(np.float32)
    return (x_train, y_train), (x_test, y_test)


def read_table(source: str | os.PathLike[str]) -> np.ndarray:
    """All rows of a local copy as a float64 ``(n, 9)`` array in `COLUMNS` order.

    Args:
        source: any of the forms `load_data`'s `path` accepts, except a folder
            that merely holds one (pass the file or the extracted folder).

    Raises:
        DatasetFormatError: not 9 numeric columns, unknown header names, or no rows.
    """
    source = Path(source)
    if source.suffix == ".npz":
        return _read_npz(source)
    if source.is_dir() or source.suffix in (".tgz", ".gz", ".tar"):
        text = read_members(source, ["cal_housing.data"], max_member_bytes=64 * 2**20)["cal_housing.data"]
        where = f"{source}:cal_housing.data"
    else:
        text, where = source.read_bytes(), str(source)
    return _parse_text(text, where)


def _normalise(name: str) -> str:
    return name.strip().strip('"').lower().replace("_", "")


def _parse_text(text: bytes, where: str) -> np.ndarray:
    lines = text.decode("utf-8", errors="replace").splitlines()
    first = lines[0] if lines else ""
    order = list(range(9))
    if first.strip() and not _is_number(first.split(",")[0]):
        header = [_normalise(c) for c in first.split(",")]
        wanted = [_normalise(c) for c in COLUMNS]
        missing = [c for c, key in zip(COLUMNS, wanted) if key not in header]
        if missing:
            raise DatasetFormatError(
                f"{where}: the header lacks the column(s) {', '.join(missing)}; "
                f"expected the names {', '.join(COLUMNS)} (any order, camelCase accepted)."
            )
        order = [header.index(key) for key in wanted]
        lines = lines[1:]
    try:
        table = np.loadtxt(io.StringIO("\n".join(lines)), delimiter=",", ndmin=2, dtype=np.float64)
    except ValueError as error:
        raise DatasetFormatError(f"{where}: not a numeric comma-separated table: {error}") from None
    if table.shape[0] == 0 or table.shape[1] < 9 or (table.shape[1] > 9 and order == list(range(9))):
        raise DatasetFormatError(
            f"{where}: found {table.shape[0]} rows of {table.shape[1]} columns; expected "
            f"rows of 9 values ({', '.join(COLUMNS)}), 20,640 rows in the full release."
        )
    return table[:, order]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_npz(path: Path) -> np.ndarray:
    try:
        arrays = load_npz(path, ("x", "y"))
        x, y = arrays["x"], arrays["y"]
    except DatasetFormatError as error:
        raise DatasetFormatError(
            f"{path} is not a Keras california_housing.npz (arrays x and y): {error}"
        ) from None
    if x.ndim != 2 or x.shape[1] != 8 or y.shape != (len(x),):
        raise DatasetFormatError(
            f"{path}: x has shape {x.shape} and y {y.shape}; expected (n, 8) and (n,)."
        )
    return np.column_stack([x, y]).astype(np.float64)


def _import_pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "`as_frame=True` needs pandas, which is not installed. "
            "Install it with `pip install pandas`, or call load_data() without "
            "as_frame to get numpy arrays."
        ) from None
    return pd
