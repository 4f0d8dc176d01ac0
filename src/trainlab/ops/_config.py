"""Which kernel formulation the convolution and pooling ops use.

Two formulations compute the same numbers:

* ``"patches"``: shifted slices. A convolution pads its input, takes one
  strided slice per kernel offset, concatenates them on the channel axis
  (im2col) and does one matrix multiply; pooling reshapes the input into
  windows where the window tiles it, or reduces over shifted slices. Automatic
  differentiation of slices and matmuls gives fast gradients on CPU, where
  XLA's own convolution gradient is slow, and very slow inside the
  ``lax.scan`` that runs a training epoch (see ``bench/RESULTS-cnn.md``).
* ``"lax"``: ``jax.lax.conv_general_dilated`` and ``jax.lax.reduce_window``,
  which XLA maps to cuDNN on GPU.

``"auto"`` (the default) picks ``"patches"`` when JAX's default backend is the
CPU and ``"lax"`` otherwise. The choice is read while a function is traced, so
a change applies to models compiled afterwards (the next `fit`, `predict`...).

Example:
    >>> from trainlab import ops
    >>> ops.get_implementation()
    'auto'
    >>> with ops.implementation_scope("lax"):
    ...     ops.resolve_implementation()
    'lax'
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import jax

__all__ = [
    "IMPLEMENTATIONS",
    "set_implementation",
    "get_implementation",
    "implementation_scope",
    "resolve_implementation",
    "check_implementation",
]

IMPLEMENTATIONS = ("auto", "patches", "lax")
_ENV = "TRAINLAB_CONV_IMPLEMENTATION"


def check_implementation(value: str | None, argument: str = "implementation") -> str | None:
    """Return `value` if it names an implementation (or is None), else raise."""
    if value is None:
        return None
    if value not in IMPLEMENTATIONS:
        raise ValueError(
            f"`{argument}` must be one of {', '.join(repr(v) for v in IMPLEMENTATIONS)}; received {value!r}. "
            f"'patches' is the shifted-slice formulation (fast on CPU), 'lax' is jax.lax.conv_general_dilated / "
            f"reduce_window (cuDNN on GPU), 'auto' picks by jax.default_backend()."
        )
    return value


_default = check_implementation(os.environ.get(_ENV, "auto") or "auto", _ENV)


def set_implementation(name: str) -> None:
    """Set the default for every convolution and pooling op and layer that does not
    pass its own ``implementation=``: ``"auto"``, ``"patches"`` or ``"lax"``.

    The environment variable ``TRAINLAB_CONV_IMPLEMENTATION`` sets the initial value.
    """
    global _default
    _default = check_implementation(name, "name")


def get_implementation() -> str:
    """The current default: ``"auto"``, ``"patches"`` or ``"lax"``."""
    return _default


@contextlib.contextmanager
def implementation_scope(name: str) -> Iterator[None]:
    """Use implementation `name` by default inside a ``with`` block (tests, benchmarks)."""
    global _default
    previous = _default
    set_implementation(name)
    try:
        yield
    finally:
        _default = previous


def resolve_implementation(implementation: str | None = None) -> str:
    """``"patches"`` or ``"lax"``: `implementation` if given (a layer's own
    argument), else the default setting; ``"auto"`` is resolved by
    ``jax.default_backend()`` ("patches" on CPU, "lax" on GPU/TPU)."""
    name = check_implementation(implementation) or _default
    if name == "auto":
        return "patches" if jax.default_backend() == "cpu" else "lax"
    return name
