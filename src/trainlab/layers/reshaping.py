"""Spatial reshaping layers (Keras names and defaults): ZeroPadding2D, UpSampling2D.

Example:
    >>> import jax.numpy as jnp
    >>> ZeroPadding2D(1)(jnp.ones((2, 28, 28, 3))).shape
    (2, 30, 30, 3)
    >>> UpSampling2D(2)(jnp.ones((2, 7, 7, 3))).shape
    (2, 14, 14, 3)
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .._validation import check_one_of
from ..ops._geometry import normalize_tuple
from ._base import Layer
from ._spatial import SpatialMixin, normalize_data_format

__all__ = ["ZeroPadding2D", "UpSampling2D"]


def _padding_2d(padding: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    if isinstance(padding, int) and not isinstance(padding, bool):
        padding = (padding, padding)
    try:
        rows, cols = padding
    except (TypeError, ValueError):
        raise ValueError(
            f"`padding` of ZeroPadding2D must be an int, (rows, cols) or ((top, bottom), (left, right)); "
            f"received {padding!r}."
        ) from None
    return (normalize_tuple(rows, 2, "padding (rows: top, bottom)", allow_zero=True),
            normalize_tuple(cols, 2, "padding (columns: left, right)", allow_zero=True))


class ZeroPadding2D(SpatialMixin, Layer):
    """Add rows and columns of zeros around each image.

    Args:
        padding: int (all sides), (rows, cols) (symmetric), or
            ((top, bottom), (left, right)). Default (1, 1).
        data_format: "channels_last" (default) or "channels_first".

    Example:
        >>> import jax.numpy as jnp
        >>> ZeroPadding2D(((1, 0), (2, 3)))(jnp.ones((1, 4, 4, 1))).shape
        (1, 5, 9, 1)
    """

    rank = 2

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.padding = _padding_2d(padding)
        self.data_format = normalize_data_format(data_format)

    def build(self, input_shape):
        self._check_rank(input_shape)

    def check_input_shape(self, input_shape):
        self._check_rank(input_shape)

    def call(self, inputs):
        pads = [(0, 0)] + list(self.padding) + [(0, 0)]
        if not self._channels_last:
            pads = [(0, 0), (0, 0)] + list(self.padding)
        return jnp.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        sizes = tuple(None if n is None else n + lo + hi
                      for n, (lo, hi) in zip(self._spatial_sizes(input_shape), self.padding))
        return self._with_spatial(input_shape, sizes, self._channels(input_shape))

    def get_config(self):
        return {**super().get_config(), "padding": [list(p) for p in self.padding], "data_format": self.data_format}


_RESIZE = {"bilinear": "bilinear", "bicubic": "bicubic", "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


class UpSampling2D(SpatialMixin, Layer):
    """Repeat rows and columns (``"nearest"``) or interpolate (``"bilinear"``,
    ``"bicubic"``, ``"lanczos3"``, ``"lanczos5"``) to enlarge each image by `size`.

    Args:
        size: int or (rows, cols) factors; default (2, 2).
        data_format: "channels_last" (default) or "channels_first".
        interpolation: "nearest" (default) or one of the above.

    Example:
        >>> import jax.numpy as jnp
        >>> UpSampling2D((2, 3))(jnp.ones((1, 4, 4, 1))).shape
        (1, 8, 12, 1)
    """

    rank = 2

    def __init__(self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest",
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "size")
        self.data_format = normalize_data_format(data_format)
        self.interpolation = check_one_of("interpolation", str(interpolation).lower(), ["nearest", *_RESIZE])

    def build(self, input_shape):
        self._check_rank(input_shape)

    def check_input_shape(self, input_shape):
        self._check_rank(input_shape)

    def call(self, inputs):
        x = self._to_channels_last(inputs)
        if self.interpolation == "nearest":
            n, h, w, c = x.shape
            sh, sw = self.size
            x = jnp.broadcast_to(x[:, :, None, :, None, :], (n, h, sh, w, sw, c)).reshape(n, h * sh, w * sw, c)
        else:
            n, h, w, c = x.shape
            x = jax.image.resize(x, (n, h * self.size[0], w * self.size[1], c), _RESIZE[self.interpolation],
                                 antialias=False)
        return self._from_channels_last(x)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        sizes = tuple(None if n is None else n * f for n, f in zip(self._spatial_sizes(input_shape), self.size))
        return self._with_spatial(input_shape, sizes, self._channels(input_shape))

    def get_config(self):
        return {**super().get_config(), "size": list(self.size), "data_format": self.data_format,
                "interpolation": self.interpolation}
