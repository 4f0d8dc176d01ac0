"""Overriding Model.train_step / test_step (tf.keras's stateful signature):
same weights as the built-in fit, callbacks and validation, clear errors."""
import jax.numpy as jnp
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers


class StepModel(tl.Sequential):
    """The Keras guide's custom train_step, translated line by line."""

    def train_step(self, data):
        x, y = data

        def compute_loss(model):
            y_pred = model(x, training=True)
            return model.compute_loss(y=y, y_pred=y_pred), y_pred

        (loss, y_pred), grads = tl.value_and_grad(compute_loss, has_aux=True)(self)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class HalfLossTest(tl.Sequential):
    def test_step(self, data):
        x, y = data
        loss = 0.5 * self.compute_loss(y=y, y_pred=self(x))
        self.metrics[0].update_state(loss)
        return {"loss": self.metrics[0].result()}


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ rng.normal(size=(4, 1))).astype("float32")


def _stack():
    return [layers.Dense(8, activation="tanh", input_shape=(4,)), layers.Dense(1)]


def test_overridden_train_step_trains_like_fit():
    x, y = _data()
    tl.set_random_seed(0)
    ref, custom = tl.Sequential(_stack()), StepModel(_stack())
    custom.set_weights(ref.get_weights())
    for m in (ref, custom):
        m.compile(optimizer=tl.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    h_ref = ref.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, validation_data=(x[:16], y[:16]))
    h = custom.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, validation_data=(x[:16], y[:16]))
    for a, b in zip(ref.get_weights(), custom.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert set(h.history) == {"loss", "mae", "val_loss", "val_mae"}
    # epoch logs are running means over the epoch's batches, as fit's; validation after the epoch
    for key in ("loss", "mae", "val_loss", "val_mae"):
        np.testing.assert_allclose(h.history[key], h_ref.history[key], rtol=1e-5)
    assert custom._step_function("train_step").experimental_get_tracing_count() == 1


def test_overridden_test_step_is_used_by_evaluate_and_callbacks_run():
    x, y = _data(n=32)
    tl.set_random_seed(1)
    model = HalfLossTest(_stack())
    model.compile(optimizer="sgd", loss="mse")
    full = 0.5 * float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    assert model.evaluate(x, y, batch_size=32, verbose=0) == pytest.approx(full, rel=1e-5)
    custom = StepModel(_stack())
    custom.compile(optimizer=tl.optimizers.SGD(1e-3), loss="mse")
    stop = tl.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
    hist = custom.fit(x, y, epochs=5, verbose=0, callbacks=[stop])
    assert len(hist.history["loss"]) == 2  # no improvement by 10 after epoch 1: stopped after epoch 2


def test_keras3_stateless_signature_names_the_trainlab_form():
    class JaxStyle(tl.Sequential):
        def train_step(self, state, data):
            return {}, state

    x, y = _data(n=8)
    model = JaxStyle(_stack())
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match=r"JaxStyle.train_step takes \(state, data\).*train_step\(self, data\)"):
        model.fit(x, y, verbose=0)
