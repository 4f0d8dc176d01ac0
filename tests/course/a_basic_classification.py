"""Basic classification (TensorFlow tutorial style): Fashion-MNIST, an MLP that outputs
logits, and a probability model made by appending a Softmax layer.

Run: python a_basic_classification.py   (TRAINLAB_SMALL=0 for the whole data set)
"""

import os

import numpy as np

import trainlab as tl


def main(small: bool = True) -> dict:
    (train_images, train_labels), (test_images, test_labels) = tl.datasets.fashion_mnist.load_data()
    if small:
        train_images, train_labels = train_images[:2000], train_labels[:2000]
        test_images, test_labels = test_images[:1000], test_labels[:1000]
    train_images, test_images = train_images / 255.0, test_images / 255.0

    model = tl.Sequential([
        tl.layers.Flatten(input_shape=(28, 28)),
        tl.layers.Dense(128, activation="relu"),
        tl.layers.Dense(10),
    ])
    model.compile(optimizer="adam", loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(train_images, train_labels, epochs=2 if small else 10, verbose=0)
    test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)

    probability_model = tl.Sequential([model, tl.layers.Softmax()])
    summary = probability_model.summary(expand_nested=True)
    predictions = probability_model.predict(test_images, verbose=0)

    img = test_images[1]
    img = tl.ops.expand_dims(img, 0)                       # tf.expand_dims(img, 0): a batch of one
    single = probability_model.predict(img, verbose=0)
    logits = model(test_images[:5]).numpy()
    print(f"test accuracy {test_acc:.3f}; image 1 is class {np.argmax(single[0])}")
    return {"test_acc": float(test_acc), "predictions": predictions, "logits": logits, "single": single,
            "labels": test_labels, "summary": summary,
            "layer_names": [layer.name for layer in model.layers]}


if __name__ == "__main__":
    main(small=os.environ.get("TRAINLAB_SMALL", "1") != "0")
