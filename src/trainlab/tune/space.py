"""Search spaces: `Float`, `Int`, `Choice`, `Fixed` and conditional parameters.

A search space is a list of parameters. Each parameter knows how to draw a
value from an Optuna trial (``suggest_float`` / ``suggest_int`` /
``suggest_categorical``), how to list grid points, and how to describe itself
as a plain dict (the TOML form of the CLI). A parameter may depend on another
one (``when={"layers": [2, 3]}``): it is drawn only when the parent took one of
those values, so trials never carry values that the model ignores.

The course advice is built in: sample at random (the default strategy), and
sample scale parameters such as the learning rate on a log scale
(``log=True``).

Example:
    >>> space = SearchSpace([
    ...     Float("learning_rate", 1e-4, 1e-1, log=True),
    ...     Int("units", 32, 256, step=32),
    ...     Choice("activation", ["relu", "tanh"]),
    ...     Int("layers", 1, 3),
    ...     Float("dropout_2", 0.0, 0.5, when={"layers": [2, 3]}),
    ... ])
    >>> sorted(space.names)
    ['activation', 'dropout_2', 'layers', 'learning_rate', 'units']
    >>> space.defaults()["units"]
    32
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .._validation import check_positive_int, describe, did_you_mean

__all__ = ["Param", "Float", "Int", "Choice", "Fixed", "SearchSpace", "param_from_dict"]


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name or not name.replace("_", "a").replace("/", "a").replace(".", "a").isalnum():
        raise ValueError(
            f"`name` of a search parameter must be a non-empty identifier-like string such as 'learning_rate'; "
            f"received {describe(name)}."
        )
    return name


def _check_when(name: str, when: Any) -> dict[str, tuple]:
    if when is None:
        return {}
    if not isinstance(when, Mapping) or not when:
        raise TypeError(
            f"`when` of parameter {name!r} must be a dict from a parent parameter's name to the list of its "
            f"values that activate {name!r}, e.g. when={{'layers': [2, 3]}}; received {describe(when)}."
        )
    out = {}
    for parent, values in when.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            values = [values]
        values = tuple(values)
        if not values:
            raise ValueError(f"`when[{parent!r}]` of parameter {name!r} is empty; list at least one parent value.")
        out[str(parent)] = values
    return out


class Param:
    """Base class of search parameters.

    Args:
        name: the parameter's name (the key in a trial's configuration).
        when: optional condition ``{parent_name: [values...]}``: the parameter
            is active only when every named parent took one of the listed values.
    """

    kind = "param"

    def __init__(self, name: str, *, when: Mapping[str, Any] | None = None):
        self.name = _check_name(name)
        self.when = _check_when(self.name, when)

    def active(self, values: Mapping[str, Any]) -> bool:
        """Whether this parameter is drawn given the values drawn so far."""
        return all(parent in values and values[parent] in allowed for parent, allowed in self.when.items())

    def suggest(self, trial: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def grid(self, points: int) -> list[Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def default(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        out = {"type": self.kind}
        if self.when:
            out["when"] = {k: list(v) for k, v in self.when.items()}
        return out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "type")
        return f"{type(self).__name__}({self.name!r}, {args})"

    def __eq__(self, other: Any) -> bool:
        return type(self) is type(other) and self.name == other.name and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))


def _check_bounds(cls: str, name: str, low: Any, high: Any, log: bool, integer: bool) -> tuple:
    kind = "an integer" if integer else "a number"
    for arg, v in (("low", low), ("high", high)):
        ok = isinstance(v, (int, np.integer)) and not isinstance(v, bool) if integer else (
            isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(v))
        if not ok:
            raise TypeError(f"`{arg}` of {cls}({name!r}) must be {kind}; received {describe(v)}.")
    if low > high:
        raise ValueError(
            f"`low` of {cls}({name!r}) must be <= `high`; received low={low!r} > high={high!r}. "
            f"Swap the two bounds."
        )
    if log and low <= 0:
        raise ValueError(
            f"{cls}({name!r}) with `log=True` needs `low` > 0 (a log scale cannot reach 0 or negative values); "
            f"received low={low!r}. Use a small positive lower bound such as {1e-5 if not integer else 1}, "
            f"or `log=False`."
        )
    return (int(low), int(high)) if integer else (float(low), float(high))


class Float(Param):
    """A real-valued parameter in ``[low, high]``.

    Args:
        name: parameter name.
        low, high: bounds (inclusive), ``low <= high``.
        log: sample uniformly on a log scale (learning rates, L2 strengths); needs ``low > 0``.
        step: optional discretisation step (not with `log`).
        when: optional condition on other parameters.

    Raises:
        ValueError: ``low > high``; ``log=True`` with ``low <= 0``; `step` with `log`.

    Example:
        >>> Float("learning_rate", 1e-4, 1e-1, log=True).grid(4)
        [0.0001, 0.001, 0.01, 0.1]
    """

    kind = "float"

    def __init__(self, name: str, low: float, high: float, log: bool = False, *, step: float | None = None,
                 when: Mapping[str, Any] | None = None):
        super().__init__(name, when=when)
        self.low, self.high = _check_bounds("Float", name, low, high, bool(log), integer=False)
        self.log = bool(log)
        if step is not None:
            if self.log:
                raise ValueError(f"Float({name!r}): `step` and `log=True` cannot be combined; drop one of them.")
            if not isinstance(step, (int, float)) or isinstance(step, bool) or not 0 < step < math.inf:
                raise ValueError(f"`step` of Float({name!r}) must be a positive number; received {step!r}.")
            step = float(step)
        self.step = step

    def suggest(self, trial: Any) -> float:
        return trial.suggest_float(self.name, self.low, self.high, log=self.log, step=self.step)

    def grid(self, points: int) -> list[float]:
        if self.step is not None:
            steps = (self.high - self.low) / self.step
            if not steps < MAX_GRID_VALUES:
                raise ValueError(
                    f"Float({self.name!r}) with step={self.step} has more than {MAX_GRID_VALUES:,} values from "
                    f"{self.low} to {self.high}, too many for a grid; give it a larger `step`."
                )
            n = int(math.floor(steps + 1e-9)) + 1
            return [round(self.low + i * self.step, 12) for i in range(n)]
        if self.low == self.high or points == 1:
            return [self.low]
        if self.log:
            values = np.geomspace(self.low, self.high, points)
        else:
            values = np.linspace(self.low, self.high, points)
        return [float(f"{v:.6g}") for v in values]

    @property
    def default(self) -> float:
        return self.low

    def to_dict(self) -> dict[str, Any]:
        out = {**super().to_dict(), "low": self.low, "high": self.high}
        if self.log:
            out["log"] = True
        if self.step is not None:
            out["step"] = self.step
        return out


class Int(Param):
    """An integer parameter in ``[low, high]`` (hidden units, layers, batch size).

    Args:
        name: parameter name.
        low, high: integer bounds (inclusive).
        step: spacing of allowed values (``low, low+step, ...``); must be 1 with `log`.
        log: sample on a log scale (batch sizes, units); needs ``low >= 1``.

    Example:
        >>> Int("units", 32, 128, step=32).grid(10)
        [32, 64, 96, 128]
    """

    kind = "int"

    def __init__(self, name: str, low: int, high: int, step: int = 1, log: bool = False, *,
                 when: Mapping[str, Any] | None = None):
        super().__init__(name, when=when)
        self.low, self.high = _check_bounds("Int", name, low, high, bool(log), integer=True)
        self.step = check_positive_int("step", step)
        self.log = bool(log)
        if self.log and self.step != 1:
            raise ValueError(f"Int({name!r}): `step` must be 1 when `log=True`; received step={step!r}.")

    def suggest(self, trial: Any) -> int:
        return int(trial.suggest_int(self.name, self.low, self.high, step=self.step, log=self.log))

    def grid(self, points: int) -> list[int]:
        count = (self.high - self.low) // self.step + 1
        if count > MAX_GRID_VALUES and not self.log:
            raise ValueError(
                f"Int({self.name!r}) has {count:,} values from {self.low} to {self.high}, too many for a grid "
                f"(at most {MAX_GRID_VALUES:,}); give it a larger `step` or `log=True`."
            )
        if self.log and count > MAX_GRID_VALUES:
            return sorted({int(round(v)) for v in np.geomspace(self.low, self.high, points)})
        values = list(range(self.low, self.high + 1, self.step))
        if len(values) <= max(points, 2) or not self.log:
            return values
        return sorted({int(round(v)) for v in np.geomspace(self.low, self.high, points)})

    @property
    def default(self) -> int:
        return self.low

    def to_dict(self) -> dict[str, Any]:
        out = {**super().to_dict(), "low": self.low, "high": self.high}
        if self.step != 1:
            out["step"] = self.step
        if self.log:
            out["log"] = True
        return out


class Choice(Param):
    """One of a list of values (activation names, optimizers, layer counts).

    Values must be None, bool, int, float or str (what Optuna stores).

    Example:
        >>> Choice("activation", ["relu", "tanh"]).grid(0)
        ['relu', 'tanh']
    """

    kind = "choice"

    def __init__(self, name: str, values: Sequence[Any], *, when: Mapping[str, Any] | None = None):
        super().__init__(name, when=when)
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise TypeError(f"`values` of Choice({name!r}) must be a list; received {describe(values)}.")
        values = list(values)
        if not values:
            raise ValueError(f"`values` of Choice({name!r}) is empty; list at least one value.")
        for v in values:
            if v is not None and not isinstance(v, (bool, int, float, str)):
                raise TypeError(
                    f"`values` of Choice({name!r}) may hold None, bool, int, float or str; received {describe(v)}. "
                    f"Use a name (a string) and map it to an object inside build(hp)."
                )
        if len(set(map(repr, values))) != len(values):
            raise ValueError(f"`values` of Choice({name!r}) has duplicates: {values!r}.")
        self.values = values

    def suggest(self, trial: Any) -> Any:
        return trial.suggest_categorical(self.name, self.values)

    def grid(self, points: int) -> list[Any]:
        return list(self.values)

    @property
    def default(self) -> Any:
        return self.values[0]

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "values": list(self.values)}


class Fixed(Param):
    """A constant: recorded with every trial but never varied.

    Example:
        >>> Fixed("epochs", 3).grid(5)
        [3]
    """

    kind = "fixed"

    def __init__(self, name: str, value: Any, *, when: Mapping[str, Any] | None = None):
        super().__init__(name, when=when)
        if value is not None and not isinstance(value, (bool, int, float, str)):
            raise TypeError(f"`value` of Fixed({name!r}) must be None, bool, int, float or str; received {describe(value)}.")
        self.value = value

    def suggest(self, trial: Any) -> Any:
        return self.value  # recorded in the trial's ``config``, not as an Optuna parameter

    def grid(self, points: int) -> list[Any]:
        return [self.value]

    @property
    def default(self) -> Any:
        return self.value

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "value": self.value}


MAX_GRID_VALUES = 100_000  # an Int's grid lists every value: bound it

_KINDS = {"float": Float, "int": Int, "choice": Choice, "fixed": Fixed}


def param_from_dict(name: str, spec: Any) -> Param:
    """A parameter from its dict (TOML) form.

    Accepted forms: ``{type = "float", low = 1e-4, high = 0.1, log = true}``,
    ``{type = "int", low = 1, high = 3}``, ``{type = "choice", values = [...]}``,
    ``{type = "fixed", value = 3}``; a plain value means `Fixed`; a list means `Choice`.

    Example:
        >>> param_from_dict("lr", {"type": "float", "low": 1e-4, "high": 1e-1, "log": True})
        Float('lr', low=0.0001, high=0.1, log=True)
    """
    if isinstance(spec, Param):
        return spec
    if isinstance(spec, list):
        return Choice(name, spec)
    if not isinstance(spec, Mapping):
        return Fixed(name, spec)
    spec = dict(spec)
    kind = spec.pop("type", None)
    if kind is None:
        raise ValueError(
            f"Search parameter {name!r} needs a `type`: one of {', '.join(sorted(_KINDS))}; received {spec!r}. "
            f"For example {name} = {{ type = \"float\", low = 0.0001, high = 0.1, log = true }}."
        )
    if not isinstance(kind, str) or kind not in _KINDS:
        from .._validation import unknown_name_error

        raise unknown_name_error("parameter type", f"{name}.type", kind, _KINDS)
    signature = inspect.signature(_KINDS[kind])
    allowed = [k for k in signature.parameters if k != "name"]
    required = [k for k, p in signature.parameters.items() if k != "name" and p.default is p.empty]
    unknown = sorted(str(k) for k in spec if k not in allowed)
    missing = [k for k in required if k not in spec]
    if unknown or missing:
        problem = f"has no setting `{name}.{unknown[0]}`" if unknown else f"needs `{name}.{missing[0]}`"
        raise TypeError(
            f"Search parameter {name!r} of type {kind!r} {problem}.{did_you_mean(unknown[0], allowed) if unknown else ''}"
            f" Settings of {kind!r}: {', '.join(allowed)} (required: {', '.join(required)})."
        )
    return _KINDS[kind](name, **spec)


class SearchSpace:
    """An ordered collection of parameters, parents before the parameters that depend on them.

    Args:
        params: `Param` objects, or a dict ``{name: dict form}`` (see `param_from_dict`).

    Raises:
        ValueError: duplicate names, or a condition on a parameter that is not
            defined before the one that depends on it.
    """

    def __init__(self, params: Sequence[Param] | Mapping[str, Any] = ()):
        if isinstance(params, Mapping):
            params = [param_from_dict(k, v) for k, v in params.items()]
        self.params: list[Param] = []
        for p in params:
            self.add(p)

    def add(self, param: Param) -> Param:
        if not isinstance(param, Param):
            raise TypeError(f"A search space holds Float/Int/Choice/Fixed parameters; received {describe(param)}.")
        if param.name in self.names:
            existing = self[param.name]
            if existing == param:
                return existing
            raise ValueError(
                f"Search parameter {param.name!r} is defined twice with different settings: {existing!r} and "
                f"{param!r}. Give each parameter a unique name."
            )
        for parent in param.when:
            if parent not in self.names:
                raise ValueError(
                    f"Parameter {param.name!r} depends on {parent!r} (`when`), which is not defined before it. "
                    f"Define {parent!r} first."
                )
        self.params.append(param)
        return param

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def __len__(self) -> int:
        return len(self.params)

    def __iter__(self):
        return iter(self.params)

    def sample(self, trial: Any) -> dict[str, Any]:
        """Draw the active parameters from an Optuna trial, parents first."""
        values: dict[str, Any] = {}
        for p in self.params:
            if p.active(values):
                values[p.name] = p.suggest(trial)
        return values

    def defaults(self) -> dict[str, Any]:
        """Each active parameter at its default (low bound / first choice)."""
        values: dict[str, Any] = {}
        for p in self.params:
            if p.active(values):
                values[p.name] = p.default
        return values

    def grid(self, points: int = 5) -> list[dict[str, Any]]:
        """Every combination of grid points (inactive parameters left out, duplicates removed)."""
        axes = [p.grid(points) for p in self.params]
        seen, out = set(), []
        for combo in itertools.product(*axes):
            values: dict[str, Any] = {}
            for p, v in zip(self.params, combo):
                if p.active(values):
                    values[p.name] = v
            key = tuple(sorted((k, repr(v)) for k, v in values.items()))
            if key not in seen:
                seen.add(key)
                out.append(values)
        return out

    def grid_axes(self, points: int = 5) -> dict[str, list[Any]]:
        """Grid points per parameter (the form Optuna's GridSampler takes)."""
        return {p.name: p.grid(points) for p in self.params}

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {p.name: p.to_dict() for p in self.params}

    def __repr__(self) -> str:
        return f"SearchSpace({self.params!r})"
