"""trainlab.schedules against the Keras 3 formulas, written out in numpy."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from trainlab import optimizers, schedules
from trainlab.schedules import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)


# ---------------------------------------------------------------- numpy reference
def np_exponential(step, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
    p = step / decay_steps
    return initial_learning_rate * decay_rate ** (math.floor(p) if staircase else p)


def np_inverse_time(step, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
    p = step / decay_steps
    return initial_learning_rate / (1 + decay_rate * (math.floor(p) if staircase else p))


def np_piecewise(step, boundaries, values, name=None):
    if step <= boundaries[0]:
        return values[0]
    if step > boundaries[-1]:
        return values[-1]
    for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1], strict=True):
        if low < step <= high:
            return value
    raise AssertionError


def np_polynomial(step, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                  cycle=False, name=None):
    if cycle:
        decay_steps = decay_steps * (1.0 if step == 0 else math.ceil(step / decay_steps))
    else:
        step = min(step, decay_steps)
    return (initial_learning_rate - end_learning_rate) * (1 - step / decay_steps) ** power + end_learning_rate


def np_cosine(step, initial_learning_rate, decay_steps, alpha=0.0, name=None, warmup_target=None,
              warmup_steps=0):
    def decay(s, start):
        return start * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / decay_steps)) + alpha)

    if warmup_target is None:
        return decay(min(step, decay_steps), initial_learning_rate)
    step = min(step, decay_steps + warmup_steps)
    if step < warmup_steps:
        return (warmup_target - initial_learning_rate) * step / warmup_steps + initial_learning_rate
    return decay(step - warmup_steps, warmup_target)


def np_restarts(step, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name=None):
    fraction = step / first_decay_steps
    if t_mul == 1.0:
        i = math.floor(fraction)
        fraction -= i
    else:
        i = math.floor(math.log(1 - fraction * (1 - t_mul)) / math.log(t_mul))
        fraction = (fraction - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i
    return initial_learning_rate * ((1 - alpha) * 0.5 * m_mul**i * (1 + math.cos(math.pi * fraction)) + alpha)


NUMPY = {ExponentialDecay: np_exponential, InverseTimeDecay: np_inverse_time,
         PiecewiseConstantDecay: np_piecewise, PolynomialDecay: np_polynomial, CosineDecay: np_cosine,
         CosineDecayRestarts: np_restarts}

STEPS = list(range(0, 41)) + [55, 99, 100, 101, 150, 1000, 10_000]
CASES = [
    (ExponentialDecay, dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.96)),
    (ExponentialDecay, dict(initial_learning_rate=0.5, decay_steps=7, decay_rate=0.5, staircase=True)),
    (InverseTimeDecay, dict(initial_learning_rate=0.1, decay_steps=1.0, decay_rate=0.5)),
    (InverseTimeDecay, dict(initial_learning_rate=0.2, decay_steps=10, decay_rate=2.0, staircase=True)),
    (PiecewiseConstantDecay, dict(boundaries=[10], values=[1.0, 0.1])),
    (PiecewiseConstantDecay, dict(boundaries=[5, 20, 100], values=[0.3, 0.2, 0.1, 0.01])),
    (PolynomialDecay, dict(initial_learning_rate=0.1, decay_steps=30)),
    (PolynomialDecay, dict(initial_learning_rate=0.1, decay_steps=12, end_learning_rate=0.01, power=0.5)),
    (PolynomialDecay, dict(initial_learning_rate=0.1, decay_steps=12, end_learning_rate=0.01, power=2.0,
                           cycle=True)),
    (CosineDecay, dict(initial_learning_rate=0.1, decay_steps=25)),
    (CosineDecay, dict(initial_learning_rate=0.1, decay_steps=25, alpha=0.2)),
    (CosineDecay, dict(initial_learning_rate=0.0, decay_steps=20, warmup_target=0.1, warmup_steps=8)),
    (CosineDecay, dict(initial_learning_rate=0.01, decay_steps=20, alpha=0.1, warmup_target=0.1,
                       warmup_steps=0)),
    (CosineDecayRestarts, dict(initial_learning_rate=0.1, first_decay_steps=7, t_mul=1.0, m_mul=0.8)),
    (CosineDecayRestarts, dict(initial_learning_rate=0.1, first_decay_steps=6, alpha=0.1, m_mul=0.9)),
    (CosineDecayRestarts, dict(initial_learning_rate=0.1, first_decay_steps=5, t_mul=1.5)),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _) in enumerate(CASES)]


def hparams32(schedule):
    return {k: jnp.asarray(v, jnp.float32) for k, v in schedule.hyperparameters().items()}


@pytest.mark.parametrize("cls,kwargs", CASES, ids=IDS)
def test_matches_keras_formulas(cls, kwargs):
    schedule = cls(**kwargs)
    got = jax.jit(jax.vmap(schedule.apply, in_axes=(0, None)))(jnp.asarray(STEPS, jnp.int32), hparams32(schedule))
    want = [NUMPY[cls](float(s), **kwargs) for s in STEPS]
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-8)
    # the Keras-style call agrees, for int and float steps
    for s in (0, 3, 100):
        np.testing.assert_allclose(schedule(s), want[STEPS.index(s)], rtol=2e-6, atol=1e-8)
        np.testing.assert_allclose(schedule(jnp.float32(s)), want[STEPS.index(s)], rtol=2e-6, atol=1e-8)


def test_edges():
    warm = CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4)
    assert [round(float(warm(t)), 6) for t in (0, 2, 4, 14, 50)] == [0.0, 0.5, 1.0, 0.0, 0.0]
    stair = ExponentialDecay(1.0, 10, 0.5, staircase=True)
    assert [float(stair(t)) for t in (9, 10, 19, 20)] == [1.0, 0.5, 0.5, 0.25]
    piece = PiecewiseConstantDecay([10, 20], [3.0, 2.0, 1.0])
    assert [float(piece(t)) for t in (10, 11, 20, 21)] == [3.0, 2.0, 2.0, 1.0]
    cyc = PolynomialDecay(1.0, 10, end_learning_rate=0.0, cycle=True)
    assert [round(float(cyc(t)), 6) for t in (0, 10, 11, 20)] == [1.0, 0.0, 0.45, 0.0]


@pytest.mark.parametrize("cls,kwargs", CASES, ids=IDS)
def test_vmap_over_stacked_hparams_equals_separate_calls(cls, kwargs):
    base = cls(**kwargs)
    members = []
    for scale in (0.5, 1.0, 2.0):
        hp = {k: np.asarray(v, np.float32) for k, v in base.hyperparameters().items()}
        first = "values" if "values" in hp else "initial_learning_rate"
        hp[first] = hp[first] * scale + 0.01
        members.append(hp)
    stacked = {k: jnp.stack([m[k] for m in members]) for k in members[0]}
    step = jnp.asarray(17, jnp.int32)
    together = jax.vmap(base.apply, in_axes=(None, 0))(step, stacked)
    for i, hp in enumerate(members):
        one = base.apply(step, {k: jnp.asarray(v) for k, v in hp.items()})
        np.testing.assert_allclose(together[i], one, rtol=1e-6)
    steps = jnp.asarray([0, 5, 40], jnp.int32)   # a different step per member
    per_member = jax.vmap(base.apply)(steps, stacked)
    for i, hp in enumerate(members):
        np.testing.assert_allclose(
            per_member[i], base.apply(steps[i], {k: jnp.asarray(v) for k, v in hp.items()}), rtol=1e-6)


def test_jitted_apply_does_not_recompile_for_new_values():
    traces = []
    schedule = CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=10)

    @jax.jit
    def lr(step, hp):
        traces.append(1)
        return schedule.apply(step, hp)

    hp = hparams32(schedule)
    a = lr(jnp.int32(5), hp)
    hp["warmup_target"] = jnp.float32(0.4)
    b = lr(jnp.int32(6), hp)
    assert len(traces) == 1 and float(b) > float(a)


@pytest.mark.parametrize("cls,kwargs", CASES, ids=IDS)
def test_config_round_trip(cls, kwargs):
    schedule = cls(**kwargs)
    config = schedule.get_config()
    assert {k: v for k, v in config.items() if k in kwargs} == kwargs
    clone = cls.from_config(config)
    assert clone.get_config() == config
    for copy in (schedules.deserialize(schedules.serialize(schedule)), schedules.get(schedules.serialize(schedule)),
                 optimizers.schedules.deserialize({**schedules.serialize(schedule), "module": "keras"})):
        assert type(copy) is cls and copy.get_config() == config
    assert schedules.get(schedule) is schedule


def test_hyperparameters_are_numbers_and_settable():
    assert ExponentialDecay(0.1, 10, 0.9).hyperparameters() == {
        "initial_learning_rate": 0.1, "decay_steps": 10.0, "decay_rate": 0.9}
    assert "warmup_target" not in CosineDecay(0.1, 10).hyperparameters()
    piece = PiecewiseConstantDecay([1, 2], [0.3, 0.2, 0.1])
    hp = piece.hyperparameters()
    assert hp["boundaries"].shape == (2,) and hp["values"].shape == (3,)
    piece.set_hyperparameters({"values": [0.6, 0.4, 0.2]})
    assert piece.get_config()["values"] == [0.6, 0.4, 0.2] and float(piece(5)) == pytest.approx(0.2)
    with pytest.raises(ValueError, match=r"`staircase` is not an array parameter of ExponentialDecay"):
        ExponentialDecay(0.1, 10, 0.9).set_hyperparameters({"staircase": 1})


def test_keras_style_subclass_with_only_call_works_in_an_optimizer():
    class OneOverT(LearningRateSchedule):
        def __init__(self, initial_learning_rate):
            self.initial_learning_rate = initial_learning_rate

        def __call__(self, step):
            return self.initial_learning_rate / (step + 1)

    opt = optimizers.SGD(OneOverT(1.0))
    params = {"w": jnp.ones(2)}
    state = opt.init(params)
    assert state.hparams == {}
    lrs = []
    for _ in range(3):
        lrs.append(float(opt.learning_rate_at(state)))
        _, state = jax.jit(opt.update)({"w": jnp.ones(2)}, state, params)
    assert lrs == pytest.approx([1.0, 0.5, 1 / 3])
    with pytest.raises(NotImplementedError, match="must override `get_config\\(\\)`"):
        opt.get_config()


def test_optimizers_schedules_alias():
    from trainlab.optimizers.schedules import ExponentialDecay as Aliased

    assert Aliased is ExponentialDecay and optimizers.schedules.CosineDecay is CosineDecay


# ---------------------------------------------------------------- bad input
def test_bad_arguments_have_actionable_messages():
    with pytest.raises(ValueError, match=r"`decay_steps` must be > 0; received decay_steps=-5\. Pass a positive"):
        ExponentialDecay(0.1, -5, 0.9)
    with pytest.raises(ValueError, match=r"`decay_steps` must be > 0; received decay_steps=0"):
        PolynomialDecay(0.1, 0)
    with pytest.raises(ValueError, match=r"`first_decay_steps` must be > 0"):
        CosineDecayRestarts(0.1, -1)
    with pytest.raises(ValueError, match=r"`values` must have one more element than `boundaries`.*"
                                         r"\(length 2\).*\(length 2\)"):
        PiecewiseConstantDecay([10, 20], [0.1, 0.01])
    with pytest.raises(ValueError, match=r"`boundaries` must be strictly increasing; received "
                                         r"boundaries=\[20, 10\]\. Sort them.*boundaries=\[10, 20\]"):
        PiecewiseConstantDecay([20, 10], [0.1, 0.01, 0.001])
    with pytest.raises(ValueError, match=r"`boundaries` must have at least one element"):
        PiecewiseConstantDecay([], [0.1])
    with pytest.raises(TypeError, match=r"`boundaries` must be a list of numbers"):
        PiecewiseConstantDecay(10, [0.1, 0.01])
    with pytest.raises(ValueError, match=r"`warmup_steps` must be >= 0"):
        CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=-1)
    with pytest.raises(ValueError, match=r"`t_mul` must be > 0"):
        CosineDecayRestarts(0.1, 10, t_mul=0.0)
    with pytest.raises(TypeError, match=r"`decay_rate` must be a number"):
        ExponentialDecay(0.1, 10, "fast")
    with pytest.raises(ValueError, match=r"Unknown learning rate schedule 'Cosine'.*Did you mean \"CosineDecay\""):
        schedules.deserialize({"class_name": "Cosine", "config": {}})
    with pytest.raises(ValueError, match=r"needs its arguments.*CosineDecay\(\.\.\.\)"):
        schedules.get("CosineDecay")
