"""TOML configurations of ``trainlab train`` and ``trainlab tune``: parsed, validated and
turned into a compiled model (and, for tune, a Tuner and one trial's model), without
data loading or training. A bad file may only raise ValueError/TypeError with a message."""

from __future__ import annotations

import pathlib
import re

import numpy as np

from trainlab.doctor._build import DataBundle, build_model
from trainlab.doctor.config import load_config as load_train_config
from trainlab.tune.config import load_config as load_tune_config
from trainlab.tune.hyperparameters import HyperParameters
from trainlab.tune.tuner import Tuner

CLEAN = (ValueError, TypeError)
INTERNAL = re.compile(
    r"unhashable type|is not iterable|invalid literal|unexpected keyword|got multiple values|codec can't|"
    r"expected str, bytes|update sequence|not supported between|has no attribute|interpreting argument|"
    r"could not convert|positional argument|object is not|cannot convert|out of range for|"
    r"__init__\(\)|must be real number|NoneType"
)

TRAIN = '''
[data]
dataset = "fashion_mnist"
limit = 10000
validation_split = 0.2
normalize = true

[model]
preset = "mlp"
hidden_units = [128, 64]
activation = "relu"
kernel_initializer = "auto"

[optimizer]
name = "sgd"
learning_rate = 1e-3
momentum = 0.9
clipnorm = 1.0

[schedule]
name = "exponential_decay"
decay_steps = 1000
decay_rate = 0.9
alpha = 0.0

[training]
epochs = 10
batch_size = 64
seed = 0
autopilot = true
early_stopping_patience = 3

[regularization]
l2 = 1e-4
l1 = 0.0
dropout = 0.2

[augmentation]
random_flip = "horizontal"
random_rotation = 0.1
random_zoom = 0.1
random_translation = 0.1
random_contrast = 0.1

[run]
dir = "runs/fmnist"
'''

TUNE = '''
[data]
dataset = "fashion_mnist"
train_size = 50000
validation_size = 10000
scale = 255.0

[model]
preset = "mlp"
units = 128
layers = 2
activation = "relu"
optimizer = "adam"

[search]
objective = "val_accuracy"
strategy = { name = "successive_halving", reduction_factor = 2 }
trials = 16
epochs = 3
batch_size = 32
seed = 0
study_name = "fmnist-lr"
directory = "runs/tune"
max_retry = 2
heartbeat_interval = 30
grace_period = 60
population = 4

[space]
learning_rate = { type = "float", low = 1e-4, high = 1e-1, log = true }
units = { type = "int", low = 32, high = 256, step = 32 }
layers = { type = "choice", values = [1, 2, 3] }
dropout = { type = "float", low = 0.0, high = 0.5, when = { layers = [2, 3] } }
l2 = { type = "float", low = 0.0, high = 0.01 }
'''

_IMAGES = DataBundle(np.zeros((4, 28, 28), np.float32), np.arange(4) % 3, np.zeros((2, 28, 28), np.float32),
                     np.arange(2), "classification", 3, None, (28, 28))
_TABLE = DataBundle(np.zeros((4, 8), np.float32), np.zeros((4, 1), np.float32), np.zeros((2, 8), np.float32),
                    np.zeros((2, 1), np.float32), "regression", 0, None, None)


def seeds(workdir: pathlib.Path) -> list[bytes]:
    grid = TUNE.replace('{ name = "successive_halving", reduction_factor = 2 }', '"grid"')
    housing = TRAIN.replace('"fashion_mnist"', '"california_housing"').split("[augmentation]")[0]
    return [TRAIN.encode(), housing.encode(), TUNE.encode(), grid.encode()]


def run(data: bytes, workdir: pathlib.Path) -> object:
    path = workdir / "config.toml"
    path.write_bytes(data)
    try:
        return _load_and_build(path, data)
    except CLEAN as error:
        # the house rule: the message names the file or the key (in backticks), and is
        # not one of Python's or JAX's internal messages ("invalid literal for int()")
        text = str(error)
        if ("`" not in text and "config.toml" not in text) or INTERNAL.search(text):
            raise AssertionError(f"{type(error).__name__} with an internal message: {text}") from error
        raise


def _load_and_build(path: pathlib.Path, data: bytes) -> object:
    if b"[search]" in data or b"[space]" in data:
        config = load_tune_config(path)
        x, y = np.zeros((6, 28, 28), np.float32), np.arange(6) % 3
        tuner = Tuner(config.build_fn(x, y), space=config.space, **config.tuner_kwargs())
        return tuner._call_build(HyperParameters(space=config.space))
    cfg = load_train_config(str(path))
    return build_model(cfg, _TABLE if cfg["data"]["dataset"] == "california_housing" else _IMAGES)


def mutate(data: bytes, rng) -> bytes:
    """Change values of the parsed file (wrong types, inf, nan, huge, unknown keys)."""
    import tomllib

    from structured import dump_toml, mutate_tree

    return dump_toml(mutate_tree(tomllib.loads(data.decode()), rng)).encode()
