"""Custom training loops the way the courses write them: `value_and_grad`,
`grad`, `function`, and what ``tf.GradientTape`` becomes.

A tf.keras loop::

    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss = loss_fn(y, logits)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

translates line by line, the two lines inside the tape becoming a function::

    def compute_loss(model, x, y):
        logits = model(x, training=True)
        return loss_fn(y, logits)
    loss, grads = tl.value_and_grad(compute_loss)(model, x, y)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

Why a function and not a tape: JAX differentiates functions, not recorded
operations. `value_and_grad` calls ``compute_loss`` once, with the model's
trainable weights replaced by JAX's traced inputs (Flax NNX's
``nnx.value_and_grad`` works the same way), so gradients come back in
``model.trainable_variables`` order, and whatever the call changed besides
(BatchNormalization's moving statistics, a metric's totals) is written back
after it. Dropout draws its keys itself. ``tl.GradientTape`` exists only to
say this in its error message.

`function` is ``tf.function``: it compiles a Python step that reads and writes
models, optimizers, metrics and variables. The first call finds which objects
the step touches (one abstract trace), then compiles a pure function that takes
their values (and a fresh random key) as inputs and returns their new values,
which are written back after each call. A second call with the same shapes
runs the compiled program without tracing again.

Example:
    >>> import numpy as np, trainlab as tl
    >>> model = tl.Sequential([tl.layers.Dense(1, input_shape=(3,))])
    >>> opt = tl.optimizers.SGD(0.1)
    >>> loss_fn = tl.losses.MeanSquaredError()
    >>> @tl.function
    ... def train_step(x, y):
    ...     def compute_loss(model):
    ...         return loss_fn(y, model(x, training=True))
    ...     loss, grads = tl.value_and_grad(compute_loss)(model)
    ...     opt.apply_gradients(zip(grads, model.trainable_variables))
    ...     return loss
    >>> x, y = np.ones((8, 3), "float32"), np.zeros((8, 1), "float32")
    >>> losses = [float(train_step(x, y)) for _ in range(3)]
    >>> losses[2] < losses[0], train_step.experimental_get_tracing_count()
    (True, 1)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import _binding
from ._binding import Frame, NeedsLift, Unbuilt
from ._validation import describe
from .variables import Variable, _WeightVariable

__all__ = ["value_and_grad", "grad", "function", "Function", "GradientTape"]


# ----------------------------------------------------------------------------- targets
def _is_layer(x: Any) -> bool:
    from .layers._base import Layer

    return isinstance(x, Layer)


def _flat_variables(target: Any, where: str) -> list[Variable]:
    """The variables `target` stands for: a model's trainable variables, a
    variable, or a list of those (flattened)."""
    if isinstance(target, Variable):
        return [target]
    if _is_layer(target):
        return list(target.trainable_variables)
    if isinstance(target, (list, tuple)):
        return [v for t in target for v in _flat_variables(t, where)]
    raise TypeError(
        f"`value_and_grad` differentiates with respect to models, layers and tl.Variable objects; {where} is "
        f"{describe(target)}. Pass the model (grads come in model.trainable_variables order) or a list of "
        f"tl.Variable; for plain arrays use jax.value_and_grad."
    )


def _regroup(target: Any, grads: list) -> tuple[Any, list]:
    """Gradients shaped like `target`: one array per variable, a list per model or list."""
    if isinstance(target, Variable):
        return grads[0], grads[1:]
    if _is_layer(target):
        n = len(target.trainable_variables)
        return list(grads[:n]), grads[n:]
    out = []
    for t in target:
        g, grads = _regroup(t, grads)
        out.append(g)
    return (tuple(out) if isinstance(target, tuple) else out), grads


def _overrides(variables: list[Variable], values: list) -> dict[int, tuple[Any, Any]]:
    """Frame values that put `values` in place of `variables`."""
    out: dict[int, tuple[Any, Any]] = {}
    seen: set[int] = set()
    for var, value in zip(variables, values):
        if id(var) in seen:
            raise ValueError(
                f"Variable {var.path!r} appears twice among the targets of `value_and_grad`; pass each once."
            )
        seen.add(id(var))
        if isinstance(var, _WeightVariable):
            layer, spec = var._layer, var._spec
            _, current = out.get(id(layer), (layer, layer._values))
            coll = spec.collection
            out[id(layer)] = (layer, {**current, coll: {**current[coll], spec.name: value}})
        else:
            out[id(var)] = (var, value)
    return out


def _unbuilt_layers(target: Any) -> list:
    if _is_layer(target):
        return [] if _try_ensure(target) else [target]
    if isinstance(target, (list, tuple)):
        return [layer for t in target for layer in _unbuilt_layers(t)]
    return []


def _try_ensure(layer: Any) -> bool:
    """Create the weights of a model that knows its input shape (outside any
    trace: they become the model's own), and say whether it has weights."""
    ensure = getattr(layer, "_ensure_weights", None)
    if ensure is not None and layer._lift_load() is None:
        with _binding.suspended():
            ensure()
    return layer._is_initialized()


def _scalar(loss: Any) -> jax.Array:
    if isinstance(loss, Variable):
        loss = loss.value
    try:
        loss = jnp.asarray(loss)
    except TypeError:
        raise TypeError(
            f"The function given to `value_and_grad` must return a scalar loss; it returned {describe(loss)}. "
            f"With `has_aux=True` return (loss, aux)."
        ) from None
    if loss.shape != ():
        raise ValueError(
            f"The function given to `value_and_grad` must return a scalar loss; it returned an array of shape "
            f"{tuple(loss.shape)}. Reduce it, e.g. jnp.mean(...), or use a tl.losses object (it averages)."
        )
    if not jnp.issubdtype(loss.dtype, jnp.floating):
        raise TypeError(f"The loss must be a float array; the function returned dtype {loss.dtype}.")
    return loss


def value_and_grad(fn: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable:
    """``tape.gradient`` as a function transformation (Flax NNX style).

    ``value_and_grad(fn)(model, *args)`` calls ``fn(model, *args)`` once and
    returns ``(loss, grads)`` where ``grads`` follow ``model.trainable_variables``
    (a list of arrays shaped like the weights). The argument(s) at `argnums`
    may be a model or layer, a `Variable`, or a list of those (grads then have
    the same list structure). Changes the call makes to other state
    (BatchNormalization statistics, metrics, `Variable.assign`) are kept.

    Args:
        fn: ``fn(*args) -> scalar loss`` (or ``(loss, aux)`` with `has_aux`).
        argnums: which positional argument(s) to differentiate (int or tuple).
        has_aux: `fn` returns ``(loss, aux)``; the result is ``((loss, aux), grads)``.

    Returns:
        A function with `fn`'s arguments returning ``(loss, grads)``.

    Raises:
        TypeError: a target that is not a model, layer or `Variable`; a non-float loss.
        ValueError: a loss that is not a scalar; a variable passed twice.

    Example:
        >>> import trainlab as tl, jax.numpy as jnp
        >>> W, b = tl.Variable(2.0), tl.Variable(0.5)
        >>> x = jnp.array([1.0, 2.0, 3.0]); y = jnp.array([1.0, 2.0, 3.0])
        >>> cost, (gW, gb) = tl.value_and_grad(lambda v: jnp.mean((W * x + b - y) ** 2))([W, b])
        >>> round(float(gW), 4), round(float(gb), 4)  # d/dW mean((Wx+b-y)^2) = mean(2(Wx+b-y)x)
        (11.3333, 5.0)
    """
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        for i in nums:
            if i >= len(args):
                raise TypeError(
                    f"`argnums` {argnums!r} refers to positional argument {i}, but the function was called with "
                    f"{len(args)} positional argument(s). Pass the model (or variables) positionally."
                )
        targets = [args[i] for i in nums]
        unbuilt = [layer for t in targets for layer in _unbuilt_layers(t)]
        if unbuilt:
            if _binding.lifting_frame() is not None:
                raise Unbuilt(unbuilt[0])
            with Frame():  # the first call builds the weights; everything else it changes is dropped
                fn(*args, **kwargs)
        flat_per_target = [_flat_variables(t, f"argument {i}") for t, i in zip(targets, nums)]
        flat = [v for vs in flat_per_target for v in vs]
        values = [v.value for v in flat]
        owners: list = []

        def pure(vals: list) -> tuple:
            frame = Frame(_overrides(flat, vals))
            with frame:
                out = fn(*args, **kwargs)
            if has_aux:
                if not isinstance(out, (tuple, list)) or len(out) != 2:
                    raise TypeError(
                        f"With `has_aux=True` the function must return (loss, aux); it returned {describe(out)}."
                    )
                loss, aux = out
            else:
                loss, aux = out, None
            effects = frame.effects()
            owners[:] = [o for o, _ in effects]
            return _scalar(loss), (aux, [v for _, v in effects])

        (loss, (aux, effect_values)), grads = jax.value_and_grad(pure, has_aux=True)(values)
        for owner, value in zip(owners, effect_values):
            _binding.write(owner, value)
        _forget_call_losses(targets)  # they were traced values of this call
        if any(_is_layer(o) for o in owners) and not _binding.active():
            _bump_weights()
        grouped, rest = [], list(grads)
        for t in targets:
            g, rest = _regroup(t, rest)
            grouped.append(g)
        result = grouped[0] if single else tuple(grouped)
        return ((loss, aux) if has_aux else loss), result

    return wrapped


def grad(fn: Callable, argnums: int | Sequence[int] = 0, has_aux: bool = False) -> Callable:
    """Like `value_and_grad`, returning only the gradients (``(grads, aux)`` with `has_aux`).

    Example:
        >>> import trainlab as tl
        >>> w = tl.Variable(3.0)
        >>> float(tl.grad(lambda w: w * w)(w))
        6.0
    """
    vg = value_and_grad(fn, argnums=argnums, has_aux=has_aux)

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        value, grads = vg(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapped


def _forget_call_losses(targets: Any) -> None:
    """Drop ``model.losses`` of the traced call (read them inside the loss function)."""
    for t in targets:
        if _is_layer(t):
            t.__dict__.pop("_call_losses", None)
        elif isinstance(t, (list, tuple)):
            _forget_call_losses(t)


def _bump_weights() -> None:
    from .models._variables import bump_weights_version

    bump_weights_version()


# ----------------------------------------------------------------------------- function
def _is_array(x: Any) -> bool:
    return isinstance(x, (jax.Array, np.ndarray, np.generic))


def _static_key(x: Any) -> Any:
    try:
        hash(x)
        return (type(x).__name__, x)
    except TypeError:
        return ("id", id(x))


class _Entry:
    """One compiled program of a `Function` (one input signature)."""

    def __init__(self, fn: Callable, owners: list, treedef: Any, leaves: list, dyn_idx: list[int],
                 counter: list[int]):
        self.written: list = []

        def pure(lifted: list, key: Any, dyn: list) -> tuple:
            counter[0] += 1
            filled = list(leaves)
            for i, a in zip(dyn_idx, dyn):
                filled[i] = a
            args, kwargs = jax.tree.unflatten(treedef, filled)
            frame = Frame({id(o): (o, v) for o, v in zip(owners, lifted)}, lifting=True, key=key)
            with frame:
                out = fn(*args, **kwargs)
            effects = frame.effects()
            self.written = [o for o, _ in effects]
            return out, [v for _, v in effects]

        self.jitted = jax.jit(pure)


class Function:
    """A compiled step over stateful objects (see `function`)."""

    def __init__(self, fn: Callable, jit_compile: Any = None, reduce_retracing: bool = False):
        if not callable(fn):
            raise TypeError(f"`func` must be a Python function; received {describe(fn)}.")
        functools.update_wrapper(self, fn)
        self._fn = fn
        self._owners: list | None = None
        self._cache: dict[Any, _Entry] = {}
        self._traces = [0]

    def experimental_get_tracing_count(self) -> int:
        """How many times the step was traced for compilation (``tf.function``'s name)."""
        return self._traces[0]

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        return functools.partial(self.__call__, obj)

    def _discover(self, treedef: Any, leaves: list, dyn_idx: list[int]) -> list:
        frame = Frame(lifting=True, discover=True, key=jax.random.key(0))

        def run(dyn: list) -> None:
            filled = list(leaves)
            for i, a in zip(dyn_idx, dyn):
                filled[i] = a
            args, kwargs = jax.tree.unflatten(treedef, filled)
            with frame:
                self._fn(*args, **kwargs)

        jax.eval_shape(run, [leaves[i] for i in dyn_idx])
        return list(frame.lifted.values())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _binding.active():  # called from another compiled step or a value_and_grad: inline
            return self._fn(*args, **kwargs)
        leaves, treedef = jax.tree.flatten((args, kwargs), is_leaf=lambda a: isinstance(a, Variable))
        dyn_idx = [i for i, leaf in enumerate(leaves) if _is_array(leaf)]
        leaves = [jnp.asarray(leaf) if i in dyn_idx else leaf for i, leaf in enumerate(leaves)]
        static = tuple(_static_key(leaf) for i, leaf in enumerate(leaves) if i not in dyn_idx)
        try:
            if self._owners is None:
                self._owners = self._discover(treedef, leaves, dyn_idx)
            while True:
                lifted = [_prepare(o) for o in self._owners]
                if any(getattr(o, "_lift_must_exist", False) and v is None for o, v in zip(self._owners, lifted)):
                    raise Unbuilt(None)
                dyn = [leaves[i] for i in dyn_idx]
                sig = (str(treedef), static, _signature(dyn), _signature(lifted), tuple(id(o) for o in self._owners))
                entry = self._cache.get(sig)
                if entry is None:
                    entry = self._cache[sig] = _Entry(self._fn, self._owners, treedef, leaves, dyn_idx, self._traces)
                try:
                    out, written = entry.jitted(lifted, _host_key(), dyn)
                except NeedsLift as exc:
                    self._owners.append(exc.owner)
                    self._cache.clear()
                    continue
                break
        except Unbuilt:
            # a model without weights: run this call eagerly (it builds them); later calls compile
            self._owners = None
            self._cache.clear()
            return self._fn(*args, **kwargs)
        for owner, value in zip(entry.written, written):
            owner._lift_store(value)
        _forget_call_losses(self._owners)
        if any(_is_layer(o) for o in entry.written):
            _bump_weights()
        return out


def _prepare(owner: Any) -> Any:
    sync = getattr(owner, "_sync_from_training", None)
    if sync is not None:
        sync()
    prepare = getattr(owner, "_lift_prepare", None)
    return prepare() if prepare is not None else owner._lift_load()


def _host_key() -> jax.Array:
    from .utils.random import next_key

    return next_key()


def _signature(tree: Any) -> Any:
    leaves, treedef = jax.tree.flatten(tree)
    return (str(treedef), tuple((tuple(np.shape(a)), str(getattr(a, "dtype", type(a).__name__))) for a in leaves))


def function(func: Callable | None = None, *, jit_compile: Any = None, reduce_retracing: bool = False,
             input_signature: Any = None) -> Any:
    """Compile a training (or evaluation) step, as ``@tf.function``.

    The step may read and change models, layers, optimizers (``apply_gradients``),
    metrics (``update_state``) and `Variable` objects it closes over: their
    values are inputs and outputs of one jitted program, written back after
    each call. Array arguments are traced; other arguments (Python numbers,
    strings, flags) are static, and a new value compiles a new program, as
    in TensorFlow. Dropout gets a new key at each call.

    Args:
        func: the step. Usable as ``@tl.function`` or ``@tl.function(jit_compile=True)``.
        jit_compile, reduce_retracing, input_signature: accepted for tf.keras
            code; trainlab always compiles with XLA.

    Returns:
        A `Function`; ``f.experimental_get_tracing_count()`` counts compilations.

    Example:
        >>> import trainlab as tl, jax.numpy as jnp
        >>> total = tl.Variable(0.0)
        >>> @tl.function
        ... def add(x):
        ...     total.assign_add(jnp.sum(x))
        >>> add(jnp.ones(3)); add(jnp.ones(3)); float(total.value)
        6.0
    """
    if func is None:
        return lambda f: Function(f, jit_compile=jit_compile, reduce_retracing=reduce_retracing)
    return Function(func, jit_compile=jit_compile, reduce_retracing=reduce_retracing)


# ----------------------------------------------------------------------------- GradientTape
_TAPE_HELP = """\
JAX differentiates functions, not recorded operations, so trainlab has no
GradientTape. Put the lines inside the tape in a function and use
tl.value_and_grad:

    # tf.keras                                   # trainlab
    with tf.GradientTape() as tape:              def compute_loss(model, x, y):
        logits = model(x, training=True)             logits = model(x, training=True)
        loss = loss_fn(y, logits)                    return loss_fn(y, logits)
    grads = tape.gradient(                       loss, grads = tl.value_and_grad(compute_loss)(
        loss, model.trainable_variables)             model, x, y)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))   # unchanged

For variables (W = tl.Variable(...)): cost, (W_grad, b_grad) = tl.value_and_grad(cost_fn)([W, b]),
where cost_fn reads W and b. See README, "Custom training loops"."""


class GradientTape:
    """Not available: raises a TypeError that shows the `value_and_grad` translation.

    Raises:
        TypeError: always.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        raise TypeError("tl.GradientTape is not supported.\n" + _TAPE_HELP)
