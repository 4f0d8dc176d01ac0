"""A study resumes right after `kill -9` of its worker: the dead worker's trial is
failed and queued again at once (no 60 s heartbeat wait), the rerun samples new
configurations, and no configuration is trained twice."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import optuna
import pytest
from optuna.trial import TrialState

from trainlab.tune import recover_dead_trials, resume_seed
from trainlab.tune.recovery import WORKER_ATTR, config_key, pid_alive

WORKER = textwrap.dedent("""
    import sys, time
    import numpy as np
    import trainlab as tl
    from trainlab.tune import Tuner
    storage, directory, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 6)).astype("float32")
    y = np.argmax(x @ rng.normal(size=(6, 3)), 1).astype("int32")
    def build(hp):
        lr = hp.Choice("learning_rate", [0.001, 0.002, 0.005, 0.01, 0.02, 0.05])
        print("building", flush=True)
        time.sleep(delay)  # a slow trial, so that the test can kill the worker in its middle
        m = tl.Sequential([tl.layers.Dense(4, activation="relu"), tl.layers.Dense(3)])
        m.compile(optimizer=tl.optimizers.Adam(lr), loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True))
        return m
    # heartbeat grace period 60 s: only the dead-pid check can free the killed trial in time
    Tuner(build, objective="val_loss", max_trials=4, epochs=1, population=1, storage=storage, study_name="s",
          heartbeat_interval=30, grace_period=60, directory=directory, verbose=0, seed=0
          ).search(x[:90], y[:90], validation_data=(x[90:], y[90:]))
""")

STORAGES = ["sqlite"] + (["postgresql"] if os.environ.get("TRAINLAB_TEST_POSTGRES_URL") else [])


def _storage_url(kind, tmp_path):
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'study.db'}"
    import sqlalchemy

    url = os.environ["TRAINLAB_TEST_POSTGRES_URL"]
    with sqlalchemy.create_engine(url).connect() as c:  # a clean study for this test
        c.execute(sqlalchemy.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        c.commit()
    return url


@pytest.mark.parametrize("kind", STORAGES)
def test_rerun_right_after_kill_9_fails_and_requeues_the_dead_trial_and_draws_new_configs(tmp_path, kind):
    storage = _storage_url(kind, tmp_path)
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    args = [sys.executable, str(script), storage, str(tmp_path / "w")]
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    proc = subprocess.Popen(args + ["1.0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    builds = 0
    for line in proc.stdout:  # the first trial (and the objective check) built; kill during the second
        builds += line.startswith("building")
        if builds == 3:
            break
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    study = optuna.load_study(study_name="s", storage=storage)
    running = [t for t in study.trials if t.state == TrialState.RUNNING]
    assert len(running) == 1 and running[0].system_attrs[WORKER_ATTR]["pid"] == proc.pid
    first_complete = [t.params for t in study.trials if t.state == TrialState.COMPLETE]

    rerun = subprocess.run(args + ["0"], capture_output=True, env=env, text=True, timeout=300)  # at once
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    trials = optuna.load_study(study_name="s", storage=storage).trials
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert len(complete) == 4  # the study is complete: the dead trial did not block the budget
    killed = next(t for t in trials if t.number == running[0].number)
    assert killed.state == TrialState.FAIL
    retried = [t for t in complete if t.system_attrs.get("failed_trial") == killed.number]
    assert len(retried) == 1 and retried[0].params == killed.params  # its configuration ran again
    keys = [config_key(t.params) for t in complete]
    assert len(set(keys)) == 4, keys  # no configuration trained twice, although the first run's seed repeats
    assert all(p in [t.params for t in complete] for p in first_complete)


def test_resume_seed_differs_per_resume_and_keeps_fresh_studies_reproducible():
    assert resume_seed(3, worker=2, n_trials=0) == 3 + 7919 * 2
    seeds = {resume_seed(3, worker=w, n_trials=n) for w in range(3) for n in range(1, 6)}
    assert len(seeds) == 15 and all(0 <= s < 2 ** 31 - 1 for s in seeds)


def test_recover_dead_trials_leaves_live_and_foreign_workers_alone(tmp_path):
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 'db.sqlite'}", study_name="r")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    assert not pid_alive(dead_pid) and pid_alive(os.getpid())
    import socket

    owners = {"dead": {"host": socket.gethostname(), "pid": dead_pid},
              "alive": {"host": socket.gethostname(), "pid": os.getppid()},
              "other host": {"host": "elsewhere.invalid", "pid": dead_pid}}
    numbers = {}
    for name, owner in owners.items():
        trial = study.ask({"x": optuna.distributions.FloatDistribution(0, 1)})
        study._storage.set_trial_system_attr(trial._trial_id, WORKER_ATTR, owner)
        numbers[name] = trial.number
    assert recover_dead_trials(study, max_retry=2) == [numbers["dead"]]
    states = {t.number: t.state for t in study.trials}
    assert states[numbers["dead"]] == TrialState.FAIL
    assert states[numbers["alive"]] == states[numbers["other host"]] == TrialState.RUNNING
    waiting = [t for t in study.trials if t.state == TrialState.WAITING]
    assert len(waiting) == 1 and waiting[0].system_attrs["failed_trial"] == numbers["dead"]
    assert json.dumps(waiting[0].params) == json.dumps(study.trials[numbers["dead"]].params)
    assert recover_dead_trials(study, max_retry=2) == []  # done once
