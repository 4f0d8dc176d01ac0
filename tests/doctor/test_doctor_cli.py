"""`trainlab train / doctor / lr-find / report`: help, exit codes, config errors."""

import json
import os

import pytest

from trainlab.cli import build_parser, main
from trainlab.doctor.config import ConfigError, load_config, parse_assignment, validate_config


@pytest.mark.parametrize("command", ["train", "doctor", "lr-find", "report", "demo"])
def test_help_everywhere(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: trainlab {command}")
    if command != "demo":
        assert "exit codes" in out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "train" in capsys.readouterr().out


# ---------------------------------------------------------------- config errors
def test_toml_unknown_key_reports_path_and_valid_keys(tmp_path, capsys):
    cfg = tmp_path / "run.toml"
    cfg.write_text("[training]\nepochs = 2\nbatchsize = 16\n")
    assert main(["train", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "Unknown key `training.batchsize` in run.toml. Did you mean \"batch_size\"?" in err
    assert "Valid keys in [training]: autopilot, batch_size, early_stopping_patience, epochs, seed" in err


def test_toml_unknown_section_and_bad_values(tmp_path):
    with pytest.raises(ConfigError, match=r"Unknown section `\[trainin\]` in x.toml. Did you mean \"training\"\?"):
        validate_config({"trainin": {"epochs": 1}}, "x.toml")
    with pytest.raises(ConfigError, match=r"`optimizer.name` must be one of 'sgd', 'adam'.*received 'adamm'. Did you mean \"adam\"\?"):
        validate_config({"optimizer": {"name": "adamm"}})
    with pytest.raises(ConfigError, match=r"`training.epochs` must be an integer >= 1; received 'ten'"):
        validate_config({"training": {"epochs": "ten"}})
    with pytest.raises(ConfigError, match=r"`data.validation_split` must be a number in \(0, 1\); received 1.5"):
        validate_config({"data": {"validation_split": 1.5}})
    with pytest.raises(ConfigError, match=r"`model.hidden_units` must be a list of positive integers"):
        validate_config({"model": {"hidden_units": [128, -1]}})
    bad = tmp_path / "bad.toml"
    bad.write_text("[training\nepochs=")
    with pytest.raises(ConfigError, match=r"is not valid TOML"):
        load_config(str(bad))
    with pytest.raises(ConfigError, match=r"Config file `--config` '.*missing.toml' does not exist"):
        load_config(str(tmp_path / "missing.toml"))


def test_config_precedence_file_then_flags_then_set(tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text('[optimizer]\nname = "sgd"\nlearning_rate = 0.1\n[training]\nepochs = 4\n')
    out = load_config(str(cfg), {"training": {"epochs": 7}}, ["optimizer.learning_rate=0.01", "model.hidden_units=[16, 8]"])
    assert out["optimizer"] == {"name": "sgd", "learning_rate": 0.01, "momentum": None, "clipnorm": None}
    assert out["training"]["epochs"] == 7 and out["model"]["hidden_units"] == [16, 8]
    assert parse_assignment("data.dataset=mnist") == ("data", "dataset", "mnist")
    with pytest.raises(ConfigError, match=r"`--set` expects section.key=value"):
        parse_assignment("epochs=3")


def test_bad_flag_value_and_missing_layer(capsys):
    assert main(["train", "--optimizer", "adamm", "--quiet"]) == 2
    assert "`optimizer.name` must be one of" in capsys.readouterr().err
    assert main(["train", "--model", "cnn", "--dataset", "california_housing", "--quiet"]) == 2
    assert "`model.preset` 'cnn' needs image data" in capsys.readouterr().err


def test_cnn_preset_with_augmentation_trains(tmp_path):
    """`--model cnn` builds the peers' Conv-Pool-Conv-Pool stack; [augmentation] keys become layers."""
    import trainlab as tl
    from trainlab.doctor._build import build_model, load_data
    from trainlab.doctor.config import validate_config

    cfg = validate_config({"data": {"dataset": "digits", "limit": 200}, "model": {"preset": "cnn", "hidden_units": [16]},
                           "augmentation": {"random_flip": "horizontal", "random_translation": 0.1}})
    model = build_model(cfg, load_data(cfg))
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds[:3] == ["Reshape", "RandomFlip", "RandomTranslation"]  # channel axis first, then augmentation
    assert kinds.count("Conv2D") == 2 and kinds.count("MaxPooling2D") == 2
    run_dir = str(tmp_path / "cnn")
    code = main(["train", "--model", "cnn", "--dataset", "digits", "--limit", "200", "--epochs", "1",
                 "--random-flip", "horizontal", "--run-dir", run_dir, "--quiet"])
    assert code == 0
    saved = tl.models.load_model(os.path.join(run_dir, "model.trainlab"))
    assert [type(layer).__name__ for layer in saved.layers].count("Conv2D") == 2


# ---------------------------------------------------------------- real commands
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run_dir = str(tmp_path_factory.mktemp("cli") / "run")
    cfg = tmp_path_factory.mktemp("cfg") / "run.toml"
    cfg.write_text('[data]\ndataset = "digits"\nlimit = 400\n[model]\nhidden_units = [16]\n'
                   '[training]\nepochs = 4\nbatch_size = 32\n')
    code = main(["train", "--config", str(cfg), "--run-dir", run_dir, "--quiet"])
    return code, run_dir


def test_train_writes_a_run_directory(trained):
    code, run_dir = trained
    assert code == 0
    for name in ("config.json", "history.csv", "history.json", "report.html", "model.trainlab", "test.json"):
        assert os.path.isfile(os.path.join(run_dir, name)), name
    config = json.load(open(os.path.join(run_dir, "config.json")))
    assert config["run"]["data"]["limit"] == 400 and config["run"]["training"]["epochs"] == 4
    assert 0.0 <= json.load(open(os.path.join(run_dir, "test.json")))["accuracy"] <= 1.0


def test_doctor_command_exit_codes(trained, capsys):
    _, run_dir = trained
    assert main(["doctor", run_dir, "--fail-on", "never"]) == 0
    text = capsys.readouterr().out
    # four short epochs (fewer are too little to judge): still falling -> more epochs or a larger learning rate
    assert "not_converged" in text or "learning_rate_too_low" in text
    assert main(["doctor", run_dir, "--fail-on", "warning"]) == 1
    capsys.readouterr()
    assert main(["doctor", run_dir, "--json", "--recompute", "--fail-on", "critical"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["severity"] == "warning" and data[0]["suggestion"]
    assert data[0]["code"] in ("not_converged", "learning_rate_too_low")


def test_doctor_and_report_on_bad_run_dirs(tmp_path, capsys):
    assert main(["doctor", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "half").mkdir()
    assert main(["report", str(tmp_path / "half")]) == 2
    assert "is incomplete: missing config.json, history.json" in capsys.readouterr().err


def test_report_command(trained, capsys):
    _, run_dir = trained
    os.remove(os.path.join(run_dir, "report.html"))
    assert main(["report", run_dir]) == 0
    assert os.path.isfile(os.path.join(run_dir, "report.html"))


def test_lr_find_command(tmp_path, capsys):
    plot = tmp_path / "lr.png"
    code = main(["lr-find", "--dataset", "digits", "--limit", "400", "--hidden-units", "16", "--steps", "60",
                 "--plot", str(plot), "--quiet", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == (0 if out["suggestion"] is not None else 1)
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert main(["lr-find", "--start-lr", "1", "--end-lr", "0.1", "--quiet"]) == 2
    assert "start_lr" in capsys.readouterr().err


def test_commands_registered_in_parser():
    parser = build_parser()
    sub = [a for a in parser._actions if a.dest == "command"][0]
    assert {"train", "doctor", "lr-find", "report", "demo"} <= set(sub.choices)


@pytest.mark.parametrize("section, key", [("optimizer", "clipnorm"), ("regularization", "l2"),
                                          ("optimizer", "learning_rate"), ("schedule", "decay_rate")])
def test_toml_infinite_values_are_refused(tmp_path, section, key):
    path = tmp_path / "run.toml"
    path.write_text(f"[{section}]\n{key} = inf\n")
    with pytest.raises(ConfigError, match=rf"`{section}.{key}` must be a number in [\[(]0, inf\); received inf"):
        load_config(str(path))


def test_non_utf8_config_and_bad_model_file_exit_2(tmp_path, capsys):
    from trainlab.cli import main

    path = tmp_path / "run.toml"
    path.write_bytes(b"[training]\nepochs = 1 # \xff\n")
    assert main(["train", "--config", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("trainlab: error: Config file") and "is not UTF-8 text (byte 24)" in err
    assert "\n" not in err  # one line, no traceback
    (tmp_path / "not-a-model.trainlab").write_text("hello")
    assert main(["train", "--dataset", "digits", "--model-file", str(tmp_path / "not-a-model.trainlab"),
                 "--epochs", "1", "--quiet", "--run-dir", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("trainlab: error: `model.file`") and "could not be read" in err and "\n" not in err
    assert main(["train", "--dataset", "digits", "--epochs", "1", "--quiet", "--run-dir", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"trainlab: error: `run.dir` {str(path)!r} is an existing file, not a folder; pass another --run-dir."
