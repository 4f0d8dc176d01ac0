"""Custom training loops: tl.Variable, model.trainable_variables, tl.value_and_grad,
optimizer.apply_gradients and tl.function, checked against jax.grad on the pure
functional form, against fit, and against closed forms."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers


def _data(n=64, d=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x @ rng.normal(size=(d, 1)) + 0.3).astype("float32")
    return x, y


def _mlp(batchnorm=False, dropout=0.0, d=5, seed=1):
    tl.set_random_seed(seed)
    stack = [layers.Dense(8, activation="relu", input_shape=(d,))]
    if batchnorm:
        stack.append(layers.BatchNormalization())
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(1))
    return tl.Sequential(stack)


def test_trainable_variables_follow_keras_order_and_frozen_layers():
    model = _mlp(batchnorm=True)
    assert [v.path for v in model.trainable_variables] == [
        "dense/kernel", "dense/bias", "batch_normalization/gamma", "batch_normalization/beta",
        "dense_1/kernel", "dense_1/bias"] or len(model.trainable_variables) == 6
    assert [v.shape for v in model.trainable_variables] == [w.shape for w in model.get_weights()[:4]] + [(8, 1), (1,)]
    assert [v.path.split("/")[1] for v in model.non_trainable_variables] == ["moving_mean", "moving_variance"]
    model.layers[0].trainable = False
    assert len(model.trainable_variables) == 4 and len(model.non_trainable_variables) == 4
    # handles are stable objects and read the live weights
    assert model.trainable_variables[0] is model.trainable_variables[0]
    np.testing.assert_array_equal(model.non_trainable_variables[0].numpy(), model.get_weights()[0])


def test_value_and_grad_matches_jax_grad_of_the_pure_model_and_updates_batchnorm():
    x, y = _data()
    model = _mlp(batchnorm=True)
    variables = model.variables
    loss_fn = tl.losses.MeanSquaredError()

    def pure(params):
        out, new_state = model.apply({"params": params, "state": variables["state"]}, x, training=True)
        return jnp.mean((out - y) ** 2), new_state

    (ref_loss, ref_state), ref_grads = jax.value_and_grad(pure, has_aux=True)(variables["params"])

    def compute_loss(model, x, y):
        return loss_fn(y, model(x, training=True))

    loss, grads = tl.value_and_grad(compute_loss)(model, x, y)
    assert float(loss) == pytest.approx(float(ref_loss), rel=1e-6)
    paths = [v.path.split("/") for v in model.trainable_variables]
    assert len(grads) == len(paths)
    for g, (layer, name) in zip(grads, paths):
        np.testing.assert_allclose(g, ref_grads[layer][name], rtol=1e-5, atol=1e-7)
    # the call's BatchNormalization update was kept (no threading by the user)
    np.testing.assert_allclose(model.get_layer("batch_normalization").moving_mean,
                               ref_state["batch_normalization"]["moving_mean"], rtol=1e-6)
    # grad: same gradients; has_aux returns the aux value
    (value, aux), g2 = tl.value_and_grad(lambda m: (compute_loss(m, x, y), 7.0), has_aux=True)(model)
    assert aux == 7.0
    np.testing.assert_allclose(tl.grad(compute_loss)(model, x, y)[0], g2[0], rtol=1e-5)


def test_variables_linear_regression_lab_converges_to_least_squares():
    # the 모두를 위한 딥러닝 lab: W, b as variables, grads by hand-written cost, assign_sub
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0], "float32")
    y = np.array([1.2, 1.9, 3.2, 3.8, 5.1], "float32")
    W, b = tl.Variable(2.9), tl.Variable(0.5)

    def cost_fn(params):
        W_, b_ = params
        return jnp.mean((W_ * x + b_ - y) ** 2)

    cost, (gW, gb) = tl.value_and_grad(cost_fn)([W, b])
    err = 2.9 * x + 0.5 - y
    assert float(gW) == pytest.approx(float(np.mean(2 * err * x)), rel=1e-5)
    assert float(gb) == pytest.approx(float(np.mean(2 * err)), rel=1e-5)
    W.assign_sub(0.03 * gW)  # one eager step, then the same step compiled
    b.assign_sub(0.03 * gb)
    assert float(W) == pytest.approx(2.9 - 0.03 * float(np.mean(2 * err * x)), rel=1e-6)

    @tl.function
    def step():
        cost, (gW, gb) = tl.value_and_grad(cost_fn)([W, b])
        W.assign_sub(0.03 * gW)
        b.assign_sub(0.03 * gb)
        return cost

    for _ in range(2000):
        step()
    assert step.experimental_get_tracing_count() == 1
    slope, intercept = np.polyfit(x, y, 1)
    assert float(W) == pytest.approx(slope, abs=1e-3) and float(b) == pytest.approx(intercept, abs=3e-3)


def test_custom_loop_equals_fit_with_same_weights_and_batches():
    x, y = _data(n=64)
    a, b = _mlp(seed=3), _mlp(seed=4)
    b.set_weights(a.get_weights())
    a.compile(optimizer=tl.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    a.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    opt, loss_fn = tl.optimizers.SGD(0.05, momentum=0.9), tl.losses.MeanSquaredError()

    @tl.function
    def train_step(xb, yb):
        loss, grads = tl.value_and_grad(lambda m: loss_fn(yb, m(xb, training=True)))(b)
        opt.apply_gradients(zip(grads, b.trainable_variables))
        return loss

    for _ in range(3):
        for i in range(0, 64, 16):
            train_step(x[i:i + 16], y[i:i + 16])
    assert train_step.experimental_get_tracing_count() == 1  # 12 calls, one compilation
    assert int(opt.iterations) == 12
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    # the trained weights are the model's own: predict and fit see them
    np.testing.assert_allclose(b.predict(x, verbose=0), a.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_function_gives_dropout_new_keys_updates_batchnorm_and_takes_new_learning_rates():
    x, y = _data(n=32)
    model = _mlp(batchnorm=True, dropout=0.5)
    opt = tl.optimizers.SGD(0.01)

    @tl.function
    def forward(x):
        return model(x, training=True)

    first, second = np.asarray(forward(x)), np.asarray(forward(x))
    assert not np.allclose(first, second)  # a new Dropout mask each call, without recompiling
    assert forward.experimental_get_tracing_count() == 1
    mean_before = model.non_trainable_variables[0].numpy().copy()
    assert not np.allclose(mean_before, 0.0)  # the moving mean was written back

    @tl.function
    def step(x, y):
        loss, grads = tl.value_and_grad(lambda m: jnp.mean((m(x, training=True) - y) ** 2))(model)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    step(x, y)
    w0 = model.get_weights()[0].copy()
    opt.learning_rate = 0.0  # takes effect at the next call, still one compilation
    step(x, y)
    np.testing.assert_array_equal(model.get_weights()[0], w0)
    assert step.experimental_get_tracing_count() == 1


def test_function_over_variables_and_static_arguments():
    total = tl.Variable(0.0)

    @tl.function
    def add(x, scale):
        total.assign_add(scale * jnp.sum(x))
        return total.value

    add(np.ones(3, "float32"), 2)
    out = add(np.ones(3, "float32"), 2)
    assert float(out) == 12.0 and float(total) == 12.0
    add(np.ones(3, "float32"), 3)  # a new Python value is a new program, as in tf.function
    assert float(total) == 21.0 and add.experimental_get_tracing_count() == 2


def test_apply_gradients_matches_the_pure_optimizer_update():
    w = tl.Variable(np.array([1.0, -2.0, 3.0], "float32"))
    opt = tl.optimizers.Adam(0.1)
    pure_opt = tl.optimizers.Adam(0.1)
    params, state = [jnp.array([1.0, -2.0, 3.0])], None
    state = pure_opt.init(params)
    for g in ([0.5, -1.0, 2.0], [0.1, 0.2, -0.3]):
        g = np.array(g, "float32")
        opt.apply_gradients([(g, w)])
        updates, state = pure_opt.update([jnp.asarray(g)], state, params)
        params = [params[0] + updates[0]]
    np.testing.assert_allclose(w.numpy(), params[0], rtol=1e-6)


def test_wrong_use_gives_clear_errors():
    x, y = _data(n=8)
    model, other = _mlp(seed=5), tl.Sequential([layers.Dense(3, input_shape=(5,))])
    opt = tl.optimizers.SGD(0.1)
    loss, grads = tl.value_and_grad(lambda m: jnp.mean((m(x) - y) ** 2))(model)
    with pytest.raises(ValueError, match=r"`grads` has 3 entries but there are 4 variables"):
        opt.apply(grads[:3], model.trainable_variables)
    with pytest.raises(ValueError, match=r"gradient for variable 'dense_\d+/kernel' has shape \(5, 8\).*another model"):
        opt.apply_gradients(zip(grads[:2], other.trainable_variables))
    with pytest.raises(TypeError, match=r"not a tl.Variable.*model.trainable_variables"):
        opt.apply_gradients(zip(grads, model.get_weights()))
    with pytest.raises(TypeError, match=r"`grads_and_vars` must hold \(gradient, variable\) pairs"):
        opt.apply_gradients(grads)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    with pytest.raises(ValueError, match=r"built for the 4 variables.*one optimizer per set of variables"):
        opt.apply_gradients(zip(tl.grad(lambda m: jnp.sum(m(x)))(other), other.trainable_variables))
    with pytest.raises(ValueError, match=r"must return a scalar loss.*shape \(8, 1\)"):
        tl.value_and_grad(lambda m: (m(x) - y) ** 2)(model)
    with pytest.raises(TypeError, match=r"differentiates with respect to models, layers and tl.Variable.*array of shape \(3,\)"):
        tl.value_and_grad(lambda a: jnp.sum(a))(np.ones(3))
    with pytest.raises(TypeError, match=r"(?s)no\nGradientTape.*tl.value_and_grad"):
        tl.GradientTape()
    with pytest.raises(ValueError, match=r"has no weights yet.*input_shape"):
        _ = tl.Sequential([layers.Dense(2)]).trainable_variables


def test_unbuilt_subclassed_model_builds_on_first_step():
    class Net(tl.Model):
        def __init__(self):
            super().__init__()
            self.d1 = layers.Dense(4, activation="relu")
            self.d2 = layers.Dense(1)

        def call(self, x):
            return self.d2(self.d1(x))

    x, y = _data(n=16)
    net, opt = Net(), tl.optimizers.Adam(0.01)

    @tl.function
    def step(x, y):
        loss, grads = tl.value_and_grad(lambda m: jnp.mean((m(x, training=True) - y) ** 2))(net)
        opt.apply_gradients(zip(grads, net.trainable_variables))
        return loss

    losses = [float(step(x, y)) for _ in range(10)]
    assert len(net.trainable_variables) == 4 and losses[-1] < losses[0]
    assert step.experimental_get_tracing_count() == 1  # the first call ran eagerly and built the weights


def test_model_losses_hold_add_loss_and_weight_penalties_of_the_call():
    class Penalize(layers.Layer):
        def call(self, inputs):
            self.add_loss(0.5 * jnp.sum(inputs))
            return inputs

    x = np.ones((2, 3), "float32")
    tl.set_random_seed(0)
    model = tl.Sequential([layers.Dense(2, input_shape=(3,), kernel_regularizer=tl.regularizers.L2(0.1)),
                           Penalize()])
    out = np.asarray(model(x))
    kernel = model.get_weights()[0]
    penalty, weights = model.losses
    assert float(penalty) == pytest.approx(0.5 * out.sum(), rel=1e-6)
    assert float(weights) == pytest.approx(0.1 * np.sum(kernel ** 2), rel=1e-6)

    def compute_loss(m):
        return jnp.mean(m(x, training=True)) + sum(m.losses)

    loss, grads = tl.value_and_grad(compute_loss)(model)
    # d/dkernel of mean(xW+b) + 0.5 sum(xW+b) + 0.1 |W|^2
    expected = (1 / 4 + 0.5) * x.sum(0)[:, None] * np.ones((1, 2)) + 0.2 * kernel
    np.testing.assert_allclose(grads[0], expected, rtol=1e-5)
    assert model.losses[:-1] == []  # the traced call's values are not kept after value_and_grad


def test_minimize_takes_a_loss_function_as_tf2():
    x = np.array([1.0, 2.0, 3.0], "float32")
    W, b = tl.Variable(0.0), tl.Variable(0.0)
    opt = tl.optimizers.SGD(0.1)
    cost = opt.minimize(lambda: jnp.mean((W * x + b - 2 * x) ** 2), var_list=[W, b])
    assert float(cost) == pytest.approx(float(np.mean((2 * x) ** 2)))
    # one SGD step: W -= 0.1 * mean(2 (Wx + b - 2x) x) at W = b = 0
    assert float(W) == pytest.approx(0.1 * float(np.mean(4 * x * x)), rel=1e-6)
    assert float(b) == pytest.approx(0.1 * float(np.mean(4 * x)), rel=1e-6)
    with pytest.raises(TypeError, match=r"`loss` must be a function with no arguments.*lambda: cost_fn"):
        opt.minimize(cost, var_list=[W, b])


@pytest.mark.parametrize("name", ["trainlab.autodiff", "trainlab.variables", "trainlab._binding",
                                  "trainlab.optimizers._stateful"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
