"""Declarative presets: the model they build, and which settings share one population."""

import numpy as np
import pytest

from trainlab.tune import HyperParameters, Preset, structure_signature
from trainlab.tune.tuner import fresh_layer_names


def _sig(values, **fixed):
    build = Preset("mlp", input_shape=(4,), outputs=3, steps_per_epoch=10, **fixed)
    space_keys = {k: v for k, v in values.items()}
    hp = HyperParameters(values=space_keys)
    for k, v in values.items():  # declare as searched, as the tuner does
        hp.Fixed(k, v)
    with fresh_layer_names():
        model = build(hp)
    model.build_from_data(np.zeros((2, 4), "float32"))
    return model, structure_signature(model, 32)


def test_mlp_preset_builds_the_course_model():
    model, _ = _sig({"learning_rate": 0.01}, units=32, layers=2, dropout=0.25)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Flatten", "Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert [layer.units for layer in model.layers if type(layer).__name__ == "Dense"] == [32, 32, 3]
    assert model.optimizer.hyperparameters()["learning_rate"] == pytest.approx(0.01)
    assert model.get_layer(index=2).rate == 0.25


def test_array_valued_settings_share_a_population_and_shapes_do_not():
    base = dict(optimizer="sgd")
    a = _sig({"learning_rate": 0.1, "momentum": 0.9, "dropout": 0.1, "l2": 1e-4, "decay": 0.5}, **base)[1]
    b = _sig({"learning_rate": 0.01, "momentum": 0.5, "dropout": 0.3, "l2": 1e-2, "decay": 0.1}, **base)[1]
    assert a == b  # learning rate, momentum, dropout rate, L2 strength and decay rate are array leaves
    c = _sig({"learning_rate": 0.1, "momentum": 0.9, "dropout": 0.1, "l2": 1e-4, "decay": 0.5, "units": 64}, **base)[1]
    assert c != a  # units change weight shapes
    d = _sig({"learning_rate": 0.1, "momentum": 0.9, "dropout": 0.1, "l2": 1e-4, "decay": 0.5,
              "activation": "tanh"}, **base)[1]
    assert d != a  # the activation is static
    e = _sig({"learning_rate": 0.1, "dropout": 0.1, "l2": 1e-4, "decay": 0.5, "optimizer": "adam"})[1]
    assert e != a


def test_preset_errors():
    with pytest.raises(ValueError, match=r"Unknown preset 'mpl' passed as `preset`. Did you mean \"mlp\"\?"):
        Preset("mpl", input_shape=(4,), outputs=3)
    with pytest.raises(ValueError, match=r"Preset 'mlp' needs `outputs`"):
        Preset("mlp", input_shape=(4,))
    build = Preset("mlp", input_shape=(4,), outputs=3)
    with pytest.raises(ValueError, match=r"Optimizer 'adam' does not take the settings \['momentum'\]"):
        build(HyperParameters(values={"momentum": 0.9}))
    with pytest.raises(ValueError, match=r"`decay` setting needs `steps_per_epoch`"):
        build(HyperParameters(values={"decay": 0.1}))
