"""Format-aware mutations of trainlab's safetensors files (model and weights formats).

Byte-level mutations mostly break the container or the checksum, so the loader stops
at its first checks. These keep the container valid and edit what lies behind it:

* a JSON metadata field (``model_config``, ``build_input_shape``, ``compile_config``):
  one value somewhere in the tree replaced by an extreme or wrong-typed one, a key
  deleted, a list item duplicated;
* a tensor entry of the header: dtype, shape or data offsets;
* tensor values (NaN, inf, huge), with the checksum recomputed as a forger would;
* the plain metadata strings (format tag, version, checksum).
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import numpy as np
from safetensors.numpy import load as st_load
from safetensors.numpy import save as st_save

from trainlab._header_checks import tensors_sha256

JSON_FIELDS = ("model_config", "build_input_shape", "compile_config")
VALUES: list[Any] = [
    10**9, 2**24, 2**24 + 1, 2**31, 2**63, -1, 0, 1, 3, 1.5, 1e308, -1e308, float("inf"), "", "x" * 300,
    "Dense", "Sequential", "Functional", "relu", "same", None, True, False, [], {}, [None, 10**9], [3, 3, 3],
    [[0, 1], [2, 3]], {"class_name": "Dense", "config": {}}, {"class_name": "Embedding", "config": {"input_dim": 10**9,
    "output_dim": 10**9}}, {"class_name": "Sequential", "config": {"layers": []}}, [[[[[[[[[[1]]]]]]]]]],
]


def split(data: bytes) -> tuple[dict, bytes] | None:
    """``(header dict, tensor bytes)`` of a safetensors file, or None if it is not one."""
    if len(data) < 8:
        return None
    n = int.from_bytes(data[:8], "little")
    try:
        header = json.loads(data[8:8 + n])
    except (ValueError, UnicodeDecodeError):
        return None
    return (header, data[8 + n:]) if isinstance(header, dict) else None


def join(header: dict, body: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw + body


def _paths(tree: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(tree, dict):
        for k, v in tree.items():
            out.extend(_paths(v, path + (k,)))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out.extend(_paths(v, path + (i,)))
    return out


def _value(rng: random.Random) -> Any:
    return copy.deepcopy(rng.choice(VALUES))  # never share (and later edit) the table's objects


def _edit_json(value: Any, rng: random.Random) -> Any:
    paths = _paths(value)
    path = rng.choice(paths)
    if not path:
        return _value(rng)
    parent = value
    for p in path[:-1]:
        parent = parent[p]
    last = path[-1]
    kind = rng.randrange(4)
    if kind == 0 and isinstance(parent, dict):
        del parent[last]
    elif kind == 1 and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    elif kind == 2 and isinstance(parent[last], int) and not isinstance(parent[last], bool):
        parent[last] = rng.choice([parent[last] * rng.choice([2, 10, 1000, 10**6]), -parent[last], parent[last] + 1])
    else:
        parent[last] = _value(rng)
    return value


def _edit_tensor_entry(header: dict, rng: random.Random) -> None:
    names = [k for k in header if k != "__metadata__"]
    if not names:
        return
    entry = header[rng.choice(names)]
    kind = rng.randrange(3)
    if kind == 0:
        entry["dtype"] = rng.choice(["F16", "F64", "I64", "U8", "BOOL", "BF16", "I32", "F32", "XX"])
    elif kind == 1:
        shape = list(entry.get("shape", []))
        op = rng.randrange(4)
        if op == 0 and shape:
            shape[rng.randrange(len(shape))] = rng.choice([0, 1, 10**9, 2**40])
        elif op == 1:
            shape.append(rng.choice([1, 2]))
        elif op == 2 and shape:
            shape.pop()
        else:
            shape = shape[::-1]
        entry["shape"] = shape
    else:
        offsets = list(entry.get("data_offsets", [0, 0]))
        offsets[rng.randrange(2)] += rng.choice([-4, 4, 10**9, -(10**6)])
        entry["data_offsets"] = offsets


def _edit_values(data: bytes, rng: random.Random) -> bytes:
    tensors = st_load(data)
    metadata = split(data)[0].get("__metadata__", {})
    floats = [k for k, v in tensors.items() if v.size and np.issubdtype(v.dtype, np.floating)]
    if not floats:
        return data
    name = rng.choice(floats)
    arr = tensors[name].copy()
    arr.reshape(-1)[rng.randrange(arr.size)] = rng.choice([np.nan, np.inf, -np.inf, 1e30, 0.0])
    tensors[name] = arr
    metadata["tensors_sha256"] = tensors_sha256(tensors)
    return st_save(tensors, metadata=metadata)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One format-aware edit of a valid trainlab safetensors file (see the module doc)."""
    parsed = split(data)
    if parsed is None:
        return data
    header, body = parsed
    metadata = header.setdefault("__metadata__", {})
    kind = rng.randrange(10)
    if kind < 6:  # the JSON fields are where crafted headers do harm
        fields = [f for f in JSON_FIELDS if f in metadata] or ["model_config"]
        field = rng.choice(fields)
        try:
            value = json.loads(metadata.get(field, "null"))
        except ValueError:
            value = None
        for _ in range(rng.randint(1, 3)):
            value = _edit_json(value, rng)
        metadata[field] = json.dumps(value)
    elif kind < 8:
        _edit_tensor_entry(header, rng)
    elif kind == 8:
        return _edit_values(data, rng)
    else:
        key = rng.choice(["format", "format_version", "tensors_sha256", "trainlab_version"])
        if rng.random() < 0.5:
            metadata.pop(key, None)
        else:
            metadata[key] = rng.choice(["", "2", "trainlab.weights", "trainlab.model", "0" * 64, "x" * 300])
    return join(header, body)
