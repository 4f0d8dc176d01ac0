"""A KerasTuner-style search (the "Introduction to the Keras Tuner" tutorial):
model_builder(hp) in a HyperModel, search with an EarlyStopping callback, then
tuner.hypermodel.build(best_hps) retrained on all the data.

Edits: `import trainlab as tl`; `kt.RandomSearch(...)` -> `tl.tune.Tuner(...,
strategy="random")`; MNIST-10k (flattened) from tl.datasets in place of Fashion-MNIST.
"""
import tempfile

import numpy as np

import trainlab as tl


class MyHyperModel(tl.tune.HyperModel):
    """The tutorial's model_builder as a HyperModel subclass (Keras Tuner accepts either)."""

    def build(self, hp):
        return model_builder(hp)


def model_builder(hp):
    model = tl.Sequential()
    model.add(tl.layers.Dense(units=hp.Int("units", min_value=16, max_value=64, step=16), activation="relu",
                              input_shape=(784,)))
    model.add(tl.layers.Dense(10))
    hp_learning_rate = hp.Choice("learning_rate", values=[1e-2, 1e-3])
    model.compile(optimizer=tl.optimizers.Adam(learning_rate=hp_learning_rate),
                  loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


def main(small=True, directory=None):
    (img_train, label_train), (img_test, label_test) = tl.datasets.mnist.load_10k()
    img_train = img_train.reshape(-1, 784).astype("float32") / 255.0
    img_test = img_test.reshape(-1, 784).astype("float32") / 255.0
    if small:
        img_train, label_train = img_train[:800], label_train[:800]
    directory = directory or tempfile.mkdtemp()
    tuner = tl.tune.Tuner(MyHyperModel(), objective="val_accuracy", strategy="random", max_trials=2 if small else 10,
                          epochs=2, directory=directory, study_name="intro_to_kt", verbose=0)
    stop_early = tl.callbacks.EarlyStopping(monitor="val_loss", patience=2)
    tuner.search(img_train, label_train, epochs=2 if small else 20, validation_split=0.2, callbacks=[stop_early])
    best_hps = tuner.get_best_hyperparameters(num_trials=1)[0]
    if not small:
        print(f"units: {best_hps.get('units')}, learning rate: {best_hps.get('learning_rate')}")
    model = tuner.hypermodel.build(best_hps)
    history = model.fit(img_train, label_train, epochs=3 if small else 50, validation_split=0.2, verbose=0)
    eval_result = model.evaluate(img_test, label_test, verbose=0)
    return {"best_hps": best_hps.values, "history": history.history, "test_loss": eval_result[0],
            "test_accuracy": eval_result[1], "model": model}


if __name__ == "__main__":
    out = main(small=False)
    print(out["best_hps"], out["test_accuracy"])
