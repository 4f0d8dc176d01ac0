"""Name registries: resolve Keras-style identifiers to objects.

`get` accepts what Keras accepts: an instance (returned as is), a string name
(``"adam"``, ``"sparse_categorical_crossentropy"``), a config dict
``{"class_name": ..., "config": {...}}`` as written by `serialize`, and for some
kinds a plain callable. Unknown names raise an error that lists the valid ones.

Example:
    >>> reg = Registry("activation", "activation")
    >>> @reg.register("double")
    ... def double(x):
    ...     return 2 * x
    >>> reg.get("double")(3)
    6
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._validation import describe, unknown_name_error

__all__ = ["Registry", "snake_case"]


class Registry:
    """A table from names to classes or functions of one kind.

    Args:
        kind: what is registered, for messages ("loss", "optimizer", ...).
        argument: the usual argument name that takes it (``loss=``), for messages.
    """

    def __init__(self, kind: str, argument: str):
        self.kind = kind
        self.argument = argument
        self._table: dict[str, Any] = {}
        self._names: dict[Any, str] = {}

    def register(self, *names: str) -> Callable[[Any], Any]:
        """Decorator that registers a class or function under one or more names.

        The first name is the canonical one used by `serialize`.
        """

        def deco(obj: Any) -> Any:
            for n in names or (obj.__name__,):
                self._table[n] = obj
            self._names.setdefault(obj, (names or (obj.__name__,))[0])
            # class names are always accepted too, so that configs round-trip
            self._table.setdefault(obj.__name__, obj)
            return obj

        return deco

    def names(self) -> list[str]:
        """Every accepted name."""
        return sorted(self._table)

    def lookup(self, name: str, argument: str | None = None) -> Any:
        """The registered object for `name`, or a ValueError listing valid names."""
        try:
            return self._table[name]
        except KeyError:
            raise unknown_name_error(self.kind, argument or self.argument, name, self._table) from None

    def canonical_name(self, obj: Any) -> str | None:
        return self._names.get(obj)

    def get(
        self,
        identifier: Any,
        *,
        base: type | None = None,
        argument: str | None = None,
        allow_callable: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Resolve `identifier`.

        Args:
            identifier: instance, name, config dict, or callable.
            base: instances of this class are returned unchanged; registered
                classes found by name are instantiated with `kwargs`.
            argument: the argument name for messages (defaults to the registry's).
            allow_callable: accept any callable as is (activations, losses).
        """
        argument = argument or self.argument
        if base is not None and isinstance(identifier, base):
            return identifier
        if isinstance(identifier, str):
            obj = self.lookup(identifier, argument)
            if isinstance(obj, type):
                return obj(**kwargs)
            return obj
        if isinstance(identifier, dict) and "class_name" in identifier:
            cls = self.lookup(identifier["class_name"], argument)
            config = dict(identifier.get("config") or {})
            if hasattr(cls, "from_config"):
                return cls.from_config(config)
            return cls(**config)
        if allow_callable and callable(identifier):
            return identifier
        raise TypeError(
            f"Could not interpret {describe(identifier)} as a {self.kind} for `{argument}`. "
            f"Pass a name such as {self.names()[0]!r}, a {self.kind} object"
            + (", or a callable." if allow_callable else ".")
        )

    def serialize(self, obj: Any) -> Any:
        """A JSON-able identifier for `obj`: its name for registered functions,
        ``{"class_name", "config"}`` for objects with `get_config`."""
        if obj is None:
            return None
        if hasattr(obj, "get_config") and not isinstance(obj, type):
            return {"class_name": type(obj).__name__, "config": obj.get_config()}
        name = self._names.get(obj)
        if name is not None:
            return name
        raise TypeError(
            f"Cannot save the {self.kind} {describe(obj)}: it is not registered. "
            f"Use a built-in {self.kind} or register yours with trainlab's registry."
        )


def snake_case(name: str) -> str:
    """Keras's default object name for a class name.

    Example:
        >>> [snake_case(n) for n in ("MeanSquaredError", "AUC", "F1Score", "KLDivergence")]
        ['mean_squared_error', 'auc', 'f1_score', 'kl_divergence']
    """
    out = []
    for i, ch in enumerate(name):
        boundary = ch.isupper() and i > 0 and (
            not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower()))
        out.append("_" + ch.lower() if boundary else ch.lower())
    return "".join(out)


def builtin_function_name(kind: str, table: dict[str, Callable], fn: Callable, base_class: str) -> str:
    """The name under which a built-in per-sample `fn` of `table` is saved.

    Raises TypeError for other callables: only built-ins can be saved by name
    (`kind` is "loss" or "metric"; `base_class` the class to subclass instead).
    """
    if table.get(getattr(fn, "__name__", None)) is fn:
        return fn.__name__
    raise TypeError(
        f"Cannot save the {kind} function {describe(fn)}: only trainlab's built-in {kind} "
        f"functions can be saved by name. Subclass `{base_class}` and implement "
        f"`get_config` to make a custom {kind} savable."
    )


def builtin_function_from_name(kind: str, table: dict[str, Callable], name: str) -> Callable:
    """The built-in function of `table` saved as `name`; lists the valid names otherwise."""
    try:
        return table[name]
    except KeyError:
        raise unknown_name_error(f"{kind} function", "fn", name, table) from None
