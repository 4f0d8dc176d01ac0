"""모두를 위한 딥러닝 TF2 lab 02/03: linear regression with W, b variables and
gradient descent by hand (W.assign_sub(learning_rate * W_grad)), in trainlab.

Edits: `import trainlab as tl`; `tf.Variable` -> `tl.Variable`; the tape block
became the function `cost_fn` and `tl.value_and_grad(cost_fn)([W, b])`.
"""
import jax.numpy as jnp
import numpy as np

import trainlab as tl


def main(small=True):
    x_data = np.array([1, 2, 3, 4, 5], dtype="float32")
    y_data = np.array([1, 2, 3, 4, 5], dtype="float32") * 1.5 + 0.7  # a line to find

    W = tl.Variable(2.9)
    b = tl.Variable(0.5)
    learning_rate = 0.01

    def cost_fn(variables):
        hypothesis = W * x_data + b
        return jnp.mean(jnp.square(hypothesis - y_data))

    @tl.function
    def step():
        cost, (W_grad, b_grad) = tl.value_and_grad(cost_fn)([W, b])
        W.assign_sub(learning_rate * W_grad)
        b.assign_sub(learning_rate * b_grad)
        return cost

    costs = []
    for i in range(3000 if small else 5000):
        cost = step()
        if i % 100 == 0:
            costs.append(float(cost))
            if not small:
                print(f"{i:5} | {float(W):10.4f} | {float(b):10.4f} | {float(cost):10.6f}")
    return {"W": float(W), "b": float(b), "costs": costs, "x": x_data, "y": y_data}


if __name__ == "__main__":
    print(main(small=False))
