"""모두를 위한 딥러닝 TF2 lab 05: logistic regression with W, b variables,
sigmoid hypothesis and cross-entropy cost, in trainlab.

Edits: `import trainlab as tl`; `tf.Variable` -> `tl.Variable`;
`tf.matmul(X, W)` -> `X @ W`; tape -> `tl.value_and_grad`; `tf.keras.optimizers.SGD` -> `tl.optimizers.SGD`.
"""
import jax
import jax.numpy as jnp
import numpy as np

import trainlab as tl


def main(small=True):
    rng = np.random.default_rng(0)
    n = 200
    x_train = rng.normal(size=(n, 2)).astype("float32")
    y_train = (x_train[:, :1] + 2 * x_train[:, 1:] > 0.5).astype("float32")

    W = tl.Variable(np.zeros((2, 1), "float32"), name="weight")
    b = tl.Variable(np.zeros((1,), "float32"), name="bias")
    optimizer = tl.optimizers.SGD(learning_rate=0.5)

    def logistic_regression(features):
        return jax.nn.sigmoid(features @ W + b)

    def loss_fn(hypothesis, labels):
        return -jnp.mean(labels * jnp.log(hypothesis) + (1 - labels) * jnp.log(1 - hypothesis))

    def accuracy_fn(hypothesis, labels):
        predicted = (hypothesis > 0.5).astype("float32")
        return jnp.mean((predicted == labels).astype("float32"))

    @tl.function
    def train_step(features, labels):
        loss_value, grads = tl.value_and_grad(lambda v: loss_fn(logistic_regression(features), labels))([W, b])
        optimizer.apply_gradients(zip(grads, [W, b]))
        return loss_value

    epochs = 300 if small else 1001
    for step in range(epochs):
        loss_value = train_step(x_train, y_train)
        if step % 100 == 0 and not small:
            print(f"Iter: {step}, Loss: {float(loss_value):.4f}")
    accuracy = float(accuracy_fn(logistic_regression(x_train), y_train))
    return {"loss": float(loss_value), "accuracy": accuracy, "W": W.numpy(), "b": b.numpy(),
            "x": x_train, "y": y_train}


if __name__ == "__main__":
    print(main(small=False))
