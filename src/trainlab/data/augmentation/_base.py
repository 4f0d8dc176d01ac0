"""`ImageAugmentation`: the base of the random augmentation layers.

An augmentation layer changes its inputs only in training mode
(``training=True``: inside `fit`'s compiled step, or called as
``layer(x, training=True)``); at inference it is the identity (RandomCrop
crops the centre instead). Randomness comes from `Layer.random_key`, so the
same key gives the same augmentation: runs are repeatable under
`set_random_seed`, and each training step (and each layer) draws fresh values.
Every image of a batch gets its own random transformation.

Inputs are images, channels last by default: a batch ``(N, H, W, C)`` or a
single image ``(H, W, C)``; ``data_format="channels_first"`` takes
``(N, C, H, W)``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..._validation import check_one_of, describe
from ...layers._base import Layer

__all__ = ["ImageAugmentation", "parse_factor", "parse_value_range"]


def parse_factor(layer_name: str, argument: str, factor: Any, bounds: tuple[float, float] = (-1.0, 1.0),
                 symmetric: bool = True) -> tuple[float, float]:
    """``(lower, upper)`` from a float or a pair, checked against `bounds`.

    A single float ``f`` gives ``(-f, f)`` when `symmetric` (clipped to the
    bounds), else ``(bounds[0], f)``.
    """
    lo, hi = bounds
    msg = (f"`{argument}` of {layer_name} must be a number or a pair (lower, upper) in [{lo:g}, {hi:g}]; "
           f"received {factor!r}.")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(isinstance(f, (int, float, np.number)) for f in factor):
            raise ValueError(msg)
        a, b = sorted(float(f) for f in factor)
    elif isinstance(factor, (int, float, np.number)) and not isinstance(factor, bool):
        f = float(factor)
        if symmetric:
            f = abs(f)
            a, b = max(-f, lo), f
        else:
            a, b = lo, f
    else:
        raise ValueError(msg)
    if a < lo or b > hi:
        raise ValueError(msg)
    return a, b


def parse_value_range(layer_name: str, value_range: Any) -> tuple[float, float]:
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(
            f"`value_range` of {layer_name} must be a pair (low, high) such as (0, 255) or (0, 1); received "
            f"{value_range!r}."
        )
    lo, hi = sorted(float(v) for v in value_range)
    if lo == hi:
        raise ValueError(f"`value_range` of {layer_name} must have low < high; received {value_range!r}.")
    return lo, hi


class ImageAugmentation(Layer):
    """Base class: rank and layout checks, training switch, per-call key.

    Subclasses implement ``augment(images, key) -> images`` on a batch
    ``(N, H, W, C)`` (and optionally ``inference(images)``).

    Args:
        seed: optional integer mixed into the layer's key, to tell two layers
            of the same kind apart or fix an augmentation.
        data_format: "channels_last" (default) or "channels_first".
    """

    #: color layers need exactly 3 channels
    needs_rgb = False

    def __init__(self, seed: int | None = None, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(f"`seed` must be an integer or None; received {describe(seed)}.")
        self.seed = None if seed is None else int(seed)
        self.data_format = check_one_of("data_format", data_format or "channels_last",
                                        ("channels_last", "channels_first"))

    def check_images(self, shape: tuple) -> None:
        """Raise a ValueError when `shape` is not an image or a batch of images."""
        layout = "(height, width, channels)" if self.data_format == "channels_last" else "(channels, height, width)"
        if len(shape) not in (3, 4):
            hint = ""
            if len(shape) == 2:
                hint = (" A 2-D input looks like flat feature vectors; reshape them to images first, e.g. "
                        "layers.Reshape((28, 28, 1)), or add a channel axis to grayscale images with x[..., None].")
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) expects images: a batch (N, {layout[1:]} or one image "
                f"{layout}; received inputs of shape {tuple(shape)} ({len(shape)}-D).{hint}"
            )
        channels = shape[-1] if self.data_format == "channels_last" else shape[-3]
        if self.needs_rgb and channels is not None and channels != 3:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) works on RGB images with 3 channels; received inputs "
                f"of shape {tuple(shape)} with {channels} channel(s)."
            )

    def build(self, input_shape):
        self.check_images(tuple(input_shape))

    def check_input_shape(self, input_shape):
        self.check_images(tuple(input_shape))

    def key_for_call(self) -> jax.Array:
        key = self.random_key()
        return key if self.seed is None else jax.random.fold_in(key, self.seed)

    def call(self, inputs, training=False):
        self.check_images(tuple(inputs.shape))
        x = inputs
        single = x.ndim == 3
        if single:
            x = x[None]
        if self.data_format == "channels_first":
            x = jnp.transpose(x, (0, 2, 3, 1))
        x = self.augment(x, self.key_for_call()) if training else self.inference(x)
        if self.data_format == "channels_first":
            x = jnp.transpose(x, (0, 3, 1, 2))
        return x[0] if single else x

    def augment(self, images: jax.Array, key: jax.Array) -> jax.Array:
        raise NotImplementedError

    def inference(self, images: jax.Array) -> jax.Array:
        return images

    def compute_output_shape(self, input_shape):
        self.check_images(tuple(input_shape))
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "data_format": self.data_format}
