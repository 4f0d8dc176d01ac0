"""A custom loop over Fashion-MNIST with BatchNormalization and Dropout in the
model, a validation pass each epoch and a learning rate lowered by hand
(as many course notebooks do), in trainlab.

Edits: `import trainlab as tl`; Fashion-MNIST from tl.datasets; tape ->
`tl.value_and_grad`; `@tf.function` -> `@tl.function`. BatchNormalization's
moving statistics and Dropout's random masks need no extra code.
"""
import numpy as np

import trainlab as tl


def main(small=True):
    tl.set_random_seed(7)
    (x_train, y_train), (x_test, y_test) = tl.datasets.fashion_mnist.load_data()
    n = 3000 if small else len(x_train)
    x_train = x_train[:n].reshape(-1, 784).astype("float32") / 255.0
    y_train = y_train[:n]
    x_test = x_test[:2000].reshape(-1, 784).astype("float32") / 255.0
    y_test = y_test[:2000]
    model = tl.Sequential([
        tl.layers.Dense(128, input_shape=(784,)),
        tl.layers.BatchNormalization(),
        tl.layers.Activation("relu"),
        tl.layers.Dropout(0.3),
        tl.layers.Dense(10, activation="softmax"),
    ])
    loss_fn = tl.losses.SparseCategoricalCrossentropy()
    optimizer = tl.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    train_loss = tl.metrics.Mean(name="train_loss")
    val_accuracy = tl.metrics.SparseCategoricalAccuracy(name="val_accuracy")

    @tl.function
    def train_step(images, labels):
        def compute_loss(model):
            predictions = model(images, training=True)
            return loss_fn(labels, predictions)

        loss, gradients = tl.value_and_grad(compute_loss)(model)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_loss.update_state(loss)

    @tl.function
    def val_step(images, labels):
        val_accuracy.update_state(labels, model(images, training=False))

    batch_size, history = 100, []
    for epoch in range(3 if small else 10):
        train_loss.reset_state()
        val_accuracy.reset_state()
        order = np.random.default_rng(epoch).permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            train_step(x_train[idx], y_train[idx])
        for start in range(0, len(x_test), 500):
            val_step(x_test[start:start + 500], y_test[start:start + 500])
        history.append((float(train_loss.result()), float(val_accuracy.result())))
        if epoch == 1:
            optimizer.learning_rate = 0.05  # lowered by hand: no recompilation
        if not small:
            print(f"epoch {epoch + 1}: loss {history[-1][0]:.4f}, val accuracy {history[-1][1]:.4f}")
    moving_mean = model.layers[1].non_trainable_variables[0].numpy()
    return {"history": history, "moving_mean": moving_mean,
            "tracing_count": train_step.experimental_get_tracing_count()}


if __name__ == "__main__":
    print(main(small=False)["history"])
