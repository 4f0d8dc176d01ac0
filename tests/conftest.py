"""Shared test setup: deterministic seeds, fresh layer names, and CPU-only JAX."""

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_session():
    import trainlab as tl

    tl.layers.clear_session()
    tl.set_random_seed(0)
    yield
