"""Course program: a CIFAR-10 input pipeline with data augmentation.

The lesson on overfitting: feed a small image classifier through a
`trainlab.data.Dataset` pipeline (shuffle, batch, prefetch to the device in a
background thread) and put random augmentation layers at the front of the
model: horizontal flips, the classic pad-4-and-crop, a little rotation and
colour jitter. They act only while training, inside the compiled train step,
and do nothing at inference (evaluate, predict, and after `load_model`).

    python examples/cifar_augmentation.py               # CIFAR-10 if present, else generated images
    python examples/cifar_augmentation.py --generated

The classifier is a small CNN (Conv2D / MaxPooling2D) when trainlab has
convolution layers; until then (they are built on another branch) it falls
back to a multilayer perceptron on the flattened pixels, and says so.

Without the CIFAR-10 files (see trainlab.datasets.cifar10) it uses generated
32x32 colour images: each class is a coloured shape at a random place on a
noisy background, so flips and shifts keep the label.
"""

from __future__ import annotations

import argparse

import numpy as np

import trainlab as tl
from trainlab.data import Dataset
from trainlab.datasets import DatasetNotFoundError

NUM_CLASSES = 10


def generated_images(n: int = 2000, seed: int = 0, size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images ``(n, size, size, 3)`` and labels ``(n,)``: class = (shape, colour) pair."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, NUM_CLASSES, n)
    palette = np.array([[230, 40, 40], [40, 200, 60], [50, 80, 230], [230, 210, 40], [200, 60, 210]], float)
    yy, xx = np.mgrid[0:size, 0:size]
    images = rng.normal(110, 25, size=(n, size, size, 3))
    for i, label in enumerate(labels):
        colour, square = palette[label % 5], label >= 5
        cy, cx = rng.integers(10, size - 10, 2)
        r = rng.integers(5, 8)
        mask = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= r) if square else (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
        images[i][mask] = colour + rng.normal(0, 15, (int(mask.sum()), 3))
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.int64)


def load(generated: bool = False, n: int = 2000) -> tuple[tuple, tuple, str]:
    if not generated:
        try:
            (x, y), (xt, yt) = tl.datasets.cifar10.load_data()
            return (x, y.reshape(-1)), (xt, yt.reshape(-1)), "CIFAR-10"
        except DatasetNotFoundError:
            pass
    x, y = generated_images(n, seed=0)
    xt, yt = generated_images(max(200, n // 4), seed=1)
    return (x, y), (xt, yt), "generated images"


def has_convolutions() -> bool:
    return all(hasattr(tl.layers, name) for name in ("Conv2D", "MaxPooling2D"))


def build_model(augment: bool = True) -> tl.Sequential:
    stack = [tl.layers.Input((32, 32, 3))]
    if augment:
        stack += [
            tl.layers.RandomFlip("horizontal"),
            tl.layers.RandomCrop(32, 32, padding=4),
            tl.layers.RandomRotation(0.05, fill_mode="nearest"),
            tl.layers.RandomColorJitter(brightness_factor=0.1, contrast_factor=0.1),
        ]
    stack.append(tl.layers.Rescaling(1 / 255))
    if has_convolutions():
        stack += [
            tl.layers.Conv2D(32, 3, activation="relu", padding="same"), tl.layers.MaxPooling2D(),
            tl.layers.Conv2D(64, 3, activation="relu", padding="same"), tl.layers.MaxPooling2D(),
            tl.layers.Flatten(), tl.layers.Dense(64, activation="relu"),
        ]
    else:  # conv layers not merged yet: an MLP on the flattened pixels
        stack += [tl.layers.Flatten(), tl.layers.Dense(128, activation="relu")]
    stack.append(tl.layers.Dense(NUM_CLASSES))
    model = tl.Sequential(stack)
    model.compile(optimizer="adam", loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def pipeline(x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool) -> Dataset:
    ds = Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(buffer_size=min(len(x), 10_000))
    return ds.batch(batch_size).prefetch(2)


def main(generated: bool = False, n: int = 2000, epochs: int = 10, batch_size: int = 64, augment: bool = True,
         verbose: int = 1) -> dict:
    tl.set_random_seed(0)
    (x_train, y_train), (x_test, y_test), source = load(generated, n)
    model = build_model(augment)
    history = model.fit(pipeline(x_train, y_train, batch_size, shuffle=True), epochs=epochs,
                        validation_data=pipeline(x_test, y_test, 256, shuffle=False), verbose=verbose)
    loss, accuracy = model.evaluate(pipeline(x_test, y_test, 256, shuffle=False), verbose=0)
    kind = "CNN" if has_convolutions() else "MLP (conv layers not available yet)"
    if verbose:
        print(f"{kind} on {source}, augmentation {'on' if augment else 'off'}: test accuracy {accuracy:.3f}")
    return {"history": history, "test_accuracy": float(accuracy), "model": model, "source": source,
            "architecture": kind}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", action="store_true")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--no-augment", action="store_true")
    args = parser.parse_args()
    main(generated=args.generated, epochs=args.epochs, augment=not args.no_augment)
