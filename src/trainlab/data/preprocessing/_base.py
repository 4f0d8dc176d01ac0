"""`PreprocessingLayer`: a layer whose statistics come from `adapt(data)`.

The pattern (Keras's): create the layer, ``adapt`` it on the *training* data
only, then use it as the first layer of a model or on its own::

    norm = Normalization()
    norm.adapt(x_train)            # mean and variance of the training data
    model = Sequential([Input((8,)), norm, Dense(1)])

Adapted statistics are non-trainable weights (the ``state`` tree), so

* the train step never changes them (no gradient, no optimizer update);
* ``model.save`` / ``load_model`` and ``get_weights`` carry them;
* ``model.init(key)`` (level 1) returns them, not the initializer's defaults.

`adapt` reads its data in chunks (numpy arrays, memory maps, pandas objects,
a `trainlab.data.Dataset` or any iterable of batches), so statistics that can
be accumulated (mean, variance, min, max, counts, covariance) work on data
larger than memory. Data with NaN is refused with the offending columns named,
except by layers built for missing values (`Imputer`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..._validation import check_positive_int, describe
from ...layers import _context
from ...layers._base import KerasTensor, Layer

__all__ = [
    "PreprocessingLayer",
    "iter_batches",
    "to_numpy",
    "column_label",
    "check_no_nan",
    "feature_axes",
]

# rows per chunk when adapt walks over one big array (bounded memory on memmaps)
_CHUNK_ROWS = 65536


def to_numpy(data: Any, argument: str = "data") -> tuple[np.ndarray, list[str] | None]:
    """``(array, column names or None)`` for numpy / JAX arrays, lists, pandas objects."""
    names = None
    if hasattr(data, "columns") and hasattr(data, "to_numpy"):  # DataFrame
        names = [str(c) for c in data.columns]
        data = data.to_numpy()
    elif hasattr(data, "to_numpy") and hasattr(data, "name"):  # Series: one feature
        names = [str(data.name)] if data.name is not None else None
        data = data.to_numpy()[:, None]
    if isinstance(data, (np.ndarray, np.generic)):
        arr = data
    elif isinstance(data, jax.Array):
        arr = np.asarray(data)
    else:
        try:
            arr = np.asarray(data)
        except (ValueError, TypeError):
            raise TypeError(
                f"`{argument}` must be an array, a list of rows or a pandas object; received {describe(data)} "
                f"that numpy cannot turn into one array (ragged rows?)."
            ) from None
    return arr, names


def column_label(index: int, names: list[str] | None) -> str:
    """``"2 ('total_rooms')"`` when column names are known, else ``"2"``."""
    if names is not None and 0 <= index < len(names):
        return f"{index} ({names[index]!r})"
    return str(index)


def check_no_nan(batch: np.ndarray, layer: "Layer | str", names: list[str] | None, what: str = "adapt",
                 labels: list[str] | None = None) -> None:
    """Raise a ValueError that names every column (last axis) holding NaN or Inf.

    `labels` (one per column) overrides the ``index (name)`` labels."""
    if not np.issubdtype(batch.dtype, np.floating):
        return
    bad = ~np.isfinite(batch)
    if not bad.any():
        return
    per_col = bad.reshape(-1, batch.shape[-1]).sum(axis=0) if batch.ndim > 1 else np.array([bad.sum()])
    cols = [i for i in range(per_col.shape[0]) if per_col[i]]
    label = (lambda i: labels[i]) if labels is not None else (lambda i: column_label(i, names))
    listed = ", ".join(f"{label(i)}: {int(per_col[i])} value(s)" for i in cols[:10])
    more = f" and {len(cols) - 10} more" if len(cols) > 10 else ""
    if isinstance(layer, str):  # a function, e.g. "drop_outliers"
        where, who = f"{layer}()", f"{layer}()"
    else:
        where, who = f"{type(layer).__name__}.{what}()", f"Layer {layer.name!r}"
    raise ValueError(
        f"{where} received data with NaN or infinite values in column(s) {listed}{more}. "
        f"{who} cannot handle missing values: fill them first (trainlab.layers.Imputer, or "
        f"DataFrame.fillna), or drop those rows."
    )


def _is_batch_source(data: Any) -> bool:
    from ..dataset import Dataset

    if isinstance(data, Dataset):
        return True
    if isinstance(data, (np.ndarray, list, tuple, dict, str, bytes)) or hasattr(data, "shape"):
        return False
    if hasattr(data, "to_numpy"):
        return False
    return hasattr(data, "__iter__") or hasattr(data, "__next__")


def iter_batches(data: Any, layer: Layer, *, batch_size: int | None = None, steps: int | None = None,
                 argument: str = "data") -> tuple[Iterator[np.ndarray], list[str] | None]:
    """Chunks of `data` as numpy arrays (first axis = samples), and column names.

    `data` is an array (chunked by `batch_size`, default 65536 rows, so memory
    maps are read piece by piece), a pandas object, or a `Dataset` / iterable of
    batches (`steps` limits how many are read).
    """
    batch_size = check_positive_int("batch_size", batch_size, allow_none=True)
    steps = check_positive_int("steps", steps, allow_none=True)
    if _is_batch_source(data):
        def from_iterable() -> Iterator[np.ndarray]:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    return
                if isinstance(batch, tuple):
                    raise ValueError(
                        f"{type(layer).__name__}.adapt() expects batches of features only, but the dataset yields "
                        f"tuples of {len(batch)} arrays (features and targets?). Pass only the features, e.g. "
                        f"layer.adapt(dataset.map(lambda x, y: x))."
                    )
                arr, _ = to_numpy(batch, argument)
                yield arr

        return from_iterable(), None
    arr, names = to_numpy(data, argument)
    if arr.ndim == 0:
        raise ValueError(
            f"{type(layer).__name__}.adapt() needs samples along the first axis; received a scalar."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{type(layer).__name__}.adapt() received empty data (0 samples); pass the training data.")
    size = batch_size or _CHUNK_ROWS
    limit = arr.shape[0] if steps is None else min(arr.shape[0], steps * size)

    def chunks() -> Iterator[np.ndarray]:
        for start in range(0, limit, size):
            yield np.asarray(arr[start:min(start + size, limit)])

    return chunks(), names


def feature_axes(axis: Any, ndim: int, argument: str = "axis") -> tuple[int, ...]:
    """Normalized, sorted feature axes (kept axes) for inputs of rank `ndim`."""
    if axis is None:
        return ()
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim or a % ndim == 0:
            raise ValueError(
                f"`{argument}`={axis!r} is invalid for inputs of rank {ndim} (batch axis first): feature axes must "
                f"be in [1, {ndim - 1}] or [-{ndim - 1}, -1]."
            )
        out.append(a % ndim)
    return tuple(sorted(set(out)))


class PreprocessingLayer(Layer):
    """Base class of layers fitted with `adapt` (Keras's ``adapt`` API).

    Subclasses implement ``_fit(batches, names) -> dict[str, np.ndarray]`` (the
    adapted weights, by name) and declare those weights as non-trainable in
    `build`. `adapt` builds the layer for the data's shape, installs the
    values, and marks the layer adapted; later calls of `init` return them.
    """

    #: layers with statistics refuse to run (eagerly) before `adapt`
    requires_adapt = True

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._adapted: dict[str, np.ndarray] | None = None

    # ------------------------------------------------------------------
    @property
    def is_adapted(self) -> bool:
        """True once `adapt` ran (or statistics were given / loaded)."""
        if self._adapted is not None:
            return True
        values = self._values
        return bool(values) and "count" in values.get("state", {}) and float(values["state"]["count"]) > 0

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Compute the layer's statistics from `data` (the training data only).

        Args:
            data: array ``(N, ...)``, pandas DataFrame / Series, numpy memory
                map, `trainlab.data.Dataset` or iterable of feature batches.
            batch_size: rows read at a time from an array (bounded memory).
            steps: number of batches to read from a dataset / iterable.

        Raises:
            ValueError: empty data, NaN where the layer cannot handle it (the
                columns are named), or batches of differing feature shapes.
        """
        batches, names = iter_batches(data, self, batch_size=batch_size, steps=steps)
        values, sample_shape = self._fit(batches, names)
        self._install(values, (None,) + tuple(sample_shape))

    def _fit(self, batches: Iterator[np.ndarray], names: list[str] | None) -> tuple[dict[str, np.ndarray], tuple]:
        raise NotImplementedError

    def _install(self, values: dict[str, np.ndarray], input_shape: tuple) -> None:
        """(Re)build for `input_shape` and make `values` the layer's state."""
        from ...models._variables import bump_weights_version

        values = {k: np.asarray(v) for k, v in values.items()}
        self._adapted = values
        if self.built and tuple(self._build_input_shape or ()) != tuple(input_shape):
            # adapted again on data of another shape: declare weights anew
            object.__setattr__(self, "_specs", {})
            object.__setattr__(self, "_attr_to_spec", {})
            self._values = None
            self.built = False
            self._output_shape = None
        self._maybe_build(input_shape)
        self._output_shape = None
        fresh = self.init_variables(jax.random.key(0))
        self._values = {"params": fresh["params"], "state": fresh["state"]}
        bump_weights_version()

    def init_variables(self, key: jax.Array) -> dict[str, dict]:
        variables = super().init_variables(key)
        if self._adapted:
            for name, value in self._adapted.items():
                spec = self._specs.get(name)
                if spec is not None and tuple(spec.shape) == tuple(value.shape):
                    variables[spec.collection][name] = jnp.asarray(value, spec.dtype)
        return variables

    # ------------------------------------------------------------------
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if _context.current() is None and not isinstance(inputs, KerasTensor):
            if hasattr(inputs, "to_numpy"):
                inputs = to_numpy(inputs, "inputs")[0]
            if self.requires_adapt and not self.is_adapted:
                raise ValueError(
                    f"Layer {self.name!r} ({type(self).__name__}) has no statistics yet: call "
                    f"{self.name}.adapt(x_train) on the training data before using it."
                )
        return super().__call__(inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)
