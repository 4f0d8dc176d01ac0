"""Behaviour that used to differ from Keras (issue 16, part B): each test is a
course pattern that must work as in Keras, checked against numbers."""

from __future__ import annotations

import numpy as np
import pytest

import trainlab as tl


def _data(n: int = 128, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.array([1.0, -2.0, 0.5, 0.0], "float32")).astype("float32")


def _mlp() -> tl.Sequential:
    model = tl.Sequential([tl.layers.Dense(8, activation="relu", input_shape=(4,)), tl.layers.Dense(1)])
    model.compile("adam", "mse")
    return model


def test_weights_load_into_a_second_instance_by_structure(tmp_path):
    x, y = _data()
    first, second = _mlp(), _mlp()
    assert [l.name for l in first.layers] != [l.name for l in second.layers]
    first.fit(x, y, epochs=1, verbose=0,
              callbacks=[tl.callbacks.ModelCheckpoint(str(tmp_path / "cp.ckpt"), save_weights_only=True)])
    second.load_weights(str(tmp_path / "cp.ckpt"))
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(second.predict(x, verbose=0), first.predict(x, verbose=0), rtol=1e-6)
    first.save(tmp_path / "whole.trainlab")
    third = _mlp()
    third.load_weights(tmp_path / "whole.trainlab")
    np.testing.assert_array_equal(third.get_weights()[0], first.get_weights()[0])


def test_weights_of_another_architecture_still_fail_clearly(tmp_path):
    _mlp().save_weights(tmp_path / "w.trainlab")
    other = tl.Sequential([tl.layers.Dense(5, input_shape=(4,)), tl.layers.Dense(1)])
    with pytest.raises(ValueError, match="different architecture|expects"):
        other.load_weights(tmp_path / "w.trainlab")


def test_subclass_called_with_functional_arguments_is_a_graph():
    calls = []

    class CustomModel(tl.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            calls.append("init")

    inputs = tl.layers.Input((4,))
    outputs = tl.layers.Dense(1)(tl.layers.Dense(8, activation="relu")(inputs))
    model = CustomModel(inputs, outputs)
    assert isinstance(model, CustomModel) and calls == ["init"]
    assert len(model.layers) == 3
    x, y = _data()
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    # numbers: the model's prediction is its graph, checked by hand from the weights
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), np.maximum(x @ k1 + b1, 0) @ k2 + b2, rtol=1e-4, atol=1e-5)
    assert history.history["loss"][-1] < history.history["loss"][0]


class _Recorder(tl.callbacks.Callback):
    """Declares `logs` without a default on every hook, as Keras allows."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_begin(self, logs):
        self.seen.append(("train_begin", dict(logs)))

    def on_epoch_begin(self, epoch, logs):
        self.seen.append(("epoch_begin", epoch, dict(logs)))

    def on_train_batch_begin(self, batch, logs):
        self.seen.append(("batch_begin", batch, dict(logs)))

    def on_train_batch_end(self, batch, logs):
        self.seen.append(("batch_end", batch, sorted(logs)))

    def on_epoch_end(self, epoch, logs):
        self.seen.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, logs):
        self.seen.append(("train_end", sorted(logs)))


def test_every_callback_hook_gets_logs():
    x, y = _data()
    rec = _Recorder()
    history = _mlp().fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[rec])
    kinds = [s[0] for s in rec.seen]
    assert kinds[0] == "train_begin" and kinds[-1] == "train_end"
    assert kinds.count("epoch_begin") == 2 and kinds.count("epoch_end") == 2 and "batch_end" in kinds
    assert rec.seen[0][1] == {} and rec.seen[1] == ("epoch_begin", 0, {})
    assert all(s[-1] == ["loss"] for s in rec.seen if s[0] in ("batch_end", "epoch_end", "train_end"))
    # batch hooks come in begin/end pairs that cover the epoch's 4 batches in order (between chunks)
    epoch0 = [s[:2] for s in rec.seen[2:kinds.index("epoch_end")]]
    assert epoch0[0] == ("batch_begin", 0) and epoch0[-1] == ("batch_end", 3)
    assert [k for k, _ in epoch0] == ["batch_begin", "batch_end"] * (len(epoch0) // 2)
    for (_, end), (_, begin) in zip(epoch0[1::2], epoch0[2::2]):
        assert begin == end + 1
    assert len(history.history["loss"]) == 2
    seen = []
    lam = tl.callbacks.LambdaCallback(on_train_begin=lambda logs: seen.append(logs),
                                      on_epoch_begin=lambda epoch, logs: seen.append((epoch, logs)))
    _mlp().fit(x, y, epochs=1, verbose=0, callbacks=[lam])
    assert seen == [{}, (0, {})]


def test_dict_of_unnamed_inputs_matches_by_the_dict_keys():
    x, y = _data()
    a, b = tl.layers.Input((2,)), tl.layers.Input((2,))
    out = tl.layers.Dense(1, use_bias=False)(tl.layers.Concatenate()([a, b]))
    model = tl.Model({"left": a, "right": b}, out)
    kernel = np.arange(4, dtype="float32").reshape(4, 1)
    model.set_weights([kernel])
    got = model.predict({"right": x[:, 2:], "left": x[:, :2]}, verbose=0)
    np.testing.assert_allclose(got, x @ kernel, rtol=1e-5)
    with pytest.raises(ValueError, match=r"keys \['l', 'right'\].*\['left', 'right'\]"):
        model.predict({"l": x[:, :2], "right": x[:, 2:]}, verbose=0)


def test_loss_list_on_a_subclassed_model_with_two_outputs():
    class TwoHeads(tl.Model):
        def __init__(self):
            super().__init__()
            self.hidden = tl.layers.Dense(8, activation="relu")
            self.price = tl.layers.Dense(1)
            self.kind = tl.layers.Dense(3, activation="softmax")

        def call(self, x):
            h = self.hidden(x)
            return [self.price(h), self.kind(h)]

    x, y = _data(256)
    labels = (x[:, 0] > 0).astype("int32") + (x[:, 1] > 0)
    model = TwoHeads()
    model.compile("adam", loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 2.0],
                  metrics=[[], ["accuracy"]])
    model.fit(x, [y, labels], epochs=2, verbose=0)
    logs = model.evaluate(x, [y, labels], verbose=0, return_dict=True)
    price, probs = model.predict(x, verbose=0)
    mse = float(np.mean((price[:, 0] - y) ** 2))
    ce = float(np.mean(-np.log(probs[np.arange(len(x)), labels])))
    np.testing.assert_allclose(logs["output_1_loss"], mse, rtol=1e-4)
    np.testing.assert_allclose(logs["output_2_loss"], ce, rtol=1e-4)
    np.testing.assert_allclose(logs["loss"], mse + 2 * ce, rtol=1e-4)
    np.testing.assert_allclose(logs["output_2_accuracy"], np.mean(probs.argmax(1) == labels), atol=1e-6)


def test_dict_outputs_are_named_by_their_keys():
    x, y = _data()
    inputs = tl.Input((4,))
    hidden = tl.layers.Dense(8, activation="relu")(inputs)
    model = tl.Model(inputs, {"zz_price": tl.layers.Dense(1, name="a")(hidden),
                              "kind": tl.layers.Dense(2, activation="softmax", name="b")(hidden)})
    assert sorted(model.output_names) == ["kind", "zz_price"]
    labels = (x[:, 0] > 0).astype("int32")
    model.compile("adam", loss={"zz_price": "mse", "kind": "sparse_categorical_crossentropy"},
                  loss_weights={"zz_price": 1.0, "kind": 0.5})
    model.fit(x, {"zz_price": y, "kind": labels}, epochs=1, verbose=0)
    logs = model.evaluate(x, {"zz_price": y, "kind": labels}, verbose=0, return_dict=True)
    out = model.predict(x, verbose=0)
    mse = float(np.mean((out["zz_price"][:, 0] - y) ** 2))
    ce = float(np.mean(-np.log(out["kind"][np.arange(len(x)), labels])))
    np.testing.assert_allclose([logs["zz_price_loss"], logs["kind_loss"], logs["loss"]], [mse, ce, mse + 0.5 * ce],
                               rtol=1e-4)


def test_checkpoint_every_n_batches_and_latest_checkpoint(tmp_path):
    import trainlab.compat.v1 as tf

    x, y = _data()
    batch_size = 32
    n_batches = len(x) // batch_size
    checkpoint_path = str(tmp_path / "training_2" / "cp-{epoch:04d}.ckpt")
    cp_callback = tl.callbacks.ModelCheckpoint(filepath=checkpoint_path, save_weights_only=True,
                                               save_freq=2 * n_batches)
    model = _mlp()
    model.save_weights(checkpoint_path.format(epoch=0))
    model.fit(x, y, epochs=5, batch_size=batch_size, callbacks=[cp_callback], verbose=0)
    assert sorted(p.name for p in (tmp_path / "training_2").iterdir()) == ["cp-0000.ckpt", "cp-0002.ckpt",
                                                                           "cp-0004.ckpt"]
    latest = tf.train.latest_checkpoint(str(tmp_path / "training_2"))
    assert latest.endswith("cp-0004.ckpt")
    fresh = _mlp()
    fresh.load_weights(latest)
    assert tf.train.latest_checkpoint(str(tmp_path / "nothing")) is None
    with pytest.raises(ValueError, match=r"`save_freq` must be 'epoch' or a positive number of batches.*'batch'"):
        tl.callbacks.ModelCheckpoint(checkpoint_path, save_freq="batch")
