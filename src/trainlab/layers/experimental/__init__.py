"""`layers.experimental.preprocessing`: where TensorFlow 2.3-2.5 course code imports the
preprocessing layers from (``from tensorflow.keras.layers.experimental import preprocessing``).
The same classes as `trainlab.layers`.

Example:
    >>> from trainlab.layers.experimental import preprocessing
    >>> preprocessing.Normalization is __import__("trainlab").layers.Normalization
    True
"""

from . import preprocessing

__all__ = ["preprocessing"]
