"""Basic regression, one feature (TensorFlow "basic regression" tutorial style):
predict fuel efficiency from horsepower with a normalized linear model.

Data: a synthetic Auto-MPG-like table (mpg falls linearly with horsepower, plus noise).
Run: python a_basic_regression.py   (TRAINLAB_SMALL=0 for more epochs)
"""

import os

import numpy as np

import trainlab as tl


def main(small: bool = True) -> dict:
    rng = np.random.default_rng(0)
    horsepower = rng.uniform(50, 230, size=300).astype("float32")  # a 1-D column, as df["Horsepower"]
    mpg = (45.0 - 0.15 * horsepower + rng.normal(0, 1.0, size=300)).astype("float32")

    horsepower_normalizer = tl.layers.Normalization(input_shape=[1], axis=None)
    horsepower_normalizer.adapt(horsepower)
    print("mean:", horsepower_normalizer.mean.numpy())

    horsepower_model = tl.Sequential([horsepower_normalizer, tl.layers.Dense(units=1)])
    horsepower_model.summary()
    horsepower_model.compile(optimizer=tl.optimizers.Adam(learning_rate=0.1), loss="mean_absolute_error")
    history = horsepower_model.fit(horsepower, mpg, epochs=60 if small else 100, verbose=0, validation_split=0.2)

    x = tl.ops.linspace(0.0, 250.0, 251)
    y = horsepower_model.predict(x, verbose=0)
    slope = float(y[200, 0] - y[100, 0]) / 100.0
    ls_slope, ls_intercept = np.polyfit(horsepower, mpg, 1)
    print(f"slope {slope:.4f} (least squares {ls_slope:.4f}), final val_loss {history.history['val_loss'][-1]:.3f}")
    return {"slope": slope, "ls_slope": float(ls_slope), "mean": float(horsepower_normalizer.mean.numpy()),
            "data_mean": float(horsepower.mean()), "val_loss": history.history["val_loss"][-1], "shape": y.shape}


if __name__ == "__main__":
    main(small=os.environ.get("TRAINLAB_SMALL", "1") != "0")
