"""Populations: train many hyperparameter settings of one architecture at once.

Members share shapes and static settings; they differ only in array-valued
hyperparameters (learning rate and other optimizer hyperparameters, dropout
rates, regularizer strengths) and, if wanted, in their initial weights and
random keys. Their train states are stacked along a new leading axis and the
pure train step is mapped over it with `jax.vmap`, all members seeing the same
batches: one compiled program trains the whole population.

Example:
    >>> import jax
    >>> from trainlab.core import population
    >>> states = population.stack([ts_a, ts_b])               # doctest: +SKIP
    >>> step = jax.jit(population.vmap_step(train_step))      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

__all__ = ["stack", "unstack", "member", "vmap_step", "with_hyperparameters", "size"]


def stack(states: Sequence[Any]) -> Any:
    """Stack pytrees of identical structure along a new leading member axis."""
    if not states:
        raise ValueError("`states` is empty: a population needs at least one member.")
    return jax.tree.map(lambda *leaves: jnp.stack(leaves), *states)


def size(states: Any) -> int:
    """Number of members of a stacked population."""
    return int(jax.tree.leaves(states)[0].shape[0])


def member(states: Any, i: int) -> Any:
    """Member `i` of a stacked population."""
    return jax.tree.map(lambda a: a[i], states)


def unstack(states: Any) -> list[Any]:
    """The members of a stacked population, as a list."""
    return [member(states, i) for i in range(size(states))]


def vmap_step(step: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Map a ``(state, batch) -> (state, logs)`` step over members; the batch is shared."""
    return jax.vmap(step, in_axes=(0, None))


def with_hyperparameters(ts: Any, *, optimizer: dict[str, Any] | None = None, layers: dict[str, Any] | None = None) -> Any:
    """A copy of train state `ts` with some hyperparameters replaced.

    Args:
        optimizer: e.g. ``{"learning_rate": 3e-4}`` (keys of ``opt_state.hparams``).
        layers: nested like ``model.hyperparameters()``, e.g. ``{"dropout": {"rate": 0.3}}``.
    """
    if optimizer:
        hp = dict(ts.opt_state.hparams)
        for k, v in optimizer.items():
            if k not in hp:
                raise ValueError(
                    f"`optimizer` has no hyperparameter {k!r}; this optimizer's are {sorted(hp)}."
                )
            hp[k] = jnp.asarray(v, jnp.asarray(hp[k]).dtype)
        ts = ts._replace(opt_state=ts.opt_state._replace(hparams=hp))
    if layers:
        ts = ts._replace(hparams=_merge_hparams(ts.hparams, layers, "layers"))
    return ts


def _merge_hparams(base: dict, new: dict, path: str) -> dict:
    out = dict(base)
    for k, v in new.items():
        if k not in base:
            raise ValueError(f"`{path}` has no hyperparameter {k!r}; available: {sorted(base)}.")
        if isinstance(v, dict):
            out[k] = _merge_hparams(base[k], v, f"{path}[{k!r}]")
        else:
            out[k] = jnp.asarray(v, jnp.float32)
    return out
