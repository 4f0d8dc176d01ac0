"""The `Optimizer` base class and its state pytree `OptState`.

An optimizer object holds configuration only. The numbers that may differ
between members of a population (learning rate or schedule parameters,
momentum, betas, epsilon, weight decay, clip thresholds) live as float32
array leaves in ``OptState.hparams``; everything that changes the *shape* of
the computation (nesterov, amsgrad, centered, whether a momentum slot exists,
which clip kind) is a Python attribute fixed at construction.

``update`` follows Keras 3's ``BaseOptimizer.apply`` order:

1. ``lr = schedule(iterations)`` (or the float learning rate), evaluated at the
   count *before* this update;
2. clip gradients: ``clipnorm`` (per tensor) or ``global_clipnorm`` or
   ``clipvalue`` (Keras allows only one);
3. decoupled weight decay ``w -= w * weight_decay * lr`` (when set);
4. the optimizer's update rule;
5. ``iterations += 1``.

Steps 3 and 4 are returned together as one additive update, which is exact
because no Keras rule reads the variable's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .. import schedules as _schedules
from .._registry import Registry
from .._validation import did_you_mean
from ._args import (
    Check,
    check_keras_only_kwargs,
    clip_threshold,
    learning_rate_value,
    nonnegative,
    plain,
    resolve_learning_rate,
)
from ._stateful import StatefulOptimizerMixin
from ._transforms import keras_clip_by_global_norm, keras_clip_by_norm

__all__ = ["OptState", "Optimizer", "REGISTRY", "LR_PREFIX"]

REGISTRY = Registry("optimizer", "optimizer")
LR_PREFIX = "learning_rate/"
_CLIP_KINDS = ("clipnorm", "clipvalue", "global_clipnorm")
class OptState(NamedTuple):
    """Optimizer state, a pytree.

    Attributes:
        count: int32 scalar, updates applied so far (Keras ``iterations``).
        hparams: ``{name: float32 array}``; ``"learning_rate"``, or
            ``"learning_rate/<param>"`` for each schedule parameter, plus the
            optimizer's own (``"beta_1"``, ``"momentum"``, ...).
        slots: accumulators, pytrees shaped like params (optax states).
    """

    count: jax.Array
    hparams: dict[str, jax.Array]
    slots: Any


class Optimizer(StatefulOptimizerMixin):
    """Base class of trainlab optimizers (Keras 3 API, pure optax-style core).

    Custom training loops use the stateful Keras methods ``apply_gradients``,
    ``apply`` and ``iterations`` (see `StatefulOptimizerMixin`).

    Subclasses call :meth:`_declare` in ``__init__`` for each hyperparameter
    (array leaf or static setting) and build their update rule in :meth:`_rule`.
    Declared hyperparameters read and write like Keras attributes
    (``opt.beta_1 = 0.8`` validates and updates :meth:`hyperparameters`).

    Args:
        learning_rate: float >= 0, a :class:`~trainlab.schedules.LearningRateSchedule`,
            or a Keras config dict of one.
        weight_decay: float or None. If set, ``w -= w * weight_decay * lr``
            before each update (decoupled, Keras 3 semantics).
        clipnorm: clip each gradient tensor to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients jointly to this global L2 norm.
        name: a name (Keras compatibility; not used in computations).

    Raises:
        ValueError: more than one clip argument, negative values, or Keras-only
            features that trainlab does not implement (``use_ema=True``, ...).
    """

    _default_name = "optimizer"

    def __init__(self, learning_rate, *, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        check_keras_only_kwargs(type(self), kwargs)
        self.name = self._default_name if name is None else str(name)
        self._values: dict[str, Any] = {}
        self._checks: dict[str, Check] = {}
        self._leaves: list[str] = []  # array hyperparameters, in order (learning rate excluded)
        self._static_hints: dict[str, str] = {}
        self._learning_rate = resolve_learning_rate(learning_rate)

        given = {k: v for k, v in zip(_CLIP_KINDS, (clipnorm, clipvalue, global_clipnorm), strict=True)
                 if v is not None}
        if len(given) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set; received "
                + ", ".join(f"{k}={v!r}" for k, v in given.items())
                + ". Keep the one you want and remove the others."
            )
        wd = None if weight_decay is None else nonnegative("weight_decay", weight_decay)
        self._declare("weight_decay", wd, nonnegative, leaf=False, static_hint=(
            "it was None at construction, so no decay is applied; construct the optimizer with "
            "weight_decay=0.0 (or any value) to make it a tunable hyperparameter"))
        self._weight_decay_leaf = wd is not None
        # Keras treats a threshold of 0 as "no clipping"
        self._clip_kind = next((kind for kind, value in given.items() if value), None)
        built = f"with `{self._clip_kind}`" if self._clip_kind else "without clipping"
        for kind in _CLIP_KINDS:
            self._declare(kind, given.get(kind), clip_threshold, leaf=False, static_hint=(
                f"this optimizer was built {built}; construct it with a positive `{kind}` "
                "(only one clip kind at a time) to tune it"))

    # ----------------------------------------------------------- declaration
    def _declare(self, name: str, value: Any, check: Check, *, leaf: bool = True, static_hint: str = "") -> None:
        """Register a hyperparameter; ``leaf=False`` keeps it static (not in ``OptState``);
        ``static_hint`` says how to change a static one, for error messages."""
        self._values[name] = value if value is None else check(name, value)
        self._checks[name] = check
        if leaf:
            self._leaves.append(name)
        else:
            self._static_hints[name] = static_hint or (
                f"it was {value!r} at construction, so no slot or leaf exists; construct the optimizer "
                f"with a nonzero `{name}` to make it a tunable hyperparameter"
            )

    def _leaf_names(self) -> list[str]:
        names = list(self._leaves)
        if self._weight_decay_leaf:
            names.append("weight_decay")
        if self._clip_kind:
            names.append(self._clip_kind)
        return names

    def __getattr__(self, name: str) -> Any:
        # hyperparameters read like Keras attributes: opt.beta_1, opt.clipnorm
        values = self.__dict__.get("_values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        values = self.__dict__.get("_values")
        if values is not None and name in values:
            self.set_hyperparameters({name: value})  # validated; static ones raise
            return
        super().__setattr__(name, value)

    # ------------------------------------------------------ hyperparameters
    def hyperparameters(self) -> dict[str, float | np.ndarray]:
        """Current values of every array hyperparameter, by ``OptState.hparams`` key.

        Example:
            >>> from trainlab.optimizers import Adam
            >>> Adam().hyperparameters()  # doctest: +NORMALIZE_WHITESPACE
            {'learning_rate': 0.001, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-07}
        """
        if isinstance(self._learning_rate, _schedules.LearningRateSchedule):
            out = {LR_PREFIX + k: v for k, v in self._learning_rate.hyperparameters().items()}
        else:
            out = {"learning_rate": self._learning_rate}
        for name in self._leaf_names():
            out[name] = self._values[name]
        return out

    def set_hyperparameters(self, values: Mapping[str, Any]) -> None:
        """Set current values (e.g. synced back from a train state).

        Args:
            values: ``{key: float or array}`` with keys of :meth:`hyperparameters`.
                Arrays (e.g. one value per population member) are kept as
                ``np.ndarray``.

        Raises:
            ValueError: unknown key, a value out of range, or a key that is
                static for this optimizer (e.g. ``momentum`` of an SGD built
                with ``momentum=0``).
        """
        valid = self.hyperparameters()
        for key, value in values.items():
            if key not in valid:
                raise self._unknown_key_error(key, "values")
            if key.startswith(LR_PREFIX):
                self._learning_rate.set_hyperparameters({key[len(LR_PREFIX):]: value})
                continue
            check = learning_rate_value if key == "learning_rate" else self._checks[key]
            arr = np.asarray(value, dtype=np.float64)
            for element in arr.reshape(-1):
                check(key, float(element))
            new = float(arr) if arr.ndim == 0 else arr.astype(np.float32)
            if key == "learning_rate":
                self._learning_rate = new
            else:
                self._values[key] = new

    def _unknown_key_error(self, key: str, argument: str) -> ValueError:
        valid = list(self.hyperparameters())
        hint = ""
        if key in self._static_hints:
            hint = f" `{key}` is static for this {type(self).__name__}: {self._static_hints[key]}."
        elif key == "learning_rate" or key.startswith(LR_PREFIX):
            hint = " The learning rate is a schedule (keys 'learning_rate/<param>') or a float ('learning_rate')."
        return ValueError(
            f"Unknown hyperparameter {key!r} in `{argument}`.{did_you_mean(key, valid)}{hint} "
            f"Expected keys: {', '.join(valid)}."
        )

    @property
    def learning_rate(self) -> float | _schedules.LearningRateSchedule:
        """The float learning rate, or the schedule the optimizer was built with."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, (_schedules.LearningRateSchedule, Mapping)):
            # Keras allows swapping in a schedule; existing OptStates must be re-initialized.
            self._learning_rate = resolve_learning_rate(value)
            return
        if isinstance(self._learning_rate, _schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable "
                f"to {value!r}. If you need the learning rate to be settable, instantiate the "
                "optimizer with a float `learning_rate` argument (or change the schedule's "
                "parameters with `set_hyperparameters({'learning_rate/initial_learning_rate': ...})`)."
            )
        self.set_hyperparameters({"learning_rate": value})

    # ------------------------------------------------------------ pure core
    def init(self, params: Any, hparams: Mapping[str, Any] | None = None) -> OptState:
        """A fresh state for ``params``. Pure.

        Args:
            params: pytree of float arrays.
            hparams: optional overrides of :meth:`hyperparameters` values (a
                population passes per-member values here, inside ``jax.vmap``).

        Returns:
            ``OptState(count=0, hparams, slots)``.

        Example:
            >>> import jax, jax.numpy as jnp
            >>> from trainlab.optimizers import SGD
            >>> opt = SGD(0.1, momentum=0.9)
            >>> states = jax.vmap(lambda lr: opt.init({"w": jnp.zeros(3)}, {"learning_rate": lr}))(
            ...     jnp.array([0.1, 0.01]))
            >>> states.hparams["learning_rate"].shape
            (2,)
        """
        hp = {k: jnp.asarray(v, jnp.float32) for k, v in self.hyperparameters().items()}
        for key, value in (hparams or {}).items():
            if key not in hp:
                raise self._unknown_key_error(key, "hparams")
            value = jnp.asarray(value, jnp.float32)
            if value.shape != hp[key].shape:
                raise ValueError(
                    f"`hparams[{key!r}]` must have shape {hp[key].shape}; received shape "
                    f"{value.shape}. For a population, vmap over members: "
                    "`jax.vmap(lambda h: opt.init(params, h))(stacked_hparams)`."
                )
            hp[key] = value
        count = jnp.zeros([], jnp.int32)
        slots = self._rule(self._rule_hparams(hp, count), count).init(params)
        return OptState(count=count, hparams=hp, slots=slots)

    def update(self, grads: Any, state: OptState, params: Any = None) -> tuple[Any, OptState]:
        """One Keras optimizer step. Pure, jit- and vmap-safe.

        Args:
            grads: pytree like params.
            state: from :meth:`init` or a previous :meth:`update`.
            params: current params; required when ``weight_decay`` is set.

        Returns:
            ``(updates, new_state)``; apply with ``optax.apply_updates(params, updates)``.
        """
        hp = self._check_state(state)
        lr = self.learning_rate_at(state)
        if self._clip_kind == "clipnorm":
            grads, _ = keras_clip_by_norm(hp["clipnorm"]).update(grads, optax.EmptyState())
        elif self._clip_kind == "global_clipnorm":
            grads, _ = keras_clip_by_global_norm(hp["global_clipnorm"]).update(grads, optax.EmptyState())
        elif self._clip_kind == "clipvalue":
            grads, _ = optax.clip(hp["clipvalue"]).update(grads, optax.EmptyState())
        rule = self._rule(self._rule_hparams(hp, state.count, lr), state.count)
        updates, slots = rule.update(grads, state.slots, params)
        if self._weight_decay_leaf:
            if params is None:
                raise ValueError(
                    f"`params` is required by {type(self).__name__}.update when `weight_decay` is set "
                    f"(weight_decay={self.weight_decay}); call `opt.update(grads, state, params)`."
                )
            # Keras: w -= w * wd * lr (optax's formula for a weight-decay coefficient of -lr*wd)
            updates, _ = optax.add_decayed_weights(-lr * hp["weight_decay"]).update(
                updates, optax.EmptyState(), params)
        updates = jax.tree.map(lambda u, g: u.astype(g.dtype), updates, grads)
        return updates, OptState(count=state.count + 1, hparams=state.hparams, slots=slots)

    def learning_rate_at(self, state: OptState) -> jax.Array:
        """The learning rate the next :meth:`update` uses (schedule applied at ``state.count``)."""
        hp = state.hparams
        if isinstance(self._learning_rate, _schedules.LearningRateSchedule):
            sched = {k[len(LR_PREFIX):]: v for k, v in hp.items() if k.startswith(LR_PREFIX)}
            return jnp.asarray(self._learning_rate.apply(state.count, sched), jnp.float32)
        return hp["learning_rate"]

    def replace_hyperparameters(self, state: OptState, values: Mapping[str, Any]) -> OptState:
        """``state`` with some ``hparams`` replaced, cast to float32 so a jitted
        update does not recompile."""
        hp = dict(state.hparams)
        for key, value in values.items():
            if key not in hp:
                raise self._unknown_key_error(key, "values")
            hp[key] = jnp.asarray(value, jnp.float32).reshape(jnp.shape(hp[key]))
        return state._replace(hparams=hp)

    def as_optax(self) -> optax.GradientTransformation:
        """This optimizer as an ``optax.GradientTransformation``.

        Its state is an :class:`OptState`; hyperparameters live in
        ``state.hparams`` as with ``optax.inject_hyperparams``.

        Example:
            >>> import jax.numpy as jnp, optax
            >>> from trainlab.optimizers import Adam
            >>> tx = Adam(0.1).as_optax()
            >>> params = {"w": jnp.ones(2)}
            >>> state = tx.init(params)
            >>> updates, state = tx.update({"w": jnp.ones(2)}, state, params)
            >>> [round(x, 4) for x in optax.apply_updates(params, updates)["w"].tolist()]
            [0.9, 0.9]
        """
        return optax.GradientTransformation(lambda params: self.init(params), self.update)

    def _check_state(self, state: OptState) -> dict[str, jax.Array]:
        hp = state.hparams
        expected = set(self.hyperparameters())
        if set(hp) != expected:
            raise ValueError(
                f"`state.hparams` has keys {sorted(hp)}, but this {type(self).__name__} expects "
                f"{sorted(expected)}. The state was made by a differently configured optimizer; "
                "call `opt.init(params)` again after changing the learning rate kind, "
                "weight_decay or clipping."
            )
        return hp

    def _rule_hparams(self, hp: Mapping[str, Any], count: Any, lr: Any = None) -> dict[str, Any]:
        out = {k: hp[k] for k in self._leaves}
        out["learning_rate"] = self.learning_rate_at(OptState(count, dict(hp), None)) if lr is None else lr
        return out

    def _rule(self, hp: Mapping[str, Any], count: jax.Array) -> optax.GradientTransformation:
        """The update rule as an optax transformation, built from (possibly
        traced) hyperparameter values; includes the learning rate and sign."""
        raise NotImplementedError

    # ---------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """Keras-style config; ``type(opt).from_config(opt.get_config())`` rebuilds it."""
        if isinstance(self._learning_rate, _schedules.LearningRateSchedule):
            lr = _schedules.serialize(self._learning_rate)
        else:
            lr = plain(self._learning_rate)
        config = {"name": self.name, "learning_rate": lr}
        config.update((k, plain(v)) for k, v in self._values.items())
        return config

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Optimizer:
        """Inverse of :meth:`get_config` (also reads Keras 3 optimizer configs)."""
        return cls(**dict(config))

    def __repr__(self) -> str:
        config = self.get_config()
        config.pop("name")
        args = ", ".join(f"{k}={v!r}" for k, v in config.items() if v is not None)
        return f"{type(self).__name__}({args})"
