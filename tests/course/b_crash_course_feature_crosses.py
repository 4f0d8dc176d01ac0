"""Feature crosses (Google ML Crash Course): bucketize latitude and longitude
by quantiles, cross them, and train a LinearRegressor with training and
validation RMSE per period.

Course code with import edits, and one change: the course's FtrlOptimizer is
not available in trainlab (``tf.train.FtrlOptimizer`` says so), so this uses
AdagradOptimizer, its close relative. Data: a generated stand-in CSV.

Run: python b_crash_course_feature_crosses.py
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


def preprocess_features(california_housing_dataframe):
    selected_features = california_housing_dataframe[
        ["latitude", "longitude", "housing_median_age", "total_rooms", "total_bedrooms", "population",
         "households", "median_income"]]
    processed_features = selected_features.copy()
    processed_features["rooms_per_person"] = (
        california_housing_dataframe["total_rooms"] / california_housing_dataframe["population"])
    return processed_features


def preprocess_targets(california_housing_dataframe):
    output_targets = pd.DataFrame()
    output_targets["median_house_value"] = california_housing_dataframe["median_house_value"] / 1000.0
    return output_targets


def my_input_fn(features, targets, batch_size=1, shuffle=True, num_epochs=None):
    features = {key: np.array(value) for key, value in dict(features).items()}
    ds = Dataset.from_tensor_slices((features, targets))
    ds = ds.batch(batch_size).repeat(num_epochs)
    if shuffle:
        ds = ds.shuffle(10000)
    features, labels = ds.make_one_shot_iterator().get_next()
    return features, labels


def get_quantile_based_boundaries(feature_values, num_buckets):
    boundaries = np.arange(1.0, num_buckets) / num_buckets
    quantiles = feature_values.quantile(boundaries)
    return [quantiles[q] for q in quantiles.keys()]


def construct_feature_columns(training_examples):
    households = tf.feature_column.numeric_column("households")
    longitude = tf.feature_column.numeric_column("longitude")
    latitude = tf.feature_column.numeric_column("latitude")
    median_income = tf.feature_column.numeric_column("median_income")
    rooms_per_person = tf.feature_column.numeric_column("rooms_per_person")

    bucketized_households = tf.feature_column.bucketized_column(
        households, boundaries=get_quantile_based_boundaries(training_examples["households"], 7))
    bucketized_longitude = tf.feature_column.bucketized_column(
        longitude, boundaries=get_quantile_based_boundaries(training_examples["longitude"], 10))
    bucketized_latitude = tf.feature_column.bucketized_column(
        latitude, boundaries=get_quantile_based_boundaries(training_examples["latitude"], 10))
    bucketized_median_income = tf.feature_column.bucketized_column(
        median_income, boundaries=get_quantile_based_boundaries(training_examples["median_income"], 7))
    bucketized_rooms_per_person = tf.feature_column.bucketized_column(
        rooms_per_person, boundaries=get_quantile_based_boundaries(training_examples["rooms_per_person"], 7))
    long_x_lat = tf.feature_column.crossed_column(
        set([bucketized_longitude, bucketized_latitude]), hash_bucket_size=1000)
    return set([bucketized_longitude, bucketized_latitude, bucketized_households, bucketized_median_income,
                bucketized_rooms_per_person, long_x_lat])


def train_model(learning_rate, steps, batch_size, feature_columns, training_examples, training_targets,
                validation_examples, validation_targets, periods=5):
    steps_per_period = steps / periods
    my_optimizer = tf.train.AdagradOptimizer(learning_rate=learning_rate)
    my_optimizer = tf.contrib.estimator.clip_gradients_by_norm(my_optimizer, 5.0)
    linear_regressor = tf.estimator.LinearRegressor(feature_columns=feature_columns, optimizer=my_optimizer)

    training_input_fn = lambda: my_input_fn(  # noqa: E731
        training_examples, training_targets["median_house_value"], batch_size=batch_size)
    predict_training_input_fn = lambda: my_input_fn(  # noqa: E731
        training_examples, training_targets["median_house_value"], num_epochs=1, shuffle=False)
    predict_validation_input_fn = lambda: my_input_fn(  # noqa: E731
        validation_examples, validation_targets["median_house_value"], num_epochs=1, shuffle=False)

    print("Training model...")
    print("RMSE (on training data):")
    training_rmse, validation_rmse = [], []
    for period in range(0, periods):
        linear_regressor.train(input_fn=training_input_fn, steps=steps_per_period)
        training_predictions = linear_regressor.predict(input_fn=predict_training_input_fn)
        training_predictions = np.array([item["predictions"][0] for item in training_predictions])
        validation_predictions = linear_regressor.predict(input_fn=predict_validation_input_fn)
        validation_predictions = np.array([item["predictions"][0] for item in validation_predictions])
        training_root_mean_squared_error = math.sqrt(
            metrics.mean_squared_error(training_predictions, training_targets))
        validation_root_mean_squared_error = math.sqrt(
            metrics.mean_squared_error(validation_predictions, validation_targets))
        print("  period %02d : %0.2f" % (period, training_root_mean_squared_error))
        training_rmse.append(training_root_mean_squared_error)
        validation_rmse.append(validation_root_mean_squared_error)
    print("Model training finished.")
    return linear_regressor, training_rmse, validation_rmse


def main(small=True):
    rows = 2000 if small else 17000
    california_housing_dataframe = pd.read_csv(write_california_csv(rows, seed=2), sep=",")
    split = int(rows * 0.75)
    training_examples = preprocess_features(california_housing_dataframe.head(split))
    training_targets = preprocess_targets(california_housing_dataframe.head(split))
    validation_examples = preprocess_features(california_housing_dataframe.tail(rows - split))
    validation_targets = preprocess_targets(california_housing_dataframe.tail(rows - split))

    _, training_rmse, validation_rmse = train_model(
        learning_rate=1.0, steps=500, batch_size=100,
        feature_columns=construct_feature_columns(training_examples),
        training_examples=training_examples, training_targets=training_targets,
        validation_examples=validation_examples, validation_targets=validation_targets)
    baseline = math.sqrt(np.mean((validation_targets["median_house_value"]
                                  - training_targets["median_house_value"].mean()) ** 2))
    return {"training_rmse": training_rmse, "validation_rmse": validation_rmse, "rmse_predict_mean": baseline}


if __name__ == "__main__":
    print(main(small=os.environ.get("B_SMALL", "1") != "0"))
