"""Data utilities: splits (and, later, preprocessing and input pipelines).

Datasets themselves live in `trainlab.datasets`.
"""

from .splits import kfold_indices, train_val_test_split

__all__ = ["train_val_test_split", "kfold_indices"]
