"""Self-contained HTML reports: every plot embedded as a base64 PNG, no
scripts, no external files; opens in any browser, offline.

`render_report` builds the page from plain data (reusable by the tuner);
`write_report` builds it from a run directory.

Sections (``<section id=...>``): ``summary``, ``curves``, ``learning-rate``,
``diagnosis``, ``events``, ``hyperparameters``, ``model``,
``confusion-matrix`` (classifiers), ``samples`` (images), ``gradients``.

Example:
    >>> page = render_report(history={"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}, findings=[], config={})
    >>> '<section id="curves">' in page
    True
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import plots

__all__ = ["render_report", "write_report", "section", "table", "image"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1f3b63;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85}main{padding:12px 28px 40px;max-width:1180px}
section{background:#fff;border:1px solid #dde2ea;border-radius:8px;margin:16px 0;padding:14px 18px}
h2{font-size:17px;margin:0 0 10px;color:#1f3b63}.grid{display:flex;flex-wrap:wrap;gap:12px}
.grid img{max-width:560px;width:100%;border:1px solid #eee;border-radius:4px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #e6e9ef;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f0f3f8}.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.info{background:#2e7d32}.warning{background:#e08a00}.critical{background:#c62828}
.finding{border-left:4px solid #ccc;padding:6px 12px;margin:8px 0}.finding.warning{border-color:#e08a00;background:#fff8ec}
.finding.critical{border-color:#c62828;background:#fdecec}.finding.info{border-color:#2e7d32;background:#eef7ef}
code{background:#f0f3f8;padding:1px 4px;border-radius:3px;font-size:12px}
"""


def image(fig: Any, alt: str) -> str:
    """An ``<img>`` with the figure embedded (the figure is then closed)."""
    uri = plots.figure_to_data_uri(fig)
    return f'<img alt="{html.escape(alt)}" src="{uri}">'


def section(section_id: str, title: str, body: str) -> str:
    return f'<section id="{section_id}"><h2>{html.escape(title)}</h2>\n{body}\n</section>'


def table(rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None) -> str:
    out = ["<table>"]
    if header:
        out.append("<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr>")
    for r in rows:
        out.append("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in r) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return html.escape(f"{v:.5g}")
    if isinstance(v, (dict, list)):
        return f"<code>{html.escape(json.dumps(v, default=str))}</code>"
    return html.escape(str(v))


def _findings_html(findings: Sequence[Any]) -> str:
    if not findings:
        return "<p>No diagnosis available.</p>"
    parts = []
    for f in findings:
        d = f.to_dict() if hasattr(f, "to_dict") else dict(f)
        ev = table([(k, v) for k, v in d.get("evidence", {}).items()], ["evidence", "value"]) if d.get("evidence") else ""
        sug = (f"<p><b>Suggested change:</b> <code>{html.escape(json.dumps(d['suggestion'], default=str))}</code></p>"
               if d.get("suggestion") else "")
        parts.append(
            f'<div class="finding {d["severity"]}"><span class="badge {d["severity"]}">{d["severity"]}</span> '
            f'<b>{html.escape(d["code"])}</b>: {html.escape(d.get("summary", ""))}'
            f'<p><b>Advice:</b> {html.escape(d.get("advice", ""))}</p>{sug}{ev}</div>')
    return "\n".join(parts)


def _flatten(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v and len(json.dumps(v, default=str)) > 80:
            rows.extend(_flatten(v, key + "."))
        else:
            rows.append((key, v))
    return rows


def _model_rows(model_config: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    cfg = model_config.get("config", {}) if isinstance(model_config, Mapping) else {}
    rows = []
    for layer in cfg.get("layers", []) if isinstance(cfg, Mapping) else []:
        c = layer.get("config", {})
        detail = {k: c[k] for k in ("units", "activation", "rate", "filters", "kernel_size") if k in c}
        rows.append((c.get("name", "?"), layer.get("class_name", "?"), json.dumps(detail)))
    return rows


def render_report(*, history: Mapping[str, Any], findings: Sequence[Any], config: Mapping[str, Any],
                  evaluation: Mapping[str, Any] | None = None, samples: Mapping[str, Any] | None = None,
                  title: str = "trainlab run report", extra_sections: Sequence[str] = ()) -> str:
    """The report page as a string.

    Args:
        history: per-epoch series (``loss``, ``val_loss``, metrics), optionally with
            ``learning_rate``, ``step_loss``, ``grad_norms``, ``grad_norm_layers``, ``events``
            (the format of a run directory's ``history.json``).
        findings: `Finding` objects or their dicts.
        config: run configuration (``model``, ``optimizer``, ``fit``, ``hyperparameters``, ...).
        evaluation: ``{"confusion_matrix": [[...]], "class_names": [...]}`` for classifiers.
        samples: ``{"images": (n, H, W[, C]), "true": (n,), "pred": (n,)}`` for images.
        extra_sections: more HTML sections (e.g. from the tuner).
    """
    series = history.get("history", history)
    series = {k: v for k, v in series.items() if isinstance(v, list) and k not in
              ("step_loss", "grad_norms", "events", "epoch", "learning_rate", "epoch_seconds", "grad_norm_layers")}
    events = list(history.get("events", []) or [])
    body: list[str] = []

    worst = "info"
    for f in findings:
        sev = f.severity if hasattr(f, "severity") else f["severity"]
        if ["info", "warning", "critical"].index(sev) > ["info", "warning", "critical"].index(worst):
            worst = sev
    codes = ", ".join((f.code if hasattr(f, "code") else f["code"]) for f in findings) or "none"
    n_epochs = len(series.get("loss", []))
    summary_rows = [("epochs", n_epochs), ("verdict", codes)]
    for k in ("loss", "val_loss", "accuracy", "val_accuracy"):
        v = series.get(k)
        if v:
            summary_rows.append((f"final {k}", float(v[-1])))
    body.append(section("summary", "Summary", f'<p><span class="badge {worst}">{worst}</span> '
                        f'Diagnosis: <b>{html.escape(codes)}</b></p>' + table(summary_rows)))

    keys = [k for k in series if not k.startswith("val_")]
    keys = ["loss"] + sorted(k for k in keys if k != "loss") if "loss" in keys else sorted(keys)
    imgs = [image(plots.curves_figure(series, k, events=events if k == "loss" else ()), f"{k} curve") for k in keys]
    body.append(section("curves", "Loss and metrics: training vs validation",
                        f'<div class="grid">{"".join(imgs)}</div>' if imgs else "<p>No epochs recorded.</p>"))

    lr = history.get("learning_rate") or series.get("learning_rate")
    step_loss = history.get("step_loss") or []
    lr_body = image(plots.learning_rate_figure(lr), "learning rate") if lr else "<p>No learning rate recorded.</p>"
    if step_loss:
        lr_body += image(plots.step_loss_figure([np.asarray(s, dtype=float) for s in step_loss]), "per-step loss")
    body.append(section("learning-rate", "Learning rate and per-step loss", f'<div class="grid">{lr_body}</div>'))

    body.append(section("diagnosis", "Diagnosis", _findings_html(findings)))

    if events:
        rows = [(int(e.get("epoch", 0)) + 1, e.get("source", ""), e.get("action", ""),
                 {k: v for k, v in e.items() if k not in ("epoch", "source", "action")}) for e in events]
        ev_body = table(rows, ["epoch", "source", "action", "details"])
    else:
        ev_body = "<p>No callback took any action.</p>"
    body.append(section("events", "Actions taken during training", ev_body))

    hp_rows = _flatten({k: v for k, v in config.items() if k != "model"})
    body.append(section("hyperparameters", "Hyperparameters and configuration",
                        table(hp_rows, ["name", "value"]) if hp_rows else "<p>No configuration recorded.</p>"))
    model_rows = _model_rows(config.get("model", {}))
    if model_rows:
        body.append(section("model", "Model", table(model_rows, ["layer", "class", "settings"])))

    grad_norms = history.get("grad_norms") or []
    if grad_norms:
        body.append(section("gradients", "Gradient norms per layer", image(
            plots.grad_norms_figure(grad_norms, history.get("grad_norm_layers")), "gradient norms")))
    if evaluation and evaluation.get("confusion_matrix") is not None:
        cm = np.asarray(evaluation["confusion_matrix"])
        acc = float(np.trace(cm) / cm.sum()) if cm.sum() else 0.0
        body.append(section("confusion-matrix", "Confusion matrix (validation data)",
                            f"<p>Accuracy {acc:.4f} on {int(cm.sum())} samples.</p>" +
                            image(plots.confusion_matrix_figure(cm, evaluation.get("class_names")), "confusion matrix")))
    if samples and samples.get("images") is not None and len(samples["images"]):
        body.append(section("samples", "Sample predictions (validation data)", image(
            plots.samples_figure(samples["images"], samples["true"], samples["pred"],
                                 (evaluation or {}).get("class_names")), "sample predictions")))
    body.extend(extra_sections)
    created = html.escape(str(config.get("created", "")))
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><header><h1>{html.escape(title)}</h1><p>{created}</p></header>"
            f"<main>{''.join(body)}</main></body></html>")


def write_report(run_dir: str | os.PathLike, title: str | None = None) -> str:
    """(Re)write ``report.html`` of a run directory from its files; returns its path.

    Raises:
        FileNotFoundError / ValueError: the run directory is missing or incomplete.
    """
    from .._io import atomic_write_text
    from .run_dir import RunDirectory

    run = RunDirectory(run_dir)
    page = render_report(history=run.history(), findings=run.findings(), config=run.config,
                         evaluation=run.evaluation(), samples=run.samples(),
                         title=title or f"trainlab run: {os.path.basename(os.path.abspath(run.path))}")
    path = os.path.join(run.path, "report.html")
    atomic_write_text(path, page)
    return path
