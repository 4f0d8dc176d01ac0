"""`HyperParameters`: the ``hp`` object a Keras-Tuner-style ``build(hp)`` receives.

``build(hp)`` declares parameters while it builds the model, and gets a value
back at once (define-by-run):

    def build(hp):
        units = hp.Int("units", 32, 256, step=32)
        model = Sequential([layers.Dense(units, activation="relu"), layers.Dense(10)])
        model.compile(optimizer=optimizers.Adam(hp.Float("learning_rate", 1e-4, 1e-1, log=True)),
                      loss=losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        return model

Inside a search, each call draws from the trial (Optuna ``suggest_*``);
outside one (``HyperParameters()``) each call returns its default (``default=``,
else the low bound or first choice), and with
``HyperParameters(values={...})`` it returns those values (how the best model
is rebuilt). Keras Tuner's argument names (``min_value``, ``max_value``,
``sampling="log"``, ``parent_name``, ``parent_values``) work too.

Conditional parameters: inside ``with hp.conditional_scope("layers", [2, 3]):``
(or with ``when={"layers": [2, 3]}``) a parameter is drawn only when its parent
took one of those values; otherwise the call returns None, as in Keras Tuner.

Example:
    >>> hp = HyperParameters()
    >>> hp.Float("learning_rate", 1e-4, 1e-1, log=True)
    0.0001
    >>> hp.Choice("activation", ["relu", "tanh"])
    'relu'
    >>> hp.values
    {'learning_rate': 0.0001, 'activation': 'relu'}
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .space import Choice, Fixed, Float, Int, Param, SearchSpace

__all__ = ["HyperParameters"]


class HyperParameters:
    """Parameter declarations and their values for one trial.

    Args:
        trial: an Optuna trial to draw from (set by the tuner).
        values: fixed values by name (rebuilding a known configuration).
        space: a `SearchSpace` declared up front (code or TOML); its
            parameters are drawn first, and ``build(hp)`` reads them with
            `get` or by declaring them again.
    """

    def __init__(self, trial: Any = None, values: Mapping[str, Any] | None = None,
                 space: SearchSpace | None = None):
        self._trial = trial
        self._fixed = dict(values or {})
        self.space = SearchSpace()
        self.values: dict[str, Any] = {}
        self._scopes: list[dict[str, tuple]] = []
        if space is not None:
            for p in space:
                self._declare(p)

    # ------------------------------------------------------------------
    def _declare(self, param: Param, default: Any = None) -> Any:
        when = dict(param.when)
        for scope in self._scopes:
            when.update(scope)
        if when != param.when:
            param = type(param)(**_ctor_args(param), when=when)
        self.space.add(param)
        if param.name in self.values:
            return self.values[param.name]
        if not param.active(self.values):
            return None
        if param.name in self._fixed:
            value = self._fixed[param.name]
        elif self._trial is not None:
            value = param.suggest(self._trial)
        else:
            value = param.default if default is None else default
        self.values[param.name] = value
        return value

    @contextlib.contextmanager
    def conditional_scope(self, parent_name: str, parent_values: Any) -> Iterator[None]:
        """Parameters declared inside are active only when `parent_name` is in `parent_values`."""
        if parent_name not in self.space:
            raise ValueError(
                f"`parent_name` {parent_name!r} is not a declared parameter; declare it (e.g. hp.Int({parent_name!r}, "
                f"...)) before opening a conditional scope on it."
            )
        values = parent_values if isinstance(parent_values, (list, tuple, set)) else [parent_values]
        self._scopes.append({parent_name: tuple(values)})
        try:
            yield
        finally:
            self._scopes.pop()

    def is_active(self, name: str) -> bool:
        """Whether parameter `name` was drawn in this trial."""
        return name in self.values

    def get(self, name: str, default: Any = None) -> Any:
        """The value of a declared parameter (or a fixed value given to the tuner), else `default`."""
        if name in self.values:
            return self.values[name]
        if name in self._fixed:
            return self._fixed[name]
        return default

    def __getitem__(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        raise KeyError(
            f"Hyperparameter {name!r} has not been declared in this trial; declared: {sorted(self.values)}."
        )

    def __contains__(self, name: str) -> bool:
        return name in self.values

    # ------------------------------------------------------------------ Keras Tuner API
    def Float(self, name: str, low: float | None = None, high: float | None = None, log: bool = False, *,
              step: float | None = None, when: Mapping[str, Any] | None = None, min_value: float | None = None,
              max_value: float | None = None, sampling: str | None = None, default: Any = None,
              parent_name: str | None = None, parent_values: Any = None) -> float | None:
        """Declare a `Float` and return its value (see `trainlab.tune.Float`)."""
        low = min_value if low is None else low
        high = max_value if high is None else high
        log = log or (sampling or "").lower() in ("log", "reverse_log")
        return self._declare(Float(name, low, high, log, step=step, when=_when(when, parent_name, parent_values)),
                             default)

    def Int(self, name: str, low: int | None = None, high: int | None = None, step: int = 1, log: bool = False, *,
            when: Mapping[str, Any] | None = None, min_value: int | None = None, max_value: int | None = None,
            sampling: str | None = None, default: Any = None, parent_name: str | None = None,
            parent_values: Any = None) -> int | None:
        """Declare an `Int` and return its value (see `trainlab.tune.Int`)."""
        low = min_value if low is None else low
        high = max_value if high is None else high
        log = log or (sampling or "").lower() == "log"
        return self._declare(Int(name, low, high, step or 1, log, when=_when(when, parent_name, parent_values)),
                             default)

    def Choice(self, name: str, values: Sequence[Any], *, when: Mapping[str, Any] | None = None,
               ordered: bool | None = None, default: Any = None, parent_name: str | None = None,
               parent_values: Any = None) -> Any:
        """Declare a `Choice` and return its value."""
        return self._declare(Choice(name, values, when=_when(when, parent_name, parent_values)), default)

    def Boolean(self, name: str, default: bool = False, *, when: Mapping[str, Any] | None = None,
                parent_name: str | None = None, parent_values: Any = None) -> bool | None:
        """Declare a ``Choice(name, [False, True])`` (default first) and return its value."""
        values = [bool(default), not bool(default)]
        return self._declare(Choice(name, values, when=_when(when, parent_name, parent_values)), default)

    def Fixed(self, name: str, value: Any, *, when: Mapping[str, Any] | None = None,
              parent_name: str | None = None, parent_values: Any = None) -> Any:
        """Declare a constant and return it."""
        return self._declare(Fixed(name, value, when=_when(when, parent_name, parent_values)))

    def __repr__(self) -> str:
        return f"HyperParameters({self.values!r})"


def _when(when: Mapping[str, Any] | None, parent_name: str | None, parent_values: Any) -> dict | None:
    out = dict(when or {})
    if parent_name is not None:
        out[parent_name] = parent_values if isinstance(parent_values, (list, tuple)) else [parent_values]
    return out or None


def _ctor_args(p: Param) -> dict[str, Any]:
    d = p.to_dict()
    d.pop("type")
    d.pop("when", None)
    d["name"] = p.name
    return d
