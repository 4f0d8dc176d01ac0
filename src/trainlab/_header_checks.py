"""Checks of a model file's header, run before anything is built or allocated.

A `.trainlab` / weights file is untrusted input: its JSON header says which
layers to build with which sizes, and its tensors say what the weights are.
`trainlab.saving` reads a file in this order, so that no crafted header can
make the process allocate what the file does not hold:

1. the safetensors header and the tensors (the container bounds their bytes
   by the file size) and, when stored, the tensors' SHA-256 checksum;
2. every JSON field of the header against the caps below (`check_json_tree`,
   `check_layer_tree`): types, nesting depth, number of layers, string and
   list lengths, integer ranges, layer sizes and shape dimensions;
3. the model is built from the configuration and its weight shapes are
   computed *abstractly* with `jax.eval_shape` (no array is created), capped
   at `MAX_PARAMS` elements and compared with the file's tensors;
4. only then are the file's tensors assigned.

Every failure is one `ValueError` that names the file and the header field.

Caps (what a header may declare):

=====================  =============  ==========================================
cap                    value          applies to
=====================  =============  ==========================================
``MAX_HEADER_BYTES``   64 MiB         the safetensors JSON header
``MAX_TENSORS``        100,000        tensors in one file
``MAX_DEPTH``          64             nesting of JSON objects and lists
``MAX_LAYERS``         2,000          layer configurations (nested models too)
``MAX_STRING``         65,536         characters of any one string
``MAX_LIST``           2**20          items of any one list (vocabularies)
``MAX_INT``            2**31 - 1      absolute value of any integer
``MAX_DIM``            2**24          sizes (`units`, `filters`, `input_dim`,
                                      `output_dim`, `max_tokens`, ...) and every
                                      dimension of a declared shape
``MAX_PARAMS``         2**31          elements of all weights together
``MAX_NGRAMS``         64             TextVectorization `ngrams` (each order)
=====================  =============  ==========================================

Example:
    >>> check_json_tree({"units": 10**9}, "model.trainlab", "model_config")
    >>> check_layer_tree({"class_name": "Dense", "config": {"units": 10**9}},
    ...                  "model.trainlab", "model_config")
    Traceback (most recent call last):
    ...
    ValueError: 'model.trainlab': header field `model_config.config.units` is 1000000000, but must be an integer in [0, 16777216] (the cap on layer sizes). The file is damaged or was not written by trainlab; save the model again.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import jax
import numpy as np

__all__ = [
    "MAX_HEADER_BYTES", "MAX_TENSORS", "MAX_DEPTH", "MAX_LAYERS", "MAX_STRING", "MAX_LIST", "MAX_INT",
    "MAX_DIM", "MAX_PARAMS", "MAX_NGRAMS", "header_error", "parse_json_field", "check_json_tree", "check_layer_tree",
    "tensors_sha256", "check_param_count", "check_tensors", "check_input_shape", "check_train_state",
]

MAX_HEADER_BYTES = 64 * 2**20
MAX_TENSORS = 100_000
MAX_DEPTH = 64
MAX_LAYERS = 2_000  # loading costs about 2 ms of CPU per layer: 4 s at the cap
MAX_STRING = 65_536
MAX_LIST = 2**20
MAX_INT = 2**31 - 1
MAX_DIM = 2**24
MAX_PARAMS = 2**31
MAX_NGRAMS = 64  # TextVectorization `ngrams`: an n-gram order, expanded to range(1, n + 1) on the host

# layer arguments that size a weight or an output: None or an integer in [0, MAX_DIM]
SIZE_FIELDS = frozenset({
    "units", "filters", "input_dim", "output_dim", "max_tokens", "output_sequence_length", "num_tokens",
    "depth_multiplier", "groups", "num_oov_indices", "num_heads", "key_dim", "value_dim", "n", "size",
    "input_length", "sequence_length", "maxlen", "num_bins", "num_classes", "batch_size",
})
# layer arguments holding shapes or per-axis sizes: each item None or an integer in [-1, MAX_DIM]
SHAPE_FIELDS = frozenset({
    "batch_input_shape", "batch_shape", "input_shape", "shape", "target_shape", "kernel_size", "strides",
    "pool_size", "dilation_rate", "cropping", "padding", "output_padding", "dims", "noise_shape", "size",
})
_LAYER_LISTS = ("layers", "input_layers")


def header_error(filepath: str, field: str, detail: str) -> ValueError:
    """The one error of a bad header: names the file, the field and what is wrong."""
    return ValueError(
        f"{filepath!r}: header field `{field}` {detail}. The file is damaged or was not written by trainlab; "
        f"save the model again."
    )


def parse_json_field(metadata: dict[str, str], key: str, filepath: str, default: str | None = None) -> Any:
    """``json.loads(metadata[key])`` checked with `check_json_tree`; damaged JSON is a `ValueError`."""
    text = metadata.get(key, default)
    if text is None:
        raise header_error(filepath, key, "is missing")
    if len(text) > MAX_HEADER_BYTES:
        raise header_error(filepath, key, f"is {len(text)} characters long, over the cap of {MAX_HEADER_BYTES}")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError; deep nesting recurses
        raise header_error(filepath, key, f"is not valid JSON ({type(exc).__name__}: {str(exc)[:200]})") from None
    check_json_tree(value, filepath, key)
    return value


def check_json_tree(value: Any, filepath: str, field: str) -> None:
    """Depth, string, list and integer caps over a parsed JSON value (iterative, no recursion).

    Args:
        value: a parsed JSON value (dicts, lists, str, int, float, bool, None).
        filepath, field: for the error message.

    Raises:
        ValueError: a cap is exceeded; the message names the field path.
    """
    stack: list[tuple[Any, str, int]] = [(value, field, 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise header_error(filepath, path, f"is nested more than {MAX_DEPTH} levels deep (the cap)")
        if isinstance(node, dict):
            for k, v in node.items():
                if len(k) > MAX_STRING:
                    raise header_error(filepath, path, f"has a key of {len(k)} characters (cap {MAX_STRING})")
                stack.append((v, f"{path}.{k}", depth + 1))
        elif isinstance(node, list):
            if len(node) > MAX_LIST:
                raise header_error(filepath, path, f"is a list of {len(node)} items, over the cap of {MAX_LIST}")
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node))
        elif isinstance(node, str):
            if len(node) > MAX_STRING:
                raise header_error(filepath, path, f"is a string of {len(node)} characters (cap {MAX_STRING})")
        elif isinstance(node, bool) or node is None:
            pass
        elif isinstance(node, int):
            if abs(node) > MAX_INT:
                raise header_error(filepath, path, f"is {_short(node)}, outside the integer cap ±{MAX_INT}")
        elif isinstance(node, float):
            if math.isnan(node):
                raise header_error(filepath, path, "is NaN, but a number was expected")
        else:  # pragma: no cover - json.loads makes nothing else
            raise header_error(filepath, path, f"has an unexpected {type(node).__name__}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_size(value: Any, filepath: str, path: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DIM:
        raise header_error(filepath, path, f"is {_short(value)}, but must be an integer in [0, {MAX_DIM}] "
                                           f"(the cap on layer sizes)")


def _check_shape(value: Any, filepath: str, path: str) -> None:
    if value is None or isinstance(value, str):  # padding="same"
        return
    items = value if isinstance(value, list) else [value]
    for i, d in enumerate(items):
        if isinstance(d, list):  # ((top, bottom), (left, right)) paddings and croppings
            _check_shape(d, filepath, f"{path}[{i}]")
        elif d is not None and (isinstance(d, bool) or not isinstance(d, int) or not -1 <= d <= MAX_DIM):
            raise header_error(filepath, f"{path}[{i}]" if isinstance(value, list) else path,
                               f"is {_short(d)}, but a shape dimension must be an integer in [-1, {MAX_DIM}] or null")


def check_layer_tree(config: Any, filepath: str, field: str) -> int:
    """Check a serialized layer / model (``{"class_name", "config"}``) and its sublayers.

    Checks the structure (`class_name` a string, `config` a dict, layer lists
    are lists of such dicts), the number of layers, and every size and shape
    field listed in `SIZE_FIELDS` / `SHAPE_FIELDS` against `MAX_DIM`.

    Returns:
        The number of layer configurations found (at most `MAX_LAYERS`).
    """
    count = 0
    stack: list[tuple[Any, str]] = [(config, field)]
    while stack:
        node, path = stack.pop()
        if not isinstance(node, dict):
            raise header_error(filepath, path, f"is a {type(node).__name__}, but a layer configuration "
                                               f"{{\"class_name\": ..., \"config\": {{...}}}} was expected")
        name, conf = node.get("class_name"), node.get("config")
        if not isinstance(name, str) or not name:
            raise header_error(filepath, f"{path}.class_name", f"is {_short(name)}, but a class name was expected")
        if not isinstance(conf, dict):
            raise header_error(filepath, f"{path}.config", f"is {_short(conf)}, but a dict was expected")
        count += 1
        if count > MAX_LAYERS:
            raise header_error(filepath, field, f"declares more than {MAX_LAYERS} layers (the cap)")
        for key, value in conf.items():
            sub = f"{path}.config.{key}"
            if key == "ngrams":
                for d in value if isinstance(value, list) else [value]:
                    if d is not None and (isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= MAX_NGRAMS):
                        raise header_error(filepath, sub, f"is {_short(value)}, but n-gram orders must be integers "
                                                          f"in [0, {MAX_NGRAMS}]")
            elif key in SIZE_FIELDS and not isinstance(value, list):
                _check_size(value, filepath, sub)
            elif key in SHAPE_FIELDS:
                _check_shape(value, filepath, sub)
            if key in _LAYER_LISTS:
                if not isinstance(value, list):
                    raise header_error(filepath, sub, f"is {_short(value)}, but a list of layers was expected")
                stack.extend((v, f"{sub}[{i}]") for i, v in enumerate(value))
            elif key == "layer" and isinstance(value, dict):  # wrappers (TimeDistributed, Bidirectional)
                stack.append((value, sub))
    return count


def check_param_count(specs: list[tuple[str, tuple[int, ...]]], filepath: str) -> int:
    """Sum the elements of the declared weight shapes; raise past `MAX_PARAMS`."""
    total = 0
    for _, shape in specs:
        total += math.prod(int(d) for d in shape)
    if total > MAX_PARAMS:
        raise header_error(filepath, "model_config", f"declares {total} weight elements, over the cap of "
                                                     f"{MAX_PARAMS}")
    return total


def tensors_sha256(tensors: dict[str, np.ndarray]) -> str:
    """SHA-256 over every tensor's name, dtype, shape and bytes, in name order.

    Args:
        tensors: name -> numpy array (any shape).

    Returns:
        64 hex digits. Any change of a value, shape, dtype or name changes it.

    Example:
        >>> a = tensors_sha256({"w": np.zeros((2, 3), np.float32)})
        >>> a == tensors_sha256({"w": np.zeros((3, 2), np.float32)})
        False
    """
    digest = hashlib.sha256()
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name])
        digest.update(f"{name}\0{arr.dtype.str}\0{arr.shape}\0".encode())
        digest.update(arr.reshape(-1).view(np.uint8).data if arr.size else b"")
    return digest.hexdigest()


_TENSOR_PREFIXES = ("params/", "state/", "optimizer/", "train_state/")


def check_tensors(tensors: dict[str, np.ndarray], metadata: dict[str, str], filepath: str) -> None:
    """Tensor count and names against the caps, and the stored checksum (when there is one)."""
    if len(tensors) > MAX_TENSORS:
        raise header_error(filepath, "tensors", f"lists {len(tensors)} tensors, over the cap of {MAX_TENSORS}")
    for name in tensors:
        if not name.startswith(_TENSOR_PREFIXES) or len(name) > MAX_STRING:
            raise header_error(filepath, "tensors", f"has a tensor named {name[:80]!r}, but trainlab writes only "
                                                    f"names starting with {', '.join(_TENSOR_PREFIXES)}")
    stored = metadata.get("tensors_sha256")
    if stored is None:  # written before checksums existed: nothing to verify
        return
    actual = tensors_sha256(tensors)
    if stored != actual:
        raise ValueError(
            f"{filepath!r}: header field `tensors_sha256` is {stored[:80]!r}, but the tensors in the file hash to "
            f"{actual!r}: the weights were altered or corrupted after saving (a bad copy, disk or download). "
            f"Nothing was loaded; use another copy of the file or save the model again."
        )


def check_input_shape(value: Any, filepath: str) -> None:
    """`build_input_shape`: null, one shape, or a list / dict of shapes, where a shape
    is a non-empty list of null or sizes in [0, MAX_DIM]."""

    def check_shape(shape: Any, path: str) -> None:
        if not isinstance(shape, list) or not shape:
            raise header_error(filepath, path, f"is {json.dumps(shape)[:60]}, but an input shape (a list such as "
                                               f"[null, 784]) was expected")
        for i, d in enumerate(shape):
            if d is not None and (isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= MAX_DIM):
                raise header_error(filepath, f"{path}[{i}]", f"is {json.dumps(d)[:60]}, but an input dimension "
                                                             f"must be null or an integer in [0, {MAX_DIM}]")

    field = "build_input_shape"
    if value is None:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            check_shape(v, f"{field}.{k}")
    elif isinstance(value, list) and value and all(isinstance(s, list) for s in value):
        for i, v in enumerate(value):
            check_shape(v, f"{field}[{i}]")
    else:
        check_shape(value, field)


def check_train_state(tensors: dict[str, np.ndarray], filepath: str) -> dict[str, Any] | None:
    """Step and random key of the saved train state, checked, or None when absent."""
    step, key = tensors.get("train_state/step"), tensors.get("train_state/key")
    if step is None or key is None:
        return None
    if step.shape != (1,) or not np.issubdtype(step.dtype, np.integer) or not 0 <= int(step[0]) <= MAX_INT:
        raise header_error(filepath, "train_state/step", f"is a {step.dtype} tensor of shape {step.shape}, but one "
                                                         f"integer in [0, {MAX_INT}] was expected")
    want = jax.eval_shape(lambda: jax.random.key_data(jax.random.key(0)))
    if key.shape != want.shape or key.dtype != np.uint32:
        raise header_error(filepath, "train_state/key", f"is a {key.dtype} tensor of shape {key.shape}, but a "
                                                        f"uint32 random key of shape {want.shape} was expected")
    return {"step": int(step[0]), "key": key}
