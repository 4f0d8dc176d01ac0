"""Layers that merge several inputs (functional API): Concatenate, Add, Subtract,
Multiply, Average, Maximum, Minimum."""

from __future__ import annotations

from functools import reduce
from typing import Any

import jax.numpy as jnp

from ._base import Layer

__all__ = ["Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "concatenate", "add", "subtract", "multiply", "average", "maximum", "minimum"]


class _Merge(Layer):
    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(input_shape[0], (list, tuple)):
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) must be called on a list of at least 2 inputs; "
                f"received a single input of shape {input_shape}."
            )
        if len(input_shape) < 2:
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) needs at least 2 inputs; received {len(input_shape)}.")
        self._check_shapes([tuple(s) for s in input_shape])

    def _check_shapes(self, shapes):
        ref = shapes[0]
        for s in shapes[1:]:
            if len(s) != len(ref) or any(a is not None and b is not None and a != b for a, b in zip(s[1:], ref[1:])):
                raise ValueError(
                    f"Layer {self.name!r} ({type(self).__name__}) needs inputs of the same shape; received shapes {shapes}."
                )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def _merge(self, xs):
        raise NotImplementedError

    def call(self, inputs):
        return self._merge(list(inputs))


class Add(_Merge):
    """Elementwise sum of the inputs."""

    def _merge(self, xs):
        return reduce(jnp.add, xs)


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"Layer {self.name!r} (Subtract) needs exactly 2 inputs; received {len(input_shape)}.")

    def _merge(self, xs):
        return xs[0] - xs[1]


class Multiply(_Merge):
    """Elementwise product of the inputs."""

    def _merge(self, xs):
        return reduce(jnp.multiply, xs)


class Average(_Merge):
    """Elementwise mean of the inputs."""

    def _merge(self, xs):
        return reduce(jnp.add, xs) / len(xs)


class Maximum(_Merge):
    """Elementwise maximum of the inputs."""

    def _merge(self, xs):
        return reduce(jnp.maximum, xs)


class Minimum(_Merge):
    """Elementwise minimum of the inputs."""

    def _merge(self, xs):
        return reduce(jnp.minimum, xs)


class Concatenate(_Merge):
    """Concatenate the inputs along `axis` (default last).

    Example:
        >>> from trainlab.layers import Input
        >>> Concatenate()([Input((3,)), Input((4,))]).shape
        (None, 7)
    """

    def __init__(self, axis: int = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _check_shapes(self, shapes):
        ndim = len(shapes[0])
        axis = self.axis % ndim
        for s in shapes[1:]:
            if len(s) != ndim or any(
                i != axis and i != 0 and a is not None and b is not None and a != b
                for i, (a, b) in enumerate(zip(s, shapes[0]))
            ):
                raise ValueError(
                    f"Layer {self.name!r} (Concatenate) needs inputs whose shapes match except on axis {self.axis}; "
                    f"received shapes {shapes}."
                )

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        axis = self.axis % len(shapes[0])
        out = list(shapes[0])
        sizes = [s[axis] for s in shapes]
        out[axis] = None if any(d is None for d in sizes) else sum(sizes)
        return tuple(out)

    def _merge(self, xs):
        return jnp.concatenate(xs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _functional(cls):
    def fn(inputs, **kwargs):
        return cls(**kwargs)(inputs)

    fn.__name__ = cls.__name__.lower()
    fn.__doc__ = f"Functional form of `{cls.__name__}`: ``{fn.__name__}([a, b])``."
    return fn


concatenate = _functional(Concatenate)
add = _functional(Add)
subtract = _functional(Subtract)
multiply = _functional(Multiply)
average = _functional(Average)
maximum = _functional(Maximum)
minimum = _functional(Minimum)
