"""Run configuration for ``trainlab train`` / ``trainlab lr-find``: TOML file,
flags and ``--set section.key=value`` overrides, validated key by key.

A bad key or value is reported with its path and the valid choices::

    Unknown key `training.epoch` in run.toml. Did you mean "epochs"?
    Valid keys in [training]: autopilot, batch_size, early_stopping_patience, epochs, seed

Example file::

    [data]
    dataset = "fashion_mnist"
    limit = 10000

    [model]
    preset = "mlp"
    hidden_units = [128]

    [optimizer]
    name = "adam"
    learning_rate = 1e-3

    [training]
    epochs = 10
    batch_size = 64

    [run]
    dir = "runs/fmnist"
"""

from __future__ import annotations

import copy
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from typing import Any

from .._validation import did_you_mean

__all__ = ["ConfigError", "DEFAULTS", "SCHEMA", "load_config", "validate_config", "parse_assignment"]


class ConfigError(ValueError):
    """A bad configuration key or value (the CLI exits with code 2)."""


DATASETS = ["digits", "mnist", "fashion_mnist", "cifar10", "cifar100", "california_housing"]
PRESETS = ["mlp", "linear", "cnn"]
OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam"]
SCHEDULES = ["none", "exponential_decay", "cosine_decay", "inverse_time_decay"]
ACTIVATIONS = ["relu", "tanh", "sigmoid", "elu", "selu", "gelu", "swish", "leaky_relu", "linear"]
INITIALIZERS = ["auto", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal", "random_normal"]
FLIPS = ["none", "horizontal", "vertical", "horizontal_and_vertical"]


# ------------------------------------------------------------------ value checks
def _choice(options: list[str]) -> Callable[[str, Any], Any]:
    def check(path: str, v: Any) -> Any:
        if not isinstance(v, str) or v not in options:
            hint = did_you_mean(v, options) if isinstance(v, str) else ""
            raise ConfigError(f"`{path}` must be one of {', '.join(repr(o) for o in options)}; received {v!r}.{hint}")
        return v
    return check


def _int(lo: int = 0, optional: bool = False) -> Callable[[str, Any], Any]:
    def check(path: str, v: Any) -> Any:
        if optional and v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ConfigError(f"`{path}` must be an integer >= {lo}; received {v!r}.")
        return v
    return check


def _float(lo: float = 0.0, hi: float | None = None, low_open: bool = False, optional: bool = False) -> Callable[[str, Any], Any]:
    def check(path: str, v: Any) -> Any:
        if optional and v is None:
            return None
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        if ok:
            v = float(v)  # inf and nan are refused: no bound is open at infinity
            ok = math.isfinite(v) and (v > lo if low_open else v >= lo) and (hi is None or v < hi)
        if not ok:
            rng = f"{'(' if low_open else '['}{lo:g}, {'inf' if hi is None else f'{hi:g}'})"
            raise ConfigError(f"`{path}` must be a number in {rng}; received {v!r}.")
        return v
    return check


def _bool(path: str, v: Any) -> Any:
    if not isinstance(v, bool):
        raise ConfigError(f"`{path}` must be true or false; received {v!r}.")
    return v


def _str(optional: bool = True) -> Callable[[str, Any], Any]:
    def check(path: str, v: Any) -> Any:
        if (v is None and optional) or isinstance(v, str):
            return v
        raise ConfigError(f"`{path}` must be a string (a path or a name); received {v!r}.")
    return check


def _units(path: str, v: Any) -> Any:
    if isinstance(v, int) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(u, int) and not isinstance(u, bool) and u >= 1 for u in v):
        raise ConfigError(f"`{path}` must be a list of positive integers such as [128, 64]; received {v!r}.")
    return v


#: section -> key -> (checker, default, help)
SCHEMA: dict[str, dict[str, tuple[Callable[[str, Any], Any], Any, str]]] = {
    "data": {
        "dataset": (_choice(DATASETS), "digits", "dataset to train on"),
        "validation_split": (_float(0.0, 1.0, low_open=True), 0.2, "fraction of the training data held out"),
        "limit": (_int(1, optional=True), None, "use only the first N training samples"),
        "normalize": (_bool, True, "scale pixels to [0, 1] / standardize features"),
    },
    "model": {
        "preset": (_choice(PRESETS), "mlp", "architecture preset"),
        "file": (_str(), None, "a saved model (.trainlab) to train instead of a preset"),
        "hidden_units": (_units, [128], "units of each hidden Dense layer"),
        "activation": (_choice(ACTIVATIONS), "relu", "hidden activation"),
        "kernel_initializer": (_choice(INITIALIZERS), "auto", "auto: He for ReLU-like, Glorot otherwise"),
    },
    "optimizer": {
        "name": (_choice(OPTIMIZERS), "adam", "optimizer"),
        "learning_rate": (_float(0.0, low_open=True), 1e-3, "learning rate (initial, with a schedule)"),
        "momentum": (_float(0.0, 1.0, optional=True), None, "SGD momentum / RMSprop momentum"),
        "clipnorm": (_float(0.0, low_open=True, optional=True), None, "clip each gradient's norm"),
    },
    "schedule": {
        "name": (_choice(SCHEDULES), "none", "learning-rate schedule"),
        "decay_steps": (_int(1), 1000, "steps per decay period"),
        "decay_rate": (_float(0.0, low_open=True), 0.9, "exponential / inverse-time decay rate"),
        "alpha": (_float(0.0, 1.0), 0.0, "cosine decay floor (fraction of the initial rate)"),
    },
    "training": {
        "batch_size": (_int(1), 32, "samples per step"),
        "epochs": (_int(1), 10, "maximum epochs"),
        "seed": (_int(0), 0, "random seed"),
        "autopilot": (_bool, True, "let the Autopilot act on divergence, plateaus and overfitting"),
        "early_stopping_patience": (_int(0), 0, "EarlyStopping patience on val_loss (0 = off)"),
    },
    "regularization": {
        "l2": (_float(0.0), 0.0, "L2 penalty on hidden kernels"),
        "l1": (_float(0.0), 0.0, "L1 penalty on hidden kernels"),
        "dropout": (_float(0.0, 1.0), 0.0, "dropout rate after each hidden layer"),
    },
    "augmentation": {
        "random_flip": (_choice(FLIPS), "none", "RandomFlip mode (images)"),
        "random_rotation": (_float(0.0, 1.0), 0.0, "RandomRotation factor (fraction of a full turn)"),
        "random_zoom": (_float(0.0, 1.0), 0.0, "RandomZoom height factor"),
        "random_translation": (_float(0.0, 1.0), 0.0, "RandomTranslation height/width factor"),
        "random_contrast": (_float(0.0, 1.0), 0.0, "RandomContrast factor"),
    },
    "run": {
        "dir": (_str(), None, "run directory (default runs/<dataset>-<time>)"),
    },
}

DEFAULTS: dict[str, dict[str, Any]] = {s: {k: copy.deepcopy(v[1]) for k, v in keys.items()} for s, keys in SCHEMA.items()}


def validate_config(raw: Mapping[str, Any], source: str = "the configuration") -> dict[str, dict[str, Any]]:
    """Defaults overlaid with `raw` (nested ``{section: {key: value}}``), every key and value checked.

    Raises:
        ConfigError: unknown section or key (with the valid ones), or a bad value (with its path).
    """
    cfg = copy.deepcopy(DEFAULTS)
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source} must be a table of sections; received {type(raw).__name__}.")
    for section, values in raw.items():
        if section not in SCHEMA:
            raise ConfigError(f"Unknown section `[{section}]` in {source}.{did_you_mean(section, SCHEMA)} "
                              f"Valid sections: {', '.join(SCHEMA)}.")
        if not isinstance(values, Mapping):
            raise ConfigError(f"`{section}` in {source} must be a table ([{section}] with keys); received {values!r}.")
        for key, value in values.items():
            if key not in SCHEMA[section]:
                raise ConfigError(f"Unknown key `{section}.{key}` in {source}.{did_you_mean(key, SCHEMA[section])} "
                                  f"Valid keys in [{section}]: {', '.join(sorted(SCHEMA[section]))}.")
            cfg[section][key] = SCHEMA[section][key][0](f"{section}.{key}", value)
    _check_combinations(cfg, source)
    return cfg


def _check_combinations(cfg: dict[str, dict[str, Any]], source: str) -> None:
    """Checks that involve several keys."""
    tabular = cfg["data"]["dataset"] == "california_housing"
    if tabular and cfg["model"]["preset"] == "cnn":
        raise ConfigError(f"`model.preset` 'cnn' needs image data, but `data.dataset` is 'california_housing' "
                          f"(tabular) in {source}; use preset 'mlp' or 'linear'.")
    augmenting = [k for k, v in cfg["augmentation"].items() if v not in (0.0, "none")]
    if tabular and augmenting:
        raise ConfigError(f"`augmentation.{augmenting[0]}` applies to images, but `data.dataset` is "
                          f"'california_housing' (tabular) in {source}; remove the [augmentation] keys.")


def parse_assignment(text: str) -> tuple[str, str, Any]:
    """``"training.epochs=5"`` -> ``("training", "epochs", 5)`` (the value is parsed as TOML)."""
    if "=" not in text or "." not in text.split("=", 1)[0]:
        raise ConfigError(f"`--set` expects section.key=value such as training.epochs=5; received {text!r}.")
    path, value = text.split("=", 1)
    section, key = path.strip().split(".", 1)
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()  # a bare word: treat as a string
    return section, key, parsed


def load_config(path: str | None = None, overrides: Mapping[str, Mapping[str, Any]] | None = None,
                assignments: list[str] = ()) -> dict[str, dict[str, Any]]:
    """Defaults < TOML file < `overrides` (from flags) < ``--set`` assignments, validated.

    Raises:
        ConfigError: missing / unparsable file, unknown key, bad value.
    """
    raw: dict[str, dict[str, Any]] = {}
    source = "the configuration"
    if path is not None:
        source = os.path.basename(path)
        if not os.path.isfile(path):
            raise ConfigError(f"Config file `--config` {path!r} does not exist.")
        try:
            with open(path, "rb") as f:
                raw = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Config file {path!r} is not valid TOML: {exc}.") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"Config file {path!r} is not UTF-8 text (byte {exc.start}); TOML files are UTF-8. "
                              f"Save it as UTF-8.") from None
    cfg = validate_config(raw, source)
    extra: dict[str, dict[str, Any]] = {}
    for section, values in (overrides or {}).items():
        for key, value in values.items():
            if value is not None:
                extra.setdefault(section, {})[key] = value
    for text in assignments:
        section, key, value = parse_assignment(text)
        extra.setdefault(section, {})[key] = value
    merged_raw = {s: {**{k: v for k, v in raw.get(s, {}).items()}, **extra.get(s, {})} for s in set(raw) | set(extra)}
    return validate_config(merged_raw, source + " (with command-line overrides)" if extra else source) if extra else cfg
