"""The progress bar in Jupyter, JupyterLab and Colab: one output per epoch,
updated in place (IPython's ``display(..., display_id=True)`` / ``update``),
with an HTML bar and a plain-text fallback.

A notebook's output stream is not a terminal, so tqdm's terminal bar cannot
redraw itself there; printing a line per update would leave hundreds of
lines. Display updates replace the output instead, live in the browser and in
the saved notebook (``nbclient`` / ``nbconvert --execute`` apply them too).
"""

from __future__ import annotations

import html
import sys
from typing import Any

__all__ = ["in_notebook", "NotebookProgress"]


def in_notebook(stream: Any = None) -> bool:
    """True when `stream` (default: stdout) is a Jupyter kernel's output (Jupyter, Colab)."""
    stream = sys.stdout if stream is None else stream
    if type(stream).__module__.startswith("ipykernel"):
        return True
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return stream is sys.stdout and shell is not None and hasattr(shell, "kernel")


class _View:
    """One state of the bar: ``12/50 [=======>......] 1s - loss: 0.3120`` as text and HTML."""

    def __init__(self, n: int, total: int | None, text: str, width: int):
        self.n, self.total, self.text, self.width = n, total, text, width

    def __repr__(self) -> str:
        if not self.total:
            return f"{self.n} {self.text}".rstrip()
        done = min(self.width, int(self.width * self.n / self.total))
        bar = "=" * done + (">" if done < self.width else "") + "." * max(self.width - done - 1, 0)
        return f"{self.n}/{self.total} [{bar}] {self.text}".rstrip()

    def _repr_html_(self) -> str:
        total = self.total or max(self.n, 1)
        return (f"<div style='font-family:monospace'><progress value='{self.n}' max='{total}' "
                f"style='width:20em;vertical-align:middle'></progress> {self.n}/{total} "
                f"{html.escape(self.text)}</div>")


class NotebookProgress:
    """A bar displayed once and then updated in place.

    Example:
        >>> bar = NotebookProgress(total=10)  # doctest: +SKIP
        >>> bar.update(5, "loss: 0.31")       # doctest: +SKIP
    """

    def __init__(self, total: int | None, width: int = 30):
        from IPython.display import display

        self.total, self.width = total, width
        self._handle = display(_View(0, total, "", width), display_id=True)

    def update(self, n: int, text: str) -> None:
        """Show `n` steps done with the metrics `text`."""
        self._handle.update(_View(n, self.total, text, self.width))
