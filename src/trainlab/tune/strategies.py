"""Search strategies: which configurations to try, and which to stop early.

=====================  ====================================================
name                   what it does
=====================  ====================================================
``"random"``           independent random draws (the default; the course
                       advice: random beats grid in high dimensions)
``"grid"``             every combination of grid points (Floats get
                       `points` values, log-spaced when ``log=True``)
``"tpe"``              Optuna's Tree-structured Parzen Estimator: random for
                       the first `n_startup_trials`, then model-based
``"successive_halving"`` random draws; at each rung (epochs ``r, r*eta,
                       r*eta^2...``) only the best ``1/eta`` of the members
                       that reached it go on
``"hyperband"``        successive halving in several brackets that start
                       stopping at different rungs (trades many cheap
                       members against few long ones)
``"pbt"``              population-based training: every `interval` epochs
                       the worst `fraction` copy the weights of the best
                       (exploit) and perturb their hyperparameters (explore)
=====================  ====================================================

A strategy supplies an Optuna sampler and the rungs at which members are
compared. Rung decisions compare a member with every member that reached the
same rung, in this population and in the study (earlier populations, other
workers): synchronous successive halving inside a population, asynchronous
(ASHA) across populations.

Example:
    >>> get("hyperband").rungs(epochs=9, bracket=0)
    [1, 3]
    >>> get("successive_halving", reduction_factor=2).rungs(epochs=3)
    [1, 2]
"""

from __future__ import annotations

import inspect
import math
from typing import Any

from .._registry import Registry
from .._validation import check_in_range, check_positive_int, describe, did_you_mean

__all__ = ["Strategy", "RandomSearch", "GridSearch", "TPE", "SuccessiveHalving", "Hyperband",
           "PopulationBasedTraining", "get", "REGISTRY"]

REGISTRY = Registry("strategy", "strategy")


class Strategy:
    """Base class: random sampling, no early stopping, no exploit/explore."""

    name = "strategy"
    prunes = False
    pbt = False

    def sampler(self, seed: int | None, space: Any = None) -> Any:
        import optuna

        return optuna.samplers.RandomSampler(seed=seed)

    def brackets(self, epochs: int) -> int:
        """Number of brackets (1 except for Hyperband)."""
        return 1

    def rungs(self, epochs: int, bracket: int = 0) -> list[int]:
        """Epoch counts after which members of `bracket` are compared (empty: none)."""
        return []

    def keep(self, n: int) -> int:
        """How many of `n` members that reached a rung go on."""
        return n

    def get_config(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@REGISTRY.register("random")
class RandomSearch(Strategy):
    """Independent random draws (Optuna's RandomSampler)."""

    name = "random"


@REGISTRY.register("grid")
class GridSearch(Strategy):
    """Every combination of grid points.

    Args:
        points: values per `Float` without a `step` (log-spaced for ``log=True``);
            `Int` uses every allowed value (or `points` log-spaced ones for ``log=True``).
    """

    name = "grid"

    def __init__(self, points: int = 5):
        self.points = check_positive_int("points", points)

    def points_of(self, space: Any) -> list[dict[str, Any]]:
        """The grid's configurations (conditional parameters only where active).

        The tuner queues them in the study (``enqueue_trial``), so that several
        workers share one grid and a resumed study skips finished points."""
        if space is None or not len(space):
            raise ValueError(
                "The `grid` strategy needs a search space with at least one parameter; declare parameters in "
                "`space=` or in build(hp)."
            )
        return space.grid(self.points)

    def get_config(self) -> dict[str, Any]:
        return {"points": self.points}


@REGISTRY.register("tpe")
class TPE(Strategy):
    """Optuna's TPE sampler (multivariate, with a constant liar so that a whole
    population can be asked at once without drawing the same point twice)."""

    name = "tpe"

    def __init__(self, n_startup_trials: int = 10, multivariate: bool = True):
        self.n_startup_trials = check_positive_int("n_startup_trials", n_startup_trials)
        self.multivariate = bool(multivariate)

    def sampler(self, seed: int | None, space: Any = None) -> Any:
        import optuna
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.samplers.TPESampler(seed=seed, n_startup_trials=self.n_startup_trials,
                                              multivariate=self.multivariate, constant_liar=True)

    def get_config(self) -> dict[str, Any]:
        return {"n_startup_trials": self.n_startup_trials, "multivariate": self.multivariate}


@REGISTRY.register("successive_halving", "sha", "asha")
class SuccessiveHalving(Strategy):
    """Random draws; at each rung only the best ``1/reduction_factor`` go on.

    Args:
        min_resource: epochs before the first comparison (``r``).
        reduction_factor: ``eta``; rungs at ``r, r*eta, r*eta^2, ...`` epochs
            (only those before the last epoch).
        sampler: "random" (default) or "tpe" for the configurations.
    """

    name = "successive_halving"
    prunes = True

    def __init__(self, min_resource: int = 1, reduction_factor: int = 2, sampler: str = "random"):
        self.min_resource = check_positive_int("min_resource", min_resource)
        self.reduction_factor = check_positive_int("reduction_factor", reduction_factor)
        if self.reduction_factor < 2:
            raise ValueError(f"`reduction_factor` must be >= 2; received {reduction_factor!r}.")
        self._sampler = get(sampler) if sampler != self.name else RandomSearch()
        if self._sampler.prunes or self._sampler.pbt:
            raise ValueError(f"`sampler` must be 'random' or 'tpe'; received {sampler!r}.")

    def sampler(self, seed: int | None, space: Any = None) -> Any:
        return self._sampler.sampler(seed, space)

    def rungs(self, epochs: int, bracket: int = 0) -> list[int]:
        out, k = [], bracket
        while True:
            r = self.min_resource * self.reduction_factor ** k
            if r >= epochs:
                return out
            out.append(r)
            k += 1

    def keep(self, n: int) -> int:
        return max(1, n // self.reduction_factor)

    def get_config(self) -> dict[str, Any]:
        return {"min_resource": self.min_resource, "reduction_factor": self.reduction_factor,
                "sampler": self._sampler.name}


@REGISTRY.register("hyperband")
class Hyperband(SuccessiveHalving):
    """Successive halving in ``s_max + 1`` brackets; bracket ``b`` first compares
    members after ``r * eta^b`` epochs (bracket 0 is the most aggressive).
    Members are spread over brackets by trial number."""

    name = "hyperband"

    def __init__(self, min_resource: int = 1, reduction_factor: int = 3, sampler: str = "random"):
        super().__init__(min_resource, reduction_factor, sampler)

    def brackets(self, epochs: int) -> int:
        if epochs <= self.min_resource:
            return 1
        return int(math.floor(math.log(epochs / self.min_resource, self.reduction_factor) + 1e-9)) + 1


@REGISTRY.register("pbt", "population_based_training")
class PopulationBasedTraining(Strategy):
    """Population-based training (Jaderberg et al., 2017).

    Every `interval` epochs, members are ranked by the objective; each member in
    the worst `fraction` copies the weights and optimizer state of a random
    member of the best `fraction` (exploit), then perturbs each numeric
    hyperparameter by a factor drawn from `factors`, or with probability
    `resample_probability` draws it afresh from the space (explore). Only
    array-valued hyperparameters (learning rate, momentum, dropout rate, L2...)
    may vary: all members train in one compiled program.
    """

    name = "pbt"
    pbt = True

    def __init__(self, interval: int = 1, fraction: float = 0.25, factors: tuple = (0.8, 1.2),
                 resample_probability: float = 0.25):
        self.interval = check_positive_int("interval", interval)
        self.fraction = check_in_range("fraction", fraction, 0.0, 0.5, low_inclusive=False, high_inclusive=True)
        if not isinstance(factors, (list, tuple)) or not factors or any(
                not isinstance(f, (int, float)) or f <= 0 for f in factors):
            raise ValueError(f"`factors` must be a list of positive numbers such as (0.8, 1.2); received {factors!r}.")
        self.factors = tuple(float(f) for f in factors)
        self.resample_probability = check_in_range("resample_probability", resample_probability, 0.0, 1.0,
                                                   high_inclusive=True)

    def get_config(self) -> dict[str, Any]:
        return {"interval": self.interval, "fraction": self.fraction, "factors": list(self.factors),
                "resample_probability": self.resample_probability}


def get(identifier: Any, **kwargs: Any) -> Strategy:
    """A strategy from a name (``"random"``, ``"tpe"``, ...), a dict
    ``{"name": ..., **options}``, or a `Strategy` (returned as is).

    Raises:
        ValueError: unknown name (the message lists the valid ones).
    """
    if isinstance(identifier, Strategy):
        return identifier
    if isinstance(identifier, dict):
        options = dict(identifier)
        name = options.pop("name", None)
        if name is None:
            raise ValueError(f"A `strategy` table needs a 'name' key, e.g. {{'name': 'hyperband'}}; received {identifier!r}.")
        return get(name, **options, **kwargs)
    if not isinstance(identifier, str):
        raise TypeError(f"`strategy` must be a name such as 'random' or a Strategy; received {describe(identifier)}.")
    cls = REGISTRY.lookup(identifier, "strategy")
    valid = [n for n, p in inspect.signature(cls).parameters.items() if p.kind == p.KEYWORD_ONLY or
             p.kind == p.POSITIONAL_OR_KEYWORD]
    unknown = sorted(str(k) for k in kwargs if k not in valid)
    if unknown:
        raise TypeError(
            f"`strategy` {identifier!r} has no option {unknown[0]!r}.{did_you_mean(unknown[0], valid)} Its options: "
            f"{', '.join(valid) or 'none'}."
        )
    return cls(**kwargs)
