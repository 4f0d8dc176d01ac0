"""Keras 3 update rules that optax does not implement with the same formula.

Each builder returns an ``optax.GradientTransformation`` whose ``update``
returns *additive* updates (the learning rate and the minus sign are
included). Hyperparameters are plain arguments, so they may be traced arrays:
the optimizer rebuilds the transformation inside every (jitted) update from
the values in its state, exactly as ``optax.inject_hyperparams`` does.
``count`` is the number of updates already applied (Keras ``iterations``),
so the Keras step ``t`` is ``count + 1``.

Why not optax's version:

- ``keras_momentum``: Keras keeps ``velocity = momentum * velocity - lr * g``,
  so the learning rate is inside the accumulator; ``optax.trace`` accumulates
  raw gradients and scales afterwards. Same result only while lr is constant.
- ``keras_adam``: Keras folds bias correction into the step size,
  ``lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + eps)``; optax divides
  by ``sqrt(v_hat) + eps``, so Keras's ``eps`` acts like optax's
  ``eps / sqrt(1 - b2**t)`` (about 32x larger at step 1 with b2=0.999).
  AMSGrad: Keras takes the max of the raw ``v``, optax of the bias-corrected one.
- ``keras_nadam``: Keras uses Dozat's momentum schedule
  ``u_t = b1 * (1 - 0.5 * 0.96**t)`` and a running product; optax's
  ``nadam`` is the simplified variant without it.
- ``keras_adamax``: Keras divides by ``u + eps`` with ``u = max(b2 * u, |g|)``;
  optax puts ``eps`` inside the max.
- ``keras_clip_by_norm``/``keras_clip_by_global_norm``: optax has no
  per-tensor norm clip, and its global clip returns finite values for an
  infinite norm where Keras returns NaN (on purpose, so the step is visibly bad).

Example:
    >>> import jax.numpy as jnp
    >>> tx = keras_momentum(0.1, 0.9)
    >>> params = {"w": jnp.ones(2)}
    >>> u, s = tx.update({"w": jnp.ones(2)}, tx.init(params))
    >>> u["w"].tolist()
    [-0.10000000149011612, -0.10000000149011612]
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

__all__ = [
    "KerasMomentumState",
    "KerasAdamState",
    "KerasNadamState",
    "KerasAdamaxState",
    "keras_momentum",
    "keras_adam",
    "keras_nadam",
    "keras_adamax",
    "keras_clip_by_norm",
    "keras_clip_by_global_norm",
]


def _zeros(params: Any) -> Any:
    return jax.tree.map(jnp.zeros_like, params)


def _cast(x: Any, like: jax.Array) -> jax.Array:
    """Keras casts every hyperparameter to the variable's dtype."""
    return jnp.asarray(x).astype(like.dtype)


class KerasMomentumState(NamedTuple):
    """``velocity``: pytree like params, already scaled by the learning rate."""

    velocity: Any


def keras_momentum(learning_rate: Any, momentum: Any, nesterov: bool = False) -> optax.GradientTransformation:
    """SGD with Keras momentum: ``v = momentum*v - lr*g``; update ``v``
    (or ``momentum*v - lr*g`` with ``nesterov=True``)."""

    def init_fn(params):
        return KerasMomentumState(velocity=_zeros(params))

    def update_fn(updates, state, params=None):
        del params

        def one(g, v):
            lr, mom = _cast(learning_rate, g), _cast(momentum, g)
            v = v * mom - g * lr
            return (v * mom - g * lr if nesterov else v), v

        new_updates, velocity = _unzip(updates, jax.tree.map(one, updates, state.velocity), 2)
        return new_updates, KerasMomentumState(velocity=velocity)

    return optax.GradientTransformation(init_fn, update_fn)


class KerasAdamState(NamedTuple):
    """First moment ``m``, second moment ``v`` and, for AMSGrad, ``v_hat``
    (None otherwise); each a pytree like params."""

    m: Any
    v: Any
    v_hat: Any


def keras_adam(learning_rate, beta_1, beta_2, epsilon, count, amsgrad: bool = False) -> optax.GradientTransformation:
    """Keras Adam/AMSGrad: ``-lr*sqrt(1-b2**t)/(1-b1**t) * m / (sqrt(v) + eps)``."""

    def init_fn(params):
        return KerasAdamState(m=_zeros(params), v=_zeros(params), v_hat=_zeros(params) if amsgrad else None)

    def update_fn(updates, state, params=None):
        del params
        # without AMSGrad, `v` stands in for the missing v_hat and is dropped
        v_hats = state.v_hat if amsgrad else state.v

        def one(g, m, v, v_hat):
            lr, b1, b2, eps = (_cast(x, g) for x in (learning_rate, beta_1, beta_2, epsilon))
            t = _cast(count + 1, g)
            alpha = lr * jnp.sqrt(1 - jnp.power(b2, t)) / (1 - jnp.power(b1, t))
            m = m + (g - m) * (1 - b1)
            v = v + (jnp.square(g) - v) * (1 - b2)
            v_hat = jnp.maximum(v_hat, v) if amsgrad else v
            return -(m * alpha) / (jnp.sqrt(v_hat) + eps), m, v, v_hat

        out = jax.tree.map(one, updates, state.m, state.v, v_hats)
        new_updates, m, v, v_hat = _unzip(updates, out, 4)
        return new_updates, KerasAdamState(m=m, v=v, v_hat=v_hat if amsgrad else None)

    return optax.GradientTransformation(init_fn, update_fn)


class KerasNadamState(NamedTuple):
    """Moments ``m``, ``v`` (pytrees like params) and the running product
    ``u_product`` of Dozat's momentum schedule (float32 scalar, starts at 1)."""

    m: Any
    v: Any
    u_product: jax.Array


def keras_nadam(learning_rate, beta_1, beta_2, epsilon, count) -> optax.GradientTransformation:
    """Keras Nadam (Dozat 2015) with ``u_t = beta_1 * (1 - 0.5 * 0.96**t)``."""

    def init_fn(params):
        return KerasNadamState(m=_zeros(params), v=_zeros(params), u_product=jnp.ones([], jnp.float32))

    def update_fn(updates, state, params=None):
        del params
        t = jnp.asarray(count + 1).astype(jnp.float32)
        b1 = jnp.asarray(beta_1, jnp.float32)
        # Keras updates the product once per step, before the per-variable rule.
        u_product = state.u_product * b1 * (1.0 - 0.5 * jnp.power(0.96, t))

        def one(g, m, v):
            lr, b1_, b2, eps = (_cast(x, g) for x in (learning_rate, beta_1, beta_2, epsilon))
            tt = _cast(t, g)
            u_t = b1_ * (1.0 - 0.5 * jnp.power(_cast(0.96, g), tt))
            u_t1 = b1_ * (1.0 - 0.5 * jnp.power(_cast(0.96, g), tt + 1))
            u_prod_t = _cast(u_product, g)
            u_prod_t1 = u_prod_t * u_t1
            m = m + (g - m) * (1 - b1_)
            v = v + (jnp.square(g) - v) * (1 - b2)
            m_hat = u_t1 * m / (1 - u_prod_t1) + (1 - u_t) * g / (1 - u_prod_t)
            v_hat = v / (1 - jnp.power(b2, tt))
            return -(m_hat * lr) / (jnp.sqrt(v_hat) + eps), m, v

        out = jax.tree.map(one, updates, state.m, state.v)
        new_updates, m, v = _unzip(updates, out, 3)
        return new_updates, KerasNadamState(m=m, v=v, u_product=u_product)

    return optax.GradientTransformation(init_fn, update_fn)


class KerasAdamaxState(NamedTuple):
    """First moment ``m`` and infinity norm ``u``; pytrees like params."""

    m: Any
    u: Any


def keras_adamax(learning_rate, beta_1, beta_2, epsilon, count) -> optax.GradientTransformation:
    """Keras Adamax: ``u = max(b2*u, |g|)``; update ``-lr*m / ((1-b1**t) * (u + eps))``."""

    def init_fn(params):
        return KerasAdamaxState(m=_zeros(params), u=_zeros(params))

    def update_fn(updates, state, params=None):
        del params

        def one(g, m, u):
            lr, b1, b2, eps = (_cast(x, g) for x in (learning_rate, beta_1, beta_2, epsilon))
            t = _cast(count + 1, g)
            m = m + (g - m) * (1 - b1)
            u = jnp.maximum(b2 * u, jnp.abs(g))
            return -(lr * m) / ((1 - jnp.power(b1, t)) * (u + eps)), m, u

        out = jax.tree.map(one, updates, state.m, state.u)
        new_updates, m, u = _unzip(updates, out, 3)
        return new_updates, KerasAdamaxState(m=m, u=u)

    return optax.GradientTransformation(init_fn, update_fn)


def keras_clip_by_norm(clipnorm: Any) -> optax.GradientTransformation:
    """Clip each tensor to L2 norm ``clipnorm``: ``g * clipnorm / max(||g||, clipnorm)``."""

    def update_fn(updates, state, params=None):
        del params

        def one(g):
            c = _cast(clipnorm, g)
            l2sum = jnp.sum(jnp.square(g))
            positive = l2sum > 0
            norm = jnp.where(positive, jnp.sqrt(jnp.where(positive, l2sum, 1.0)), l2sum)
            return g * c / jnp.maximum(norm, c)

        return jax.tree.map(one, updates), state

    return optax.GradientTransformation(optax.init_empty_state, update_fn)


def keras_clip_by_global_norm(global_clipnorm: Any) -> optax.GradientTransformation:
    """Scale all tensors by ``c * min(1/||g||, 1/c)`` (NaN if the norm is not finite)."""

    def update_fn(updates, state, params=None):
        del params
        leaves = jax.tree.leaves(updates)
        norm = jnp.sqrt(sum(jnp.sum(jnp.square(g)) for g in leaves))
        c = jnp.asarray(global_clipnorm, norm.dtype)
        scale = c * jnp.minimum(1.0 / norm, 1.0 / c) + (norm - norm)
        return jax.tree.map(lambda g: g * scale.astype(g.dtype), updates), state

    return optax.GradientTransformation(optax.init_empty_state, update_fn)


def _unzip(like: Any, tree_of_tuples: Any, n: int) -> tuple:
    """Split a tree whose leaves are n-tuples into n trees shaped like ``like``."""
    outer = jax.tree.structure(like)
    inner = jax.tree.structure(tuple(range(n)))
    return jax.tree.transpose(outer, inner, tree_of_tuples)
