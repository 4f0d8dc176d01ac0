"""The tuner's HTML report: one self-contained file (plots embedded as PNG).

Sections: summary (trials by state, best value and configuration), parameter
importance, each trial's learning curves (objective and training loss per
epoch; pruned trials dashed), the objective against each parameter (log axis
for log-scale parameters), and the leaderboard with failed trials' messages.
Plots use matplotlib's non-interactive Agg backend; the file is written
atomically.

Example:
    >>> tuner.report("runs/tune/report.html")      # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path
from typing import Any

from .._io import atomic_write_text

__all__ = ["write_report", "figures"]


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figures(tuner: Any) -> dict[str, str]:
    """The report's plots as base64 PNGs: ``curves``, ``importance`` and ``param:<name>``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from optuna.trial import TrialState

    from .space import Float, Int

    out: dict[str, str] = {}
    trials = [t for t in tuner.study.get_trials(deepcopy=False) if t.user_attrs.get("history")]
    objective = tuner.objective
    if trials:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
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
        fig, ax = plt.subplots(figsize=(5, 3.4))
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
        fig, ax = plt.subplots(figsize=(5, 0.5 + 0.4 * len(importance)))
        keys = list(importance)[::-1]
        ax.barh(keys, [importance[k] for k in keys], color="tab:green")
        ax.set_xlabel("importance (fANOVA)")
        out["importance"] = _png(fig)
    return out


def write_report(tuner: Any, path: str | os.PathLike) -> Path:
    """Write the report of `tuner`'s study to `path` (HTML) and return the path."""
    from optuna.trial import TrialState

    from .storage import redact_url

    path = Path(path)
    figs = figures(tuner)
    trials = tuner.study.get_trials(deepcopy=False)
    counts = {s.name.lower(): sum(t.state == s for t in trials) for s in TrialState}
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>trainlab tune: {html.escape(tuner.study_name)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}"
        "th{background:#f3f3f3}img{max-width:100%}.err{color:#a00}</style></head><body>",
        f"<h1>Hyperparameter search: {html.escape(tuner.study_name)}</h1>",
        f"<p>Objective <b>{html.escape(tuner.objective)}</b> ({tuner.direction}), strategy "
        f"<b>{html.escape(tuner.strategy.name)}</b>, storage <code>{html.escape(redact_url(tuner.storage_url or 'sqlite (default)'))}</code>. "
        "Trials: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v) + ".</p>",
    ]
    if tuner.last_search_seconds is not None:
        parts.append(f"<p>Last search took {tuner.last_search_seconds:.1f} s.</p>")
    try:
        best = tuner.best_trial
        parts.append(f"<h2>Best</h2><p>Trial #{best.number}: {html.escape(tuner.objective)} = "
                     f"<b>{best.value:.4f}</b></p><pre>{html.escape(repr(tuner.best_config))}</pre>")
    except ValueError as exc:
        parts.append(f"<h2>Best</h2><p class='err'>{html.escape(str(exc))}</p>")
    importance = tuner.importance()
    if importance:
        parts.append("<h2>Parameter importance</h2>")
        parts.append(f"<img alt='importance' src='data:image/png;base64,{figs['importance']}'>")
    if "curves" in figs:
        parts.append("<h2>Learning curves</h2>")
        parts.append(f"<img alt='curves' src='data:image/png;base64,{figs['curves']}'>")
    params = [k for k in figs if k.startswith("param:")]
    if params:
        parts.append("<h2>Objective vs each parameter</h2>")
        for k in params:
            parts.append(f"<img alt='{html.escape(k)}' src='data:image/png;base64,{figs[k]}'>")
    board = tuner.leaderboard()
    parts.append("<h2>Leaderboard</h2>")
    if board.empty:
        parts.append("<p>No trials yet.</p>")
    else:
        parts.append(board.drop(columns=["config"]).to_html(index=False, na_rep="", float_format=lambda v: f"{v:.4g}"))
    parts.append("</body></html>")
    atomic_write_text(path, "\n".join(parts))
    return path
