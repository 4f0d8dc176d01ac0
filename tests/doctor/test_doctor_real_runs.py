"""The doctor and the Autopilot on real short training runs made to fail each way
(digits, offline): learning rate far too high / far too low, a large model on a
tiny dataset, too few epochs; plus a bottleneck (underfitting) and deep
sigmoid / badly initialised ReLU stacks (vanishing / exploding gradients)."""

import numpy as np
import pytest

import trainlab as tl
from trainlab.doctor import Autopilot, Thresholds, diagnose

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digits():
    from trainlab.datasets import digits as d

    (x, y), (xt, yt) = d.load_data()
    return (x.reshape(len(x), -1).astype("float32") / 16.0, y.astype("int32"),
            xt.reshape(len(xt), -1).astype("float32") / 16.0, yt.astype("int32"))


class _Grads(tl.callbacks.Callback):
    requires_grad_norms = True


def mlp(units=(64,), act="relu", init="glorot_uniform"):
    return tl.Sequential([tl.layers.Input((64,))] + [tl.layers.Dense(u, activation=act, kernel_initializer=init)
                                                       for u in units] + [tl.layers.Dense(10, activation="softmax")])


def train(data, model, opt, epochs, n=None, bs=32, autopilot=None):
    x, y, xt, yt = data
    tl.set_random_seed(0)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cbs = [autopilot] if autopilot is not None else [_Grads()]
    h = model.fit(x[:n], y[:n], epochs=epochs, batch_size=bs, validation_data=(xt, yt), verbose=0, callbacks=cbs)
    return h, model


_CACHE = {}


def cached(name, digits, make):
    """Each failing run is trained once per session and shared by the doctor and Autopilot tests."""
    if name not in _CACHE:
        _CACHE[name] = make()
    return _CACHE[name]


def too_high_run(digits):
    return cached("too_high", digits, lambda: train(digits, mlp(), tl.optimizers.Adam(0.5), 6))


def codes(findings):
    return [f.code for f in findings]


def test_learning_rate_far_too_high(digits):
    # Adam 0.5 (500x its usual rate): the first epoch blows up, then the network is dead at chance level
    h, _ = too_high_run(digits)
    f = diagnose(h)
    assert f[0].code == "diverging" and f[0].severity == "critical"
    assert f[0].suggestion == {"learning_rate": 0.05}
    ev = f[0].evidence
    loss = h.history["loss"]
    assert ev["worst_loss"] == pytest.approx(max(loss)) and ev["worst_loss"] > 3 * ev["chance_level_loss"]
    assert ev["chance_level_loss"] == pytest.approx(np.log(ev["classes_estimate"]))
    assert h.history["accuracy"][-1] < 0.3


def test_learning_rate_far_too_low(digits):
    tl.set_random_seed(0)
    h, _ = train(digits, mlp(), tl.optimizers.SGD(1e-4), 6)
    f = diagnose(h)
    assert codes(f) == ["learning_rate_too_low"]
    assert f[0].suggestion == {"learning_rate": pytest.approx(1e-3)}
    assert f[0].evidence["progress"] < 0.05


def test_large_model_on_tiny_dataset_overfits(digits):
    tl.set_random_seed(0)
    h, _ = train(digits, mlp((512, 512)), tl.optimizers.SGD(0.05, momentum=0.9), 30, n=100, bs=16)
    f = diagnose(h)
    over = [x for x in f if x.code == "overfitting"]
    assert over, format(f)
    ev = over[0].evidence
    assert ev["train_error"] == pytest.approx(1 - h.history["accuracy"][-1], abs=0.02)
    val = np.asarray(h.history["val_loss"])
    if ev["began_epoch"] is None:
        # the validation loss rose less than `overfit_rise` (8%, tuned on the corpus of real runs) from
        # its minimum: the train/validation accuracy gap says it
        assert ev["variance"] > Thresholds().variance_gap
        assert ev["variance"] == pytest.approx(ev["val_error"] - ev["train_error"])
        assert ev["val_error"] == pytest.approx(1 - h.history["val_accuracy"][-1], abs=0.03)
    else:
        # the named epoch is where the (smoothed) validation loss was lowest, and it rose afterwards
        assert val[ev["began_epoch"]:].min() <= val.min() * 1.05 and val[-1] > val.min()


def test_too_few_epochs_not_converged(digits):
    tl.set_random_seed(0)
    h, _ = train(digits, mlp(), tl.optimizers.Adam(1e-3), 5)  # 1 to 3 epochs are too little to judge
    f = diagnose(h)
    assert codes(f) == ["not_converged"]
    assert f[0].suggestion["epochs"] > 5


def test_bottleneck_underfits(digits):
    tl.set_random_seed(0)
    h, _ = train(digits, mlp((2,)), tl.optimizers.Adam(1e-2), 10)
    f = diagnose(h)
    assert "underfitting" in codes(f)
    assert [x for x in f if x.code == "underfitting"][0].evidence["train_error"] > 0.3


def test_deep_sigmoid_vanishing_gradients(digits):
    tl.set_random_seed(0)
    h, model = train(digits, mlp((32,) * 6, "sigmoid"), tl.optimizers.SGD(0.01), 2)
    f = diagnose(h, model=model)
    vg = [x for x in f if x.code == "vanishing_gradients"]
    assert vg and vg[0].evidence["first_over_last"] < 1e-3
    assert set(vg[0].suggestion["activation"].values()) == {"relu"}


def test_badly_initialised_relu_exploding_gradients(digits):
    tl.set_random_seed(0)
    h, model = train(digits, mlp((64,) * 8, "relu", tl.initializers.RandomNormal(stddev=0.5)),
                     tl.optimizers.SGD(1e-6), 2)
    f = diagnose(h, model=model)
    eg = [x for x in f if x.code == "exploding_gradients"]
    assert eg and eg[0].suggestion["kernel_initializer"]
    assert set(eg[0].suggestion["kernel_initializer"].values()) == {"he_normal"}


# ---------------------------------------------------------------- Autopilot on the same runs
def test_autopilot_recovers_from_a_far_too_high_learning_rate(digits):
    x, y, xt, yt = digits
    _, plain = too_high_run(digits)
    without = plain.evaluate(xt, yt, verbose=0)[0]
    pilot = Autopilot()
    tl.set_random_seed(0)
    h, model = train(digits, mlp(), tl.optimizers.Adam(0.5), 6, autopilot=pilot)
    actions = [e["action"] for e in h.events if e["source"] == "Autopilot"]
    assert actions[:2] == ["restore_last_good_weights", "cut_learning_rate"]
    cut = [e for e in h.events if e["action"] == "cut_learning_rate"][0]
    assert cut["new"] == pytest.approx(cut["old"] * 0.1)
    assert model.optimizer.learning_rate <= 0.05 + 1e-9
    with_ = model.evaluate(xt, yt, verbose=0)[0]
    assert with_ < 0.5 * without
    assert pilot.verdict and actions[-1] == "verdict"
    assert "restore_last_good_weights" in pilot.report()


def test_autopilot_stops_overfitting_and_restores_best(digits):
    x, y, xt, yt = digits
    pilot = Autopilot(patience=4)
    tl.set_random_seed(0)
    h, model = train(digits, mlp((512, 512)), tl.optimizers.SGD(0.05, momentum=0.9), 60, n=100, bs=16,
                     autopilot=pilot)
    stops = [e for e in h.events if e["action"] == "stop"]
    assert stops and len(h.epoch) < 60
    assert stops[0]["reason"] in ("overfitting", "plateau")
    val = np.asarray(h.history["val_loss"])
    best = int(np.argmin(val))
    if best != len(val) - 1:
        assert any(e["action"] == "restore_best_weights" for e in h.events)
    # the model ends with the weights of the best epoch
    assert model.evaluate(xt, yt, verbose=0)[0] == pytest.approx(val.min(), rel=1e-4)
