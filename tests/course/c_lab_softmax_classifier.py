"""모두를 위한 딥러닝 TF2 lab 06: softmax classifier on iris-like data with a
W (4x3) and b variable, cross-entropy by hand and an Adam optimizer, in trainlab.

Edits: `import trainlab as tl`; `tf.Variable(tf.random.normal(...))` ->
`tl.Variable(np.random...)`; `tf.nn.softmax(tf.matmul(X, W) + b)` ->
`jax.nn.softmax(X @ W + b)`; tape -> `tl.value_and_grad`.
"""
import jax
import jax.numpy as jnp
import numpy as np
from sklearn.datasets import load_iris

import trainlab as tl


def main(small=True):
    iris = load_iris()
    x_data = ((iris.data - iris.data.mean(0)) / iris.data.std(0)).astype("float32")
    y_data = tl.utils.to_categorical(iris.target, 3).astype("float32")
    rng = np.random.default_rng(1)
    W = tl.Variable(rng.normal(size=(4, 3)).astype("float32"), name="weight")
    b = tl.Variable(rng.normal(size=(3,)).astype("float32"), name="bias")
    variables = [W, b]
    optimizer = tl.optimizers.Adam(learning_rate=0.05)

    def hypothesis(X):
        return jax.nn.softmax(X @ W + b)

    def cost_fn(X, Y):
        logits = hypothesis(X)
        return jnp.mean(-jnp.sum(Y * jnp.log(logits), axis=1))

    @tl.function
    def fit_step(X, Y):
        cost, grads = tl.value_and_grad(lambda v: cost_fn(X, Y))(variables)
        optimizer.apply_gradients(zip(grads, variables))
        return cost

    first = float(cost_fn(x_data, y_data))
    for i in range(200 if small else 2000):
        cost = fit_step(x_data, y_data)
        if i % 100 == 0 and not small:
            print(f"Loss at epoch {i}: {float(cost):f}")
    predicted = np.argmax(np.asarray(hypothesis(x_data)), axis=1)
    return {"first_cost": first, "cost": float(cost), "accuracy": float(np.mean(predicted == iris.target))}


if __name__ == "__main__":
    print(main(small=False))
