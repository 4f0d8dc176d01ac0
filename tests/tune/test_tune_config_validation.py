"""Bad tune configurations and preset settings: each gets a ConfigError/TypeError/ValueError
that names the key, never a Python-internal message; study names cannot leave `directory`."""

from __future__ import annotations

import pathlib

import pytest

from trainlab.tune.config import ConfigError, TuneConfig, load_config
from trainlab.tune.presets import Preset
from trainlab.tune.space import Int, param_from_dict
from trainlab.tune.storage import default_storage_url, study_file_stem
from trainlab.tune.tuner import Tuner

MODEL = {"preset": "mlp"}


@pytest.mark.parametrize("search, match", [
    ({"trials": "10"}, r"`search.trials` must be a positive integer; received '10'"),
    ({"seed": -1}, r"`search.seed` must be an integer >= 0; received -1"),
    ({"max_retry": ""}, r"`search.max_retry` must be an integer >= 0; received '' \(type str\)"),
    ({"study_name": 3.5}, r"`search.study_name` must be a non-empty string; received 3.5"),
    ({"directory": 1.0}, r"`search.directory` must be a non-empty string; received 1.0"),
    ({"heartbeat_interval": 0}, r"`search.heartbeat_interval` must be a positive integer \(>= 1\); received 0"),
    ({"shuffle": "yes"}, r"`search.shuffle` must be true or false; received 'yes'"),
    ({"direction": "up"}, r"`search.direction` must be one of 'maximize', 'minimize'; received 'up'"),
    ({"strategy": {"name": "successive_halving", "units": 3}},
     r"`strategy` 'successive_halving' has no option 'units'. Its options: min_resource, reduction_factor, sampler"),
])
def test_bad_search_values_name_the_key(search, match):
    with pytest.raises(ConfigError, match=match):
        TuneConfig({"model": MODEL, "search": search}, source="t.toml")


@pytest.mark.parametrize("raw, match", [
    ({"model": MODEL, "data": {"scale": float("inf")}}, r"`data.scale` must be a finite number; received inf"),
    ({"model": MODEL, "data": {"train_size": 0}}, r"`data.train_size` must be a positive integer \(>= 1\)"),
    ({"model": MODEL, "search": ["trials"]}, r"t.toml: `search` must be a table \(\[search\] followed by keys\)"),
    ({"model": MODEL, "space": {"lr": {"type": {"a": 1}}}}, r"Unknown parameter type \{'a': 1\} passed as `lr.type`"),
    ({"model": MODEL, "space": {"lr": {"type": "float", "low": 0, "hgh": 1}}},
     r"Search parameter 'lr' of type 'float' has no setting `lr.hgh`. Did you mean \"high\"\?"),
    ({"model": MODEL, "space": {"lr": {"type": "float", "low": 0}}}, r"of type 'float' needs `lr.high`"),
    ({"model": MODEL, "space": {"lr": {"type": "float", "name": "x", "low": 0, "high": 1}}},
     r"has no setting `lr.name`"),
])
def test_bad_data_and_space_name_the_key(raw, match):
    with pytest.raises(ConfigError, match=match):
        TuneConfig(raw, source="t.toml")


def test_non_utf8_file_is_a_config_error(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes(b'[model]\npreset = "ml\xffp"\n')
    with pytest.raises(ConfigError, match=r"c.toml is not UTF-8 text \(byte 20\); TOML files are UTF-8"):
        load_config(path)


@pytest.mark.parametrize("settings, match", [
    ({"units": "relu"}, r"`units` must be an integer >= 1; received 'relu'"),
    ({"layers": 2**31}, r"`layers` must be an integer in \[0, 1,000\]; received 2147483648"),
    ({"dropout": 1.5}, r"`dropout` must be in \[0, 1\); received 1.5"),
    ({"l2": float("inf")}, r"`l2` must be a finite number; received inf"),
    ({"learning_rate": "pbt"}, r"`learning_rate` must be a number > 0; received 'pbt'"),
    ({"units_2": 0}, r"`units_2` must be an integer >= 1; received 0"),
    ({"name": "x"}, r"Preset 'mlp' has no setting `name`"),
    ({"input_shape": (0, 3)}, r"`input_shape` must be a tuple of positive integers"),
])
def test_bad_preset_settings_name_the_setting(settings, match):
    with pytest.raises((TypeError, ValueError), match=match):
        Preset("mlp", **{"input_shape": (4,), "outputs": 3, **settings})


def test_searched_values_are_checked_when_the_model_is_built():
    from trainlab.tune.hyperparameters import HyperParameters

    build = Preset("mlp", input_shape=(4,), outputs=3)
    with pytest.raises(TypeError, match=r"`units` must be an integer >= 1; received 12.5"):
        build(HyperParameters(values={"units": 12.5}))


@pytest.mark.parametrize("kwargs, match", [
    ({"study_name": ""}, r"`study_name` must be a non-empty string"),
    ({"seed": "1"}, r"`seed` must be an integer >= 0; received '1'"),
    ({"max_retry": -1}, r"`max_retry` must be an integer >= 0; received -1"),
    ({"verbose": "loud"}, r"`verbose` must be one of 0, 1, 2; received 'loud'"),
    ({"storage": 5}, r"`storage` must be an Optuna storage URL"),
    ({"grace_period": 1.5}, r"`grace_period` must be a positive integer; received 1.5"),
])
def test_tuner_arguments(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        Tuner(Preset("mlp", input_shape=(4,), outputs=3), **kwargs)


@pytest.mark.parametrize("name", ["../../escape", "/etc/passwd", "..", "a/../../b", "ok-name.v2"])
def test_study_name_cannot_place_files_outside_directory(tmp_path, name):
    url = default_storage_url(tmp_path, name)
    path = pathlib.Path(url.removeprefix("sqlite:///"))
    assert path.parent == tmp_path.resolve() and path.name.endswith(".db") and not path.name.startswith(".")
    assert "/" not in study_file_stem(name)
    tuner = Tuner(Preset("mlp", input_shape=(4,), outputs=3), study_name=name, directory=tmp_path)
    assert tuner.study_name == name  # the study keeps its name inside the storage


def test_int_grid_is_bounded():
    with pytest.raises(ValueError, match=r"Int\('u'\) has 9,223,372,036,854,775,808 values .* too many for a grid"):
        Int("u", 0, 2**63 - 1).grid(5)
    with pytest.raises(ValueError, match=r"`step` of Float\('x'\) must be a positive number; received nan"):
        param_from_dict("x", {"type": "float", "low": 0, "high": 1, "step": float("nan")})


def test_damaged_npz_data_is_a_clean_error(tmp_path):
    import numpy as np

    from trainlab.datasets import DatasetFormatError

    (tmp_path / "d.npz").write_bytes(b"PK\x03\x04 truncated")
    config = TuneConfig({"model": MODEL, "data": {"npz": "d.npz"}}, source="t.toml", base_dir=tmp_path)
    with pytest.raises(DatasetFormatError, match=r"d.npz is not a readable .npz file"):
        config.load_data()
    np.savez(tmp_path / "e.npz", x=np.zeros((4, 2)))
    config = TuneConfig({"model": MODEL, "data": {"npz": "e.npz"}}, source="t.toml", base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"t.toml: \[data\] npz file .*e.npz' needs arrays `x` and `y`; it holds \['x'\]"):
        config.load_data()
