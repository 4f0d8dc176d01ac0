"""TF 1 names that the Google ML Crash Course programs call, on trainlab.

Replace ``import tensorflow as tf`` with ``import trainlab.compat.v1 as tf``
and ``from tensorflow.python.data import Dataset`` with
``from trainlab.data import Dataset``; the rest of a Crash Course Estimator
program runs as written:

* ``tf.estimator.LinearRegressor / LinearClassifier / DNNRegressor /
  DNNClassifier`` (trainlab's scikit-learn estimators, with TF's
  ``train / evaluate / predict(input_fn=...)``);
* ``tf.feature_column.*`` (`trainlab.features`);
* ``tf.train.GradientDescentOptimizer / AdamOptimizer / AdagradOptimizer /
  RMSPropOptimizer`` (trainlab optimizers with TF 1's argument names);
* ``tf.contrib.estimator.clip_gradients_by_norm``;
* ``tf.logging.set_verbosity(tf.logging.ERROR)`` (accepted, does nothing);
* ``tf.keras`` is trainlab itself.

Example:
    >>> import trainlab.compat.v1 as tf
    >>> opt = tf.contrib.estimator.clip_gradients_by_norm(tf.train.GradientDescentOptimizer(1e-5), 5.0)
    >>> est = tf.estimator.LinearRegressor(feature_columns=[tf.feature_column.numeric_column("rooms")], optimizer=opt)
    >>> type(est).__name__
    'LinearRegressor'
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .. import estimators as _estimators
from .. import features as feature_column
from .. import optimizers as _optimizers
from ..data import Dataset

import trainlab as keras  # noqa: E402  tf.keras is trainlab (already imported: this package is inside it)

__all__ = ["estimator", "feature_column", "train", "contrib", "logging", "data", "keras"]


# TF-only constructor arguments that have no meaning here (checkpoints, run configuration)
_IGNORED = ("model_dir", "config", "warm_start_from", "loss_reduction", "sparse_combiner")


def _canned(cls: type, kwargs: dict[str, Any], n_classes: int | None = None) -> Any:
    for name in _IGNORED:
        kwargs.pop(name, None)
    for name in ("weight_column", "label_vocabulary"):
        if kwargs.pop(name, None) is not None:
            raise ValueError(
                f"`{name}` of tf.estimator.{cls.__name__} is not supported; pass sample weights to fit(X, y, "
                f"sample_weight=...) and use string labels directly (the classes are read from the labels)."
            )
    kwargs.pop("label_dimension", None)  # the number of target columns is read from the labels
    if kwargs.get("optimizer") in ("Ftrl", "ftrl"):
        raise ValueError(
            f"`optimizer='Ftrl'` (TF's default) is not available; pass e.g. optimizer='adagrad' or "
            f"tf.train.GradientDescentOptimizer(learning_rate)."
        )
    return cls(**kwargs)


def LinearRegressor(feature_columns: Any = None, **kwargs: Any) -> Any:
    """``tf.estimator.LinearRegressor`` (see `trainlab.estimators.LinearRegressor`)."""
    return _canned(_estimators.LinearRegressor, {"feature_columns": feature_columns, **kwargs})


def LinearClassifier(feature_columns: Any = None, n_classes: int = 2, **kwargs: Any) -> Any:
    """``tf.estimator.LinearClassifier``; the classes are read from the labels (`n_classes` is not needed)."""
    return _canned(_estimators.LinearClassifier, {"feature_columns": feature_columns, **kwargs})


def DNNRegressor(hidden_units: Any = (64, 32), feature_columns: Any = None, **kwargs: Any) -> Any:
    """``tf.estimator.DNNRegressor`` (see `trainlab.estimators.DNNRegressor`)."""
    return _canned(_estimators.DNNRegressor, {"hidden_units": hidden_units, "feature_columns": feature_columns,
                                              **kwargs})


def DNNClassifier(hidden_units: Any = (64, 32), feature_columns: Any = None, n_classes: int = 2,
                  **kwargs: Any) -> Any:
    """``tf.estimator.DNNClassifier``; the classes are read from the labels."""
    return _canned(_estimators.DNNClassifier, {"hidden_units": hidden_units, "feature_columns": feature_columns,
                                               **kwargs})


def RunConfig(**kwargs: Any) -> dict[str, Any]:
    """``tf.estimator.RunConfig``: accepted and ignored (no checkpoints are kept)."""
    return dict(kwargs)


def GradientDescentOptimizer(learning_rate: float, use_locking: bool = False, name: str = "GradientDescent") -> Any:
    """``tf.train.GradientDescentOptimizer``: plain SGD."""
    return _optimizers.SGD(learning_rate=learning_rate)


def AdamOptimizer(learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
                  use_locking: bool = False, name: str = "Adam") -> Any:
    """``tf.train.AdamOptimizer`` (TF 1 names and its epsilon 1e-8)."""
    return _optimizers.Adam(learning_rate=learning_rate, beta_1=beta1, beta_2=beta2, epsilon=epsilon)


def AdagradOptimizer(learning_rate: float, initial_accumulator_value: float = 0.1, use_locking: bool = False,
                     name: str = "Adagrad") -> Any:
    """``tf.train.AdagradOptimizer``."""
    return _optimizers.Adagrad(learning_rate=learning_rate, initial_accumulator_value=initial_accumulator_value)


def RMSPropOptimizer(learning_rate: float, decay: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-10,
                     use_locking: bool = False, centered: bool = False, name: str = "RMSProp") -> Any:
    """``tf.train.RMSPropOptimizer`` (`decay` is Keras' `rho`)."""
    return _optimizers.RMSprop(learning_rate=learning_rate, rho=decay, momentum=momentum, epsilon=epsilon,
                               centered=centered)


def FtrlOptimizer(learning_rate: float, *args: Any, **kwargs: Any) -> Any:
    """``tf.train.FtrlOptimizer`` is not available: raises with the trainlab way."""
    raise NotImplementedError(
        f"`tf.train.FtrlOptimizer` (FTRL) is not available in trainlab. Use its close relative "
        f"tf.train.AdagradOptimizer(learning_rate={learning_rate!r}) (trainlab.optimizers.Adagrad), which "
        f"also adapts the step per weight; with many sparse bucketized or crossed features it trains the same "
        f"Crash Course models."
    )


def latest_checkpoint(checkpoint_dir: Any) -> str | None:
    """``tf.train.latest_checkpoint``: the most recently written trainlab file in
    `checkpoint_dir` (weights or model), or None when there is none."""
    import os

    from ..saving import read_metadata

    folder = os.fspath(checkpoint_dir)
    if not os.path.isdir(folder):
        return None
    found = []
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if not os.path.isfile(path) or name.startswith("."):
            continue
        try:
            read_metadata(path)
        except (ValueError, OSError):
            continue  # not a trainlab file
        found.append((os.path.getmtime(path), name, path))
    return max(found)[2] if found else None


def _set_verbosity(level: Any) -> None:
    """``tf.logging.set_verbosity``: trainlab prints nothing at these levels; accepted for course code."""


estimator = SimpleNamespace(LinearRegressor=LinearRegressor, LinearClassifier=LinearClassifier,
                            DNNRegressor=DNNRegressor, DNNClassifier=DNNClassifier, RunConfig=RunConfig)
train = SimpleNamespace(GradientDescentOptimizer=GradientDescentOptimizer, AdamOptimizer=AdamOptimizer,
                        AdagradOptimizer=AdagradOptimizer, RMSPropOptimizer=RMSPropOptimizer,
                        FtrlOptimizer=FtrlOptimizer, latest_checkpoint=latest_checkpoint)
contrib = SimpleNamespace(estimator=SimpleNamespace(clip_gradients_by_norm=_estimators.clip_gradients_by_norm))
logging = SimpleNamespace(set_verbosity=_set_verbosity, DEBUG=10, INFO=20, WARN=30, ERROR=40, FATAL=50)
data = SimpleNamespace(Dataset=Dataset)
