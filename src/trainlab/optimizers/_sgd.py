"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

import optax

from ._args import unit_interval
from ._base import REGISTRY, Optimizer
from ._transforms import keras_momentum

__all__ = ["SGD"]


@REGISTRY.register("sgd")
class SGD(Optimizer):
    """Gradient descent (with momentum), Keras 3 ``SGD``.

    Update rule for a parameter ``w`` with gradient ``g``::

        momentum == 0:   w = w - learning_rate * g
        momentum  > 0:   velocity = momentum * velocity - learning_rate * g
                         w = w + velocity                                  (nesterov=False)
                         w = w + momentum * velocity - learning_rate * g   (nesterov=True)

    **Plain, mini-batch and stochastic gradient descent are all this
    optimizer**; they differ only in how many examples each gradient averages,
    i.e. the ``batch_size`` given to ``fit``, for a training set of N examples::

        model.compile(optimizer=SGD(learning_rate=0.1), loss="mse")
        model.fit(x, y, batch_size=len(x), epochs=200)  # (batch) gradient descent: B = N, 1 step/epoch
        model.fit(x, y, batch_size=32, epochs=20)       # mini-batch gradient descent: B = 32
        model.fit(x, y, batch_size=1, epochs=2)         # stochastic gradient descent: B = 1, N steps/epoch

    Smaller batches give more, noisier updates per epoch.

    **Population readiness.** Built with ``momentum=0`` (the default), SGD
    keeps no velocity slot and ``momentum`` is not a hyperparameter leaf (the
    fast path; setting it later raises). A tuner that searches momentum
    constructs the optimizer with a nonzero momentum, e.g. ``SGD(momentum=0.5)``,
    and passes per-member values, 0.0 included: ``momentum=0`` through the
    velocity path computes exactly plain SGD.

    Keras vs optax: ``optax.sgd(lr, momentum)`` accumulates raw gradients and
    scales by the learning rate afterwards, which differs from Keras as soon as
    the learning rate changes (schedules); trainlab uses Keras's velocity (a
    custom transformation) and ``optax.sgd`` only for the momentum-free path.

    Args:
        learning_rate: float or schedule. Defaults to 0.01.
        momentum: float in [0, 1]. Defaults to 0.0.
        nesterov: whether to apply Nesterov momentum. Defaults to False.
        **kwargs: ``weight_decay``, ``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name``; see :class:`Optimizer`.

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> opt = SGD(learning_rate=0.1, momentum=0.9)
        >>> params = {"w": jnp.array([1.0, -2.0])}
        >>> state = opt.init(params)
        >>> grads = jax.grad(lambda p: jnp.sum(p["w"] ** 2))(params)
        >>> updates, state = opt.update(grads, state, params)
        >>> [round(x, 4) for x in optax.apply_updates(params, updates)["w"].tolist()]
        [0.8, -1.6]
    """

    _default_name = "SGD"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        momentum = unit_interval("momentum", momentum)
        self.nesterov = bool(nesterov)
        self._declare("momentum", momentum, unit_interval, leaf=momentum != 0)

    def _rule(self, hp, count):
        if "momentum" not in self._leaves:
            return optax.sgd(hp["learning_rate"])  # -lr * g, identical to Keras
        return keras_momentum(hp["learning_rate"], hp["momentum"], nesterov=self.nesterov)

    def get_config(self):
        config = super().get_config()
        config.update(nesterov=self.nesterov)
        return config
