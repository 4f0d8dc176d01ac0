"""`make demo` / `trainlab demo`: the course workflow end to end, offline.

Loads the 8x8 digits that ship with scikit-learn, standardizes the pixels with
statistics of the training split only, trains an MLP with a validation split
and early stopping, prints the progress bar and the test accuracy, and writes
a run directory under ``runs/`` (config, history, TensorBoard events,
checkpoints, the doctor's diagnosis, report.html, and the saved model).
"""

from __future__ import annotations

import os
import time
from typing import Any


__all__ = ["run_demo"]


def run_demo(run_dir: str | None = None, *, epochs: int = 60, verbose: int = 1, seed: int = 0) -> dict[str, Any]:
    """Train the demo MLP and return ``{"test_accuracy", "run_dir", "epochs"}``."""
    import trainlab as tl
    from trainlab.datasets import digits

    tl.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(len(x_train), -1).astype("float32")
    x_test = x_test.reshape(len(x_test), -1).astype("float32")
    # standardize with training statistics only (the test set stays unseen)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-7
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

    model = tl.Sequential([
        tl.layers.Dense(64, activation="relu", input_shape=(x_train.shape[1],)),
        tl.layers.Dropout(0.2),
        tl.layers.Dense(10, activation="softmax"),
    ], name="digits_mlp")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    if verbose:
        model.summary()
    run_dir = run_dir or os.path.join("runs", time.strftime("demo-%Y%m%d-%H%M%S"))
    os.makedirs(run_dir, exist_ok=True)
    # hold out the last 20% for validation (what validation_split=0.2 does), kept
    # here so the run directory can show the 8x8 validation images
    split = int(len(x_train) * 0.8)
    x_val, y_val = x_train[split:], y_train[split:]
    x_train, y_train = x_train[:split], y_train[:split]
    from trainlab.report import RunLogger

    history = model.fit(
        x_train, y_train, epochs=epochs, batch_size=32, validation_data=(x_val, y_val), verbose=verbose,
        callbacks=[
            tl.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True),
            # config, history.csv/json, TensorBoard events, checkpoints, diagnosis, report.html
            RunLogger(run_dir, validation_data=(x_val, y_val), image_shape=(8, 8),
                      config={"demo": {"dataset": "digits", "seed": seed}}),
        ],
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    model.save(os.path.join(run_dir, "model.trainlab"))
    if verbose:
        print(f"\nTest accuracy: {accuracy:.4f} (test loss {loss:.4f}) after {len(history.epoch)} epochs")
        print(f"Run written to {run_dir}/ (report.html, history.csv, tensorboard/, checkpoints/, model.trainlab)")
    return {"test_accuracy": float(accuracy), "test_loss": float(loss), "run_dir": run_dir,
            "epochs": len(history.epoch)}
