"""Population training: one vmapped program equals separate runs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers
from trainlab.core import EpochRunner, Objective, init_train_state, make_train_step, population


def _setup(optimizer, dropout=False):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 6)).astype("float32")
    y = rng.integers(0, 3, 96).astype("int32")
    stack = [layers.Dense(16, activation="relu", kernel_regularizer=tl.regularizers.L2(1e-3), name="h")]
    if dropout:
        stack.append(layers.Dropout(0.2, name="drop"))
    stack.append(layers.Dense(3, activation="softmax", name="out"))
    model = tl.Sequential(stack)
    model.build_from_data(x)
    obj = Objective.build(model, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    step = make_train_step(model, obj, optimizer)
    ts = init_train_state(model, obj, optimizer, key=jax.random.key(7))
    data = jax.device_put((x, y, None))
    return model, obj, step, ts, data


@pytest.mark.parametrize("opt", [tl.optimizers.Adam(), tl.optimizers.SGD(0.1, momentum=0.9)])
def test_four_learning_rates_vmapped_equal_four_separate_runs(opt):
    model, obj, step, ts, data = _setup(opt)
    lrs = [1e-3, 3e-3, 1e-2, 3e-2]
    members = [population.with_hyperparameters(ts, optimizer={"learning_rate": lr}) for lr in lrs]
    perm = jax.random.permutation(jax.random.key(1), 96)
    single = EpochRunner(step, num_samples=96, batch_size=16, results_fn=lambda s: obj.results(s.metrics))
    separate = []
    for m in members:
        for _ in range(2):
            m, _, _ = single.run_epoch(m, data, perm)
        separate.append(m)
    pop = EpochRunner(step, num_samples=96, batch_size=16, results_fn=lambda s: obj.results(s.metrics),
                      vmap_members=True)
    stacked = population.stack(members)
    for _ in range(2):
        stacked, logs, results = pop.run_epoch(stacked, data, perm)
    assert logs["loss"].shape == (4, 6)  # members x steps of the last epoch
    for i, m in enumerate(separate):
        got = population.member(stacked, i)
        for a, b in zip(jax.tree.leaves(got.params), jax.tree.leaves(m.params)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    # different learning rates really gave different models
    assert not np.allclose(population.member(stacked, 0).params["out"]["kernel"],
                           population.member(stacked, 3).params["out"]["kernel"])


def test_population_over_dropout_rate_and_l2_strength():
    model, obj, step, ts, data = _setup(tl.optimizers.Adam(), dropout=True)
    settings = [(0.0, 0.0), (0.2, 1e-3), (0.5, 1e-2)]
    members = [population.with_hyperparameters(ts, layers={"drop": {"rate": r}, "h": {"kernel_regularizer": {"l2": l2}}})
               for r, l2 in settings]
    perm = jnp.arange(96)
    single = EpochRunner(step, num_samples=96, batch_size=32)
    separate = [single.run_epoch(m, data, perm)[0] for m in members]
    pop = EpochRunner(step, num_samples=96, batch_size=32, vmap_members=True)
    stacked, _, _ = pop.run_epoch(population.stack(members), data, perm)
    for i, m in enumerate(separate):
        np.testing.assert_allclose(population.member(stacked, i).params["h"]["kernel"], m.params["h"]["kernel"],
                                   rtol=1e-5, atol=1e-5)


def test_with_hyperparameters_rejects_unknown_names():
    _, _, _, ts, _ = _setup(tl.optimizers.Adam())
    with pytest.raises(ValueError, match=r"`optimizer` has no hyperparameter 'lr'"):
        population.with_hyperparameters(ts, optimizer={"lr": 0.1})
    with pytest.raises(ValueError, match=r"`layers` has no hyperparameter 'drop'"):
        population.with_hyperparameters(ts, layers={"drop": {"rate": 0.1}})
