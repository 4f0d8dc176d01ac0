"""Per-coordinate adaptive rules whose Keras formulas optax implements
exactly: RMSprop, Adagrad and Adadelta (optax built-ins, Keras defaults)."""

from __future__ import annotations

import optax

from ._args import nonnegative, unit_interval
from ._base import REGISTRY, Optimizer

__all__ = ["RMSprop", "Adagrad", "Adadelta"]


@REGISTRY.register("rmsprop")
class RMSprop(Optimizer):
    """RMSprop (Hinton 2012), Keras 3 ``RMSprop``::

        v = rho * v + (1 - rho) * g**2
        centered:  a = rho * a + (1 - rho) * g;  denom = v - a**2 + epsilon
        else:      denom = v + epsilon
        step = learning_rate * g / sqrt(denom)
        momentum > 0:  mom = momentum * mom + step;  w -= mom
        else:          w -= step

    Built from ``optax.rmsprop`` (``scale_by_rms``/``scale_by_stddev`` with
    ``eps`` inside the square root and zero initial accumulators, learning
    rate, then ``trace(momentum)``), which is the same formula. Defaults differ
    from optax's: Keras ``rho=0.9`` (optax ``decay=0.9``), ``epsilon=1e-7``
    (optax ``eps=1e-8``). The momentum slot exists only when ``momentum > 0``
    at construction (as in Keras); construct with a nonzero momentum to tune it.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        rho: discount of the squared-gradient average, in [0, 1]. Defaults to 0.9.
        momentum: in [0, 1]. Defaults to 0.0.
        epsilon: >= 0, added inside the square root. Defaults to 1e-7.
        centered: normalize by the estimated variance instead of the second
            moment. Defaults to False.
        **kwargs: see :class:`Optimizer`.

    Example:
        >>> import jax.numpy as jnp
        >>> opt = RMSprop(learning_rate=0.1)
        >>> u, _ = opt.update({"w": jnp.array([10.0])}, opt.init({"w": jnp.array([10.0])}))
        >>> round(10.0 + float(u["w"][0]), 5)   # Keras doc example: 9.683772
        9.68377
    """

    _default_name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.centered = bool(centered)
        self._declare("rho", rho, unit_interval)
        momentum = unit_interval("momentum", momentum)
        self._declare("momentum", momentum, unit_interval, leaf=momentum > 0)
        self._declare("epsilon", epsilon, nonnegative)

    def _rule(self, hp, count):
        return optax.rmsprop(
            hp["learning_rate"], decay=hp["rho"], eps=hp["epsilon"], initial_scale=0.0,
            eps_in_sqrt=True, centered=self.centered,
            momentum=hp["momentum"] if "momentum" in self._leaves else None,
        )

    def get_config(self):
        config = super().get_config()
        config.update(centered=self.centered)
        return config


@REGISTRY.register("adagrad")
class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011), Keras 3 ``Adagrad``::

        acc = acc + g**2            (acc starts at initial_accumulator_value)
        w -= learning_rate * g / sqrt(acc + epsilon)

    ``optax.adagrad`` (``scale_by_rss``) is the same formula, and its defaults
    (``initial_accumulator_value=0.1``, ``eps=1e-7``) match Keras. The
    initial accumulator value only affects ``init`` and is a static setting.

    Args:
        learning_rate: float or schedule. Defaults to 0.001 (the original
            paper's form is 1.0).
        initial_accumulator_value: >= 0. Defaults to 0.1.
        epsilon: >= 0. Defaults to 1e-7.
        **kwargs: see :class:`Optimizer`.

    Example:
        >>> import jax.numpy as jnp
        >>> opt = Adagrad(learning_rate=1.0, initial_accumulator_value=0.0, epsilon=0.0)
        >>> u, _ = opt.update({"w": jnp.array([3.0])}, opt.init({"w": jnp.zeros(1)}))
        >>> u["w"].tolist()
        [-1.0]
    """

    _default_name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self._declare("initial_accumulator_value", initial_accumulator_value, nonnegative, leaf=False,
                      static_hint="it only sets the accumulators in `init`; construct a new Adagrad to change it")
        self._declare("epsilon", epsilon, nonnegative)

    def _rule(self, hp, count):
        return optax.adagrad(hp["learning_rate"], initial_accumulator_value=self._values[
            "initial_accumulator_value"], eps=hp["epsilon"])


@REGISTRY.register("adadelta")
class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012), Keras 3 ``Adadelta``::

        acc_g  = rho * acc_g + (1 - rho) * g**2
        delta  = sqrt(acc_dx + epsilon) / sqrt(acc_g + epsilon) * g
        acc_dx = rho * acc_dx + (1 - rho) * delta**2
        w -= learning_rate * delta

    Built from ``optax.scale_by_adadelta`` and the learning rate (the same
    formula). Defaults differ from ``optax.adadelta``: Keras ``rho=0.95``
    (optax 0.9), ``epsilon=1e-7`` (optax 1e-6), ``learning_rate=0.001``
    (optax None, i.e. 1.0); use ``learning_rate=1.0`` for the paper's form.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        rho: decay rate in [0, 1]. Defaults to 0.95.
        epsilon: >= 0. Defaults to 1e-7.
        **kwargs: see :class:`Optimizer`.

    Example:
        >>> import jax.numpy as jnp
        >>> opt = Adadelta(learning_rate=1.0)
        >>> state = opt.init({"w": jnp.zeros(2)})
        >>> state.slots[0].e_x["w"].shape
        (2,)
    """

    _default_name = "adadelta"

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self._declare("rho", rho, unit_interval)
        self._declare("epsilon", epsilon, nonnegative)

    def _rule(self, hp, count):
        return optax.chain(
            optax.scale_by_adadelta(rho=hp["rho"], eps=hp["epsilon"]),
            optax.scale_by_learning_rate(hp["learning_rate"]),
        )
