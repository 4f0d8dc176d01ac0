"""trainlab: train neural networks the way the courses teach it.

Level 1 (`trainlab.core`) is a pure functional JAX core; level 2 is a
Keras-style shell (`Sequential`, `Model`, `compile`, `fit`); level 3 adds the
training doctor, the population tuner, scikit-learn estimators and the CLI.
"""

__version__ = "0.1.0"
