"""Image operations in pure JAX for the augmentation layers: projective
(affine) resampling with Keras's fill modes, RGB <-> HSV, and checks.

Images are channels-last: ``(N, H, W, C)``. A transform is Keras's 8-vector
``[a0, a1, a2, b0, b1, b2, c0, c1]`` mapping an *output* pixel ``(x, y)`` to the
*input* point ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with
``k = c0 x + c1 y + 1``.

Fill modes (how points outside the image are read), as Keras documents them:

* "reflect": ``(d c b a | a b c d | d c b a)`` (scipy's "reflect");
* "wrap": ``(a b c d | a b c d | a b c d)`` (scipy's "grid-wrap");
* "nearest": ``(a a a a | a b c d | d d d d)``;
* "constant": ``(k k k k | a b c d | k k k k)`` with k = `fill_value`, each
  interpolation corner on its own (scipy's "grid-constant");
* "mirror": ``(c d c b | a b c d | c b a b)``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

__all__ = ["affine_transform", "rgb_to_hsv", "hsv_to_rgb", "FILL_MODES", "INTERPOLATIONS", "fix_index"]

FILL_MODES = ("reflect", "wrap", "constant", "nearest", "mirror")
INTERPOLATIONS = ("nearest", "bilinear")


def fix_index(i: jax.Array, n: int, mode: str) -> jax.Array:
    """Map integer indices (any range) into ``[0, n)`` by fill `mode`
    ("constant" clips; the caller masks)."""
    if mode == "wrap":
        return jnp.mod(i, n)
    if mode == "reflect":
        j = jnp.mod(i, 2 * n)
        return jnp.where(j < n, j, 2 * n - 1 - j)
    if mode == "mirror":
        if n == 1:
            return jnp.zeros_like(i)
        period = 2 * n - 2
        j = jnp.mod(i, period)
        return jnp.where(j < n, j, period - j)
    return jnp.clip(i, 0, n - 1)


def _sample(image: jax.Array, yin: jax.Array, xin: jax.Array, interpolation: str, fill_mode: str,
            fill_value: float) -> jax.Array:
    """Read `image` ``(H, W, C)`` at float points ``(yin, xin)`` ``(H', W')``."""
    h, w = image.shape[0], image.shape[1]
    fill = jnp.asarray(fill_value, image.dtype)

    def read(iy, ix):
        vals = image[fix_index(iy, h, fill_mode), fix_index(ix, w, fill_mode)]
        if fill_mode == "constant":
            inside = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
            vals = jnp.where(inside[..., None], vals, fill)
        return vals

    if interpolation == "nearest":
        return read(jnp.round(yin).astype(jnp.int32), jnp.round(xin).astype(jnp.int32))
    y0f, x0f = jnp.floor(yin), jnp.floor(xin)
    wy, wx = (yin - y0f)[..., None], (xin - x0f)[..., None]
    y0, x0 = y0f.astype(jnp.int32), x0f.astype(jnp.int32)
    top = read(y0, x0) * (1 - wx) + read(y0, x0 + 1) * wx
    bottom = read(y0 + 1, x0) * (1 - wx) + read(y0 + 1, x0 + 1) * wx
    return top * (1 - wy) + bottom * wy


def affine_transform(images: jax.Array, transforms: jax.Array, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0,
                     output_shape: tuple[int, int] | None = None) -> jax.Array:
    """Resample each image of ``(N, H, W, C)`` through its transform ``(N, 8)``.

    Returns ``(N, H', W', C)`` with ``(H', W') = output_shape`` (default ``(H, W)``).
    """
    n, h, w, _ = images.shape
    oh, ow = output_shape or (h, w)
    ys, xs = jnp.meshgrid(jnp.arange(oh, dtype=jnp.float32), jnp.arange(ow, dtype=jnp.float32), indexing="ij")
    t = transforms.astype(jnp.float32)

    def one(image, tr):
        k = tr[6] * xs + tr[7] * ys + 1.0
        xin = (tr[0] * xs + tr[1] * ys + tr[2]) / k
        yin = (tr[3] * xs + tr[4] * ys + tr[5]) / k
        return _sample(image, yin, xin, interpolation, fill_mode, fill_value)

    return jax.vmap(one)(images, t)


def rgb_to_hsv(images: jax.Array) -> jax.Array:
    """RGB in [0, 1] (last axis) to HSV in [0, 1] (hue as a fraction of a turn)."""
    r, g, b = images[..., 0], images[..., 1], images[..., 2]
    value = jnp.maximum(jnp.maximum(r, g), b)
    minimum = jnp.minimum(jnp.minimum(r, g), b)
    span = value - minimum
    safe_value = jnp.where(value > 0, value, 1.0)
    safe_span = jnp.where(span > 0, span, 1.0)
    saturation = jnp.where(value > 0, span / safe_value, 0.0)
    norm = 1.0 / (6.0 * safe_span)
    hue = jnp.where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = jnp.where(value == r, norm * (g - b), hue)
    hue = jnp.where(span > 0, hue, 0.0)
    hue = hue + (hue < 0.0).astype(hue.dtype)
    return jnp.stack([hue, saturation, value], axis=-1)


def hsv_to_rgb(images: jax.Array) -> jax.Array:
    """Inverse of `rgb_to_hsv`."""
    hue, saturation, value = images[..., 0], images[..., 1], images[..., 2]
    dh = jnp.mod(hue, 1.0) * 6.0
    dr = jnp.clip(jnp.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = jnp.clip(2.0 - jnp.abs(dh - 2.0), 0.0, 1.0)
    db = jnp.clip(2.0 - jnp.abs(dh - 4.0), 0.0, 1.0)
    one_minus_s = 1.0 - saturation
    return jnp.stack([value * (one_minus_s + saturation * dr), value * (one_minus_s + saturation * dg),
                      value * (one_minus_s + saturation * db)], axis=-1)


def as_unit_range(images: Any, value_range: tuple[float, float]) -> Any:
    lo, hi = value_range
    return (images - lo) / (hi - lo)


def from_unit_range(images: Any, value_range: tuple[float, float]) -> Any:
    lo, hi = value_range
    return images * (hi - lo) + lo
