"""One-file model format: a safetensors container whose header carries the
model and compile configuration as JSON, and whose tensors are the weights
(``params/...``, ``state/...``) and the optimizer state (``optimizer/...``).

Safe by construction: no pickle anywhere. Loading checks the whole header
against documented caps, computes the weight shapes the configuration declares
without allocating them (`jax.eval_shape`), compares them with the file's
tensors and verifies the tensors' SHA-256 checksum before anything is
assigned (see `trainlab._header_checks` for the order and the caps), so a
truncated, corrupted, foreign or crafted file fails with one `ValueError` that
names the file and the field, and nothing is half-loaded. Files written before
the checksum existed (no ``tensors_sha256`` in the header) still load.

Saving is atomic: a failed save leaves an existing file intact. Temporary
files that a killed save left beside the target (``.<name>.<pid>.<hex>.part``)
are removed at the next save or load of the same target, when their writer is
gone (`trainlab._io.remove_stale_temporaries`).

Example:
    >>> model.save("model.trainlab")                       # doctest: +SKIP
    >>> same = trainlab.models.load_model("model.trainlab")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from typing import Any

import jax
import numpy as np

from . import __version__
from . import _header_checks as _checks
from ._header_checks import header_error
from ._io import atomic_write_bytes, remove_stale_temporaries
from ._registry import Registry

__all__ = [
    "save_model",
    "load_model",
    "save_weights",
    "load_weights",
    "serialize_layer",
    "deserialize_layer",
    "register_serializable",
    "read_metadata",
]

FORMAT_MODEL = "trainlab.model"
FORMAT_WEIGHTS = "trainlab.weights"
FORMAT_VERSION = "1"

_CUSTOM = Registry("layer", "layer")


def register_serializable(name: str | None = None):
    """Class decorator: let `load_model` rebuild your Layer / Model subclass.

    The class must implement ``get_config`` and accept its output in ``__init__``
    (or define ``from_config``).
    """

    def deco(cls):
        _CUSTOM.register(name or cls.__name__)(cls)
        return cls

    return deco


def _layer_class(class_name: str) -> type:
    from .layers import LAYERS
    from .models import Functional, Sequential

    builtin = {"Sequential": Sequential, "Functional": Functional}
    if class_name in builtin:
        return builtin[class_name]
    if class_name in _CUSTOM.names():
        return _CUSTOM.lookup(class_name)
    if class_name in LAYERS.names():
        return LAYERS.lookup(class_name)
    try:
        from . import layers as _layers_pkg

        cls = getattr(_layers_pkg, class_name, None)
        if isinstance(cls, type) and issubclass(cls, _layers_pkg.Layer):
            return cls
    except ImportError:  # pragma: no cover
        pass
    raise ValueError(
        f"Unknown layer class {class_name!r} in the saved configuration. If it is your own Layer subclass, "
        f"decorate it with @trainlab.saving.register_serializable() and import it before loading."
    )


def serialize_layer(layer: Any) -> dict[str, Any]:
    """``{"class_name", "config"}`` of a layer or model."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(config: dict[str, Any]) -> Any:
    """Inverse of `serialize_layer`."""
    cls = _layer_class(config["class_name"])
    return cls.from_config(dict(config["config"]))


# ----------------------------------------------------------------------
def _flatten(tree: Any, prefix: str, leaf: Any = None) -> dict[str, Any]:
    """``{"prefix/a/b": leaf(value)}`` for a nested dict (default leaf: a C-ordered numpy copy)."""
    out: dict[str, Any] = {}
    leaf = leaf or (lambda v: np.array(v, order="C"))

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}/{k}")
        else:
            out[path] = leaf(node)

    walk(tree, prefix)
    return out


def _unflatten_into(template: Any, tensors: dict[str, np.ndarray], prefix: str, path_for_errors: str) -> Any:
    """A tree shaped like `template` (arrays or `jax.ShapeDtypeStruct` leaves) with
    leaves from `tensors`, each checked against the template's shape."""

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, f"{path}/{k}") for k, v in node.items()}
        if path not in tensors:
            raise ValueError(
                f"The file {path_for_errors!r} has no tensor {path!r} that the model needs. It was saved from a "
                f"different architecture; nothing was loaded."
            )
        value = tensors[path]
        if tuple(value.shape) != tuple(node.shape):
            raise ValueError(
                f"Tensor {path!r} in {path_for_errors!r} has shape {tuple(value.shape)}, but the model expects "
                f"{tuple(node.shape)}; nothing was loaded."
            )
        return jax.numpy.asarray(value, dtype=node.dtype)

    return walk(template, prefix)


def _opt_tensors(model: Any) -> dict[str, np.ndarray]:
    ts = getattr(model, "_train_state", None)
    if ts is None:
        return {}
    model._sync_from_training()
    leaves = jax.tree.leaves(ts.opt_state)
    out = {f"optimizer/{i:05d}": np.array(leaf, order="C") for i, leaf in enumerate(leaves)}
    out["train_state/step"] = np.asarray(ts.step, np.int32).reshape(1)
    out["train_state/key"] = np.asarray(jax.random.key_data(ts.key), np.uint32)
    return out


def _compile_config(model: Any) -> dict[str, Any] | None:
    if not getattr(model, "compiled", False):
        return None
    from . import losses as _losses
    from . import metrics as _metrics
    from . import optimizers as _optimizers

    def ser(value: Any, fn: Any) -> Any:
        if value is None or isinstance(value, (str, int, float)):
            return value
        if isinstance(value, dict):
            return {k: ser(v, fn) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [ser(v, fn) for v in value]
        return fn(value)

    args = model._compile_args
    try:
        return {
            "optimizer": _optimizers.serialize(model.optimizer),
            "loss": ser(args.get("loss"), _losses.serialize),
            "loss_weights": args.get("loss_weights"),
            "metrics": ser(args.get("metrics"), _metrics.serialize),
            "weighted_metrics": ser(args.get("weighted_metrics"), _metrics.serialize),
        }
    except (TypeError, ValueError):
        return {"unserializable": True}


def _check_target(filepath: str, overwrite: bool) -> str:
    filepath = os.fspath(filepath)
    if os.path.isdir(filepath):
        raise ValueError(f"`filepath` {filepath!r} is a folder; pass a file path such as 'model.trainlab'.")
    if os.path.exists(filepath) and not overwrite:
        raise FileExistsError(f"`filepath` {filepath!r} exists and `overwrite=False`; pass overwrite=True to replace it.")
    return filepath


def _save(tensors: dict[str, np.ndarray], metadata: dict[str, str], filepath: str) -> None:
    """Write a safetensors file with the tensors' checksum, atomically, after removing
    temporaries that killed saves of `filepath` left behind."""
    from safetensors.numpy import save

    metadata["tensors_sha256"] = _checks.tensors_sha256(tensors)
    remove_stale_temporaries(filepath)
    atomic_write_bytes(filepath, save(tensors, metadata=metadata))


def save_model(model: Any, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    """Write `model` (architecture, weights, compile config, optimizer state) to one file."""
    filepath = _check_target(filepath, overwrite)
    variables = model.variables
    config = serialize_layer(model)
    tensors = {**_flatten(variables["params"], "params"), **_flatten(variables.get("state", {}), "state")}
    order = list(tensors)
    tensors.update(_opt_tensors(model))
    metadata = {
        "weight_order": json.dumps(order),
        "format": FORMAT_MODEL,
        "format_version": FORMAT_VERSION,
        "trainlab_version": __version__,
        "model_config": json.dumps(config),
        "build_input_shape": json.dumps(_jsonable_shape(model._expected_input_shape())),
        "compile_config": json.dumps(_compile_config(model)),
    }
    _save(tensors, metadata, filepath)


def save_weights(model: Any, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    """Write only the weights of `model`."""
    filepath = _check_target(filepath, overwrite)
    variables = model.variables
    tensors = {**_flatten(variables["params"], "params"), **_flatten(variables.get("state", {}), "state")}
    metadata = {"format": FORMAT_WEIGHTS, "format_version": FORMAT_VERSION, "trainlab_version": __version__,
                "weight_order": json.dumps(list(tensors))}
    _save(tensors, metadata, filepath)


def _jsonable_shape(shape: Any) -> Any:
    if shape is None:
        return None
    if isinstance(shape, tuple):
        return list(shape)
    if isinstance(shape, dict):
        return {k: _jsonable_shape(v) for k, v in shape.items()}
    return [_jsonable_shape(s) for s in shape]


def _shape_from_json(obj: Any) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return {k: _shape_from_json(v) for k, v in obj.items()}
    if obj and all(isinstance(d, (int, type(None))) for d in obj):
        return tuple(obj)
    return [_shape_from_json(s) for s in obj]


def read_metadata(filepath: str | os.PathLike) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """Header metadata and all tensors of a trainlab file, validated.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a safetensors file, truncated, or not written by trainlab.
    """
    from safetensors import safe_open

    filepath = os.fspath(filepath)
    if not os.path.isfile(filepath):
        raise FileNotFoundError(f"No model file at `filepath` {filepath!r}.")
    size = os.path.getsize(filepath)
    with open(filepath, "rb") as f:
        head = f.read(9)
    if len(head) < 9:
        raise ValueError(
            f"{filepath!r} is not a trainlab model file: it is only {size} bytes long (truncated or empty)."
        )
    header_len = int.from_bytes(head[:8], "little")
    if header_len <= 1 or header_len > _checks.MAX_HEADER_BYTES or head[8:9] != b"{":
        raise ValueError(
            f"{filepath!r} is not a trainlab model file (no valid safetensors header; {size} bytes). "
            f"Save models with model.save(path)."
        )
    if header_len > size - 8:
        raise ValueError(
            f"{filepath!r} is not a complete trainlab model file: its header needs {header_len + 8} bytes but the "
            f"file has {size}. It is truncated (an interrupted copy or download); save it again."
        )
    try:
        with safe_open(filepath, framework="numpy") as f:
            metadata = dict(f.metadata() or {})
            if metadata.get("format") not in (FORMAT_MODEL, FORMAT_WEIGHTS):
                raise ValueError(
                    f"{filepath!r} is a safetensors file but not one written by trainlab (no trainlab format tag)."
                )
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except ValueError:
        raise
    except Exception as exc:  # safetensors raises its own error types for corrupt files
        raise ValueError(
            f"{filepath!r} is not a complete trainlab model file ({size} bytes): {exc}. It may be truncated "
            f"(an interrupted copy or download); save it again."
        ) from None
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{filepath!r} uses trainlab file format version {metadata.get('format_version')!r}; this trainlab "
            f"reads version {FORMAT_VERSION}."
        )
    _checks.check_tensors(tensors, metadata, filepath)
    return metadata, tensors


def _match_by_structure(model: Any, specs: dict[str, Any], tensors: dict[str, np.ndarray],
                        saved_order: list[str]) -> dict[str, np.ndarray] | None:
    """The file's tensors renamed to `model`'s weight paths, matched by position.

    Layer names are generated per instance (``dense`` in one model, ``dense_2`` in
    a second instance of the same architecture), so, as Keras 3 does, weights
    are matched by structure: the n-th weight of the file goes to the n-th weight
    of the model when every weight has the same kind (``kernel``, ``bias``, ...)
    and shape. `specs` maps the model's weight paths to their (abstract) arrays.
    Returns None when the structures differ (the caller then reports the first
    mismatch by name).
    """
    mine = getattr(model, "variables", None) if getattr(model, "built", False) else None
    order = list(specs)
    if mine:
        own = list(_flatten(mine.get("params", {}), "params")) + list(_flatten(mine.get("state", {}), "state"))
        if set(own) == set(order):
            order = own  # the order `save_weights` wrote in: the same traversal on both instances
    if len(order) != len(saved_order):
        return None
    renamed = {}
    for want, have in zip(order, saved_order):
        same_kind = want.split("/")[0] == have.split("/")[0] and want.rsplit("/", 1)[-1] == have.rsplit("/", 1)[-1]
        if not same_kind or have not in tensors or tuple(tensors[have].shape) != tuple(specs[want].shape):
            return None
        renamed[want] = tensors[have]
    rest = {k: v for k, v in tensors.items() if not k.startswith(("params/", "state/"))}
    return {**renamed, **rest}


def _from_header(build: Any, filepath: str, field: str) -> Any:
    """Run `build()`; any error from a configuration that passed the caps becomes one `ValueError`."""
    try:
        return build()
    except Exception as exc:  # noqa: BLE001 - an untrusted header may break any constructor
        raise header_error(filepath, field, f"does not describe a model trainlab can build "
                                            f"({type(exc).__name__}: {str(exc)[:300]})") from exc


def _variables_from_tensors(model: Any, tensors: dict[str, np.ndarray], filepath: str, input_shape: Any,
                            field: str | None = "model_config", saved_order: list[str] | None = None) -> dict:
    """The model's variables from `tensors`, after comparing every declared weight
    shape with the file's tensors. With `field` (a model rebuilt from the header)
    the shapes are computed abstractly with `jax.eval_shape` (nothing allocated);
    without (`load_weights` into a built model) they are those of its own weights.
    With `saved_order` (the file's weight order), weights whose names differ are
    matched by structure (see `_match_by_structure`)."""
    if field is None:
        template = jax.tree.map(lambda a: jax.ShapeDtypeStruct(np.shape(a), a.dtype), model.variables)
    else:
        template = _from_header(lambda: jax.eval_shape(lambda: model.init(jax.random.key(0), input_shape)),
                                filepath, field)
    specs = {**_flatten(template["params"], "params", leaf=lambda v: v),
             **_flatten(template.get("state", {}), "state", leaf=lambda v: v)}
    _checks.check_param_count([(k, v.shape) for k, v in specs.items()], filepath)
    present = {k for k in tensors if k.startswith(("params/", "state/"))}
    if present != set(specs) and saved_order:
        tensors = _match_by_structure(model, specs, tensors, saved_order) or tensors
        present = {k for k in tensors if k.startswith(("params/", "state/"))}
    extra = sorted(present - set(specs))
    if extra:
        raise ValueError(
            f"The file {filepath!r} holds weights the model does not have (e.g. {extra[0]!r}); it was saved from "
            f"a different architecture. Nothing was loaded."
        )
    return {
        "params": _unflatten_into(template["params"], tensors, "params", filepath),
        "state": _unflatten_into(template.get("state", {}), tensors, "state", filepath),
    }


def _saved_order(metadata: dict[str, str]) -> list[str] | None:
    try:
        order = json.loads(metadata.get("weight_order", "null"))
    except json.JSONDecodeError:
        return None
    # an untrusted header: only a list of tensor names is an order
    return order if isinstance(order, list) and all(isinstance(k, str) for k in order) else None


def load_model(filepath: str | os.PathLike, compile: bool = True) -> Any:
    """Load a model written by `Model.save`: architecture, weights, and (when
    `compile`) the compile configuration and optimizer state.

    The header is checked against the caps of `trainlab._header_checks` and the
    weight shapes it declares are compared with the file's tensors before any
    weight is allocated; the tensors' checksum is verified when the file has one.

    Args:
        filepath: a file written by `Model.save` / `save_model`.
        compile: also restore the compile configuration and optimizer state.

    Returns:
        The model, with the saved weights.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is truncated, corrupted, not a trainlab model, or its
            header declares something invalid or past a cap (the message names the
            file and the field).

    Example:
        >>> model = load_model("model.trainlab")   # doctest: +SKIP
    """
    filepath = os.fspath(filepath)
    remove_stale_temporaries(filepath)
    metadata, tensors = read_metadata(filepath)
    if metadata["format"] != FORMAT_MODEL:
        raise ValueError(
            f"{filepath!r} holds only weights (written by save_weights); build the model in code and call "
            f"model.load_weights({filepath!r})."
        )
    config = _checks.parse_json_field(metadata, "model_config", filepath)
    _checks.check_layer_tree(config, filepath, "model_config")
    shape_json = _checks.parse_json_field(metadata, "build_input_shape", filepath, "null")
    _checks.check_input_shape(shape_json, filepath)
    compile_config = _checks.parse_json_field(metadata, "compile_config", filepath, "null")
    if compile_config is not None and not isinstance(compile_config, dict):
        raise header_error(filepath, "compile_config", f"is a {type(compile_config).__name__}, but a dict or null "
                                                       f"was expected")
    model = _from_header(lambda: deserialize_layer(config), filepath, "model_config")
    input_shape = _shape_from_json(shape_json)
    if input_shape is None:
        input_shape = model._expected_input_shape()
    if input_shape is None:
        raise header_error(filepath, "build_input_shape", "is null and the model declares no input shape")
    variables = _variables_from_tensors(model, tensors, filepath, input_shape)
    model._store_values(variables)
    if compile and compile_config and not compile_config.get("unserializable"):
        _from_header(lambda: model.compile(
            optimizer=compile_config["optimizer"], loss=compile_config.get("loss"),
            loss_weights=compile_config.get("loss_weights"), metrics=compile_config.get("metrics"),
            weighted_metrics=compile_config.get("weighted_metrics"),
        ), filepath, "compile_config")
        opt = [tensors[k] for k in sorted(k for k in tensors if k.startswith("optimizer/"))]
        if opt:
            model._restored_opt_leaves = opt
        restored = _checks.check_train_state(tensors, filepath)
        if restored is not None:
            model._restored_train_state = restored
    return model


def load_weights(model: Any, filepath: str | os.PathLike) -> None:
    """Load weights into `model` (shapes must match; nothing changes on error).

    Raises:
        ValueError: the file is damaged, altered (checksum) or holds other shapes.
    """
    filepath = os.fspath(filepath)
    remove_stale_temporaries(filepath)
    metadata, tensors = read_metadata(filepath)
    input_shape = model._expected_input_shape()
    if input_shape is None:
        raise ValueError(
            f"Model {model.name!r} is not built, so its weight shapes are unknown. Build it first (give the "
            f"first layer an input shape or call the model on data), then load weights."
        )
    variables = _variables_from_tensors(model, tensors, filepath, input_shape, field=None,
                                        saved_order=_saved_order(metadata))
    model.variables = variables
