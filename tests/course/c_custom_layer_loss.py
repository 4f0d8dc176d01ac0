"""A custom layer with add_weight, a layer adding an activity penalty with
add_loss, and a custom loss function, trained by a loop that adds model.losses
(the Keras guide "Making new layers and models via subclassing").

Edits: `import trainlab as tl`; `tf.matmul` -> `@`; tape -> `tl.value_and_grad`;
the layer reads its weights as `self.w` (declared with `self.add_weight("w", ...)` in build).
"""
import jax.numpy as jnp
import numpy as np

import trainlab as tl


class Linear(tl.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(name="b", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return inputs @ self.w + self.b


class ActivityRegularization(tl.layers.Layer):
    def __init__(self, rate=1e-2, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * jnp.mean(jnp.square(inputs)))
        return inputs


def huber_loss(y_true, y_pred, delta=1.0):
    error = y_true - y_pred
    small = jnp.abs(error) <= delta
    return jnp.mean(jnp.where(small, 0.5 * error ** 2, delta * (jnp.abs(error) - 0.5 * delta)))


def main(small=True):
    tl.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 3)).astype("float32")
    true_w = np.array([[2.0], [-1.0], [0.5]], "float32")
    y = (x @ true_w + 0.3).astype("float32")
    model = tl.Sequential([Linear(8, input_shape=(3,)), ActivityRegularization(1e-3), Linear(1)])
    optimizer = tl.optimizers.Adam(learning_rate=0.05)

    @tl.function
    def train_step(xb, yb):
        def compute_loss(model):
            preds = model(xb, training=True)
            loss = huber_loss(yb, preds)
            return loss + sum(model.losses), loss

        (total, loss), grads = tl.value_and_grad(compute_loss, has_aux=True)(model)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return total, loss

    losses = []
    for epoch in range(30 if small else 100):
        for start in range(0, 256, 64):
            total, loss = train_step(x[start:start + 64], y[start:start + 64])
        losses.append(float(loss))
    preds = np.asarray(model(x))
    return {"losses": losses, "mse": float(np.mean((preds - y) ** 2)), "var": float(np.var(y)),
            "penalties": [float(p) for p in model.losses]}


if __name__ == "__main__":
    print(main(small=False))
