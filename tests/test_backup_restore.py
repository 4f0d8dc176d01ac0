"""BackupAndRestore and crash-resume of fit: bit-identical weights after an
interruption (in-process and with a real `kill -9`), resumed callback counters,
continuous run-directory history, the run-directory lock, Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import trainlab as tl
from trainlab.callbacks import BackupAndRestore

X = np.random.default_rng(0).normal(size=(100, 5)).astype("float32")
Y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype("int32")


def _model():
    tl.layers.clear_session()
    tl.set_random_seed(1)
    m = tl.Sequential([tl.layers.Input((5,)), tl.layers.Dense(8, activation="relu"), tl.layers.Dropout(0.3),
                       tl.layers.Dense(2)])
    m.compile(tl.optimizers.Adam(0.01), tl.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    return m


class _Crash(tl.callbacks.Callback):
    """Raises at a given (epoch, batch) as a crash would, before the backup of that point is written."""

    def __init__(self, epoch, batch=None):
        super().__init__()
        self.at, self.batch, self.epoch = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.batch is not None and (self.epoch, batch + 1) == (self.at, self.batch):
            raise RuntimeError("crash")

    def on_epoch_end(self, epoch, logs=None):
        if self.batch is None and epoch == self.at:
            raise RuntimeError("crash")


def _assert_same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for u, v in zip(wa, wb):
        np.testing.assert_array_equal(u, v)


def _scramble(model):
    """Wipe what a crashed process loses: weights, optimizer slots (the backup must bring them back)."""
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.reset_optimizer_state()


@pytest.mark.parametrize("save_freq, crash", [("epoch", (1, None)), (2, (2, 4))])
def test_resumed_fit_equals_uninterrupted_fit_bit_for_bit(tmp_path, save_freq, crash):
    fit = dict(epochs=4, batch_size=16, verbose=0, validation_split=0.2)

    def callbacks(at, folder):
        # min_delta=10: val_loss never "improves", so EarlyStopping's wait counts the epochs
        return [tl.callbacks.EarlyStopping(patience=100, min_delta=10.0), _Crash(*at),
                BackupAndRestore(tmp_path / folder, save_freq=save_freq)]

    ref = _model()
    ref_cbs = callbacks((99, None), "ref")
    ref_hist = ref.fit(X, Y, callbacks=ref_cbs, **fit)
    assert not os.path.exists(tmp_path / "ref" / "latest.backup")  # deleted after a completed fit

    m = _model()
    with pytest.raises(RuntimeError, match="crash"):
        m.fit(X, Y, callbacks=callbacks(crash, "b"), **fit)
    assert os.path.isfile(tmp_path / "b" / "latest.backup")
    _scramble(m)
    cbs = callbacks((99, None), "b")
    hist = m.fit(X, Y, callbacks=cbs, **fit)
    _assert_same_weights(ref, m)
    assert hist.epoch == list(range(crash[0], 4))
    # the resumed epochs' logs, also of the epoch resumed in its middle, equal the uninterrupted run's
    for key in ("loss", "accuracy", "val_loss"):
        assert hist.history[key] == ref_hist.history[key][crash[0]:]
    assert int(m._train_state.step) == int(ref._train_state.step) == 4 * 5  # the optimizer's step went on
    assert cbs[0].wait == ref_cbs[0].wait == 3  # EarlyStopping's counter went on (2 if it restarted)


def test_backup_arguments_and_mismatch_errors(tmp_path):
    with pytest.raises(ValueError, match="`save_freq` must be 'epoch' or a positive number of steps; received 0"):
        BackupAndRestore(tmp_path, save_freq=0)
    with pytest.raises(TypeError, match="`backup_dir` must be a folder path"):
        BackupAndRestore(None)
    m = _model()
    with pytest.raises(RuntimeError):
        m.fit(X, Y, epochs=3, batch_size=16, verbose=0, callbacks=[_Crash(1), BackupAndRestore(tmp_path)])
    with pytest.raises(ValueError, match=r"`batch_size` is 10, but the backup .* was written by a fit with "
                                         r"batch_size=16"):
        _model().fit(X, Y, epochs=3, batch_size=10, verbose=0, callbacks=[BackupAndRestore(tmp_path)])
    other = tl.Sequential([tl.layers.Input((5,)), tl.layers.Dense(3), tl.layers.Dense(2)])
    other.compile("adam", tl.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.raises(ValueError, match="different architecture|does not fit this model"):
        other.fit(X, Y, epochs=3, batch_size=16, verbose=0, callbacks=[BackupAndRestore(tmp_path)])
    (tmp_path / "latest.backup").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="cannot be read .* Delete the folder"):
        _model().fit(X, Y, epochs=3, batch_size=16, verbose=0, callbacks=[BackupAndRestore(tmp_path)])


def test_run_dir_is_locked_and_resume_keeps_its_history(tmp_path):
    run = tmp_path / "run"
    m = _model()
    with pytest.raises(RuntimeError):
        m.fit(X, Y, epochs=4, batch_size=16, verbose=0, validation_split=0.2, run_dir=run, callbacks=[_Crash(2)])
    rows_before = (run / "history.csv").read_text().splitlines()
    best_before = os.path.getmtime(run / "checkpoints" / "best.trainlab")

    class Intruder(tl.callbacks.Callback):  # a second fit into the same folder while the first runs
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                with pytest.raises(ValueError, match=r"`run_dir` .* is in use by another training run \(host=.* "
                                                     r"pid=\d+\)"):
                    _model().fit(X, Y, epochs=1, verbose=0, run_dir=run)

    _scramble(m)  # (a new process would build a new model; the backup restores everything)
    hist = m.fit(X, Y, epochs=4, batch_size=16, verbose=0, validation_split=0.2, run_dir=run,
                 callbacks=[_Crash(99), Intruder()])
    saved = json.loads((run / "history.json").read_text())
    assert saved["epoch"] == [0, 1, 2, 3] and hist.epoch == [2, 3]
    assert saved["history"]["val_loss"][2:] == hist.history["val_loss"]
    assert len(saved["learning_rate"]) == len(saved["epoch_seconds"]) == len(saved["step_loss"]) == 4
    rows = (run / "history.csv").read_text().splitlines()
    assert rows[:3] == rows_before[:3] and len(rows) == 5  # header + the first 2 epochs kept, then 2 more
    assert [float(r.split(",")[rows[0].split(",").index("val_loss")]) for r in rows[1:]] == saved["history"]["val_loss"]
    assert not os.path.exists(run / "backup" / "latest.backup")
    # best.trainlab is the best epoch of the whole run, not of the resumed part only
    best = int(np.argmin(saved["history"]["val_loss"]))
    loaded = tl.models.load_model(run / "checkpoints" / "best.trainlab")
    if best < 2:
        assert os.path.getmtime(run / "checkpoints" / "best.trainlab") == best_before
    assert loaded.evaluate(X[80:], Y[80:], verbose=0, return_dict=True)["loss"] == pytest.approx(
        saved["history"]["val_loss"][best], rel=1e-5)


def test_initial_epoch_into_a_run_dir_appends_to_its_history(tmp_path):
    m = _model()
    m.fit(X, Y, epochs=2, batch_size=16, verbose=0, run_dir=tmp_path)
    m.fit(X, Y, epochs=3, initial_epoch=2, batch_size=16, verbose=0, run_dir=tmp_path)
    saved = json.loads((tmp_path / "history.json").read_text())
    assert saved["epoch"] == [0, 1, 2] and len(saved["history"]["loss"]) == 3
    assert len(saved["learning_rate"]) == len(saved["epoch_seconds"]) == len(saved["step_loss"]) == 3
    from trainlab.report.tensorboard import read_scalars

    assert [s for s, _ in read_scalars(tmp_path / "tensorboard")["loss/train"]] == [0, 1, 2]
    assert len(os.listdir(tmp_path / "tensorboard")) == 2  # one event file per fit, named uniquely


def test_ctrl_c_writes_report_and_keeps_history_and_checkpoint_consistent(tmp_path):
    class CtrlC(tl.callbacks.Callback):
        sent = False

        def on_train_batch_end(self, batch, logs=None):
            if self.model.history.epoch == [0, 1] and not self.sent:  # in epoch 2, once
                self.sent = True
                os.kill(os.getpid(), signal.SIGINT)

    m = _model()
    with pytest.raises(KeyboardInterrupt):
        m.fit(X, Y, epochs=5, batch_size=16, verbose=0, validation_split=0.2, run_dir=tmp_path, callbacks=[CtrlC()])
    saved = json.loads((tmp_path / "history.json").read_text())
    assert saved["epoch"] == [0, 1]
    assert (tmp_path / "report.html").is_file() and (tmp_path / "diagnosis.json").is_file()
    last = tl.models.load_model(tmp_path / "checkpoints" / "last.trainlab")
    assert int(last._restored_train_state["step"]) == 2 * 5  # the checkpoint is the end of epoch 1
    assert m.predict(X[:3], verbose=0).shape == (3, 2)  # the model stays usable
    # a rerun resumes at epoch 2 and ends with the whole history
    m.fit(X, Y, epochs=5, batch_size=16, verbose=0, validation_split=0.2, run_dir=tmp_path, callbacks=[CtrlC()])
    assert json.loads((tmp_path / "history.json").read_text())["epoch"] == [0, 1, 2, 3, 4]


CHILD = textwrap.dedent("""
    import sys, numpy as np, trainlab as tl
    backup_dir, out, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    x = np.random.default_rng(0).normal(size=(400, 5)).astype("float32")
    y = (x[:, 0] + 0.3 * x[:, 1] > 0).astype("int32")

    class Progress(tl.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            print("step", int(self.model._train_state.step), flush=True)

    def train(callbacks):
        tl.layers.clear_session()
        tl.set_random_seed(1)
        m = tl.Sequential([tl.layers.Input((5,)), tl.layers.Dense(16, activation="relu"), tl.layers.Dropout(0.3),
                           tl.layers.Dense(2)])
        m.compile(tl.optimizers.Adam(0.01), tl.losses.SparseCategoricalCrossentropy(from_logits=True))
        h = m.fit(x, y, epochs=epochs, batch_size=8, verbose=0, validation_split=0.2, callbacks=callbacks)
        return m, h

    m, h = train([Progress(), tl.callbacks.BackupAndRestore(backup_dir, save_freq=8)])
    ref, ref_h = train([Progress(), tl.callbacks.BackupAndRestore(backup_dir + "-ref", save_freq=8)])
    np.savez(out, *m.get_weights(), *ref.get_weights(), resumed_epochs=np.array(h.epoch),
             val_loss=np.array(h.history["val_loss"]), ref_val_loss=np.array(ref_h.history["val_loss"]))
""")


def _backup_position(backup_dir):
    from trainlab.callbacks.backup import _read

    tensors, meta = _read(os.path.join(backup_dir, "latest.backup"))
    return int(tensors["train_state/step"][0]), meta


def test_kill_9_at_random_moments_loses_at_most_save_freq_steps_and_resumes_bit_identically(tmp_path):
    save_freq, epochs, steps_per_epoch = 8, 5, 40
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    backup_dir, out = str(tmp_path / "backup"), str(tmp_path / "out.npz")
    args = [sys.executable, str(script), backup_dir, out, str(epochs)]
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    rng = np.random.default_rng(7)
    for _ in range(2):  # two kill -9 at random moments, each after some progress
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        seen, target = 0, None
        for line in proc.stdout:
            seen = int(line.split()[1])
            target = target or seen + int(rng.integers(1, 2 * steps_per_epoch))
            if seen >= target:
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert target is not None and seen >= target, "the child ended before it could be killed"
        saved_step, meta = _backup_position(backup_dir)
        assert seen - saved_step <= save_freq  # lost at most save_freq steps
        assert saved_step == meta["epoch"] * steps_per_epoch + meta["step_in_epoch"]
    last_epoch = meta["epoch"]
    done = subprocess.run(args, capture_output=True, env=env, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    with np.load(out) as z:
        weights = [z[f"arr_{i}"] for i in range(4)]
        ref_weights = [z[f"arr_{i}"] for i in range(4, 8)]
        for a, b in zip(weights, ref_weights):
            np.testing.assert_array_equal(a, b)
        assert list(z["resumed_epochs"]) == list(range(last_epoch, epochs))
        np.testing.assert_array_equal(z["val_loss"], z["ref_val_loss"][last_epoch:])
    assert not os.path.exists(os.path.join(backup_dir, "latest.backup"))


def test_mid_epoch_backups_need_array_inputs(tmp_path):
    batches = tl.data.Dataset.from_tensor_slices((X, Y)).batch(20)
    with pytest.raises(ValueError, match="`save_freq` of BackupAndRestore is 2 steps, but `x` is a Dataset of batches"):
        _model().fit(batches, epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path, save_freq=2)])
