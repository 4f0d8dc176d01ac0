"""trainlab.optimizers against the Keras 3 update formulas, written out in numpy.

The reference below is an independent float64 transcription of Keras 3's
``BaseOptimizer.apply`` (schedule at ``iterations``, clip, decoupled weight
decay, update rule) and of each optimizer's ``update_step``.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from trainlab import optimizers, schedules
from trainlab.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Nadam,
    Optimizer,
    OptState,
    RMSprop,
)

STEPS = 5

# --------------------------------------------------------------------------- problem
# Params of several shapes (matrix, vector, scalar); the loss is a quartic bowl
# with different curvature per coordinate, so gradients change every step.
RNG = np.random.default_rng(0)
P0 = {"w": RNG.normal(size=(3, 2)), "b": RNG.normal(size=(2,)), "s": np.array(1.5)}
CURV = {k: RNG.uniform(0.5, 3.0, size=np.shape(v)) for k, v in P0.items()}
TARGET = {k: RNG.normal(size=np.shape(v)) for k, v in P0.items()}


def loss_jax(p):
    return sum(
        jnp.sum(0.5 * CURV[k] * (p[k] - TARGET[k]) ** 2 + 0.025 * p[k] ** 4) for k in p
    )


def grad_np(p):
    return {k: CURV[k] * (p[k] - TARGET[k]) + 0.1 * p[k] ** 3 for k in p}


def params32():
    return {k: jnp.asarray(v, jnp.float32) for k, v in P0.items()}


# ---------------------------------------------------------------- numpy reference
KERAS_DEFAULTS = {
    "sgd": dict(learning_rate=0.01, momentum=0.0, nesterov=False),
    "rmsprop": dict(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False),
    "adagrad": dict(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7),
    "adadelta": dict(learning_rate=0.001, rho=0.95, epsilon=1e-7),
    "adam": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False),
    "adamw": dict(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                  amsgrad=False),
    "nadam": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
    "adamax": dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
}
CLASSES = {"sgd": SGD, "rmsprop": RMSprop, "adagrad": Adagrad, "adadelta": Adadelta, "adam": Adam,
           "adamw": AdamW, "nadam": Nadam, "adamax": Adamax}


def np_lr(lr, it):
    """Keras evaluates a schedule at `iterations` (before the increment)."""
    if isinstance(lr, dict):  # the only schedule used here: ExponentialDecay
        c = lr["config"]
        p = it / c["decay_steps"]
        if c.get("staircase"):
            p = math.floor(p)
        return c["initial_learning_rate"] * c["decay_rate"] ** p
    return lr


def np_clip(g, c):
    if c.get("clipnorm"):
        cn = c["clipnorm"]
        return {k: v * cn / max(np.sqrt(np.sum(v**2)), cn) for k, v in g.items()}
    if c.get("global_clipnorm"):
        cn = c["global_clipnorm"]
        norm = np.sqrt(sum(np.sum(v**2) for v in g.values()))
        return {k: v * cn * min(1 / norm, 1 / cn) for k, v in g.items()}
    if c.get("clipvalue"):
        return {k: np.clip(v, -c["clipvalue"], c["clipvalue"]) for k, v in g.items()}
    return g


def np_rule(kind, c, w, g, s, t, lr):
    """One Keras update_step for one variable. `s` is this variable's slot dict."""
    if kind == "sgd":
        if c["momentum"] != 0:
            s["v"] = c["momentum"] * s.get("v", 0.0) - lr * g
            return w + (c["momentum"] * s["v"] - lr * g if c["nesterov"] else s["v"])
        return w - lr * g
    if kind == "rmsprop":
        rho = c["rho"]
        s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g**2
        if c["centered"]:
            s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
            denom = s["v"] - s["a"] ** 2 + c["epsilon"]
        else:
            denom = s["v"] + c["epsilon"]
        inc = lr * g / np.sqrt(denom)
        if c["momentum"] > 0:
            s["m"] = c["momentum"] * s.get("m", 0.0) + inc
            return w - s["m"]
        return w - inc
    if kind == "adagrad":
        s["acc"] = s.get("acc", c["initial_accumulator_value"]) + g**2
        return w - lr * g / np.sqrt(s["acc"] + c["epsilon"])
    if kind == "adadelta":
        rho, eps = c["rho"], c["epsilon"]
        s["ag"] = rho * s.get("ag", 0.0) + (1 - rho) * g**2
        delta = -np.sqrt(s.get("ad", 0.0) + eps) * g / np.sqrt(s["ag"] + eps)
        s["ad"] = rho * s.get("ad", 0.0) + (1 - rho) * delta**2
        return w + lr * delta
    if kind in ("adam", "adamw"):
        b1, b2 = c["beta_1"], c["beta_2"]
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        s["v"] = s.get("v", 0.0) + (g**2 - s.get("v", 0.0)) * (1 - b2)
        v = s["v"]
        if c["amsgrad"]:
            s["vh"] = np.maximum(s.get("vh", 0.0), s["v"])
            v = s["vh"]
        return w - s["m"] * alpha / (np.sqrt(v) + c["epsilon"])
    if kind == "nadam":
        b1, b2 = c["beta_1"], c["beta_2"]
        u_t = b1 * (1 - 0.5 * 0.96**t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_prod = s["__u_product__"]  # shared scalar, already multiplied by u_t
        s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        s["v"] = s.get("v", 0.0) + (g**2 - s.get("v", 0.0)) * (1 - b2)
        m_hat = u_t1 * s["m"] / (1 - u_prod * u_t1) + (1 - u_t) * g / (1 - u_prod)
        v_hat = s["v"] / (1 - b2**t)
        return w - m_hat * lr / (np.sqrt(v_hat) + c["epsilon"])
    if kind == "adamax":
        b1, b2 = c["beta_1"], c["beta_2"]
        s["m"] = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g))
        return w - lr * s["m"] / ((1 - b1**t) * (s["u"] + c["epsilon"]))
    raise AssertionError(kind)


def keras_reference(kind, kwargs, steps=STEPS, hparams=None):
    c = {"weight_decay": None, **KERAS_DEFAULTS[kind], **kwargs, **(hparams or {})}
    p = {k: np.array(v, np.float64) for k, v in P0.items()}
    slots = {k: {} for k in p}
    u_product = 1.0
    for it in range(steps):
        t = it + 1
        g = np_clip(grad_np(p), c)
        lr = np_lr(c["learning_rate"], it)
        if c["weight_decay"] is not None:
            p = {k: v - v * c["weight_decay"] * lr for k, v in p.items()}
        if kind == "nadam":
            u_product *= c["beta_1"] * (1 - 0.5 * 0.96**t)
            for s in slots.values():
                s["__u_product__"] = u_product
        p = {k: np_rule(kind, c, p[k], g[k], slots[k], t, lr) for k in p}
    return p


# ------------------------------------------------------------------ trainlab runs
def run(opt, steps=STEPS, hparams=None):
    """`steps` updates in one compiled scan; returns float64 numpy params."""

    @jax.jit
    def go(params, state):
        def body(carry, _):
            p, s = carry
            updates, s = opt.update(jax.grad(loss_jax)(p), s, p)
            return (optax.apply_updates(p, updates), s), None

        return jax.lax.scan(body, (params, state), None, length=steps)[0]

    params = params32()
    params, state = go(params, opt.init(params, hparams))
    assert int(state.count) == steps
    return {k: np.asarray(v, np.float64) for k, v in params.items()}


def assert_params_close(got, want, tol=1e-6):
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=tol, atol=tol, err_msg=f"param {k!r}")


EXP = {"class_name": "ExponentialDecay",
       "config": {"initial_learning_rate": 0.2, "decay_steps": 2, "decay_rate": 0.5, "staircase": False}}
EXP_STAIR = {"class_name": "ExponentialDecay",
             "config": {"initial_learning_rate": 0.05, "decay_steps": 2, "decay_rate": 0.3, "staircase": True}}

CASES = [
    ("sgd", {}),
    ("sgd", dict(learning_rate=0.1)),
    ("sgd", dict(learning_rate=0.05, momentum=0.9)),
    ("sgd", dict(learning_rate=0.05, momentum=0.8, nesterov=True)),
    ("sgd", dict(learning_rate=EXP, momentum=0.9)),          # lr inside the velocity
    ("sgd", dict(learning_rate=EXP_STAIR, momentum=0.7, nesterov=True)),
    ("sgd", dict(learning_rate=0.1, weight_decay=0.3)),
    ("sgd", dict(learning_rate=0.1, clipnorm=0.5)),
    ("sgd", dict(learning_rate=0.1, momentum=0.5, clipvalue=0.3)),
    ("rmsprop", {}),
    ("rmsprop", dict(learning_rate=0.05, rho=0.8, epsilon=0.1)),
    ("rmsprop", dict(learning_rate=0.05, momentum=0.6)),
    ("rmsprop", dict(learning_rate=0.05, centered=True, epsilon=0.3)),
    ("rmsprop", dict(learning_rate=EXP, centered=True, momentum=0.5, global_clipnorm=1.0)),
    ("adagrad", {}),
    ("adagrad", dict(learning_rate=0.3, initial_accumulator_value=0.0, epsilon=0.5)),
    ("adagrad", dict(learning_rate=0.3, weight_decay=0.2, clipnorm=0.8)),
    ("adadelta", {}),
    ("adadelta", dict(learning_rate=1.0, rho=0.9, epsilon=0.01)),
    ("adadelta", dict(learning_rate=EXP_STAIR, epsilon=0.05, clipvalue=0.5)),
    ("adam", {}),
    ("adam", dict(learning_rate=0.1, epsilon=0.1)),        # eps placement is visible
    ("adam", dict(learning_rate=0.1, beta_1=0.5, beta_2=0.8, amsgrad=True, epsilon=0.01)),
    ("adam", dict(learning_rate=0.1, weight_decay=0.2)),
    ("adam", dict(learning_rate=0.1, global_clipnorm=0.7)),
    ("adam", dict(learning_rate=EXP, clipnorm=0.9)),
    ("adamw", {}),
    ("adamw", dict(learning_rate=0.1, weight_decay=0.3, epsilon=0.05)),
    ("adamw", dict(learning_rate=EXP, weight_decay=0.1, amsgrad=True, beta_2=0.9)),
    ("nadam", {}),
    ("nadam", dict(learning_rate=0.1, epsilon=0.1, beta_1=0.8)),
    ("nadam", dict(learning_rate=EXP, clipnorm=0.6, weight_decay=0.05)),
    ("adamax", {}),
    ("adamax", dict(learning_rate=0.1, epsilon=0.2, beta_2=0.7)),
    ("adamax", dict(learning_rate=0.1, weight_decay=0.2, clipvalue=0.4)),
]


@pytest.mark.parametrize("kind,kwargs", CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(CASES)])
def test_matches_keras_formulas(kind, kwargs):
    got = run(CLASSES[kind](**kwargs))
    assert_params_close(got, keras_reference(kind, kwargs))


def test_reference_is_sensitive():
    """The table above can fail: optax's Adam (eps outside the bias correction)
    and optax's momentum SGD under a schedule give different parameters."""
    got = run(Adam(learning_rate=0.1, epsilon=0.1))
    params = params32()
    tx = optax.adam(0.1, eps=0.1)
    state = tx.init(params)
    for _ in range(STEPS):
        updates, state = tx.update(jax.grad(loss_jax)(params), state)
        params = optax.apply_updates(params, updates)
    assert np.max(np.abs(got["w"] - np.asarray(params["w"]))) > 1e-3
    sched = schedules.deserialize(EXP)
    ours = run(SGD(learning_rate=sched, momentum=0.9))
    want = keras_reference("sgd", dict(learning_rate=EXP, momentum=0.9))
    params = params32()
    tx = optax.sgd(lambda count: sched(count), momentum=0.9)
    state = tx.init(params)
    for _ in range(STEPS):
        updates, state = tx.update(jax.grad(loss_jax)(params), state)
        params = optax.apply_updates(params, updates)
    assert_params_close(ours, want)
    assert np.max(np.abs(want["w"] - np.asarray(params["w"]))) > 1e-3


@pytest.mark.parametrize("kind", sorted(CLASSES))
def test_defaults_are_keras_defaults(kind):
    config = CLASSES[kind]().get_config()
    for key, value in KERAS_DEFAULTS[kind].items():
        assert config[key] == value, key


def test_zero_momentum_through_velocity_path_is_plain_sgd():
    plain = run(SGD(learning_rate=0.1))
    via_velocity = run(SGD(learning_rate=0.1, momentum=0.5), hparams={"momentum": 0.0})
    assert_params_close(via_velocity, plain, tol=1e-7)
    assert "momentum" not in SGD().hyperparameters()
    assert SGD().init(params32()).slots == optax.sgd(0.1).init(params32())
    with pytest.raises(ValueError, match=r"`momentum` is static .* nonzero `momentum`"):
        SGD().set_hyperparameters({"momentum": 0.9})


# ---------------------------------------------------------------- populations
POPULATION_LRS = [0.01, 0.05, 0.1, 0.2]


@pytest.mark.parametrize("opt", [
    SGD(0.1, momentum=0.9, global_clipnorm=2.0),
    RMSprop(0.1, momentum=0.5, centered=True, clipvalue=1.0),
    Adam(0.1, amsgrad=True, clipnorm=1.0),
    Nadam(0.1, weight_decay=0.1),
], ids=["sgd", "rmsprop", "adam", "nadam"])
def test_vmap_population_equals_separate_runs(opt):
    params = params32()
    lrs = jnp.asarray(POPULATION_LRS, jnp.float32)
    states = jax.vmap(lambda lr: opt.init(params, {"learning_rate": lr}))(lrs)
    pop = jax.tree.map(lambda x: jnp.broadcast_to(x, (len(POPULATION_LRS),) + x.shape), params)

    @jax.jit
    def pop_step(p, s):
        g = jax.vmap(jax.grad(loss_jax))(p)
        u, s = jax.vmap(opt.update)(g, s, p)
        return optax.apply_updates(p, u), s

    for _ in range(3):
        pop, states = pop_step(pop, states)
    for i, lr in enumerate(POPULATION_LRS):
        single = run(opt, steps=3, hparams={"learning_rate": lr})
        assert_params_close({k: np.asarray(v[i], np.float64) for k, v in pop.items()}, single)


def test_vmap_over_schedule_parameters():
    opt = Adam(schedules.CosineDecay(0.1, decay_steps=4, alpha=0.1))
    params = params32()
    initial = jnp.asarray([0.05, 0.1, 0.2], jnp.float32)
    states = jax.vmap(lambda v: opt.init(params, {"learning_rate/initial_learning_rate": v}))(initial)
    pop = jax.tree.map(lambda x: jnp.stack([x] * 3), params)
    for _ in range(3):
        u, states = jax.vmap(opt.update)(jax.vmap(jax.grad(loss_jax))(pop), states, pop)
        pop = optax.apply_updates(pop, u)
    np.testing.assert_allclose(
        jax.vmap(opt.learning_rate_at)(states),
        [schedules.CosineDecay(float(v), 4, alpha=0.1)(3) for v in initial], rtol=1e-6)
    for i, v in enumerate(initial.tolist()):
        single = run(opt, steps=3, hparams={"learning_rate/initial_learning_rate": v})
        assert_params_close({k: np.asarray(x[i], np.float64) for k, x in pop.items()}, single)


# ----------------------------------------------------------------------- jit
def test_new_hyperparameter_values_do_not_recompile():
    traces = []
    opt = Adam(0.1, clipnorm=1.0, weight_decay=0.01)

    @jax.jit
    def step(grads, state, params):
        traces.append(1)  # runs only while tracing
        return opt.update(grads, state, params)

    params = params32()
    state = opt.init(params)
    grads = jax.grad(loss_jax)(params)
    u1, state = step(grads, state, params)
    state = opt.replace_hyperparameters(state, {"learning_rate": 0.5, "beta_1": 0.7, "clipnorm": 2.0})
    u2, state = step(grads, state, params)
    state = opt.init(params, {"epsilon": 1e-3, "weight_decay": 0.2})
    step(grads, state, params)
    assert len(traces) == 1
    assert not np.allclose(u1["w"], u2["w"])


# ------------------------------------------------------------- object API
def test_hyperparameters_keys_and_learning_rate_at():
    sched = schedules.ExponentialDecay(0.1, 10, 0.5)
    opt = RMSprop(sched, momentum=0.9, centered=True, weight_decay=0.01, global_clipnorm=2.0)
    assert list(opt.hyperparameters()) == [
        "learning_rate/initial_learning_rate", "learning_rate/decay_steps", "learning_rate/decay_rate",
        "rho", "momentum", "epsilon", "weight_decay", "global_clipnorm"]
    state = opt.init(params32())
    assert all(v.dtype == jnp.float32 for v in state.hparams.values())
    assert state.count.dtype == jnp.int32
    state = state._replace(count=jnp.asarray(7, jnp.int32))
    np.testing.assert_allclose(opt.learning_rate_at(state), 0.1 * 0.5 ** 0.7, rtol=1e-6)
    assert opt.learning_rate is sched


def test_set_hyperparameters_and_attributes():
    opt = Adam(0.01)
    opt.set_hyperparameters({"learning_rate": 0.5, "beta_1": 0.8})
    opt.epsilon = 1e-3
    opt.learning_rate = 0.25
    assert opt.hyperparameters() == {"learning_rate": 0.25, "beta_1": 0.8, "beta_2": 0.999, "epsilon": 1e-3}
    assert opt.beta_1 == 0.8 and opt.get_config()["epsilon"] == 1e-3
    opt.set_hyperparameters({"learning_rate": np.array([0.1, 0.2])})  # per-member values
    assert isinstance(opt.hyperparameters()["learning_rate"], np.ndarray)
    with pytest.raises(ValueError, match=r"`beta_1` must be in \[0, 1\); received 1.5"):
        opt.beta_1 = 1.5
    with pytest.raises(ValueError, match=r"Unknown hyperparameter 'beta1'.*Did you mean \"beta_1\""):
        opt.set_hyperparameters({"beta1": 0.9})
    sgd = SGD(schedules.PiecewiseConstantDecay([2, 4], [0.1, 0.05, 0.01]), momentum=0.9)
    sgd.set_hyperparameters({"learning_rate/values": [0.2, 0.1, 0.05], "momentum": 0.5})
    assert sgd.learning_rate.values == [0.2, 0.1, 0.05] and sgd.momentum == 0.5


def test_as_optax_matches_update_and_injects_hyperparameters():
    opt = Nadam(0.05, clipvalue=0.5)
    tx = opt.as_optax()
    assert isinstance(tx, optax.GradientTransformation)
    params_a = params_b = params32()
    state_a, state_b = tx.init(params_a), opt.init(params_b)
    for _ in range(3):
        u, state_a = tx.update(jax.grad(loss_jax)(params_a), state_a, params_a)
        params_a = optax.apply_updates(params_a, u)
        u, state_b = opt.update(jax.grad(loss_jax)(params_b), state_b, params_b)
        params_b = optax.apply_updates(params_b, u)
    for k in params_a:
        np.testing.assert_array_equal(params_a[k], params_b[k])
    # like optax.inject_hyperparams, the learning rate is read from the state
    state_a.hparams["learning_rate"] = jnp.asarray(0.0, jnp.float32)
    u, _ = tx.update(jax.grad(loss_jax)(params_a), state_a, params_a)
    assert all(float(jnp.max(jnp.abs(x))) == 0.0 for x in jax.tree.leaves(u))
    chained = optax.chain(optax.identity(), tx)
    chained.update(jax.grad(loss_jax)(params_a), chained.init(params_a), params_a)


def test_optstate_is_a_pytree():
    state = SGD(0.1, momentum=0.9).init(params32())
    assert isinstance(state, OptState)
    leaves, treedef = jax.tree.flatten(state)
    assert isinstance(jax.tree.unflatten(treedef, leaves), OptState)


# ------------------------------------------------------------ config and get
ALL_OPTIMIZERS = [
    SGD(), SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0),
    RMSprop(), RMSprop(0.01, rho=0.8, momentum=0.5, centered=True, clipvalue=0.5),
    Adagrad(), Adagrad(0.1, initial_accumulator_value=0.0, global_clipnorm=3.0),
    Adadelta(), Adadelta(1.0, rho=0.9, weight_decay=0.1),
    Adam(), Adam(schedules.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=10), amsgrad=True),
    AdamW(), AdamW(schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001]), weight_decay=0.1),
    Nadam(), Nadam(schedules.InverseTimeDecay(0.1, 5, 0.5, staircase=True), epsilon=1e-3),
    Adamax(), Adamax(0.01, beta_2=0.99, name="my_adamax"),
]


@pytest.mark.parametrize("opt", ALL_OPTIMIZERS, ids=lambda o: repr(o)[:60])
def test_config_round_trip(opt):
    config = opt.get_config()
    clone = type(opt).from_config(config)
    assert clone.get_config() == config
    want = opt.hyperparameters()
    got = clone.hyperparameters()
    assert list(got) == list(want) and all(np.array_equal(got[k], want[k]) for k in want)
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is type(opt) and again.get_config() == config
    assert optimizers.get(optimizers.serialize(opt)).get_config() == config


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamw", "nadam", "adamax"])
def test_get_by_name_is_case_insensitive(name):
    assert type(optimizers.get(name)) is CLASSES[name]
    assert type(optimizers.get(CLASSES[name].__name__.upper())) is CLASSES[name]
    opt = Adam()
    assert optimizers.get(opt) is opt and optimizers.get(None) is None


def test_keras_config_dict_is_accepted():
    keras_config = {
        "module": "keras.optimizers", "class_name": "Adam", "registered_name": None,
        "config": {"name": "adam", "learning_rate": 0.002, "weight_decay": None, "clipnorm": None,
                   "global_clipnorm": None, "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                   "ema_overwrite_frequency": None, "loss_scale_factor": None,
                   "gradient_accumulation_steps": None, "beta_1": 0.9, "beta_2": 0.999,
                   "epsilon": 1e-07, "amsgrad": False},
    }
    opt = optimizers.get(keras_config)
    assert isinstance(opt, Adam) and opt.learning_rate == 0.002
    sched = SGD(learning_rate={"class_name": "ExponentialDecay", "config": EXP["config"]})
    assert isinstance(sched.learning_rate, schedules.ExponentialDecay)


# ---------------------------------------------------------------- bad input
def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown optimizer 'adamm'.*Did you mean \"adam\".*"
                                         r"adadelta, adagrad, adam, adamax, adamw, nadam, rmsprop, sgd"):
        optimizers.get("adamm")
    with pytest.raises(TypeError, match="Could not interpret"):
        optimizers.get(3.0)


def test_bad_arguments_have_actionable_messages():
    with pytest.raises(ValueError, match=r"`learning_rate` must be in \[0, inf\); received -0.1\. Pass a small"):
        SGD(learning_rate=-0.1)
    with pytest.raises(ValueError, match=r"Only one of `clipnorm`, `clipvalue` and `global_clipnorm`.*"
                                         r"clipnorm=1.0, clipvalue=0.5"):
        Adam(clipnorm=1.0, clipvalue=0.5)
    with pytest.raises(ValueError, match=r"`clipnorm` must be in \[0, inf\); received -1"):
        Adam(clipnorm=-1)
    with pytest.raises(ValueError, match=r"`momentum` must be in \[0, 1\]; received 1.5"):
        SGD(momentum=1.5)
    with pytest.raises(ValueError, match=r"`weight_decay` must be a float for AdamW.*weight_decay=None"):
        AdamW(weight_decay=None)
    with pytest.raises(ValueError, match=r"renamed `learning_rate`.*Adam\(learning_rate=0.1\)"):
        Adam(lr=0.1)
    with pytest.raises(ValueError, match=r"`use_ema=True` is a Keras feature"):
        Adam(use_ema=True)
    with pytest.raises(ValueError, match=r"not recognized by SGD: \['momentun'\].*Did you mean"):
        SGD(momentun=0.9)
    with pytest.warns(UserWarning, match="`decay` is no longer supported"):
        SGD(decay=1e-6)
    with pytest.raises(TypeError, match=r"`learning_rate` must be a float or a trainlab LearningRateSchedule"):
        SGD(learning_rate=lambda: 0.1)


def test_float_learning_rate_on_schedule_built_optimizer_raises():
    opt = SGD(schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match=r"created with a `LearningRateSchedule`.*not settable"):
        opt.learning_rate = 0.01
    with pytest.raises(ValueError, match=r"Unknown hyperparameter 'learning_rate'.*schedule"):
        opt.set_hyperparameters({"learning_rate": 0.01})


def test_state_and_argument_mismatches():
    opt = Adam(weight_decay=0.1)
    params = params32()
    state = opt.init(params)
    with pytest.raises(ValueError, match=r"`params` is required .* `weight_decay` is set"):
        opt.update(params, state)
    with pytest.raises(ValueError, match=r"`state.hparams` has keys .* call `opt.init\(params\)` again"):
        Adam().update(params, state, params)
    with pytest.raises(ValueError, match=r"`hparams\['learning_rate'\]` must have shape \(\).*jax.vmap"):
        opt.init(params, {"learning_rate": jnp.ones(4)})


def test_optimizer_base_is_abstract():
    class Broken(Optimizer):
        pass

    with pytest.raises(NotImplementedError):
        Broken(0.1).init(params32())
