"""Course program: efficient models. The same small CNN built twice, once from
plain 3x3 convolution blocks (Conv2D + BatchNorm + ReLU) and once from
MobileNet blocks (3x3 DepthwiseConv2D + BatchNorm + ReLU, then 1x1 Conv2D +
BatchNorm + ReLU), trained on Fashion-MNIST: parameters, training time per
epoch, and test accuracy side by side.

A 3x3 convolution from C to F channels has 9*C*F weights; the depthwise
separable pair has 9*C + C*F, about 1/F + 1/9 of it (Howard et al. 2017).

    python examples/efficient_cnn.py            # 12,000 training images, 3 epochs
    python examples/efficient_cnn.py --small    # 2,000 images, 2 epochs
"""

from __future__ import annotations

import argparse

import trainlab as tl

L = tl.layers
# (filters, strides) of the blocks after the stem
PLAN = [(32, 1), (64, 2), (64, 1), (128, 2)]


def build_model(kind: str, input_shape=(28, 28, 1), num_classes: int = 10, width: float = 1.0,
                plan=PLAN) -> tl.Sequential:
    """kind: "plain" (ConvBlock) or "mobilenet" (MobileNetBlock); the stem is a ConvBlock in both.
    `plan`: (filters, strides) of each block after the stem; `width` scales the filters."""
    # BatchNorm momentum 0.9 (Keras: 0.99): the moving statistics used at test time settle
    # within the few hundred steps of a short run.
    block = {"plain": lambda f, s: L.ConvBlock(f, strides=s, momentum=0.9),
             "mobilenet": lambda f, s: L.MobileNetBlock(f, strides=s, momentum=0.9)}[kind]
    model = tl.Sequential([L.Input(input_shape), L.ConvBlock(max(4, int(16 * width)), momentum=0.9)]
                          + [block(max(4, int(f * width)), s) for f, s in plan]
                          + [L.GlobalAveragePooling2D(), L.Dense(num_classes, activation="softmax")], name=kind)
    model.compile(optimizer=tl.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main(data=None, epochs: int = 3, train_size: int = 12000, small: bool = False, width: float = 1.0,
         batch_size: int = 64, plan=PLAN, verbose: int = 1) -> dict:
    if data is None:
        data = tl.datasets.fashion_mnist.load_data()
    (x_train, y_train), (x_test, y_test) = data
    if small:
        train_size, epochs = min(train_size, 2000), min(epochs, 2)
    x_train, y_train = x_train[:train_size, ..., None] / 255.0, y_train[:train_size]
    x_test, y_test = x_test[:2000, ..., None] / 255.0, y_test[:2000]
    results = {}
    for kind in ("plain", "mobilenet"):
        tl.set_random_seed(0)
        model = build_model(kind, x_train.shape[1:], int(max(y_train.max(), y_test.max())) + 1, width, plan)
        history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)
        _, acc = model.evaluate(x_test, y_test, verbose=0)
        seconds = history.epoch_seconds
        steady = sorted(seconds[1:])[len(seconds[1:]) // 2] if len(seconds) > 1 else seconds[0]
        results[kind] = {"params": model.count_params(), "steady_epoch_seconds": steady,
                         "first_epoch_seconds": seconds[0], "test_accuracy": float(acc), "model": model}
    if verbose:
        print("| model | parameters | steady epoch (s) | test accuracy |")
        print("| --- | ---: | ---: | ---: |")
        for kind, r in results.items():
            print(f"| {kind} | {r['params']:,} | {r['steady_epoch_seconds']:.2f} | {r['test_accuracy']:.4f} |")
        p, m = results["plain"], results["mobilenet"]
        print(f"\nMobileNet blocks: {p['params'] / m['params']:.1f}x fewer parameters, "
              f"{p['steady_epoch_seconds'] / m['steady_epoch_seconds']:.1f}x faster per epoch.")
    return results


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--train-size", type=int, default=12000)
    p.add_argument("--width", type=float, default=1.0, help="channel multiplier (2: 32-64-128-128-256)")
    p.add_argument("--small", action="store_true")
    a = p.parse_args()
    main(epochs=a.epochs, train_size=a.train_size, small=a.small, width=a.width)
