"""`Finding`: one conclusion of the training doctor, with its evidence.

A finding is plain data (JSON-able), so it can be printed, saved in a run
directory (``diagnosis.json``), shown in the HTML report and acted on by the
`Autopilot`.

Example:
    >>> f = Finding("learning_rate_too_low", "warning", "The loss decreases too slowly.",
    ...             evidence={"progress": 0.04}, advice="Raise the learning rate.",
    ...             suggestion={"learning_rate": 0.01})
    >>> f.code, f.severity
    ('learning_rate_too_low', 'warning')
    >>> Finding.from_dict(f.to_dict()) == f
    True
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from .._validation import check_one_of

__all__ = ["Finding", "SEVERITIES", "CODES", "worst_severity", "format_findings"]

#: Severities from mildest to worst. ``info``: nothing to change; ``warning``:
#: training works but a change would help; ``critical``: the run is broken.
SEVERITIES = ("info", "warning", "critical")

#: Every code `diagnose` can return, with a one-line meaning.
CODES = {
    "insufficient_data": "too few epochs (or no losses) to judge the curves",
    "diverging": "the loss exploded or became NaN / infinite",
    "learning_rate_too_high": "the loss jumps around (spikes above where it started, or rises between epochs)",
    "learning_rate_too_low": "the loss decreases steadily but far too slowly",
    "not_converged": "the loss is still falling at the end: train for more epochs",
    "overfitting": "high variance: validation loss turned up, or a large train/validation gap",
    "underfitting": "high bias: the training error itself is high or the training loss is flat",
    "vanishing_gradients": "the gradients of the first layers are orders of magnitude smaller than the last",
    "exploding_gradients": "gradient norms are huge or growing toward the input",
    "healthy": "no problem found",
}


@dataclasses.dataclass(frozen=True)
class Finding:
    """One diagnosis.

    Attributes:
        code: one of `CODES` (e.g. ``"overfitting"``).
        severity: ``"info"``, ``"warning"`` or ``"critical"``.
        summary: one sentence saying what was seen.
        evidence: the numbers behind it (epochs are 0-based indices into
            ``history.epoch``; the progress bar shows ``epoch + 1``).
        advice: what to do, in plain words.
        suggestion: a concrete change, e.g. ``{"learning_rate": 3e-4}`` or
            ``{"epochs": 40}``; keys are `fit` / `compile` / CLI config names.
    """

    code: str
    severity: str
    summary: str
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)
    advice: str = ""
    suggestion: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        check_one_of("code", self.code, list(CODES))
        check_one_of("severity", self.severity, SEVERITIES)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (non-finite numbers become strings "nan" / "inf")."""
        return {
            "code": self.code,
            "severity": self.severity,
            "summary": self.summary,
            "evidence": _jsonable(self.evidence),
            "advice": self.advice,
            "suggestion": _jsonable(self.suggestion),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        """Inverse of `to_dict`."""
        return cls(code=data["code"], severity=data["severity"], summary=data.get("summary", ""),
                   evidence=_unjson(dict(data.get("evidence") or {})), advice=data.get("advice", ""),
                   suggestion=_unjson(dict(data.get("suggestion") or {})))

    def __str__(self) -> str:
        lines = [f"[{self.severity.upper()}] {self.code}: {self.summary}"]
        if self.evidence:
            lines.append("  evidence: " + ", ".join(f"{k}={_fmt(v)}" for k, v in self.evidence.items()))
        if self.advice:
            lines.append(f"  advice: {self.advice}")
        if self.suggestion:
            lines.append("  suggested change: " + ", ".join(f"{k}={_fmt(v)}" for k, v in self.suggestion.items()))
        return "\n".join(lines)


def worst_severity(findings: list[Finding]) -> str:
    """The highest severity among `findings` ("info" when empty)."""
    ranks = [SEVERITIES.index(f.severity) for f in findings]
    return SEVERITIES[max(ranks)] if ranks else "info"


def format_findings(findings: list[Finding]) -> str:
    """Findings as text, worst first."""
    ordered = sorted(findings, key=lambda f: -SEVERITIES.index(f.severity))
    return "\n\n".join(str(f) for f in ordered)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return str(v)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item) and getattr(obj, "ndim", 1) == 0:
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, (bool, int, float, str)) or obj is None:
        return obj
    return str(obj)


def _unjson(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _unjson(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unjson(v) for v in obj]
    if obj in ("nan", "inf", "-inf"):
        return float(obj)
    return obj
