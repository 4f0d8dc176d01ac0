"""Run directories, TensorBoard logs and self-contained HTML reports.

Reusable pieces: `plots` (figures from plain data), `render_report` /
`section` / `table` / `image` (HTML), `TensorBoardWriter` / `read_scalars`.
"""

from . import plots
from .html import image, render_report, section, table, write_report
from .run_dir import REQUIRED_FILES, RunDirectory, RunLogger
from .tensorboard import TensorBoardWriter, read_events, read_scalars

__all__ = [
    "RunLogger",
    "RunDirectory",
    "REQUIRED_FILES",
    "render_report",
    "write_report",
    "section",
    "table",
    "image",
    "plots",
    "TensorBoardWriter",
    "read_scalars",
    "read_events",
]
