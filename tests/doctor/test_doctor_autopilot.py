"""Autopilot rules on scripted epoch logs (a stand-in model: no training needed)."""

import math

import numpy as np
import pytest

from trainlab.callbacks import History
from trainlab.doctor import Autopilot


class FakeOptimizer:
    def __init__(self, lr):
        self.learning_rate = lr

    def hyperparameters(self):
        return {"learning_rate": self.learning_rate}


class FakeModel:
    """Weights are one number: the epoch that produced them."""

    def __init__(self, lr=0.1):
        self.optimizer = FakeOptimizer(lr)
        self.history = History()
        self.history.model = self
        self.w = -1
        self.stop_training = False
        self.resets = 0

    def get_weights(self):
        return [np.array(self.w)]

    def set_weights(self, w):
        self.w = int(w[0])

    def reset_optimizer_state(self):
        self.resets += 1

    def hyperparameters(self):
        return {}

    @property
    def layers(self):
        return []


def drive(pilot, model, logs_per_epoch):
    pilot.set_model(model)
    pilot.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        model.w = epoch
        model.history.step_loss.append(np.array([logs["loss"]] * 3))
        model.history.learning_rate.append(model.optimizer.learning_rate)
        model.history.on_epoch_end(epoch, logs)
        pilot.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    pilot.on_train_end()
    return [(e["epoch"], e["action"]) for e in model.history.events]


def test_divergence_restores_last_good_weights_and_cuts_lr():
    model = FakeModel(lr=0.5)
    pilot = Autopilot()
    logs = [{"loss": 2.0, "val_loss": 2.0}, {"loss": 1.5, "val_loss": 1.6}, {"loss": math.nan, "val_loss": math.nan},
            {"loss": 1.2, "val_loss": 1.3}]
    events = drive(pilot, model, logs)
    assert (2, "restore_last_good_weights") in events and (2, "cut_learning_rate") in events
    assert model.optimizer.learning_rate == pytest.approx(0.05)
    assert model.resets == 1
    restore = [e for e in model.history.events if e["action"] == "restore_last_good_weights"][0]
    assert restore["restored_epoch"] == 1
    assert events[-1][1] == "verdict"


def test_gives_up_after_max_recoveries():
    model = FakeModel(lr=1.0)
    pilot = Autopilot(max_recoveries=2)
    logs = [{"loss": 2.0}] + [{"loss": math.inf}] * 5
    events = drive(pilot, model, logs)
    assert [a for _, a in events].count("restore_last_good_weights") == 2
    assert (3, "stop") in events and model.stop_training
    assert model.w == 0  # ends on the last good weights


def test_plateau_reduces_learning_rate_then_stops():
    model = FakeModel(lr=0.1)
    pilot = Autopilot(plateau_patience=2, patience=5, plateau_factor=0.5)
    logs = [{"loss": 1.0, "val_loss": 1.0}] + [{"loss": 1.0, "val_loss": 1.0}] * 8
    drive(pilot, model, logs)
    reductions = [e for e in model.history.events if e["action"] == "reduce_learning_rate"]
    assert reductions[0]["epoch"] == 2 and reductions[0]["new"] == pytest.approx(0.05)
    stop = [e for e in model.history.events if e["action"] == "stop"][0]
    assert stop["reason"] == "plateau" and stop["epoch"] == 5


def test_a_slow_but_steady_fall_is_not_a_plateau():
    # a learning rate far too low: the loss falls 0.05% per epoch, below min_delta, but every epoch
    model = FakeModel(lr=1e-5)
    pilot = Autopilot(plateau_patience=2, patience=5)
    val = [1.0 * 0.9995 ** e for e in range(12)]
    events = drive(pilot, model, [{"loss": v * 0.99, "val_loss": v} for v in val])
    assert [a for _, a in events] == ["verdict"]  # no cut, no stop, no restore of an older epoch
    assert model.optimizer.learning_rate == 1e-5 and model.w == 11
    # the same values out of order (a real plateau of noise) are cut as before
    model = FakeModel(lr=0.1)
    noisy = [1.0, 0.9995, 0.9998, 0.9994, 0.9997, 0.9993, 0.9996, 0.9995]
    drive(Autopilot(plateau_patience=2, patience=5), model, [{"loss": v, "val_loss": v} for v in noisy])
    assert any(e["action"] == "reduce_learning_rate" for e in model.history.events)


def test_overfitting_stops_and_restores_best():
    model = FakeModel()
    pilot = Autopilot(patience=3)
    val = [1.0, 0.8, 0.7, 0.75, 0.8, 0.9, 1.0]
    loss = [1.0, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1]
    events = drive(pilot, model, [{"loss": l, "val_loss": v} for l, v in zip(loss, val)])
    stop = [e for e in model.history.events if e["action"] == "stop"][0]
    assert stop["reason"] == "overfitting" and stop["began_epoch"] == 2 and stop["epoch"] == 5
    assert (5, "restore_best_weights") in events
    assert model.w == 2


def test_without_validation_monitors_training_loss():
    model = FakeModel()
    pilot = Autopilot()
    events = drive(pilot, model, [{"loss": 1.0 / (e + 1)} for e in range(4)])
    assert [a for _, a in events] == ["verdict"]


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"`plateau_factor` must be in \(0, 1\); received 1.5"):
        Autopilot(plateau_factor=1.5)
    with pytest.raises(ValueError, match=r"`lr_cut` must be in \(0, 1\); received 0"):
        Autopilot(lr_cut=0)
    with pytest.raises(TypeError, match=r"`patience` must be a positive integer"):
        Autopilot(patience=2.5)
    assert Autopilot(track_gradients=False).requires_grad_norms is False


def test_a_blown_up_step_counts_as_divergence():
    model = FakeModel(lr=5.0)
    pilot = Autopilot()
    pilot.set_model(model)
    pilot.on_train_begin()
    model.history.step_loss.append(np.array([2.5, 9.0, 30.0, 2.4]))  # 30 > 10 x 2.5
    model.history.on_epoch_end(0, {"loss": 3.0})
    pilot.on_epoch_end(0, {"loss": 3.0})
    assert [e["action"] for e in model.history.events] == ["restore_last_good_weights", "cut_learning_rate"]
    assert model.optimizer.learning_rate == pytest.approx(0.5)
