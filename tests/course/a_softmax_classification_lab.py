"""Lab: softmax classification (모두를 위한 딥러닝 TF2 style): four features, three classes,
one-hot labels made with tl.ops.one_hot (tf.one_hot), predictions read with argmax.

Run: python a_softmax_classification_lab.py
"""

import os

import numpy as np

import trainlab as tl


def main(small: bool = True) -> dict:
    x_data = np.array([[1, 2, 1, 1], [2, 1, 3, 2], [3, 1, 3, 4], [4, 1, 5, 5],
                       [1, 7, 5, 5], [1, 2, 5, 6], [1, 6, 6, 6], [1, 7, 7, 7]], dtype=np.float32)
    labels = np.array([2, 2, 2, 1, 1, 1, 0, 0])
    y_data = tl.ops.one_hot(labels, 3)                       # tf.one_hot(labels, depth=3)
    nb_classes = 3

    model = tl.Sequential()
    model.add(tl.layers.Dense(input_dim=4, units=nb_classes, use_bias=True))
    model.add(tl.layers.Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=tl.optimizers.SGD(learning_rate=0.1),
                  metrics=["accuracy"])
    history = model.fit(x_data, y_data.numpy(), epochs=2000 if small else 5000, verbose=0)

    a = model.predict(np.array([[1, 11, 7, 9]], dtype=np.float32), verbose=0)
    print(a, tl.ops.argmax(a, axis=1).numpy())
    all_pred = model.predict(x_data, verbose=0)
    pred_classes = tl.ops.argmax(all_pred, axis=1).numpy()
    logits = x_data @ model.get_weights()[0] + model.get_weights()[1]
    print("classes:", pred_classes, "accuracy:", history.history["accuracy"][-1])
    return {"pred_classes": pred_classes, "labels": labels, "probs": all_pred, "logits": logits,
            "new_class": int(tl.ops.argmax(a, axis=1).numpy()[0])}


if __name__ == "__main__":
    main(small=os.environ.get("TRAINLAB_SMALL", "1") != "0")
