"""Worker processes: a killed worker's study resumes; two workers share a PostgreSQL study; the CLI."""

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState

WORKER = textwrap.dedent("""
    import sys, time
    import numpy as np
    import trainlab as tl
    from trainlab.tune import Tuner
    storage, study, trials, worker, delay = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 6)).astype("float32")
    y = np.argmax(x @ rng.normal(size=(6, 3)), 1).astype("int32")
    def build(hp):
        lr = hp.Float("learning_rate", 1e-3, 1e-1, log=True)
        time.sleep(delay)  # a slow trial, so that the test can stop the worker in the middle
        m = tl.Sequential([tl.layers.Dense(8, activation="relu"), tl.layers.Dense(3)])
        m.compile(optimizer=tl.optimizers.Adam(lr), loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True))
        return m
    Tuner(build, objective="val_loss", max_trials=trials, epochs=1, population=1, storage=storage, study_name=study,
          worker=worker, heartbeat_interval=1, grace_period=3, directory=sys.argv[6], verbose=0
          ).search(x[:120], y[:120], validation_data=(x[120:], y[120:]))
""")


def _worker(tmp_path, storage, study, trials, worker, delay):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    return subprocess.Popen([sys.executable, str(script), storage, study, str(trials), str(worker), str(delay),
                             str(tmp_path / f"w{worker}")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_killed_worker_study_resumes_without_losing_finished_trials(tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    proc = _worker(tmp_path, storage, "kill", 4, 0, 0.6)
    deadline = time.time() + 120
    done = []
    try:
        while time.time() < deadline:
            time.sleep(0.3)
            try:
                trials = optuna.load_study(study_name="kill", storage=storage).trials
            except Exception:  # the worker has not created the study yet
                continue
            done = [t for t in trials if t.state == TrialState.COMPLETE]
            if len(done) >= 2 and any(t.state == TrialState.RUNNING for t in trials):
                break
            assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert len(done) >= 2, "the worker did not finish two trials in time"
    before = {t.number: (t.value, t.params) for t in optuna.load_study(study_name="kill", storage=storage).trials
              if t.state == TrialState.COMPLETE}
    time.sleep(3.5)  # the killed worker's running trial goes stale (grace period 3 s)
    resume = _worker(tmp_path, storage, "kill", 4, 1, 0.0)
    out, err = resume.communicate(timeout=180)
    assert resume.returncode == 0, err.decode()[-2000:]
    trials = optuna.load_study(study_name="kill", storage=storage).trials
    complete = {t.number: (t.value, t.params) for t in trials if t.state == TrialState.COMPLETE}
    assert {n: complete[n] for n in before} == before  # nothing finished was lost or redone
    stale = [t for t in trials if t.state == TrialState.FAIL]
    assert len(stale) == 1
    retried = [t for t in trials if t.system_attrs.get("failed_trial") == stale[0].number]
    assert len(retried) == 1 and retried[0].state == TrialState.COMPLETE
    assert retried[0].params == stale[0].params  # the interrupted configuration ran again
    assert len(complete) == 4


def _postgres_url():
    return os.environ.get("TRAINLAB_TEST_POSTGRES_URL", "postgresql://trainlab:trainlab@localhost:5432/trainlab_test")


def _postgres_reachable(url):
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return None
    except Exception as exc:  # no server, no role, no driver
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def test_two_workers_share_one_study_on_postgresql(tmp_path):
    url = _postgres_url()
    problem = _postgres_reachable(url)
    if problem:
        if os.environ.get("CI") or "TRAINLAB_TEST_POSTGRES_URL" in os.environ:
            pytest.fail(f"CI (or TRAINLAB_TEST_POSTGRES_URL) must provide PostgreSQL at {url} (.ci/run starts it): {problem}")
        pytest.skip(f"no PostgreSQL server reachable at {url} ({problem}); .ci/run starts one, or set "
                    f"TRAINLAB_TEST_POSTGRES_URL")
    name = f"two-workers-{uuid.uuid4().hex[:8]}"
    procs = [_worker(tmp_path, url, name, 6, i, 0.3) for i in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err.decode()[-2000:]
    trials = optuna.load_study(study_name=name, storage=url).trials
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert 6 <= len(complete) <= 7  # at most one extra trial when both ask at the same moment
    assert len({t.number for t in trials}) == len(trials)
    assert len({t.user_attrs["info"]["worker"] for t in complete}) == 2  # both workers trained trials
    # different workers draw different configurations
    assert len({t.params["learning_rate"] for t in complete}) == len(complete)
    optuna.delete_study(study_name=name, storage=url)


def test_cli_tune_with_config_file(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6)).astype("float32")
    np.savez(tmp_path / "d.npz", x=x, y=np.argmax(x @ rng.normal(size=(6, 3)), 1).astype("int32"))
    (tmp_path / "c.toml").write_text(textwrap.dedent("""
        [data]
        npz = "d.npz"
        validation_size = 50
        [model]
        preset = "mlp"
        units = 8
        [search]
        objective = "val_accuracy"
        trials = 2
        epochs = 1
        study_name = "cli"
        directory = "out"
        [space]
        learning_rate = { type = "float", low = 1e-3, high = 1e-1, log = true }
        dropout = { type = "float", low = 0.0, high = 0.3 }
    """))
    from trainlab.cli import main

    # two worker processes share the default SQLite study; the parent prints the summary and writes the report
    assert main(["tune", str(tmp_path / "c.toml"), "--trials", "4", "--workers", "2", "--quiet"]) == 0
    study = optuna.load_study(study_name="cli", storage=f"sqlite:///{tmp_path / 'out' / 'cli.db'}")
    assert [t.state for t in study.trials][:4] == [TrialState.COMPLETE] * 4 and len(study.trials) <= 5
    assert {"learning_rate", "dropout"} == set(study.trials[0].params)
    assert (tmp_path / "out" / "cli-report.html").exists()
    (tmp_path / "bad.toml").write_text("[search]\ntrails = 3\n[model]\npreset='mlp'\n[data]\nnpz='d.npz'\n")
    assert main(["tune", str(tmp_path / "bad.toml")]) == 2
    assert main(["tune", str(tmp_path / "c.toml"), "--storage", "postgresql://u:p@127.0.0.1:9/x", "--quiet"]) == 2


def test_cli_config_errors_name_the_problem(tmp_path):
    from trainlab.tune.config import ConfigError, TuneConfig

    with pytest.raises(ConfigError, match=r"unknown key 'trails' in \[search\]. Did you mean \"trials\"\?"):
        TuneConfig({"search": {"trails": 3}, "model": {"preset": "mlp"}})
    with pytest.raises(ConfigError, match=r"\[space\]: Float\('lr'\) with `log=True` needs `low` > 0"):
        TuneConfig({"model": {"preset": "mlp"}, "space": {"lr": {"type": "float", "low": 0, "high": 1, "log": True}}})
    with pytest.raises(ConfigError, match=r"\[model\] needs `preset`"):
        TuneConfig({"model": {}})


def test_example_configuration_is_valid():
    import pathlib

    from trainlab.tune.config import load_config
    from trainlab.tune.space import Float

    config = load_config(pathlib.Path(__file__).resolve().parents[2] / "examples" / "tune_fashion_mnist.toml")
    assert config.space["learning_rate"] == Float("learning_rate", 1e-4, 1e-1, log=True)
    assert config.tuner_kwargs()["max_trials"] == 16


def test_workers_share_out_the_cores_and_pass_settings_on(monkeypatch, tmp_path):
    import argparse

    from trainlab.tune import cli as tune_cli

    monkeypatch.setattr("trainlab.tune.executor.cpu_cores", lambda: 8)
    monkeypatch.setattr("jax.default_backend", lambda: "cpu")
    assert [tune_cli.default_concurrency(k) for k in (1, 2, 3, 16)] == [8, 4, 2, 1]
    monkeypatch.setattr("jax.default_backend", lambda: "gpu")
    assert tune_cli.default_concurrency(2) is None  # the executor's own default (one program) on a GPU
    args = argparse.Namespace(config=str(tmp_path / "c.toml"), strategy="tpe", epochs=None, seed=3, quiet=True)
    tuner = argparse.Namespace(storage_url="sqlite:///s.db", study_name="st", max_trials=9)
    cmd = tune_cli.worker_command(args, tuner, 1, 4)
    assert cmd[1:5] == ["-m", "trainlab", "tune", str(tmp_path / "c.toml")]
    flags = {flag: cmd[i + 1] for i, flag in enumerate(cmd[:-1]) if flag.startswith("--") and
             not cmd[i + 1].startswith("--")}
    assert flags["--worker-index"] == "1" and flags["--trials"] == "9"
    # the storage URL (it may hold a password) travels in the environment, never on the command line
    assert "--storage" not in cmd and not any("s.db" in part for part in cmd)
    assert tune_cli.worker_env(tuner)[tune_cli.STORAGE_ENV] == "sqlite:///s.db"
    assert flags["--strategy"] == "tpe" and flags["--seed"] == "3" and flags["--concurrent-programs"] == "4"
    assert "--epochs" not in cmd and "--child" in cmd and "--no-report" in cmd and cmd[-1] == "--quiet"
