"""tf.keras 2.3-2.5's ``layers.experimental.preprocessing`` names, aliases of `trainlab.layers`."""

from ...data.augmentation import (  # noqa: F401
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from ...data.preprocessing import (  # noqa: F401
    CategoryEncoding,
    Discretization,
    HashedCrossing,
    IntegerLookup,
    Normalization,
    StringLookup,
    TextVectorization,
)
from ..core import Rescaling  # noqa: F401

__all__ = [
    "Normalization", "Discretization", "HashedCrossing", "CategoryEncoding", "IntegerLookup", "StringLookup",
    "TextVectorization", "Rescaling", "RandomFlip", "RandomCrop", "RandomRotation", "RandomTranslation",
    "RandomZoom", "RandomContrast",
]
