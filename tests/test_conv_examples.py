"""The convolution course programs (examples/) run on generated data and learn."""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from _examples import load_example


def banded_images(n, seed=0, size=28, classes=10):
    """Class c lights a band of rows: easy to learn, so a few steps suffice."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = rng.integers(0, 60, (n, size, size)).astype("uint8")
    for c in range(classes):
        x[y == c, 2 * c:2 * c + 6] += 150
    return x, y


def test_fashion_mnist_cnn_learns_on_small_synthetic_images():
    x, y = banded_images(1200)
    out = load_example("fashion_mnist_cnn").main(data=((x[:1000], y[:1000]), (x[1000:], y[1000:])), epochs=2, verbose=0)
    assert out["test_accuracy"] > 0.9
    assert [layer.name for layer in out["model"].layers][:2] == ["conv2d", "max_pooling2d"]


def test_efficient_cnn_compares_parameters_and_time():
    x, y = banded_images(256, seed=1)
    out = load_example("efficient_cnn").main(data=((x, y), (x[:64], y[:64])), epochs=2, width=0.5, plan=[(32, 2)], verbose=0)
    plain, mobile = out["plain"], out["mobilenet"]
    assert plain["params"] > 2 * mobile["params"]
    assert plain["steady_epoch_seconds"] > 0 and mobile["steady_epoch_seconds"] > 0
    assert {type(layer).__name__ for layer in mobile["model"].layers} >= {"MobileNetBlock", "ConvBlock"}


def write_cifar100_folder(root: pathlib.Path, n_train=320, n_test=64, classes=10, seed=0):
    """A generated ``cifar-100-binary`` folder (the release's record format:
    coarse label, fine label, 3072 bytes of CHW pixels): fine class c is a
    colour with noise, a different colour per class."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, (classes, 3))
    folder = root / "cifar-100-binary"
    folder.mkdir(parents=True)
    for name, n in (("train.bin", n_train), ("test.bin", n_test)):
        fine = rng.integers(0, classes, n).astype(np.uint8)
        img = np.clip(palette[fine][:, :, None, None] + rng.normal(0, 25, (n, 3, 32, 32)), 0, 255).astype(np.uint8)
        records = np.concatenate([(fine // 5)[:, None], fine[:, None], img.reshape(n, -1)], axis=1)
        (folder / name).write_bytes(records.astype(np.uint8).tobytes())
    return root


def test_cifar100_recipe_trains_on_a_generated_fixture(tmp_path):
    module = load_example("cifar100_augmented")
    root = write_cifar100_folder(tmp_path)
    out = module.main(path=root, epochs=6, width=0.25, batch_size=32, blocks_per_stage=1, validation_split=0.0,
                      verbose=0)
    assert out["test_accuracy"] > 0.5  # 10 colour classes; chance is 0.1
    model = out["model"]
    assert model.output_shape == (None, 100)
    names = [type(layer).__name__ for layer in model.layers]
    assert "MobileNetBlock" in names and names.index("Rescaling") < names.index("ConvBlock")


def test_cifar100_augmentation_is_random_in_training_and_identity_at_inference():
    module = load_example("cifar100_augmented")
    import trainlab as tl

    x = jnp.asarray(np.random.default_rng(0).integers(0, 255, (8, 32, 32, 3)).astype("float32"))
    model = tl.Sequential([tl.layers.Input((32, 32, 3))] + module.augmentation_layers())
    variables = model.init(jax.random.key(0), x)
    same, _ = model.apply(variables, x, training=False)
    np.testing.assert_array_equal(np.asarray(same), np.asarray(x))
    a, _ = model.apply(variables, x, training=True, key=jax.random.key(1))
    b, _ = model.apply(variables, x, training=True, key=jax.random.key(2))
    assert a.shape == x.shape and not np.array_equal(np.asarray(a), np.asarray(b))
    # every output image is a flipped or unflipped shift of its input (zero-padded by 4)
    xp = np.pad(np.asarray(x), ((0, 0), (4, 4), (4, 4), (0, 0)))
    for i in range(8):
        img = np.asarray(a[i])
        found = any(np.array_equal(img, cand[r:r + 32, c:c + 32]) for cand in (xp[i], xp[i][:, ::-1])
                    for r in range(9) for c in range(9))
        assert found, f"image {i} is not a flip-and-crop of its input"
    with pytest.raises(ValueError, match=r"needs a random key in training mode"):
        model.apply(variables, x, training=True)
