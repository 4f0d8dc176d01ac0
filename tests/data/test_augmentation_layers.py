"""Augmentation layers: closed-form checks, inference identity, determinism per key, bad input."""

import colorsys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers
from trainlab.data.augmentation.color import adjust_hue

ALL = [
    lambda: layers.RandomFlip(),
    lambda: layers.RandomCrop(8, 8, padding=2),
    lambda: layers.RandomZoom(0.3),
    lambda: layers.RandomTranslation(0.2, 0.2),
    lambda: layers.RandomRotation(0.2),
    lambda: layers.RandomBrightness(0.3),
    lambda: layers.RandomContrast(0.5),
    lambda: layers.RandomSaturation((0.2, 0.8)),
    lambda: layers.RandomHue(0.5),
    lambda: layers.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.2, saturation_factor=(0.3, 0.7),
                                     hue_factor=0.2),
]
IDS = ["flip", "crop", "zoom", "translation", "rotation", "brightness", "contrast", "saturation", "hue", "jitter"]


@pytest.fixture
def images():
    return np.random.default_rng(0).uniform(0, 255, size=(6, 8, 8, 3)).astype(np.float32)


_COMPILED = {}


def run(layer, x, key, training=True):
    """Apply `layer` as a one-layer model with an explicit key (the way fit does), compiled once per layer."""
    cache_key = (id(layer), x.shape, training)
    if cache_key not in _COMPILED:
        model = tl.Sequential([layers.Input(x.shape[1:]), layer])
        variables = model.init(jax.random.key(0))
        _COMPILED[cache_key] = (layer, jax.jit(lambda x, k: model.apply(variables, x, training=training, key=k)[0]))
    return np.asarray(_COMPILED[cache_key][1](jnp.asarray(x), key))


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_identity_at_inference_and_random_in_training(make, images):
    layer = make()
    np.testing.assert_allclose(run(layer, images, None, training=False), images)
    a = run(layer, images, jax.random.key(1))
    b = run(layer, images, jax.random.key(1))
    c = run(layer, images, jax.random.key(2))
    np.testing.assert_array_equal(a, b)  # same key, same augmentation
    assert not np.allclose(a, c)  # another key, another one
    assert a.shape == images.shape
    # each image gets its own draw: not all images changed by the same amount
    deltas = (a - images).reshape(len(images), -1)
    assert not all(np.allclose(deltas[0], d) for d in deltas[1:])


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_config_round_trip_gives_the_same_augmentation(make, images):
    layer = make()
    clone = type(layer).from_config(layer.get_config())
    np.testing.assert_array_equal(run(clone, images, jax.random.key(3)), run(layer, images, jax.random.key(3)))


def test_seed_tells_two_layers_apart(images):
    a = run(layers.RandomFlip(seed=1), images, jax.random.key(5))
    b = run(layers.RandomFlip(seed=2), images, jax.random.key(5))
    assert not np.array_equal(a, b)


def test_flip_is_an_exact_reversal(images):
    out = run(layers.RandomFlip("horizontal"), images, jax.random.key(0))
    for o, x in zip(out, images):
        assert np.array_equal(o, x) or np.array_equal(o, x[:, ::-1])
    out = run(layers.RandomFlip("vertical"), images, jax.random.key(0))
    flipped = [not np.array_equal(o, x) and np.array_equal(o, x[::-1]) for o, x in zip(out, images)]
    assert 0 < sum(flipped) < len(images)


def test_crop_with_padding_is_a_window_of_the_padded_image(images):
    out = run(layers.RandomCrop(8, 8, padding=3), images, jax.random.key(4))
    padded = np.pad(images, ((0, 0), (3, 3), (3, 3), (0, 0)))
    offsets = []
    for o, p in zip(out, padded):
        found = [(t, l) for t in range(7) for l in range(7) if np.array_equal(p[t:t + 8, l:l + 8], o)]
        assert found
        offsets.append(found[0])
    assert len(set(offsets)) > 1  # per-image positions


def test_crop_at_inference_takes_the_centre_and_resizes():
    x = np.arange(2 * 6 * 8, dtype=np.float32).reshape(2, 6, 8, 1)
    out = run(layers.RandomCrop(4, 4), x, None, training=False)
    # largest centred 6x6 window (aspect 1), resized to 4x4
    window = x[:, :, 1:7, :]
    np.testing.assert_allclose(out, jax.image.resize(window, (2, 4, 4, 1), "bilinear"), rtol=1e-6)
    assert layers.RandomCrop(4, 4).compute_output_shape((None, 6, 8, 1)) == (None, 4, 4, 1)


def test_rotation_by_quarter_turns_is_rot90(images):
    quarter = run(layers.RandomRotation((0.25, 0.25)), images, jax.random.key(0))
    np.testing.assert_allclose(quarter, np.rot90(images, k=1, axes=(1, 2)), atol=1e-3)  # counter-clockwise
    half = run(layers.RandomRotation((0.5, 0.5)), images, jax.random.key(0))
    np.testing.assert_allclose(half, images[:, ::-1, ::-1], atol=1e-3)


def test_translation_by_whole_pixels_shifts(images):
    # 2/8 of the height down, 1/8 of the width left, constant fill
    layer = layers.RandomTranslation((0.25, 0.25), (-0.125, -0.125), fill_mode="constant", fill_value=-1.0)
    out = run(layer, images, jax.random.key(0))
    expected = np.full_like(images, -1.0)
    expected[:, 2:, :7] = images[:, :6, 1:]
    np.testing.assert_allclose(out, expected, atol=1e-3)


def test_zoom_scales_about_the_centre():
    x = np.zeros((1, 9, 9, 1), np.float32)
    x[0, 4, 4, 0] = 1.0
    x[0, 4, 6, 0] = 1.0
    out = run(layers.RandomZoom((-0.5, -0.5), fill_mode="constant"), x, jax.random.key(0))  # zoom in x2
    # output column 4 + 2k reads input column 4 + k: the dot two columns right of the centre moves to four
    assert out[0, 4, 4, 0] == pytest.approx(1.0) and out[0, 4, 8, 0] == pytest.approx(1.0)
    assert out[0, 4, 6, 0] == pytest.approx(0.0)
    assert out[0, 4, 5, 0] == pytest.approx(0.5) and out[0, 4, 7, 0] == pytest.approx(0.5)  # bilinear in between


def test_brightness_and_contrast_formulas(images):
    key = jax.random.key(9)
    out = run(layers.RandomBrightness((0.1, 0.1), value_range=(0, 255)), images, key)
    np.testing.assert_allclose(out, np.clip(images + 25.5, 0, 255), rtol=1e-6)
    out = run(layers.RandomContrast((0.5, 0.5)), images, key)  # factor drawn from [0.5, 1.5]
    mean = images.mean(axis=(1, 2), keepdims=True)
    factor = ((out - mean) / (images - mean)).reshape(len(images), -1)
    unclipped = (out > 0.01) & (out < 254.99)
    for f, ok in zip(factor, unclipped.reshape(len(images), -1)):
        assert np.allclose(f[ok], f[ok][0], rtol=1e-3) and 0.5 <= f[ok][0] <= 1.5


def test_saturation_extremes():
    x = np.random.default_rng(1).uniform(0, 1, size=(3, 4, 4, 3)).astype(np.float32)
    same = run(layers.RandomSaturation((0.5, 0.5), value_range=(0, 1)), x, jax.random.key(0))
    np.testing.assert_allclose(same, x, atol=1e-4)
    grey = run(layers.RandomSaturation((0.0, 0.0), value_range=(0, 1)), x, jax.random.key(0))
    np.testing.assert_allclose(grey, np.repeat(x.max(axis=-1, keepdims=True), 3, axis=-1), atol=1e-5)


def test_hue_shift_matches_colorsys():
    x = np.random.default_rng(2).uniform(0, 255, size=(2, 3, 3, 3)).astype(np.float32)
    delta = np.array([0.1, -0.3], np.float32)
    out = np.asarray(adjust_hue(jnp.asarray(x), jnp.asarray(delta), (0.0, 255.0)))
    for n in range(2):
        for p_out, p_in in zip(out[n].reshape(-1, 3), x[n].reshape(-1, 3) / 255.0):
            h, s, v = colorsys.rgb_to_hsv(*p_in)
            np.testing.assert_allclose(p_out / 255.0, colorsys.hsv_to_rgb((h + delta[n]) % 1.0, s, v), atol=1e-5)
    assert np.allclose(run(layers.RandomHue((0.0, 0.0)), x, jax.random.key(0)), x, atol=1e-3)


def test_unbatched_and_channels_first_inputs():
    x = np.random.default_rng(3).uniform(size=(5, 6, 3)).astype(np.float32)
    layer = layers.RandomFlip("horizontal")
    out = np.asarray(layer(x, training=True))
    assert out.shape == x.shape and (np.array_equal(out, x) or np.array_equal(out, x[:, ::-1]))
    cf = layers.RandomRotation((0.5, 0.5), data_format="channels_first")
    xc = np.transpose(x, (2, 0, 1))[None]
    np.testing.assert_allclose(cf(xc, training=True), xc[:, :, ::-1, ::-1], atol=1e-4)


def test_augmentation_runs_inside_the_compiled_fit_and_is_repeatable():
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 255, size=(64, 8, 8, 3)).astype(np.float32)
    y = rng.integers(0, 2, 64)

    def train():
        tl.set_random_seed(11)
        model = tl.Sequential([layers.Input((8, 8, 3)), layers.RandomFlip(), layers.RandomCrop(8, 8, padding=1),
                               layers.RandomBrightness(0.1), layers.Rescaling(1 / 255), layers.Flatten(),
                               layers.Dense(2)])
        model.compile("adam", "sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        return model

    a, b = train(), train()
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_array_equal(a.predict(x, verbose=0), a.predict(x, verbose=0))  # inference: no randomness


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_non_image_tensors_are_refused(make):
    layer = make()
    with pytest.raises(ValueError, match=r"expects images: a batch \(N, height, width, channels\).*received inputs "
                                         r"of shape \((None|4), 10\).*reshape them to images first"):
        layer(np.ones((4, 10), np.float32), training=True)
    with pytest.raises(ValueError, match=r"expects images"):
        tl.Sequential([layers.Input((784,)), make()])


def test_colour_layers_need_rgb():
    with pytest.raises(ValueError, match=r"works on RGB images with 3 channels; .* with 1 channel"):
        layers.RandomHue(0.1)(np.ones((2, 4, 4, 1)), training=True)


def test_bad_factors():
    with pytest.raises(ValueError, match=r"`height_factor` of RandomZoom must be a number or a pair"):
        layers.RandomZoom(1.5)
    with pytest.raises(ValueError, match="`fill_mode` must be one of"):
        layers.RandomRotation(0.1, fill_mode="bogus")
    with pytest.raises(ValueError, match="`value_range` of RandomBrightness must be a pair"):
        layers.RandomBrightness(0.1, value_range=255)
    with pytest.raises(ValueError, match="`padding` of RandomCrop"):
        layers.RandomCrop(8, 8, padding=-1)
    with pytest.raises(ValueError, match="needs a random key in training mode"):
        model = tl.Sequential([layers.Input((4, 4, 3)), layers.RandomFlip()])
        model.apply(model.init(0), jnp.ones((1, 4, 4, 3)), training=True)
