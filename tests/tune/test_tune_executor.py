"""The population executor: a vmapped population equals separate runs, grouping, chunking, failures."""

import jax
import numpy as np
import pytest

import trainlab as tl
from trainlab import layers
from trainlab.tune import Member, PopulationExecutor, estimate_member_bytes, structure_signature, strategies
from trainlab.tune.executor import CPU_MEMBERS_PER_PROGRAM
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
    together, ex = _run(make(), x, y, vx, vy, per_program=3, epochs=1)
    alone, _ = _run(make(), x, y, vx, vy, per_program=1, epochs=1)
    assert len({m.group for m in together}) == 1
    for a, b in zip(together, alone):
        for la, lb in zip(jax.tree.leaves(a.ts.params), jax.tree.leaves(b.ts.params)):
            np.testing.assert_allclose(la, lb, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(a.history["val_loss"], b.history["val_loss"], rtol=1e-5)


def test_population_member_equals_model_fit():
    """Independent reference: the Keras-style shell trains one member the same way."""
    x, y, vx, vy = _data()
    lrs = [1e-3, 5e-2]
    members, _ = _run([_model(lr, x=x) for lr in lrs], x, y, vx, vy, per_program=2, shuffle=False)
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
              _model(3e-2, units=8, x=x)]
    members, ex = _run(models, x, y, vx, vy, per_program=2, epochs=1)
    groups = [m.group for m in members]
    assert groups[0] == groups[1] == groups[3] != groups[2]
    assert sorted(ex.chunk_sizes) == [1, 1, 2]  # group of 3 -> chunks 2 + 1; group of 1
    assert all(m.status == "complete" for m in members)
    s1 = structure_signature(models[0], 16)
    assert s1 == structure_signature(models[1], 16) != structure_signature(models[0], 32)
    assert s1 != structure_signature(models[2], 16)


def test_member_bytes_estimate_and_memory_bounded_chunks(monkeypatch):
    x, y, vx, vy = _data()
    member = Member(0, _model(x=x), seed=0, batch_size=16)
    ex = PopulationExecutor(x, y, validation_data=(vx, vy), epochs=1, objective="val_loss", concurrent_programs=1)
    g = ex._group_for(member)
    ts = g.init_state(member, x[:1])
    n_params = 6 * 16 + 16 + 16 * 3 + 3
    est = estimate_member_bytes(ts, member.model, batch_size=16)
    # params + Adam m and v + gradient (float32), plus activations (16 + 3 per sample, 3 copies)
    expected = 4 * n_params * 4 + 3 * 4 * 16 * (16 + 3)
    assert expected <= est < expected + 4096  # + metric states, counters
    # the population is chunked so that members x bytes fit in the device budget
    data_bytes = (x.nbytes + y.nbytes + vx.nbytes + vy.nbytes)
    monkeypatch.setattr("trainlab.tune.executor.device_memory_budget", lambda fraction: data_bytes + 3 * est + 10)
    monkeypatch.setattr("trainlab.tune.executor.jax.default_backend", lambda: "gpu")
    assert ex.capacity(g, ts, member) == 3
    ex.concurrent_programs = 3  # programs that run at the same time share the budget
    assert ex.capacity(g, ts, member) == 1
    ex.concurrent_programs = 1
    monkeypatch.setattr("trainlab.tune.executor.device_memory_budget", lambda fraction: 1 << 40)
    monkeypatch.setattr("trainlab.tune.executor.jax.default_backend", lambda: "gpu")
    assert ex.capacity(g, ts, member) > 10**6  # a GPU takes every member that fits
    monkeypatch.setattr("trainlab.tune.executor.jax.default_backend", lambda: "cpu")
    assert ex.capacity(g, ts, member) == CPU_MEMBERS_PER_PROGRAM  # small chunks on CPU
    monkeypatch.setattr("trainlab.tune.executor.device_memory_budget", lambda fraction: 0)
    assert ex.capacity(g, ts, member) == 1  # never less than one member
    assert PopulationExecutor(x, y, members_per_program=5).capacity(g, ts, member) == 5


def test_concurrent_programs_default_and_agree_with_one_at_a_time(monkeypatch):
    from trainlab.tune.executor import cpu_cores

    x, y, vx, vy = _data()
    monkeypatch.setattr("trainlab.tune.executor.jax.default_backend", lambda: "cpu")
    assert PopulationExecutor(x, y).concurrency() == cpu_cores() >= 1  # one program per core on CPU
    monkeypatch.setattr("trainlab.tune.executor.jax.default_backend", lambda: "gpu")
    assert PopulationExecutor(x, y).concurrency() == 1  # one program with the whole population on GPU
    monkeypatch.undo()
    with pytest.raises(ValueError, match="concurrent_programs"):
        PopulationExecutor(x, y, concurrent_programs=0)
    lrs = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
    runs = {}
    for k in (1, 3):  # chunks of 2 + 2 + 1, one at a time or all three at once on threads
        members = [Member(i, _model(lr, x=x), seed=i, batch_size=16) for i, lr in enumerate(lrs)]
        ex = PopulationExecutor(x, y, validation_data=(vx, vy), epochs=2, objective="val_loss",
                                members_per_program=2, concurrent_programs=k, seed=3)
        ex.run(members)
        assert sorted(ex.chunk_sizes) == [1, 1, 2, 2, 2, 2]
        runs[k] = members
    for a, b in zip(runs[1], runs[3]):
        assert a.status == b.status == "complete"
        np.testing.assert_allclose(a.history["val_loss"], b.history["val_loss"], rtol=1e-6)
        np.testing.assert_allclose(a.ts.params["dense"]["kernel"], b.ts.params["dense"]["kernel"], rtol=1e-6)


def test_pbt_step_copies_weights_of_better_members_and_perturbs_their_hyperparameters():
    from trainlab.tune import Float, SearchSpace

    x, y, vx, vy = _data()
    space = SearchSpace([Float("learning_rate", 1e-4, 1.0, log=True)])
    lrs = [1e-3, 1e-2, 1e-1, 3e-1]
    members = [Member(i, _model(lr, x=x), seed=i, config={"learning_rate": lr}) for i, lr in enumerate(lrs)]
    ex = PopulationExecutor(x, y, validation_data=(vx, vy), epochs=3, objective="val_loss", direction="minimize",
                            strategy=strategies.get("pbt", fraction=0.5, resample_probability=0.0), space=space,
                            rebuild=lambda c: _model(c["learning_rate"], x=x))
    groups = {}
    for m, loss in zip(members, [0.5, 0.2, 0.9, 0.1]):  # ranking: 3, 1 best; 0, 2 worst
        g = ex._group_for(m)
        groups[m.group] = g
        m.ts = g.init_state(m, x[:1])
        m.history = {"val_loss": [loss]}
    before = {m.number: m.ts for m in members}
    ex._pbt_step(members, groups, 1)
    for m in (members[0], members[2]):
        (entry,) = m.pbt_log
        donor = before[entry["parent"]]
        assert entry["parent"] in (1, 3) and entry["epoch"] == 1
        for a, b in zip(jax.tree.leaves(m.ts.params), jax.tree.leaves(donor.params)):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(jax.tree.leaves(m.ts.opt_state.slots), jax.tree.leaves(donor.opt_state.slots)):
            np.testing.assert_array_equal(a, b)
        ratio = entry["config"]["learning_rate"] / lrs[entry["parent"]]
        assert ratio == pytest.approx(0.8) or ratio == pytest.approx(1.2)
        assert float(m.ts.opt_state.hparams["learning_rate"]) == pytest.approx(entry["config"]["learning_rate"])
    assert not members[1].pbt_log and not members[3].pbt_log
    assert members[1].ts is before[1]


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
