"""Backend-aware array kernels used by the layers (level 0.5: pure JAX functions).

Convolution and pooling have two formulations, chosen per call by
`resolve_implementation`: ``"patches"`` (shifted slices + one matmul; reshape
pooling; the default on CPU) and ``"lax"`` (``jax.lax.conv_general_dilated`` /
``reduce_window``; the default on GPU and TPU). Override globally with
`set_implementation` (or the ``TRAINLAB_CONV_IMPLEMENTATION`` environment
variable), for a block of code with `implementation_scope`, or per layer with
``implementation=``.

It also holds Keras 3's `keras.ops` names (`trainlab.ops.numpy`: ``expand_dims``,
``concatenate``, ``sum``, ``softmax``, ``convert_to_tensor``, ...), so that a
``tf.<op>`` line of course code becomes ``tl.ops.<op>``.

Example:
    >>> import jax.numpy as jnp
    >>> from trainlab import ops
    >>> ops.expand_dims(ops.linspace(0.0, 1.0, 5), -1).shape
    (5, 1)
    >>> ops.conv(jnp.ones((1, 8, 8, 3)), jnp.ones((3, 3, 3, 16)), padding="same").shape
    (1, 8, 8, 16)
    >>> ops.max_pool(jnp.ones((1, 8, 8, 16)), 2).shape
    (1, 4, 4, 16)
"""

from ._config import (
    IMPLEMENTATIONS,
    get_implementation,
    implementation_scope,
    resolve_implementation,
    set_implementation,
)
from .conv import conv, conv_transpose, depthwise_conv, extract_patches
from .pool import avg_pool, max_pool
from . import numpy as _numpy_ops
from .numpy import *  # noqa: F401,F403  (keras.ops names; the list is trainlab.ops.numpy.__all__)

__all__ = [
    "IMPLEMENTATIONS",
    "set_implementation",
    "get_implementation",
    "implementation_scope",
    "resolve_implementation",
    "conv",
    "depthwise_conv",
    "conv_transpose",
    "extract_patches",
    "max_pool",
    "avg_pool",
    *_numpy_ops.__all__,
]
