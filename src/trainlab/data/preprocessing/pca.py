"""`PCA`: principal component analysis as a layer, fitted with `adapt`.

`adapt` accumulates the mean and the centred scatter matrix batch by batch in
float64 (so it streams over memory maps), then takes the eigendecomposition of
the covariance. Results match scikit-learn's `PCA` including the sign
convention (each component's largest-magnitude entry is positive), so outputs
are identical, not just equal up to sign.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from ._base import PreprocessingLayer, check_no_nan

__all__ = ["PCA"]


class PCA(PreprocessingLayer):
    """Project features onto their top principal components: ``(N, D) -> (N, K)``.

    ``y = (x - mean) @ components.T`` (divided by ``sqrt(explained_variance)``
    when `whiten`), with the components of the training data's covariance.

    Args:
        n_components: K as an int; a float in (0, 1) keeps the fewest
            components whose explained-variance ratio reaches it (e.g. 0.95);
            None keeps ``min(N, D)``.
        whiten: scale outputs to unit variance.
        output_dim: the K found by `adapt` (set automatically and saved in the
            configuration, so a loaded model rebuilds with the same size).

    Attributes after `adapt` (numpy, like scikit-learn): ``components_``
    ``(K, D)``, ``explained_variance_``, ``explained_variance_ratio_``,
    ``mean_``, ``n_components_``.

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).normal(size=(100, 5))
        >>> pca = PCA(n_components=2)
        >>> pca.adapt(x)
        >>> pca(x).shape
        (100, 2)
    """

    def __init__(self, n_components: int | float | None = None, whiten: bool = False, output_dim: int | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        if n_components is not None:
            if isinstance(n_components, bool) or not isinstance(n_components, (int, float, np.integer, np.floating)):
                raise TypeError(
                    f"`n_components` must be an int, a float in (0, 1) or None; received {n_components!r}."
                )
            if isinstance(n_components, (int, np.integer)):
                if n_components < 1:
                    raise ValueError(f"`n_components` must be >= 1 as an int; received {n_components!r}.")
                n_components = int(n_components)
            elif not 0.0 < float(n_components) < 1.0:
                raise ValueError(
                    f"`n_components` as a float is a fraction of explained variance and must be in (0, 1); "
                    f"received {n_components!r}. Pass an int to choose the number of components."
                )
            else:
                n_components = float(n_components)
        self.n_components = n_components
        self.whiten = bool(whiten)
        self.output_dim = None if output_dim is None else int(output_dim)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                f"Layer {self.name!r} (PCA) takes 2-D inputs (N, features) with a known number of features; "
                f"received shape {tuple(input_shape)}. Flatten images first, e.g. x.reshape(len(x), -1)."
            )
        d = int(input_shape[-1])
        k = self.output_dim
        if k is None:
            k = self.n_components if isinstance(self.n_components, int) else d
        if k > d:
            raise ValueError(
                f"`n_components`={k} exceeds the {d} features of the inputs of layer {self.name!r} (PCA)."
            )
        self.output_dim = k
        self.add_weight("mean", (d,), "zeros", trainable=False)
        self.add_weight("components", (k, d), "zeros", trainable=False)
        self.add_weight("scale", (k,), "ones", trainable=False)
        self.add_weight("explained_variance", (k,), "zeros", trainable=False)
        self.add_weight("explained_variance_ratio", (k,), "zeros", trainable=False)
        self.add_weight("count", (), "zeros", trainable=False)

    def _fit(self, batches, names):
        n, mean, scatter, d = 0, None, None, None
        for batch in batches:
            batch = np.asarray(batch, np.float64)
            if batch.ndim != 2:
                raise ValueError(
                    f"PCA.adapt() takes 2-D data (N, features); received a batch of shape {batch.shape}. Flatten "
                    f"images first, e.g. x.reshape(len(x), -1)."
                )
            if d is None:
                d = batch.shape[1]
            elif batch.shape[1] != d:
                raise ValueError(f"PCA.adapt() received batches with {d} and {batch.shape[1]} features.")
            check_no_nan(batch, self, names)
            m = batch.shape[0]
            if m == 0:
                continue
            b_mean = batch.mean(axis=0)
            centred = batch - b_mean
            b_scatter = centred.T @ centred
            if mean is None:
                n, mean, scatter = m, b_mean, b_scatter
                continue
            total = n + m
            delta = b_mean - mean
            scatter = scatter + b_scatter + np.outer(delta, delta) * (n * m / total)
            mean = mean + delta * (m / total)
            n = total
        if mean is None:
            raise ValueError("PCA.adapt() received no samples.")
        if n < 2:
            raise ValueError("PCA.adapt() needs at least 2 samples to estimate a covariance.")
        cov = scatter / (n - 1)
        eigvals, eigvecs = np.linalg.eigh(cov)
        order = np.argsort(eigvals)[::-1]
        eigvals = np.clip(eigvals[order], 0.0, None)
        components = eigvecs[:, order].T  # (D, D), rows are components
        # scikit-learn's svd_flip(u_based_decision=False): largest |entry| of each row positive
        signs = np.sign(components[np.arange(d), np.argmax(np.abs(components), axis=1)])
        signs[signs == 0] = 1.0
        components *= signs[:, None]
        total_var = eigvals.sum()
        ratio = eigvals / total_var if total_var > 0 else np.zeros_like(eigvals)
        max_k = min(n, d)
        if self.n_components is None:
            k = max_k
        elif isinstance(self.n_components, float):
            k = int(np.searchsorted(np.cumsum(ratio), self.n_components, side="right")) + 1
            k = min(k, max_k)
        else:
            k = self.n_components
            if k > max_k:
                raise ValueError(
                    f"`n_components`={k} must be <= min(samples, features) = min({n}, {d}) = {max_k}."
                )
        ev = eigvals[:k]
        scale = 1.0 / np.sqrt(np.maximum(ev, 1e-12)) if self.whiten else np.ones(k)
        if self.built and self.output_dim != k:
            self._build_input_shape = None  # force a rebuild for the new K
        self.output_dim = k
        self.components_ = components[:k].astype(np.float32)
        self.explained_variance_ = ev
        self.explained_variance_ratio_ = ratio[:k]
        self.mean_ = mean
        self.n_components_ = k
        return ({"mean": mean, "components": components[:k], "scale": scale, "explained_variance": ev,
                 "explained_variance_ratio": ratio[:k], "count": np.asarray(float(n))}, (d,))

    def check_input_shape(self, input_shape):
        d = self._specs["mean"].shape[0]
        if len(input_shape) != 2 or input_shape[-1] != d:
            raise ValueError(
                f"Layer {self.name!r} (PCA) was adapted on {d} features, but received inputs of shape "
                f"{tuple(input_shape)}. Transform data with the same columns, in the same order, as the data "
                f"passed to adapt()."
            )

    def call(self, inputs):
        y = jnp.matmul(inputs - self.mean, self.components.T)
        return y * self.scale if self.whiten else y

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        return {**super().get_config(), "n_components": self.n_components, "whiten": self.whiten,
                "output_dim": self.output_dim}
