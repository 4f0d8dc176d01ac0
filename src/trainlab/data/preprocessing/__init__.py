"""Preprocessing fitted on training data with `adapt`, carried inside the model.

Numeric layers (`Normalization`, `MinMaxScaling`, `PCA`, `Imputer`,
`OutlierClipper`, `CategoryEncoding` / `OneHot`, `IntegerLookup`) are pure
JAX layers: put them first in a model and `model.save` stores their adapted
statistics as non-trainable weights. String layers (`StringLookup`,
`TextVectorization`) run on the host, on the data. `pad_sequences` and
`drop_outliers` are functions on numpy arrays.
"""

from ._base import PreprocessingLayer
from .binning import Discretization, HashedCrossing
from .imputer import Imputer
from .lookup import CategoryEncoding, IntegerLookup, OneHot
from .string_lookup import StringLookup
from .outliers import OutlierClipper, OutlierReport, drop_outliers, outlier_bounds
from .pca import PCA
from .scaling import MinMaxScaling, Normalization
from .sequence import pad_sequences
from .text import TextVectorization

__all__ = [
    "PreprocessingLayer",
    "Discretization",
    "HashedCrossing",
    "Normalization",
    "MinMaxScaling",
    "PCA",
    "Imputer",
    "OutlierClipper",
    "OutlierReport",
    "drop_outliers",
    "outlier_bounds",
    "CategoryEncoding",
    "OneHot",
    "IntegerLookup",
    "StringLookup",
    "TextVectorization",
    "pad_sequences",
]
