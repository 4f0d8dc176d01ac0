"""find_learning_rate, find_batch_size and check_gradients."""

import jax
import numpy as np
import pytest

import trainlab as tl
from trainlab.doctor import check_gradients, find_batch_size, find_learning_rate, suggest_learning_rate
from trainlab.doctor.lr_finder import lr_smooth


@pytest.fixture(scope="module")
def data():
    from trainlab.datasets import digits

    (x, y), _ = digits.load_data()
    return x.reshape(len(x), -1).astype("float32")[:640] / 16.0, y[:640].astype("int32")


def small_model(opt="adam"):
    m = tl.Sequential([tl.layers.Input((64,)), tl.layers.Dense(32, activation="relu"),
                       tl.layers.Dense(10, activation="softmax")])
    m.compile(optimizer=opt, loss="sparse_categorical_crossentropy")
    return m


# ---------------------------------------------------------------- learning-rate finder
def synthetic_range_test(n=200, spike_at=None):
    lrs = 1e-6 * (1e7) ** (np.arange(n) / (n - 1))
    x = np.log10(lrs)
    # flat at 2.3 for small lr, falls steepest at lr=1e-3 (x=-3) to 0.3, explodes after lr=0.1
    loss = 0.3 + 2.0 / (1 + np.exp(3.0 * (x + 3))) + np.where(x > -1, 10 ** (2 * (x + 1)) - 1, 0.0)
    loss = loss + np.random.default_rng(0).normal(0, 0.02, n)
    if spike_at is not None:
        loss[spike_at] = 50.0
    return lrs, loss


def test_suggestion_is_the_steepest_descent_point():
    lrs, loss = synthetic_range_test()
    s, lr_min, sm = suggest_learning_rate(lrs, loss)
    # analytic steepest point of the logistic is lr=1e-3; the EMA lags a little to the right
    assert 5e-4 < s < 5e-3
    assert 1e-2 < lr_min < 0.3
    assert len(sm) == len(loss)


@pytest.mark.parametrize("spike_at", [2, 12, 30])
def test_suggestion_is_robust_to_early_spikes(spike_at):
    lrs, loss = synthetic_range_test()
    base, _, _ = suggest_learning_rate(lrs, loss)
    spiked, _, _ = suggest_learning_rate(*synthetic_range_test(spike_at=spike_at))
    assert spiked == pytest.approx(base, rel=0.15)


def test_lr_smooth_median_kills_isolated_spike():
    y = np.full(30, 1.0)
    y[10] = 100.0
    assert np.allclose(lr_smooth(y), 1.0)


def test_flat_loss_gives_no_suggestion():
    lrs = np.logspace(-6, 0, 50)
    s, _, _ = suggest_learning_rate(lrs, np.full(50, 2.3))
    assert s is None


def test_find_learning_rate_leaves_model_untouched_and_stops_on_divergence(data):
    x, y = data
    model = small_model(tl.optimizers.Adam(1e-3))
    model.fit(x[:64], y[:64], epochs=1, verbose=0)  # a live optimizer state to protect
    before = [w.copy() for w in model.get_weights()]
    opt_before = jax.tree.map(np.asarray, model._train_state.opt_state)
    result = model.find_learning_rate(x, y, num_steps=150, verbose=0)
    after = model.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert model.optimizer.learning_rate == 1e-3
    jax.tree.map(np.testing.assert_array_equal, opt_before, jax.tree.map(np.asarray, model._train_state.opt_state))
    assert result.stopped_early and len(result.losses) < 150
    assert result.stop_reason in ("diverged", "nan")
    assert result.learning_rates[0] == pytest.approx(1e-7)
    ratio = result.learning_rates[1] / result.learning_rates[0]
    assert ratio == pytest.approx((10.0 / 1e-7) ** (1 / 149), rel=1e-6)
    assert 1e-4 < result.suggestion < 1.0
    fig = result.plot()
    assert fig.axes[0].get_xscale() == "log"
    assert "Suggested learning rate" in str(result)


def test_find_learning_rate_bad_arguments(data):
    x, y = data
    model = small_model()
    with pytest.raises(ValueError, match=r"0 < start_lr < end_lr; received start_lr=1.0, end_lr=0.1"):
        find_learning_rate(model, x, y, start_lr=1.0, end_lr=0.1)
    with pytest.raises(ValueError, match=r"`num_steps` must be at least 10"):
        find_learning_rate(model, x, y, num_steps=5)
    raw = tl.Sequential([tl.layers.Input((64,)), tl.layers.Dense(10)])
    with pytest.raises(RuntimeError, match=r"compile\(\) before find_learning_rate"):
        find_learning_rate(raw, x, y)


def test_lr_finder_plot_written(tmp_path, data):
    x, y = data
    result = find_learning_rate(small_model(), x, y, num_steps=40, verbose=0, chunk_steps=20)
    result.plot(tmp_path / "lr.png")
    assert (tmp_path / "lr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- batch-size finder
def test_batch_size_capped_by_dataset_and_memory(data):
    x, y = data
    model = small_model(tl.optimizers.Adam(3e-3))
    before = [w.copy() for w in model.get_weights()] if model._is_initialized() else None
    r = find_batch_size(model, x[:200], y[:200], validation_data=(x[200:300], y[200:300]), max_batch_size=1024,
                        min_batch_size=32, budget_epochs=1, verbose=0)
    assert r.max_batch_size == 128  # largest power of two <= 200 samples
    assert [m["batch_size"] for m in r.measurements][:1] == [128]
    ok = [m for m in r.measurements if m.get("val_loss") is not None]
    best = min(m["val_loss"] for m in ok)
    chosen = [m for m in ok if m["batch_size"] == r.batch_size][0]
    assert chosen["val_loss"] <= best * 1.05
    # largest within tolerance
    assert all(m["batch_size"] <= r.batch_size or m["val_loss"] > best * 1.05 for m in ok)
    if before is not None:
        assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert "Chosen batch size" in str(r)


def test_batch_size_memory_limit_halves(data):
    x, y = data
    model = small_model()
    big = find_batch_size(model, x[:400], y[:400], max_batch_size=256, min_batch_size=256, budget_epochs=0.25,
                          verbose=0).measurements[0]["memory_bytes"]
    small = find_batch_size(model, x[:400], y[:400], max_batch_size=128, min_batch_size=128, budget_epochs=0.25,
                            verbose=0).measurements[0]["memory_bytes"]
    assert big > small  # activations grow with the batch
    limited = find_batch_size(model, x[:400], y[:400], max_batch_size=256, min_batch_size=128, budget_epochs=0.25,
                              memory_limit=(big + small) / 2, verbose=0)
    first = limited.measurements[0]
    assert first["batch_size"] == 256 and first["fits"] is False and "estimated" in first["error"]
    assert limited.max_batch_size == 128 and limited.batch_size == 128


def test_batch_size_bad_arguments(data):
    x, y = data
    with pytest.raises(ValueError, match=r"`min_batch_size` \(64\) must not exceed `max_batch_size` \(32\)"):
        find_batch_size(small_model(), x, y, min_batch_size=64, max_batch_size=32)
    with pytest.raises(ValueError, match=r"`budget_epochs` must be in \(0, inf\)"):
        find_batch_size(small_model(), x, y, budget_epochs=0)


# ---------------------------------------------------------------- gradient checking
def test_gradient_check_passes_in_float64():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 5)).astype("float32")
    y = rng.integers(0, 3, 16)
    m = tl.Sequential([tl.layers.Input((5,)), tl.layers.Dense(8, activation="tanh",
                                                                kernel_regularizer=tl.regularizers.L2(0.01)),
                       tl.layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    r = check_gradients(m, x, y)
    assert r.passed and r.max_relative_error < 1e-7  # float32 would give ~1e-2 at eps=1e-7
    assert r.layers["dense"].checked == 5 * 8 + 8
    # the model is back to float32 behaviour afterwards
    assert m.layers[0].autocast is True and "autocast" not in m.layers[0].__dict__
    assert m.predict(x, verbose=0).dtype == np.float32


def test_gradient_check_finds_a_wrong_backward_pass():
    @jax.custom_vjp
    def square(v):
        return v * v

    square.defvjp(lambda v: (v * v, v), lambda v, g: (g * v,))  # bug: should be 2 v g

    class Square(tl.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")

        def call(self, inputs, training=False):
            return inputs * square(self.w)

    rng = np.random.default_rng(1)
    m = tl.Sequential([tl.layers.Input((4,)), Square(name="square"), tl.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    r = check_gradients(m, rng.normal(size=(8, 4)), rng.normal(size=(8, 1)))
    # autodiff gives g*v, the truth is 2*g*v: |v - 2v| / (|v| + |2v|) = 1/3 exactly
    assert r.layers["square"].relative_error == pytest.approx(1 / 3, rel=1e-6)
    assert r.layers["square"].status == "error" and not r.passed
    assert r.layers["dense"].status == "ok"
    assert "FAILED" in str(r)


def test_gradient_check_samples_large_layers_and_validates():
    rng = np.random.default_rng(0)
    m = tl.Sequential([tl.layers.Input((30,)), tl.layers.Dense(20)])
    m.compile(optimizer="sgd", loss="mse")
    r = check_gradients(m, rng.normal(size=(4, 30)), rng.normal(size=(4, 20)), max_checks_per_layer=50)
    assert r.layers["dense"].checked == 50 and r.layers["dense"].total == 30 * 20 + 20
    with pytest.raises(ValueError, match=r"`epsilon` must be > 0; received -1"):
        check_gradients(m, rng.normal(size=(4, 30)), rng.normal(size=(4, 20)), epsilon=-1)
    raw = tl.Sequential([tl.layers.Input((3,)), tl.layers.Dense(1)])
    with pytest.raises(RuntimeError, match=r"compile\(\) before check_gradients"):
        check_gradients(raw, np.ones((2, 3)), np.ones((2, 1)))
    assert check_gradients(raw, np.ones((2, 3)), np.ones((2, 1)), loss="mse").passed


# ---------------------------------------------------------------- finders: closed forms, seeds, bad input
def quadratic_task(n=64, d=4, seed=0):
    """Linear regression with MSE: a convex quadratic whose curvature is known in closed form."""
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=(n, d)) * [1.0, 0.5, 2.0, 1.0][:d]).astype("float32")
    y = (x @ rng.normal(size=(d, 1)) + 0.1 * rng.normal(size=(n, 1))).astype("float32")
    model = tl.Sequential([tl.layers.Input((d,)), tl.layers.Dense(1)])
    model.compile(optimizer=tl.optimizers.SGD(0.01), loss="mse")
    # Hessian of mean((x w + b - y)^2) in (w, b): 2/n [x 1]^T [x 1]; full-batch gradient descent decreases the
    # loss at every step iff lr < 2 / lambda_max, and is fastest near 1 / lambda_max
    design = np.hstack([x, np.ones((n, 1), np.float32)]).astype(np.float64)
    lam_max = np.linalg.eigvalsh(2.0 / n * design.T @ design).max()
    return model, x, y, lam_max


def test_lr_range_test_on_a_quadratic_follows_the_closed_form_stability_limit():
    model, x, y, lam_max = quadratic_task()
    limit = 2.0 / lam_max
    r = find_learning_rate(model, x, y, batch_size=len(x), start_lr=1e-4, end_lr=100.0, num_steps=120,
                           chunk_steps=40, verbose=0)
    below = r.learning_rates < limit
    # gradient descent on a quadratic below the stability limit: the loss never goes up
    assert np.all(np.diff(r.losses[below]) <= 1e-6 * r.losses[0])
    # and the test only stops on divergence beyond it
    assert r.stopped_early and r.learning_rates[-1] > limit
    # the suggestion lies in the stable range, within a decade of the fastest rate 1 / lambda_max
    assert 0.1 / lam_max < r.suggestion < limit


def test_lr_suggestion_is_stable_across_seeds():
    x, y = quadratic_task(n=256)[1:3]
    suggestions = []
    for seed in range(3):
        model, *_ = quadratic_task(n=256)
        suggestions.append(find_learning_rate(model, x, y, batch_size=16, num_steps=100, chunk_steps=50,
                                              seed=seed, verbose=0).suggestion)
    median = np.median(suggestions)
    assert all(median / 2 <= s <= 2 * median for s in suggestions), suggestions


def test_finders_on_data_smaller_than_one_batch(data):
    x, y = data
    with pytest.raises(ValueError, match=r"find_learning_rate got 20 training sample\(s\), fewer than one batch of "
                                         r"`batch_size`=32.*a `batch_size` of at most 20"):
        find_learning_rate(small_model(), x[:20], y[:20], verbose=0)
    with pytest.raises(ValueError, match=r"find_batch_size got 4 training sample\(s\) after the `validation_split`, "
                                         r"fewer than one batch of `min_batch_size`=8.*at most 4"):
        find_batch_size(small_model(), x[:5], y[:5], validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match=r"find_batch_size got 6 training sample\(s\), fewer than one batch"):
        find_batch_size(small_model(), x[:6], y[:6], validation_data=(x[6:10], y[6:10]), verbose=0)
