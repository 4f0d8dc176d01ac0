"""Course program: a small CNN on Fashion-MNIST (the `cnn` workload of the peer
benchmarks): Conv2D(32, 3, same, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, same,
relu) -> MaxPooling2D(2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax),
Adam(1e-3), batch 64. Reaches about 0.91 test accuracy in 5 epochs.

On CPU the convolutions run as shifted-slice patches + one matmul and the
pooling as reshape + max (see trainlab.ops); on GPU as cuDNN convolutions.

    python examples/fashion_mnist_cnn.py             # the real data (TRAINLAB_DATA_DIR)
    python examples/fashion_mnist_cnn.py --small     # a quick run on 3,000 images
"""

from __future__ import annotations

import argparse

import trainlab as tl

L = tl.layers


def build_model() -> tl.Sequential:
    model = tl.Sequential([
        L.Input((28, 28, 1)),
        L.Conv2D(32, 3, padding="same", activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(64, 3, padding="same", activation="relu"),
        L.MaxPooling2D(2),
        L.Flatten(),
        L.Dense(128, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=tl.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main(data=None, epochs: int = 5, small: bool = False, batch_size: int = 64, verbose: int = 1) -> dict:
    if data is None:
        data = tl.datasets.fashion_mnist.load_data()
    (x_train, y_train), (x_test, y_test) = data
    if small:
        x_train, y_train, x_test, y_test = x_train[:3000], y_train[:3000], x_test[:1000], y_test[:1000]
    # pixels to [0, 1], and a channel axis: (N, 28, 28) -> (N, 28, 28, 1)
    x_train, x_test = x_train[..., None] / 255.0, x_test[..., None] / 255.0
    tl.set_random_seed(0)
    model = build_model()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=verbose)
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    if verbose:
        model.summary()
        print(f"Test accuracy: {test_acc:.4f}")
    return {"history": history, "test_accuracy": float(test_acc), "model": model}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--small", action="store_true")
    a = p.parse_args()
    main(epochs=a.epochs, small=a.small)
