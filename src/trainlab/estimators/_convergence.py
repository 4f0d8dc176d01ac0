"""When a canned estimator's `fit` is done: scikit-learn's `tol` rule, with learning-rate drops.

scikit-learn's `SGDRegressor(max_iter, tol, n_iter_no_change)` stops once the
training loss has failed to improve by `tol` for `n_iter_no_change`
consecutive epochs, and warns (`ConvergenceWarning`) when `max_iter` runs out
first. Mini-batch steps at a constant learning rate (Adam's default included)
leave the weights jittering around the optimum, which costs a few percent of
test score on small, ill-conditioned data (scikit-learn's diabetes set). So a
plateau first divides the learning rate by ten, like Keras'
`ReduceLROnPlateau(factor=0.1)`, at most `LR_DROPS` times; the next plateau
stops the fit. The learning rate is an array leaf of the train state
(ARCHITECTURE.md principle 4), so a drop reuses the compiled epoch.

Example:
    >>> rule = Plateau(tol=1e-4, patience=2)
    >>> [rule.update(loss) for loss in (1.0, 0.5, 0.49995, 0.49999)]
    [False, False, False, True]
"""

from __future__ import annotations

import math
import warnings
from typing import Any

__all__ = ["Plateau", "lower_learning_rate", "warn_not_converged", "LR_DROPS", "LR_FACTOR"]

LR_DROPS = 2
LR_FACTOR = 0.1


class Plateau:
    """scikit-learn's stopping rule on a loss per epoch.

    Args:
        tol: the improvement over the best loss so far that counts.
        patience: epochs without such an improvement that make a plateau
            (scikit-learn's `n_iter_no_change`).
    """

    def __init__(self, tol: float, patience: int):
        self.tol = float(tol)
        self.patience = int(patience)
        self.best = math.inf
        self.wait = 0

    def update(self, loss: float) -> bool:
        """Record one epoch's loss; True once the loss has been on a plateau for `patience` epochs."""
        self.wait = self.wait + 1 if not loss < self.best - self.tol else 0
        self.best = min(self.best, loss)
        return self.wait >= self.patience

    def restart(self) -> None:
        """Count the patience again (after a learning-rate drop); the best loss is kept."""
        self.wait = 0


def lower_learning_rate(ts: Any, factor: float = LR_FACTOR) -> Any | None:
    """`ts` with its learning rate times `factor`, or None when the optimizer's
    learning rate is not an array leaf (a schedule decides it)."""
    hparams = dict(ts.opt_state.hparams)
    if "learning_rate" not in hparams:
        return None
    hparams["learning_rate"] = hparams["learning_rate"] * factor
    return ts._replace(opt_state=ts.opt_state._replace(hparams=hparams))


def warn_not_converged(estimator: Any, budget: str, watched: str) -> None:
    """scikit-learn's `ConvergenceWarning` for `estimator`, whose `budget` (e.g. "`epochs`=1000") ran out."""
    from sklearn.exceptions import ConvergenceWarning

    warnings.warn(
        f"{type(estimator).__name__}: the budget of {budget} ran out while the {watched} loss was still improving "
        f"by more than `tol`={estimator.tol} within {estimator.n_iter_no_change} epochs; the model may not have "
        f"converged. Raise `epochs` (or `learning_rate`), or pass tol=None to train exactly that budget without "
        f"this check.",
        ConvergenceWarning, stacklevel=5)
