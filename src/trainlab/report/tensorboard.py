"""TensorBoard event files: written with tensorboardX, read back without TensorBoard.

`TensorBoardWriter` wraps ``tensorboardX.SummaryWriter`` (a maintained
library; the files are what TensorBoard reads). `read_scalars` decodes the
files directly: TFRecord framing (length, masked CRC32C of the length, the
record, masked CRC32C of the record; CRCs verified) and the `Event` protobuf
that ships with tensorboardX.

Example:
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> with TensorBoardWriter(d) as w:
    ...     w.scalar("loss", 0.5, step=1)
    >>> read_scalars(d)["loss"]
    [(1, 0.5)]
"""

from __future__ import annotations

import glob
import os
import struct
from typing import Any

__all__ = ["TensorBoardWriter", "read_scalars", "read_events"]


class TensorBoardWriter:
    """Scalars, text and histograms into ``log_dir`` (one event file per writer).

    The file name ends in the process id and a random token besides
    tensorboardX's time and host name, so two writers started in the same
    second (two processes, or a resumed run) never append to one file."""

    def __init__(self, log_dir: str | os.PathLike):
        import secrets

        from tensorboardX import SummaryWriter

        self.log_dir = os.fspath(log_dir)
        os.makedirs(self.log_dir, exist_ok=True)
        self._w = SummaryWriter(logdir=self.log_dir, flush_secs=30,
                                filename_suffix=f".{os.getpid()}.{secrets.token_hex(4)}")

    def scalar(self, tag: str, value: float, step: int) -> None:
        self._w.add_scalar(tag, float(value), global_step=int(step))

    def text(self, tag: str, text: str, step: int = 0) -> None:
        self._w.add_text(tag, text, global_step=int(step))

    def histogram(self, tag: str, values: Any, step: int) -> None:
        self._w.add_histogram(tag, values, global_step=int(step))

    def flush(self) -> None:
        self._w.flush()

    def close(self) -> None:
        self._w.close()

    def __enter__(self) -> "TensorBoardWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _masked_crc(data: bytes) -> int:
    from tensorboardX.crc32c import crc32c

    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_events(path: str | os.PathLike) -> list[Any]:
    """Every `Event` protobuf in one event file, CRCs checked.

    Raises:
        ValueError: a truncated record or a CRC mismatch (the file is not a valid event file).
    """
    from tensorboardX.proto.event_pb2 import Event

    events = []
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos < len(data):
        if pos + 12 > len(data):
            raise ValueError(f"Event file {os.fspath(path)!r} is truncated at byte {pos}.")
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if _masked_crc(header) != len_crc:
            raise ValueError(f"Event file {os.fspath(path)!r}: length CRC mismatch at byte {pos}.")
        body = data[pos + 12:pos + 12 + length]
        (body_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if len(body) != length or _masked_crc(body) != body_crc:
            raise ValueError(f"Event file {os.fspath(path)!r}: record CRC mismatch at byte {pos}.")
        ev = Event()
        ev.ParseFromString(body)
        events.append(ev)
        pos += 16 + length
    return events


def read_scalars(log_dir: str | os.PathLike) -> dict[str, list[tuple[int, float]]]:
    """``{tag: [(step, value), ...]}`` from every event file in `log_dir`.

    Raises:
        FileNotFoundError: no event file in `log_dir`.
    """
    files = sorted(glob.glob(os.path.join(os.fspath(log_dir), "**", "events.out.tfevents.*"), recursive=True))
    if not files:
        raise FileNotFoundError(
            f"No TensorBoard event file (events.out.tfevents.*) in {os.fspath(log_dir)!r}."
        )
    out: dict[str, list[tuple[int, float]]] = {}
    for path in files:
        for ev in read_events(path):
            if ev.HasField("summary"):
                for v in ev.summary.value:
                    if v.HasField("simple_value"):
                        out.setdefault(v.tag, []).append((int(ev.step), float(v.simple_value)))
    return out
