"""Pure step functions: `make_train_step`, `make_eval_step`, `make_predict_step`.

    train_step(train_state, batch) -> (train_state, logs)

``batch`` is ``(x, y, sample_weight)`` (sample_weight may be None). The step
computes the loss with the model in training mode, adds weight penalties
(kernel/bias regularizers, trainable weights only) and activity penalties,
differentiates with respect to the *trainable* weights only (frozen layers
cost no weight gradient), applies the optimizer, and updates the epoch's metric
states. It is pure and has no Python side effects at run time, so it can be
jitted, scanned over batches, and vmapped over a population of train states.

Example (a custom loop on level 1):
    >>> import jax, numpy as np
    >>> from trainlab import Sequential, layers, optimizers
    >>> from trainlab.core import Objective, make_train_step, init_train_state
    >>> model = Sequential([layers.Dense(1, input_shape=(3,))])
    >>> obj = Objective.build(model, loss="mse")
    >>> opt = optimizers.SGD(0.1)
    >>> ts = init_train_state(model, obj, opt, key=jax.random.key(0))
    >>> step = jax.jit(make_train_step(model, obj, opt))
    >>> ts, logs = step(ts, (np.ones((8, 3), "float32"), np.zeros((8, 1), "float32"), None))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import optax

from .trees import merge_trees, split_by_mask, trainable_mask
from .train_state import TrainState

__all__ = ["make_train_step", "make_eval_step", "make_predict_step", "init_train_state", "batch_size_of", "eval_env"]


def batch_size_of(x: Any) -> int:
    """Leading dimension of the first array in `x` (static at trace time)."""
    return int(jax.tree.leaves(x)[0].shape[0])


def init_train_state(model: Any, objective: Any, optimizer: Any, *, key: jax.Array,
                     variables: dict | None = None, opt_hparams: dict | None = None,
                     hparams: dict | None = None) -> TrainState:
    """A TrainState from the model's current weights (or `variables`)."""
    variables = variables if variables is not None else model.variables
    params = variables["params"]
    mask = trainable_mask(model, params)
    trainable, _ = split_by_mask(params, mask)
    return TrainState.create(
        params=params,
        state=variables.get("state", {}),
        optimizer=optimizer,
        trainable_params=trainable,
        key=key,
        hparams=model.hyperparameters() if hparams is None else hparams,
        metrics=objective.init_metrics(),
        opt_hparams=opt_hparams,
    )


def make_train_step(model: Any, objective: Any, optimizer: Any, *, mask: Any = None,
                    grad_norms: bool = False) -> Callable[[TrainState, tuple], tuple[TrainState, dict]]:
    """Build the pure training step for `model` with `objective` and `optimizer`.

    Args:
        mask: pytree of bools like params (True = trains); default from the
            layers' `trainable` flags at build time.
        grad_norms: also return per-layer gradient norms in the logs (for the
            doctor's vanishing / exploding gradient findings).
    """
    skip = objective.skip_activation

    def train_step(ts: TrainState, batch: tuple) -> tuple[TrainState, dict]:
        x, y, sw = batch
        m = mask if mask is not None else trainable_mask(model, ts.params)
        trainable, frozen = split_by_mask(ts.params, m)
        key = jax.random.fold_in(ts.key, ts.step)

        def loss_fn(tp: Any) -> tuple[jax.Array, tuple]:
            params = merge_trees(tp, frozen)
            outputs, new_state, penalties = model.apply(
                {"params": params, "state": ts.state}, x, training=True, key=key, hparams=ts.hparams,
                return_losses=True, skip_activation=skip,
            )
            total, parts = objective.loss(y, outputs, sw)
            reg = model.regularization_loss(params, ts.hparams)
            for p in penalties:
                reg = reg + p
            return total + reg, (outputs, new_state, parts)

        (loss, (outputs, new_state, parts)), grads = jax.value_and_grad(loss_fn, has_aux=True)(trainable)
        updates, opt_state = optimizer.update(grads, ts.opt_state, trainable)
        trainable = optax.apply_updates(trainable, updates)
        probs = objective.probabilities(outputs)
        metrics = objective.update_metrics(ts.metrics, y, probs, sw, loss, parts, batch_size_of(x))
        new_ts = ts._replace(
            params=merge_trees(trainable, frozen),
            state=new_state,
            opt_state=opt_state,
            metrics=metrics,
            step=ts.step + 1,
        )
        logs = {"loss": loss}
        if grad_norms:
            logs["grad_norms"] = _layer_norms(grads)
        return new_ts, logs

    return train_step


def _layer_norms(grads: dict) -> dict:
    """Global L2 norm of the gradient of each top-level layer."""
    return {name: optax.tree.norm(g) for name, g in grads.items()}


def eval_env(ts: TrainState) -> dict:
    """What evaluation needs from a train state: ``{"params", "state", "hparams"}``."""
    return {"params": ts.params, "state": ts.state, "hparams": ts.hparams}


def make_eval_step(model: Any, objective: Any) -> Callable[[dict, dict, tuple], dict]:
    """``eval_step(env, metric_states, batch) -> metric_states`` in inference mode,
    where ``env = {"params", "state", "hparams"}`` (see `eval_env`)."""
    skip = objective.skip_activation

    def eval_step(env: dict, metrics: dict, batch: tuple) -> dict:
        x, y, sw = batch
        outputs, _, penalties = model.apply(
            {"params": env["params"], "state": env["state"]}, x, training=False, hparams=env["hparams"],
            return_losses=True, skip_activation=skip,
        )
        total, parts = objective.loss(y, outputs, sw)
        reg = model.regularization_loss(env["params"], env["hparams"])
        for p in penalties:
            reg = reg + p
        probs = objective.probabilities(outputs)
        return objective.update_metrics(metrics, y, probs, sw, total + reg, parts, batch_size_of(x))

    return eval_step


def make_predict_step(model: Any) -> Callable[[Any, Any], Any]:
    """``predict_step(variables, x) -> outputs`` in inference mode."""

    def predict_step(variables: dict, x: Any) -> Any:
        y, _ = model.apply(variables, x, training=False)
        return y

    return predict_step
