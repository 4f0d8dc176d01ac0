"""Search spaces, the hp object and strategy lookup: values, grids, conditions, messages."""

import math

import numpy as np
import optuna
import pytest

from trainlab.tune import Choice, Fixed, Float, HyperParameters, Int, SearchSpace, strategies
from trainlab.tune.space import param_from_dict


# ---------------------------------------------------------------------------- bad input
def test_float_log_needs_positive_low():
    with pytest.raises(ValueError, match=r"Float\('lr'\) with `log=True` needs `low` > 0.*received low=0"):
        Float("lr", 0.0, 0.1, log=True)
    with pytest.raises(ValueError, match=r"received low=-1"):
        Float("lr", -1, 0.1, log=True)
    with pytest.raises(ValueError, match=r"Int\('units'\) with `log=True` needs `low` > 0"):
        Int("units", 0, 64, log=True)


def test_low_greater_than_high():
    with pytest.raises(ValueError, match=r"`low` of Float\('lr'\) must be <= `high`; received low=0.1 > high=0.01. Swap"):
        Float("lr", 0.1, 0.01)
    with pytest.raises(ValueError, match=r"`low` of Int\('units'\) must be <= `high`; received low=64 > high=32"):
        Int("units", 64, 32)


def test_other_bad_parameters():
    with pytest.raises(TypeError, match=r"`low` of Int\('units'\) must be an integer; received 1.5"):
        Int("units", 1.5, 3)
    with pytest.raises(ValueError, match=r"`values` of Choice\('act'\) is empty"):
        Choice("act", [])
    with pytest.raises(TypeError, match=r"`values` of Choice\('act'\) may hold None, bool, int, float or str"):
        Choice("act", [object()])
    with pytest.raises(ValueError, match=r"`step` and `log=True` cannot be combined"):
        Float("lr", 1e-3, 1e-1, log=True, step=0.01)
    with pytest.raises(ValueError, match=r"depends on 'layers' \(`when`\), which is not defined before it"):
        SearchSpace([Float("dropout", 0, 0.5, when={"layers": [2]})])
    with pytest.raises(ValueError, match=r"'lr' is defined twice with different settings"):
        SearchSpace([Float("lr", 1e-3, 1e-1), Float("lr", 1e-4, 1e-1)])
    with pytest.raises(ValueError, match=r"Search parameter 'lr' needs a `type`"):
        param_from_dict("lr", {"low": 1e-4, "high": 0.1})
    with pytest.raises(ValueError, match=r"Unknown parameter type 'flaot' passed as `lr.type`. Did you mean \"float\"\?"):
        param_from_dict("lr", {"type": "flaot", "low": 1e-4, "high": 0.1})


def test_unknown_strategy():
    with pytest.raises(ValueError, match=r"Unknown strategy 'hyperbnd' passed as `strategy`. Did you mean \"hyperband\"\?"):
        strategies.get("hyperbnd")
    with pytest.raises(TypeError, match=r"`strategy` 'random' has no option 'reduction_factor'. Its options: none"):
        strategies.get("random", reduction_factor=2)
    with pytest.raises(ValueError, match=r"`reduction_factor` must be >= 2"):
        strategies.get("successive_halving", reduction_factor=1)


# ---------------------------------------------------------------------------- values
def test_grids_are_log_spaced_and_stepped():
    np.testing.assert_allclose(Float("lr", 1e-4, 1e-1, log=True).grid(4), [1e-4, 1e-3, 1e-2, 1e-1], rtol=1e-5)
    np.testing.assert_allclose(Float("d", 0.0, 0.5).grid(3), [0.0, 0.25, 0.5])
    assert Float("d", 0.0, 0.5, step=0.1).grid(99) == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert Int("units", 32, 128, step=32).grid(2) == [32, 64, 96, 128]
    assert Int("bs", 16, 1024, log=True).grid(4) == [16, 64, 256, 1024]
    assert Choice("a", ["relu", "tanh"]).grid(1) == ["relu", "tanh"]
    assert Fixed("e", 3).grid(9) == [3]


def test_conditional_grid_drops_inactive_duplicates():
    space = SearchSpace([Int("layers", 1, 2), Float("dropout_2", 0.0, 0.5, when={"layers": [2]})])
    grid = space.grid(points=3)
    assert grid == [{"layers": 1}, {"layers": 2, "dropout_2": 0.0}, {"layers": 2, "dropout_2": 0.25},
                    {"layers": 2, "dropout_2": 0.5}]


def test_random_sampling_is_log_uniform_and_respects_conditions():
    space = SearchSpace({"lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
                         "layers": {"type": "int", "low": 1, "high": 3},
                         "units_3": {"type": "int", "low": 8, "high": 16, "when": {"layers": [3]}},
                         "epochs": 5})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    draws = []
    for _ in range(400):
        trial = study.ask()
        draws.append(space.sample(trial))
        study.tell(trial, 0.0)
    lrs = np.log10([d["lr"] for d in draws])
    assert lrs.min() >= -4 and lrs.max() <= -1
    # log-uniform: each decade gets about a third of the draws
    counts = np.histogram(lrs, bins=[-4, -3, -2, -1])[0] / len(lrs)
    np.testing.assert_allclose(counts, [1 / 3] * 3, atol=0.08)
    for d in draws:
        assert ("units_3" in d) == (d["layers"] == 3)
        assert d["epochs"] == 5
    assert {d["layers"] for d in draws} == {1, 2, 3}


def test_hyperparameters_define_by_run_and_keras_tuner_names():
    hp = HyperParameters()
    assert hp.Float("lr", min_value=1e-4, max_value=1e-1, sampling="log") == 1e-4
    assert hp.Int("layers", 1, 3) == 1
    with hp.conditional_scope("layers", [2, 3]):
        assert hp.Int("units_2", 8, 64) is None  # inactive: layers is 1
    assert hp.Boolean("bn") is False
    assert hp.Choice("act", ["relu", "tanh"], default="tanh") == "tanh"  # Keras Tuner's `default`
    assert hp.values == {"lr": 1e-4, "layers": 1, "bn": False, "act": "tanh"}
    assert hp.space["units_2"].when == {"layers": (2, 3)}

    hp = HyperParameters(values={"layers": 2, "units_2": 32})
    hp.Int("layers", 1, 3)
    with hp.conditional_scope("layers", [2, 3]):
        assert hp.Int("units_2", 8, 64) == 32
    with pytest.raises(ValueError, match=r"`parent_name` 'depth' is not a declared parameter"):
        with hp.conditional_scope("depth", [2]):
            pass
    with pytest.raises(KeyError, match="has not been declared"):
        hp["nope"]


def test_hyperparameters_draw_from_trial():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    trial = study.ask()
    hp = HyperParameters(trial, space=SearchSpace([Float("lr", 1e-4, 1e-1, log=True)]))
    lr = hp.get("lr")
    assert lr == trial.params["lr"] and 1e-4 <= lr <= 1e-1
    # declaring it again inside build(hp) returns the same draw
    assert hp.Float("lr", 1e-4, 1e-1, log=True) == lr
    units = hp.Int("units", 8, 64, step=8)
    assert trial.params["units"] == units and units % 8 == 0


def test_rungs_and_brackets():
    sha = strategies.get("successive_halving", reduction_factor=2)
    assert sha.rungs(epochs=3) == [1, 2]
    assert sha.rungs(epochs=9) == [1, 2, 4, 8]
    assert [sha.keep(n) for n in (16, 8, 3, 1)] == [8, 4, 1, 1]
    hb = strategies.get({"name": "hyperband", "reduction_factor": 3})
    assert hb.brackets(epochs=9) == 3
    assert [hb.rungs(9, b) for b in range(3)] == [[1, 3], [3], []]
    assert math.isclose(strategies.get("pbt").fraction, 0.25)
