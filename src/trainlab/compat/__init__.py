"""TensorFlow 1 names for course code (level 3): ``import trainlab.compat.v1 as tf``.

See `trainlab.compat.v1`.
"""

from . import v1

__all__ = ["v1"]
