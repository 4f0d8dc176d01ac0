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

__all__ = ["clear_session", "floatx", "set_floatx", "epsilon", "backend", "image_data_format", "set_image_data_format"]

_IMAGE_DATA_FORMAT = ["channels_last"]


def clear_session() -> None:
    """Reset automatic layer names and JAX's compilation caches (as Keras)."""
    _clear_names()
    jax.clear_caches()


def floatx() -> str:
    """The float type of weights and activations: always "float32" in trainlab."""
    return "float32"


def set_floatx(value: str) -> None:
    """Keras' `set_floatx`. trainlab computes in float32 only (JAX's default), so
    "float32" is accepted silently; "float16", "bfloat16" and "float64" are
    accepted with a warning that weights and activations stay float32 (course
    programs that set float64 run unchanged, to float32 precision).

    Raises:
        ValueError: for a name that is not one of Keras' float types.

    Example:
        >>> set_floatx("float32")
    """
    if value == "float32":
        return
    if value in ("float16", "bfloat16", "float64"):
        import warnings

        warnings.warn(
            f"set_floatx({value!r}): trainlab trains in float32 only; weights and activations stay float32 "
            f"and floatx() is still 'float32'. Remove the set_floatx line to silence this warning.",
            UserWarning,
            stacklevel=2,
        )
        return
    raise ValueError(
        f"`value` of set_floatx must be one of 'float16', 'bfloat16', 'float32', 'float64'; received {value!r}."
    )


def epsilon() -> float:
    """Keras' fuzz factor, 1e-7 (used by losses and normalization)."""
    return 1e-7


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
