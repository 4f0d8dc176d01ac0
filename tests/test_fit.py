"""compile / fit / evaluate / predict: numbers against hand-written references,
Keras semantics, compilation counts, and the bad-input messages."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers


def regression_data(n=50, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")
    return x, y


def manual_sgd(w, b, x, y, lr, batch_size, epochs):
    """Mini-batch gradient descent on mean squared error, written out in numpy."""
    w, b = np.array(w, np.float64), np.array(b, np.float64)
    for _ in range(epochs):
        for i in range(0, len(x), batch_size):
            xb, yb = x[i:i + batch_size].astype(np.float64), y[i:i + batch_size].astype(np.float64)
            err = xb @ w + b - yb
            w -= lr * 2 * xb.T @ err / len(xb)
            b -= lr * 2 * err.mean(0)
    return w, b


@pytest.mark.parametrize("steps_per_execution", [None, 2, 4])
def test_fit_equals_handwritten_minibatch_sgd(steps_per_execution):
    x, y = regression_data()
    model = tl.Sequential([layers.Dense(1, input_shape=(3,), name="lin")])
    model.compile(optimizer=tl.optimizers.SGD(0.05), loss="mse", steps_per_execution=steps_per_execution)
    w0, b0 = model.get_weights()
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    w_ref, b_ref = manual_sgd(w0, b0, x, y, 0.05, 8, 3)
    w, b = model.get_weights()
    np.testing.assert_allclose(w, w_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, b_ref, rtol=1e-5, atol=1e-6)
    assert len(history.step_loss[0]) == 7  # 6 full batches of 8 and one of 2
    assert history.history["loss"][0] > history.history["loss"][-1]


def test_epoch_loss_is_batch_size_weighted_mean_of_step_losses():
    x, y = regression_data()
    model = tl.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer=tl.optimizers.SGD(0.01), loss="mse")
    h = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    sizes = np.array([8] * 6 + [2])
    assert h.history["loss"][0] == pytest.approx(float((h.step_loss[0] * sizes).sum() / 50), rel=1e-5)


def test_evaluate_and_predict_match_numpy():
    x = np.random.default_rng(0).normal(size=(70, 4)).astype("float32")
    y = np.random.default_rng(1).integers(0, 3, 70)
    model = tl.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    probs = model.predict(x, batch_size=16, verbose=0)
    w, b = model.get_weights()
    logits = x @ w + b
    ref = np.exp(logits - logits.max(1, keepdims=True))
    ref /= ref.sum(1, keepdims=True)
    np.testing.assert_allclose(probs, ref, rtol=1e-5, atol=1e-6)
    loss, acc = model.evaluate(x, y, batch_size=16, verbose=0)
    assert loss == pytest.approx(float(-np.log(ref[np.arange(70), y]).mean()), rel=1e-5)
    assert acc == pytest.approx(float((ref.argmax(1) == y).mean()))
    assert model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"] == pytest.approx(acc)
    np.testing.assert_allclose(model.predict(x, batch_size=7, verbose=0), probs, rtol=1e-6)


def test_validation_split_takes_the_tail_before_shuffling():
    x, y = regression_data(n=40)
    tl.set_random_seed(3)
    a = tl.Sequential([layers.Dense(1, input_shape=(3,))])
    a.compile(optimizer="sgd", loss="mse")
    ha = a.fit(x, y, validation_split=0.25, epochs=2, verbose=0)
    tl.layers.clear_session()
    tl.set_random_seed(3)
    b = tl.Sequential([layers.Dense(1, input_shape=(3,))])
    b.compile(optimizer="sgd", loss="mse")
    hb = b.fit(x[:30], y[:30], validation_data=(x[30:], y[30:]), epochs=2, verbose=0)
    np.testing.assert_allclose(ha.history["val_loss"], hb.history["val_loss"], rtol=1e-6)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-6)


def test_second_epoch_and_second_fit_do_not_recompile():
    traces = []

    class Count(layers.Layer):
        def call(self, inputs):
            traces.append(1)
            return inputs

    x, y = regression_data(n=64)
    model = tl.Sequential([Count(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    per_epoch = []
    cb = tl.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: per_epoch.append(len(traces)))
    model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0, callbacks=[cb])
    assert per_epoch[0] == per_epoch[1] == per_epoch[2] > 0
    before = len(traces)
    model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0)
    assert len(traces) == before


def test_sample_weight_and_class_weight_follow_keras_reduction():
    x = np.eye(4, dtype="float32")
    y = np.array([0, 1, 0, 1])
    model = tl.Sequential([layers.Dense(2, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    p = model.predict(x, verbose=0)
    per_sample = -np.log(p[np.arange(4), y])
    sw = np.array([1.0, 0.0, 2.0, 0.5], "float32")
    assert model.test_on_batch(x, y, sample_weight=sw) == pytest.approx(float((per_sample * sw).sum() / 4), rel=1e-5)
    assert model.evaluate(x, y, sample_weight=sw, verbose=0) == pytest.approx(float((per_sample * sw).sum() / 4), rel=1e-5)
    cw = {0: 1.0, 1: 3.0}
    h = model.fit(x, y, class_weight=cw, batch_size=4, epochs=1, shuffle=False, verbose=0)
    w = np.array([1.0, 3.0, 1.0, 3.0])
    assert h.history["loss"][0] == pytest.approx(float((per_sample * w).sum() / 4), rel=1e-5)
    with pytest.raises(ValueError, match=r"`class_weight` has no weight for class\(es\) \[1\]"):
        model.fit(x, y, class_weight={0: 1.0}, verbose=0)


def test_online_learning_on_batch_methods():
    x, y = regression_data(n=16)
    model = tl.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer=tl.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    before = model.test_on_batch(x, y)
    losses = [model.train_on_batch(x, y)[0] for _ in range(20)]
    after = model.test_on_batch(x, y, return_dict=True)
    assert losses[-1] < losses[0] and after["loss"] < before[0]
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x, verbose=0), rtol=1e-6)


def test_initial_epoch_steps_per_epoch_and_learning_rate_history():
    x, y = regression_data(n=64)
    sched = tl.schedules.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True)
    model = tl.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer=tl.optimizers.SGD(sched), loss="mse")
    h = model.fit(x, y, batch_size=8, epochs=4, initial_epoch=1, steps_per_epoch=4, verbose=0)
    assert h.epoch == [1, 2, 3]
    assert [len(s) for s in h.step_loss] == [4, 4, 4]
    np.testing.assert_allclose(h.learning_rate, [0.05, 0.025, 0.0125], rtol=1e-6)


def test_fit_with_generator_and_dataset_like_iterable():
    x, y = regression_data(n=48)

    class Batches:
        def __iter__(self):
            for i in range(0, 48, 16):
                yield x[i:i + 16], y[i:i + 16]

        def __len__(self):
            return 3

    model = tl.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer=tl.optimizers.SGD(0.05), loss="mse")
    w0, b0 = model.get_weights()
    h = model.fit(Batches(), epochs=2, verbose=0)
    w_ref, b_ref = manual_sgd(w0, b0, x, y, 0.05, 16, 2)
    np.testing.assert_allclose(model.get_weights()[0], w_ref, rtol=1e-5, atol=1e-6)
    assert len(h.history["loss"]) == 2
    assert model.evaluate(Batches(), verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-5)
    gen = ((x[i:i + 16], y[i:i + 16]) for _ in range(10) for i in range(0, 48, 16))
    with pytest.raises(ValueError, match=r"`steps_per_epoch` is required"):
        model.fit(gen, epochs=2, verbose=0)


def test_frozen_layer_is_not_updated():
    x, y = regression_data(n=32)
    base = layers.Dense(4, name="base")
    model = tl.Sequential([base, layers.Dense(1, name="head")])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, verbose=0)
    base.trainable = False
    frozen = [w.copy() for w in base.get_weights()]
    head_before = model.get_layer("head").get_weights()[0].copy()
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(base.get_weights(), frozen):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(model.get_layer("head").get_weights()[0], head_before)


def test_regularization_is_added_to_the_loss():
    x, y = regression_data(n=16)
    model = tl.Sequential([layers.Dense(1, input_shape=(3,), kernel_regularizer=tl.regularizers.L2(0.1))])
    model.compile(optimizer="sgd", loss="mse")
    w, b = model.get_weights()
    mse = float(((x @ w + b - y) ** 2).mean())
    assert model.evaluate(x, y, verbose=0) == pytest.approx(mse + 0.1 * float((w ** 2).sum()), rel=1e-5)


def test_stable_crossentropy_with_softmax_output():
    """Saturated softmax: the loss stays finite and training still moves."""
    x = np.array([[100.0, -100.0]], "float32")
    model = tl.Sequential([layers.Dense(2, activation="softmax", input_shape=(2,), kernel_initializer="identity")])
    model.compile(optimizer=tl.optimizers.SGD(0.001), loss="sparse_categorical_crossentropy")
    loss = model.evaluate(x, np.array([1]), verbose=0)
    assert np.isfinite(loss) and loss == pytest.approx(200.0, rel=1e-4)
    h = model.fit(x, np.array([1]), epochs=2, verbose=0)
    assert np.all(np.isfinite(h.history["loss"])) and h.history["loss"][1] < h.history["loss"][0]


# ---------------------------------------------------------------------- bad input
@pytest.fixture
def compiled():
    model = tl.Sequential([layers.Dense(10, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_fit_before_compile():
    model = tl.Sequential([layers.Dense(1)])
    with pytest.raises(RuntimeError, match=r"You must call compile\(\) before fit\(\)"):
        model.fit(np.zeros((4, 2)), np.zeros(4))


@pytest.mark.parametrize("kind,value,pattern", [
    ("loss", "sparse_categorical_crossentropyy", r"Unknown loss 'sparse_categorical_crossentropyy'.*Expected one of:.*mean_squared_error"),
    ("optimizer", "adamm", r"Unknown optimizer 'adamm'.*Expected one of:.*sgd"),
    ("metrics", ["acuracy"], r"Unknown metric 'acuracy'.*Expected one of:.*accuracy"),
])
def test_unknown_names_list_valid_names(kind, value, pattern):
    model = tl.Sequential([layers.Dense(2, input_shape=(3,))])
    args = {"optimizer": "adam", "loss": "mse", kind: value}
    with pytest.raises(ValueError, match=pattern):
        model.compile(**args)


def test_sparse_labels_out_of_range(compiled):
    with pytest.raises(ValueError, match=r"`y`.*10"):
        compiled.fit(np.zeros((4, 4), "float32"), np.array([0, 3, 10, 2]), verbose=0)


@pytest.mark.parametrize("bad,where", [(np.nan, "x"), (np.inf, "x"), (np.nan, "y")])
def test_nan_or_inf_rejected_before_training(bad, where):
    model = tl.Sequential([layers.Dense(1, input_shape=(4,))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((6, 4), "float32"), np.ones((6, 1), "float32")
    (x if where == "x" else y)[2, 0] = bad
    with pytest.raises(ValueError, match=rf"`{where}` contains .* the first is at index \(2, 0\).*Drop or impute"):
        model.fit(x, y, verbose=0)


@pytest.mark.parametrize("split", [-0.1, 1.0, 1.5])
def test_validation_split_out_of_range(compiled, split):
    with pytest.raises(ValueError, match=rf"`validation_split` must be in \[0, 1\); received {split}"):
        compiled.fit(np.zeros((8, 4), "float32"), np.zeros(8), validation_split=split, verbose=0)


@pytest.mark.parametrize("bs", [0, -3])
def test_batch_size_below_one(compiled, bs):
    with pytest.raises(ValueError, match=rf"`batch_size` must be a positive integer \(>= 1\); received {bs}"):
        compiled.fit(np.zeros((8, 4), "float32"), np.zeros(8), batch_size=bs, verbose=0)


def test_x_and_y_lengths_differ(compiled):
    with pytest.raises(ValueError, match=r"same number of samples: `x` has 8, `y` has 7"):
        compiled.fit(np.zeros((8, 4), "float32"), np.zeros(7), verbose=0)


def test_model_input_shape_mismatch_names_x(compiled):
    with pytest.raises(ValueError, match=r"expects inputs of shape \(None, 4\), but `x` has shape \(None, 5\)"):
        compiled.fit(np.zeros((8, 5), "float32"), np.zeros(8), verbose=0)


def test_callbacks_can_ask_for_per_layer_gradient_norms():
    x, y = regression_data(n=32)

    class Watch(tl.callbacks.Callback):
        requires_grad_norms = True

        def on_epoch_end(self, epoch, logs=None):
            self.seen = dict(self.model.history.grad_norms[-1])

    model = tl.Sequential([layers.Dense(4, input_shape=(3,), name="a"), layers.Dense(1, name="b")])
    model.compile(optimizer=tl.optimizers.SGD(0.0), loss="mse")
    watch = Watch()
    h = model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0, callbacks=[watch])
    variables = model.variables

    def loss(p):
        pred, _ = model.apply({"params": p, "state": {}}, x)
        return jnp.mean((pred - y) ** 2)

    g = jax.grad(loss)(variables["params"])
    for name in ("a", "b"):
        ref = float(np.sqrt(sum(float(jnp.sum(v ** 2)) for v in jax.tree.leaves(g[name]))))
        assert watch.seen[name] == pytest.approx(ref, rel=1e-5)
    assert h.grad_norms == [watch.seen]


def test_token_index_beyond_embedding_input_dim():
    model = tl.Sequential([layers.Embedding(100, 4, name="emb"), layers.GlobalAveragePooling1D(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = np.array([[1, 2, 3], [4, 100, 6]], "int32")
    with pytest.raises(ValueError, match=r"`x` contains token index 100, but Embedding 'emb' has input_dim=100.*\[0, 99\]"):
        model.fit(x, np.zeros((2, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"`x` contains token index 100"):
        model.predict(x, verbose=0)


def test_metrics_passed_by_position_as_in_tf_keras_2_and_bad_loss_weights():
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = tl.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile("adam", "binary_crossentropy", ["accuracy"])  # tf.keras 2 order: metrics third
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    model.compile("adam", "binary_crossentropy", [tl.metrics.AUC(), "mae"])
    assert set(model.evaluate(x, y, verbose=0, return_dict=True)) == {"loss", "auc", "mae"}
    with pytest.raises(TypeError, match=r"`loss_weights` must be a number per output.*received \[<object"):
        model.compile("adam", "mse", loss_weights=[object()])
    with pytest.raises(TypeError, match=r"received \[\['x', 2\]\].*compile order is \(optimizer, loss, loss_weights"):
        model.compile("adam", "mse", [["x", 2]])
    model.compile("adam", "mse", loss_weights=[2.0])  # a number per output is fine
    model.compile("adam", "mse", [2.0])
