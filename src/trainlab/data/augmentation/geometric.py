"""Geometric augmentation: RandomFlip, RandomCrop (with padding), RandomZoom,
RandomTranslation and RandomRotation, with Keras's arguments and defaults.

Each image of a batch gets its own random draw. Zoom, translation and
rotation resample the image through `affine_transform` (bilinear by default)
and fill the uncovered area by `fill_mode` ("reflect" by default, as Keras).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..._validation import check_finite_number, check_one_of
from ._base import ImageAugmentation, parse_factor
from ._image_ops import FILL_MODES, INTERPOLATIONS, affine_transform

__all__ = ["RandomFlip", "RandomCrop", "RandomZoom", "RandomTranslation", "RandomRotation"]

HORIZONTAL, VERTICAL, BOTH = "horizontal", "vertical", "horizontal_and_vertical"


class RandomFlip(ImageAugmentation):
    """Flip each image left-right and/or up-down with probability 1/2 (training only).

    Args:
        mode: "horizontal", "vertical" or "horizontal_and_vertical" (default;
            the two flips are drawn independently).
        seed, data_format: see `ImageAugmentation`.

    Example:
        >>> import numpy as np
        >>> RandomFlip("horizontal")(np.ones((2, 8, 8, 3)), training=True).shape
        (2, 8, 8, 3)
    """

    def __init__(self, mode: str = BOTH, seed: int | None = None, data_format: str | None = None, **kwargs: Any):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.mode = check_one_of("mode", mode, (HORIZONTAL, VERTICAL, BOTH))

    def augment(self, images, key):
        n = images.shape[0]
        kh, kv = jax.random.split(key)
        if self.mode in (HORIZONTAL, BOTH):
            flip = jax.random.bernoulli(kh, 0.5, (n, 1, 1, 1))
            images = jnp.where(flip, images[:, :, ::-1, :], images)
        if self.mode in (VERTICAL, BOTH):
            flip = jax.random.bernoulli(kv, 0.5, (n, 1, 1, 1))
            images = jnp.where(flip, images[:, ::-1, :, :], images)
        return images

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


def _center_crop_resize(images: jax.Array, height: int, width: int) -> jax.Array:
    """Keras's inference path: the largest centred window with the target aspect ratio, resized."""
    _, h, w, c = images.shape
    if (h, w) == (height, width):
        return images
    crop_h = max(min(h, int(float(w * height) / width)), 1)
    crop_w = max(min(w, int(float(h * width) / height)), 1)
    top, left = int(float(h - crop_h) / 2), int(float(w - crop_w) / 2)
    images = images[:, top:top + crop_h, left:left + crop_w, :]
    if (crop_h, crop_w) == (height, width):
        return images
    return jax.image.resize(images, (images.shape[0], height, width, c), method="bilinear")


class RandomCrop(ImageAugmentation):
    """Crop a random ``height x width`` window of each image (training), after
    optional `padding`: the classic CIFAR augmentation is
    ``RandomCrop(32, 32, padding=4)`` (pad 4 pixels, crop back to 32x32).

    At inference the largest centred window with the target aspect ratio is
    taken and resized to ``(height, width)`` (identity when sizes match), as
    Keras. Unlike Keras 3, which uses one crop position per batch, each image
    gets its own position. Inputs smaller than the target are resized.

    Args:
        height, width: output size.
        padding: pixels added on each side before cropping (training only):
            an int, or ``(pad_height, pad_width)``. Default 0 (Keras behaviour).
        padding_mode: "constant" (zeros, default), "reflect", "symmetric" or "edge".
        seed, data_format: see `ImageAugmentation`.

    Example:
        >>> import numpy as np
        >>> RandomCrop(32, 32, padding=4)(np.ones((2, 32, 32, 3)), training=True).shape
        (2, 32, 32, 3)
    """

    def __init__(self, height: int, width: int, seed: int | None = None, data_format: str | None = None,
                 padding: int | tuple[int, int] = 0, padding_mode: str = "constant", **kwargs: Any):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        for arg, v in (("height", height), ("width", width)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"`{arg}` of RandomCrop must be a positive integer; received {v!r}.")
        self.height, self.width = int(height), int(width)
        pads = (padding, padding) if isinstance(padding, (int, np.integer)) else tuple(padding)
        if len(pads) != 2 or any(isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 0 for p in pads):
            raise ValueError(
                f"`padding` of RandomCrop must be an integer >= 0 or a pair (pad_height, pad_width); received "
                f"{padding!r}."
            )
        self.padding = (int(pads[0]), int(pads[1]))
        self.padding_mode = check_one_of("padding_mode", padding_mode, ("constant", "reflect", "symmetric", "edge"))

    def augment(self, images, key):
        ph, pw = self.padding
        if ph or pw:
            images = jnp.pad(images, ((0, 0), (ph, ph), (pw, pw), (0, 0)), mode=self.padding_mode)
        n, h, w, c = images.shape
        if h < self.height or w < self.width:
            return jax.image.resize(images, (n, self.height, self.width, c), method="bilinear")
        ky, kx = jax.random.split(key)
        top = jax.random.randint(ky, (n,), 0, h - self.height + 1)
        left = jax.random.randint(kx, (n,), 0, w - self.width + 1)

        def crop(image, t, l):
            return jax.lax.dynamic_slice(image, (t, l, 0), (self.height, self.width, c))

        return jax.vmap(crop)(images, top, left)

    def inference(self, images):
        return _center_crop_resize(images, self.height, self.width)

    def compute_output_shape(self, input_shape):
        self.check_images(tuple(input_shape))
        shape = list(input_shape)
        if self.data_format == "channels_last":
            shape[-3], shape[-2] = self.height, self.width
        else:
            shape[-2], shape[-1] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width, "padding": list(self.padding),
                "padding_mode": self.padding_mode}


class _AffineAugmentation(ImageAugmentation):
    """Shared arguments of zoom, translation and rotation."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None, **kwargs: Any):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.fill_mode = check_one_of("fill_mode", fill_mode, FILL_MODES)
        self.interpolation = check_one_of("interpolation", interpolation, INTERPOLATIONS)
        self.fill_value = check_finite_number("fill_value", fill_value)

    def transforms(self, n: int, h: int, w: int, key: jax.Array) -> jax.Array:
        raise NotImplementedError

    def augment(self, images, key):
        n, h, w, _ = images.shape
        return affine_transform(images, self.transforms(n, h, w, key), self.interpolation, self.fill_mode,
                                self.fill_value)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


def _factor_config(value: Any) -> Any:
    return list(value) if isinstance(value, (tuple, list)) else value


class RandomZoom(_AffineAugmentation):
    """Zoom each image in or out by a random amount (training only).

    Args:
        height_factor: a float f (zoom by a random amount in [-f, f]) or a pair
            (lower, upper), in [-1, 1]. Positive values zoom *out* (the image
            gets smaller), negative values zoom in: ``(-0.3, -0.2)`` zooms in
            by 20-30%.
        width_factor: the same for the width; None (default) zooms both axes
            by the same amount, keeping the aspect ratio.
        fill_mode: "reflect" (default), "wrap", "constant", "nearest", "mirror".
        interpolation: "bilinear" (default) or "nearest".
        fill_value: the value of "constant" filling.
        seed, data_format: see `ImageAugmentation`.

    Example:
        >>> import numpy as np
        >>> RandomZoom(0.2)(np.ones((2, 8, 8, 1)), training=True).shape
        (2, 8, 8, 1)
    """

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = parse_factor("RandomZoom", "height_factor", height_factor)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = parse_factor("RandomZoom", "width_factor", width_factor)

    def transforms(self, n, h, w, key):
        kh, kw = jax.random.split(key)
        zy = jax.random.uniform(kh, (n,), minval=1.0 + self.height_lower, maxval=1.0 + self.height_upper)
        if self.width_factor is None:
            zx = zy
        else:
            zx = jax.random.uniform(kw, (n,), minval=1.0 + self.width_lower, maxval=1.0 + self.width_upper)
        x_off = (w - 1.0) / 2.0 * (1.0 - zx)
        y_off = (h - 1.0) / 2.0 * (1.0 - zy)
        zeros = jnp.zeros((n,))
        return jnp.stack([zx, zeros, x_off, zeros, zy, y_off, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": _factor_config(self.height_factor),
                "width_factor": _factor_config(self.width_factor)}


class RandomTranslation(_AffineAugmentation):
    """Shift each image by a random fraction of its size (training only).

    Args:
        height_factor: a float f (shift by a random fraction in [-f, f] of
            the height) or a pair (lower, upper), in [-1, 1]. Positive values
            move the image down.
        width_factor: the same for the width; positive moves right.
        fill_mode, interpolation, fill_value, seed, data_format: as `RandomZoom`.

    Example:
        >>> import numpy as np
        >>> RandomTranslation(0.1, 0.1)(np.ones((2, 8, 8, 1)), training=True).shape
        (2, 8, 8, 1)
    """

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = parse_factor("RandomTranslation", "height_factor", height_factor)
        self.width_lower, self.width_upper = parse_factor("RandomTranslation", "width_factor", width_factor)

    def transforms(self, n, h, w, key):
        kh, kw = jax.random.split(key)
        dy = jax.random.uniform(kh, (n,), minval=self.height_lower, maxval=self.height_upper) * h
        dx = jax.random.uniform(kw, (n,), minval=self.width_lower, maxval=self.width_upper) * w
        ones, zeros = jnp.ones((n,)), jnp.zeros((n,))
        return jnp.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": _factor_config(self.height_factor),
                "width_factor": _factor_config(self.width_factor)}


def rotation_transforms(angles: jax.Array, h: int, w: int) -> jax.Array:
    """Keras's rotation matrices (counter-clockwise by `angles` radians, about the centre)."""
    cos, sin = jnp.cos(angles), jnp.sin(angles)
    x_off = ((w - 1) - (cos * (w - 1) - sin * (h - 1))) / 2.0
    y_off = ((h - 1) - (sin * (w - 1) + cos * (h - 1))) / 2.0
    zeros = jnp.zeros_like(angles)
    return jnp.stack([cos, -sin, x_off, sin, cos, y_off, zeros, zeros], axis=1)


class RandomRotation(_AffineAugmentation):
    """Rotate each image by a random angle (training only).

    Args:
        factor: a float f (rotate by a random amount in [-f, f] of a full turn,
            ``2 pi``) or a pair (lower, upper). ``factor=0.1`` rotates by up to
            36 degrees either way; positive angles turn counter-clockwise.
        fill_mode, interpolation, fill_value, seed, data_format: as `RandomZoom`.

    Example:
        >>> import numpy as np
        >>> RandomRotation(0.1)(np.ones((2, 8, 8, 1)), training=True).shape
        (2, 8, 8, 1)
    """

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, data_format: str | None = None, **kwargs: Any):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        self.factor = factor
        self.lower, self.upper = parse_factor("RandomRotation", "factor", factor, bounds=(-math.inf, math.inf))

    def transforms(self, n, h, w, key):
        angles = jax.random.uniform(key, (n,), minval=self.lower, maxval=self.upper) * 2.0 * math.pi
        return rotation_transforms(angles, h, w)

    def get_config(self):
        return {**super().get_config(), "factor": _factor_config(self.factor)}
