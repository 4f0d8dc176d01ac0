"""Lab: linear regression (모두를 위한 딥러닝 TF2 style). Hypothesis H(x) = Wx + b, cost = MSE,
gradient descent; the model must find W = 1, b = 0 for y = x.

Run: python a_linear_regression_lab.py
"""

import os

import numpy as np

import trainlab as tl


def main(small: bool = True) -> dict:
    tl.backend.set_floatx("float32")
    x_train = [1, 2, 3, 4, 5]
    y_train = [1, 2, 3, 4, 5]

    tf_model = tl.Sequential()
    tf_model.add(tl.layers.Dense(units=1, input_dim=1, kernel_initializer=tl.initializers.glorot_uniform()))
    sgd = tl.optimizers.SGD(learning_rate=0.05)
    tf_model.compile(loss="mse", optimizer=sgd)
    tf_model.summary()
    tf_model.fit(np.array(x_train, "float32"), np.array(y_train, "float32"), epochs=300 if small else 1000,
                 verbose=0, batch_size=5)

    y_predict = tf_model.predict(np.array([5, 4]), verbose=0)
    W, b = tf_model.get_weights()
    print(y_predict, W.ravel(), b)
    return {"W": float(W.ravel()[0]), "b": float(b[0]), "y_predict": y_predict}


if __name__ == "__main__":
    main(small=os.environ.get("TRAINLAB_SMALL", "1") != "0")
