"""Declarative model presets: a `build(hp)` written for you.

A preset reads its settings from the trial (``hp.get(name)``) and falls back
to fixed values given when it is created, so the same preset serves a fixed
model and a search over any subset of its settings. This is what the CLI's
TOML ``[model]`` table creates.

``"mlp"`` (the course's classifier / regressor):
    ``Flatten -> [Dense(units, activation) -> Dropout(dropout)] x layers -> Dense(outputs)``

Settings (each may be a search parameter of the same name):

===================  ==========================================================
``units``            hidden units per layer (int, default 128)
``layers``           number of hidden layers (int, default 1; 0 = linear model)
``units_<i>``        units of hidden layer i (1-based), overrides ``units``
``activation``       hidden activation (default "relu")
``dropout``          dropout rate after each hidden layer (default 0: no layer)
``l2``               L2 strength on hidden and output kernels (default 0: none)
``optimizer``        "adam", "sgd", "rmsprop", "adamw", ... (default "adam")
``learning_rate``    (default: the optimizer's Keras default)
``momentum``         SGD / RMSprop momentum
``beta_1, beta_2``   Adam-family betas
``weight_decay``     decoupled weight decay (AdamW, or any optimizer)
``decay``            learning-rate decay: ``lr / (1 + decay * epoch)``
                     (InverseTimeDecay per epoch; the course's formula)
``batch_size``       training batch size (read by the tuner)
===================  ==========================================================

Array-valued settings (learning_rate, momentum, betas, weight_decay, dropout,
l2, decay) vary inside one vmapped population; shape settings (units,
layers, activation, optimizer, batch_size) form separate groups. To let
``dropout`` or ``l2`` vary inside a population, include them in every member
(a search range starting at 0 keeps the layer, with rate 0).

Example:
    >>> build = Preset("mlp", input_shape=(784,), outputs=10, units=64)
    >>> model = build(HyperParameters(values={"learning_rate": 0.01}))
    >>> [type(l).__name__ for l in model.layers]
    ['Flatten', 'Dense', 'Dense']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._registry import Registry
from .._validation import (check_bool, check_in_range, check_int_at_least, check_nonnegative, check_one_of,
                           check_positive_int, check_positive_number, describe, did_you_mean)

__all__ = ["Preset", "mlp", "PRESETS", "SETTING_CHECKS"]

PRESETS = Registry("preset", "preset")

_OPT_SETTINGS = ("learning_rate", "momentum", "beta_1", "beta_2", "weight_decay", "rho", "epsilon", "nesterov")


def _unit_interval(argument: str, value: Any) -> float:
    return check_in_range(argument, value, 0.0, 1.0)


def _name(argument: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"`{argument}` must be a name such as 'relu' or 'adam'; received {describe(value)}.")
    return value


def _nonnegative(argument: str, value: Any) -> float:
    if isinstance(value, (bool, str)):
        raise TypeError(f"`{argument}` must be a number >= 0; received {describe(value)}.")
    return check_nonnegative(argument, value)


MAX_LAYERS = 1_000  # an "mlp" deeper than this is a typo (2147483648), not a model: refuse before building
MAX_UNITS = 2**20


def _int_up_to(low: int, high: int) -> Callable[[str, Any], int]:
    def check(argument: str, value: Any) -> int:
        value = check_int_at_least(argument, value, low)
        if value > high:
            raise ValueError(f"`{argument}` must be an integer in [{low}, {high:,}]; received {value!r}.")
        return value
    return check


#: setting -> check(argument, value): each raises TypeError/ValueError naming the setting
SETTING_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "layers": _int_up_to(0, MAX_LAYERS),
    "units": _int_up_to(1, MAX_UNITS),
    "activation": _name,
    "dropout": _unit_interval,
    "l2": _nonnegative,
    "optimizer": _name,
    "learning_rate": check_positive_number,
    "momentum": lambda a, v: check_in_range(a, v, 0.0, 1.0, high_inclusive=True),
    "beta_1": _unit_interval,
    "beta_2": _unit_interval,
    "weight_decay": _nonnegative,
    "rho": _unit_interval,
    "epsilon": check_positive_number,
    "nesterov": check_bool,
    "decay": _nonnegative,
    "batch_size": check_positive_int,
    "outputs": _int_up_to(1, MAX_UNITS),
    "steps_per_epoch": check_positive_int,
    "task": lambda a, v: check_one_of(a, v, ["classification", "regression"]),
}


def _check_setting(name: str, value: Any) -> Any:
    """`value` checked as preset setting `name` (``units_<i>`` like ``units``); None passes."""
    if value is None:
        return None
    check = SETTING_CHECKS.get("units" if name.startswith("units_") and name[6:].isdigit() else name)
    return check(name, value) if check is not None else value


def _setting(hp: Any, fixed: Mapping[str, Any], name: str, default: Any = None) -> Any:
    value = hp.get(name) if hp is not None else None
    if value is None:
        value = fixed.get(name, default)
    return _check_setting(name, value)


@PRESETS.register("mlp")
def mlp(hp: Any, *, input_shape: tuple, outputs: int, task: str = "classification", search_keys: tuple = (),
        **fixed: Any) -> Any:
    """Build and compile the ``"mlp"`` preset for trial `hp` (see the module docs).

    Args:
        input_shape: shape of one sample, e.g. ``(28, 28)``.
        outputs: classes (classification) or targets (regression).
        task: "classification" (sparse categorical cross-entropy on logits,
            accuracy) or "regression" (mse, mae).
        search_keys: names searched over; a searched ``dropout``/``l2`` keeps
            its layer/regularizer even at 0, so that members share a structure.
        **fixed: settings that are not searched.
    """
    from .. import layers, losses, optimizers, regularizers, schedules
    from ..models import Sequential

    n_layers = int(_setting(hp, fixed, "layers", 1))
    units = int(_setting(hp, fixed, "units", 128))
    activation = _setting(hp, fixed, "activation", "relu")
    dropout = float(_setting(hp, fixed, "dropout", 0.0) or 0.0)
    l2 = float(_setting(hp, fixed, "l2", 0.0) or 0.0)
    keep_dropout = "dropout" in search_keys
    keep_l2 = "l2" in search_keys

    def reg() -> Any:
        return regularizers.L2(l2) if (l2 > 0 or keep_l2) else None

    stack: list[Any] = [layers.Flatten(input_shape=tuple(input_shape))]
    for i in range(n_layers):
        width = int(_setting(hp, fixed, f"units_{i + 1}", units))
        stack.append(layers.Dense(width, activation=activation, kernel_regularizer=reg()))
        if dropout > 0 or keep_dropout:
            stack.append(layers.Dropout(dropout))
    if task == "classification":
        stack.append(layers.Dense(int(outputs), kernel_regularizer=reg()))
        loss = losses.SparseCategoricalCrossentropy(from_logits=True)
        metrics = ["accuracy"]
    elif task == "regression":
        stack.append(layers.Dense(int(outputs), kernel_regularizer=reg()))
        loss, metrics = "mse", ["mae"]
    else:
        raise ValueError(f"`task` must be 'classification' or 'regression'; received {task!r}.")
    model = Sequential(stack)

    name = _setting(hp, fixed, "optimizer", "adam")
    kwargs = {k: _setting(hp, fixed, k) for k in _OPT_SETTINGS}
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    decay = _setting(hp, fixed, "decay")
    steps_per_epoch = fixed.get("steps_per_epoch")
    if decay is not None or "decay" in search_keys:
        if not steps_per_epoch:
            raise ValueError("The `decay` setting needs `steps_per_epoch` (the tuner sets it from the data).")
        lr = float(kwargs.pop("learning_rate", 1e-3))
        kwargs["learning_rate"] = schedules.InverseTimeDecay(lr, decay_steps=int(steps_per_epoch),
                                                             decay_rate=float(decay or 0.0))
    try:
        optimizer = type(optimizers.get(name))(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Optimizer {name!r} does not take the settings {sorted(kwargs)}: {exc} Make optimizer-specific "
            f"parameters conditional, e.g. momentum = {{ type = \"float\", low = 0.5, high = 0.99, "
            f"when = {{ optimizer = [\"sgd\"] }} }}."
        ) from None
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return model


class Preset:
    """A `build(hp)` function from a preset name and fixed settings.

    Args:
        name: a preset name (``"mlp"``).
        **fixed: fixed settings (``input_shape``, ``outputs``, ``units``, ...).

    Raises:
        ValueError: unknown preset name (the message lists them).
    """

    def __init__(self, name: str, /, **fixed: Any):
        if not isinstance(name, str):
            raise TypeError(f"`preset` must be a preset name such as 'mlp'; received {describe(name)}.")
        self.fn = PRESETS.lookup(name, "preset")
        self.name = name
        self.fixed = dict(fixed)
        known = set(SETTING_CHECKS) | {"input_shape", "search_keys"}
        for key, value in self.fixed.items():
            if key not in known and not (key.startswith("units_") and key[6:].isdigit()):
                raise ValueError(
                    f"Preset {name!r} has no setting `{key}`.{did_you_mean(key, known)} Its settings: "
                    f"{', '.join(sorted(known - {'search_keys'}))}, units_<i>."
                )
            _check_setting(key, value)
        shape = self.fixed.get("input_shape")
        if shape is not None and (not isinstance(shape, (tuple, list)) or not shape or not all(
                isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in shape)):
            raise ValueError(f"`input_shape` must be a tuple of positive integers such as (28, 28); received "
                             f"{describe(shape)}.")
        for required in ("input_shape", "outputs"):
            if required not in self.fixed:
                raise ValueError(
                    f"Preset {name!r} needs `{required}` (the tuner fills it in from the data, or pass it)."
                )

    def __call__(self, hp: Any) -> Any:
        search_keys = tuple(getattr(hp, "space", None).names) if getattr(hp, "space", None) is not None else ()
        return self.fn(hp, search_keys=search_keys, **self.fixed)

    def with_settings(self, **more: Any) -> "Preset":
        return Preset(self.name, **{**self.fixed, **more})

    def __repr__(self) -> str:
        return f"Preset({self.name!r}, {', '.join(f'{k}={v!r}' for k, v in self.fixed.items())})"
