"""Convolution, pooling, padding and upsampling layers and the MobileNet/Conv
blocks: Keras shapes, names and weight layouts, values against jax.lax, the
data_format and implementation switches, configs, saving, and error messages."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

import trainlab as tl
from trainlab import layers

L = layers


def data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def run(layer, x, training=False):
    model = tl.Sequential([layer])
    variables = model.init(jax.random.key(0), x)
    y, state = model.apply(variables, x, training=training)
    return np.asarray(y), variables["params"].get(layer.name, {})


# (factory, input shape, output shape, weight shapes in Keras order, default name)
SHAPES = [
    (lambda: L.Conv2D(4, 3), (2, 9, 8, 3), (2, 7, 6, 4), [(3, 3, 3, 4), (4,)], "conv2d"),
    (lambda: L.Conv2D(4, (3, 2), strides=2, padding="same", use_bias=False), (2, 9, 8, 3), (2, 5, 4, 4),
     [(3, 2, 3, 4)], "conv2d"),
    (lambda: L.Conv2D(6, 3, dilation_rate=2, groups=3), (2, 9, 8, 3), (2, 5, 4, 6), [(3, 3, 1, 6), (6,)], "conv2d"),
    (lambda: L.Conv1D(5, 3, padding="causal"), (2, 10, 3), (2, 10, 5), [(3, 3, 5), (5,)], "conv1d"),
    (lambda: L.Conv1D(5, 4, strides=2), (2, 10, 3), (2, 4, 5), [(4, 3, 5), (5,)], "conv1d"),
    (lambda: L.DepthwiseConv2D(3, depth_multiplier=2), (2, 9, 8, 3), (2, 7, 6, 6), [(3, 3, 3, 2), (6,)],
     "depthwise_conv2d"),
    (lambda: L.SeparableConv2D(5, 3, padding="same", depth_multiplier=2), (2, 9, 8, 3), (2, 9, 8, 5),
     [(3, 3, 3, 2), (1, 1, 6, 5), (5,)], "separable_conv2d"),
    (lambda: L.Conv2DTranspose(4, 3, strides=2, padding="same"), (2, 5, 4, 3), (2, 10, 8, 4),
     [(3, 3, 4, 3), (4,)], "conv2d_transpose"),
    (lambda: L.Conv2DTranspose(4, 3, strides=2), (2, 5, 4, 3), (2, 11, 9, 4), [(3, 3, 4, 3), (4,)],
     "conv2d_transpose"),
    (lambda: L.Conv2DTranspose(4, 3, strides=2, output_padding=1), (2, 5, 4, 3), (2, 12, 10, 4),
     [(3, 3, 4, 3), (4,)], "conv2d_transpose"),
    (lambda: L.MaxPooling2D(), (2, 9, 8, 3), (2, 4, 4, 3), [], "max_pooling2d"),
    (lambda: L.MaxPooling2D(3, 2, padding="same"), (2, 9, 8, 3), (2, 5, 4, 3), [], "max_pooling2d"),
    (lambda: L.AveragePooling2D((2, 3)), (2, 9, 8, 3), (2, 4, 2, 3), [], "average_pooling2d"),
    (lambda: L.MaxPooling1D(), (2, 9, 3), (2, 4, 3), [], "max_pooling1d"),
    (lambda: L.AveragePooling1D(3, 1, "same"), (2, 9, 3), (2, 9, 3), [], "average_pooling1d"),
    (lambda: L.GlobalAveragePooling2D(), (2, 9, 8, 3), (2, 3), [], "global_average_pooling2d"),
    (lambda: L.GlobalMaxPooling2D(keepdims=True), (2, 9, 8, 3), (2, 1, 1, 3), [], "global_max_pooling2d"),
    (lambda: L.ZeroPadding2D(((1, 2), (0, 3))), (2, 9, 8, 3), (2, 12, 11, 3), [], "zero_padding2d"),
    (lambda: L.UpSampling2D((2, 3)), (2, 9, 8, 3), (2, 18, 24, 3), [], "up_sampling2d"),
    (lambda: L.MobileNetBlock(8, strides=2), (2, 9, 8, 3), (2, 5, 4, 8),
     [(3, 3, 3, 1), (3,), (3,), (3,), (3,), (1, 1, 3, 8), (8,), (8,), (8,), (8,)], "mobile_net_block"),
    (lambda: L.ConvBlock(8), (2, 9, 8, 3), (2, 9, 8, 8), [(3, 3, 3, 8), (8,), (8,), (8,), (8,)], "conv_block"),
]


@pytest.mark.parametrize("case", SHAPES, ids=lambda c: c[4] + str(c[2]))
def test_shapes_weights_and_names_follow_keras(case):
    factory, in_shape, out_shape, weight_shapes, name = case
    layer = factory()
    assert layer.name == name
    assert layer.compute_output_shape((None,) + in_shape[1:]) == (None,) + out_shape[1:]
    y = layer(jnp.asarray(data(in_shape)))
    assert y.shape == out_shape
    assert [w.shape for w in layer.get_weights()] == weight_shapes


def test_conv2d_is_activation_of_lax_convolution_plus_bias():
    x = data((2, 8, 7, 3))
    layer = L.Conv2D(4, 3, strides=(1, 2), padding="same", dilation_rate=1, activation="relu")
    y, p = run(layer, x)
    ref = lax.conv_general_dilated(x, p["kernel"], (1, 2), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    np.testing.assert_allclose(y, np.maximum(ref + p["bias"], 0), rtol=1e-5, atol=1e-5)


def test_separable_conv_is_depthwise_then_pointwise():
    x = data((2, 8, 7, 3))
    y, p = run(L.SeparableConv2D(5, 3, depth_multiplier=2), x)
    dn = ("NHWC", "HWIO", "NHWC")
    depth = lax.conv_general_dilated(x, p["depthwise_kernel"].reshape(3, 3, 1, 6), (1, 1), "VALID",
                                     dimension_numbers=dn, feature_group_count=3)
    ref = lax.conv_general_dilated(depth, p["pointwise_kernel"], (1, 1), "VALID", dimension_numbers=dn) + p["bias"]
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


# layers whose channels_first version must equal the channels_last one up to transposes
FORMAT_CASES = [
    lambda f: L.Conv2D(4, 3, strides=2, padding="same", data_format=f),
    lambda f: L.DepthwiseConv2D(3, depth_multiplier=2, data_format=f),
    lambda f: L.SeparableConv2D(4, 3, data_format=f),
    lambda f: L.Conv2DTranspose(4, 3, strides=2, data_format=f),
    lambda f: L.MaxPooling2D(3, 2, "same", data_format=f),
    lambda f: L.AveragePooling2D(2, data_format=f),
    lambda f: L.GlobalAveragePooling2D(data_format=f, keepdims=True),
    lambda f: L.ZeroPadding2D((1, 2), data_format=f),
    lambda f: L.UpSampling2D(2, data_format=f),
]


@pytest.mark.parametrize("factory", FORMAT_CASES, ids=lambda f: type(f("channels_last")).__name__)
def test_channels_first_matches_channels_last(factory):
    x = data((2, 7, 6, 3))
    last = factory("channels_last")
    first = factory("channels_first")
    y_last = last(jnp.asarray(x))
    if last.get_weights():
        first(jnp.moveaxis(x, -1, 1))
        first.set_weights(last.get_weights())  # same kernel layout in both formats, as Keras
    y_first = first(jnp.moveaxis(x, -1, 1))
    assert first.compute_output_shape((None, 3, 7, 6)) == (None,) + y_first.shape[1:]
    np.testing.assert_allclose(np.moveaxis(np.asarray(y_first), 1, -1), np.asarray(y_last), rtol=1e-5, atol=1e-5)


def test_conv1d_channels_first_and_causal_padding_sees_only_the_past():
    x = data((1, 8, 2))
    layer = L.Conv1D(3, 3, padding="causal", use_bias=False)
    y = np.asarray(layer(jnp.asarray(x)))
    x2 = x.copy()
    x2[:, 5:] += 10.0  # change the future
    y2 = np.asarray(layer(jnp.asarray(x2)))
    np.testing.assert_allclose(y[:, :5], y2[:, :5], rtol=1e-6)
    first = L.Conv1D(3, 3, data_format="channels_first", use_bias=False, padding="causal")
    first(jnp.moveaxis(x, -1, 1))
    first.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.moveaxis(np.asarray(first(jnp.moveaxis(x, -1, 1))), 1, -1), y, rtol=1e-5)


def test_implementation_argument_selects_the_kernel_and_both_agree():
    x = data((2, 8, 8, 3))
    model = tl.Sequential([L.Input((8, 8, 3)), L.Conv2D(4, 3, implementation="lax", name="c_lax"),
                           L.Conv2D(4, 3, name="c_auto"), L.MaxPooling2D(implementation="lax")])
    variables = model.init(jax.random.key(0), x)
    text = jax.jit(lambda v, x: model.apply(v, x)[0]).lower(variables, x).as_text()
    assert text.count("stablehlo.convolution") == 1  # c_lax only; c_auto uses patches on CPU
    assert "reduce_window" in text
    y_auto, _ = model.apply(variables, x)
    with tl.ops.implementation_scope("lax"):
        text_all = jax.jit(lambda v, x: model.apply(v, x)[0]).lower(variables, x).as_text()
        y_lax, _ = model.apply(variables, x)
    assert text_all.count("stablehlo.convolution") == 2
    np.testing.assert_allclose(np.asarray(y_auto), np.asarray(y_lax), rtol=1e-5, atol=1e-5)


def test_zero_padding_and_upsampling_values():
    x = np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1)
    y = np.asarray(L.ZeroPadding2D(((1, 0), (0, 2)))(jnp.asarray(x)))[0, :, :, 0]
    np.testing.assert_array_equal(y, [[0, 0, 0, 0], [0, 1, 0, 0], [2, 3, 0, 0]])
    up = np.asarray(L.UpSampling2D((1, 2))(jnp.asarray(x)))[0, :, :, 0]
    np.testing.assert_array_equal(up, [[0, 0, 1, 1], [2, 2, 3, 3]])
    bil = L.UpSampling2D(2, interpolation="bilinear")(jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(bil), np.asarray(jax.image.resize(x, (1, 4, 4, 1), "bilinear")), rtol=1e-6)


def test_global_pooling_values():
    x = data((2, 4, 3, 5))
    np.testing.assert_allclose(np.asarray(L.GlobalAveragePooling2D()(jnp.asarray(x))), x.mean((1, 2)), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(L.GlobalMaxPooling2D()(jnp.asarray(x))), x.max((1, 2)), rtol=1e-6)


@pytest.mark.parametrize("case", SHAPES[:-2] + [SHAPES[-2]], ids=lambda c: c[4] + str(c[2]))
def test_config_round_trips_through_the_registry(case):
    factory, in_shape, *_ = case
    layer = factory()
    config = layer.get_config()
    clone = tl.saving.deserialize_layer(json.loads(json.dumps(tl.saving.serialize_layer(layer))))
    assert type(clone) is type(layer) and clone.get_config() == config


def test_blocks_mobilenet_is_cheaper_than_plain_and_updates_batchnorm_state():
    x = data((4, 8, 8, 16))
    mobile, plain = L.MobileNetBlock(32), L.ConvBlock(32)
    mobile(jnp.asarray(x)), plain(jnp.asarray(x))
    # 3*3*16 + 16*32 conv weights (+ BN) against 3*3*16*32
    assert mobile.count_params() == 3 * 3 * 16 + 16 * 32 + 4 * 16 + 4 * 32
    assert plain.count_params() == 3 * 3 * 16 * 32 + 4 * 32
    model = tl.Sequential([L.Input((8, 8, 16)), L.MobileNetBlock(32, name="block")])
    variables = model.init(jax.random.key(0), x)
    y, state = model.apply(variables, x, training=True)
    assert float(y.min()) >= 0.0
    old = variables["state"]["block"]["depthwise_bn"]["moving_mean"]
    assert not np.allclose(np.asarray(state["block"]["depthwise_bn"]["moving_mean"]), np.asarray(old))


def test_cnn_trains_saves_loads_and_vmaps(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 64)
    x = rng.normal(0, 0.3, (64, 8, 8, 1)).astype("float32")
    x[y == 1, 2:6, 2:6] += 1.0  # class 1: a bright square
    model = tl.Sequential([
        L.Input((8, 8, 1)),
        L.Conv2D(4, 3, padding="same", activation="relu", kernel_regularizer="l2"),
        L.MaxPooling2D(),
        L.MobileNetBlock(8),
        L.Conv2DTranspose(4, 2, strides=2),
        L.GlobalAveragePooling2D(),
        L.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer=tl.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "cnn.trainlab"
    model.save(path)
    loaded = tl.models.load_model(path)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    # a population axis: vmap the pure forward pass over two members' parameters (one program)
    variables = model.variables

    @jax.jit
    def both(variables, x):
        stacked = jax.tree.map(lambda a: jnp.stack([a, a * 0.5]), variables)
        return jax.vmap(lambda v: model.apply(v, x)[0])(stacked), model.apply(variables, x)[0], loaded.apply(variables, x)[0]

    ys, single, single_loaded = both(variables, x[:8])
    np.testing.assert_allclose(np.asarray(ys[0]), np.asarray(single), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(single_loaded), np.asarray(single), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------------------------
# bad input: messages that name the layer, the shapes and the fix
def test_valid_kernel_larger_than_input_names_layer_input_and_kernel():
    with pytest.raises(ValueError, match=r"Layer 'conv2d' \(Conv2D\) with padding='valid' cannot slide a window of "
                                         r"`kernel_size` \(5, 5\) over inputs of spatial size \(3, 3\) \(input shape "
                                         r"\(None, 3, 3, 8\)\).*Use padding='same'"):
        L.Conv2D(4, 5)(jnp.ones((2, 3, 3, 8)))
    # in a model: the layer is named and so is the shape it received after pooling
    with pytest.raises(ValueError, match=r"'too_big' \(Conv2D\).*`kernel_size` \(3, 3\) \(dilated span \(5, 5\)\) "
                                         r"over inputs of spatial size \(4, 4\)"):
        tl.Sequential([L.Input((8, 8, 1)), L.MaxPooling2D(), L.Conv2D(2, 3, dilation_rate=2, name="too_big")])
    with pytest.raises(ValueError, match=r"'max_pooling2d(_\d)?' \(MaxPooling2D\).*`pool_size` \(4, 4\).*\(3, 3\)"):
        L.MaxPooling2D(4)(jnp.ones((1, 3, 3, 1)))


def test_channels_not_divisible_by_groups():
    with pytest.raises(ValueError, match=r"'conv2d' \(Conv2D\): the number of input channels \(6, input shape "
                                         r"\(None, 5, 5, 6\)\) must be divisible by `groups` \(4\)"):
        L.Conv2D(8, 3, groups=4)(jnp.ones((1, 5, 5, 6)))
    with pytest.raises(ValueError, match=r"`filters` of Conv2D must be divisible by `groups`: received filters=6, "
                                         r"groups=4"):
        L.Conv2D(6, 3, groups=4)


def test_wrong_rank_suggests_a_channel_axis():
    with pytest.raises(ValueError, match=r"'conv2d' \(Conv2D\) expects 4-D inputs \(batch, height, width, channels\); "
                                         r"received input shape \(None, 28, 28\).*add a channel axis: x\[\.\.\., None\]"
                                         r".*Reshape\(\(28, 28, 1\)\)"):
        L.Conv2D(4, 3)(jnp.ones((2, 28, 28)))
    with pytest.raises(ValueError, match=r"expects 4-D inputs.*received input shape \(None, 28, 28\).*channel axis"):
        tl.Sequential([L.Input((28, 28)), L.Conv2D(4, 3)])
    with pytest.raises(ValueError, match=r"'conv1d' \(Conv1D\) expects 3-D inputs \(batch, steps, channels\).*"
                                         r"channel axis"):
        L.Conv1D(4, 3)(jnp.ones((2, 10)))
    with pytest.raises(ValueError, match=r"'max_pooling2d' \(MaxPooling2D\) expects 4-D inputs \(batch, channels, "
                                         r"height, width\).*x\[:, None\]"):
        L.MaxPooling2D(data_format="channels_first")(jnp.ones((2, 28, 28)))


def test_built_layer_rejects_other_channel_counts():
    layer = L.Conv2D(4, 3)
    layer(jnp.ones((1, 5, 5, 3)))
    with pytest.raises(ValueError, match=r"was built for inputs with 3 channels.*\(None, 5, 5, 2\) with 2 channels"):
        layer(jnp.ones((1, 5, 5, 2)))


@pytest.mark.parametrize("make, error, match", [
    (lambda: L.Conv2D(4, 3, padding="full"), ValueError, r"`padding` must be one of 'valid', 'same'; received 'full'"),
    (lambda: L.Conv2D(4, 3, padding="causal"), ValueError, r"`padding` must be one of 'valid', 'same'"),
    (lambda: L.Conv2D(0, 3), ValueError, r"`filters` of Conv2D must be a positive integer; received 0"),
    (lambda: L.Conv2D(4, (3, 3, 3)), ValueError, r"`kernel_size` must be an integer or a tuple of 2 integers"),
    (lambda: L.Conv2D(4, 3, strides=0), ValueError, r"`strides` must contain only integers >= 1"),
    (lambda: L.Conv2D(4, 3, data_format="NHWC"), ValueError, r"`data_format` must be one of 'channels_last'"),
    (lambda: L.Conv2D(4, 3, implementation="cudnn"), ValueError, r"`implementation` must be one of"),
    (lambda: L.Conv2D(4, 3, kernel_constraint="max_norm"), NotImplementedError, r"`kernel_constraint`"),
    (lambda: L.Conv2DTranspose(4, 3, strides=2, output_padding=2), ValueError,
     r"`output_padding` of Conv2DTranspose must be smaller than `strides`"),
    (lambda: L.UpSampling2D(interpolation="area"), ValueError, r"`interpolation` must be one of 'nearest'"),
    (lambda: L.ZeroPadding2D((1, 2, 3)), ValueError, r"`padding` of ZeroPadding2D must be an int"),
    (lambda: L.Conv2D(4, 3, kernel_size_typo=1), TypeError, r"unexpected keyword argument\(s\) `kernel_size_typo`"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_image_data_format_default_follows_the_backend_setting():
    assert tl.backend.image_data_format() == "channels_last"
    tl.backend.set_image_data_format("channels_first")
    try:
        assert L.Conv2D(4, 3).data_format == "channels_first"
        assert L.MaxPooling2D().data_format == "channels_first"
        assert L.Conv2D(4, 3, data_format="channels_last").data_format == "channels_last"
    finally:
        tl.backend.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match=r"`data_format` must be one of"):
        tl.backend.set_image_data_format("NCHW")
