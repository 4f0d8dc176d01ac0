"""Learning-rate schedules with Keras 3 names, defaults and formulas.

Every schedule separates *structure* from *numbers*:

- structural settings (``staircase``, ``cycle``, the number of boundaries,
  whether a warmup exists) are plain Python attributes fixed at construction;
- every number (``initial_learning_rate``, ``decay_rate``, ``alpha``, ... and
  also ``decay_steps``/``warmup_steps``, which cost nothing as array leaves) is
  returned by :meth:`LearningRateSchedule.hyperparameters` and consumed by the
  pure :meth:`LearningRateSchedule.apply`, so a population of schedules is one
  ``jax.vmap`` over a stacked dict of parameters.

``step`` is cast to float32 (Keras casts it to the dtype of
``initial_learning_rate``), so integer steps are exact up to 2**24.

Example:
    >>> import jax, jax.numpy as jnp
    >>> s = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> round(float(s(10)), 6)           # Keras-style call
    0.05
    >>> hp = {k: jnp.array([v, v]) for k, v in s.hyperparameters().items()}
    >>> hp["initial_learning_rate"] = jnp.array([0.1, 0.2])
    >>> [round(x, 6) for x in jax.vmap(s.apply, in_axes=(None, 0))(10, hp).tolist()]
    [0.05, 0.1]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._registry import Registry
from ._validation import check_finite_number, describe

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "get",
    "serialize",
    "deserialize",
]

_REGISTRY = Registry("learning rate schedule", "learning_rate")


def _as_given(value: Any, number: float) -> int | float:
    """Keep Python/numpy ints as int (so configs read like Keras's), else float."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    return number


def _check_positive(argument: str, value: Any, example: str) -> int | float:
    number = check_finite_number(argument, value)
    if number <= 0:
        raise ValueError(
            f"`{argument}` must be > 0; received {argument}={value!r}. "
            f"Pass a positive number of optimizer steps, e.g. {argument}={example}."
        )
    return _as_given(value, number)


def _f32(x: Any) -> jax.Array:
    return jnp.asarray(x, dtype=jnp.float32)


class LearningRateSchedule:
    """Base class: the learning rate as a pure function of the optimizer step.

    Subclasses list their array-valued parameters in ``_hparam_names`` (each
    stored as an attribute of that name) and implement :meth:`apply`.

    A Keras-style subclass that only overrides ``__call__(step)`` also works
    with every trainlab optimizer: it has no array parameters, its
    ``__call__`` is traced as is (so it must use ``jax.numpy``), and it cannot
    differ between population members.

    Example:
        >>> class OneOverT(LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate):
        ...         self.initial_learning_rate = initial_learning_rate
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate / (step + 1)
        >>> float(OneOverT(0.1)(4))
        0.02
    """

    _hparam_names: tuple[str, ...] = ()

    def hyperparameters(self) -> dict[str, float | np.ndarray]:
        """Current values of the array-valued parameters, by name.

        Returns:
            ``{name: float}``; list-valued parameters (boundaries, values) are
            1-D ``np.ndarray``.
        """
        out: dict[str, float | np.ndarray] = {}
        for name in self._hparam_names:
            value = getattr(self, name)
            out[name] = float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=np.float32)
        return out

    def set_hyperparameters(self, values: Mapping[str, Any]) -> None:
        """Set parameters from a dict such as :meth:`hyperparameters` returns.

        Raises:
            ValueError: for a name that is not one of this schedule's parameters.
        """
        for name, value in values.items():
            if name not in self._hparam_names:
                raise ValueError(
                    f"`{name}` is not an array parameter of {type(self).__name__}; "
                    f"expected one of: {', '.join(self._hparam_names) or '(none)'}."
                )
            arr = np.asarray(value, dtype=np.float64)
            setattr(self, name, float(arr) if arr.ndim == 0 else arr.tolist())

    def apply(self, step: Any, hparams: Mapping[str, Any]) -> jax.Array:
        """The learning rate at ``step``. Pure, jit- and vmap-safe.

        Args:
            step: scalar int or float (array) step, usually the number of
                updates applied so far (Keras ``optimizer.iterations``).
            hparams: ``{name: array}`` with the keys of :meth:`hyperparameters`.

        Returns:
            float32 scalar array.
        """
        if type(self).__call__ is not LearningRateSchedule.__call__:
            return _f32(self(step))  # a Keras-style schedule without apply()
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`apply(self, step, hparams)` (or Keras-style `__call__(self, step)`)."
        )

    def __call__(self, step: Any) -> jax.Array:
        """Keras-compatible call: ``apply(step, self.hyperparameters())``."""
        hparams = {k: _f32(v) for k, v in self.hyperparameters().items()}
        return self.apply(step, hparams)

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LearningRateSchedule:
        """Instantiate from the output of :meth:`get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class _StepDecaySchedule(LearningRateSchedule):
    """Shared by `ExponentialDecay` and `InverseTimeDecay`: the decay of
    ``p = step / decay_steps`` (floored with ``staircase=True``)."""

    _hparam_names = ("initial_learning_rate", "decay_steps", "decay_rate")

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate = check_finite_number("initial_learning_rate", initial_learning_rate)
        self.decay_steps = _check_positive("decay_steps", decay_steps, "1000")
        self.decay_rate = check_finite_number("decay_rate", decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def apply(self, step, hparams):
        p = _f32(step) / hparams["decay_steps"]
        if self.staircase:
            p = jnp.floor(p)
        return self._decay(p, hparams)

    def _decay(self, p, hparams):
        raise NotImplementedError

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


@_REGISTRY.register("ExponentialDecay")
class ExponentialDecay(_StepDecaySchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``.
    Array parameters: ``initial_learning_rate``, ``decay_steps``, ``decay_rate``.

    Example:
        >>> round(float(ExponentialDecay(0.1, 100, 0.96, staircase=True)(150)), 6)
        0.096
    """

    def _decay(self, p, hparams):
        return hparams["initial_learning_rate"] * jnp.power(hparams["decay_rate"], p)



@_REGISTRY.register("InverseTimeDecay")
class InverseTimeDecay(_StepDecaySchedule):
    """1/t decay: ``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    With ``staircase=True``, ``step / decay_steps`` is floored (step decay).
    Array parameters: ``initial_learning_rate``, ``decay_steps``, ``decay_rate``.

    Example:
        >>> round(float(InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)(2)), 6)
        0.05
    """

    def _decay(self, p, hparams):
        return hparams["initial_learning_rate"] / (1.0 + hparams["decay_rate"] * p)



@_REGISTRY.register("PiecewiseConstantDecay")
class PiecewiseConstantDecay(LearningRateSchedule):
    """Step decay: ``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]``.

    ``values[0]`` for ``step <= boundaries[0]`` and ``values[-1]`` for
    ``step > boundaries[-1]``. The number of boundaries is static; their
    positions (``boundaries``, shape ``(n,)``) and ``values`` (shape
    ``(n + 1,)``) are array parameters.

    Raises:
        ValueError: if ``len(values) != len(boundaries) + 1``, if there are no
            boundaries, or if boundaries are not strictly increasing.

    Example:
        >>> s = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
        >>> [round(float(s(t)), 6) for t in (100, 101, 201)]
        [1.0, 0.5, 0.1]
    """

    _hparam_names = ("boundaries", "values")

    def __init__(self, boundaries, values, name=None):
        boundaries = [_as_given(b, check_finite_number("boundaries", b)) for b in _as_list("boundaries", boundaries)]
        values = [_as_given(v, check_finite_number("values", v)) for v in _as_list("values", values)]
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"`values` must have one more element than `boundaries`; received "
                f"boundaries={boundaries} (length {len(boundaries)}) and values={values} "
                f"(length {len(values)}). Pass one value per interval, e.g. "
                "boundaries=[1000, 2000], values=[0.1, 0.01, 0.001]."
            )
        if not boundaries:
            raise ValueError(
                "`boundaries` must have at least one element; received boundaries=[]. "
                "For a constant learning rate pass a float as `learning_rate` instead."
            )
        if any(low >= high for low, high in zip(boundaries[:-1], boundaries[1:], strict=True)):
            raise ValueError(
                f"`boundaries` must be strictly increasing; received boundaries={boundaries}. "
                f"Sort them (and reorder `values` to match), e.g. boundaries={sorted(set(boundaries))}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def apply(self, step, hparams):
        # index = number of boundaries strictly below step  (Keras: step > b)
        index = jnp.sum((_f32(step) > hparams["boundaries"]).astype(jnp.int32))
        return jnp.take(hparams["values"], index)

    def get_config(self):
        return {"boundaries": list(self.boundaries), "values": list(self.values), "name": self.name}


@_REGISTRY.register("PolynomialDecay")
class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate``.

    ``(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end``.
    With ``cycle=True`` the horizon restarts: ``decay_steps`` is multiplied by
    ``ceil(step / decay_steps)`` (1 at step 0). Array parameters:
    ``initial_learning_rate``, ``decay_steps``, ``end_learning_rate``, ``power``.

    Example:
        >>> round(float(PolynomialDecay(0.1, 10, end_learning_rate=0.0)(5)), 6)
        0.05
    """

    _hparam_names = ("initial_learning_rate", "decay_steps", "end_learning_rate", "power")

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name=None):
        self.initial_learning_rate = check_finite_number("initial_learning_rate", initial_learning_rate)
        self.decay_steps = _check_positive("decay_steps", decay_steps, "1000")
        self.end_learning_rate = check_finite_number("end_learning_rate", end_learning_rate)
        self.power = check_finite_number("power", power)
        self.cycle = bool(cycle)
        self.name = name

    def apply(self, step, hparams):
        step = _f32(step)
        decay_steps = hparams["decay_steps"]
        if self.cycle:
            multiplier = jnp.where(step == 0, 1.0, jnp.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = jnp.minimum(step, decay_steps)
        p = step / decay_steps
        start, end = hparams["initial_learning_rate"], hparams["end_learning_rate"]
        return (start - end) * jnp.power(1.0 - p, hparams["power"]) + end

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


def _cosine(fraction, alpha):
    return (1.0 - alpha) * 0.5 * (1.0 + jnp.cos(math.pi * fraction)) + alpha


@_REGISTRY.register("CosineDecay")
class CosineDecay(LearningRateSchedule):
    """Cosine decay (SGDR without restarts) with an optional linear warmup.

    Without warmup (``warmup_target=None``)::

        lr = initial_learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)

    With ``warmup_target``: linear from ``initial_learning_rate`` to
    ``warmup_target`` over ``warmup_steps``, then the cosine decay above
    starting from ``warmup_target`` for ``decay_steps`` more steps.
    Whether a warmup exists is static; ``warmup_target`` and ``warmup_steps``
    are array parameters when it does, like ``initial_learning_rate``,
    ``decay_steps`` and ``alpha``.

    Example:
        >>> s = CosineDecay(0.0, 100, warmup_target=0.1, warmup_steps=10)
        >>> [round(float(s(t)), 6) for t in (5, 10, 110)]
        [0.05, 0.1, 0.0]
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None,
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = check_finite_number("initial_learning_rate", initial_learning_rate)
        self.decay_steps = _check_positive("decay_steps", decay_steps, "1000")
        self.alpha = check_finite_number("alpha", alpha)
        self.name = name
        self.warmup_target = (
            None if warmup_target is None else check_finite_number("warmup_target", warmup_target)
        )
        self.warmup_steps = _as_given(warmup_steps, check_finite_number("warmup_steps", warmup_steps))
        if self.warmup_steps < 0:
            raise ValueError(
                f"`warmup_steps` must be >= 0; received warmup_steps={warmup_steps!r}. "
                "Pass 0 for no warmup."
            )
        names = ["initial_learning_rate", "decay_steps", "alpha"]
        if self.warmup_target is not None:
            names += ["warmup_target", "warmup_steps"]
        self._hparam_names = tuple(names)

    def apply(self, step, hparams):
        step = _f32(step)
        lr0, decay_steps, alpha = (hparams[k] for k in ("initial_learning_rate", "decay_steps", "alpha"))
        if self.warmup_target is None:
            step = jnp.minimum(step, decay_steps)
            return lr0 * _cosine(step / decay_steps, alpha)
        target, warmup_steps = hparams["warmup_target"], hparams["warmup_steps"]
        step = jnp.minimum(step, decay_steps + warmup_steps)
        in_warmup = step < warmup_steps
        safe_warmup = jnp.where(in_warmup, warmup_steps, 1.0)  # no 0/0 when warmup_steps == 0
        warm = (target - lr0) * (step / safe_warmup) + lr0
        decayed = target * _cosine((step - warmup_steps) / decay_steps, alpha)
        return jnp.where(in_warmup, warm, decayed)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


@_REGISTRY.register("CosineDecayRestarts")
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2016).

    The multiplier decays from 1 to ``alpha`` over ``first_decay_steps``, then
    restarts; period ``i`` lasts ``first_decay_steps * t_mul**i`` steps and
    starts at ``initial_learning_rate * m_mul**i``. Array parameters:
    ``initial_learning_rate``, ``first_decay_steps``, ``t_mul``, ``m_mul``, ``alpha``.

    Example:
        >>> s = CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=1.0, m_mul=0.5)
        >>> [round(float(s(t)), 6) for t in (0, 10, 20)]
        [0.1, 0.05, 0.025]
    """

    _hparam_names = ("initial_learning_rate", "first_decay_steps", "t_mul", "m_mul", "alpha")

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name=None):
        self.initial_learning_rate = check_finite_number("initial_learning_rate", initial_learning_rate)
        self.first_decay_steps = _check_positive("first_decay_steps", first_decay_steps, "1000")
        self.t_mul = check_finite_number("t_mul", t_mul)
        if self.t_mul <= 0:
            raise ValueError(
                f"`t_mul` must be > 0; received t_mul={t_mul!r}. Pass 1.0 for periods of "
                "equal length or 2.0 to double each period."
            )
        self.m_mul = check_finite_number("m_mul", m_mul)
        self.alpha = check_finite_number("alpha", alpha)
        self.name = name

    def apply(self, step, hparams):
        t_mul, m_mul, alpha = hparams["t_mul"], hparams["m_mul"], hparams["alpha"]
        fraction = _f32(step) / hparams["first_decay_steps"]
        # periods of equal length (t_mul == 1)
        i_equal = jnp.floor(fraction)
        frac_equal = fraction - i_equal
        # geometric periods; computed with a safe t_mul so the branch not taken has no NaN
        geometric = t_mul != 1.0
        t_safe = jnp.where(geometric, t_mul, 2.0)
        i_geo = jnp.floor(jnp.log(1.0 - fraction * (1.0 - t_safe)) / jnp.log(t_safe))
        sum_r = (1.0 - jnp.power(t_safe, i_geo)) / (1.0 - t_safe)
        frac_geo = (fraction - sum_r) / jnp.power(t_safe, i_geo)
        i_restart = jnp.where(geometric, i_geo, i_equal)
        fraction = jnp.where(geometric, frac_geo, frac_equal)
        cosine = 0.5 * jnp.power(m_mul, i_restart) * (1.0 + jnp.cos(math.pi * fraction))
        return hparams["initial_learning_rate"] * ((1.0 - alpha) * cosine + alpha)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self.t_mul,
            "m_mul": self.m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


def _as_list(argument: str, value: Any) -> list:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(
            f"`{argument}` must be a list of numbers; received {describe(value)}. "
            f"Pass e.g. {argument}=[1000, 2000]."
        )
    return list(np.asarray(value).reshape(-1).tolist())  # Python ints stay ints


def get(identifier: Any) -> LearningRateSchedule:
    """Resolve a schedule instance, class name or ``{"class_name", "config"}`` dict.

    Example:
        >>> get({"class_name": "ExponentialDecay",
        ...      "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}})
        ExponentialDecay(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=False, name=None)
    """
    if isinstance(identifier, str):
        # a bare name cannot carry the required arguments; say so instead of a TypeError
        cls = _REGISTRY.lookup(identifier)
        raise ValueError(
            f"A learning rate schedule needs its arguments; received only the name "
            f"{identifier!r}. Pass an instance such as {cls.__name__}(...) or a config "
            f"dict {{'class_name': {identifier!r}, 'config': {{...}}}}."
        )
    return _REGISTRY.get(identifier, base=LearningRateSchedule)


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """``{"class_name": ..., "config": schedule.get_config()}`` (Keras layout)."""
    return _REGISTRY.serialize(schedule)


def deserialize(config: Mapping[str, Any]) -> LearningRateSchedule:
    """Inverse of :func:`serialize`; extra Keras keys (``module``, ...) are ignored."""
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise TypeError(
            f"`config` must be a dict with keys 'class_name' and 'config'; received "
            f"{describe(config)}. Pass the output of trainlab.schedules.serialize(...)."
        )
    return _REGISTRY.get(dict(config), base=LearningRateSchedule)
