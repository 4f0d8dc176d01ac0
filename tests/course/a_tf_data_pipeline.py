"""An input pipeline in tf.data style: from_tensor_slices, cache, shuffle, batch, prefetch,
with a checkpoint every few training steps (ModelCheckpoint(save_freq=<int>)).

Run: python a_tf_data_pipeline.py   (checkpoints under $TMPDIR/a_pipeline_ckpt)
"""

import os
import tempfile

import numpy as np

import trainlab as tl
from trainlab.data import AUTOTUNE, Dataset


def main(small: bool = True, ckpt_dir: str | None = None) -> dict:
    rng = np.random.default_rng(0)
    n = 1200 if small else 12000
    x = rng.normal(size=(n, 10)).astype("float32")
    y = (x @ rng.normal(size=10) > 0).astype("int32")
    decoded = {"count": 0}

    def decode(features, label):                # an expensive step that cache() runs once
        decoded["count"] += 1
        return features * 2.0, label

    train_ds = (Dataset.from_tensor_slices((x[:1000], y[:1000])).map(decode).cache()
                .shuffle(1000).batch(50).prefetch(AUTOTUNE))
    val_ds = Dataset.from_tensor_slices((x[1000:] * 2.0, y[1000:])).batch(50).cache().prefetch(AUTOTUNE)

    ckpt_dir = ckpt_dir or os.path.join(tempfile.gettempdir(), "a_pipeline_ckpt")
    checkpoint = tl.callbacks.ModelCheckpoint(os.path.join(ckpt_dir, "ckpt-{epoch:02d}-{batch}.weights.trainlab"),
                                              save_weights_only=True, save_freq=25)
    model = tl.Sequential([tl.Input(shape=(10,)), tl.layers.Dense(16, activation="relu"),
                           tl.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train_ds, validation_data=val_ds, epochs=4, verbose=0, callbacks=[checkpoint])
    loss, acc = model.evaluate(val_ds, verbose=0)
    print(f"validation accuracy {acc:.3f}; decode ran {decoded['count']} times for 4 epochs of 1000")
    return {"val_acc": float(acc), "decoded": decoded["count"], "history": history.history,
            "checkpoints": sorted(os.listdir(ckpt_dir)) if os.path.isdir(ckpt_dir) else []}


if __name__ == "__main__":
    main(small=os.environ.get("TRAINLAB_SMALL", "1") != "0")
