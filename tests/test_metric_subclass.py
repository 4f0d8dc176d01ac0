"""Keras-style Metric subclasses (add_weight / update_state / result / reset_state):
eagerly, inside tl.function, and inside compile(metrics=[...]) / fit; built-in
metrics inside a compiled custom step."""
import jax.numpy as jnp
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers


class CategoricalTruePositives(tl.metrics.Metric):
    """Counts samples whose arg-max class is right (as the Keras guide's example)."""

    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_weight(name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        hits = (jnp.argmax(y_pred, axis=-1) == jnp.reshape(y_true, (-1,)).astype("int32")).astype("float32")
        if sample_weight is not None:
            hits = hits * jnp.reshape(sample_weight, (-1,))
        self.true_positives.assign_add(jnp.sum(hits))

    def result(self):
        return self.true_positives.value


class PythonIf(CategoricalTruePositives):
    def update_state(self, y_true, y_pred, sample_weight=None):
        if float(jnp.sum(y_pred)) > 0:  # Python control flow on values: not compilable
            self.true_positives.assign_add(1.0)


class NoWeights(tl.metrics.Metric):
    def update_state(self, y_true, y_pred, sample_weight=None):
        self.count = getattr(self, "count", 0) + 1

    def result(self):
        return self.count


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = np.argmax(x[:, :3], axis=1).astype("int32")
    return x, y


def test_subclass_eager_update_result_reset():
    m = CategoricalTruePositives()
    y, p = np.array([0, 1, 2, 2]), np.eye(3)[[0, 1, 0, 2]]
    m.update_state(y, p)
    m.update_state(y, p, sample_weight=np.array([1.0, 0.0, 1.0, 0.5]))
    assert float(m.result()) == 3.0 + 1.5
    assert [v.name for v in m.variables] == ["ctp"]
    m.reset_state()
    assert float(m.result()) == 0.0


def test_subclass_in_compile_and_fit_counts_like_numpy():
    x, y = _data()
    tl.set_random_seed(0)
    model = tl.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=[CategoricalTruePositives()])
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    logs = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    expected = np.sum(np.argmax(model.predict(x, verbose=0), axis=1) == y)
    assert logs["categorical_true_positives"] == pytest.approx(expected)


def test_builtin_and_subclassed_metrics_inside_a_compiled_step():
    x, y = _data()
    tl.set_random_seed(1)
    model = tl.Sequential([layers.Dense(3, input_shape=(4,))])
    acc, ctp = tl.metrics.SparseCategoricalAccuracy(), CategoricalTruePositives()

    @tl.function
    def test_step(xb, yb):
        logits = model(xb, training=False)
        acc.update_state(yb, logits)
        ctp.update_state(yb, logits)

    for epoch in range(2):
        acc.reset_state(), ctp.reset_state()
        for i in range(0, 96, 32):
            test_step(x[i:i + 32], y[i:i + 32])
        hits = np.sum(np.argmax(model.predict(x, verbose=0), axis=1) == y)
        assert float(acc.result()) == pytest.approx(hits / 96)
        assert float(ctp.result()) == pytest.approx(hits)
    assert test_step.experimental_get_tracing_count() == 1  # resets do not recompile


def test_metrics_that_cannot_compile_say_how_to_fix_them():
    x, y = _data(n=32)
    model = tl.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=[PythonIf()])
    with pytest.raises(TypeError, match=r"PythonIf.update_state uses array values in Python.*jnp.where"):
        model.fit(x, y, verbose=0)
    with pytest.raises(TypeError, match=r"NoWeights overrides update_state but declares no state with\s+self.add_weight"):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=[NoWeights()])
        model.fit(x, y, verbose=0)
