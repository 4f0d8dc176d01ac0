"""Random image augmentation layers (Keras names and arguments).

Active only in training mode, inside the compiled train step; the identity at
inference (RandomCrop takes the centre). Deterministic for a given key: same
seed, same augmentations. Put them at the start of a model::

    model = Sequential([
        Input((32, 32, 3)),
        RandomFlip("horizontal"),
        RandomCrop(32, 32, padding=4),
        RandomColorJitter(brightness_factor=0.1, contrast_factor=0.1),
        ...
    ])
"""

from ._base import ImageAugmentation
from ._image_ops import affine_transform, hsv_to_rgb, rgb_to_hsv
from .color import RandomBrightness, RandomColorJitter, RandomContrast, RandomHue, RandomSaturation
from .geometric import RandomCrop, RandomFlip, RandomRotation, RandomTranslation, RandomZoom

__all__ = [
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
    "affine_transform",
    "rgb_to_hsv",
    "hsv_to_rgb",
]
