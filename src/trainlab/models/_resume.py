"""Everything a training run needs to continue exactly where it stopped.

`capture` reads the live train state of a model during `fit` (weights, layer
state, optimizer state with its hyperparameters, step, random key, the
current epoch's running metrics) and the resumable state of the callbacks;
`restore` puts a captured state back into a freshly built model before the
first epoch of a resumed `fit`.

The data order needs nothing extra: `fit` draws epoch ``e``'s permutation from
``(key, step at the start of e)``, and the dropout key of step ``i`` is
``fold_in(key, i)``, so restoring key and step reproduces both. A resumed run
therefore computes the same weights as an uninterrupted one, bit for bit on
the same machine (see `trainlab.callbacks.BackupAndRestore`).

Example:
    >>> tensors, meta = capture(model, epoch=3, step_in_epoch=0, callbacks=cbs)   # doctest: +SKIP
    >>> ts = restore(model, ts, tensors, meta, path="backup/latest.backup")      # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["capture", "restore", "callback_states", "set_callback_states"]


def _layer_positions(model: Any) -> dict[str, str]:
    """Layer name -> ``"#<position>"``: a backup names weights by the layer's place
    in the model, so a model rebuilt with other automatic names (``dense_4``
    instead of ``dense`` in a notebook) still resumes."""
    return {layer.name: f"#{i}" for i, layer in enumerate(getattr(model, "layers", []))}


def _key_path(path: Any, rename: dict[str, str]) -> str:
    parts = []
    for k in path:
        token = getattr(k, "key", getattr(k, "name", getattr(k, "idx", k)))
        parts.append(rename.get(token, str(token)) if isinstance(token, str) else str(token))
    return "/".join(parts)


def _leaves(tree: Any, prefix: str, rename: dict[str, str]) -> dict[str, np.ndarray]:
    flat, _ = jax.tree_util.tree_flatten_with_path(tree)
    return {f"{prefix}/{_key_path(p, rename)}": np.array(leaf, order="C") for p, leaf in flat}


def _restore_leaves(template: Any, tensors: dict[str, np.ndarray], prefix: str, rename: dict[str, str],
                    what: str, path: str) -> Any:
    flat, treedef = jax.tree_util.tree_flatten_with_path(template)
    names = [f"{prefix}/{_key_path(p, rename)}" for p, _ in flat]
    saved = {k for k in tensors if k.startswith(prefix + "/")}
    bad = sorted(set(names) ^ saved) or [n for n, (_, a) in zip(names, flat) if np.shape(tensors[n]) != np.shape(a)]
    if bad:
        raise ValueError(
            f"The backup {path!r} holds {what} that does not fit this model and compile configuration (e.g. "
            f"{bad[0]!r}: {len(saved)} arrays saved, {len(names)} expected). It was saved from a different "
            f"architecture or optimizer: resume with the model the run was started with, or delete the backup "
            f"to start over."
        )
    leaves = [jnp.asarray(tensors[n], dtype=jnp.asarray(a).dtype) for n, (_, a) in zip(names, flat)]
    return jax.tree.unflatten(treedef, leaves)


def _plain(value: Any) -> Any:
    """`value` as JSON-able data, or raise TypeError."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else repr(v)  # "inf", "-inf", "nan" survive strict JSON
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    raise TypeError(type(value).__name__)


def _unplain(value: Any) -> Any:
    if isinstance(value, str) and value in ("inf", "-inf", "nan"):
        return float(value)
    if isinstance(value, list):
        return [_unplain(v) for v in value]
    if isinstance(value, dict):
        return {k: _unplain(v) for k, v in value.items()}
    return value


def callback_states(callbacks: list[Any]) -> list[dict[str, Any]]:
    """``[{"class", "state"}]`` for every callback: the attributes it lists in
    ``_resume_attrs`` (counters such as EarlyStopping's `wait` and `best`)."""
    out = []
    for cb in callbacks:
        state = {}
        for name in getattr(cb, "_resume_attrs", ()):
            if hasattr(cb, name):
                try:
                    state[name] = _plain(getattr(cb, name))
                except TypeError:
                    continue
        out.append({"class": type(cb).__name__, "state": state})
    return out


def set_callback_states(callbacks: list[Any], states: list[dict[str, Any]]) -> None:
    """Inverse of `callback_states`; callbacks are matched by position and class."""
    saved = list(states or [])
    for i, cb in enumerate(callbacks):
        if i < len(saved) and saved[i].get("class") == type(cb).__name__:
            for name, value in saved[i].get("state", {}).items():
                setattr(cb, name, _unplain(value))


def capture(model: Any, *, epoch: int, step_in_epoch: int, callbacks: list[Any]) -> tuple[dict, dict]:
    """The model's live train state as ``(tensors, meta)``.

    Args:
        model: a model inside `fit`.
        epoch: the epoch to resume in (the next one after an epoch end).
        step_in_epoch: steps of `epoch` already taken (0 at an epoch end).
        callbacks: the callback list of the `fit` call.

    Returns:
        ``tensors``: ``{name: np.ndarray}`` (params/..., state/..., optimizer/...,
        metrics/..., step, key); ``meta``: JSON-able dict (epoch, step_in_epoch,
        optimizer hyperparameters, callback states).
    """
    ts = model._push_host_changes(model._train_state)
    rename = _layer_positions(model)
    tensors = {**_leaves(ts.params, "params", rename), **_leaves(ts.state, "state", rename),
               **_leaves(ts.opt_state, "optimizer", rename)}
    if step_in_epoch:
        tensors.update(_leaves(ts.metrics, "metrics", rename))
    tensors["train_state/step"] = np.asarray(ts.step, np.int32).reshape(1)
    tensors["train_state/key"] = np.asarray(jax.random.key_data(ts.key), np.uint32)
    meta = {
        "epoch": int(epoch),
        "step_in_epoch": int(step_in_epoch),
        "optimizer_hyperparameters": _plain({k: np.asarray(v).tolist()
                                             for k, v in model.optimizer.hyperparameters().items()}),
        "callbacks": callback_states(callbacks),
    }
    return tensors, meta


def restore(model: Any, ts: Any, tensors: dict[str, np.ndarray], meta: dict, *, path: str) -> Any:
    """Put a `capture`d state into `model` and its train state `ts`; returns the new `ts`.

    Raises:
        ValueError: the saved arrays do not fit the model (another architecture,
            optimizer or metrics); nothing is changed then.
    """
    rename = _layer_positions(model)
    params = _restore_leaves(ts.params, tensors, "params", rename, "weights", path)
    state = _restore_leaves(ts.state, tensors, "state", rename, "layer state", path)
    opt_state = _restore_leaves(ts.opt_state, tensors, "optimizer", rename, "optimizer state", path)
    metrics = ts.metrics
    if int(meta.get("step_in_epoch", 0)):
        metrics = _restore_leaves(ts.metrics, tensors, "metrics", rename, "running metrics", path)
    ts = ts._replace(params=params, state=state, opt_state=opt_state, metrics=metrics,
                     step=jnp.asarray(int(tensors["train_state/step"][0]), jnp.int32),
                     key=jax.random.wrap_key_data(jnp.asarray(tensors["train_state/key"], jnp.uint32)))
    hp = {k: np.asarray(v, np.float32) if isinstance(v, list) else v
          for k, v in _unplain(meta.get("optimizer_hyperparameters", {})).items()}
    if hp:
        model.optimizer.set_hyperparameters(hp)
    model._set_live_state(ts)
    model._sync_from_training()
    from ._trainer import _freeze

    model._ts_meta["opt_hp"] = _freeze(model.optimizer.hyperparameters())
    return ts
