"""The training doctor: diagnose loss curves, act on them, find hyperparameters."""

from .autopilot import Autopilot
from .diagnose import Thresholds, diagnose
from .lr_finder import LRFinderResult, find_learning_rate, suggest_learning_rate
from .findings import CODES, SEVERITIES, Finding, format_findings, worst_severity

__all__ = [
    "find_learning_rate",
    "suggest_learning_rate",
    "LRFinderResult",
    "Autopilot","diagnose", "Thresholds", "Finding", "CODES", "SEVERITIES", "format_findings", "worst_severity"]
