"""The examples in the data modules' docstrings run and print what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "trainlab.data.dataset",
    "trainlab.data.preprocessing.scaling",
    "trainlab.data.preprocessing.pca",
    "trainlab.data.preprocessing.imputer",
    "trainlab.data.preprocessing.outliers",
    "trainlab.data.preprocessing.lookup",
    "trainlab.data.preprocessing.string_lookup",
    "trainlab.data.preprocessing.text",
    "trainlab.data.preprocessing.sequence",
    "trainlab.data.augmentation.geometric",
    "trainlab.data.augmentation.color",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             extraglobs={"np": importlib.import_module("numpy")})
    assert result.attempted > 0, f"{name} has no docstring example"
    assert result.failed == 0
