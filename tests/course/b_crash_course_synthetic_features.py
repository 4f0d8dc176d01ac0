"""Synthetic features and outliers (Google ML Crash Course): train a
LinearRegressor on a synthetic feature, rooms_per_person, in periods, report
RMSE after every period, then clip the feature's outliers and train again.

Course code with import edits only (``import trainlab.compat.v1 as tf``,
``from trainlab.data import Dataset``); data: a generated stand-in CSV.

Run: python b_crash_course_synthetic_features.py
"""

import math
import os

import numpy as np
import pandas as pd
from sklearn import metrics

import trainlab.compat.v1 as tf
from trainlab.data import Dataset

from b_california_csv import write_california_csv

tf.logging.set_verbosity(tf.logging.ERROR)


def my_input_fn(features, targets, batch_size=1, shuffle=True, num_epochs=None):
    features = {key: np.array(value) for key, value in dict(features).items()}
    ds = Dataset.from_tensor_slices((features, targets))
    ds = ds.batch(batch_size).repeat(num_epochs)
    if shuffle:
        ds = ds.shuffle(buffer_size=10000)
    features, labels = ds.make_one_shot_iterator().get_next()
    return features, labels


def train_model(dataframe, learning_rate, steps, batch_size, input_feature, periods=5):
    """Trains a linear regression model of one feature; returns the RMSE after each period."""
    steps_per_period = steps / periods
    my_feature_data = dataframe[[input_feature]]
    targets = dataframe["median_house_value"]
    feature_columns = [tf.feature_column.numeric_column(input_feature)]

    training_input_fn = lambda: my_input_fn(my_feature_data, targets, batch_size=batch_size)  # noqa: E731
    prediction_input_fn = lambda: my_input_fn(my_feature_data, targets, num_epochs=1, shuffle=False)  # noqa: E731

    my_optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate)
    my_optimizer = tf.contrib.estimator.clip_gradients_by_norm(my_optimizer, 5.0)
    linear_regressor = tf.estimator.LinearRegressor(feature_columns=feature_columns, optimizer=my_optimizer)

    print("Training model...")
    print("RMSE (on training data):")
    root_mean_squared_errors = []
    for period in range(0, periods):
        linear_regressor.train(input_fn=training_input_fn, steps=steps_per_period)
        predictions = linear_regressor.predict(input_fn=prediction_input_fn)
        predictions = np.array([item["predictions"][0] for item in predictions])
        root_mean_squared_error = math.sqrt(metrics.mean_squared_error(predictions, targets))
        print("  period %02d : %0.2f" % (period, root_mean_squared_error))
        root_mean_squared_errors.append(root_mean_squared_error)
    print("Model training finished.")
    return root_mean_squared_errors


def main(small=True):
    df = pd.read_csv(write_california_csv(2000 if small else 17000, seed=1), sep=",")
    df["median_house_value"] /= 1000.0
    df["rooms_per_person"] = df["total_rooms"] / df["population"]
    # a few blocks with absurd values, as in the real data
    df.loc[df.index[:10], "rooms_per_person"] = 40.0
    baseline = math.sqrt(np.mean(df["median_house_value"] ** 2))

    raw = train_model(df, learning_rate=0.05, steps=500, batch_size=5, input_feature="rooms_per_person")
    df["rooms_per_person"] = df["rooms_per_person"].apply(lambda x: min(x, 5))
    clipped = train_model(df, learning_rate=0.05, steps=500, batch_size=5, input_feature="rooms_per_person")
    return {"rmse_raw": raw, "rmse_clipped": clipped, "rmse_untrained": baseline}


if __name__ == "__main__":
    print(main(small=os.environ.get("B_SMALL", "1") != "0"))
