"""Resampling and colour conversions against scipy.ndimage and colorsys."""

import colorsys

import jax.numpy as jnp
import numpy as np
import pytest
from scipy import ndimage

from trainlab.data.augmentation import affine_transform, hsv_to_rgb, rgb_to_hsv

# trainlab / Keras fill mode -> scipy.ndimage mode with the same extension rule
SCIPY_MODE = {"reflect": "reflect", "wrap": "grid-wrap", "nearest": "nearest", "constant": "grid-constant",
              "mirror": "mirror"}


@pytest.mark.parametrize("fill_mode", sorted(SCIPY_MODE))
@pytest.mark.parametrize("interpolation,order", [("bilinear", 1), ("nearest", 0)])
def test_affine_transform_matches_scipy_map_coordinates(fill_mode, interpolation, order):
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, size=(2, 7, 9, 2)).astype(np.float32)
    # generic projective transforms that reach well outside the image
    transforms = np.array([[1.3, 0.4, -3.1, -0.2, 0.9, 2.2, 0.01, -0.02],
                           [0.7, -0.5, 4.3, 0.6, 1.2, -5.7, 0.0, 0.0]], np.float32)
    out = np.asarray(affine_transform(jnp.asarray(images), jnp.asarray(transforms), interpolation, fill_mode, 0.25))
    ys, xs = np.meshgrid(np.arange(7.0), np.arange(9.0), indexing="ij")
    for n in range(2):
        t = transforms[n]
        k = t[6] * xs + t[7] * ys + 1
        xin, yin = (t[0] * xs + t[1] * ys + t[2]) / k, (t[3] * xs + t[4] * ys + t[5]) / k
        if order == 0:  # keep away from .5 ties, where rounding conventions differ
            keep = (np.abs(xin - np.floor(xin) - 0.5) > 1e-3) & (np.abs(yin - np.floor(yin) - 0.5) > 1e-3)
        else:
            keep = np.ones_like(xin, bool)
        for c in range(2):
            ref = ndimage.map_coordinates(images[n, :, :, c].astype(np.float64), [yin, xin], order=order,
                                          mode=SCIPY_MODE[fill_mode], cval=0.25)
            np.testing.assert_allclose(out[n, :, :, c][keep], ref[keep], atol=2e-5)


def test_identity_transform_returns_the_image():
    images = jnp.asarray(np.random.default_rng(1).uniform(size=(1, 5, 6, 3)), jnp.float32)
    ident = jnp.asarray([[1, 0, 0, 0, 1, 0, 0, 0]], jnp.float32)
    np.testing.assert_allclose(affine_transform(images, ident), images, atol=1e-6)


def test_hsv_round_trip_matches_colorsys():
    rng = np.random.default_rng(2)
    rgb = rng.uniform(size=(50, 3)).astype(np.float32)
    rgb[0] = [0.3, 0.3, 0.3]  # grey: hue and saturation 0
    rgb[1] = [0.0, 0.0, 0.0]
    hsv = np.asarray(rgb_to_hsv(jnp.asarray(rgb)))
    ref = np.array([colorsys.rgb_to_hsv(*p) for p in rgb.astype(np.float64)])
    np.testing.assert_allclose(hsv, ref, atol=1e-5)
    np.testing.assert_allclose(hsv_to_rgb(jnp.asarray(hsv)), rgb, atol=1e-5)
