"""The Adam family: Adam (and AMSGrad), AdamW, Nadam, Adamax.

Keras writes all four differently from optax (see ``_transforms``), so each
uses a small custom optax transformation with the Keras formula.
"""

from __future__ import annotations

from ._args import decay_rate, nonnegative
from ._base import REGISTRY, Optimizer
from ._transforms import keras_adam, keras_adamax, keras_nadam

__all__ = ["Adam", "AdamW", "Nadam", "Adamax"]


class _AdamLike(Optimizer):
    def __init__(self, learning_rate, beta_1, beta_2, epsilon, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self._declare("beta_1", beta_1, decay_rate)
        self._declare("beta_2", beta_2, decay_rate)
        self._declare("epsilon", epsilon, nonnegative)

    def _args(self, hp, count):
        return hp["learning_rate"], hp["beta_1"], hp["beta_2"], hp["epsilon"], count


@REGISTRY.register("adam")
class Adam(_AdamLike):
    """Adam (Kingma & Ba 2014), Keras 3 ``Adam``::

        t = iterations + 1
        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        v_hat = max(v_hat, v)                       (amsgrad only; raw v, not bias-corrected)
        alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w -= alpha * m / (sqrt(v or v_hat) + epsilon)

    Keras vs optax: optax computes ``m_hat / (sqrt(v_hat) + eps)``, so
    Keras's ``epsilon`` acts like optax's ``eps / sqrt(1 - beta_2**t)``; and
    the default differs: Keras ``epsilon=1e-7``, optax ``eps=1e-8``. optax's
    AMSGrad takes the max of the bias-corrected ``v``. Hence a custom
    transformation (``keras_adam``).

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        beta_1: first-moment decay in [0, 1). Defaults to 0.9.
        beta_2: second-moment decay in [0, 1). Defaults to 0.999.
        epsilon: >= 0 ("epsilon hat" of the paper). Defaults to 1e-7.
        amsgrad: use AMSGrad (Reddi et al. 2018). Defaults to False.
        **kwargs: see :class:`Optimizer`.

    Example:
        >>> import jax.numpy as jnp
        >>> opt = Adam(learning_rate=0.1)
        >>> u, state = opt.update({"w": jnp.array([5.0])}, opt.init({"w": jnp.zeros(1)}))
        >>> round(float(u["w"][0]), 4)   # first Adam step is about -lr * sign(g)
        -0.1
    """

    _default_name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self.amsgrad = bool(amsgrad)

    def _rule(self, hp, count):
        return keras_adam(*self._args(hp, count), amsgrad=self.amsgrad)

    def get_config(self):
        config = super().get_config()
        config.update(amsgrad=self.amsgrad)
        return config


@REGISTRY.register("adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019), Keras 3 ``AdamW``.

    Exactly :class:`Adam` plus the base optimizer's ``w -= w * weight_decay *
    learning_rate`` applied before the Adam step, with ``weight_decay``
    defaulting to 0.004 (optax ``adamw``: 1e-4, and Adam's eps 1e-8). The decay
    is not masked: like Keras without ``exclude_from_weight_decay``, it applies
    to every parameter, biases included.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        weight_decay: float >= 0, required. Defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: as :class:`Adam`.
        **kwargs: see :class:`Optimizer`.

    Raises:
        ValueError: if ``weight_decay`` is None.

    Example:
        >>> import jax.numpy as jnp
        >>> opt = AdamW(learning_rate=0.1, weight_decay=0.5)
        >>> params = {"w": jnp.array([2.0])}
        >>> u, _ = opt.update({"w": jnp.array([0.0])}, opt.init(params), params)
        >>> round(float(u["w"][0]), 6)   # zero gradient: only the decay, -2 * 0.5 * 0.1
        -0.1
    """

    _default_name = "adamw"

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError(
                "Argument `weight_decay` must be a float for AdamW; received weight_decay=None. "
                "Pass e.g. weight_decay=0.004, or use Adam for no weight decay."
            )
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)


@REGISTRY.register("nadam")
class Nadam(_AdamLike):
    """Nadam (Dozat 2015), Keras 3 ``Nadam``: Adam with Nesterov momentum::

        t = iterations + 1
        u_t   = beta_1 * (1 - 0.5 * 0.96**t);  u_t1 = beta_1 * (1 - 0.5 * 0.96**(t+1))
        u_product = u_product * u_t                       (a scalar slot, starts at 1)
        m = m + (g - m) * (1 - beta_1);  v = v + (g**2 - v) * (1 - beta_2)
        m_hat = u_t1 * m / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2**t)
        w -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    optax's ``nadam`` is the simplified variant without the 0.96 momentum
    schedule (and eps 1e-8), so this is a custom transformation.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        beta_1, beta_2: in [0, 1). Defaults to 0.9 and 0.999.
        epsilon: >= 0. Defaults to 1e-7.
        **kwargs: see :class:`Optimizer`.

    Example:
        >>> import jax.numpy as jnp
        >>> opt = Nadam()
        >>> float(opt.init({"w": jnp.zeros(2)}).slots.u_product)
        1.0
    """

    _default_name = "nadam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)

    def _rule(self, hp, count):
        return keras_nadam(*self._args(hp, count))


@REGISTRY.register("adamax")
class Adamax(_AdamLike):
    """Adamax (Kingma & Ba 2014, section 7.1), Keras 3 ``Adamax``::

        t = iterations + 1
        m = m + (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        w -= learning_rate * m / ((1 - beta_1**t) * (u + epsilon))

    optax's ``scale_by_adamax`` uses ``max(beta_2 * u, |g| + eps)`` and divides
    by that (eps inside the max, default 1e-8), so this is a custom transformation.

    Args:
        learning_rate: float or schedule. Defaults to 0.001.
        beta_1, beta_2: in [0, 1). Defaults to 0.9 and 0.999.
        epsilon: >= 0. Defaults to 1e-7.
        **kwargs: see :class:`Optimizer`.

    Example:
        >>> import jax.numpy as jnp
        >>> opt = Adamax(learning_rate=0.1, epsilon=0.0)
        >>> u, _ = opt.update({"w": jnp.array([-4.0])}, opt.init({"w": jnp.zeros(1)}))
        >>> round(float(u["w"][0]), 6)
        0.1
    """

    _default_name = "adamax"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)

    def _rule(self, hp, count):
        return keras_adamax(*self._args(hp, count))
