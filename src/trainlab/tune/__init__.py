"""Level 3: hyperparameter search that trains a whole population at once.

* Search spaces: `Float`, `Int`, `Choice`, `Fixed`, conditional parameters
  (``when=``), `SearchSpace`; ``build(hp)`` functions in the Keras Tuner style
  (`HyperParameters`), and declarative `Preset` models.
* Strategies (`strategies`): random (default), grid, TPE, successive halving,
  Hyperband, population-based training.
* The `PopulationExecutor`: members that differ only in array-valued
  hyperparameters train together in one vmapped, compiled program.
* Optuna storage: a SQLite file by default, PostgreSQL to share one study
  between workers on many machines (`storage`).
* Results: `Tuner.best_config`, `leaderboard`, `importance`, `best_model`,
  `report` (HTML with plots); the ``trainlab tune`` command (`cli`).

Example:
    >>> from trainlab.tune import Tuner, Preset, Float
    >>> tuner = Tuner(Preset("mlp", input_shape=(28, 28), outputs=10, units=128),
    ...               space=[Float("learning_rate", 1e-4, 1e-1, log=True)],
    ...               objective="val_accuracy", max_trials=16, epochs=3)
"""

from . import strategies
from .executor import Member, PopulationExecutor, estimate_member_bytes, structure_signature
from .hyperparameters import HyperParameters
from .presets import Preset
from .recovery import recover_dead_trials, resume_seed
from .space import Choice, Fixed, Float, Int, Param, SearchSpace
from .storage import StorageUnreachableError, open_storage
from .strategies import (GridSearch, Hyperband, PopulationBasedTraining, RandomSearch, Strategy,
                         SuccessiveHalving, TPE)
from .tuner import HyperModel, Tuner

__all__ = [
    "Tuner",
    "HyperModel",
    "HyperParameters",
    "SearchSpace",
    "Param",
    "Float",
    "Int",
    "Choice",
    "Fixed",
    "Preset",
    "PopulationExecutor",
    "Member",
    "structure_signature",
    "estimate_member_bytes",
    "StorageUnreachableError",
    "open_storage",
    "recover_dead_trials",
    "resume_seed",
    "strategies",
    "Strategy",
    "RandomSearch",
    "GridSearch",
    "TPE",
    "SuccessiveHalving",
    "Hyperband",
    "PopulationBasedTraining",
]
