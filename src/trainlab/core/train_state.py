"""`TrainState`: everything that changes during training, as one pytree.

Static things (shapes, flags, which weights are frozen) stay in Python; every
number that may differ between members of a hyperparameter population (the
learning rate and other optimizer hyperparameters in ``opt_state.hparams``,
dropout rates and regularizer strengths in ``hparams``) is an array leaf, so a
stack of states with a leading member axis trains under `jax.vmap`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

__all__ = ["TrainState", "as_array_tree"]


def as_array_tree(tree: Any) -> Any:
    """Floats and numpy values in a nested dict as float32 JAX arrays."""
    return jax.tree.map(lambda v: jnp.asarray(v, jnp.float32), tree)


class TrainState(NamedTuple):
    """State of a training run.

    Attributes:
        params: trainable-capable weights, nested by layer name.
        state: layer state (BatchNormalization moving averages).
        opt_state: the optimizer's state (``count``, ``hparams``, slots), over
            the trainable weights only.
        hparams: layer hyperparameters (dropout rate, L1/L2 strengths) as arrays.
        metrics: running metric states of the current epoch.
        step: number of training steps taken (int32).
        key: base random key; step ``i`` uses ``fold_in(key, i)``.
    """

    params: Any
    state: Any
    opt_state: Any
    hparams: Any
    metrics: Any
    step: jax.Array
    key: jax.Array

    @classmethod
    def create(cls, *, params: Any, state: Any, optimizer: Any, trainable_params: Any, key: jax.Array,
               hparams: Any = None, metrics: Any = None, opt_hparams: dict | None = None) -> "TrainState":
        """A fresh state. `trainable_params` is the subset of `params` the optimizer updates."""
        return cls(
            params=params,
            state=state,
            opt_state=optimizer.init(trainable_params, opt_hparams),
            hparams=as_array_tree(hparams or {}),
            metrics=metrics if metrics is not None else {},
            step=jnp.zeros((), jnp.int32),
            key=key,
        )

    @property
    def variables(self) -> dict[str, Any]:
        """``{"params": ..., "state": ...}`` for `Model.apply`."""
        return {"params": self.params, "state": self.state}
