"""Structured data with preprocessing layers (Keras "structured data classification"
style): a dict of 1-D columns, Normalization per numeric column (axis=None), a
Discretization of age adapted to quartiles and one-hot encoded, concatenated into a
small network; then a feature extractor from an intermediate layer's output.

Run: python a_structured_data.py
"""

import os
import tempfile

import numpy as np

import trainlab as tl


def make_frame(n: int, rng: np.random.Generator) -> tuple[dict, np.ndarray]:
    age = rng.uniform(20, 80, size=n).astype("float32")
    chol = rng.normal(220, 40, size=n).astype("float32")
    thalach = rng.normal(150, 20, size=n).astype("float32")
    risk = 0.08 * (age - 50) + 0.03 * (chol - 220) - 0.04 * (thalach - 150)
    target = (risk + rng.normal(0, 0.5, size=n) > 0).astype("float32")
    return {"age": age, "chol": chol, "thalach": thalach}, target


def main(small: bool = True, plot_dir: str | None = None) -> dict:
    rng = np.random.default_rng(1)
    train, y_train = make_frame(1500, rng)
    test, y_test = make_frame(500, rng)

    all_inputs, encoded = [], []
    for header in ("chol", "thalach"):
        numeric_col = tl.Input(shape=(1,), name=header)
        normalizer = tl.layers.Normalization(axis=None)
        normalizer.adapt(train[header])
        all_inputs.append(numeric_col)
        encoded.append(normalizer(numeric_col))
    age_col = tl.Input(shape=(1,), name="age")
    age_buckets = tl.layers.Discretization(num_bins=4, output_mode="one_hot")
    age_buckets.adapt(train["age"])
    all_inputs.append(age_col)
    encoded.append(age_buckets(age_col))

    all_features = tl.layers.concatenate(encoded)
    x = tl.layers.Dense(32, activation="relu", name="hidden")(all_features)
    x = tl.layers.Dropout(0.2)(x)
    output = tl.layers.Dense(1, activation="sigmoid")(x)
    model = tl.Model(all_inputs, output)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    plot = tl.utils.plot_model(model, os.path.join(plot_dir or tempfile.gettempdir(), "structured_model.png"),
                               show_shapes=True, rankdir="LR")
    model.fit(train, y_train, epochs=8 if small else 50, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(test, y_test, verbose=0)

    hidden = model.get_layer("hidden")
    extractor = tl.Model(inputs=model.inputs, outputs=hidden.output)
    features = extractor.predict(test, verbose=0)
    sample = {name: np.array([value[0]]) for name, value in test.items()}
    probability = model.predict(sample, verbose=0)
    print(f"test accuracy {accuracy:.3f}; quartile boundaries of age {age_buckets.bin_boundaries}")
    return {"accuracy": float(accuracy), "features": features, "probability": probability,
            "boundaries": age_buckets.bin_boundaries, "ages": train["age"], "plot": plot}


if __name__ == "__main__":
    main(small=os.environ.get("TRAINLAB_SMALL", "1") != "0")
