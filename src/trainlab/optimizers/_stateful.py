"""Keras's stateful optimizer API on top of the pure one: ``apply_gradients``,
``apply``, ``minimize`` and ``iterations``, for custom training loops.

The first ``apply_gradients`` call builds slots (momenta, moving averages) for
the variables it receives, as Keras does; later calls must pass the same
variables (in any order). The slots are an `OptState` kept on the optimizer and
liftable into `trainlab.function` steps (see `trainlab._binding`); its
hyperparameters are refreshed from the optimizer's attributes before each use,
so ``opt.learning_rate = 0.01`` between steps takes effect without recompiling.

Example:
    >>> import trainlab as tl, jax.numpy as jnp
    >>> w = tl.Variable(jnp.ones(2))
    >>> opt = tl.optimizers.SGD(0.1)
    >>> opt.apply_gradients([(jnp.ones(2), w)])
    >>> w.numpy().tolist(), int(opt.iterations)
    ([0.8999999761581421, 0.8999999761581421], 1)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from .. import _binding
from .._validation import describe

__all__ = ["StatefulOptimizerMixin"]


class StatefulOptimizerMixin:
    """``apply_gradients`` / ``apply`` / ``iterations`` for `Optimizer` (Keras API)."""

    _lift_must_exist = False

    # -- liftable state (trainlab._binding) --------------------------------------
    def _lift_load(self) -> Any:
        return self.__dict__.get("_apply_state")

    def _lift_store(self, value: Any) -> None:
        self.__dict__["_apply_state"] = value

    def _lift_prepare(self) -> Any:
        """The state a compiled step starts from: built for the variables seen
        while tracing, with the current hyperparameters."""
        state = self._lift_load()
        variables = self.__dict__.get("_apply_vars")
        if state is None and variables:
            state = self.init([v.value for v in variables])
        if state is not None:
            state = self._refresh(state)
            self._lift_store(state)
        return state

    def _refresh(self, state: Any) -> Any:
        hp = {k: jnp.asarray(v, jnp.float32) for k, v in self.hyperparameters().items()}
        if set(hp) != set(state.hparams):
            return self.init([v.value for v in self.__dict__["_apply_vars"]])
        return state._replace(hparams=hp)

    @property
    def iterations(self) -> jax.Array:
        """Updates applied by `apply_gradients` so far (an int32 array)."""
        state = _binding.read(self)
        return jnp.zeros((), jnp.int32) if state is None else state.count

    # -- Keras API -----------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Any]]) -> None:
        """One update of variables from ``zip(grads, variables)`` (Keras / TF).

        Args:
            grads_and_vars: pairs ``(gradient, variable)``; variables are
                `trainlab.Variable` objects, e.g. ``model.trainable_variables``.
                Pairs whose gradient is None are skipped with a warning, as TF does.

        Raises:
            TypeError: an entry that is not a (gradient, Variable) pair.
            ValueError: a gradient whose shape differs from its variable's, or
                variables this optimizer was not built for.

        Example:
            >>> opt.apply_gradients(zip(grads, model.trainable_variables))   # doctest: +SKIP
        """
        pairs = list(grads_and_vars)
        for i, pair in enumerate(pairs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(
                    f"`grads_and_vars` must hold (gradient, variable) pairs, e.g. zip(grads, "
                    f"model.trainable_variables); entry {i} is {describe(pair)}."
                )
        skipped = [v for g, v in pairs if g is None]
        if skipped:
            names = ", ".join(getattr(v, "path", "?") for v in skipped)
            warnings.warn(f"Gradients do not exist for variables {names} when minimizing the loss.", stacklevel=2)
        pairs = [(g, v) for g, v in pairs if g is not None]
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def minimize(self, loss: Any, var_list: Any, tape: Any = None) -> jax.Array:
        """tf.keras 2's ``optimizer.minimize(loss, var_list)``: one update of
        `var_list` along the gradient of ``loss()``; returns the loss.

        Args:
            loss: a function with no arguments returning the scalar loss, as in
                TF2 eager code (``lambda: cost_fn(X, Y)``).
            var_list: `trainlab.Variable` objects and/or models (their trainable
                variables), or a function returning them.
            tape: not used (there is no tape in trainlab).

        Raises:
            TypeError: `loss` is a computed value rather than a function.

        Example:
            >>> import trainlab as tl
            >>> w = tl.Variable(3.0)
            >>> float(tl.optimizers.SGD(0.25).minimize(lambda: w * w, [w])), float(w)
            (9.0, 1.5)
        """
        from ..autodiff import _flat_variables, value_and_grad

        if not callable(loss):
            raise TypeError(
                f"`loss` must be a function with no arguments that computes the loss, e.g. "
                f"optimizer.minimize(lambda: cost_fn(X, Y), var_list=[W, b]); received {describe(loss)}. "
                f"JAX differentiates functions, so a loss value computed beforehand cannot be differentiated."
            )
        variables = _flat_variables(var_list() if callable(var_list) else var_list, "`var_list`")
        value, grads = value_and_grad(lambda _: loss())(variables)
        self.apply_gradients(zip(grads, variables))
        return value

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Any] | None = None) -> None:
        """Keras 3's ``optimizer.apply(grads, trainable_variables)``: one update.

        Args:
            grads: one gradient per variable (same shapes).
            trainable_variables: the variables; default: those of the first call.
        """
        from ..variables import Variable

        grads = list(grads)
        known = self.__dict__.get("_apply_vars")
        if trainable_variables is None:
            if not known:
                raise ValueError(
                    "`trainable_variables` is required on the first call: optimizer.apply(grads, "
                    "model.trainable_variables)."
                )
            trainable_variables = known
        variables = list(trainable_variables)
        if not variables:
            raise ValueError(
                "There are no variables to update: the model has no trainable variables (is every layer frozen, "
                "or is it a Model subclass without layers?)."
            )
        if len(grads) != len(variables):
            raise ValueError(
                f"`grads` has {len(grads)} entries but there are {len(variables)} variables; pass one gradient per "
                f"variable, in the same order (tl.value_and_grad returns them in model.trainable_variables order)."
            )
        for i, v in enumerate(variables):
            if not isinstance(v, Variable):
                raise TypeError(
                    f"Entry {i} of the variables is {describe(v)}, not a tl.Variable. Pass model.trainable_variables "
                    f"(or tl.Variable objects), not arrays: zip(grads, model.trainable_variables)."
                )
        grads = [g.value if isinstance(g, Variable) else jnp.asarray(g) for g in grads]
        for g, v in zip(grads, variables):
            if tuple(g.shape) != tuple(v.shape):
                raise ValueError(
                    f"The gradient for variable {v.path!r} has shape {tuple(g.shape)} but the variable has shape "
                    f"{tuple(v.shape)}. Are the gradients from another model, or in another order than the variables?"
                )
        if not known:
            known = self.__dict__["_apply_vars"] = list(variables)
        position = {id(v): i for i, v in enumerate(known)}
        unknown = [v.path for v in variables if id(v) not in position]
        if unknown or len(variables) != len(known) or len({id(v) for v in variables}) != len(variables):
            raise ValueError(
                f"This optimizer was built for the {len(known)} variables of its first apply_gradients call; it "
                f"received {len(variables)} variables"
                + (f", among them unknown ones ({', '.join(unknown[:3])})" if unknown else "")
                + ". Use one optimizer per set of variables (a GAN has one for the generator and one for the "
                  "discriminator), and pass all of its variables at every call."
            )
        ordered: list[Any] = [None] * len(known)
        for g, v in zip(grads, variables):
            ordered[position[id(v)]] = g
        state = _binding.read(self)
        params = [v.value for v in known]
        ordered = [g.astype(p.dtype) for g, p in zip(ordered, params)]
        if state is None:
            state = self.init(params)
        if _binding.lifting_frame() is None:
            state = self._refresh(state)
        updates, state = self.update(ordered, state, params)
        for v, p, u in zip(known, params, updates):
            v._set(p + u)
        _binding.write(self, state)
        if not _binding.active() and any(hasattr(v, "_layer") for v in known):
            from ..models._variables import bump_weights_version

            bump_weights_version()
