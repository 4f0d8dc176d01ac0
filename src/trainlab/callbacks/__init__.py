"""Callbacks: hooks into `fit` (Keras names and semantics)."""

from ._base import Callback, CallbackList, History
from .backup import BackupAndRestore
from .checkpoint import CSVLogger, ModelCheckpoint
from .early_stopping import EarlyStopping
from .misc import LambdaCallback, TerminateOnNaN
from .progbar import ProgbarLogger
from .reduce_lr import LearningRateScheduler, ReduceLROnPlateau
from .tensorboard import TensorBoard

__all__ = [
    "Callback",
    "CallbackList",
    "History",
    "ProgbarLogger",
    "EarlyStopping",
    "ReduceLROnPlateau",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "CSVLogger",
    "BackupAndRestore",
    "TerminateOnNaN",
    "LambdaCallback",
    "TensorBoard",
]
