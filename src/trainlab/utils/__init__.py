"""Utilities: seeding, label encoding."""

from .random import as_key, next_key, set_random_seed
from .labels import to_categorical

__all__ = ["set_random_seed", "next_key", "as_key", "to_categorical"]
