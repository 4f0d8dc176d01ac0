"""Subclassing Model (the Keras guides' patterns, on generated data).

1. ``class CustomModel(Model)`` built with functional arguments,
   ``CustomModel(inputs, outputs)``, adding a method of its own;
2. a subclassed model with two outputs compiled with a *list* of losses.

Run: python b_custom_model.py
"""

import os

import numpy as np

import trainlab as tl


class CustomModel(tl.Model):
    """A functional graph with one extra method."""

    def predict_classes(self, x):
        return np.argmax(self.predict(x, verbose=0), axis=-1)


class PriceAndKind(tl.Model):
    def __init__(self, num_kinds):
        super().__init__()
        self.hidden = tl.layers.Dense(32, activation="relu")
        self.price = tl.layers.Dense(1)
        self.kind = tl.layers.Dense(num_kinds, activation="softmax")

    def call(self, inputs):
        h = self.hidden(inputs)
        return self.price(h), self.kind(h)


def main(small=True):
    rng = np.random.default_rng(0)
    n = 600 if small else 6000
    x = rng.normal(size=(n, 6)).astype("float32")
    kind = (x[:, 0] > 0).astype("int32") + (x[:, 1] > 0.5)
    price = (2.0 * x[:, 2] - x[:, 3] + 0.5 * kind).astype("float32")

    inputs = tl.Input(shape=(6,))
    hidden = tl.layers.Dense(32, activation="relu")(inputs)
    outputs = tl.layers.Dense(3, activation="softmax")(hidden)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer=tl.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, kind, epochs=6 if small else 20, batch_size=32, verbose=0)
    custom_accuracy = float(np.mean(model.predict_classes(x) == kind))

    two = PriceAndKind(3)
    two.compile(optimizer=tl.optimizers.Adam(0.01), loss=["mse", "sparse_categorical_crossentropy"],
                metrics=[["mae"], ["accuracy"]])
    history = two.fit(x, [price, kind], epochs=6 if small else 20, batch_size=32, verbose=0)
    logs = two.evaluate(x, [price, kind], verbose=0, return_dict=True)
    return {"custom_accuracy": custom_accuracy, "is_custom": isinstance(model, CustomModel),
            "two_logs": logs, "price_variance": float(np.var(price)), "history": history.history}


if __name__ == "__main__":
    print({k: v for k, v in main(small=os.environ.get("B_SMALL", "1") != "0").items() if k != "history"})
