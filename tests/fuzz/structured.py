"""Format-aware mutation: change the *values* of a parsed document (JSON, TOML) rather
than its bytes, so that inputs get past the parser and reach the validation behind it.

A target that reads a structured format defines ``mutate(data, rng) -> bytes`` with
these helpers (parse, `mutate_tree`, serialise); the harness then uses it for half of
the inputs and its byte mutator for the other half.
"""

from __future__ import annotations

import copy
import json
import math
import random
from typing import Any

__all__ = ["EXTREMES", "mutate_tree", "dump_toml"]

#: values a field may be replaced with: wrong types, boundaries, non-finite, huge, hostile text
EXTREMES: list[Any] = [
    0, 1, -1, 2, -2**63, 2**63 - 1, 2**31, 10**12, 0.0, -0.0, 1e-300, 0.999, 1.0, 1.5, -0.5, 1e308,
    math.inf, -math.inf, math.nan, True, False, "", "x", "loud", "../../etc/passwd", "a/../../b", "² ",
    "\u00e9t\u00e9", "0", "1e3", "nan", "relu", "adam", "mlp", "grid", "random", "hyperband", "pbt",
    [], [0], [-1], [1, 2, 3], [[1]], ["a"], [2**40], {}, {"type": "float"}, {"name": "grid"},
    {"type": "int", "low": 5, "high": 1}, {"type": "float", "low": 0, "high": math.inf, "log": True},
    {"type": "choice", "values": []}, {"when": {"x": [1]}},
]


def _paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            out += _paths(value, prefix + (i,))
    return out


def mutate_tree(tree: Any, rng: random.Random, edits: int | None = None) -> Any:
    """Apply 1-3 random edits to a JSON-like tree (dicts, lists, scalars), in place:
    replace a value by one of `EXTREMES` or by another value of the tree, delete a key,
    add an unknown key, or rename a key. Returns the tree (replaced when the root is)."""
    for _ in range(edits or rng.randint(1, 3)):
        paths = _paths(tree)
        path = rng.choice(paths)
        if not path:
            continue
        parent = tree
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        kind = rng.randrange(6)
        if kind <= 2:
            parent[key] = copy.deepcopy(rng.choice(EXTREMES))  # never share one list: no cycles
        elif kind == 3:  # another value of the tree, possibly of another type
            other = rng.choice(paths)
            value = tree
            for k in other:
                value = value[k]
            parent[key] = json.loads(json.dumps(value, allow_nan=True))
        elif kind == 4 and isinstance(parent, dict):
            if rng.random() < 0.5:
                del parent[key]
            else:
                parent[key + rng.choice(["_", "s", "x"])] = parent.pop(key)
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", "units", "dropout", "l2", "name", "type", "when"])] = copy.deepcopy(rng.choice(EXTREMES))
    return tree


def _toml_key(key: Any) -> str:
    key = str(key)
    return key if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML form for {value!r}")


def dump_toml(tree: dict) -> str:
    """TOML text for `tree`: top-level tables as ``[sections]``, everything below inline."""
    lines = []
    for key, value in tree.items():
        if isinstance(value, dict):
            lines.append(f"[{_toml_key(key)}]")
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()]
        else:
            lines.insert(0, f"{_toml_key(key)} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"
