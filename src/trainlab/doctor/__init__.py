"""The training doctor: diagnose loss curves, act on them, find hyperparameters."""

from .autopilot import Autopilot
from .diagnose import Thresholds, diagnose
from .batch_size import BatchSizeResult, find_batch_size
from .gradients import GradientCheckResult, LayerCheck, check_gradients
from .lr_finder import LRFinderResult, find_learning_rate, suggest_learning_rate
from .findings import CODES, SEVERITIES, Finding, format_findings, worst_severity

__all__ = [
    "check_gradients",
    "GradientCheckResult",
    "LayerCheck",
    "find_batch_size",
    "BatchSizeResult",
    "find_learning_rate",
    "suggest_learning_rate",
    "LRFinderResult",
    "Autopilot","diagnose", "Thresholds", "Finding", "CODES", "SEVERITIES", "format_findings", "worst_severity"]
