"""Utilities: seeding, label encoding, normalization, sequence padding, model plots (Keras' `keras.utils` names)."""

from typing import Any

from .random import as_key, next_key, set_random_seed
from .labels import normalize, to_categorical
from .plot import plot_model

__all__ = ["set_random_seed", "next_key", "as_key", "to_categorical", "normalize", "pad_sequences",
           "image_dataset_from_directory", "text_dataset_from_directory", "plot_model"]


def pad_sequences(sequences: Any, *args: Any, **kwargs: Any) -> Any:
    """`keras.utils.pad_sequences`: see `trainlab.data.pad_sequences` (same arguments)."""
    from ..data import pad_sequences as _pad

    return _pad(sequences, *args, **kwargs)


def image_dataset_from_directory(directory: Any, *args: Any, **kwargs: Any) -> Any:
    """`keras.utils.image_dataset_from_directory`: see `trainlab.data.image_dataset_from_directory`."""
    from ..data import image_dataset_from_directory as _load

    return _load(directory, *args, **kwargs)


def text_dataset_from_directory(directory: Any, *args: Any, **kwargs: Any) -> Any:
    """`keras.utils.text_dataset_from_directory`: see `trainlab.data.text_dataset_from_directory`."""
    from ..data import text_dataset_from_directory as _load

    return _load(directory, *args, **kwargs)
