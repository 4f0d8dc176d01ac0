"""Utilities: seeding, label encoding, normalization, sequence padding, model plots (Keras' `keras.utils` names)."""

from typing import Any

from .random import as_key, next_key, set_random_seed
from .labels import normalize, to_categorical
from .plot import plot_model

__all__ = ["set_random_seed", "next_key", "as_key", "to_categorical", "normalize", "pad_sequences", "plot_model"]


def pad_sequences(sequences: Any, *args: Any, **kwargs: Any) -> Any:
    """`keras.utils.pad_sequences`: see `trainlab.data.pad_sequences` (same arguments)."""
    from ..data import pad_sequences as _pad

    return _pad(sequences, *args, **kwargs)
