"""Alias of :mod:`trainlab.schedules`, so Keras-style imports work:
``from trainlab.optimizers.schedules import ExponentialDecay``
(like ``keras.optimizers.schedules``)."""

from ..schedules import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    deserialize,
    get,
    serialize,
)

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "get",
    "serialize",
    "deserialize",
]
