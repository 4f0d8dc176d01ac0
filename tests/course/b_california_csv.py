"""A generated stand-in for the Crash Course's california_housing_train.csv
(same columns, plausible ranges, house values driven by income, rooms per
person and location), written to a CSV file. Shared by the b_crash_course_*
programs; not a program itself."""

import os
import tempfile

import numpy as np
import pandas as pd


def write_california_csv(rows=2000, seed=0, path=None):
    rng = np.random.default_rng(seed)
    longitude = rng.uniform(-124.3, -114.3, rows)
    latitude = rng.uniform(32.5, 42.0, rows)
    households = rng.integers(50, 1500, rows).astype(float)
    total_rooms = households * rng.uniform(3.0, 7.0, rows)
    population = households * rng.uniform(1.5, 4.0, rows)
    median_income = rng.gamma(4.0, 1.0, rows).clip(0.5, 15.0)
    coastal = np.exp(-((latitude - 34.0) ** 2 + (longitude + 118.3) ** 2) / 4.0)
    value = (40.0 + 35.0 * median_income + 30.0 * (total_rooms / population) + 120.0 * coastal
             + rng.normal(0.0, 25.0, rows)).clip(15.0, 500.0) * 1000.0
    frame = pd.DataFrame({
        "longitude": longitude.round(2), "latitude": latitude.round(2),
        "housing_median_age": rng.integers(1, 52, rows).astype(float),
        "total_rooms": total_rooms.round(), "total_bedrooms": (total_rooms * 0.2).round(),
        "population": population.round(), "households": households,
        "median_income": median_income.round(4), "median_house_value": value.round(),
    })
    path = path or os.path.join(tempfile.mkdtemp(), "california_housing_train.csv")
    frame.to_csv(path, index=False)
    return path
