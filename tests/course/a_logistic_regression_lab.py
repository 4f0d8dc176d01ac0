"""Lab: logistic regression (모두를 위한 딥러닝 TF2 style): two features, a sigmoid unit,
binary cross-entropy, accuracy from predictions cast at 0.5.

Run: python a_logistic_regression_lab.py
"""

import os

import numpy as np

import trainlab as tl


def main(small: bool = True) -> dict:
    x_data = [[1, 2], [2, 3], [3, 1], [4, 3], [5, 3], [6, 2]]
    y_data = [[0], [0], [0], [1], [1], [1]]

    model = tl.Sequential()
    model.add(tl.layers.Dense(units=1, input_dim=2, activation="sigmoid",
                              kernel_initializer=tl.initializers.he_normal(seed=1)))
    model.compile(loss="binary_crossentropy", optimizer=tl.optimizers.SGD(learning_rate=0.1),
                  metrics=["accuracy"])
    history = model.fit(np.array(x_data, "float32"), np.array(y_data, "float32"),
                        epochs=1000 if small else 5000, verbose=0)

    hypothesis = model(tl.ops.convert_to_tensor(x_data, dtype="float32"))
    predicted = tl.ops.cast(hypothesis > 0.5, dtype="float32")
    accuracy = tl.ops.mean(tl.ops.cast(tl.ops.equal(predicted, tl.ops.convert_to_tensor(y_data, "float32")),
                                       dtype="float32"))
    print("Accuracy:", accuracy.numpy(), "final loss:", history.history["loss"][-1])
    return {"accuracy": float(accuracy.numpy()), "hypothesis": hypothesis.numpy(),
            "keras_accuracy": history.history["accuracy"][-1], "x": np.array(x_data, "float32"),
            "weights": model.get_weights()}


if __name__ == "__main__":
    main(small=os.environ.get("TRAINLAB_SMALL", "1") != "0")
