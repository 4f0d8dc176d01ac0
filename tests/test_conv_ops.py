"""trainlab.ops convolution and pooling kernels: both implementations ("patches",
"lax") against references written directly with jax.lax.conv_general_dilated /
lax.reduce_window, for values and for gradients with respect to the input and
the kernel, over tables of strides, paddings, dilations, groups, depthwise,
transposed, 1-D and 2-D cases."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from trainlab import ops

IMPLS = ["patches", "lax"]
DN = {1: ("NWC", "WIO", "NWC"), 2: ("NHWC", "HWIO", "NHWC")}


def rand(seed, shape):
    """Test data from numpy: no JAX program to compile per shape."""
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def compare(reference, candidates, *args, seed=99):
    """Value and gradients (w.r.t. every argument) of `reference` and of each
    candidate, all in ONE compiled program (compiling dominates the run time)."""
    ct = rand(seed, jax.eval_shape(reference, *args).shape)

    def value_and_grads(fn, args):
        y, vjp = jax.vjp(fn, *args)
        return (y,) + vjp(ct)

    run = jax.jit(lambda *args: [value_and_grads(f, args) for f in [reference, *candidates.values()]])
    want, *got = run(*args)
    names = ["value"] + [f"gradient w.r.t. argument {i}" for i in range(len(args))]
    for label, result in zip(candidates, got):
        for name, g, r in zip(names, result, want):
            assert g.shape == r.shape, f"{label}: {name} shape {g.shape} != {r.shape}"
            np.testing.assert_allclose(np.asarray(g), np.asarray(r), rtol=2e-4, atol=2e-4, err_msg=f"{label}: {name}")
    return want


# --------------------------------------------------------------------------------------------
# regular and grouped convolution
# (input shape, kernel window, strides, padding, dilation, groups, filters)
CONV_CASES = [
    ((2, 7, 6, 3), (3, 3), 1, "valid", 1, 1, 4),
    ((2, 7, 6, 3), (3, 3), 1, "same", 1, 1, 4),
    ((2, 7, 6, 3), (3, 3), 2, "same", 1, 1, 4),
    ((2, 8, 8, 3), (2, 2), 2, "valid", 1, 1, 5),
    ((2, 7, 6, 3), (3, 3), 1, "same", 2, 1, 4),
    ((2, 9, 8, 2), (3, 3), 2, "same", 2, 1, 3),  # strides and dilation together
    ((2, 7, 6, 3), (2, 3), (1, 2), "same", 1, 1, 4),  # rectangular window, mixed strides
    ((2, 6, 6, 2), (4, 4), 1, "same", 1, 1, 3),  # even window: asymmetric "same" padding
    ((2, 5, 5, 3), (1, 1), 1, "valid", 1, 1, 6),  # pointwise
    ((2, 7, 6, 4), (3, 3), 1, "same", 1, 2, 6),  # groups
    ((2, 7, 6, 4), (3, 3), 2, "valid", 1, 4, 8),  # groups == channels: depthwise via conv
    ((2, 4, 4, 2), (3, 3), 1, ((2, 0), (1, 3)), 1, 1, 3),  # explicit padding pairs
    ((2, 11, 3), (3,), 1, "same", 1, 1, 4),  # 1-D
    ((2, 11, 3), (3,), 1, "causal", 1, 1, 4),
    ((2, 11, 3), (3,), 2, "valid", 2, 1, 4),
    ((2, 11, 4), (5,), 1, "same", 1, 2, 4),
]


def conv_reference(x, w, strides, padding, dilation, groups):
    rank = x.ndim - 2
    strides = (strides,) * rank if isinstance(strides, int) else strides
    dilation = (dilation,) * rank if isinstance(dilation, int) else dilation
    if padding == "causal":
        padding = [((w.shape[0] - 1) * dilation[0], 0)]
    elif isinstance(padding, str):
        padding = padding.upper()
    return lax.conv_general_dilated(x, w, strides, padding, rhs_dilation=dilation, dimension_numbers=DN[rank],
                                    feature_group_count=groups)


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}-k{c[1]}-s{c[2]}-{c[3]}-d{c[4]}-g{c[5]}")
def test_conv_matches_lax_values_and_gradients(case):
    shape, window, strides, padding, dilation, groups, filters = case
    x = rand(0, shape)
    w = rand(1, window + (shape[-1] // groups, filters)) * 0.3
    compare(lambda x, w: conv_reference(x, w, strides, padding, dilation, groups),
            {f"conv[{impl}] {case}": (lambda x, w, impl=impl: ops.conv(x, w, strides, padding, dilation, groups,
                                                                     implementation=impl)) for impl in IMPLS},
            x, w)


# --------------------------------------------------------------------------------------------
# depthwise convolution, Keras kernel layout (*window, C, multiplier)
DEPTHWISE_CASES = [  # stride 1 and multiplier 1 use a hand-written input gradient
    ((2, 7, 6, 3), (3, 3), 1, "same", 1, 1),
    ((2, 7, 6, 3), (3, 3), 1, "valid", 2, 1),
    ((2, 6, 6, 2), (4, 4), 1, "same", 1, 1),
    ((2, 5, 4, 2), (3, 3), 1, ((2, 0), (0, 3)), 1, 1),
    ((2, 10, 3), (3,), 1, "same", 1, 1),
    ((2, 7, 6, 3), (3, 3), 1, "valid", 1, 2),
    ((2, 8, 7, 3), (3, 3), 2, "same", 1, 1),
    ((2, 8, 8, 2), (3, 3), 1, "same", 2, 3),
    ((2, 10, 3), (3,), 2, "valid", 1, 2),
]


@pytest.mark.parametrize("case", DEPTHWISE_CASES, ids=str)
def test_depthwise_conv_matches_lax(case):
    shape, window, strides, padding, dilation, mult = case
    c = shape[-1]
    x = rand(2, shape)
    w = rand(3, window + (c, mult)) * 0.3

    def reference(x, w):
        return conv_reference(x, w.reshape(window + (1, c * mult)), strides, padding, dilation, c)

    compare(reference, {f"depthwise[{impl}] {case}": (lambda x, w, impl=impl: ops.depthwise_conv(
        x, w, strides, padding, dilation, implementation=impl)) for impl in IMPLS}, x, w)


# --------------------------------------------------------------------------------------------
# transposed convolution, Keras kernel layout (*window, filters, C) and Keras output sizes
# (input shape, window, strides, padding, output_padding, dilation, filters, expected spatial output)
TRANSPOSE_CASES = [
    ((2, 4, 5, 3), (3, 3), 1, "valid", None, 1, 4, (6, 7)),
    ((2, 4, 5, 3), (3, 3), 1, "same", None, 1, 4, (4, 5)),
    ((2, 4, 5, 3), (3, 3), 2, "same", None, 1, 4, (8, 10)),
    ((2, 4, 5, 3), (3, 3), 2, "valid", None, 1, 4, (9, 11)),
    ((2, 4, 4, 3), (2, 2), 2, "valid", None, 1, 2, (8, 8)),
    ((2, 3, 4, 2), (3, 3), 3, "same", None, 1, 3, (9, 12)),
    ((2, 4, 5, 3), (3, 3), 1, "valid", None, 2, 4, (8, 9)),
    ((2, 4, 5, 3), (3, 3), 2, "same", 1, 1, 4, (8, 10)),
    ((2, 4, 5, 3), (3, 3), 2, "valid", 1, 1, 4, (10, 12)),
    ((2, 6, 3), (4,), 2, "same", None, 1, 2, (12,)),
]


def keras_transpose_pads(k, s, d, padding, output_padding):
    """Keras 3's padding rule for conv_transpose on JAX (written out independently)."""
    k = (k - 1) * d + 1
    if padding == "valid":
        op = max(k, s) - k if output_padding is None else output_padding
        return (k - 1, k - 1 + op)
    total = s + k - 2 if output_padding is None else k + k % 2 - 2 + output_padding
    lo = min(total // 2 + total % 2, k - 1)
    return (lo, total - lo)


@pytest.mark.parametrize("case", TRANSPOSE_CASES, ids=str)
def test_conv_transpose_matches_lax(case):
    shape, window, strides, padding, output_padding, dilation, filters, expected = case
    rank = len(window)
    x = rand(4, shape)
    w = rand(5, window + (filters, shape[-1])) * 0.3
    pads = [keras_transpose_pads(k, strides, dilation, padding, output_padding) for k in window]

    def reference(x, w):
        # the transposed convolution as a convolution of the stride-dilated input with the flipped kernel
        flipped = jnp.swapaxes(jnp.flip(w, axis=tuple(range(rank))), -1, -2)
        return lax.conv_general_dilated(x, flipped, (1,) * rank, pads, lhs_dilation=(strides,) * rank,
                                        rhs_dilation=(dilation,) * rank, dimension_numbers=DN[rank])

    want = compare(reference, {f"conv_transpose[{impl}] {case}": (lambda x, w, impl=impl: ops.conv_transpose(
        x, w, strides, padding, output_padding, dilation, implementation=impl)) for impl in IMPLS}, x, w)
    assert want[0].shape[1:-1] == expected


# --------------------------------------------------------------------------------------------
# pooling: (input shape, pool size, strides, padding)
POOL_CASES = [
    ((2, 8, 6, 3), 2, None, "valid"),  # tiles: reshape path
    ((2, 7, 5, 3), 2, None, "valid"),  # tiles after dropping the remainder
    ((2, 7, 5, 3), 2, None, "same"),  # tiles after padding
    ((2, 9, 9, 2), 3, 2, "valid"),  # overlapping windows: shifted slices
    ((2, 9, 8, 2), 3, 2, "same"),
    ((2, 6, 6, 2), (2, 3), (1, 2), "same"),
    ((2, 6, 6, 2), 3, 1, "same"),
    ((2, 10, 3), 2, None, "valid"),  # 1-D
    ((2, 11, 3), 3, 2, "same"),
]


def pool_reference(kind, x, pool, strides, padding):
    rank = x.ndim - 2
    pool = (pool,) * rank if isinstance(pool, int) else tuple(pool)
    strides = pool if strides is None else ((strides,) * rank if isinstance(strides, int) else tuple(strides))
    dims, st = (1,) + pool + (1,), (1,) + strides + (1,)
    if kind == "max":
        return lax.reduce_window(x, -jnp.inf, lax.max, dims, st, padding.upper())
    total = lax.reduce_window(x, 0.0, lax.add, dims, st, padding.upper())
    count = lax.reduce_window(jnp.ones_like(x), 0.0, lax.add, dims, st, padding.upper())
    return total / count


@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_pooling_matches_reduce_window(case):
    shape, pool, strides, padding = case
    # distinct values: no ties, so max-pool gradients are unique
    x = (np.random.default_rng(6).permutation(math.prod(shape)).reshape(shape) / math.prod(shape)).astype(np.float32)

    def both(kind_fn):  # max and average pooling stacked: one program per case
        return lambda x: jnp.stack([kind_fn("max", x), kind_fn("avg", x)])

    compare(both(lambda kind, x: pool_reference(kind, x, pool, strides, padding)),
            {f"pool[{impl}] {case}": both(lambda kind, x, impl=impl: (ops.max_pool if kind == "max" else ops.avg_pool)(
                x, pool, strides, padding, implementation=impl)) for impl in IMPLS}, x)


def test_max_pool_ties_split_the_gradient_in_the_patches_path():
    x = jnp.zeros((1, 2, 2, 1))
    g = jax.grad(lambda x: ops.max_pool(x, 2, implementation="patches").sum())(x)
    np.testing.assert_allclose(np.asarray(g).ravel(), [0.25] * 4)
    g_lax = jax.grad(lambda x: ops.max_pool(x, 2, implementation="lax").sum())(x)
    assert float(g_lax.sum()) == pytest.approx(1.0)  # reduce_window: all to one element


# --------------------------------------------------------------------------------------------
# choosing the implementation
def test_auto_picks_patches_on_cpu_and_scope_and_setter_override():
    assert jax.default_backend() == "cpu"
    assert ops.get_implementation() == "auto"
    assert ops.resolve_implementation() == "patches"
    assert ops.resolve_implementation("lax") == "lax"
    with ops.implementation_scope("lax"):
        assert ops.resolve_implementation() == "lax"
        assert ops.resolve_implementation("patches") == "patches"  # a layer's own argument wins
        assert ops.resolve_implementation("auto") == "patches"
    assert ops.get_implementation() == "auto"
    ops.set_implementation("lax")
    try:
        assert ops.resolve_implementation(None) == "lax"
    finally:
        ops.set_implementation("auto")


def test_patches_path_has_no_convolution_or_select_and_scatter_in_its_gradient():
    x, w = rand(0, (2, 8, 8, 3)), rand(1, (3, 3, 3, 4))

    def loss(x, w):
        return ops.max_pool(ops.conv(x, w, padding="same", implementation="patches"), 2, implementation="patches").sum()

    text = jax.jit(jax.grad(loss, (0, 1))).lower(x, w).as_text()
    assert "convolution" not in text and "select_and_scatter" not in text
    lax_text = jax.jit(jax.grad(lambda x, w: ops.conv(x, w, implementation="lax").sum(), (0, 1))).lower(x, w).as_text()
    assert "convolution" in lax_text


@pytest.mark.parametrize("bad, match", [
    ("cudnn", r"`implementation` must be one of 'auto', 'patches', 'lax'; received 'cudnn'"),
])
def test_unknown_implementation(bad, match):
    with pytest.raises(ValueError, match=match):
        ops.conv(jnp.ones((1, 4, 4, 1)), jnp.ones((3, 3, 1, 1)), implementation=bad)
    with pytest.raises(ValueError, match=r"`name` must be one of"):
        ops.set_implementation(bad)


def test_op_errors_name_shapes():
    with pytest.raises(ValueError, match=r"window \(5, 5\).*larger than the padded input.*\(3, 3\)"):
        ops.conv(jnp.ones((1, 3, 3, 1)), jnp.ones((5, 5, 1, 2)))
    with pytest.raises(ValueError, match=r"groups=2.*3 channels"):
        ops.conv(jnp.ones((1, 4, 4, 3)), jnp.ones((3, 3, 1, 2)), groups=2)
    with pytest.raises(ValueError, match=r"\(batch, \*spatial, channels\)"):
        ops.conv(jnp.ones((4, 4)), jnp.ones((3, 3, 1, 2)))
    with pytest.raises(ValueError, match=r"`pool_size` \(4, 4\) is larger"):
        ops.max_pool(jnp.ones((1, 3, 3, 1)), 4)


def test_extract_patches_orders_offsets_then_channels():
    x = jnp.arange(2 * 4 * 4 * 3, dtype=jnp.float32).reshape(2, 4, 4, 3)
    w = rand(8, (3, 3, 3, 5))
    p = ops.extract_patches(x, (3, 3), padding="same")
    assert p.shape == (2, 4, 4, 27)
    np.testing.assert_allclose(np.asarray(p @ w.reshape(27, 5)), np.asarray(ops.conv(x, w, padding="same")), rtol=1e-5)
