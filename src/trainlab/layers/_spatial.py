"""Shared plumbing of the spatial layers (convolution, pooling, padding,
upsampling): ``data_format``, rank checks and error messages a user can act on.

The kernels in `trainlab.ops` work on channels-last arrays; a layer with
``data_format="channels_first"`` moves the channel axis to the end on the way
in and back on the way out (XLA folds these transposes into the kernels).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .._validation import check_one_of
from ..ops._geometry import effective_size

__all__ = ["SpatialMixin", "normalize_data_format"]

_AXIS_NAMES = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def normalize_data_format(value: Any) -> str:
    """None means `trainlab.backend.image_data_format()` ("channels_last" unless set), as Keras."""
    if value is None:
        from ..backend import image_data_format

        value = image_data_format()
    return check_one_of("data_format", value, ["channels_last", "channels_first"])


class SpatialMixin:
    """For layers with ``rank`` spatial axes and a ``data_format`` attribute."""

    rank: int
    data_format: str

    @property
    def _channels_last(self) -> bool:
        return self.data_format == "channels_last"

    def _layout(self) -> str:
        names = _AXIS_NAMES[self.rank]
        inner = ", ".join(names)
        return f"(batch, {inner}, channels)" if self._channels_last else f"(batch, channels, {inner})"

    def _spatial_sizes(self, input_shape: Any) -> tuple:
        return tuple(input_shape[1:-1]) if self._channels_last else tuple(input_shape[2:])

    def _channels(self, input_shape: Any) -> Any:
        return input_shape[-1] if self._channels_last else input_shape[1]

    def _with_spatial(self, input_shape: Any, sizes: tuple, channels: Any) -> tuple:
        if self._channels_last:
            return (input_shape[0],) + tuple(sizes) + (channels,)
        return (input_shape[0], channels) + tuple(sizes)

    def _check_rank(self, input_shape: Any) -> None:
        expected = self.rank + 2
        shape = tuple(input_shape)
        if len(shape) == expected:
            return
        message = (
            f"Layer {self.name!r} ({type(self).__name__}) expects {expected}-D inputs {self._layout()}; "
            f"received input shape {shape}."
        )
        if len(shape) == expected - 1:
            if self._channels_last:
                target = tuple(shape[1:]) + (1,)
                message += (
                    f" If each sample has a single channel (e.g. a grayscale image), add a channel axis: "
                    f"x[..., None] (np.expand_dims(x, -1)), or put layers.Reshape({target}) first."
                )
            else:
                message += " If each sample has a single channel, add a channel axis: x[:, None]."
        elif len(shape) == expected + 1:
            message += " Remove the extra axis (a batch of batches?), e.g. reshape to merge the first two axes."
        raise ValueError(message)

    def _check_channels(self, input_shape: Any, expected: int) -> None:
        got = self._channels(input_shape)
        if got is not None and got != expected:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) was built for inputs with {expected} channels "
                f"(input shape {tuple(self._build_input_shape)}), but received input shape {tuple(input_shape)} "
                f"with {got} channels."
            )

    def _check_window_fits(self, input_shape: Any, window: tuple, dilation: tuple, padding: Any,
                           what: str = "kernel_size") -> None:
        """A "valid" window must fit in the input: name layer, input and window sizes."""
        if padding != "valid":
            return
        sizes = self._spatial_sizes(input_shape)
        spans = tuple(effective_size(k, d) for k, d in zip(window, dilation))
        if any(n is not None and n < span for n, span in zip(sizes, spans)):
            dil = f" (dilated span {spans})" if any(d > 1 for d in dilation) else ""
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) with padding='valid' cannot slide a window of "
                f"`{what}` {tuple(window)}{dil} over inputs of spatial size {tuple(sizes)} (input shape "
                f"{tuple(input_shape)}): the window is larger than the input. Use padding='same', a smaller "
                f"`{what}`, or larger inputs (fewer pooling/strided layers before this one)."
            )

    def _to_channels_last(self, x: jax.Array) -> jax.Array:
        return x if self._channels_last else jnp.moveaxis(x, 1, -1)

    def _from_channels_last(self, y: jax.Array) -> jax.Array:
        return y if self._channels_last else jnp.moveaxis(y, -1, 1)
