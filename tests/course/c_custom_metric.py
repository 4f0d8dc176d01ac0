"""A custom Metric subclass (add_weight / update_state / result / reset_state),
as in the Keras guide, used in compile(metrics=[...]) and eagerly.

Edits: `import trainlab as tl`; `tf.cast` / `tf.reduce_sum` -> `jnp`; the
data is generated.
"""
import jax.numpy as jnp
import numpy as np

import trainlab as tl


class BinaryTruePositives(tl.metrics.Metric):
    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_weight(name="tp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = jnp.reshape(y_true, (-1,)) > 0.5
        y_pred = jnp.reshape(y_pred, (-1,)) > 0.5
        values = jnp.logical_and(y_true, y_pred).astype("float32")
        if sample_weight is not None:
            values = values * jnp.reshape(sample_weight, (-1,))
        self.true_positives.assign_add(jnp.sum(values))

    def result(self):
        return self.true_positives.value

    def reset_state(self):
        self.true_positives.assign(0.0)


def main(small=True):
    tl.set_random_seed(0)
    rng = np.random.default_rng(0)
    n = 512 if small else 4096
    x = rng.normal(size=(n, 8)).astype("float32")
    y = (x[:, 0] - x[:, 1] > 0).astype("float32")
    model = tl.Sequential([
        tl.layers.Dense(16, activation="relu", input_shape=(8,)),
        tl.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=tl.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=[BinaryTruePositives(), "accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=5 if small else 20, verbose=0)
    logs = model.evaluate(x, y, batch_size=128, verbose=0, return_dict=True)
    metric = BinaryTruePositives()
    metric.update_state(y, model.predict(x, verbose=0))
    return {"history": history.history, "evaluate": logs, "eager": float(metric.result()),
            "predictions": model.predict(x, verbose=0), "y": y}


if __name__ == "__main__":
    out = main(small=False)
    print(out["evaluate"], out["eager"])
