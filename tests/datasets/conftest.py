"""Every test here runs with an empty cache folder (``TRAINLAB_CACHE_DIR``),
without ``TRAINLAB_DATA_DIR``, and with the network replaced by a function that
fails, so no test can download anything or read the user's files by accident.
"""

from __future__ import annotations

import urllib.error

import pytest

from trainlab.datasets import _download


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Fresh cache, no data dir, no network."""
    monkeypatch.setenv("TRAINLAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TRAINLAB_DATA_DIR", raising=False)

    def offline(url, out, *, timeout=0):
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(_download, "fetch", offline)
    return tmp_path
