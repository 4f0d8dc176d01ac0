"""The tuner's HTML report: one self-contained file (plots embedded as PNG).

Built from the doctor's report toolkit (`trainlab.report`: `section`, `table`,
`image`, the same style sheet), so tuning and training reports look alike.
Sections (``<section id=...>``): ``summary`` (trials by state, best value and
configuration), ``importance`` (Optuna's fANOVA), ``curves`` (each trial's
objective and training loss per epoch; stopped trials dashed), ``parameters``
(the objective against each parameter, log axis for log-scale parameters) and
``leaderboard`` (with failed trials' messages). Figures are matplotlib
`Figure` objects (no pyplot state); the file is written atomically.

Example:
    >>> tuner.report("runs/tune/report.html")      # doctest: +SKIP
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from .._io import atomic_write_text

__all__ = ["write_report", "figures"]


def _png(fig: Any) -> str:
    """The figure as base64 PNG (the doctor's encoder), without the data-URI prefix."""
    from ..report.plots import figure_to_data_uri

    return figure_to_data_uri(fig).split(",", 1)[1]


def _subplots(ncols: int = 1, size: tuple = (5, 3.4)) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=90)
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, (axes if ncols > 1 else axes[0])


def figures(tuner: Any) -> dict[str, str]:
    """The report's plots as base64 PNGs: ``curves``, ``importance`` and ``param:<name>``."""
    from optuna.trial import TrialState

    from .space import Float, Int

    out: dict[str, str] = {}
    trials = [t for t in tuner.study.get_trials(deepcopy=False) if t.user_attrs.get("history")]
    objective = tuner.objective
    if trials:
        fig, axes = _subplots(2, (11, 4))
        for t in trials:
            hist = t.user_attrs["history"]
            style = "--" if t.state == TrialState.PRUNED else "-"
            for ax, key in zip(axes, (objective, "loss")):
                values = [v for v in hist.get(key, []) if v is not None]
                if values:
                    ax.plot(range(1, len(values) + 1), values, style, marker="o", ms=3, lw=1, label=f"#{t.number}")
        axes[0].set_title(f"{objective} per epoch (dashed: stopped early)")
        axes[1].set_title("training loss per epoch")
        for ax in axes:
            ax.set_xlabel("epoch")
            ax.grid(alpha=0.3)
        if len(trials) <= 20:
            axes[0].legend(fontsize=7, ncol=2)
        out["curves"] = _png(fig)
    done = [t for t in tuner.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))]
    names = sorted({k for t in done for k in (t.user_attrs.get("config") or t.params)})
    for name in names:
        xs, ys, colors = [], [], []
        for t in done:
            config = t.user_attrs.get("config") or t.params
            value = t.value if t.state == TrialState.COMPLETE else (
                (t.user_attrs.get("history") or {}).get(objective, [None]) or [None])[-1]
            if name in config and value is not None and isinstance(config[name], (int, float)):
                xs.append(config[name])
                ys.append(value)
                colors.append("tab:blue" if t.state == TrialState.COMPLETE else "tab:gray")
        if not xs:
            continue
        fig, ax = _subplots(1, (5, 3.4))
        ax.scatter(xs, ys, c=colors, s=18)
        param = tuner.space[name] if name in tuner.space else None
        if (isinstance(param, (Float, Int)) and param.log) or (min(xs) > 0 and max(xs) / max(min(xs), 1e-300) > 100):
            ax.set_xscale("log")
        ax.set_xlabel(name)
        ax.set_ylabel(objective)
        ax.set_title(f"{objective} vs {name} (gray: stopped early, last value)")
        ax.grid(alpha=0.3)
        out[f"param:{name}"] = _png(fig)
    importance = tuner.importance()
    if importance:
        fig, ax = _subplots(1, (5, 0.5 + 0.4 * len(importance)))
        keys = list(importance)[::-1]
        ax.barh(keys, [importance[k] for k in keys], color="tab:green")
        ax.set_xlabel("importance (fANOVA)")
        out["importance"] = _png(fig)
    return out


def write_report(tuner: Any, path: str | os.PathLike) -> Path:
    """Write the report of `tuner`'s study to `path` (HTML) and return the path."""
    from optuna.trial import TrialState

    from ..report.html import _CSS, section, table
    from .storage import redact_url

    path = Path(path)
    figs = figures(tuner)

    def img(key: str) -> str:
        return f"<img alt='{html.escape(key)}' src='data:image/png;base64,{figs[key]}'>"

    trials = tuner.study.get_trials(deepcopy=False)
    counts = {s.name.lower(): sum(t.state == s for t in trials) for s in TrialState}
    summary = [
        ("objective", f"{tuner.objective} ({tuner.direction})"),
        ("strategy", f"{tuner.strategy.name} {tuner.strategy.get_config() or ''}"),
        ("storage", redact_url(tuner.storage_url or "SQLite file (default)")),
        ("trials", ", ".join(f"{v} {k}" for k, v in counts.items() if v) or "none"),
    ]
    if tuner.last_search_seconds is not None:
        summary.append(("last search", f"{tuner.last_search_seconds:.1f} s"))
    try:
        best = tuner.best_trial
        summary += [("best trial", f"#{best.number}: {tuner.objective} = {best.value:.4f}"),
                    ("best configuration", tuner.best_config)]
    except ValueError as exc:
        summary.append(("best trial", str(exc)))
    parts = [section("summary", "Summary", table(summary))]
    if "importance" in figs:
        parts.append(section("importance", "Parameter importance", f"<div class='grid'>{img('importance')}</div>"))
    if "curves" in figs:
        parts.append(section("curves", "Learning curves", f"<div class='grid'>{img('curves')}</div>"))
    params = [k for k in figs if k.startswith("param:")]
    if params:
        parts.append(section("parameters", "Objective vs each parameter",
                             "<div class='grid'>" + "".join(img(k) for k in params) + "</div>"))
    board = tuner.leaderboard()
    if board.empty:
        parts.append(section("leaderboard", "Leaderboard", "<p>No trials yet.</p>"))
    else:
        board = board.drop(columns=["config"])
        rows = [["" if v is None or (isinstance(v, float) and v != v) else v for v in row]
                for row in board.itertuples(index=False)]
        parts.append(section("leaderboard", "Leaderboard", table(rows, list(board.columns))))
    title = f"trainlab tune: {tuner.study_name}"
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><header><h1>{html.escape(title)}</h1>"
            f"<p>hyperparameter search report</p></header><main>\n" + "\n".join(parts) + "\n</main></body></html>")
    atomic_write_text(path, page)
    return path
