"""Course program: CIFAR-100 with data augmentation and an efficient CNN.

Recipe: pixels scaled to [0, 1]; random horizontal flips and random 32x32
crops of the image padded by 4 pixels (training only, inside the model, so
they run in the compiled epoch and every epoch sees new variants); two plain
3x3 convolution blocks, then MobileNet blocks (depthwise 3x3 + pointwise 1x1,
each with BatchNorm and ReLU) with max pooling between stages; global average
pooling, dropout and a 100-way softmax; Adam with a cosine-decayed learning rate.

    python examples/cifar100_augmented.py                 # the real data (TRAINLAB_DATA_DIR/cifar100)
    python examples/cifar100_augmented.py --small         # 5,000 images, narrow model, 2 epochs

The augmentation layers are Keras' ``RandomFlip("horizontal")`` and
``RandomCrop(32, 32, padding=4)`` (trainlab's `padding` pads in training only).
"""

from __future__ import annotations

import argparse

import trainlab as tl

L = tl.layers


def augmentation_layers(image_size: int = 32, pad: int = 4) -> list:
    """Random horizontal flips and random crops of the image zero-padded by `pad`
    pixels: active in training only (identity at inference)."""
    return [L.RandomFlip("horizontal"), L.RandomCrop(image_size, image_size, padding=pad)]


def build_model(num_classes: int = 100, width: float = 1.0, image_size: int = 32, augment: bool = True,
                steps: int = 10000, learning_rate: float = 2e-3, blocks_per_stage: int = 2) -> tl.Sequential:
    """`width` scales every channel count; `blocks_per_stage` repeats the blocks of each stage."""
    def f(n):
        return max(4, int(n * width))

    def stage(block, filters):
        # BatchNorm momentum 0.9 (PyTorch's default; Keras: 0.99): the moving statistics that
        # inference uses settle within a few hundred steps.
        return [block(f(filters), momentum=0.9) for _ in range(blocks_per_stage)]

    stages = (stage(L.ConvBlock, 32) + [L.MaxPooling2D()]
              + stage(L.MobileNetBlock, 64) + [L.MaxPooling2D()]
              + stage(L.MobileNetBlock, 128) + [L.MaxPooling2D()]
              + [L.MobileNetBlock(f(256), momentum=0.9)])
    model = tl.Sequential(
        [L.Input((image_size, image_size, 3)), L.Rescaling(1 / 255)]
        + (augmentation_layers(image_size) if augment else [])
        + stages
        + [L.GlobalAveragePooling2D(), L.Dropout(0.3), L.Dense(num_classes, activation="softmax")]
    )
    schedule = tl.schedules.CosineDecay(learning_rate, decay_steps=steps)
    model.compile(optimizer=tl.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def main(data=None, path=None, epochs: int = 30, batch_size: int = 64, width: float = 1.0, small: bool = False,
         augment: bool = True, num_classes: int = 100, blocks_per_stage: int = 2, validation_split: float = 0.1,
         verbose: int = 1) -> dict:
    """Train and evaluate. `data`: ``((x_train, y_train), (x_test, y_test))`` arrays
    (uint8 images), else CIFAR-100 from `path` (see `trainlab.datasets.cifar100`)."""
    if data is None:
        data = tl.datasets.cifar100.load_data(path=path)
    (x_train, y_train), (x_test, y_test) = data
    if small:
        x_train, y_train, x_test, y_test = x_train[:5000], y_train[:5000], x_test[:1000], y_test[:1000]
        epochs, width = min(epochs, 2), min(width, 0.25)
    tl.set_random_seed(0)
    steps = epochs * -(-int(len(x_train) * (1 - validation_split)) // batch_size)
    model = build_model(num_classes, width, x_train.shape[1], augment, steps, blocks_per_stage=blocks_per_stage)
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, validation_split=validation_split,
                        verbose=verbose)
    _, test_acc = model.evaluate(x_test, y_test, verbose=0)
    if verbose:
        print(f"Test accuracy: {test_acc:.4f}")
    return {"history": history, "test_accuracy": float(test_acc), "model": model}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--small", action="store_true")
    p.add_argument("--no-augment", action="store_true")
    a = p.parse_args()
    main(epochs=a.epochs, width=a.width, small=a.small, augment=not a.no_augment)
