"""`DenseFeatures` and `LinearModel`: feature columns as layers of a compiled model.

Both layers own the host side too (`adapt`, `encode`, `inputs`), so a whole
DataFrame-to-model path is::

    feats = DenseFeatures(columns)
    feats.adapt(train_df)                    # fit normalization / imputers (host, once)
    inputs = feats.inputs()                  # {"<name>_numeric": Input, "<name>_ids": Input}
    outputs = layers.Dense(1)(layers.Dense(32, activation="relu")(feats(inputs)))
    model = Model(inputs, outputs)
    model.fit(feats.encode(train_df), y)     # encode: host -> float32 / int32 arrays

`encode` packs every numeric value into one float32 matrix ``(N, F)`` and every
categorical code into one int32 matrix ``(N, C)``: two gathers per training
step, whatever the number of columns. Inside the model, normalization,
bucketizing, hash-bucket modulo, crosses, one-hot and embedding lookups run as
ordinary pure JAX in the same XLA program as the training step. Adapted
statistics (means, variances) are non-trainable weights, so two models that
differ only in their training data share one compiled program.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import regularizers as _regularizers
from .._validation import describe
from ..layers._base import Layer
from ..layers.core import Input
from . import _host, _stats
from ._columns import (
    CategoricalColumn,
    CrossedColumn,
    DenseColumn,
    EmbeddingColumn,
    FeatureColumn,
    NumericColumn,
    deserialize_column,
    serialize_column,
)

__all__ = ["DenseFeatures", "LinearModel", "FeatureEncoder", "check_columns"]


def _sanitize(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def check_columns(feature_columns: Any, owner: str) -> list[FeatureColumn]:
    if isinstance(feature_columns, FeatureColumn):
        feature_columns = [feature_columns]
    if isinstance(feature_columns, (str, bytes)) or not hasattr(feature_columns, "__iter__"):
        raise TypeError(
            f"`feature_columns` of {owner} must be a list of feature columns; received {describe(feature_columns)}."
        )
    columns = list(feature_columns)
    if not columns:
        raise ValueError(f"`feature_columns` of {owner} is empty; pass at least one column, e.g. numeric_column('x').")
    for c in columns:
        if not isinstance(c, FeatureColumn):
            raise TypeError(
                f"`feature_columns` of {owner} must hold columns made by trainlab.features (numeric_column, ...); "
                f"received {describe(c)}."
            )
    names = [c.name for c in columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"`feature_columns` has several columns named {dupes}; each column must appear once.")
    return columns


class FeatureEncoder:
    """The host half of a feature layer: slots, adapted statistics and `encode`.

    Every numeric input (by key, shape and imputer) gets a range of the float
    matrix; every categorical leaf (vocabulary, identity, hash) gets one column
    of the int matrix.
    """

    def __init__(self, columns: Sequence[FeatureColumn]):
        self.columns = list(columns)
        self.numeric_slots: dict[tuple, tuple[int, NumericColumn]] = {}
        self.code_slots: dict[CategoricalColumn, int] = {}
        self.normalized: dict[str, NumericColumn] = {}
        width = 0
        for leaf in _leaves(self.columns):
            if isinstance(leaf, NumericColumn):
                if leaf.slot not in self.numeric_slots:
                    self.numeric_slots[leaf.slot] = (width, leaf)
                    width += leaf.width
            elif leaf not in self.code_slots:
                self.code_slots[leaf] = len(self.code_slots)
        self.numeric_width = width
        self.ids_width = len(self.code_slots)
        for col in _walk(self.columns):
            if isinstance(col, NumericColumn) and col.normalize:
                self.normalized.setdefault(col.name, col)
        self.fills: dict[tuple, np.ndarray] = {}
        self.moments: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.adapted = not self.needs_adapt

    @property
    def needs_adapt(self) -> bool:
        return any(leaf.needs_adapt for _, leaf in self.numeric_slots.values())

    @property
    def raw_keys(self) -> list[str]:
        """Names of the data columns this encoder reads."""
        keys = [leaf.key for _, leaf in self.numeric_slots.values()] + [leaf.key for leaf in self.code_slots]
        return list(dict.fromkeys(keys))

    # ------------------------------------------------------------------
    def _raw_numeric(self, data: Any, leaf: NumericColumn, check: bool = True) -> np.ndarray:
        values = _host.get_column(data, leaf.key)
        return _host.parse_numeric(values, leaf.key, leaf.shape, allow_missing=leaf.default_value is not None,
                                   check=check or leaf.default_value is not None)

    def adapt(self, data: Any) -> None:
        """Fit fill values (``default_value="mean"/"median"``) and normalization
        statistics on training `data` (a DataFrame or dict of arrays)."""
        self.fit_encode(data)

    def fit_encode(self, data: Any, rows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """`adapt` and `encode` with one pass over the raw data (what `fit` needs).

        Normalization statistics are computed from the float32 values the model
        will see, accumulated in float64.
        """
        return self._encode(data, rows, fit=True)

    def encode(self, data: Any, rows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Host arrays ``(numeric float32 (R, F), ids int32 (R, C))``.

        Args:
            rows: allocate this many rows (at least the data's); the extra rows
                are zeros (padding for the compiled programs, at no extra copy).
        """
        return self._encode(data, rows, fit=False)

    def _encode(self, data: Any, rows: int | None, fit: bool) -> tuple[np.ndarray, np.ndarray]:
        data = _host.as_feature_data(data)
        if not fit:
            self.check_adapted("encode")
        n = _host.num_rows(data)
        if fit and n == 0:
            raise ValueError("Cannot adapt feature columns to empty data: it has no rows.")
        total = max(n, rows or 0)
        numeric = np.zeros((total, self.numeric_width), np.float32)
        for slot, (offset, leaf) in self.numeric_slots.items():
            raw = self._raw_numeric(data, leaf, check=False)  # NaN / inf: found below, in one pass
            if fit:
                fill = _stats.fill_values(raw, leaf.default_value, leaf.key)
                if fill is not None:
                    self.fills[slot] = fill
            if leaf.default_value is not None:
                fill = self.fills[slot] if slot in self.fills else np.full(leaf.width, float(leaf.default_value))
                missing = np.isnan(raw)
                if missing.any():
                    raw = np.where(missing, fill, raw)
            numeric[:n, offset:offset + leaf.width] = raw
        if self.numeric_width:
            if fit:
                mean, variance, finite = _stats.scan(numeric[:n])
            else:
                finite = bool(np.isfinite(numeric[:n]).all())
            if not finite:
                self._raise_non_finite(data, numeric[:n])
        if fit:
            for name, col in self.normalized.items():
                offset, leaf = self.numeric_slots[col.slot]
                self.moments[name] = (mean[offset:offset + leaf.width], variance[offset:offset + leaf.width])
            self.adapted = True
        ids = np.zeros((total, self.ids_width), np.int32)
        for leaf, j in self.code_slots.items():
            ids[:n, j:j + 1] = leaf.encode_codes(_host.get_column(data, leaf.key))
        return numeric, ids

    def _raise_non_finite(self, data: Any, numeric: np.ndarray) -> None:
        """The precise error for a NaN or infinite value found in the packed matrix."""
        for _, leaf in self.numeric_slots.values():
            self._raw_numeric(data, leaf, check=True)  # raises, naming the column and row
        row, col = (int(i) for i in np.argwhere(~np.isfinite(numeric))[0])
        key = next(leaf.key for offset, leaf in self.numeric_slots.values() if offset <= col < offset + leaf.width)
        raise ValueError(
            f"Column {key!r} has a value in row {row} that is too large for float32 (it became infinite). Rescale "
            f"the column (e.g. divide by 1000) before training."
        )

    def check_adapted(self, action: str) -> None:
        if not self.adapted:
            need = [leaf.key for _, leaf in self.numeric_slots.values() if leaf.needs_adapt]
            raise RuntimeError(
                f"Cannot {action} before the feature columns are adapted: column(s) {need} use normalize=True or a "
                f"fitted default_value. Call layer.adapt(train_data) first (estimators do it in fit)."
            )

    # ------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        """Adapted statistics as JSON-able lists."""
        return {
            "fills": [[list(slot[:1]) + [list(slot[1]), slot[2]], v.tolist()] for slot, v in self.fills.items()],
            "moments": {k: [m.tolist(), v.tolist()] for k, (m, v) in self.moments.items()},
            "adapted": self.adapted,
        }

    def set_state(self, state: dict[str, Any]) -> None:
        self.fills = {(s[0], tuple(s[1]), s[2]): np.asarray(v, np.float64) for s, v in state.get("fills", [])}
        self.moments = {k: (np.asarray(m, np.float64), np.asarray(v, np.float64))
                        for k, (m, v) in state.get("moments", {}).items()}
        self.adapted = bool(state.get("adapted", True))


def _walk(columns: Sequence[FeatureColumn]) -> list[FeatureColumn]:
    out: list[FeatureColumn] = []
    for c in columns:
        out.append(c)
        out.extend(_walk(c.parents()))
    return out


def _leaves(columns: Sequence[FeatureColumn]) -> list[FeatureColumn]:
    return [c for c in _walk(columns) if not c.parents() and not isinstance(c, CrossedColumn)]


class _GraphContext:
    """What columns read inside the compiled model: slices of the packed inputs and layer weights."""

    def __init__(self, layer: "_FeatureLayer", inputs: dict):
        self.layer = layer
        enc = layer.encoder
        self._numeric = inputs.get(layer.input_names[0]) if enc.numeric_width else None
        ids = inputs.get(layer.input_names[1]) if enc.ids_width else None
        self._ids = None if ids is None else ids.astype(jnp.int32)
        if self._numeric is not None:
            self._numeric = self._numeric.astype(jnp.float32)

    def numeric(self, column: NumericColumn) -> Any:
        offset, leaf = self.layer.encoder.numeric_slots[column.slot]
        return self._numeric[:, offset:offset + leaf.width]

    def codes(self, column: CategoricalColumn) -> Any:
        j = self.layer.encoder.code_slots[column]
        return self._ids[:, j:j + 1]

    def stats(self, column: NumericColumn) -> tuple[Any, Any]:
        name = _sanitize(column.name)
        return getattr(self.layer, f"{name}_mean"), getattr(self.layer, f"{name}_variance")

    def weight(self, column: FeatureColumn, suffix: str) -> Any:
        return getattr(self.layer, f"{_sanitize(column.name)}_{suffix}")


class _FeatureLayer(Layer):
    """Shared base: columns, host encoder, packed inputs, adapted statistics as state weights."""

    autocast = False

    def __init__(self, feature_columns: Any, *, stats: dict | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.feature_columns = check_columns(feature_columns, type(self).__name__)
        self.encoder = FeatureEncoder(self.feature_columns)
        if stats is not None:
            self.encoder.set_state(stats)

    # host side ---------------------------------------------------------
    @property
    def input_names(self) -> tuple[str, str]:
        """Keys of `encode`'s output and names of the `inputs` tensors."""
        return (f"{self.name}_numeric", f"{self.name}_ids")

    def adapt(self, data: Any) -> "_FeatureLayer":
        """Fit normalization statistics and imputers on training `data` (host, once).

        Call before building the model; refitting after the weights exist
        changes only the host side -- build a new model instead.
        """
        if self._values is not None and self.encoder.normalized:
            raise RuntimeError(
                f"{type(self).__name__} {self.name!r} already has weights; adapting it again would not update them. "
                f"Create a new layer (and model) for new training data."
            )
        self.encoder.adapt(data)
        return self

    def encode(self, data: Any, rows: int | None = None) -> dict[str, np.ndarray]:
        """Turn a DataFrame / dict of arrays into the model's input arrays (host).

        Args:
            rows: allocate this many rows, zeros after the data (padding).

        Raises the errors of the columns: missing column (named), non-numeric or
        missing numeric values, unseen categories without OOV buckets.
        """
        return self._packed(*self.encoder.encode(data, rows))

    def fit_encode(self, data: Any, rows: int | None = None) -> dict[str, np.ndarray]:
        """`adapt` on `data` and return its encoding (one pass over the data)."""
        if self._values is not None and self.encoder.normalized:
            raise RuntimeError(
                f"{type(self).__name__} {self.name!r} already has weights; adapting it again would not update them. "
                f"Create a new layer (and model) for new training data."
            )
        return self._packed(*self.encoder.fit_encode(data, rows))

    def _packed(self, numeric: np.ndarray, ids: np.ndarray) -> dict[str, np.ndarray]:
        out = {}
        if self.encoder.numeric_width:
            out[self.input_names[0]] = numeric
        if self.encoder.ids_width:
            out[self.input_names[1]] = ids
        return out

    def inputs(self) -> dict[str, Any]:
        """Symbolic `Input` tensors matching `encode` (for a functional `Model`)."""
        out = {}
        if self.encoder.numeric_width:
            out[self.input_names[0]] = Input((self.encoder.numeric_width,), name=self.input_names[0])
        if self.encoder.ids_width:
            out[self.input_names[1]] = Input((self.encoder.ids_width,), dtype="int32", name=self.input_names[1])
        return out

    # weights -------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        for name in self.encoder.normalized:
            width = self.encoder.normalized[name].width
            self.add_weight(f"{_sanitize(name)}_mean", (width,), "zeros", trainable=False)
            self.add_weight(f"{_sanitize(name)}_variance", (width,), "ones", trainable=False)
        for col in _walk(self.feature_columns):
            if isinstance(col, EmbeddingColumn) and f"{_sanitize(col.name)}_embedding_weights" not in self._specs:
                self.add_weight(f"{_sanitize(col.name)}_embedding_weights", (col.categorical_column.num_buckets,
                                col.dimension), col.embedding_initializer(), trainable=col.trainable)

    def adapted_state(self) -> dict[str, np.ndarray]:
        """The adapted statistics as this layer's non-trainable weights (name -> array)."""
        self.encoder.check_adapted("build the model")
        out = {}
        for name in self.encoder.normalized:
            mean, var = self.encoder.moments[name]
            out[f"{_sanitize(name)}_mean"] = np.asarray(mean, np.float32)
            out[f"{_sanitize(name)}_variance"] = np.asarray(var, np.float32)
        return out

    def init_variables(self, key: Any) -> dict[str, dict]:
        values = super().init_variables(key)
        for name, value in self.adapted_state().items():
            values["state"][name] = jnp.asarray(value)
        return values

    def _check_inputs(self, inputs: Any) -> dict:
        if not isinstance(inputs, dict):
            raise TypeError(
                f"{type(self).__name__} {self.name!r} takes the dict made by its `encode` method (keys "
                f"{list(self.encode_keys())}); received {describe(inputs)}. Pass layer.encode(dataframe)."
            )
        missing = [k for k in self.encode_keys() if k not in inputs]
        if missing:
            raise ValueError(f"{type(self).__name__} {self.name!r} needs inputs {missing}; make them with encode().")
        return inputs

    def encode_keys(self) -> list[str]:
        keys = []
        if self.encoder.numeric_width:
            keys.append(self.input_names[0])
        if self.encoder.ids_width:
            keys.append(self.input_names[1])
        return keys

    def _dense_part(self, ctx: _GraphContext, columns: Sequence[DenseColumn]) -> Any:
        parts = [c.dense(ctx) for c in columns]
        return parts[0] if len(parts) == 1 else jnp.concatenate(parts, axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "feature_columns": [serialize_column(c) for c in self.feature_columns],
                "stats": self.encoder.get_state()}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "_FeatureLayer":
        config = dict(config)
        config["feature_columns"] = [deserialize_column(c) for c in config["feature_columns"]]
        return cls(**config)

    def structure_signature(self) -> tuple:
        """What the compiled computation depends on besides weight values (for program sharing)."""
        return (type(self).__name__, self.name, tuple(self.feature_columns), self.encoder.numeric_width,
                self.encoder.ids_width, tuple(id(c.normalizer_fn) for c in _walk(self.feature_columns)
                                              if isinstance(c, NumericColumn) and c.normalizer_fn is not None))


class DenseFeatures(_FeatureLayer):
    """Feature columns -> one dense float matrix ``(N, sum of widths)`` (TF's `DenseFeatures`).

    Takes dense columns only: numeric, bucketized (one-hot), indicator and
    embedding columns, concatenated in the given order. Wrap categorical
    columns in `indicator_column` or `embedding_column`.

    Args:
        feature_columns: list of dense feature columns.
        name: layer name (also the prefix of the input names).

    Example:
        >>> import pandas as pd
        >>> from trainlab import features
        >>> df = pd.DataFrame({"size": [1.0, 2.0, 3.0], "kind": ["a", "b", "a"]})
        >>> feats = features.DenseFeatures([
        ...     features.numeric_column("size", normalize=True),
        ...     features.indicator_column(features.categorical_column_with_vocabulary_list("kind", ["a", "b"]))])
        >>> feats.adapt(df).output_width
        3
    """

    def __init__(self, feature_columns: Any, *, stats: dict | None = None, **kwargs: Any):
        super().__init__(feature_columns, stats=stats, **kwargs)
        for c in self.feature_columns:
            if not isinstance(c, DenseColumn):
                raise TypeError(
                    f"DenseFeatures takes dense columns, but {c.name!r} is categorical ({type(c).__name__}). Wrap "
                    f"it: indicator_column({c.name!r} column) for a one-hot vector (few categories) or "
                    f"embedding_column(..., dimension=8) for a learned vector (many categories)."
                )

    @property
    def output_width(self) -> int:
        return sum(c.dense_width for c in self.feature_columns)

    def call(self, inputs: Any) -> Any:
        ctx = _GraphContext(self, self._check_inputs(inputs))
        return self._dense_part(ctx, self.feature_columns)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (None, self.output_width)


class LinearModel(_FeatureLayer):
    """A linear model of feature columns: ``activation(sum_i w_i . f_i + bias)``, shape ``(N, units)``.

    Dense columns (numeric, indicator, embedding) are multiplied by a kernel;
    categorical columns (vocabulary, identity, hash, crossed, bucketized) look
    up one weight row per id, which equals a one-hot vector times a kernel
    without building the one-hot matrix (TF's `LinearModel`). Weights start at
    zero, as in TensorFlow's linear estimators.

    Args:
        feature_columns: any feature columns.
        units: outputs (1 for regression / binary, K for K classes).
        activation: output activation (e.g. "sigmoid", "softmax").
        kernel_regularizer: penalty on every weight except the bias (L1/L2).

    Example:
        >>> from trainlab import features
        >>> m = features.LinearModel([features.categorical_column_with_identity("day", 7)], units=1)
        >>> m.output_shape is None
        True
    """

    def __init__(self, feature_columns: Any, units: int = 1, activation: Any = None, use_bias: bool = True,
                 kernel_regularizer: Any = None, *, stats: dict | None = None, **kwargs: Any):
        from .. import activations as _activations
        from .._validation import check_positive_int

        super().__init__(feature_columns, stats=stats, **kwargs)
        self.units = check_positive_int("units", units)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer, "kernel_regularizer")
        self.dense_columns = [c for c in self.feature_columns if not isinstance(c, CategoricalColumn)]
        self.categorical_columns = [c for c in self.feature_columns if isinstance(c, CategoricalColumn)]
        self._plan_dense()

    def _plan_dense(self) -> None:
        """Split the kernel's rows: plain numeric columns read the packed numeric input
        directly, their standardization folded into the kernel (``((x - m) / s) @ K
        = x @ (K / s) - (m / s) @ K``: a few dozen multiplications per step instead
        of one per input value); other dense columns are concatenated as usual."""
        affine_rows, affine_inputs, other_rows, other = [], [], [], []
        row = 0
        for c in self.dense_columns:
            rows = list(range(row, row + c.dense_width))
            row += c.dense_width
            if isinstance(c, NumericColumn) and c.normalizer_fn is None:
                offset, leaf = self.encoder.numeric_slots[c.slot]
                affine_rows += rows
                affine_inputs += list(range(offset, offset + leaf.width))
            else:
                other_rows += rows
                other.append(c)
        self._affine = [c for c in self.dense_columns if c not in other]
        self._affine_rows = np.asarray(affine_rows, np.int32)
        self._affine_inputs = np.asarray(affine_inputs, np.int32)
        self._other_rows = np.asarray(other_rows, np.int32)
        self._other = other

    def _affine_scale_shift(self, ctx: _GraphContext) -> tuple[Any, Any]:
        """Per kernel row of the plain numeric columns: ``1/std`` and ``-mean/std`` (or 1, 0)."""
        scales, shifts = [], []
        for c in self._affine:
            if c.normalize:
                mean, variance = ctx.stats(c)
                scale = jnp.where(variance > 0, 1.0 / jnp.sqrt(jnp.maximum(variance, 1e-30)), 1.0)
                scales.append(scale)
                shifts.append(-mean * scale)
            else:
                scales.append(jnp.ones((c.width,), jnp.float32))
                shifts.append(jnp.zeros((c.width,), jnp.float32))
        return jnp.concatenate(scales), jnp.concatenate(shifts)

    def _linear_dense(self, ctx: _GraphContext) -> Any:
        kernel = self.kernel
        y = None
        if self._affine:
            k = kernel if len(self._affine_rows) == kernel.shape[0] else jnp.take(kernel, self._affine_rows, axis=0)
            x = ctx._numeric
            if not (len(self._affine_inputs) == x.shape[1] and np.array_equal(self._affine_inputs,
                                                                               np.arange(x.shape[1]))):
                x = jnp.take(x, self._affine_inputs, axis=1)
            scale, shift = self._affine_scale_shift(ctx)
            y = x @ (k * scale[:, None]) + shift @ k
        if self._other:
            k = jnp.take(kernel, self._other_rows, axis=0)
            term = self._dense_part(ctx, self._other) @ k
            y = term if y is None else y + term
        return y

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        if self.dense_columns:
            width = sum(c.dense_width for c in self.dense_columns)
            self.add_weight("kernel", (width, self.units), "zeros", self.kernel_regularizer)
        for c in self.categorical_columns:
            self.add_weight(f"{_sanitize(c.name)}_weights", (c.num_buckets, self.units), "zeros",
                            self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), "zeros")

    def call(self, inputs: Any) -> Any:
        ctx = _GraphContext(self, self._check_inputs(inputs))
        y = self._linear_dense(ctx) if self.dense_columns else None
        for c in self.categorical_columns:
            ids = c.ids(ctx)
            table = ctx.weight(c, "weights")
            rows = jnp.take(table, jnp.maximum(ids, 0), axis=0) * (ids >= 0)[..., None]
            term = jnp.sum(rows, axis=1)
            y = term if y is None else y + term
        if self.use_bias:
            y = self.bias if y is None else y + self.bias
        return self.activate(y)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (None, self.units)

    def get_config(self) -> dict[str, Any]:
        from .. import activations as _activations

        return {**super().get_config(), "units": self.units, "activation": _activations.serialize(self.activation),
                "use_bias": self.use_bias, "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer)}

    def structure_signature(self) -> tuple:
        from .. import activations as _activations

        return super().structure_signature() + (self.units, _activations.serialize(self.activation), self.use_bias,
                                                type(self.kernel_regularizer).__name__)
