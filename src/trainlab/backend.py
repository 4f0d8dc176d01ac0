"""Keras `backend` helpers that course code calls (`clear_session`, `floatx`).

Example:
    >>> from trainlab import backend
    >>> backend.clear_session()
    >>> backend.floatx()
    'float32'
"""

from __future__ import annotations

import jax

from .layers._base import clear_session as _clear_names

__all__ = ["clear_session", "floatx", "backend", "image_data_format", "set_image_data_format"]

_IMAGE_DATA_FORMAT = ["channels_last"]


def clear_session() -> None:
    """Reset automatic layer names and JAX's compilation caches (as Keras)."""
    _clear_names()
    jax.clear_caches()


def floatx() -> str:
    """The float type of weights and activations: always "float32" in trainlab."""
    return "float32"


def backend() -> str:
    """The array backend: "jax"."""
    return "jax"


def image_data_format() -> str:
    """The default ``data_format`` of convolution and pooling layers (Keras):
    "channels_last" (``(N, H, W, C)``) unless changed with `set_image_data_format`."""
    return _IMAGE_DATA_FORMAT[0]


def set_image_data_format(data_format: str) -> None:
    """Set the default ``data_format`` ("channels_last" or "channels_first") of
    layers created afterwards without an explicit one."""
    from ._validation import check_one_of

    _IMAGE_DATA_FORMAT[0] = check_one_of("data_format", data_format, ["channels_last", "channels_first"])
