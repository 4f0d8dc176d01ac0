"""Optimizers with Keras 3 names, defaults and update formulas, on optax.

Each optimizer is an object (configuration) plus a pure core:
``state = opt.init(params)``; ``updates, state = opt.update(grads, state, params)``;
``params = optax.apply_updates(params, updates)``. Hyperparameters live in
``state.hparams`` as float32 arrays, so ``jax.vmap(opt.update)`` trains a
population with one value per member and a jitted update never recompiles
when they change. ``opt.as_optax()`` drops it into plain optax code.

Example:
    >>> import jax, jax.numpy as jnp, optax
    >>> from trainlab import optimizers, schedules
    >>> opt = optimizers.get("adam")
    >>> opt = optimizers.SGD(schedules.ExponentialDecay(0.1, 100, 0.5), momentum=0.9)
    >>> sorted(opt.hyperparameters())  # doctest: +NORMALIZE_WHITESPACE
    ['learning_rate/decay_rate', 'learning_rate/decay_steps',
     'learning_rate/initial_learning_rate', 'momentum']
"""

from . import schedules
from ._adam import Adam, Adamax, AdamW, Nadam
from ._adaptive import Adadelta, Adagrad, RMSprop
from ._api import deserialize, get, serialize
from ._base import Optimizer, OptState
from ._sgd import SGD

__all__ = [
    "Optimizer",
    "OptState",
    "SGD",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "Adam",
    "AdamW",
    "Nadam",
    "Adamax",
    "get",
    "serialize",
    "deserialize",
    "schedules",
]
