"""Customizing what happens in fit(): a model that overrides train_step
(the Keras guide's CustomModel), trained with fit, on a spiral-free 3-class task.

Edits: `import trainlab as tl`; the tape became `tl.value_and_grad`
with `has_aux=True` to keep y_pred; `keras.Model` -> `tl.Model`.
"""
import numpy as np

import trainlab as tl


class CustomModel(tl.Model):
    def train_step(self, data):
        x, y = data

        def compute_loss(model):
            y_pred = model(x, training=True)
            return model.compute_loss(y=y, y_pred=y_pred), y_pred

        (loss, y_pred), gradients = tl.value_and_grad(compute_loss, has_aux=True)(self)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def main(small=True):
    tl.set_random_seed(1)
    rng = np.random.default_rng(1)
    n = 600 if small else 6000
    centers = np.array([[0, 2], [2, -1], [-2, -1]], "float32")
    y = rng.integers(0, 3, n).astype("int32")
    x = (centers[y] + rng.normal(scale=0.7, size=(n, 2))).astype("float32")
    inputs = tl.layers.Input(shape=(2,))
    hidden = tl.layers.Dense(16, activation="relu")(inputs)
    outputs = tl.layers.Dense(3, activation="softmax")(hidden)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer=tl.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=5 if small else 20, batch_size=32, validation_split=0.2, verbose=0)
    return {"history": history.history}


if __name__ == "__main__":
    print(main(small=False)["history"])
