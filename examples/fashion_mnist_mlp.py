"""Course program (b): the Fashion-MNIST classifier from the TensorFlow tutorial,
Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam, sparse categorical
cross-entropy, accuracy, with 20% of the training data held out for validation.

    python examples/fashion_mnist_mlp.py            # the real data (TRAINLAB_DATA_DIR)
    python examples/fashion_mnist_mlp.py --small    # a quick run on 3,000 images
"""

from __future__ import annotations

import argparse

import numpy as np

import trainlab as tl


def build_model() -> tl.Sequential:
    model = tl.Sequential([
        tl.layers.Flatten(input_shape=(28, 28)),
        tl.layers.Dense(128, activation="relu"),
        tl.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main(data=None, epochs: int = 5, small: bool = False, verbose: int = 1) -> dict:
    if data is None:
        data = tl.datasets.fashion_mnist.load_data()
    (x_train, y_train), (x_test, y_test) = data
    if small:
        x_train, y_train, x_test, y_test = x_train[:3000], y_train[:3000], x_test[:1000], y_test[:1000]
    x_train, x_test = x_train / 255.0, x_test / 255.0  # normalize pixels to [0, 1]
    model = build_model()
    history = model.fit(x_train, y_train, epochs=epochs, validation_split=0.2, verbose=verbose)
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    if verbose:
        print(f"Test accuracy: {test_acc:.4f}")
    return {"history": history, "test_accuracy": float(test_acc), "model": model}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--small", action="store_true")
    a = p.parse_args()
    main(epochs=a.epochs, small=a.small)
