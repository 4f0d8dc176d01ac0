"""Feature columns: declarations of how raw data becomes model inputs.

Names, arguments and bucket semantics follow ``tf.feature_column`` (the API the
Google ML Crash Course teaches). A column is an immutable description; the work
is split in two:

* on the host, once per `fit` / `predict`: numbers are read and checked,
  missing values imputed, and categories turned into integer *codes*
  (vocabulary ids, identity ids, 31-bit string fingerprints) -- see `_host`;
* inside the compiled model (`DenseFeatures`, `LinearModel`): normalization,
  bucketizing, hash buckets (``fingerprint % size``), crosses, one-hot
  indicators and embedding lookups, so they run in the same XLA program as
  the training step.

Dense columns (`NumericColumn`, `BucketizedColumn`, `IndicatorColumn`,
`EmbeddingColumn`) give float vectors; categorical columns
(`VocabularyListColumn`, `IdentityColumn`, `HashedColumn`, `CrossedColumn`,
and `BucketizedColumn` too) give integer ids in ``[0, num_buckets)``, with -1
meaning "no category" (ignored by indicators, embeddings and linear models).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import jax.numpy as jnp
import numpy as np

from .._registry import Registry
from .._validation import check_one_of, check_positive_int, describe

__all__ = [
    "FeatureColumn",
    "DenseColumn",
    "CategoricalColumn",
    "NumericColumn",
    "BucketizedColumn",
    "VocabularyListColumn",
    "IdentityColumn",
    "HashedColumn",
    "CrossedColumn",
    "IndicatorColumn",
    "EmbeddingColumn",
    "COLUMNS",
    "numeric_column",
    "bucketized_column",
    "categorical_column_with_vocabulary_list",
    "categorical_column_with_identity",
    "categorical_column_with_hash_bucket",
    "crossed_column",
    "indicator_column",
    "embedding_column",
    "serialize_column",
    "deserialize_column",
]

COLUMNS = Registry("feature column", "feature_columns")
DEFAULT_HASH_KEY = 0x9E3779B9  # seed of crossed_column's in-graph hash (TF uses its own constant)
_IMPUTERS = ("mean", "median")


def _check_key(key: Any, fn: str) -> str:
    if not isinstance(key, str) or not key:
        raise TypeError(
            f"`key` of {fn} must be the non-empty name of a column of your data; received {describe(key)}."
        )
    return key


class FeatureColumn:
    """Base class of feature columns. Subclasses are frozen dataclasses."""

    @property
    def name(self) -> str:
        raise NotImplementedError

    def parents(self) -> list["FeatureColumn"]:
        """Columns this one is built on (for bucketized, crossed, indicator, embedding)."""
        return []

    def get_config(self) -> dict[str, Any]:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, FeatureColumn):
                value = serialize_column(value)
            elif isinstance(value, tuple):
                value = [serialize_column(v) if isinstance(v, FeatureColumn) else v for v in value]
            out[f.name] = value
        return out

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "FeatureColumn":
        kwargs = {}
        for f in fields(cls):
            if f.name not in config:
                continue
            value = config[f.name]
            if isinstance(value, dict) and "class_name" in value:
                value = deserialize_column(value)
            elif isinstance(value, list):
                value = tuple(deserialize_column(v) if isinstance(v, dict) and "class_name" in v else v for v in value)
            kwargs[f.name] = value
        return cls(**kwargs)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._repr_items())
        return f"{type(self).__name__}({args})"

    def _repr_items(self) -> list[tuple[str, Any]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


class DenseColumn(FeatureColumn):
    """A column that gives a float vector of `dense_width` values per row."""

    @property
    def dense_width(self) -> int:
        raise NotImplementedError

    def dense(self, ctx: Any) -> Any:
        """``(N, dense_width)`` float32, inside the compiled model."""
        raise NotImplementedError


class CategoricalColumn(FeatureColumn):
    """A column that gives `ids_width` integer ids per row in ``[0, num_buckets)``
    (-1: no category)."""

    # subclasses define `num_buckets` (a field or a property)

    @property
    def ids_width(self) -> int:
        return 1

    def ids(self, ctx: Any) -> Any:
        """``(N, ids_width)`` int32, inside the compiled model."""
        return ctx.codes(self)

    def encode_codes(self, values: np.ndarray) -> np.ndarray:
        """Host: raw values of `key` -> int32 codes ``(N, 1)`` (leaf columns only)."""
        raise NotImplementedError


# ----------------------------------------------------------------------
@COLUMNS.register("NumericColumn")
@dataclass(frozen=True, repr=False)
class NumericColumn(DenseColumn):
    """Real-valued feature: ``numeric_column(key, shape, default_value, normalizer_fn, normalize)``."""

    key: str
    shape: tuple = (1,)
    default_value: Any = None
    dtype: str = "float32"
    normalizer_fn: Callable | None = field(default=None, compare=False)
    normalize: bool = False

    @property
    def name(self) -> str:
        return self.key

    @property
    def width(self) -> int:
        return int(np.prod(self.shape))

    @property
    def dense_width(self) -> int:
        return self.width

    @property
    def imputer(self) -> str | None:
        """"mean" / "median" when the fill value is fitted on training data."""
        return self.default_value if isinstance(self.default_value, str) else None

    @property
    def needs_adapt(self) -> bool:
        return self.normalize or self.imputer is not None

    @property
    def slot(self) -> tuple:
        """Host slot identity: columns with the same key, shape and imputer share raw values."""
        return (self.key, tuple(self.shape), self.default_value)

    def dense(self, ctx: Any) -> Any:
        x = ctx.numeric(self)
        if self.normalizer_fn is not None:
            x = jnp.asarray(self.normalizer_fn(x), jnp.float32)
        if self.normalize:
            mean, variance = ctx.stats(self)
            x = (x - mean) * jnp.where(variance > 0, 1.0 / jnp.sqrt(jnp.maximum(variance, 1e-30)), 1.0)
        return x

    def get_config(self) -> dict[str, Any]:
        if self.normalizer_fn is not None:
            raise TypeError(
                f"numeric_column({self.key!r}) has a `normalizer_fn`, a Python function that cannot be saved in a "
                f"configuration. Use normalize=True (statistics fitted on training data) instead, or write a Layer."
            )
        config = super().get_config()
        config.pop("normalizer_fn")
        config["shape"] = list(self.shape)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "NumericColumn":
        config = dict(config)
        config["shape"] = tuple(config.get("shape", (1,)))
        return cls(**config)


def numeric_column(key: str, shape: int | Sequence[int] = (1,), default_value: Any = None, dtype: str = "float32",
                   normalizer_fn: Callable | None = None, *, normalize: bool = False) -> NumericColumn:
    """A real-valued feature.

    Args:
        key: column name in the DataFrame (or dict key).
        shape: values per row, ``(1,)`` for a plain column; ``(d,)`` for a dict
            entry of shape ``(N, d)``.
        default_value: how to fill missing values (NaN / None): None (the
            default) raises an error naming the column and row; a number fills
            with it; ``"mean"`` / ``"median"`` fill with that statistic of the
            training data (fitted by `adapt`, like an imputer).
        dtype: accepted for TensorFlow compatibility; values become float32.
        normalizer_fn: a function of the ``(N, d)`` float32 values applied in
            the compiled model (TF's normalizer_fn), e.g. ``lambda x: jnp.log1p(x)``.
            Models that use one cannot be saved to a file.
        normalize: standardize with the mean and variance of the training data,
            ``(x - mean) / std`` (std 0 is treated as 1), computed by `adapt`
            and stored as non-trainable weights.

    Example:
        >>> numeric_column("median_income", normalize=True).name
        'median_income'
    """
    key = _check_key(key, "numeric_column")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if not shape or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1 for d in shape):
        raise ValueError(f"`shape` of numeric_column({key!r}) must hold positive integers; received {shape!r}.")
    if isinstance(default_value, str):
        check_one_of("default_value", default_value, _IMPUTERS)
    elif default_value is not None:
        try:
            default_value = float(default_value)
        except (TypeError, ValueError):
            raise TypeError(
                f"`default_value` of numeric_column({key!r}) must be None, a number, 'mean' or 'median'; received "
                f"{describe(default_value)}."
            ) from None
        if not math.isfinite(default_value):
            raise ValueError(f"`default_value` of numeric_column({key!r}) must be finite; received {default_value!r}.")
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"`normalizer_fn` must be a function of arrays; received {describe(normalizer_fn)}.")
    if normalizer_fn is not None and normalize:
        raise ValueError(
            f"numeric_column({key!r}) got both `normalizer_fn` and normalize=True; pick one (normalize fits "
            f"mean and variance on training data; normalizer_fn applies your own function)."
        )
    return NumericColumn(key, tuple(int(d) for d in shape), default_value, str(dtype), normalizer_fn, bool(normalize))


# ----------------------------------------------------------------------
@COLUMNS.register("BucketizedColumn")
@dataclass(frozen=True, repr=False)
class BucketizedColumn(DenseColumn, CategoricalColumn):
    """A numeric column cut into ranges: ``(-inf, b0), [b0, b1), ..., [b_last, inf)``."""

    source_column: NumericColumn
    boundaries: tuple

    @property
    def name(self) -> str:
        return f"{self.source_column.name}_bucketized"

    def parents(self) -> list[FeatureColumn]:
        return [self.source_column]

    @property
    def buckets_per_value(self) -> int:
        return len(self.boundaries) + 1

    @property
    def num_buckets(self) -> int:
        return self.buckets_per_value * self.source_column.width

    @property
    def ids_width(self) -> int:
        return self.source_column.width

    @property
    def dense_width(self) -> int:
        return self.num_buckets

    def ids(self, ctx: Any) -> Any:
        x = ctx.numeric(self.source_column)  # raw units (imputed, not normalized)
        bounds = jnp.asarray(self.boundaries, jnp.float32)
        b = jnp.sum(x[..., None] >= bounds, axis=-1).astype(jnp.int32)
        offsets = jnp.arange(self.source_column.width, dtype=jnp.int32) * self.buckets_per_value
        return b + offsets

    def dense(self, ctx: Any) -> Any:
        return _multi_hot(self.ids(ctx), self.num_buckets)


def bucketized_column(source_column: NumericColumn, boundaries: Sequence[float]) -> BucketizedColumn:
    """Cut a numeric column into buckets (a one-hot vector, or ids for crosses / embeddings).

    A value ``v`` falls in bucket ``i`` when ``boundaries[i-1] <= v < boundaries[i]``:
    ``boundaries=[0, 1, 2]`` gives the buckets ``(-inf, 0), [0, 1), [1, 2), [2, inf)``.
    Boundaries are in the source's raw units (before any normalization).

    Example:
        >>> bucketized_column(numeric_column("latitude"), [34, 36, 38]).num_buckets
        4
    """
    if not isinstance(source_column, NumericColumn):
        raise TypeError(
            f"`source_column` of bucketized_column must be a numeric_column(...); received {describe(source_column)}."
        )
    try:
        bounds = tuple(float(b) for b in boundaries)
    except (TypeError, ValueError):
        raise TypeError(f"`boundaries` must be a list of numbers; received {describe(boundaries)}.") from None
    if not bounds or any(not math.isfinite(b) for b in bounds) or any(a >= b for a, b in zip(bounds, bounds[1:])):
        raise ValueError(
            f"`boundaries` of bucketized_column({source_column.key!r}) must be a non-empty list of finite, strictly "
            f"increasing numbers; received {list(boundaries)!r}. Sort them and drop duplicates, e.g. "
            f"sorted(set(boundaries)), or use np.quantile of the training data."
        )
    return BucketizedColumn(source_column, bounds)


# ----------------------------------------------------------------------
@COLUMNS.register("VocabularyListColumn")
@dataclass(frozen=True, repr=False)
class VocabularyListColumn(CategoricalColumn):
    """Categories from a fixed list; unseen values go to OOV buckets, a default id, or raise."""

    key: str
    vocabulary_list: tuple
    dtype: str | None = None
    default_value: int | None = None
    num_oov_buckets: int = 0

    @property
    def name(self) -> str:
        return self.key

    @property
    def num_buckets(self) -> int:
        return len(self.vocabulary_list) + self.num_oov_buckets

    def encode_codes(self, values: np.ndarray) -> np.ndarray:
        from ._host import lookup_vocabulary

        return lookup_vocabulary(values, self.vocabulary_list, self.key, num_oov_buckets=self.num_oov_buckets,
                                 default_value=self.default_value)

    def _repr_items(self) -> list[tuple[str, Any]]:
        items = super()._repr_items()
        vocab = self.vocabulary_list
        shown = list(vocab[:5]) + (["..."] if len(vocab) > 5 else [])
        return [(k, shown if k == "vocabulary_list" else v) for k, v in items]


def categorical_column_with_vocabulary_list(key: str, vocabulary_list: Sequence[Any], dtype: str | None = None,
                                            default_value: int | None = None,
                                            num_oov_buckets: int = 0) -> VocabularyListColumn:
    """A categorical feature with a known list of values; id ``i`` is ``vocabulary_list[i]``.

    Args:
        key: column name.
        vocabulary_list: the distinct values (strings or integers), in id order.
        dtype: accepted for TensorFlow compatibility (values are compared as the
            vocabulary's type: strings match strings, numbers match numbers).
        default_value: id for values not in the list: None (default) raises an
            error naming the value; -1 means "no category" (all-zero indicator,
            no embedding), as TensorFlow; or an id in ``[0, len(vocabulary_list))``.
        num_oov_buckets: > 0 sends each unseen value to one of this many extra
            buckets (ids ``len(vocabulary_list) + hash % num_oov_buckets``).
            Cannot be combined with `default_value`.

    Example:
        >>> col = categorical_column_with_vocabulary_list("ocean", ["INLAND", "NEAR BAY"], num_oov_buckets=1)
        >>> col.num_buckets
        3
    """
    key = _check_key(key, "categorical_column_with_vocabulary_list")
    if isinstance(vocabulary_list, (str, bytes)) or not hasattr(vocabulary_list, "__iter__"):
        raise TypeError(
            f"`vocabulary_list` of categorical_column_with_vocabulary_list({key!r}) must be a list of values; "
            f"received {describe(vocabulary_list)}."
        )
    vocab = tuple(v.item() if hasattr(v, "item") else v for v in vocabulary_list)
    if not vocab:
        raise ValueError(f"`vocabulary_list` of {key!r} is empty; list the category values, e.g. ['a', 'b'].")
    seen: set = set()
    dupes = [v for v in vocab if v in seen or seen.add(v)]
    if dupes:
        raise ValueError(f"`vocabulary_list` of {key!r} has duplicate value(s) {dupes[:5]}; each value needs one id.")
    num_oov_buckets = 0 if num_oov_buckets is None else int(num_oov_buckets)
    if num_oov_buckets < 0:
        raise ValueError(f"`num_oov_buckets` must be >= 0; received {num_oov_buckets!r}.")
    if default_value is not None:
        default_value = int(default_value)
        if num_oov_buckets:
            raise ValueError(
                f"categorical_column_with_vocabulary_list({key!r}) got both `default_value` and `num_oov_buckets`; "
                f"unseen values go either to one default id or to hashed OOV buckets. Pass only one."
            )
        if not -1 <= default_value < len(vocab):
            raise ValueError(
                f"`default_value` must be -1 (no category) or an id in [0, {len(vocab)}); received {default_value}."
            )
    return VocabularyListColumn(key, vocab, dtype, default_value, num_oov_buckets)


# ----------------------------------------------------------------------
@COLUMNS.register("IdentityColumn")
@dataclass(frozen=True, repr=False)
class IdentityColumn(CategoricalColumn):
    """Integer ids used as they are: values in ``[0, num_buckets)``."""

    key: str
    num_buckets: int
    default_value: int | None = None

    @property
    def name(self) -> str:
        return self.key

    def encode_codes(self, values: np.ndarray) -> np.ndarray:
        from ._host import check_identity

        return check_identity(values, self.key, self.num_buckets, self.default_value)


def categorical_column_with_identity(key: str, num_buckets: int, default_value: int | None = None) -> IdentityColumn:
    """A categorical feature whose values already are ids ``0 .. num_buckets-1``.

    Args:
        default_value: id for values outside the range (and missing ones);
            None (default) raises an error naming the value.

    Example:
        >>> categorical_column_with_identity("day_of_week", 7).num_buckets
        7
    """
    key = _check_key(key, "categorical_column_with_identity")
    num_buckets = check_positive_int("num_buckets", num_buckets)
    if default_value is not None and not 0 <= int(default_value) < num_buckets:
        raise ValueError(f"`default_value` must be an id in [0, {num_buckets}); received {default_value!r}.")
    return IdentityColumn(key, num_buckets, None if default_value is None else int(default_value))


# ----------------------------------------------------------------------
@COLUMNS.register("HashedColumn")
@dataclass(frozen=True, repr=False)
class HashedColumn(CategoricalColumn):
    """Values spread over `hash_bucket_size` buckets by a stable hash of their text."""

    key: str
    hash_bucket_size: int
    dtype: str = "string"

    @property
    def name(self) -> str:
        return self.key

    @property
    def num_buckets(self) -> int:
        return self.hash_bucket_size

    def encode_codes(self, values: np.ndarray) -> np.ndarray:
        from ._host import fingerprint

        return fingerprint(values).astype(np.int32)[:, None]

    def ids(self, ctx: Any) -> Any:
        return ctx.codes(self) % jnp.int32(self.hash_bucket_size)


def categorical_column_with_hash_bucket(key: str, hash_bucket_size: int, dtype: str = "string") -> HashedColumn:
    """A categorical feature with many or unknown values: ``id = fingerprint(str(value)) % hash_bucket_size``.

    The 31-bit fingerprint (SipHash, stable across machines) is computed on the
    host; the modulo runs in the compiled model. Different values may share a
    bucket (collisions); use a size a few times the number of distinct values.

    Example:
        >>> categorical_column_with_hash_bucket("zip_code", 1000).num_buckets
        1000
    """
    key = _check_key(key, "categorical_column_with_hash_bucket")
    size = check_positive_int("hash_bucket_size", hash_bucket_size)
    if size < 2:
        raise ValueError(f"`hash_bucket_size` must be at least 2; received {size}.")
    return HashedColumn(key, size, str(dtype))


# ----------------------------------------------------------------------
_RAW_FINGERPRINT = 2**31 - 1


@COLUMNS.register("CrossedColumn")
@dataclass(frozen=True, repr=False)
class CrossedColumn(CategoricalColumn):
    """Conjunctions of categorical features, hashed into `hash_bucket_size` buckets."""

    keys: tuple
    hash_bucket_size: int
    hash_key: int | None = None

    @property
    def name(self) -> str:
        return "_X_".join(k if isinstance(k, str) else k.name for k in self.keys)

    @property
    def num_buckets(self) -> int:
        return self.hash_bucket_size

    def sources(self) -> list[CategoricalColumn]:
        """The crossed categorical columns (raw string keys become full-width hash columns)."""
        return [HashedColumn(k, _RAW_FINGERPRINT) if isinstance(k, str) else k for k in self.keys]

    def parents(self) -> list[FeatureColumn]:
        return list(self.sources())

    def ids(self, ctx: Any) -> Any:
        parts = [c.ids(ctx) for c in self.sources()]
        return cross_hash(parts, self.hash_bucket_size, DEFAULT_HASH_KEY if self.hash_key is None else self.hash_key)


def cross_hash(parts: list[Any], size: int, seed: int) -> Any:
    """Hash one id from each of `parts` (each ``(N, 1)`` int32) into ``[0, size)``;
    -1 when any part is -1. Murmur3's 32-bit finalizer mixed with boost's hash_combine."""
    h = jnp.full(parts[0].shape, seed & 0xFFFFFFFF, jnp.uint32)
    missing = jnp.zeros(parts[0].shape, bool)
    for p in parts:
        missing = missing | (p < 0)
        v = _fmix32(p.astype(jnp.uint32))
        h = _fmix32(h ^ (v + jnp.uint32(0x9E3779B9) + (h << 6) + (h >> 2)))
    ids = (h % jnp.uint32(size)).astype(jnp.int32)
    return jnp.where(missing, -1, ids)


def _fmix32(h: Any) -> Any:
    h = h ^ (h >> 16)
    h = h * jnp.uint32(0x85EBCA6B)
    h = h ^ (h >> 13)
    h = h * jnp.uint32(0xC2B2AE35)
    return h ^ (h >> 16)


def crossed_column(keys: Sequence[Any], hash_bucket_size: int, hash_key: int | None = None) -> CrossedColumn:
    """Cross (AND) categorical features, e.g. latitude bucket x longitude bucket.

    Args:
        keys: two or more of: a column name holding strings or integers (hashed
            as its text), or a categorical column (vocabulary, identity, hash,
            bucketized of a one-value numeric column, or another cross).
        hash_bucket_size: number of buckets the combinations are hashed into.
        hash_key: optional seed of the hash.

    Example:
        >>> lat = bucketized_column(numeric_column("latitude"), [34, 36, 38])
        >>> lon = bucketized_column(numeric_column("longitude"), [-122, -120, -118])
        >>> crossed_column([lat, lon], 1000).name
        'latitude_bucketized_X_longitude_bucketized'
    """
    if isinstance(keys, (str, FeatureColumn)) or len(keys) < 2:
        raise ValueError(f"`keys` of crossed_column must list at least two features to cross; received {keys!r}.")
    out = []
    for k in keys:
        if isinstance(k, str):
            out.append(_check_key(k, "crossed_column"))
        elif isinstance(k, CategoricalColumn):
            if k.ids_width != 1:
                raise ValueError(
                    f"crossed_column can cross columns with one id per row; {k.name!r} gives {k.ids_width} "
                    f"(a bucketized numeric column of shape {getattr(getattr(k, 'source_column', None), 'shape', '?')})."
                )
            out.append(k)
        else:
            raise TypeError(
                f"`keys` of crossed_column must hold column names or categorical columns; received {describe(k)}. "
                f"Bucketize numeric columns first: bucketized_column(numeric_column(...), boundaries)."
            )
    size = check_positive_int("hash_bucket_size", hash_bucket_size)
    return CrossedColumn(tuple(out), size, None if hash_key is None else int(hash_key))


# ----------------------------------------------------------------------
def _multi_hot(ids: Any, num_buckets: int) -> Any:
    """``(N, k)`` ids -> ``(N, num_buckets)`` counts; -1 contributes nothing."""
    import jax

    return jnp.sum(jax.nn.one_hot(ids, num_buckets, dtype=jnp.float32), axis=1)


@COLUMNS.register("IndicatorColumn")
@dataclass(frozen=True, repr=False)
class IndicatorColumn(DenseColumn):
    """One-hot (multi-hot) vector of a categorical column."""

    categorical_column: CategoricalColumn

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_indicator"

    def parents(self) -> list[FeatureColumn]:
        return [self.categorical_column]

    @property
    def dense_width(self) -> int:
        return self.categorical_column.num_buckets

    def dense(self, ctx: Any) -> Any:
        return _multi_hot(self.categorical_column.ids(ctx), self.dense_width)


def indicator_column(categorical_column: CategoricalColumn) -> IndicatorColumn:
    """Represent a categorical column as a one-hot vector of `num_buckets` values
    (counts when a row has several ids). Good for a few dozen categories; use
    `embedding_column` for many.

    Example:
        >>> indicator_column(categorical_column_with_identity("digit", 10)).dense_width
        10
    """
    _check_categorical(categorical_column, "indicator_column")
    return IndicatorColumn(categorical_column)


def _check_categorical(column: Any, fn: str) -> None:
    if not isinstance(column, CategoricalColumn):
        hint = (" A numeric column is already dense; to turn it into categories use "
                "bucketized_column(numeric_column(...), boundaries).") if isinstance(column, NumericColumn) else ""
        raise TypeError(
            f"`categorical_column` of {fn} must be a categorical column (categorical_column_with_*, "
            f"bucketized_column or crossed_column); received {describe(column)}.{hint}"
        )


@COLUMNS.register("EmbeddingColumn")
@dataclass(frozen=True, repr=False)
class EmbeddingColumn(DenseColumn):
    """A learned `dimension`-vector per category, combined over a row's ids."""

    categorical_column: CategoricalColumn
    dimension: int
    combiner: str = "mean"
    initializer: Any = field(default=None, compare=False)
    max_norm: float | None = None
    trainable: bool = True

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_embedding"

    def parents(self) -> list[FeatureColumn]:
        return [self.categorical_column]

    @property
    def dense_width(self) -> int:
        return self.dimension

    def dense(self, ctx: Any) -> Any:
        ids = self.categorical_column.ids(ctx)
        table = ctx.weight(self, "embedding_weights")
        valid = (ids >= 0)[..., None].astype(jnp.float32)
        vectors = jnp.take(table, jnp.maximum(ids, 0), axis=0) * valid
        if self.max_norm is not None:
            norms = jnp.sqrt(jnp.sum(vectors**2, axis=-1, keepdims=True))
            vectors = vectors * jnp.minimum(1.0, self.max_norm / jnp.maximum(norms, 1e-12))
        total = jnp.sum(vectors, axis=1)
        count = jnp.sum(valid, axis=1)
        if self.combiner == "sum":
            return total
        if self.combiner == "mean":
            return total / jnp.maximum(count, 1.0)
        return total / jnp.sqrt(jnp.maximum(count, 1.0))

    def embedding_initializer(self) -> Any:
        from .. import initializers

        if self.initializer is None:  # TF's default: truncated normal, stddev 1/sqrt(dimension)
            return initializers.TruncatedNormal(mean=0.0, stddev=1.0 / math.sqrt(self.dimension))
        return initializers.get(self.initializer, "initializer")

    def get_config(self) -> dict[str, Any]:
        from .. import initializers

        config = super().get_config()
        config["initializer"] = None if self.initializer is None else initializers.serialize(
            initializers.get(self.initializer, "initializer"))
        return config


def embedding_column(categorical_column: CategoricalColumn, dimension: int, combiner: str = "mean",
                     initializer: Any = None, max_norm: float | None = None, trainable: bool = True,
                     **kwargs: Any) -> EmbeddingColumn:
    """A dense, trainable `dimension`-vector per category (for many categories).

    Args:
        categorical_column: the ids to embed.
        dimension: size of each vector; a rule of thumb is ``num_buckets ** 0.25``.
        combiner: how a row's several ids combine: "mean" (default), "sum" or
            "sqrtn" (sum / sqrt(count)).
        initializer: default truncated normal with stddev ``1/sqrt(dimension)`` (TF).
        max_norm: clip each looked-up vector to this L2 norm.
        trainable: False keeps the vectors at their initial values.

    Example:
        >>> col = categorical_column_with_hash_bucket("zip_code", 1000)
        >>> embedding_column(col, dimension=8).dense_width
        8
    """
    if kwargs:
        unsupported = ", ".join(f"`{k}`" for k in kwargs)
        raise TypeError(
            f"embedding_column got unsupported argument(s) {unsupported} (TensorFlow checkpoint loading is not "
            f"available); initialize from trained vectors with initializer=lambda key, shape, dtype: table."
        )
    _check_categorical(categorical_column, "embedding_column")
    dimension = check_positive_int("dimension", dimension)
    check_one_of("combiner", combiner, ["mean", "sum", "sqrtn"])
    if max_norm is not None and not float(max_norm) > 0:
        raise ValueError(f"`max_norm` must be > 0 or None; received {max_norm!r}.")
    return EmbeddingColumn(categorical_column, dimension, combiner, initializer,
                           None if max_norm is None else float(max_norm), bool(trainable))


# ----------------------------------------------------------------------
def serialize_column(column: FeatureColumn) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` (JSON-able) for a column."""
    return {"class_name": type(column).__name__, "config": column.get_config()}


def deserialize_column(config: dict[str, Any]) -> FeatureColumn:
    """Inverse of `serialize_column`."""
    return COLUMNS.get(config, base=FeatureColumn, argument="feature_columns")
