"""Resolve Keras-style optimizer identifiers: names, config dicts, instances."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._validation import describe, unknown_name_error
from ._base import REGISTRY, Optimizer

__all__ = ["get", "serialize", "deserialize"]


def _canonical_names() -> list[str]:
    return sorted({REGISTRY.canonical_name(REGISTRY.lookup(n)) for n in REGISTRY.names()} - {None})


def _lookup(name: str, argument: str) -> type[Optimizer]:
    # Case-insensitive like Keras: "Adam", "adam" and "ADAM" all work.
    key = str(name).lower()
    for canonical in _canonical_names():
        if canonical.lower() == key:
            return REGISTRY.lookup(canonical)
    raise unknown_name_error("optimizer", argument, name, _canonical_names())


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name, a config dict or an instance (returned as is).

    Args:
        identifier: ``"adam"`` (case-insensitive; Keras defaults), a dict
            ``{"class_name": "Adam", "config": {...}}`` as written by
            :func:`serialize` or Keras, an :class:`Optimizer`, or None.

    Raises:
        ValueError: unknown name (the message lists the valid ones).
        TypeError: anything else.

    Example:
        >>> get("RMSprop").get_config()["rho"]
        0.9
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return _lookup(identifier, "optimizer")()
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    raise TypeError(
        f"Could not interpret {describe(identifier)} as an optimizer for `optimizer`. "
        f"Pass a name such as 'adam', a trainlab optimizer object, or a config dict."
    )


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """``{"class_name": "Adam", "config": optimizer.get_config()}``."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"`optimizer` must be a trainlab optimizer; received {describe(optimizer)}. "
            "Pass e.g. trainlab.optimizers.Adam()."
        )
    return REGISTRY.serialize(optimizer)


def deserialize(config: Mapping[str, Any]) -> Optimizer:
    """Inverse of :func:`serialize`; class names are case-insensitive and extra
    Keras keys (``module``, ``registered_name``) are ignored."""
    if not isinstance(config, Mapping) or "class_name" not in config:
        raise TypeError(
            f"`config` must be a dict with keys 'class_name' and 'config'; received "
            f"{describe(config)}. Pass the output of trainlab.optimizers.serialize(...)."
        )
    cls = _lookup(config["class_name"], "config['class_name']")
    return cls.from_config(dict(config.get("config") or {}))
