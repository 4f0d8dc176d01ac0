"""First steps with the Estimator API (Google ML Crash Course): predict the
median house value of a city block from one feature, `total_rooms`, with a
LinearRegressor trained through an input function, then measure RMSE.

The course program with import edits only: ``import trainlab.compat.v1 as tf``
and ``from trainlab.data import Dataset``. The CSV is a generated stand-in of
the same shape (see b_california_csv.py).

Run: python b_crash_course_linear_regression.py
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
pd.options.display.max_rows = 10
pd.options.display.float_format = "{:.1f}".format


def my_input_fn(features, targets, batch_size=1, shuffle=True, num_epochs=None):
    """Trains a linear regression model of one feature."""
    # Convert pandas data into a dict of np arrays.
    features = {key: np.array(value) for key, value in dict(features).items()}
    # Construct a dataset, and configure batching/repeating.
    ds = Dataset.from_tensor_slices((features, targets))
    ds = ds.batch(batch_size).repeat(num_epochs)
    if shuffle:
        ds = ds.shuffle(buffer_size=10000)
    features, labels = ds.make_one_shot_iterator().get_next()
    return features, labels


def main(small=True):
    california_housing_dataframe = pd.read_csv(write_california_csv(2000 if small else 17000), sep=",")
    california_housing_dataframe = california_housing_dataframe.reindex(
        np.random.RandomState(0).permutation(california_housing_dataframe.index))
    california_housing_dataframe["median_house_value"] /= 1000.0
    print(california_housing_dataframe.describe())

    my_feature = california_housing_dataframe[["total_rooms"]]
    feature_columns = [tf.feature_column.numeric_column("total_rooms")]
    targets = california_housing_dataframe["median_house_value"]

    my_optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.00002)
    my_optimizer = tf.contrib.estimator.clip_gradients_by_norm(my_optimizer, 5.0)
    linear_regressor = tf.estimator.LinearRegressor(feature_columns=feature_columns, optimizer=my_optimizer)

    _ = linear_regressor.train(input_fn=lambda: my_input_fn(my_feature, targets, batch_size=5), steps=500)

    prediction_input_fn = lambda: my_input_fn(my_feature, targets, num_epochs=1, shuffle=False)  # noqa: E731
    predictions = linear_regressor.predict(input_fn=prediction_input_fn)
    predictions = np.array([item["predictions"][0] for item in predictions])

    mean_squared_error = metrics.mean_squared_error(predictions, targets)
    root_mean_squared_error = math.sqrt(mean_squared_error)
    print("Mean Squared Error (on training data): %0.3f" % mean_squared_error)
    print("Root Mean Squared Error (on training data): %0.3f" % root_mean_squared_error)

    calibration_data = pd.DataFrame()
    calibration_data["predictions"] = pd.Series(predictions)
    calibration_data["targets"] = pd.Series(targets.values)
    print(calibration_data.describe())

    # references: predicting 0 (the untrained model) and the least-squares line
    x = my_feature["total_rooms"].to_numpy()
    slope, intercept = np.polyfit(x, targets.to_numpy(), 1)
    return {"rmse": root_mean_squared_error,
            "rmse_untrained": math.sqrt(np.mean(targets.to_numpy() ** 2)),
            "rmse_least_squares": math.sqrt(np.mean((slope * x + intercept - targets.to_numpy()) ** 2)),
            "global_step": linear_regressor.evaluate(input_fn=prediction_input_fn)["global_step"]}


if __name__ == "__main__":
    print(main(small=os.environ.get("B_SMALL", "1") != "0"))
