"""Custom training walkthrough (the TensorFlow tutorial's iris classifier), in trainlab.

Edits from the tf.keras program: `import trainlab as tl`; the data comes from
scikit-learn's bundled iris set; the GradientTape block became `grad()`
returning `tl.value_and_grad(loss)(model, x, y)`.
"""
import numpy as np
from sklearn.datasets import load_iris

import trainlab as tl


def main(small=True):
    tl.set_random_seed(0)
    iris = load_iris()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(iris.target))
    features = iris.data[order].astype("float32")
    labels = iris.target[order].astype("int32")
    train_x, train_y = features[:120], labels[:120]
    test_x, test_y = features[120:], labels[120:]

    model = tl.Sequential([
        tl.layers.Dense(10, activation=tl.activations.relu, input_shape=(4,)),
        tl.layers.Dense(10, activation=tl.activations.relu),
        tl.layers.Dense(3),
    ])
    loss_object = tl.losses.SparseCategoricalCrossentropy(from_logits=True)

    def loss(model, x, y, training):
        y_ = model(x, training=training)
        return loss_object(y_true=y, y_pred=y_)

    def grad(model, inputs, targets):
        return tl.value_and_grad(loss)(model, inputs, targets, True)

    optimizer = tl.optimizers.SGD(learning_rate=0.01)
    train_loss_results, train_accuracy_results = [], []
    num_epochs = 40 if small else 201
    batch_size = 32

    @tl.function
    def train_step(x, y):
        loss_value, grads = grad(model, x, y)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        epoch_loss_avg.update_state(loss_value)
        epoch_accuracy.update_state(y, model(x, training=True))

    epoch_loss_avg = tl.metrics.Mean()
    epoch_accuracy = tl.metrics.SparseCategoricalAccuracy()
    for epoch in range(num_epochs):
        epoch_loss_avg.reset_state()
        epoch_accuracy.reset_state()
        for start in range(0, 120, batch_size):
            train_step(train_x[start:start + batch_size], train_y[start:start + batch_size])
        train_loss_results.append(float(epoch_loss_avg.result()))
        train_accuracy_results.append(float(epoch_accuracy.result()))
        if epoch % 50 == 0 and not small:
            print(f"Epoch {epoch:03d}: Loss: {train_loss_results[-1]:.3f}, Accuracy: {train_accuracy_results[-1]:.3%}")

    test_accuracy = tl.metrics.Accuracy()
    logits = model(test_x, training=False)
    prediction = np.argmax(np.asarray(logits), axis=1).astype("int32")
    test_accuracy.update_state(test_y, prediction)
    return {"losses": train_loss_results, "test_accuracy": float(test_accuracy.result()),
            "tracing_count": train_step.experimental_get_tracing_count()}


if __name__ == "__main__":
    print(main(small=False))
