"""The machinery every trainlab estimator shares: input checks in scikit-learn's
style, the training loop with validation and early stopping, warm starts and
`partial_fit`, prediction, and pickling.

A subclass says how its inputs are read (`_feature_data`, `_setup_inputs`,
`_encode_inputs`), how to build its model (`_make_model`), what its targets
look like (`_encode_targets`, `_loss`, `_data_loss`) and what its structure is
(`_structure_key`); this class does the rest on the compiled `Engine` (see
`_engine`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from .. import optimizers as _optimizers
from .._validation import check_in_range, check_nonnegative, check_positive_int, describe
from ..core.train_state import TrainState
from . import _engine
from ._convergence import LR_DROPS, LR_FACTOR, Plateau, lower_learning_rate, warn_not_converged
from ._engine import Engine, PaddedData, bucket_rows, get_engine, pad_rows

__all__ = ["TrainlabEstimator", "is_frame_like", "take_rows"]


def is_frame_like(X: Any) -> bool:
    """True for inputs read through feature columns by name: a dict of columns, or a
    pandas DataFrame whose column names are strings. (A DataFrame with other
    column names is a plain numeric matrix, as in scikit-learn.)"""
    import scipy.sparse

    if scipy.sparse.issparse(X):  # dok_matrix is a dict subclass
        return False
    if isinstance(X, Mapping):
        return True
    return hasattr(X, "columns") and hasattr(X, "iloc") and all(isinstance(c, str) for c in X.columns)


def take_rows(data: Any, idx: np.ndarray) -> Any:
    """Rows `idx` of a DataFrame, a dict of columns or an array."""
    if isinstance(data, np.ndarray):
        return data[idx]
    if hasattr(data, "iloc"):
        return data.iloc[idx]
    return {k: np.asarray(v)[idx] for k, v in data.items()}


def _to_host(tree: Any) -> Any:
    """Device arrays (and PRNG keys) as numpy, for pickling."""

    def one(a: Any) -> Any:
        if isinstance(a, jax.Array) and jax.dtypes.issubdtype(a.dtype, jax.dtypes.prng_key):
            return ("__prng_key__", np.asarray(jax.random.key_data(a)))
        return np.asarray(a) if isinstance(a, jax.Array) else a

    return jax.tree.map(one, tree)


def _from_host(tree: Any) -> Any:
    def is_key(a: Any) -> bool:
        return isinstance(a, tuple) and len(a) == 2 and a[0] == "__prng_key__"

    return jax.tree.map(lambda a: jax.random.wrap_key_data(a[1]) if is_key(a) else a, tree, is_leaf=is_key)


class TrainlabEstimator(BaseEstimator):
    """Base class of trainlab's scikit-learn estimators (not used directly).

    Subclasses define `__init__` with their parameters and implement
    `_make_model`, `_loss`, `_encode_targets`, `_structure_key`.
    """

    _is_classifier = False
    #: True: `fit` stops once the training loss has not improved by `tol` for
    #: `n_iter_no_change` epochs and warns (`ConvergenceWarning`) when `epochs`
    #: runs out first, as scikit-learn's `SGDRegressor` / `MLPRegressor` do.
    #: False (the Keras-style wrappers): exactly `epochs` epochs.
    _stop_on_tol = False

    # ------------------------------------------------------------------
    # parameters
    def _check_common_params(self) -> None:
        check_positive_int("batch_size", self.batch_size)
        check_positive_int("epochs", self.epochs)
        check_positive_int("steps", self.steps, allow_none=True)
        check_positive_int("n_iter_no_change", self.n_iter_no_change)
        check_in_range("validation_fraction", self.validation_fraction, 0.0, 1.0, low_inclusive=False,
                       hint="It is the share of the training rows held out to decide early stopping, e.g. 0.1.")
        if self.tol is not None:
            check_nonnegative("tol", self.tol)
        check_nonnegative("l1", getattr(self, "l1", 0.0))
        check_nonnegative("l2", getattr(self, "l2", 0.0))
        if self.clip_gradients_by_norm is not None and not float(self.clip_gradients_by_norm) > 0:
            raise ValueError(
                f"`clip_gradients_by_norm` must be a positive number or None; received "
                f"{self.clip_gradients_by_norm!r}. The Crash Course uses 5.0."
            )

    def _make_optimizer(self) -> Any:
        """A fresh optimizer from the `optimizer`, `learning_rate` and `clip_gradients_by_norm` parameters."""
        opt = self.optimizer
        clip = None if self.clip_gradients_by_norm is None else float(self.clip_gradients_by_norm)
        if isinstance(opt, _optimizers.Optimizer):
            config = opt.get_config()
            if clip is not None:
                if any(config.get(k) for k in ("clipnorm", "clipvalue", "global_clipnorm")):
                    raise ValueError(
                        "`optimizer` already clips gradients and `clip_gradients_by_norm` is set too; keep one."
                    )
                config["global_clipnorm"] = clip
            return type(opt).from_config(config)  # a copy: the parameter itself is never changed
        if isinstance(opt, str):
            cls = type(_optimizers.get(opt))
            lr = check_nonnegative("learning_rate", self.learning_rate)
            kwargs = {"learning_rate": lr}
            if clip is not None:
                kwargs["global_clipnorm"] = clip  # TF's clip_gradients_by_norm clips the global norm
            return cls(**kwargs)
        raise TypeError(
            f"`optimizer` must be an optimizer name such as 'adam' or 'sgd', or a trainlab optimizer object; "
            f"received {describe(opt)}."
        )

    def _regularizer(self) -> Any:
        from .. import regularizers

        l1, l2 = float(getattr(self, "l1", 0.0)), float(getattr(self, "l2", 0.0))
        return regularizers.L1L2(l1=l1 / self._target_unit(), l2=l2) if (l1 or l2) else None

    def _target_unit(self) -> float:
        """The unit the model's targets are measured in (see `RegressorHead`; 1: raw targets)."""
        return 1.0

    # ------------------------------------------------------------------
    # hooks
    _model_family = "linear"

    def _make_model(self) -> Any:
        raise NotImplementedError

    def _loss(self) -> Any:
        raise NotImplementedError

    def _structure_key(self) -> tuple:
        raise NotImplementedError

    def _encode_targets(self, y: Any, *, reset: bool, classes: Any = None) -> np.ndarray:
        raise NotImplementedError

    def _data_loss(self, outputs: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> float:
        """The validation loss (no weight penalties) of model outputs for targets `y`."""
        raise NotImplementedError

    def _check_params(self) -> None:
        """Subclass-specific parameter checks (run at the start of fit)."""

    def _check_model(self) -> None:
        """Checks of a freshly built model against the data (output size...)."""

    def _setup_targets(self, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        """First fit only: fit whatever the targets need (statistics) on training `y`."""

    def _model_targets(self, y: np.ndarray) -> np.ndarray:
        """Encoded targets as the model trains on them."""
        return y

    def _export_variables(self, ts: TrainState) -> dict:
        """The model's variables after training, from the train state (regressors
        that train on standardized targets fold the scale back in here)."""
        return {"params": ts.params, "state": ts.state}

    def _feature_data(self, X: Any, *, reset: bool) -> tuple[Any, int]:
        """`X` checked the scikit-learn way (sets ``n_features_in_`` when `reset`); returns ``(data, rows)``."""
        raise NotImplementedError

    def _setup_inputs(self, data: Any, rows: int | None = None) -> None:
        """First fit only: fit whatever the inputs need (feature statistics) on training `data`."""

    def _encode_inputs(self, data: Any, rows: int | None = None) -> Any:
        """Host arrays the model takes, from `data` as returned by `_feature_data`
        (with `rows`: zero rows appended up to that many)."""
        return data if rows is None else pad_rows(data, rows)

    # ------------------------------------------------------------------
    # fitting
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> "TrainlabEstimator":
        """Train on `X` (DataFrame, dict of arrays, or numeric array ``(N, d)``) and `y`.

        Trains for `epochs` epochs (or `steps` batches) of mini-batch gradient
        descent; with ``early_stopping=True`` holds out `validation_fraction`
        of the rows and stops when the validation loss has not improved by
        `tol` for `n_iter_no_change` epochs, keeping the best weights. With
        ``warm_start=True`` a second `fit` continues from the current weights.

        Returns:
            self
        """
        return self._fit(X, y, sample_weight, partial=False)

    def _fit(self, X: Any, y: Any, sample_weight: Any, *, partial: bool, classes: Any = None) -> "TrainlabEstimator":
        self._check_common_params()
        self._check_params()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None. Pass the targets: "
                f"fit(X, y)."
            )
        warm = hasattr(self, "model_") and (partial or self.warm_start)
        data, n = self._feature_data(X, reset=not warm)
        y = self._encode_targets(y, reset=not warm, classes=classes if partial else None)
        if len(y) != n:
            raise ValueError(
                f"`X` has {n} rows but `y` has {len(y)}; they must have one target per row. Check that X and y "
                f"were filtered and split together."
            )
        sw = None if sample_weight is None else np.asarray(
            _check_sample_weight(sample_weight, np.empty((n, 0)), ensure_non_negative=True), np.float32)

        rs = check_random_state(self.random_state)
        if not warm:
            self._seed_ = int(rs.randint(2**31 - 1))
            self._rng_ = np.random.default_rng(self._seed_)
        val = None
        if self.early_stopping and not partial:
            train_idx, val_idx = self._validation_split(y, n)
            val = (take_rows(data, val_idx), y[val_idx], None if sw is None else sw[val_idx])
            data, y, sw = take_rows(data, train_idx), y[train_idx], None if sw is None else sw[train_idx]
        n_train = len(y)
        if not warm:
            self._setup_targets(y, sw)
            self._setup_inputs(data, bucket_rows(n_train))
            self.model_ = self._make_model()
            self._check_model()
            optimizer = self._make_optimizer()  # after the model: a compiled model may bring its own
            engine = self._engine(optimizer)
            variables = self._initial_variables(engine, data)
            ts = engine.init_state(self.model_, variables, optimizer, self._seed_)
            self.history_ = {"loss": []}
            self.n_iter_ = 0
            self.t_ = 0
        else:
            optimizer = self._make_optimizer()
            engine = self._engine(optimizer)
            ts = Engine.refresh_hparams(self._ts_, self.model_, optimizer)
        x = self._encode_inputs(data, bucket_rows(n_train))
        padded = PaddedData(x, self._model_targets(y), sw, n=n_train)
        val_x = None
        if val is not None:
            val_x = self._encode_inputs(val[0], bucket_rows(len(val[1])))
            self.history_.setdefault("val_loss", [])
        ts = self._train(engine, ts, padded, val, val_x, partial=partial)
        self._ts_ = ts
        self.model_.variables = self._export_variables(ts)
        self.loss_curve_ = list(self.history_["loss"])
        return self

    def _validation_split(self, y: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        n_val = int(np.ceil(n * float(self.validation_fraction)))
        if n_val < 1 or n - n_val < 1:
            raise ValueError(
                f"early_stopping holds out validation_fraction={self.validation_fraction} of {n} sample(s), which "
                f"leaves no validation or no training sample. Pass more data, or early_stopping=False."
            )
        from sklearn.model_selection import train_test_split

        stratify = None
        if self._is_classifier:
            labels = y.reshape(len(y), -1)[:, 0]
            counts = np.unique(labels, return_counts=True)[1]
            if counts.min() >= 2 and n_val >= len(counts):
                stratify = labels
        idx = np.arange(n)
        train_idx, val_idx = train_test_split(idx, test_size=n_val, random_state=self._seed_ % 2**31,
                                              stratify=stratify)
        return np.sort(train_idx), np.sort(val_idx)

    def _initial_variables(self, engine: Engine, data: Any) -> dict:
        # eager: compiling one init program per structure costs more than the
        # small per-operation programs JAX caches across structures
        x = jax.tree.map(lambda a: a[:1], self._peek_inputs(data))
        return self.model_.init(jax.random.key(self._seed_), x)

    def _peek_inputs(self, data: Any) -> Any:
        """Encoded inputs of the first row (for building the model's weights)."""
        fresh = self.__dict__.get("_fresh_encoding_")
        if fresh is not None:
            return self._feature_layer()._packed(*(a[:1] for a in fresh))
        return self._encode_inputs(take_rows(data, np.arange(1)))

    def _engine(self, optimizer: Any) -> Engine:
        key = (self._structure_key(), _engine.optimizer_signature(optimizer), repr(self._loss()))
        self._engine_key_ = key
        model = self.model_
        return get_engine(key, lambda: Engine(model, self._loss(), optimizer))

    def _train(self, engine: Engine, ts: TrainState, data: PaddedData, val: Any, val_x: Any, *,
               partial: bool) -> TrainState:
        batch_size = int(self.batch_size)
        steps_per_epoch = engine.steps_per_epoch(data.n, batch_size)
        if partial:
            epochs = 1
        elif self.steps is not None:
            epochs = -(-int(self.steps) // steps_per_epoch)
        else:
            epochs = int(self.epochs)
        best = {"loss": np.inf, "wait": 0, "ts": None}
        tol = None if self.tol is None else float(self.tol)
        # scikit-learn's tol rule on the training loss (see `_convergence`) when `epochs` is a budget; with
        # early_stopping, on the validation loss. TensorFlow's `steps` means exactly that many steps.
        converge = self._stop_on_tol and not partial and tol is not None and self.steps is None
        plateau = Plateau(tol, int(self.n_iter_no_change)) if converge and val is None else None
        stopped = [False]
        history = self.history_
        verbose = int(self.verbose or 0)
        start_iter = self.n_iter_

        def on_epoch_end(epoch: int, ts: TrainState, loss: float) -> bool:
            history["loss"].append(loss)
            self.n_iter_ += 1
            self.t_ += steps_per_epoch
            line = f"epoch {self.n_iter_}: loss {loss:.6g}"
            stop = False
            if val is not None:
                val_loss = self._validation_loss(engine, ts, val, val_x)
                history["val_loss"].append(val_loss)
                line += f" - val_loss {val_loss:.6g}"
                if val_loss < best["loss"] - (tol or 0.0):
                    best.update(loss=val_loss, wait=0, ts=ts)
                else:
                    best["wait"] += 1
                    stop = tol is not None and best["wait"] >= int(self.n_iter_no_change)
                    if stop:
                        line += f" - no improvement in {self.n_iter_no_change} epochs: stopping"
            elif plateau is not None and plateau.update(loss):
                stop = True
                line += f" - training loss improved by less than tol in {self.n_iter_no_change} epochs"
            stopped[0] = stop
            if verbose:
                print(line)
            return stop

        steps_left = None if (partial or self.steps is None) else int(self.steps)
        if steps_left is None:
            drops = 0
            while True:
                done = self.n_iter_
                ts = engine.train_epochs(ts, data, epochs=epochs, batch_size=batch_size, rng=self._rng_,
                                         on_epoch_end=on_epoch_end)
                epochs -= self.n_iter_ - done
                if plateau is None or not stopped[0] or drops == LR_DROPS or epochs <= 0:
                    break
                lowered = lower_learning_rate(ts)
                if lowered is None:
                    break
                ts, drops, stopped[0] = lowered, drops + 1, False
                plateau.restart()
                if verbose:
                    print(f"learning rate divided by {1 / LR_FACTOR:g}")
        else:
            full, rest = divmod(steps_left, steps_per_epoch)
            if full:
                ts = engine.train_epochs(ts, data, epochs=full, batch_size=batch_size, rng=self._rng_,
                                         on_epoch_end=on_epoch_end)
            if rest and not stopped[0]:
                ts = engine.train_epochs(ts, data, epochs=1, batch_size=batch_size, rng=self._rng_,
                                         on_epoch_end=on_epoch_end, max_steps=rest)
                self.t_ += rest - steps_per_epoch
        if val is not None and best["ts"] is not None and self.n_iter_ > start_iter:
            ts = ts._replace(params=best["ts"].params, state=best["ts"].state)
            self.best_loss_ = best["loss"]
        if converge and not stopped[0]:
            warn_not_converged(self, f"`epochs`={self.epochs}", "validation" if val is not None else "training")
        return ts

    def _validation_loss(self, engine: Engine, ts: TrainState, val: Any, val_x: Any) -> float:
        n = len(val[1])
        out = engine.predict({"params": ts.params, "state": ts.state}, val_x, n)
        # in the units the model trains in (standardized targets for regressors), like the training loss
        return self._data_loss(np.asarray(out, np.float64), self._model_targets(val[1]), val[2])

    # ------------------------------------------------------------------
    # inference
    def _outputs(self, X: Any, *, logits: bool = False) -> np.ndarray:
        check_is_fitted(self)
        data, n = self._feature_data(X, reset=False)
        x = self._encode_inputs(data, bucket_rows(n))
        engine = get_engine(self._engine_key_, lambda: Engine(self.model_, self._loss(), self._make_optimizer()))
        out = engine.predict(self.model_.variables, x, n, logits=logits)
        return np.asarray(out, np.float64)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    # ------------------------------------------------------------------
    # pickling: the model is rebuilt from the estimator's own description
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if "model_" in state:
            state["model_"] = None
            state["_variables_host_"] = _to_host(self.model_.variables)
        if "_ts_" in state:
            state["_ts_"] = _to_host(state["_ts_"])
        state.pop("_fresh_encoding_", None)
        return state

    def __setstate__(self, state: dict) -> None:
        variables = state.pop("_variables_host_", None)
        if state.get("_ts_") is not None:
            state["_ts_"] = _from_host(state["_ts_"])
        self.__dict__.update(state)
        if variables is not None:
            self.model_ = self._make_model()
            self.model_.variables = variables

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
