"""Models: `Sequential`, functional `Model(inputs, outputs)`, subclassed `Model`,
and `load_model`."""

from ..saving import load_model
from ._functional import Functional
from ._model import Model
from ._sequential import Sequential

__all__ = ["Model", "Sequential", "Functional", "load_model"]
