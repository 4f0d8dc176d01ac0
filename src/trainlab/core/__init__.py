"""Level 1: the pure functional core.

* `TrainState`: params, layer state, optimizer state, hyperparameters, metric
  states, step and key, as one pytree;
* `Objective`: losses and metrics per model output, as pure functions;
* `make_train_step` / `make_eval_step` / `make_predict_step`: pure steps;
* `EpochRunner` / `EvalRunner` / `PredictRunner`: whole epochs as one
  compiled `lax.scan`;
* `population`: stack train states and train them together with `jax.vmap`.

Everything here is jit-, grad- and vmap-safe.
"""

from . import population
from .loop import EpochRunner, EvalRunner, PredictRunner, choose_chunk_steps
from .objective import Objective
from .step import eval_env, init_train_state, make_eval_step, make_predict_step, make_train_step
from .train_state import TrainState

__all__ = [
    "TrainState",
    "Objective",
    "make_train_step",
    "make_eval_step",
    "make_predict_step",
    "init_train_state",
    "eval_env",
    "EpochRunner",
    "EvalRunner",
    "PredictRunner",
    "choose_chunk_steps",
    "population",
]
