"""`trainlab train --resume`: a stopped run goes on with its saved configuration,
optimizer state and history; a rerun without --resume does not overwrite it."""

import json
import os

import trainlab as tl
from trainlab.callbacks import BackupAndRestore
from trainlab.cli import main

FLAGS = ["--dataset", "digits", "--limit", "200", "--hidden-units", "8", "--batch-size", "32", "--no-autopilot",
         "--quiet"]


def test_train_resume_continues_a_stopped_run_and_extends_a_finished_one(tmp_path, monkeypatch, capsys):
    run_dir = str(tmp_path / "run")
    save = BackupAndRestore.on_epoch_end

    def stop_after_first_epoch(self, epoch, logs=None):
        save(self, epoch, logs)
        if epoch == 0:
            raise KeyboardInterrupt  # Ctrl-C right after the backup of epoch 0

    monkeypatch.setattr(BackupAndRestore, "on_epoch_end", stop_after_first_epoch)
    assert main(["train", *FLAGS, "--epochs", "3", "--run-dir", run_dir]) == 130
    monkeypatch.undo()
    assert os.path.isfile(os.path.join(run_dir, "report.html"))  # Ctrl-C still wrote the report

    assert main(["train", *FLAGS, "--epochs", "3", "--run-dir", run_dir]) == 2
    assert "holds an unfinished run. Pass --resume" in capsys.readouterr().err
    assert main(["train", "--resume"]) == 2
    assert "--resume needs --run-dir" in capsys.readouterr().err
    assert main(["train", "--resume", "--run-dir", str(tmp_path / "empty")]) == 2
    assert "is not the configuration of a `trainlab train` run" in capsys.readouterr().err

    assert main(["train", "--resume", "--run-dir", run_dir, "--quiet"]) == 0
    history = json.loads(open(os.path.join(run_dir, "history.json")).read())
    assert history["epoch"] == [0, 1, 2] and len(history["history"]["val_loss"]) == 3
    steps = -(-int(200 * 0.8) // 32)
    model = tl.models.load_model(os.path.join(run_dir, "checkpoints", "last.trainlab"))
    assert model._restored_train_state["step"] == 3 * steps  # the optimizer went on, not from 0

    # a finished run: --resume with more epochs trains on from last.trainlab
    assert main(["train", "--resume", "--run-dir", run_dir, "--epochs", "4", "--quiet"]) == 0
    history = json.loads(open(os.path.join(run_dir, "history.json")).read())
    assert history["epoch"] == [0, 1, 2, 3]
    model = tl.models.load_model(os.path.join(run_dir, "checkpoints", "last.trainlab"))
    assert model._restored_train_state["step"] == 4 * steps
