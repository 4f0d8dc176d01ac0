"""Argument checks shared by the optimizers: value validators, learning-rate
resolution, and the Keras 3 constructor arguments trainlab accepts or refuses."""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import jax
import numpy as np

from .. import schedules as _schedules
from .._validation import check_in_range, describe, did_you_mean

__all__ = [
    "Check",
    "nonnegative",
    "unit_interval",
    "decay_rate",
    "learning_rate_value",
    "clip_threshold",
    "plain",
    "resolve_learning_rate",
    "check_keras_only_kwargs",
]

# Keras constructor arguments that trainlab accepts only at their no-op value.
_KERAS_ONLY_DEFAULTS = {
    "use_ema": False,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


Check = Callable[[str, Any], float]


def nonnegative(argument: str, value: Any) -> float:
    return check_in_range(argument, value, 0.0, math.inf, hint=f"Pass a value >= 0, e.g. {argument}=0.0.")


def unit_interval(argument: str, value: Any) -> float:
    return check_in_range(argument, value, 0.0, 1.0, high_inclusive=True,
                          hint=f"Pass a value between 0 and 1, e.g. {argument}=0.9.")


def decay_rate(argument: str, value: Any) -> float:
    return check_in_range(argument, value, 0.0, 1.0,
                          hint=f"Pass a value in [0, 1), e.g. {argument}=0.9; 1.0 would divide by zero.")


def learning_rate_value(argument: str, value: Any) -> float:
    return check_in_range(argument, value, 0.0, math.inf,
                          hint=f"Pass a small positive value such as {argument}=0.001.")


def clip_threshold(argument: str, value: Any) -> float:
    return check_in_range(argument, value, 0.0, math.inf,
                          hint=f"Pass a positive threshold such as {argument}=1.0, or None to disable clipping.")


def plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def resolve_learning_rate(value: Any) -> float | _schedules.LearningRateSchedule:
    if isinstance(value, _schedules.LearningRateSchedule):
        return value
    if isinstance(value, Mapping):
        return _schedules.deserialize(value)
    if callable(value):
        raise TypeError(
            f"`learning_rate` must be a float or a trainlab LearningRateSchedule; received "
            f"{describe(value)}. Wrap the function in a LearningRateSchedule subclass whose "
            "`__call__(step)` uses jax.numpy, so it can be traced."
        )
    if isinstance(value, (np.ndarray, jax.Array)) and np.ndim(value) > 0:
        raise TypeError(
            f"`learning_rate` must be a scalar; received {describe(value)}. For one value per "
            "population member, vmap `opt.init(params, {'learning_rate': lr})` over members."
        )
    return learning_rate_value("learning_rate", value)


def _accepted_arguments(cls: type) -> list[str]:
    names = ["learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm", "name"]
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is not None:
            names += [p for p in inspect.signature(init).parameters if p not in ("self", "kwargs")]
    return sorted(set(names))


def check_keras_only_kwargs(cls: type, kwargs: dict[str, Any]) -> None:
    cls_name = cls.__name__
    accepted = _accepted_arguments(cls)
    if "lr" in kwargs:
        raise ValueError(
            f"{cls_name} has no argument `lr`; it was renamed `learning_rate` in Keras 2.3. "
            f"Write {cls_name}(learning_rate={kwargs['lr']!r})."
        )
    if kwargs.pop("decay", None) is not None:
        warnings.warn(
            "Argument `decay` is no longer supported and will be ignored (as in Keras 3). "
            "For 1/t decay pass learning_rate=trainlab.schedules.InverseTimeDecay(lr, 1, decay).",
            UserWarning,
            stacklevel=3,
        )
    kwargs.pop("ema_momentum", None)  # only meaningful with use_ema=True
    for key, default in _KERAS_ONLY_DEFAULTS.items():
        if key in kwargs:
            value = kwargs.pop(key)
            if value != default and not (default is None and value is False):
                raise ValueError(
                    f"`{key}={value!r}` is a Keras feature that trainlab optimizers do not "
                    f"implement yet; received {key}={value!r}. Remove the argument (or pass "
                    f"{key}={default!r})."
                )
    if kwargs:
        name = next(iter(kwargs))
        raise ValueError(
            f"Argument(s) not recognized by {cls_name}: {sorted(kwargs)}.{did_you_mean(name, accepted)}"
            f" See help(trainlab.optimizers.{cls_name}) for the accepted arguments."
        )
