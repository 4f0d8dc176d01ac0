"""Layers (Keras names and arguments).

Every layer is configuration plus weight specs; see `Layer` for how a layer
stays a pure function inside `Model.apply`.
"""

from .._registry import Registry
from ._base import KerasTensor, Layer, WeightSpec, clear_session
from .core import (
    Activation,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GaussianNoise,
    Identity,
    Input,
    InputLayer,
    Lambda,
    Reshape,
    Rescaling,
)
from .merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .activation import LeakyReLU, ReLU, Softmax
from .blocks import ConvBlock, MobileNetBlock
from .convolutional import Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from .reshaping import UpSampling2D, ZeroPadding2D

# preprocessing and augmentation layers live in trainlab.data (issue 3); exported here under Keras names
from ..data.augmentation import (  # noqa: E402
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
from ..data.preprocessing import (  # noqa: E402
    PCA,
    CategoryEncoding,
    Discretization,
    HashedCrossing,
    Imputer,
    IntegerLookup,
    MinMaxScaling,
    Normalization,
    OneHot,
    OutlierClipper,
    StringLookup,
    TextVectorization,
)

_DATA_LAYERS = (
    Normalization, MinMaxScaling, PCA, Imputer, OutlierClipper, CategoryEncoding, OneHot, IntegerLookup,
    StringLookup, TextVectorization, Discretization, HashedCrossing, RandomFlip, RandomCrop, RandomZoom, RandomTranslation, RandomRotation,
    RandomBrightness, RandomContrast, RandomSaturation, RandomHue, RandomColorJitter,
)

LAYERS = Registry("layer", "layer")
for _cls in (
    InputLayer, Dense, Activation, Flatten, Reshape, Dropout, GaussianNoise, Rescaling, Embedding, Identity,
    BatchNormalization, LayerNormalization, GlobalAveragePooling1D, GlobalMaxPooling1D,
    Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, *_DATA_LAYERS,
    Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose,
    MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D,
    ZeroPadding2D, UpSampling2D, MobileNetBlock, ConvBlock, Softmax, ReLU, LeakyReLU,
):
    LAYERS.register(_cls.__name__)(_cls)
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
Convolution1D, Convolution2D = Conv1D, Conv2D
SeparableConvolution2D = SeparableConv2D
Convolution2DTranspose = Conv2DTranspose

from . import experimental  # noqa: E402  (layers.experimental.preprocessing, tf.keras 2.3-2.5 names)

__all__ = [
    "Layer", "WeightSpec", "KerasTensor", "clear_session", "LAYERS", "experimental",
    "Input", "InputLayer", "Dense", "Activation", "Flatten", "Reshape", "Dropout", "GaussianNoise",
    "Rescaling", "Embedding", "Lambda", "Identity", "Softmax", "ReLU", "LeakyReLU",
    "BatchNormalization", "LayerNormalization",
    "GlobalAveragePooling1D", "GlobalAvgPool1D", "GlobalMaxPooling1D", "GlobalMaxPool1D",
    "Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose",
    "Convolution1D", "Convolution2D", "SeparableConvolution2D", "Convolution2DTranspose",
    "MaxPooling1D", "MaxPooling2D", "MaxPool1D", "MaxPool2D",
    "AveragePooling1D", "AveragePooling2D", "AvgPool1D", "AvgPool2D",
    "GlobalAveragePooling2D", "GlobalAvgPool2D", "GlobalMaxPooling2D", "GlobalMaxPool2D",
    "ZeroPadding2D", "UpSampling2D",
    "MobileNetBlock", "ConvBlock",
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
    "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate",
    # preprocessing (trainlab.data.preprocessing)
    "Normalization", "MinMaxScaling", "PCA", "Imputer", "OutlierClipper", "CategoryEncoding", "OneHot",
    "IntegerLookup", "StringLookup", "TextVectorization", "Discretization", "HashedCrossing",
    # augmentation (trainlab.data.augmentation)
    "RandomFlip", "RandomCrop", "RandomZoom", "RandomTranslation", "RandomRotation", "RandomBrightness",
    "RandomContrast", "RandomSaturation", "RandomHue", "RandomColorJitter",
]
