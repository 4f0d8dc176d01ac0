"""Feature crosses (ML Crash Course style): bucketize latitude and longitude with
Discretization, cross the buckets with HashedCrossing, and train a linear model on the
one-hot cross. The target is a checkerboard of districts, which no linear model of the
two features alone can learn.

Run: python a_feature_crosses.py
"""

import os

import numpy as np

import trainlab as tl


def make_data(n: int, rng: np.random.Generator) -> tuple[dict, np.ndarray]:
    latitude = rng.uniform(32.0, 42.0, size=n).astype("float32")
    longitude = rng.uniform(-124.0, -114.0, size=n).astype("float32")
    expensive = ((np.floor(latitude - 32.0) + np.floor(longitude + 124.0)) % 2 == 0).astype("float32")
    return {"latitude": latitude, "longitude": longitude}, expensive


def main(small: bool = True) -> dict:
    rng = np.random.default_rng(0)
    features, label = make_data(2000, rng)
    test_features, test_label = make_data(1000, rng)
    latitude_boundaries = list(np.arange(33.0, 42.0, 1.0))
    longitude_boundaries = list(np.arange(-123.0, -114.0, 1.0))

    inputs = {
        "latitude": tl.Input(shape=(1,), name="latitude"),
        "longitude": tl.Input(shape=(1,), name="longitude"),
    }
    latitude = tl.layers.Discretization(bin_boundaries=latitude_boundaries, name="discretization_latitude")(
        inputs["latitude"])
    longitude = tl.layers.Discretization(bin_boundaries=longitude_boundaries, name="discretization_longitude")(
        inputs["longitude"])
    feature_cross = tl.layers.HashedCrossing(
        num_bins=len(latitude_boundaries) * len(longitude_boundaries) * 4, output_mode="one_hot",
        name="cross_latitude_longitude")([latitude, longitude])
    output = tl.layers.Dense(units=1, activation="sigmoid", name="dense_layer")(feature_cross)
    model = tl.Model(inputs=inputs, outputs=output)
    model.compile(optimizer=tl.optimizers.RMSprop(learning_rate=0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(features, label, batch_size=100, epochs=10 if small else 60, verbose=0)
    _, crossed_acc = model.evaluate(test_features, test_label, verbose=0)

    raw = {k: tl.Input(shape=(1,), name=k) for k in ("latitude", "longitude")}
    joined = tl.layers.Concatenate()([raw["latitude"], raw["longitude"]])
    plain = tl.Model(inputs=raw, outputs=tl.layers.Dense(1, activation="sigmoid")(
        tl.layers.Normalization(mean=[37.0, -119.0], variance=[8.3, 8.3])(joined)))
    plain.compile(optimizer=tl.optimizers.RMSprop(learning_rate=0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    plain.fit(features, label, batch_size=100, epochs=10 if small else 60, verbose=0)
    _, plain_acc = plain.evaluate(test_features, test_label, verbose=0)
    print(f"accuracy: crossed {crossed_acc:.3f}, raw features {plain_acc:.3f}")
    return {"crossed_acc": float(crossed_acc), "plain_acc": float(plain_acc)}


if __name__ == "__main__":
    main(small=os.environ.get("TRAINLAB_SMALL", "1") != "0")
