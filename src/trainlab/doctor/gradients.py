"""Gradient checking, as the course teaches it.

For every layer, compare the autodiff gradient of the loss with centred
finite differences computed in float64,

    gradapprox_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps),

and report the relative error ``||grad - gradapprox|| / (||grad|| + ||gradapprox||)``.
Rule of thumb (with eps = 1e-7): below 1e-7 is great, up to about 1e-5 is
fine for kinked activations (ReLU), above 1e-3 there is almost surely a bug.
Dropout and other training-only randomness are off (inference mode), as the
course advises. Large layers are checked on a random subset of coordinates
(`max_checks_per_layer`); the perturbed losses are vectorised with `jax.vmap`.

Example:
    >>> result = check_gradients(model, x[:16], y[:16])   # doctest: +SKIP
    >>> print(result)                                     # doctest: +SKIP
    layer      checked  relative error  status
    dense           64        3.1e-10   ok
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any

import jax
import jax.flatten_util
import jax.numpy as jnp
import numpy as np

from .._validation import check_finite_number, check_positive_int

__all__ = ["check_gradients", "GradientCheckResult", "LayerCheck"]


@dataclasses.dataclass(frozen=True)
class LayerCheck:
    """Gradient check of one layer.

    Attributes:
        relative_error: ``||g - g~|| / (||g|| + ||g~||)`` over the checked coordinates.
        max_abs_error: largest ``|g_i - g~_i|``.
        checked: coordinates compared; total: the layer's parameter count.
        status: "ok" (< `good`), "warning" (< `bad`), "error".
    """

    relative_error: float
    max_abs_error: float
    checked: int
    total: int
    status: str


@dataclasses.dataclass
class GradientCheckResult:
    """Per-layer results of `check_gradients` (``result.layers[name]``)."""

    layers: dict[str, LayerCheck]
    epsilon: float
    good: float
    bad: float

    @property
    def passed(self) -> bool:
        """True when no layer has status "error"."""
        return all(c.status != "error" for c in self.layers.values())

    @property
    def max_relative_error(self) -> float:
        return max((c.relative_error for c in self.layers.values()), default=0.0)

    def __str__(self) -> str:
        w = max([5] + [len(k) for k in self.layers])
        lines = [f"{'layer':<{w}}  {'checked':>9}  {'relative error':>14}  status"]
        for name, c in self.layers.items():
            lines.append(f"{name:<{w}}  {c.checked:>4}/{c.total:<4}  {c.relative_error:>14.3e}  {c.status}")
        verdict = "passed" if self.passed else "FAILED: a gradient disagrees with finite differences (bug in a layer's math?)"
        lines.append(f"gradient check {verdict} (eps={self.epsilon:g}, ok < {self.good:g}, error >= {self.bad:g})")
        return "\n".join(lines)


def _x64() -> Any:
    """Context manager enabling float64 (``jax.enable_x64`` in JAX 0.10;
    ``jax.experimental.enable_x64`` in older releases)."""
    ctx = getattr(jax, "enable_x64", None)
    if ctx is None:  # pragma: no cover - older JAX
        from jax.experimental import enable_x64 as ctx
    return ctx(True)


@contextlib.contextmanager
def _float64_compute(model: Any, objective: Any) -> Iterator[None]:
    """Temporarily stop layers and losses from casting to float32 (their
    default compute dtype), so the whole loss is evaluated in float64."""
    saved: list[tuple[Any, str, Any]] = []

    def set_attr(obj: Any, name: str, value: Any) -> None:
        had = name in obj.__dict__
        saved.append((obj, name, obj.__dict__[name] if had else _MISSING))
        object.__setattr__(obj, name, value)

    def walk(layer: Any) -> None:
        set_attr(layer, "autocast", False)
        for sub in getattr(layer, "sublayers", []):
            walk(sub)

    try:
        walk(model)
        set_attr(model, "autocast_inputs", False)
        for spec in objective.outputs:
            for fn in (getattr(spec, "loss", None), getattr(spec, "logits_loss", None)):
                if fn is not None and hasattr(fn, "__dict__") and "dtype" in fn.__dict__:
                    set_attr(fn, "dtype", jnp.dtype("float64"))
        yield
    finally:
        for obj, name, value in reversed(saved):
            if value is _MISSING:
                object.__delattr__(obj, name)
            else:
                object.__setattr__(obj, name, value)


_MISSING = object()


def _f64(tree: Any) -> Any:
    return jax.tree.map(lambda a: np.asarray(a, np.float64) if np.issubdtype(np.asarray(a).dtype, np.floating)
                        else np.asarray(a), tree)


def check_gradients(model: Any, x: Any, y: Any, *, loss: Any = None, epsilon: float = 1e-7,
                    max_checks_per_layer: int = 200, good: float = 1e-7, bad: float = 1e-3,
                    seed: int = 0) -> GradientCheckResult:
    """Compare autodiff gradients with centred finite differences, per layer, in float64.

    Args:
        model: a built model (compiled, or pass `loss`).
        x: inputs ``(N, ...)`` (a few samples suffice); y: targets.
        loss: loss to differentiate (default: the compiled loss).
        epsilon: finite-difference step (the course's 1e-7).
        max_checks_per_layer: coordinates per layer (random subset when larger).
        good, bad: relative-error thresholds for "ok" and "error".
        seed: which coordinates are sampled.

    Returns:
        `GradientCheckResult`.

    Raises:
        RuntimeError: no `loss` and the model is not compiled.
    """
    from ..core.objective import Objective
    from ..models import _data

    epsilon = check_finite_number("epsilon", epsilon)
    if epsilon <= 0:
        raise ValueError(f"`epsilon` must be > 0; received {epsilon!r}. The course uses 1e-7.")
    max_checks = check_positive_int("max_checks_per_layer", max_checks_per_layer)
    if loss is None:
        model._require_compiled("check_gradients")
    x = _data.to_arrays(x, "x")
    y = _data.to_arrays(y, "y")
    model.build_from_data(x)
    if loss is None:
        objective = model._objective_for(y)
    else:
        objective = Objective.build(model, loss=loss)
    variables = model.variables
    hparams = model.hyperparameters()
    rng = np.random.default_rng(seed)
    results: dict[str, LayerCheck] = {}
    with _x64(), _float64_compute(model, objective):
        params = jax.tree.map(jnp.asarray, _f64(variables["params"]))
        state = jax.tree.map(jnp.asarray, _f64(variables.get("state", {})))
        hp = jax.tree.map(lambda v: jnp.asarray(v, jnp.float64), hparams)
        xs = jax.tree.map(jnp.asarray, _f64(x))
        ys = jax.tree.map(jnp.asarray, _f64(y))
        skip = objective.skip_activation

        def total_loss(p: Any) -> jax.Array:
            outputs, _, penalties = model.apply({"params": p, "state": state}, xs, training=False, hparams=hp,
                                                return_losses=True, skip_activation=skip)
            value, _ = objective.loss(ys, outputs, None)
            value = value + model.regularization_loss(p, hp)
            for pen in penalties:
                value = value + pen
            return jnp.asarray(value, jnp.float64)

        grads = jax.jit(jax.grad(total_loss))(params)
        for name in params:
            leaves = jax.tree.leaves(params[name])
            if not leaves or not all(jnp.issubdtype(a.dtype, jnp.floating) for a in leaves):
                continue
            flat, unravel = jax.flatten_util.ravel_pytree(params[name])
            gflat, _ = jax.flatten_util.ravel_pytree(grads[name])
            size = int(flat.shape[0])
            idx = np.arange(size) if size <= max_checks else np.sort(rng.choice(size, max_checks, replace=False))

            def loss_at(i: jax.Array, sign: float, name: str = name, flat: Any = flat, unravel: Any = unravel) -> jax.Array:
                p = dict(params)
                p[name] = unravel(flat.at[i].add(sign * epsilon))
                return total_loss(p)

            f = jax.jit(jax.vmap(lambda i: (loss_at(i, 1.0) - loss_at(i, -1.0)) / (2 * epsilon)))
            approx = np.concatenate([np.asarray(f(jnp.asarray(idx[s:s + 64]))) for s in range(0, len(idx), 64)])
            exact = np.asarray(gflat)[idx]
            num = np.linalg.norm(exact - approx)
            den = np.linalg.norm(exact) + np.linalg.norm(approx)
            rel = float(num / den) if den > 0 else 0.0
            status = "ok" if rel < good else ("warning" if rel < bad else "error")
            results[name] = LayerCheck(rel, float(np.max(np.abs(exact - approx))) if len(idx) else 0.0,
                                       int(len(idx)), size, status)
    return GradientCheckResult(results, epsilon, good, bad)
