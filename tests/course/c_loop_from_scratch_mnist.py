"""Writing a training loop from scratch (the Keras guide), on MNIST, in trainlab.

Edits: `import trainlab as tl`; MNIST-10k from tl.datasets; `@tf.function`
became `@tl.function`; the GradientTape block became `tl.value_and_grad`.
"""
import numpy as np

import trainlab as tl


def main(small=True):
    tl.set_random_seed(42)
    inputs = tl.layers.Input(shape=(784,), name="digits")
    x1 = tl.layers.Dense(64, activation="relu")(inputs)
    x2 = tl.layers.Dense(64, activation="relu")(x1)
    outputs = tl.layers.Dense(10, name="predictions")(x2)
    model = tl.Model(inputs=inputs, outputs=outputs)

    optimizer = tl.optimizers.Adam(learning_rate=1e-3)
    loss_fn = tl.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc_metric = tl.metrics.SparseCategoricalAccuracy()
    val_acc_metric = tl.metrics.SparseCategoricalAccuracy()

    (x_train, y_train), (x_test, y_test) = tl.datasets.mnist.load_10k()
    x_train = np.reshape(x_train, (-1, 784)).astype("float32") / 255.0
    x_test = np.reshape(x_test, (-1, 784)).astype("float32") / 255.0
    n_train = 2048 if small else len(x_train)
    x_val, y_val = x_train[-1000:], y_train[-1000:]
    x_train, y_train = x_train[:n_train], y_train[:n_train]
    batch_size = 64

    @tl.function
    def train_step(x, y):
        def forward(model):
            logits = model(x, training=True)
            return loss_fn(y, logits), logits

        (loss_value, logits), grads = tl.value_and_grad(forward, has_aux=True)(model)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        train_acc_metric.update_state(y, logits)
        return loss_value

    @tl.function
    def test_step(x, y):
        val_logits = model(x, training=False)
        val_acc_metric.update_state(y, val_logits)

    epochs = 2 if small else 5
    for epoch in range(epochs):
        for start in range(0, n_train, batch_size):
            loss_value = train_step(x_train[start:start + batch_size], y_train[start:start + batch_size])
        train_acc = float(train_acc_metric.result())
        train_acc_metric.reset_state()
        for start in range(0, len(x_val), 500):
            test_step(x_val[start:start + 500], y_val[start:start + 500])
        val_acc = float(val_acc_metric.result())
        val_acc_metric.reset_state()
        if not small:
            print(f"epoch {epoch}: loss {float(loss_value):.4f} train acc {train_acc:.4f} val acc {val_acc:.4f}")
    test_logits = model(x_test, training=False)
    test_acc = float(np.mean(np.argmax(np.asarray(test_logits), 1) == y_test))
    return {"train_accuracy": train_acc, "val_accuracy": val_acc, "test_accuracy": test_acc,
            "tracing_count": train_step.experimental_get_tracing_count()}


if __name__ == "__main__":
    print(main(small=False))
