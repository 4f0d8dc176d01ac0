"""The tf.keras surface of course programs' first lines (issue 16, part A): keras.ops names
against numpy, .numpy(), rank-1 inputs, activation layers, binning layers, and every
bad-input message."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import trainlab as tl

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4)).astype(np.float32)


@pytest.mark.parametrize("name,args,reference", [
    ("sum", (X, 1, True), lambda: X.sum(1, keepdims=True)),
    ("mean", (X, 0), lambda: X.mean(0)),
    ("max", (X, -1, True), lambda: X.max(-1, keepdims=True)),
    ("min", (X,), lambda: X.min()),
    ("argmax", (X, 1), lambda: X.argmax(1)),
    ("std", (X, 1), lambda: X.std(1)),
    ("var", (X,), lambda: X.var()),
    ("prod", (X, 0, True), lambda: X.prod(0, keepdims=True)),
    ("expand_dims", (X, 1), lambda: np.expand_dims(X, 1)),
    ("squeeze", (X[:, :1],), lambda: X[:, 0]),
    ("concatenate", ([X, X], 1), lambda: np.concatenate([X, X], 1)),
    ("stack", ([X, X],), lambda: np.stack([X, X])),
    ("reshape", (X, (2, 6)), lambda: X.reshape(2, 6)),
    ("transpose", (X,), lambda: X.T),
    ("matmul", (X, X.T), lambda: X @ X.T),
    ("clip", (X, -0.5, 0.5), lambda: np.clip(X, -0.5, 0.5)),
    ("where", (X > 0, X, 0.0), lambda: np.where(X > 0, X, 0.0)),
    ("linspace", (0.0, 1.0, 7), lambda: np.linspace(0.0, 1.0, 7)),
    ("arange", (2, 9, 3), lambda: np.arange(2, 9, 3)),
    ("square", (X,), lambda: X ** 2),
    ("logsumexp", (X, 1), lambda: np.log(np.exp(X).sum(1))),
    ("softmax", (X,), lambda: np.exp(X) / np.exp(X).sum(-1, keepdims=True)),
    ("softmax", (X, 0), lambda: np.exp(X) / np.exp(X).sum(0, keepdims=True)),
    ("log_softmax", (X,), lambda: X - np.log(np.exp(X).sum(-1, keepdims=True))),
    ("sigmoid", (X,), lambda: 1 / (1 + np.exp(-X))),
    ("relu", (X,), lambda: np.maximum(X, 0)),
    ("leaky_relu", (X,), lambda: np.where(X > 0, X, 0.2 * X)),
    ("one_hot", (np.array([0, 2, -1]), 3), lambda: np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0]], np.float32)),
    ("cast", (np.array([1.7, -1.2]), "int32"), lambda: np.array([1, -1])),
    ("convert_to_tensor", ([[1, 2]],), lambda: np.array([[1, 2]])),
])
def test_ops_match_numpy_with_keras_argument_order(name, args, reference):
    out = getattr(tl.ops, name)(*args)
    np.testing.assert_allclose(np.asarray(out), reference(), rtol=1e-5, atol=1e-6)
    assert isinstance(out.numpy(), np.ndarray)


def test_ops_keep_kernel_selection_names_and_give_keras_dtypes():
    assert callable(tl.ops.set_implementation) and callable(tl.ops.conv)
    assert tl.ops.convert_to_tensor(1.5).dtype == jnp.float32
    assert tl.ops.convert_to_tensor(np.arange(3.0)).dtype == jnp.float32   # float64 data: floatx
    assert tl.ops.shape(X) == (3, 4) and tl.ops.size(X) == 12 and tl.ops.ndim(X) == 2
    values, indices = tl.ops.top_k(np.array([1.0, 5.0, 3.0]), 2)
    assert values.tolist() == [5.0, 3.0] and indices.tolist() == [1, 2]


@pytest.mark.parametrize("call,match", [
    (lambda: tl.ops.one_hot([0], 0), r"`num_classes` must be a positive int; received 0"),
    (lambda: tl.ops.convert_to_tensor([1], sparse=True), r"`sparse=True` is not supported"),
])
def test_ops_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_numpy_method_on_arrays_and_clear_error_when_traced():
    np.testing.assert_array_equal(jnp.arange(3).numpy(), np.arange(3))
    with pytest.raises(TypeError, match=r"`.numpy\(\)` was called on a traced array inside jax.jit"):
        jax.jit(lambda a: a.numpy())(jnp.ones(2))


def test_top_level_input_and_rank1_inputs_are_expanded():
    assert tl.Input is tl.layers.Input
    x = np.linspace(-1, 1, 8).astype(np.float32)
    model = tl.Sequential([tl.Input(shape=(1,)), tl.layers.Dense(2)])
    out = model(x)
    np.testing.assert_allclose(out.numpy(), x[:, None] @ model.get_weights()[0] + model.get_weights()[1], rtol=1e-6)
    a, b = tl.Input(shape=(1,), name="a"), tl.Input(shape=(1,), name="b")
    functional = tl.Model({"a": a, "b": b}, tl.layers.concatenate([a, b]))
    np.testing.assert_allclose(functional.predict({"a": x, "b": 2 * x}, verbose=0), np.stack([x, 2 * x], 1))
    with pytest.raises(ValueError, match=r"expects shape \(None, 1\), but `x` gives shape \(None, 3\)"):
        functional.predict({"a": np.zeros((4, 3)), "b": np.zeros(4)}, verbose=0)


def test_normalization_axis_none_takes_declared_column():
    x = RNG.normal(3.0, 2.0, size=50).astype(np.float32)
    norm = tl.layers.Normalization(axis=None)
    norm.adapt(x)
    model = tl.Sequential([tl.Input(shape=(1,)), norm])
    np.testing.assert_allclose(model.predict(x, verbose=0)[:, 0], (x - x.mean()) / x.std(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(norm.mean.numpy(), x.mean(), rtol=1e-5)


def test_layer_output_errors_and_sequential_graph():
    with pytest.raises(ValueError, match=r"has no `output` yet"):
        tl.layers.Dense(2).output
    model = tl.Sequential([tl.layers.Dense(3, input_shape=(2,), name="h"), tl.layers.Dense(1)])
    assert model.get_layer("h").output.shape == (None, 3) and model.input.shape == (None, 2)
    with pytest.raises(ValueError, match=r"has no symbolic `inputs` yet"):
        tl.Sequential([tl.layers.Dense(1)]).inputs


@pytest.mark.parametrize("layer,reference", [
    (tl.layers.Softmax(axis=0), lambda x: np.exp(x) / np.exp(x).sum(0, keepdims=True)),
    (tl.layers.ReLU(max_value=0.5, negative_slope=0.1), lambda x: np.minimum(np.where(x >= 0, x, 0.1 * x), 0.5)),
    (tl.layers.LeakyReLU(alpha=0.2), lambda x: np.where(x >= 0, x, 0.2 * x)),
])
def test_activation_layers_match_numpy(layer, reference):
    np.testing.assert_allclose(layer(X).numpy(), reference(X), rtol=1e-5, atol=1e-7)


def test_activation_layer_errors():
    with pytest.raises(ValueError, match=r"`negative_slope` must be >= 0; received -1.0"):
        tl.layers.LeakyReLU(negative_slope=-1)


def test_softmax_mask_zeroes_masked_positions():
    out = tl.layers.Softmax()(np.zeros((1, 3), np.float32), mask=np.array([[True, True, False]]))
    np.testing.assert_allclose(out.numpy(), [[0.5, 0.5, 0.0]], atol=1e-6)


def test_discretization_equals_numpy_digitize_and_errors():
    x = RNG.normal(size=100).astype(np.float32)
    layer = tl.layers.Discretization(bin_boundaries=[-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(layer(x).numpy(), np.digitize(x, [-1.0, 0.0, 1.0]))
    hot = tl.layers.Discretization(bin_boundaries=[0.0], output_mode="one_hot")(x[:, None]).numpy()
    np.testing.assert_array_equal(hot.argmax(1), (x >= 0).astype(int))
    with pytest.raises(ValueError, match=r"exactly one of `bin_boundaries`.*num_bins"):
        tl.layers.Discretization()
    with pytest.raises(ValueError, match=r"`bin_boundaries` must be sorted"):
        tl.layers.Discretization(bin_boundaries=[1.0, 0.0])
    with pytest.raises(ValueError, match=r"has no bin boundaries yet: call .*adapt"):
        tl.layers.Discretization(num_bins=3)(x)


def test_hashed_crossing_is_deterministic_uniform_and_checks_inputs():
    a, b = np.meshgrid(np.arange(60), np.arange(60))
    cross = tl.layers.HashedCrossing(num_bins=6)
    bins = cross((a.ravel(), b.ravel())).numpy()
    assert bins.min() >= 0 and bins.max() < 6
    np.testing.assert_array_equal(bins, cross((a.ravel(), b.ravel())).numpy())
    counts = np.bincount(bins, minlength=6)
    assert np.abs(counts / counts.mean() - 1).max() < 0.1        # 3600 pairs spread evenly
    hot = tl.layers.HashedCrossing(num_bins=6, output_mode="one_hot")((a.ravel(), b.ravel())).numpy()
    np.testing.assert_array_equal(hot.argmax(1), bins)
    with pytest.raises(ValueError, match=r"tuple of at least two feature arrays"):
        cross((a.ravel(),))
    with pytest.raises(ValueError, match=r"`num_bins` must be a positive"):
        tl.layers.HashedCrossing(num_bins=0)


def test_callbacks_and_backend_argument_errors():
    with pytest.raises(ValueError, match=r"`save_freq` must be 'epoch' or a positive number of batches.*received 0"):
        tl.callbacks.ModelCheckpoint("m.trainlab", save_freq=0)
    with pytest.raises(ValueError, match=r"`histogram_freq` must be >= 0"):
        tl.callbacks.TensorBoard(histogram_freq=-1)
    with pytest.raises(ValueError, match=r"`update_freq` must be one of"):
        tl.callbacks.TensorBoard(update_freq="step")
    with pytest.warns(UserWarning, match=r"trainlab trains in float32 only"):
        tl.backend.set_floatx("float64")
    assert tl.backend.floatx() == "float32"
    with pytest.raises(ValueError, match=r"`value` of set_floatx must be one of"):
        tl.backend.set_floatx("float8")
    with pytest.raises(ValueError, match=r"`filename` of Dataset.cache must be ''"):
        tl.data.Dataset.from_tensor_slices(np.arange(3.0)).cache("cache.tmp")


def test_lowercase_initializer_aliases_and_model_losses():
    assert tl.initializers.glorot_uniform is tl.initializers.GlorotUniform
    assert tl.initializers.he_normal is tl.initializers.HeNormal
    model = tl.Sequential([tl.layers.Dense(2, input_shape=(3,), kernel_regularizer=tl.regularizers.l1(0.1),
                                           bias_regularizer=tl.regularizers.l2(0.5), bias_initializer="ones")])
    kernel, bias = model.get_weights()
    np.testing.assert_allclose([float(p) for p in model.losses],
                               [0.1 * np.abs(kernel).sum(), 0.5 * (bias ** 2).sum()], rtol=1e-5)


def test_evaluate_builds_an_unbuilt_model_from_a_dataset_or_generator():
    x = RNG.random((64, 3)).astype(np.float32)
    y = (x.sum(1) > 1.5).astype(np.int32)
    for data in (tl.data.Dataset.from_tensor_slices((x, y)).batch(16),
                 ((x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16))):
        model = tl.Sequential([tl.layers.Dense(2, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        loss, acc = model.evaluate(data, verbose=0)
        p = model.predict(x, verbose=0)
        assert loss == pytest.approx(float(-np.log(p[np.arange(64), y]).mean()), rel=1e-5)  # all 4 batches
        assert acc == pytest.approx(float((p.argmax(1) == y).mean()))


def test_summary_expand_nested_and_show_trainable():
    inner = tl.Sequential([tl.layers.Dense(4, input_shape=(3,), name="inner_a"), tl.layers.Dense(2, name="inner_b")],
                          name="block")
    model = tl.Sequential([tl.Input(shape=(3,)), inner, tl.layers.Dense(1, name="head")])
    inner.layers[0].trainable = False
    flat = model.summary(print_fn=lambda s: None)
    assert "inner_a" not in flat and "block (Sequential)" in flat
    text = model.summary(print_fn=lambda s: None, expand_nested=True, show_trainable=True)
    rows = [line.split() for line in text.splitlines() if "(" in line and "Model:" not in line and "params" not in line]
    assert [r[0] for r in rows[1:]] == ["block", "│", "│", "head"]
    assert rows[2][-1] == "N" and rows[2][-2] == str(3 * 4 + 4) and rows[3][-1] == "Y"


def test_plot_model_writes_an_image_of_the_graph(tmp_path):
    a, b = tl.Input(shape=(1,), name="a"), tl.Input(shape=(1,), name="b")
    model = tl.Model([a, b], tl.layers.Dense(1)(tl.layers.concatenate([a, b])))
    png = tl.utils.plot_model(model, tmp_path / "m.png", show_shapes=True)
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    svg = tl.utils.plot_model(model, tmp_path / "m.svg", rankdir="LR")
    assert "<svg" in open(svg).read()
    from trainlab.utils.plot import _graph

    layers, edges = _graph(model)
    assert [l.name for l in layers][:2] == ["a", "b"] and sorted(edges) == [(0, 2), (1, 2), (2, 3)]
    with pytest.raises(ValueError, match=r"`to_file` must end in one of .png"):
        tl.utils.plot_model(model, tmp_path / "m.gif")
    with pytest.raises(ValueError, match=r"`rankdir` must be one of"):
        tl.utils.plot_model(model, tmp_path / "m.png", rankdir="BT")


def test_new_layers_save_and_load(tmp_path):
    a, b = tl.Input(shape=(1,), name="lat"), tl.Input(shape=(1,), name="lon")
    adapted = tl.layers.Discretization(num_bins=3)
    adapted.adapt(RNG.random(100))
    crossed = tl.layers.HashedCrossing(9, output_mode="one_hot")(
        (tl.layers.Discretization(bin_boundaries=[0.3, 0.6])(a), adapted(b)))
    out = tl.layers.Softmax()(tl.layers.LeakyReLU(0.1)(tl.layers.ReLU(max_value=2.0)(tl.layers.Dense(2)(crossed))))
    model = tl.Model({"lat": a, "lon": b}, out)
    x = {"lat": RNG.random(20).astype(np.float32), "lon": RNG.random(20).astype(np.float32)}
    model.save(tmp_path / "m.trainlab")
    loaded = tl.models.load_model(tmp_path / "m.trainlab")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_final_softmax_layer_gives_the_stable_cross_entropy():
    model = tl.Sequential([tl.Input(shape=(2,)), tl.layers.Dense(2, kernel_initializer="ones", use_bias=False),
                           tl.layers.Softmax()])
    model.compile("sgd", "sparse_categorical_crossentropy")
    x = np.array([[100.0, -100.0]], np.float32)
    model.set_weights([np.array([[1.0, -1.0], [0.0, 0.0]], np.float32)])
    loss = model.evaluate(x, np.array([1]), verbose=0)
    assert loss == pytest.approx(200.0, rel=1e-5)          # -log softmax([100, -100])[1], from the logits


def test_experimental_preprocessing_namespace_of_tf_2_3():
    from trainlab.layers.experimental import preprocessing

    assert preprocessing.Normalization is tl.layers.Normalization
    assert tl.layers.experimental.preprocessing.Discretization is tl.layers.Discretization


@pytest.mark.parametrize("module", ["trainlab.ops.numpy", "trainlab.layers.activation", "trainlab._numpy_compat",
                                    "trainlab.models._rank", "trainlab.data.preprocessing.binning",
                                    "trainlab.layers.experimental", "trainlab.backend"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
