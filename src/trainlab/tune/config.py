"""The TOML form of a search, as read by ``trainlab tune CONFIG.toml``.

Example (``fmnist-lr.toml``, the course's learning-rate search)::

    [data]
    dataset = "fashion_mnist"      # a trainlab.datasets module with load_data()
    train_size = 50000             # first 50,000 training images train ...
    validation_size = 10000        # ... the last 10,000 validate
    scale = 255.0                  # inputs are divided by this

    [model]                        # a preset and its fixed settings
    preset = "mlp"
    units = 128

    [search]
    objective = "val_accuracy"
    strategy = "random"            # or { name = "hyperband", reduction_factor = 3 }
    trials = 16
    epochs = 3
    batch_size = 32
    study_name = "fmnist-lr"

    [space]                        # what is searched; names are preset settings
    learning_rate = { type = "float", low = 1e-4, high = 1e-1, log = true }
    units = { type = "int", low = 32, high = 256, step = 32 }
    dropout = { type = "float", low = 0.0, high = 0.5, when = { layers = [2, 3] } }

``[data]`` may instead name an ``.npz`` file: ``npz = "data.npz"`` with arrays
``x``, ``y`` and optionally ``x_val``, ``y_val`` (else `validation_size` /
`validation_split` take the tail of ``x``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import (check_bool, check_in_range, check_int_at_least, check_nonempty_string, check_one_of,
                           check_positive_int, check_positive_number, describe)
from .presets import Preset
from .space import SearchSpace

__all__ = ["TuneConfig", "load_config", "ConfigError"]

_SECTIONS = {"data", "model", "search", "space"}
_SEARCH_KEYS = {"objective", "direction", "strategy", "trials", "epochs", "batch_size", "seed", "study_name",
                "directory", "storage", "population", "members_per_program", "concurrent_programs", "heartbeat_interval", "grace_period",
                "max_retry", "shuffle"}
_DATA_KEYS = {"dataset", "npz", "train_size", "validation_size", "validation_split", "scale", "validation"}


def _strategy(argument: str, value: Any) -> Any:
    from .strategies import get

    return get(value)


#: [search] key -> check(argument, value); each raises TypeError/ValueError naming the key
_SEARCH_CHECKS = {
    "objective": check_nonempty_string,
    "direction": lambda a, v: check_one_of(a, v, ["maximize", "minimize"]),
    "strategy": _strategy,
    "trials": check_positive_int,
    "epochs": check_positive_int,
    "batch_size": check_positive_int,
    "seed": lambda a, v: check_int_at_least(a, v, 0),
    "study_name": check_nonempty_string,
    "directory": check_nonempty_string,
    "storage": check_nonempty_string,
    "population": check_positive_int,
    "members_per_program": check_positive_int,
    "concurrent_programs": check_positive_int,
    "heartbeat_interval": check_positive_int,
    "grace_period": check_positive_int,
    "max_retry": lambda a, v: check_int_at_least(a, v, 0),
    "shuffle": check_bool,
}
_DATA_CHECKS = {
    "dataset": check_nonempty_string,
    "npz": check_nonempty_string,
    "train_size": check_positive_int,
    "validation_size": lambda a, v: check_int_at_least(a, v, 0),
    "validation_split": lambda a, v: check_in_range(a, v, 0.0, 1.0, low_inclusive=False),
    "scale": check_positive_number,
    "validation": lambda a, v: check_one_of(a, v, ["test"]),
}


class ConfigError(ValueError):
    """A configuration file that cannot be used (the message says where and why)."""


class TuneConfig:
    """A parsed configuration: data, model preset, search settings and space."""

    def __init__(self, raw: dict[str, Any], source: str = "<config>", base_dir: Path | None = None):
        self.source = source
        self.base_dir = base_dir or Path.cwd()
        unknown = set(raw) - _SECTIONS
        if unknown:
            raise ConfigError(f"{source}: unknown section(s) {sorted(unknown)}; expected {sorted(_SECTIONS)}.")
        for section in _SECTIONS:
            if not isinstance(raw.get(section, {}), dict):
                raise ConfigError(f"{source}: `{section}` must be a table ([{section}] followed by keys); "
                                  f"received {describe(raw[section])}.")
        self.data = dict(raw.get("data", {}))
        self.model = dict(raw.get("model", {}))
        self.search = dict(raw.get("search", {}))
        for section, allowed, table in (("data", _DATA_KEYS, self.data), ("search", _SEARCH_KEYS, self.search)):
            bad = set(table) - allowed
            if bad:
                from .._validation import did_you_mean

                key = sorted(bad)[0]
                raise ConfigError(
                    f"{source}: unknown key {key!r} in [{section}].{did_you_mean(key, allowed)} "
                    f"Allowed: {', '.join(sorted(allowed))}."
                )
        try:
            self.space = SearchSpace(raw.get("space", {}))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: [space]: {exc}") from None
        if "preset" not in self.model:
            raise ConfigError(f"{source}: [model] needs `preset`, e.g. preset = \"mlp\".")
        for key, value in self.search.items():
            try:
                _SEARCH_CHECKS[key](f"search.{key}", value)
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{source}: {exc}") from None
        for key, value in self.data.items():
            try:
                _DATA_CHECKS[key](f"data.{key}", value)
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{source}: {exc}") from None

    # ------------------------------------------------------------------
    def load_data(self) -> tuple[Any, Any, Any]:
        """``(x, y, validation_data)`` as described by ``[data]``."""
        d = self.data
        scale = float(d.get("scale", 1.0))
        if "npz" in d:
            path = Path(d["npz"])
            path = path if path.is_absolute() else self.base_dir / path
            if not path.exists():
                raise ConfigError(f"{self.source}: [data] npz file {str(path)!r} does not exist.")
            from ..datasets._npz import load_npz

            arrays = load_npz(path)  # pickle-free, size-checked; a bad file is a DatasetFormatError (ValueError)
            if "x" not in arrays or "y" not in arrays:
                raise ConfigError(f"{self.source}: [data] npz file {str(path)!r} needs arrays `x` and `y`; it holds "
                                  f"{sorted(arrays)}.")
            x, y = arrays["x"], arrays["y"]
            val = (arrays["x_val"], arrays["y_val"]) if "x_val" in arrays and "y_val" in arrays else None
        elif "dataset" in d:
            from .. import datasets

            name = d["dataset"]
            module = getattr(datasets, str(name), None)
            if module is None or not hasattr(module, "load_data"):
                from .._validation import unknown_name_error

                names = [n for n in dir(datasets) if hasattr(getattr(datasets, n), "load_data")]
                raise ConfigError(str(unknown_name_error("dataset", "data.dataset", name, names)))
            (x, y), (xt, yt) = module.load_data()
            val = (xt, yt) if d.get("validation") == "test" else None
        else:
            raise ConfigError(f"{self.source}: [data] needs `dataset` (e.g. \"fashion_mnist\") or `npz`.")
        x = np.asarray(x, np.float32) / scale if scale != 1.0 else np.asarray(x)
        if val is not None and scale != 1.0:
            val = (np.asarray(val[0], np.float32) / scale, val[1])
        if val is None:
            n = len(x)
            if "validation_size" in d:
                n_val = int(d["validation_size"])
            elif "validation_split" in d:
                n_val = int(n * float(d["validation_split"]))
            else:
                n_val = 0
            train_size = int(d.get("train_size", n - n_val))
            if n_val <= 0 or train_size + n_val > n:
                if n_val > 0:
                    raise ConfigError(
                        f"{self.source}: [data] train_size={train_size} + validation_size={n_val} exceeds the "
                        f"{n} samples.")
                val = None
            else:
                val = (x[n - n_val:], y[n - n_val:])
            x, y = x[:train_size], y[:train_size]
        elif "train_size" in d:
            x, y = x[: int(d["train_size"])], y[: int(d["train_size"])]
        return x, y, val

    def build_fn(self, x: Any, y: Any) -> Preset:
        model = dict(self.model)
        name = model.pop("preset")
        task = model.get("task", "classification")
        if task == "classification":
            outputs = model.pop("outputs", int(np.max(y)) + 1)
        else:
            outputs = model.pop("outputs", 1 if np.ndim(y) == 1 else int(np.shape(y)[-1]))
        try:
            return Preset(name, input_shape=tuple(np.shape(x)[1:]), outputs=outputs, **model)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{self.source}: [model]: {exc}") from None

    def tuner_kwargs(self) -> dict[str, Any]:
        s = dict(self.search)
        out: dict[str, Any] = {}
        mapping = {"trials": "max_trials"}
        for key, value in s.items():
            if key in ("shuffle",):
                continue
            out[mapping.get(key, key)] = value
        if "directory" in out:
            p = Path(out["directory"])
            out["directory"] = p if p.is_absolute() else self.base_dir / p
        return out


def load_config(path: str | os.PathLike) -> TuneConfig:
    """Read and check a TOML search configuration.

    Raises:
        ConfigError: missing file, invalid TOML, unknown sections or keys, bad space.
    """
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"Configuration file {str(path)!r} does not exist.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}.") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text (byte {exc.start}); TOML files are UTF-8. "
                          f"Save it as UTF-8.") from None
    if not isinstance(raw, dict):  # pragma: no cover
        raise ConfigError(f"{path}: expected tables, received {describe(raw)}.")
    return TuneConfig(raw, source=str(path), base_dir=path.parent.resolve())
