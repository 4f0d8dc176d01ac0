"""Data: splits, preprocessing fitted on training data, image augmentation,
and the `Dataset` input pipeline.

Datasets themselves (`load_data()`) live in `trainlab.datasets`. The
preprocessing and augmentation layers are also exported from
`trainlab.layers` under their Keras names.
"""

# the layers package first: it re-exports the layers defined here, so importing it
# from inside this package's initialisation would find it half-built
from .. import layers as _layers  # noqa: F401  isort: skip
from .augmentation import (
    ImageAugmentation,
    RandomBrightness,
    RandomColorJitter,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomHue,
    RandomRotation,
    RandomSaturation,
    RandomTranslation,
    RandomZoom,
)
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from .preprocessing import (
    PCA,
    CategoryEncoding,
    Imputer,
    IntegerLookup,
    MinMaxScaling,
    Normalization,
    OneHot,
    OutlierClipper,
    OutlierReport,
    PreprocessingLayer,
    StringLookup,
    TextVectorization,
    drop_outliers,
    outlier_bounds,
    pad_sequences,
)
from .splits import kfold_indices, train_val_test_split
from .directory import image_dataset_from_directory, text_dataset_from_directory

__all__ = [
    "train_val_test_split",
    "kfold_indices",
    "Dataset",
    "AUTOTUNE",
    "INFINITE_CARDINALITY",
    "UNKNOWN_CARDINALITY",
    "PreprocessingLayer",
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
    "ImageAugmentation",
    "RandomFlip",
    "RandomCrop",
    "RandomZoom",
    "RandomTranslation",
    "RandomRotation",
    "RandomBrightness",
    "RandomContrast",
    "RandomSaturation",
    "RandomHue",
    "RandomColorJitter",
    "image_dataset_from_directory",
    "text_dataset_from_directory",
]
