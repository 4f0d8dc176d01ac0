"""Course program (a): linear regression with an L2 (squared error) loss and a
staircase exponential-decay learning rate, written as a custom training loop
on trainlab's level 1: the gradient of a loss, then an optimizer update.

    python examples/linear_regression_custom_loop.py

The same model could be trained with `model.fit`; here every step is explicit,
as in the course notes ("hypothesis, cost, gradient descent").
"""

from __future__ import annotations

import argparse

import jax
import jax.numpy as jnp
import numpy as np
import optax

import trainlab as tl


def make_data(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """y = 3 x1 - 2 x2 + 1 + noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype("float32")
    y = (x @ np.array([[3.0], [-2.0]], "float32") + 1.0 + 0.1 * rng.normal(size=(n, 1))).astype("float32")
    return x, y


def train(steps: int = 300, seed: int = 0, verbose: bool = True) -> dict:
    x, y = make_data(seed=seed)
    model = tl.Sequential([tl.layers.Dense(1, input_shape=(2,))])
    variables = model.init(jax.random.key(seed))  # level 1: variables are plain pytrees
    # learning rate 0.1, halved every 100 steps (staircase exponential decay)
    schedule = tl.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5, staircase=True)
    optimizer = tl.optimizers.SGD(learning_rate=schedule)
    params = variables["params"]
    opt_state = optimizer.init(params)

    def loss_fn(params, x, y):
        prediction, _ = model.apply({"params": params, "state": {}}, x)
        return jnp.mean((prediction - y) ** 2)  # the L2 loss

    @jax.jit
    def step(params, opt_state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    losses = []
    for i in range(steps):
        params, opt_state, loss = step(params, opt_state, x, y)
        losses.append(float(loss))
        if verbose and i % 50 == 0:
            lr = float(optimizer.learning_rate_at(opt_state))
            print(f"step {i:4d}  loss {losses[-1]:.5f}  learning rate {lr:.4f}")
    w = np.asarray(params[model.layers[0].name]["kernel"]).ravel()
    b = float(np.asarray(params[model.layers[0].name]["bias"])[0])
    if verbose:
        print(f"learned w = {w.round(3)}, b = {b:.3f}  (true: [3, -2], 1)")
    return {"losses": losses, "w": w, "b": b, "learning_rate": float(optimizer.learning_rate_at(opt_state))}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=300)
    train(p.parse_args().steps)
