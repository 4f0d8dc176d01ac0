"""The examples in the docstrings of trainlab.features and trainlab.estimators run as written."""

import doctest
import importlib

import pytest

MODULES = [
    "trainlab.features", "trainlab.features._columns", "trainlab.features._layers", "trainlab.features._infer",
    "trainlab.estimators", "trainlab.estimators._canned", "trainlab.estimators._wrapper",
    "trainlab.estimators._anomaly", "trainlab.estimators.transfer",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
