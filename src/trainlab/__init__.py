"""trainlab: train neural networks the way the courses teach it.

Level 1 (`trainlab.core`) is a pure functional JAX core; level 2 is a
Keras-style shell (`Sequential`, `Model`, `compile`, `fit`); level 3 adds the
training doctor, the population tuner, scikit-learn estimators and the CLI.

Example:
    >>> import trainlab as tl
    >>> model = tl.Sequential([
    ...     tl.layers.Flatten(input_shape=(28, 28)),
    ...     tl.layers.Dense(128, activation="relu"),
    ...     tl.layers.Dense(10, activation="softmax"),
    ... ])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
"""

__version__ = "0.1.0"

from . import _numpy_compat  # noqa: E402,F401  (`.numpy()` on JAX arrays, as on tf tensors)
from . import (  # noqa: E402
    activations,
    backend,
    callbacks,
    core,
    data,
    datasets,
    doctor,
    features,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    regularizers,
    report,
    saving,
    schedules,
    tune,
    utils,
)
from .layers import Input  # noqa: E402  (`keras.Input`)
from .models import Model, Sequential, load_model  # noqa: E402
from .utils import set_random_seed  # noqa: E402
from .variables import Variable  # noqa: E402
from .autodiff import GradientTape, function, grad, value_and_grad  # noqa: E402

__all__ = [
    "__version__",
    "Input",
    "Model",
    "Sequential",
    "load_model",
    "set_random_seed",
    "Variable",
    "GradientTape",
    "function",
    "grad",
    "value_and_grad",
    "activations",
    "backend",
    "callbacks",
    "core",
    "data",
    "datasets",
    "doctor",
    "estimators",
    "features",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "regularizers",
    "report",
    "saving",
    "schedules",
    "tune",
    "utils",
]


def __getattr__(name: str):
    # trainlab.estimators imports scikit-learn (about a second): load it on first use
    if name == "estimators":
        import importlib

        return importlib.import_module(f"{__name__}.estimators")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
