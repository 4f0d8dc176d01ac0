"""Overfit and underfit (TensorFlow tutorial style): a large model with and without L2
weight regularization on a small noisy set, logged with the TensorBoard callback.

Run: python a_overfit_underfit.py   (logs under $TMPDIR/a_overfit_logs)
"""

import os
import tempfile

import numpy as np

import trainlab as tl


def make_data(n: int, rng: np.random.Generator) -> tuple:
    x = rng.normal(size=(n, 28)).astype("float32")
    y = ((x[:, :4].sum(axis=1) + rng.normal(0, 1.5, size=n)) > 0).astype("float32")
    return x, y


def build(regularizer=None):
    return tl.Sequential([
        tl.Input(shape=(28,)),
        tl.layers.Dense(128, activation="elu", kernel_regularizer=regularizer),
        tl.layers.Dense(128, activation="elu", kernel_regularizer=regularizer),
        tl.layers.Dense(1),
    ])


def main(small: bool = True, logdir: str | None = None) -> dict:
    rng = np.random.default_rng(0)
    x_train, y_train = make_data(256, rng)
    x_val, y_val = make_data(512, rng)
    logdir = logdir or os.path.join(tempfile.gettempdir(), "a_overfit_logs")
    results = {}
    for name, reg in [("large", None), ("l2", tl.regularizers.l2(0.001))]:
        model = build(reg)
        model.compile(optimizer=tl.optimizers.Adam(0.001),
                      loss=tl.losses.BinaryCrossentropy(from_logits=True),
                      metrics=[tl.metrics.BinaryCrossentropy(from_logits=True, name="binary_crossentropy"),
                               "accuracy"])
        history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=15 if small else 200,
                            batch_size=64, verbose=0,
                            callbacks=[tl.callbacks.TensorBoard(os.path.join(logdir, name))])
        kernels = [w for w in model.get_weights() if w.ndim == 2]
        results[name] = {"history": history.history, "losses": [float(p) for p in model.losses],
                         "kernels": kernels[:2], "logdir": os.path.join(logdir, name)}
        print(name, "val_binary_crossentropy", history.history["val_binary_crossentropy"][-1])
    return results


if __name__ == "__main__":
    main(small=os.environ.get("TRAINLAB_SMALL", "1") != "0")
