"""Ctrl-C at a safe moment: `defer_interrupts` holds back SIGINT while a block
that writes several related files runs (a run directory's history, its
checkpoint and the resume backup), then raises `KeyboardInterrupt` after it.

Without it, Ctrl-C between two writes leaves files that disagree (a history one
epoch ahead of its checkpoint). Each file is already written atomically
(`trainlab._io`); this makes the group consistent. Outside the main thread, or
when the program installed its own SIGINT handler, the block runs unchanged.

Example:
    >>> with defer_interrupts():
    ...     pass  # write the history, then the checkpoint
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["defer_interrupts"]


@contextlib.contextmanager
def defer_interrupts() -> Iterator[None]:
    """Run the block with SIGINT held back; re-raise it as `KeyboardInterrupt` afterwards."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    received: list[Any] = []

    def hold(signum: int, frame: Any) -> None:
        received.append(signum)

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if received:
        raise KeyboardInterrupt
