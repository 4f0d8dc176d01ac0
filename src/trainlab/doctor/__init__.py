"""The training doctor: diagnose loss curves, act on them, find hyperparameters."""

from .autopilot import Autopilot
from .diagnose import Thresholds, diagnose
from .findings import CODES, SEVERITIES, Finding, format_findings, worst_severity

__all__ = [
    "Autopilot","diagnose", "Thresholds", "Finding", "CODES", "SEVERITIES", "format_findings", "worst_severity"]
