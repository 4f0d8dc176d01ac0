"""Read ``.npz`` files that may be damaged or hostile, without surprises.

`numpy.load` on a damaged ``.npz`` raises `zipfile.BadZipFile`, `EOFError`,
`zlib.error`, ... (not `ValueError`), and it allocates the array a member's
``.npy`` header declares *before* reading its data, so a few bytes that declare
a shape of ``(10**12,)`` exhaust memory. `load_npz` checks each member's header
against the bytes the member really holds first, never unpickles, and turns
every failure into one `DatasetFormatError` that names the file.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.npz"
    >>> np.savez(path, x=np.arange(3))
    >>> load_npz(path)["x"]
    array([0, 1, 2])
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

from ._errors import DatasetFormatError

__all__ = ["load_npz", "MAX_NPZ_BYTES"]

MAX_NPZ_BYTES = 2**30
"""Default cap on the uncompressed size of all arrays of one ``.npz`` together (1 GiB)."""


def load_npz(
    path: str | os.PathLike[str],
    names: Iterable[str] | None = None,
    *,
    max_bytes: int = MAX_NPZ_BYTES,
) -> dict[str, np.ndarray]:
    """The arrays of the ``.npz`` file `path`, checked before they are allocated.

    Args:
        path: the file.
        names: the arrays required (all must be present); None: every array.
        max_bytes: refuse when the arrays' uncompressed sizes add up to more.

    Returns:
        ``{name: array}`` (names without the ``.npy`` suffix).

    Raises:
        DatasetFormatError: not a zip file, a damaged member, an object array
            (pickle), a header that does not match the member's size, a missing
            array, or more than `max_bytes`.
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = {i.filename.removesuffix(".npy"): i for i in archive.infolist() if i.filename.endswith(".npy")}
            wanted = list(infos) if names is None else list(names)
            missing = [n for n in wanted if n not in infos]
            if missing:
                raise DatasetFormatError(
                    f"{path} lacks the array(s) {', '.join(missing)}; it holds {sorted(infos)}."
                )
            total = sum(infos[n].file_size for n in wanted)
            if total > max_bytes:
                raise DatasetFormatError(
                    f"{path}: its arrays take {total:,} bytes, more than the {max_bytes:,}-byte limit."
                )
            return {name: _read_member(path, name, archive.read(infos[name])) for name in wanted}
    except DatasetFormatError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, ValueError,
            KeyError, struct.error, NotImplementedError, OverflowError, RuntimeError) as error:  # fmt: skip
        raise DatasetFormatError(
            f"{path} is not a readable .npz file ({type(error).__name__}: {error}). It is "
            f"truncated or corrupted; delete it (a cache is rebuilt, a download fetched again)."
        ) from None


def _read_member(path: Path, name: str, data: bytes) -> np.ndarray:
    stream = io.BytesIO(data)
    version = npy_format.read_magic(stream)
    if version == (1, 0):
        shape, fortran, dtype = npy_format.read_array_header_1_0(stream)
    else:
        shape, fortran, dtype = npy_format.read_array_header_2_0(stream)
    if dtype.hasobject:
        raise DatasetFormatError(f"{path}: array {name!r} holds Python objects; trainlab never unpickles.")
    count = 1
    for dim in shape:
        count *= int(dim)
    available = len(data) - stream.tell()
    if count * dtype.itemsize != available:
        raise DatasetFormatError(
            f"{path}: array {name!r} declares shape {shape} of {dtype} ({count * dtype.itemsize:,} "
            f"bytes) but holds {available:,} bytes. The file is corrupted."
        )
    array = np.frombuffer(data, dtype, count=count, offset=stream.tell())
    return array.reshape(shape, order="F" if fortran else "C").copy()
