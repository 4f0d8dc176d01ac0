"""Premade Estimators (the TensorFlow tutorial, on scikit-learn's iris data):
a DNNClassifier trained, evaluated and used for predictions through input
functions built from pandas DataFrames with ``tf.data.Dataset``.

Course code with import edits only: ``import trainlab.compat.v1 as tf``.

Run: python b_premade_estimators.py
"""

import os

import pandas as pd
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

import trainlab.compat.v1 as tf

CSV_COLUMN_NAMES = ["SepalLength", "SepalWidth", "PetalLength", "PetalWidth", "Species"]
SPECIES = ["Setosa", "Versicolor", "Virginica"]


def input_fn(features, labels, training=True, batch_size=32):
    """An input function for training or evaluating"""
    # Convert the inputs to a Dataset.
    dataset = tf.data.Dataset.from_tensor_slices((dict(features), labels))
    # Shuffle and repeat if you are in training mode.
    if training:
        dataset = dataset.shuffle(1000).repeat()
    return dataset.batch(batch_size)


def predict_input_fn(features, batch_size=256):
    """An input function for prediction."""
    return tf.data.Dataset.from_tensor_slices(dict(features)).batch(batch_size)


def main(small=True):
    iris = load_iris()
    frame = pd.DataFrame(iris.data, columns=CSV_COLUMN_NAMES[:4])
    frame["Species"] = iris.target
    train, test = train_test_split(frame, test_size=0.2, random_state=0, stratify=frame["Species"])
    train_y, test_y = train.pop("Species"), test.pop("Species")

    my_feature_columns = []
    for key in train.keys():
        my_feature_columns.append(tf.feature_column.numeric_column(key=key))

    classifier = tf.estimator.DNNClassifier(
        feature_columns=my_feature_columns,
        hidden_units=[30, 10],
        n_classes=3,
        optimizer=tf.train.AdamOptimizer(learning_rate=0.01))
    classifier.train(input_fn=lambda: input_fn(train, train_y, training=True), steps=300 if small else 5000)

    eval_result = classifier.evaluate(input_fn=lambda: input_fn(test, test_y, training=False))
    print("\nTest set accuracy: {accuracy:0.3f}\n".format(**eval_result))

    expected = ["Setosa", "Versicolor", "Virginica"]
    predict_x = {
        "SepalLength": [5.1, 5.9, 6.9],
        "SepalWidth": [3.3, 3.0, 3.1],
        "PetalLength": [1.7, 4.2, 5.4],
        "PetalWidth": [0.5, 1.5, 2.1],
    }
    predictions = classifier.predict(input_fn=lambda: predict_input_fn(predict_x))
    predicted = []
    for pred_dict, expec in zip(predictions, expected):
        class_id = pred_dict["class_ids"][0]
        probability = pred_dict["probabilities"][class_id]
        predicted.append(SPECIES[class_id])
        print('Prediction is "{}" ({:.1f}%), expected "{}"'.format(SPECIES[class_id], 100 * probability, expec))
    return {"eval_result": eval_result, "predicted": predicted, "expected": expected}


if __name__ == "__main__":
    print(main(small=os.environ.get("B_SMALL", "1") != "0"))
