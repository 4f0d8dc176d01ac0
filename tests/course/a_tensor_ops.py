"""Tensors and operations (TensorFlow "basics" style), then a Sequential model read
layer by layer: tl.ops in place of tf.* (constant, add_n, linspace, expand_dims,
nn.softmax), .numpy() on everything, a metric object, layer outputs as a new model.

Run: python a_tensor_ops.py
"""

import os

import numpy as np

import trainlab as tl


def main(small: bool = True) -> dict:
    a = tl.ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])        # tf.constant
    b = tl.ops.ones((2, 2))
    total = tl.ops.sum(tl.ops.stack([a, b, a]), axis=0)          # tf.add_n([a, b, a])
    product = tl.ops.matmul(a, b)
    probs = tl.ops.softmax(tl.ops.convert_to_tensor([[2.0, 1.0, 0.1]]))  # tf.nn.softmax
    grid = tl.ops.expand_dims(tl.ops.linspace(-1.0, 1.0, 200), axis=1)  # tf.linspace + tf.expand_dims
    print(total.numpy(), product.numpy(), probs.numpy())

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(600, 1)).astype("float32")
    y = (np.abs(x[:, 0]) > 0.5).astype("int32")                     # outside |x| > 0.5: class 1
    model = tl.Sequential([tl.Input(shape=(1,)), tl.layers.Dense(16, activation="tanh", name="features"),
                           tl.layers.Dense(2, name="logits"), tl.layers.Softmax(name="probabilities")])
    model.compile(optimizer=tl.optimizers.Adam(0.03), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=30 if small else 100, batch_size=32, verbose=0)

    grid_probs = model(grid).numpy()
    accuracy = tl.metrics.SparseCategoricalAccuracy()
    accuracy.update_state(y, model(x))
    feature_model = tl.Model(inputs=model.inputs, outputs=[model.get_layer("features").output,
                                                           model.get_layer("logits").output])
    features, logits = feature_model(x[:8])
    print("accuracy", accuracy.result().numpy())
    return {"total": total.numpy(), "product": product.numpy(), "probs": probs.numpy(), "grid": grid.numpy(),
            "grid_probs": grid_probs, "accuracy": float(accuracy.result().numpy()),
            "features": features.numpy(), "logits": logits.numpy(), "model_probs": model(x[:8]).numpy()}


if __name__ == "__main__":
    main(small=os.environ.get("TRAINLAB_SMALL", "1") != "0")
