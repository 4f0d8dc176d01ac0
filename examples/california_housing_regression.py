"""Course program: California housing prices, a linear model and a small MLP.

The classic regression lesson (Google's ML Crash Course, the Keras regression
tutorial): start from a pandas DataFrame, hold out a test set, standardize the
features with a `Normalization` layer adapted on the *training* rows only (it
is saved inside the model, so predictions on raw rows need no extra step),
then compare a linear model with a small multilayer perceptron by the root
mean squared error (RMSE) in dollars, next to the baseline of always
predicting the mean price.

    python examples/california_housing_regression.py            # the real data if present
    python examples/california_housing_regression.py --generated

Without the data files (see trainlab.datasets.california_housing) it uses a
generated table with the same columns and a similar, partly nonlinear,
relationship between the features and the price.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import trainlab as tl
from trainlab.datasets import DatasetNotFoundError, california_housing

FEATURES = list(california_housing.FEATURES)
TARGET = california_housing.TARGET
PRICE_UNIT = 100_000.0  # train on prices in units of $100k: targets of order 1


def generated_housing(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """A stand-in table with California housing's columns (prices in dollars)."""
    rng = np.random.default_rng(seed)
    longitude = rng.uniform(-124.3, -114.3, n)
    latitude = rng.uniform(32.5, 42.0, n)
    age = rng.integers(1, 53, n).astype(float)
    households = rng.gamma(4.0, 120.0, n) + 5
    rooms = households * rng.normal(5.3, 1.0, n).clip(2, 10)
    bedrooms = rooms * rng.normal(0.21, 0.03, n).clip(0.1, 0.4)
    population = households * rng.normal(2.9, 0.6, n).clip(1, 6)
    income = rng.gamma(4.0, 1.0, n).clip(0.5, 15)
    coast = np.exp(-((longitude + 122.0) ** 2 + (latitude - 37.5) ** 2) / 4.0)  # near the Bay Area
    value = (45_000 * income - 1_500 * np.maximum(income - 7.0, 0.0) ** 2 + 180_000 * coast
             + 900 * age + 40_000 * np.tanh(rooms / households - 5.0) + rng.normal(0, 25_000, n))
    frame = pd.DataFrame({
        "longitude": longitude, "latitude": latitude, "housing_median_age": age, "total_rooms": rooms,
        "total_bedrooms": bedrooms, "population": population, "households": households,
        "median_income": income, TARGET: value.clip(15_000, 500_001),
    })
    return frame[list(california_housing.COLUMNS)]


def load_frames(generated: bool = False, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(train, test, source) DataFrames: the real data when available, else generated."""
    if not generated:
        try:
            train, test = california_housing.load_data(as_frame=True)
            return train, test, "California housing (StatLib release)"
        except DatasetNotFoundError:
            pass
    frame = generated_housing(seed=seed)
    cut = int(len(frame) * 0.8)
    return frame.iloc[:cut], frame.iloc[cut:], "generated stand-in"


def build_model(normalizer: tl.layers.Normalization, hidden: tuple[int, ...] = ()) -> tl.Sequential:
    """Normalization -> (Dense(relu) ...) -> Dense(1); no hidden layers: linear regression."""
    stack = [tl.layers.Input((len(FEATURES),)), normalizer]
    stack += [tl.layers.Dense(units, activation="relu") for units in hidden]
    stack.append(tl.layers.Dense(1))
    model = tl.Sequential(stack)
    model.compile(optimizer=tl.optimizers.Adam(learning_rate=0.03), loss="mse",
                  metrics=[tl.metrics.RootMeanSquaredError()])
    return model


def rmse_dollars(model: tl.Sequential, x: pd.DataFrame, y: np.ndarray) -> float:
    prediction = model.predict(x, verbose=0)[:, 0] * PRICE_UNIT
    return float(np.sqrt(np.mean((prediction - y) ** 2)))


def main(train: pd.DataFrame | None = None, test: pd.DataFrame | None = None, generated: bool = False,
         epochs: int = 40, batch_size: int = 64, verbose: int = 1) -> dict:
    source = "given frames"
    if train is None or test is None:
        train, test, source = load_frames(generated)
    tl.set_random_seed(0)
    x_train, y_train = train[FEATURES], train[TARGET].to_numpy()
    x_test, y_test = test[FEATURES], test[TARGET].to_numpy()

    normalizer = tl.layers.Normalization()
    normalizer.adapt(x_train)  # statistics of the training rows only
    results = {"source": source,
               "baseline_rmse": float(np.sqrt(np.mean((y_test - y_train.mean()) ** 2)))}
    for name, hidden in (("linear", ()), ("mlp", (64, 32))):
        model = build_model(normalizer, hidden)
        history = model.fit(x_train, y_train / PRICE_UNIT, epochs=epochs, batch_size=batch_size,
                            validation_split=0.2, verbose=0)
        results[f"{name}_rmse"] = rmse_dollars(model, x_test, y_test)
        results[f"{name}_history"] = history
        results[f"{name}_model"] = model
    if verbose:
        print(f"California housing regression on {source}: {len(train)} training rows, {len(test)} test rows")
        print(f"  baseline (predict the mean) RMSE: ${results['baseline_rmse']:>9,.0f}")
        print(f"  linear model                RMSE: ${results['linear_rmse']:>9,.0f}")
        print(f"  MLP 64-32                   RMSE: ${results['mlp_rmse']:>9,.0f}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", action="store_true", help="use the generated table, not the real data")
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    main(generated=args.generated, epochs=args.epochs)
