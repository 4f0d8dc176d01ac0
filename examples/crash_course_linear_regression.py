"""Google ML Crash Course walk-through: a LinearRegressor on the California housing data.

The steps of the Crash Course exercises ("First steps", "Synthetic features and
outliers", "Validation"), with trainlab instead of ``tf.estimator``:

1. shuffle the DataFrame, scale ``median_house_value`` to thousands of dollars;
2. add the synthetic feature ``rooms_per_person = total_rooms / population``;
3. split into training and validation rows;
4. train a `LinearRegressor` on numeric feature columns with a chosen learning
   rate, batch size and gradient clipping, in `periods` periods, printing the
   training and validation RMSE after each; plot both curves;
5. compare the final RMSE with scikit-learn's closed-form `LinearRegression`
   on the same features.

The real data come from ``trainlab.datasets.california_housing`` (which needs
the StatLib archive locally or a download); ``--synthetic`` uses a generated
DataFrame with the same columns instead.

    python examples/crash_course_linear_regression.py [--synthetic] [--plot rmse.png]
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pandas as pd

from trainlab import features
from trainlab.estimators import LinearRegressor

FEATURES = ["longitude", "latitude", "housing_median_age", "total_rooms", "total_bedrooms", "population",
            "households", "median_income", "rooms_per_person"]


def synthetic_housing(n: int = 17000, seed: int = 0) -> pd.DataFrame:
    """A DataFrame with the Crash Course's columns and plausible scales (not the real data).

    Prices depend on income, location, age and rooms per person, plus noise, in
    dollars (like the real ``median_house_value``). As in the real data, a few
    blocks have a tiny population, so ``rooms_per_person`` has far outliers (the
    Crash Course's "Synthetic features and outliers" lesson).
    """
    rng = np.random.default_rng(seed)
    longitude = rng.uniform(-124.3, -114.3, n)
    latitude = rng.uniform(32.5, 42.0, n)
    age = rng.integers(1, 53, n).astype(float)
    households = rng.lognormal(6.0, 0.5, n)
    population = households * rng.uniform(2.0, 4.0, n)
    total_rooms = households * rng.uniform(3.5, 7.0, n)
    tiny = rng.random(n) < 0.005  # resorts, institutions: many rooms, few residents
    population[tiny] = total_rooms[tiny] / rng.uniform(5.0, 55.0, tiny.sum())
    total_bedrooms = total_rooms * rng.uniform(0.15, 0.25, n)
    income = rng.lognormal(1.3, 0.45, n)
    value = (40_000 * income - 8_000 * (latitude - 36) - 6_000 * (longitude + 119) + 800 * age
             + 9_000 * np.minimum(total_rooms / population, 4.0) + rng.normal(0, 50_000, n) + 30_000)
    return pd.DataFrame({
        "longitude": longitude, "latitude": latitude, "housing_median_age": age, "total_rooms": total_rooms.round(),
        "total_bedrooms": total_bedrooms.round(), "population": population.round(), "households": households.round(),
        "median_income": income, "median_house_value": value,
    })


def load_housing() -> pd.DataFrame:
    """The real California housing rows (training part), or the dataset's clear offline error."""
    from trainlab.datasets import california_housing

    train_df, _ = california_housing.load_data(as_frame=True)
    return train_df


def prepare(df: pd.DataFrame, seed: int = 0, validation_fraction: float = 0.3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shuffle, scale the target to thousands, add rooms_per_person, split train / validation."""
    rng = np.random.default_rng(seed)
    df = df.reindex(rng.permutation(df.index)).reset_index(drop=True)
    df = df.copy()
    df["median_house_value"] /= 1000.0
    df["rooms_per_person"] = df["total_rooms"] / df["population"]
    n_val = int(len(df) * validation_fraction)
    return df.iloc[:-n_val], df.iloc[-n_val:]


def rmse(y: Any, p: Any) -> float:
    return float(np.sqrt(np.mean((np.asarray(y, np.float64) - np.asarray(p, np.float64)) ** 2)))


def train_model(train: pd.DataFrame, val: pd.DataFrame, *, learning_rate: float = 0.05, batch_size: int = 32,
                steps: int = 5000, periods: int = 10, clip: float | None = 5.0, optimizer: str = "sgd",
                seed: int = 0, verbose: int = 1) -> tuple[LinearRegressor, dict]:
    """Train in `periods` periods of ``steps // periods`` steps; RMSE after each period."""
    columns = [features.numeric_column(name, normalize=True) for name in FEATURES]
    model = LinearRegressor(columns, optimizer=optimizer, learning_rate=learning_rate, batch_size=batch_size,
                            steps=max(1, steps // periods), clip_gradients_by_norm=clip, warm_start=True,
                            random_state=seed)
    history: dict[str, list] = {"train_rmse": [], "val_rmse": []}
    y_train, y_val = train["median_house_value"], val["median_house_value"]
    if verbose:
        print("Training model...\nRMSE (on training data):")
    for period in range(periods):
        model.fit(train, y_train)  # warm_start: continues where the last period stopped
        history["train_rmse"].append(rmse(y_train, model.predict(train)))
        history["val_rmse"].append(rmse(y_val, model.predict(val)))
        if verbose:
            print(f"  period {period:02d} : train {history['train_rmse'][-1]:.2f}   "
                  f"validation {history['val_rmse'][-1]:.2f}")
    if verbose:
        print("Model training finished.")
    return model, history


def closed_form(train: pd.DataFrame, val: pd.DataFrame) -> dict:
    """scikit-learn's `LinearRegression` (least squares) on the same features."""
    from sklearn.linear_model import LinearRegression

    ols = LinearRegression().fit(train[FEATURES], train["median_house_value"])
    return {"train_rmse": rmse(train["median_house_value"], ols.predict(train[FEATURES])),
            "val_rmse": rmse(val["median_house_value"], ols.predict(val[FEATURES])), "model": ols}


def plot_rmse(history: dict, path: str, reference: float | None = None) -> None:
    """Training vs validation RMSE per period (matplotlib), written atomically to `path`."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from trainlab._io import atomic_write_bytes

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(history["train_rmse"], label="training")
    ax.plot(history["val_rmse"], label="validation")
    if reference is not None:
        ax.axhline(reference, color="gray", linestyle="--", label="least squares (validation)")
    ax.set_xlabel("period")
    ax.set_ylabel("RMSE (thousands of dollars)")
    ax.set_title("Root mean squared error vs. periods")
    ax.legend()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def main(df: pd.DataFrame | None = None, *, learning_rate: float = 0.05, batch_size: int = 32, steps: int = 5000,
         periods: int = 10, plot_path: str | None = None, seed: int = 0, verbose: int = 1) -> dict:
    """Run the walk-through on `df` (default: the real data) and return the RMSEs."""
    if df is None:
        df = load_housing()
    train, val = prepare(df, seed)
    model, history = train_model(train, val, learning_rate=learning_rate, batch_size=batch_size, steps=steps,
                                 periods=periods, seed=seed, verbose=verbose)
    ols = closed_form(train, val)
    result = {"train_rmse": history["train_rmse"][-1], "val_rmse": history["val_rmse"][-1],
              "ols_train_rmse": ols["train_rmse"], "ols_val_rmse": ols["val_rmse"], "history": history,
              "model": model, "ols": ols["model"]}
    result["val_gap"] = result["val_rmse"] / result["ols_val_rmse"] - 1
    if verbose:
        print(f"Final RMSE: training {result['train_rmse']:.2f}, validation {result['val_rmse']:.2f}; least squares: "
              f"training {result['ols_train_rmse']:.2f}, validation {result['ols_val_rmse']:.2f} "
              f"({100 * result['val_gap']:+.2f}%)")
    if plot_path:
        plot_rmse(history, plot_path, reference=ols["val_rmse"])
    return result


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--synthetic", action="store_true", help="use a generated DataFrame instead of the real data")
    p.add_argument("--plot", default=None, help="write the RMSE plot to this PNG file")
    p.add_argument("--learning-rate", type=float, default=0.05)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=5000)
    a = p.parse_args()
    main(synthetic_housing() if a.synthetic else None, learning_rate=a.learning_rate, batch_size=a.batch_size,
         steps=a.steps, plot_path=a.plot)
