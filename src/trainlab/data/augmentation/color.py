"""Colour augmentation: RandomBrightness, RandomContrast, RandomSaturation,
RandomHue and RandomColorJitter (all four, in that order), Keras's arguments.

`value_range` says how pixel values are scaled ((0, 255) by default, as Keras;
pass (0, 1) after a ``Rescaling(1/255)``); outputs are clipped to it. Each
image gets its own random factor.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from ._base import ImageAugmentation, parse_factor, parse_value_range
from ._image_ops import as_unit_range, from_unit_range, hsv_to_rgb, rgb_to_hsv

__all__ = ["RandomBrightness", "RandomContrast", "RandomSaturation", "RandomHue", "RandomColorJitter",
           "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue"]


def adjust_brightness(images: jax.Array, delta: jax.Array, value_range: tuple[float, float]) -> jax.Array:
    """Add ``delta * (high - low)`` (per image, ``(N,)``) and clip to `value_range`."""
    lo, hi = value_range
    return jnp.clip(images + (delta * (hi - lo))[:, None, None, None], lo, hi)


def adjust_contrast(images: jax.Array, factor: jax.Array, value_range: tuple[float, float]) -> jax.Array:
    """``(x - mean) * factor + mean`` with the mean of each channel of each image; clipped."""
    mean = jnp.mean(images, axis=(1, 2), keepdims=True)
    return jnp.clip((images - mean) * factor[:, None, None, None] + mean, *value_range)


def adjust_saturation(images: jax.Array, factor: jax.Array, value_range: tuple[float, float]) -> jax.Array:
    """Multiply the HSV saturation by `factor` ``(N,)`` (clipped to [0, 1])."""
    hsv = rgb_to_hsv(jnp.clip(as_unit_range(images, value_range), 0.0, 1.0))
    s = jnp.clip(hsv[..., 1] * factor[:, None, None], 0.0, 1.0)
    rgb = hsv_to_rgb(jnp.stack([hsv[..., 0], s, hsv[..., 2]], axis=-1))
    return from_unit_range(jnp.clip(rgb, 0.0, 1.0), value_range)


def adjust_hue(images: jax.Array, delta: jax.Array, value_range: tuple[float, float]) -> jax.Array:
    """Rotate the HSV hue by `delta` ``(N,)`` of a full turn."""
    hsv = rgb_to_hsv(jnp.clip(as_unit_range(images, value_range), 0.0, 1.0))
    h = jnp.mod(hsv[..., 0] + delta[:, None, None], 1.0)
    rgb = hsv_to_rgb(jnp.stack([h, hsv[..., 1], hsv[..., 2]], axis=-1))
    return from_unit_range(jnp.clip(rgb, 0.0, 1.0), value_range)


def _brightness_delta(key, n, bounds):
    return jax.random.uniform(key, (n,), minval=bounds[0], maxval=bounds[1])


def _contrast_factor(key, n, bounds):
    return jax.random.uniform(key, (n,), minval=1.0 - bounds[0], maxval=1.0 + bounds[1])


def _saturation_factor(key, n, bounds):
    u = jax.random.uniform(key, (n,), minval=bounds[0], maxval=bounds[1])
    return u / (1.0 - u + 1e-7)  # Keras: 0.5 -> x1 (no change), 0 -> grey, 1 -> fully saturated


def _hue_delta(key, n, bounds):
    k_sign, k_amount = jax.random.split(key)
    sign = jnp.where(jax.random.uniform(k_sign, (n,)) > 0.5, -1.0, 1.0)
    return sign * jax.random.uniform(k_amount, (n,), minval=bounds[0], maxval=bounds[1]) * 0.5


def _contrast_bounds(layer: str, factor: Any) -> tuple[float, float]:
    """Keras's contrast factor: a float f gives [1 - f, 1 + f]; a pair (l, u) gives [1 - l, 1 + u]."""
    if isinstance(factor, (tuple, list)):
        return parse_factor(layer, "factor", factor, bounds=(0.0, 1.0))
    f = parse_factor(layer, "factor", factor, bounds=(0.0, 1.0), symmetric=False)[1]
    return f, f


class _ColorLayer(ImageAugmentation):
    def __init__(self, value_range: Any = (0, 255), seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = parse_value_range(type(self).__name__, value_range)

    def get_config(self):
        return {**super().get_config(), "value_range": list(self.value_range)}


class RandomBrightness(_ColorLayer):
    """Add a random brightness change to each image (training only).

    Args:
        factor: a float f in [0, 1] (a change drawn from [-f, f]) or a pair
            (lower, upper) in [-1, 1], as a fraction of the value range: -1
            makes the image black, +1 white.
        value_range: the pixel range, (0, 255) by default; outputs are clipped.
        seed, data_format: see `ImageAugmentation`.

    Example:
        >>> import numpy as np
        >>> RandomBrightness(0.2)(np.full((2, 4, 4, 3), 100.0), training=True).shape
        (2, 4, 4, 3)
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.factor = parse_factor("RandomBrightness", "factor", factor)

    def augment(self, images, key):
        return adjust_brightness(images, _brightness_delta(key, images.shape[0], self.factor), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor)}


class RandomContrast(_ColorLayer):
    """Scale each channel's deviation from its mean by a random factor (training only).

    ``y = (x - mean) * c + mean``, mean per image and channel, c drawn from
    ``[1 - lower, 1 + upper]`` (a float f means lower = upper = f, as Keras
    documents), clipped to `value_range`.

    Args:
        factor: a float in [0, 1] or a pair (lower, upper).
        value_range: the pixel range, (0, 255) by default.
        seed, data_format: see `ImageAugmentation`.

    Example:
        >>> import numpy as np
        >>> RandomContrast(0.3)(np.full((2, 4, 4, 3), 100.0), training=True).shape
        (2, 4, 4, 3)
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.factor = _contrast_bounds("RandomContrast", factor)

    def augment(self, images, key):
        return adjust_contrast(images, _contrast_factor(key, images.shape[0], self.factor), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor)}


class RandomSaturation(_ColorLayer):
    """Change the colour saturation of each RGB image by a random amount (training only).

    A value u is drawn from `factor` and the HSV saturation is multiplied by
    ``u / (1 - u)`` (Keras): 0.5 leaves the image unchanged, 0 makes it
    grey, 1 fully saturated.

    Args:
        factor: a float f in [0, 1] (u drawn from [0, f]) or a pair (lower,
            upper); (0.5, 0.5) is a no-op, e.g. (0.3, 0.7) varies both ways.
        value_range, seed, data_format: as `RandomBrightness`.

    Example:
        >>> import numpy as np
        >>> RandomSaturation((0.3, 0.7))(np.full((2, 4, 4, 3), 100.0), training=True).shape
        (2, 4, 4, 3)
    """

    needs_rgb = True

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.factor = parse_factor("RandomSaturation", "factor", factor, bounds=(0.0, 1.0), symmetric=False)

    def augment(self, images, key):
        return adjust_saturation(images, _saturation_factor(key, images.shape[0], self.factor), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor)}


class RandomHue(_ColorLayer):
    """Rotate the hue of each RGB image by a random amount (training only).

    A value u is drawn from `factor` and the hue turns by ``± u / 2`` of a full
    circle (random sign), as Keras: 0 is a no-op, 1 the largest change.

    Args:
        factor: a float f in [0, 1] (u drawn from [0, f]) or a pair.
        value_range, seed, data_format: as `RandomBrightness`.

    Example:
        >>> import numpy as np
        >>> RandomHue(0.2)(np.full((2, 4, 4, 3), 100.0), training=True).shape
        (2, 4, 4, 3)
    """

    needs_rgb = True

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        self.factor = parse_factor("RandomHue", "factor", factor, bounds=(0.0, 1.0), symmetric=False)

    def augment(self, images, key):
        return adjust_hue(images, _hue_delta(key, images.shape[0], self.factor), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor)}


class RandomColorJitter(_ColorLayer):
    """Random brightness, contrast, saturation and hue changes, in that order (training only).

    Each factor has the meaning of the single layer of that name; None skips
    that step.

    Example:
        >>> import numpy as np
        >>> jitter = RandomColorJitter(brightness_factor=0.2, contrast_factor=0.2, hue_factor=0.1)
        >>> jitter(np.full((2, 4, 4, 3), 100.0), training=True).shape
        (2, 4, 4, 3)
    """

    needs_rgb = True

    def __init__(self, value_range: Any = (0, 255), brightness_factor: Any = None, contrast_factor: Any = None,
                 saturation_factor: Any = None, hue_factor: Any = None, seed: int | None = None, **kwargs: Any):
        super().__init__(value_range=value_range, seed=seed, **kwargs)
        name = "RandomColorJitter"
        self.brightness_factor = None if brightness_factor is None else parse_factor(
            name, "brightness_factor", brightness_factor)
        self.contrast_factor = None if contrast_factor is None else _contrast_bounds(name, contrast_factor)
        self.saturation_factor = None if saturation_factor is None else parse_factor(
            name, "saturation_factor", saturation_factor, bounds=(0.0, 1.0), symmetric=False)
        self.hue_factor = None if hue_factor is None else parse_factor(
            name, "hue_factor", hue_factor, bounds=(0.0, 1.0), symmetric=False)

    def augment(self, images, key):
        n, vr = images.shape[0], self.value_range
        kb, kc, ks, kh = jax.random.split(key, 4)
        if self.brightness_factor is not None:
            images = adjust_brightness(images, _brightness_delta(kb, n, self.brightness_factor), vr)
        if self.contrast_factor is not None:
            images = adjust_contrast(images, _contrast_factor(kc, n, self.contrast_factor), vr)
        if self.saturation_factor is not None:
            images = adjust_saturation(images, _saturation_factor(ks, n, self.saturation_factor), vr)
        if self.hue_factor is not None:
            images = adjust_hue(images, _hue_delta(kh, n, self.hue_factor), vr)
        return images

    def get_config(self):
        def ser(v):
            return None if v is None else list(v)

        return {**super().get_config(), "brightness_factor": ser(self.brightness_factor),
                "contrast_factor": ser(self.contrast_factor), "saturation_factor": ser(self.saturation_factor),
                "hue_factor": ser(self.hue_factor)}
