"""Callbacks: Keras semantics on scripted logs and in real fits."""

import csv
import os

import numpy as np
import pytest

import trainlab as tl
from trainlab import callbacks, layers


class FakeModel:
    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(1)]
        self.history = callbacks.History()
        self.optimizer = tl.optimizers.SGD(0.1)

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, w):
        self.weights = [a.copy() for a in w]


def drive(cb, values, key="val_loss"):
    model = FakeModel()
    cb.set_model(model)
    cb.on_train_begin()
    stopped_at = None
    for epoch, v in enumerate(values):
        model.weights = [np.array([float(epoch)])]
        cb.on_epoch_end(epoch, {key: v})
        if model.stop_training:
            stopped_at = epoch
            break
    cb.on_train_end()
    return model, stopped_at


def test_early_stopping_patience_and_restore():
    cb = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    model, stopped = drive(cb, [1.0, 0.8, 0.9, 0.85, 0.7])
    assert stopped == 3 and cb.best_epoch == 1
    np.testing.assert_array_equal(model.weights[0], [1.0])
    assert any(e["action"] == "stop" for e in model.history.events)


def test_early_stopping_min_delta_mode_and_baseline():
    cb = callbacks.EarlyStopping(monitor="val_accuracy", patience=1, min_delta=0.05)
    _, stopped = drive(cb, [0.5, 0.52, 0.53, 0.9], key="val_accuracy")
    assert stopped == 1  # +0.02 is not an improvement of more than 0.05
    # Keras semantics: epochs that do not beat the baseline never reset the wait counter
    _, with_baseline = drive(callbacks.EarlyStopping(patience=2, baseline=0.5), [0.9, 0.95, 0.96, 0.97])
    _, without = drive(callbacks.EarlyStopping(patience=2), [0.9, 0.95, 0.96, 0.97])
    assert (with_baseline, without) == (1, 2)
    with pytest.raises(ValueError, match=r"cannot tell whether it should go up or down.*mode='max'"):
        drive(callbacks.EarlyStopping(monitor="val_widget"), [1.0], key="val_widget")


def test_reduce_lr_on_plateau_with_cooldown_and_min_lr():
    # reductions at epochs 2 and 4 (the cooldown epoch in between counts towards patience again)
    cb = callbacks.ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    model, _ = drive(cb, [1.0] * 6)
    assert model.optimizer.learning_rate == pytest.approx(0.025)
    assert [e["epoch"] for e in model.history.events] == [2, 4]
    model, _ = drive(callbacks.ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.02), [1.0] * 8)
    assert model.optimizer.learning_rate == pytest.approx(0.02)
    cb2 = callbacks.ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.02)
    model2, _ = drive(cb2, [1.0, 1.0, 1.0, 1.0])
    assert model2.optimizer.learning_rate == pytest.approx(0.02)
    with pytest.raises(ValueError, match=r"`factor` of ReduceLROnPlateau must be in \[0, 1\)"):
        callbacks.ReduceLROnPlateau(factor=2.0)


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x.sum(1, keepdims=True) > 0).astype("float32")


def test_learning_rate_scheduler_changes_the_compiled_step():
    x, y = _data()
    model = tl.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(optimizer=tl.optimizers.SGD(0.1), loss="binary_crossentropy")
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: 0.0 if epoch >= 1 else lr)
    snapshots = []
    cb = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: snapshots.append(model.get_weights()[0].copy()))
    h = model.fit(x, y, epochs=3, verbose=0, callbacks=[sched, cb])
    np.testing.assert_allclose(h.learning_rate, [0.1, 0.0, 0.0], rtol=1e-6)
    np.testing.assert_array_equal(snapshots[1], snapshots[2])  # lr 0: no more updates
    assert h.history["learning_rate"] == [0.1, 0.0, 0.0]


def test_early_stopping_in_a_real_fit_restores_best_weights():
    x, y = _data(32)
    xv, yv = _data(32)
    yv = 1 - yv  # validation labels disagree: validation loss turns up as training improves
    model = tl.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(optimizer=tl.optimizers.SGD(0.5), loss="binary_crossentropy")
    weights = []
    record = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: weights.append(model.get_weights()))
    stop = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    h = model.fit(x, y, validation_data=(xv, yv), epochs=50, verbose=0, callbacks=[record, stop])
    assert len(h.epoch) < 50
    best = int(np.argmin(h.history["val_loss"]))
    for a, b in zip(model.get_weights(), weights[best]):
        np.testing.assert_array_equal(a, b)


def test_model_checkpoint_best_only_and_csv_logger(tmp_path):
    x, y = _data()
    model = tl.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(optimizer=tl.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=["accuracy"])
    ckpt = callbacks.ModelCheckpoint(str(tmp_path / "best.trainlab"), monitor="loss", save_best_only=True)
    log = callbacks.CSVLogger(str(tmp_path / "log.csv"))
    h = model.fit(x, y, epochs=3, verbose=0, callbacks=[ckpt, log])
    assert os.path.exists(tmp_path / "best.trainlab")
    with open(tmp_path / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    np.testing.assert_allclose([float(r["loss"]) for r in rows], h.history["loss"], rtol=1e-6)
    restored = tl.load_model(str(tmp_path / "best.trainlab"))
    best = int(np.argmin(h.history["loss"]))
    assert best == 2  # loss falls every epoch here, so the last save is the best
    np.testing.assert_allclose(restored.get_weights()[0], model.get_weights()[0])


def test_terminate_on_nan_and_progbar_output(capsys):
    x, y = _data()
    model = tl.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer=tl.optimizers.SGD(1e6), loss="mse")
    h = model.fit(x, y * 1e6, epochs=20, batch_size=8, verbose=0, callbacks=[callbacks.TerminateOnNaN()])
    assert len(h.epoch) < 20
    assert not np.isfinite(h.history["loss"][-1])
    assert any(e["source"] == "TerminateOnNaN" for e in h.events)
    model2 = tl.Sequential([layers.Dense(1, input_shape=(3,))])
    model2.compile(optimizer="sgd", loss="mse")
    model2.fit(x, y, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "loss:" in out
    model2.fit(x, y, epochs=1, verbose=2)
    assert "2/2 - " in capsys.readouterr().out


def test_callbacks_must_be_callback_objects():
    model = tl.Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match=r"Every entry of `callbacks` must be a trainlab Callback"):
        model.fit(np.zeros((4, 3)), np.zeros((4, 1)), callbacks=[print], verbose=0)
