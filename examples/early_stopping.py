"""Course program (d): early stopping. A large network on a small, noisy
dataset overfits: the training loss keeps falling while the validation loss
turns up. `EarlyStopping(monitor="val_loss", patience=...)` stops there and
restores the best weights.

    python examples/early_stopping.py
"""

from __future__ import annotations

import argparse

import numpy as np

import trainlab as tl


def noisy_data(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 20)).astype("float32")
    logits = x[:, 0] - x[:, 1]
    y = (logits + rng.normal(scale=1.5, size=n) > 0).astype("float32")  # heavy label noise
    return x, y


def main(epochs: int = 300, patience: int = 10, verbose: int = 1) -> dict:
    tl.set_random_seed(0)
    x, y = noisy_data()
    model = tl.Sequential([
        tl.layers.Dense(256, activation="relu", input_shape=(20,)),
        tl.layers.Dense(256, activation="relu"),
        tl.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=tl.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    stop = tl.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True, verbose=verbose)
    history = model.fit(x, y, epochs=epochs, batch_size=16, validation_split=0.3, callbacks=[stop], verbose=0)
    val = history.history["val_loss"]
    best = int(np.argmin(val))
    if verbose:
        print(f"stopped after {len(val)} of {epochs} epochs; best val_loss {val[best]:.4f} at epoch {best + 1}")
    return {"history": history, "stopped_epoch": stop.stopped_epoch, "best_epoch": best, "model": model}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=300)
    main(p.parse_args().epochs)
