"""The population executor: a vmapped population equals separate runs, grouping, chunking, failures."""

import jax
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers
from trainlab.tune import Member, PopulationExecutor, estimate_member_bytes, structure_signature, strategies
from trainlab.tune.tuner import fresh_layer_names


def _data(n=192, d=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n + 64, d)).astype("float32")
    y = np.argmax(x @ rng.normal(size=(d, k)), axis=1).astype("int32")
    return x[:n], y[:n], x[n:], y[n:]


def _model(lr=1e-2, units=16, dropout=None, l2=None, opt="adam", momentum=0.9, x=None):
    with fresh_layer_names():
        stack = [layers.Dense(units, activation="relu",
                              kernel_regularizer=None if l2 is None else tl.regularizers.L2(l2))]
        if dropout is not None:
            stack.append(layers.Dropout(dropout))
        stack.append(layers.Dense(3))
        model = tl.Sequential(stack)
        optimizer = tl.optimizers.Adam(lr) if opt == "adam" else tl.optimizers.SGD(lr, momentum=momentum)
        model.compile(optimizer=optimizer, metrics=["accuracy"],
                      loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.build_from_data(x[:2])
    return model


def _run(models, x, y, vx, vy, *, per_program, epochs=2, shuffle=True, strategy=None, batch_sizes=None):
    members = [Member(i, m, seed=100 + i, batch_size=(batch_sizes or {}).get(i, 16)) for i, m in enumerate(models)]
    ex = PopulationExecutor(x, y, validation_data=(vx, vy), epochs=epochs, objective="val_loss",
                            direction="minimize", members_per_program=per_program, shuffle=shuffle, seed=5,
                            strategy=strategy)
    ex.run(members)
    return members, ex


@pytest.mark.parametrize("opt", ["adam", "sgd"])
def test_population_equals_separate_runs_over_optimizer_hyperparameters(opt):
    x, y, vx, vy = _data()
    settings = [(1e-3, 0.1), (3e-3, 0.5), (1e-2, 0.9), (3e-2, 0.95)]  # momentum 0 would be static
    make = lambda: [_model(lr, opt=opt, momentum=mom, x=x) for lr, mom in settings]  # noqa: E731
    together, ex = _run(make(), x, y, vx, vy, per_program=4)
    assert ex.chunk_sizes == [4, 4]  # one program call per epoch for all four members
    alone, ex1 = _run(make(), x, y, vx, vy, per_program=1)
    assert ex1.chunk_sizes == [1] * 8
    for a, b in zip(together, alone):
        assert a.status == b.status == "complete"
        for la, lb in zip(jax.tree.leaves(a.ts.params), jax.tree.leaves(b.ts.params)):
            np.testing.assert_allclose(la, lb, rtol=1e-5, atol=1e-5)
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            np.testing.assert_allclose(a.history[key], b.history[key], rtol=1e-5, atol=1e-5)
    # the members really differ
    assert not np.allclose(together[0].ts.params["dense"]["kernel"], together[3].ts.params["dense"]["kernel"])


def test_population_over_dropout_and_l2_equals_separate_runs():
    x, y, vx, vy = _data()
    settings = [(0.0, 0.0), (0.2, 1e-3), (0.5, 1e-2)]
    make = lambda: [_model(3e-3, dropout=r, l2=l2, x=x) for r, l2 in settings]  # noqa: E731
    together, ex = _run(make(), x, y, vx, vy, per_program=3)
    alone, _ = _run(make(), x, y, vx, vy, per_program=1)
    assert len({m.group for m in together}) == 1
    for a, b in zip(together, alone):
        for la, lb in zip(jax.tree.leaves(a.ts.params), jax.tree.leaves(b.ts.params)):
            np.testing.assert_allclose(la, lb, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(a.history["val_loss"], b.history["val_loss"], rtol=1e-5)


def test_population_member_equals_model_fit():
    """Independent reference: the Keras-style shell trains one member the same way."""
    x, y, vx, vy = _data()
    lrs = [1e-3, 1e-2, 5e-2]
    members, _ = _run([_model(lr, x=x) for lr in lrs], x, y, vx, vy, per_program=3, shuffle=False)
    for lr, m in zip(lrs, members):
        ref = _model(lr, x=x)
        ref.variables = ref.init(jax.random.key(m.seed), x[:1])
        hist = ref.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_data=(vx, vy))
        np.testing.assert_allclose(m.history["loss"], hist.history["loss"], rtol=1e-5)
        np.testing.assert_allclose(m.history["val_accuracy"], hist.history["val_accuracy"], rtol=1e-5)
        np.testing.assert_allclose(m.ts.params["dense_1"]["kernel"], ref.get_weights()[2], rtol=1e-5, atol=1e-5)


def test_shapes_and_batch_sizes_form_separate_groups_and_chunks_respect_the_cap():
    x, y, vx, vy = _data()
    models = [_model(1e-2, units=8, x=x), _model(2e-2, units=8, x=x), _model(1e-2, units=16, x=x),
              _model(1e-2, units=8, x=x), _model(1e-2, units=8, x=x)]
    members, ex = _run(models, x, y, vx, vy, per_program=2, epochs=1, batch_sizes={4: 32})
    groups = [m.group for m in members]
    assert groups[0] == groups[1] == groups[3] != groups[2]
    assert groups[4] not in (groups[0], groups[2])  # same shapes, other batch size
    assert sorted(ex.chunk_sizes) == [1, 1, 1, 2]  # group of 3 -> chunks 2 + 1
    s1 = structure_signature(models[0], 16)
    assert s1 == structure_signature(models[1], 16) != structure_signature(models[0], 32)
    assert s1 != structure_signature(models[2], 16)


def test_member_bytes_estimate_counts_state_gradients_and_activations():
    x, y, vx, vy = _data()
    members, ex = _run([_model(x=x)], x, y, vx, vy, per_program=None, epochs=1)
    model = members[0].model
    g = next(iter(ex._groups.values()))
    ts = g.init_state(members[0], x[:1])
    n_params = 6 * 16 + 16 + 16 * 3 + 3
    est = estimate_member_bytes(ts, model, batch_size=16)
    # params + Adam m and v + gradient, float32, plus activations (16 + 3 per sample, 3 copies)
    assert est >= 4 * n_params * 4 + 3 * 4 * 16 * (16 + 3)
    assert est < 4 * n_params * 4 + 3 * 4 * 16 * (16 + 3) + 4096
    # with no explicit cap, capacity follows free memory
    assert ex.capacity(g, ts, members[0]) > 1000


def test_failing_member_is_isolated_and_others_train():
    x, y, vx, vy = _data()
    bad = _model(1e-2, x=x)

    def broken():
        raise RuntimeError("boom in setup")

    bad.optimizer.hyperparameters = broken
    models = [_model(1e-2, x=x), bad, _model(2e-2, x=x), _model(3e-2, x=x)]
    members = [Member(i, m, seed=i, batch_size=16) for i, m in enumerate(models)]
    ex = PopulationExecutor(x, y, validation_data=(vx, vy), epochs=2, objective="val_loss", direction="minimize",
                            members_per_program=4)
    real_epoch = ex._epoch

    def epoch(g, chunk, perm):  # member 2 breaks the compiled program of any chunk it is in
        if any(m.number == 2 for m in chunk):
            raise FloatingPointError("boom in training")
        return real_epoch(g, chunk, perm)

    ex._epoch = epoch
    ex.run(members)
    assert [m.status for m in members] == ["complete", "failed", "failed", "complete"]
    assert members[1].error == "RuntimeError: boom in setup"
    assert members[2].error == "FloatingPointError: boom in training"
    assert members[0].epochs_done == members[3].epochs_done == 2


def test_diverged_member_fails_with_message():
    x, y, vx, vy = _data()
    x = x.copy()
    x[0, 0] = 1e30  # overflows the loss of every member
    members, _ = _run([_model(1.0, x=x)], x, y, vx, vy, per_program=1, epochs=1)
    assert members[0].status == "failed"
    assert "became nan" in members[0].error and "lower learning rate" in members[0].error


def test_successive_halving_inside_a_population():
    x, y, vx, vy = _data()
    lrs = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1]
    strategy = strategies.get("successive_halving", reduction_factor=2)
    members, ex = _run([_model(lr, x=x) for lr in lrs], x, y, vx, vy, per_program=8, epochs=3, strategy=strategy)
    done = [m for m in members if m.status == "complete"]
    assert len(done) == 2 and sum(m.status == "pruned" for m in members) == 6
    assert sorted(m.epochs_done for m in members) == [1, 1, 1, 1, 2, 2, 3, 3]
    assert ex.chunk_sizes == [8, 4, 2]
    # survivors of rung 1 were the best half by val_loss after epoch 1
    after1 = sorted(members, key=lambda m: m.history["val_loss"][0])
    assert {m.number for m in after1[:4]} == {m.number for m in members if m.epochs_done >= 2}
