"""The Tuner: search, results, best model, strategies, bad input, storage errors."""

import json

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState

import trainlab as tl
from trainlab import layers
from trainlab.tune import Choice, Float, Preset, StorageUnreachableError, Tuner


def _data(n=160, d=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n + 64, d)).astype("float32")
    y = np.argmax(x @ rng.normal(size=(d, k)), axis=1).astype("int32")
    return x[:n], y[:n], x[n:], y[n:]


def build(hp):
    lr = hp.Float("learning_rate", 1e-3, 3e-1, log=True)
    model = tl.Sequential([layers.Dense(8, activation="relu"), layers.Dense(3)])
    model.compile(optimizer=tl.optimizers.Adam(lr), metrics=["accuracy"],
                  loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_search_results_leaderboard_best_model_and_report(tmp_path):
    x, y, vx, vy = _data()
    tuner = Tuner(build, objective="val_accuracy", max_trials=4, epochs=2, batch_size=16, directory=tmp_path,
                  verbose=0)
    tuner.search(x, y, validation_data=(vx, vy))
    trials = tuner.study.get_trials()
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 4
    # the four trials trained as one population: on CPU two programs of two members at a time, each epoch
    assert tuner.last_executor.chunk_sizes == [2, 2, 2, 2]
    values = [t.value for t in trials]
    assert tuner.best_value == max(values)
    assert tuner.best_config == tuner.best_trial.params
    board = tuner.leaderboard()
    assert list(board["val_accuracy"]) == sorted(values, reverse=True)
    assert set(board.columns) >= {"number", "state", "val_accuracy", "epochs", "param_learning_rate"}
    # every epoch is an Optuna intermediate value (curves in optuna-dashboard)
    for t in trials:
        assert sorted(t.intermediate_values) == [1, 2]
        assert t.intermediate_values[2] == t.user_attrs["history"]["val_accuracy"][-1]
        # score="best" (Keras Tuner): a trial's value is its best epoch
        assert t.value == max(t.user_attrs["history"]["val_accuracy"])
        assert t.value == t.intermediate_values[t.user_attrs["info"]["best_epoch"]]
    # the best model is the trained best trial: same validation accuracy
    model = tuner.best_model()
    acc = model.evaluate(vx, vy, verbose=0, return_dict=True)["accuracy"]
    assert acc == pytest.approx(tuner.best_value, abs=1e-6)
    # without the weights file, the configuration is trained again with the trial's seed: same weights
    import os

    os.remove(tuner.best_trial.user_attrs["info"]["weights"])
    again = tuner.best_model()
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # importance: one varying parameter
    assert tuner.importance() == {"learning_rate": 1.0}
    path = tuner.report(tmp_path / "r.html")
    text = path.read_text()
    assert text.count("data:image/png;base64,") >= 3  # curves, importance, objective vs learning_rate
    assert "Leaderboard" in text and "learning_rate" in text
    # the default storage is a SQLite file that Optuna (and optuna-dashboard) open directly
    study = optuna.load_study(study_name="trainlab", storage=f"sqlite:///{tmp_path / 'trainlab.db'}")
    assert len(study.trials) == 4
    # ... and optuna-dashboard serves it: the study, its trials and their per-epoch curves
    dashboard = _dashboard_get(f"sqlite:///{tmp_path / 'trainlab.db'}")
    (summary,) = dashboard("/api/studies")["study_summaries"]
    assert summary["study_name"] == "trainlab" and summary["directions"] == ["maximize"]
    detail = dashboard(f"/api/studies/{summary['study_id']}")
    assert len(detail["trials"]) == 4
    assert [p["step"] for p in detail["trials"][0]["intermediate_values"]] == [1, 2]


def _dashboard_get(storage):
    import json as _json
    from wsgiref.util import setup_testing_defaults

    import optuna_dashboard

    app = optuna_dashboard.wsgi(storage)

    def get(path):
        env = {}
        setup_testing_defaults(env)
        env.update(PATH_INFO=path, REQUEST_METHOD="GET")
        status = {}
        body = b"".join(app(env, lambda s, h, exc_info=None: status.setdefault("s", s)))
        assert status["s"] == "200 OK", body[:500]
        return _json.loads(body)

    return get


def test_a_study_resumes_without_losing_finished_trials(tmp_path):
    x, y, vx, vy = _data()
    first = Tuner(build, objective="val_loss", max_trials=2, epochs=1, directory=tmp_path, verbose=0)
    first.search(x, y, validation_data=(vx, vy))
    before = {t.number: t.value for t in first.study.trials}
    again = Tuner(build, objective="val_loss", max_trials=3, epochs=1, directory=tmp_path, verbose=0)
    again.search(x, y, validation_data=(vx, vy))
    trials = again.study.trials
    assert len(trials) == 3 and all(t.state == TrialState.COMPLETE for t in trials)
    assert {t.number: t.value for t in trials if t.number in before} == before
    with pytest.raises(ValueError, match=r"`direction` is 'maximize', but the existing study 'trainlab'.*minimize"):
        Tuner(build, objective="val_loss", direction="maximize", directory=tmp_path).study


def test_objective_not_in_history(tmp_path):
    x, y, vx, vy = _data()
    tuner = Tuner(build, objective="val_acc", directory=tmp_path, verbose=0)
    with pytest.raises(ValueError, match=r"`objective` 'val_acc' is not recorded in the history.*recorded: loss, "
                                         r"accuracy, val_loss, val_accuracy. Did you mean \"val_accuracy\"\?"):
        tuner.search(x, y, validation_data=(vx, vy))
    tuner = Tuner(build, objective="val_accuracy", directory=tmp_path / "b", verbose=0)
    with pytest.raises(ValueError, match=r"Pass `validation_data`"):
        tuner.search(x, y)
    assert not (tmp_path / "b" / "trainlab.db").exists() or not tuner.study.trials  # no trial was created


def test_unknown_strategy_in_tuner(tmp_path):
    with pytest.raises(ValueError, match=r"Unknown strategy 'bayes' passed as `strategy`.*Expected one of:.*tpe"):
        Tuner(build, strategy="bayes", directory=tmp_path)


def test_trial_that_raises_is_recorded_failed_and_study_goes_on(tmp_path):
    x, y, vx, vy = _data()

    def flaky(hp):
        units = hp.get("units")
        lr = hp.Float("learning_rate", 1e-3, 1e-1, log=True)
        if units == 4:
            raise ValueError("units=4 is not supported by this build")
        model = tl.Sequential([layers.Dense(units, activation="relu"), layers.Dense(3)])
        model.compile(optimizer=tl.optimizers.SGD(lr), loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    tuner = Tuner(flaky, objective="val_loss", max_trials=8, epochs=1, directory=tmp_path, verbose=0, seed=1,
                  space=[Choice("units", [4, 8])])
    with pytest.raises(ValueError, match="units=4"):  # the objective probe uses defaults: units=4 raises at once
        tuner.search(x, y, validation_data=(vx, vy))
    tuner = Tuner(flaky, objective="val_loss", max_trials=8, epochs=1, directory=tmp_path / "b", verbose=0, seed=1,
                  space=[Choice("units", [8, 4])])
    tuner.search(x, y, validation_data=(vx, vy))
    trials = tuner.study.trials
    failed = [t for t in trials if t.state == TrialState.FAIL]
    done = [t for t in trials if t.state == TrialState.COMPLETE]
    assert failed and done and len(trials) == 8
    assert all(t.params["units"] == 4 for t in failed) and all(t.params["units"] == 8 for t in done)
    assert all(t.user_attrs["error"] == "ValueError: units=4 is not supported by this build" for t in failed)
    board = tuner.leaderboard()
    assert list(board["state"][: len(done)]) == ["COMPLETE"] * len(done)
    assert board["error"].iloc[-1].startswith("ValueError")


def test_unreachable_storage_is_a_clear_error_and_loses_nothing(tmp_path):
    x, y, vx, vy = _data()
    url = "postgresql://someone:secret@127.0.0.1:9/nodb"
    tuner = Tuner(build, objective="val_loss", storage=url, directory=tmp_path, verbose=0)
    with pytest.raises(StorageUnreachableError, match=r"`storage` 'postgresql://someone:\*\*\*@127.0.0.1:9/nodb' "
                                                      r"could not be reached: .*Nothing was trained"):
        tuner.search(x, y, validation_data=(vx, vy))
    with pytest.raises(ValueError, match=r"`storage` must be a database URL"):
        Tuner(build, storage="tune.db", directory=tmp_path).study


def test_results_that_cannot_be_written_are_kept_and_replayed(tmp_path, monkeypatch):
    import sqlalchemy.exc

    x, y, vx, vy = _data()
    tuner = Tuner(build, objective="val_loss", max_trials=2, epochs=1, directory=tmp_path, verbose=0)
    study = tuner.study
    real_tell = study.tell

    def down(*args, **kwargs):
        raise sqlalchemy.exc.OperationalError("UPDATE trials", {}, Exception("server closed the connection"))

    monkeypatch.setattr(study, "tell", down)
    monkeypatch.setattr("trainlab.tune.storage.time.sleep", lambda s: None)
    with pytest.raises(StorageUnreachableError, match=r"2 finished trial result\(s\) could not be written.*kept in"):
        tuner.search(x, y, validation_data=(vx, vy))
    pending = tmp_path / "trainlab.pending.jsonl"
    records = [json.loads(line) for line in pending.read_text().splitlines()]
    assert [r["state"] for r in records] == ["COMPLETE", "COMPLETE"]
    monkeypatch.setattr(study, "tell", real_tell)
    tuner.search(x, y, validation_data=(vx, vy))  # storage back: pending results are written first
    trials = tuner.study.get_trials()
    assert not pending.exists()
    assert sorted(t.value for t in trials) == sorted(r["value"] for r in records)
    assert all(t.state == TrialState.COMPLETE for t in trials) and len(trials) == 2


@pytest.mark.parametrize("strategy", ["grid", "tpe", "hyperband"])
def test_other_strategies_run(tmp_path, strategy):
    x, y, vx, vy = _data()
    options = {"grid": {"name": "grid", "points": 3}, "tpe": {"name": "tpe", "n_startup_trials": 2},
               "hyperband": {"name": "hyperband", "reduction_factor": 2}}[strategy]
    tuner = Tuner(build, objective="val_loss", strategy=options, max_trials=3 if strategy != "hyperband" else 4,
                  epochs=2, directory=tmp_path, verbose=0)
    tuner.search(x, y, validation_data=(vx, vy))
    trials = tuner.study.trials
    if strategy == "grid":
        assert sorted(t.params["learning_rate"] for t in trials) == pytest.approx([1e-3, 0.0173205, 0.3], rel=1e-4)
    if strategy == "tpe":
        assert len(trials) == 3 and tuner.last_executor.chunk_sizes[:2] == [2, 2]  # startup population, then 1
    if strategy == "hyperband":
        brackets = {t.user_attrs["info"]["bracket"] for t in trials}
        assert brackets == {0, 1}  # bracket 0 compares after epoch 1, bracket 1 never stops early
        assert [t.state for t in trials if t.user_attrs["info"]["bracket"] == 0].count(TrialState.PRUNED) == 1
        assert all(t.state == TrialState.COMPLETE for t in trials if t.user_attrs["info"]["bracket"] == 1)


def test_population_based_training_exploits_and_explores(tmp_path):
    x, y, vx, vy = _data()
    tuner = Tuner(Preset("mlp", input_shape=(6,), outputs=3, units=8), space=[Float("learning_rate", 1e-4, 3e-1, log=True)],
                  objective="val_loss", strategy={"name": "pbt", "fraction": 0.5, "resample_probability": 0.0},
                  max_trials=4, epochs=3, directory=tmp_path, verbose=0, seed=2, concurrent_programs=1)
    tuner.search(x, y, validation_data=(vx, vy))
    trials = tuner.study.trials
    assert tuner.last_executor.concurrency() == 1  # one program at a time, as asked
    assert tuner.last_executor.chunk_sizes == [2, 2] * 3  # four members in chunks of two, three epochs
    changed = [t for t in trials if t.user_attrs["info"].get("pbt")]
    assert len(changed) >= 2  # the worst half copied the best half at epochs 1 and 2
    for t in changed:
        log = t.user_attrs["info"]["pbt"]
        parent = next(p for p in trials if p.number == log[0]["parent"])
        ratio = log[0]["config"]["learning_rate"] / parent.params["learning_rate"]
        assert ratio == pytest.approx(0.8) or ratio == pytest.approx(1.2) or log[0]["epoch"] == 2
        assert t.user_attrs["config"] == log[-1]["config"]
    # exploit copied weights: right after the copy, the child continues from the parent's validation loss level
    assert tuner.best_config["learning_rate"] > 0


class _StopFastTrials(tl.callbacks.Callback):
    """Stops a trial after its first epoch when its learning rate is above 0.03."""

    def on_epoch_end(self, epoch, logs=None):
        if float(self.model.optimizer.learning_rate) > 0.03:
            self.model.stop_training = True


class _FreezeAfterFirstEpoch(tl.callbacks.Callback):
    """Sets the learning rate to 0 after epoch 1 (as ReduceLROnPlateau changes it)."""

    def on_epoch_end(self, epoch, logs=None):
        self.model.optimizer.learning_rate = 0.0


def test_search_callbacks_act_on_each_trial_and_hypermodel_builds_best_hp(tmp_path):
    x, y, vx, vy = _data()
    stopper = _StopFastTrials()
    tuner = Tuner(build, objective="val_loss", max_trials=4, epochs=3, batch_size=16, directory=tmp_path,
                  verbose=0)
    tuner.search(x, y, validation_data=(vx, vy), callbacks=[stopper, _FreezeAfterFirstEpoch()])
    trials = tuner.study.get_trials()
    assert {t.state for t in trials} == {TrialState.COMPLETE}
    for t in trials:
        hist = t.user_attrs["history"]["val_loss"]
        # EarlyStopping-style stops end only that trial; the others run all epochs
        assert len(hist) == (1 if t.params["learning_rate"] > 0.03 else 3)
        if len(hist) == 3:  # learning rate 0 from epoch 2 on: the weights no longer move
            assert hist[1] == pytest.approx(hist[2], abs=1e-7)
    assert any(len(t.user_attrs["history"]["val_loss"]) == 3 for t in trials)
    assert stopper.model is None  # each trial had its own copy, as in Keras Tuner
    best_hp = tuner.get_best_hyperparameters()[0]
    assert best_hp.values == tuner.best_config and best_hp["learning_rate"] == tuner.best_config["learning_rate"]
    model = tuner.hypermodel.build(best_hp)
    assert model.compiled and float(model.optimizer.learning_rate) == pytest.approx(best_hp["learning_rate"])
    with pytest.raises(TypeError, match=r"`hp` must be HyperParameters"):
        tuner.hypermodel.build([0.1])
    with pytest.raises(TypeError, match=r"Every entry of `callbacks` must be a tl.callbacks.Callback"):
        tuner.search(x, y, validation_data=(vx, vy), callbacks=["early_stopping"])

