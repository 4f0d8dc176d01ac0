"""`Dataset.make_one_shot_iterator()`: TF 1 graph-style input functions.

The Google ML Crash Course writes its Estimator input functions in TF 1's
graph style::

    ds = Dataset.from_tensor_slices((features, targets)).batch(5).repeat(10)
    features, labels = ds.make_one_shot_iterator().get_next()
    return features, labels

In TF 1 `get_next()` returns symbolic tensors that stand for "the next batch"
and the Estimator pulls batches from them while it trains. Here `get_next()`
returns `IteratorOutput` stand-ins that keep a reference to the dataset, so
`estimator.train(input_fn=...)` (see `trainlab.estimators`) reads the batches
from the dataset itself. Outside an Estimator, iterate the dataset instead
(``for x, y in ds``) or call ``next(iterator)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["OneShotIterator", "IteratorOutput", "NextElement", "dataset_of"]


class IteratorOutput:
    """Stands for one part (features or labels) of "the next batch" of a dataset."""

    def __init__(self, dataset: Any, index: int | None):
        self.dataset = dataset
        self.index = index

    def __repr__(self) -> str:
        part = {0: "features", 1: "labels", None: "element"}.get(self.index, f"part {self.index}")
        return f"<IteratorOutput: the {part} of the next batch of {self.dataset!r}>"

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            "`get_next()` returns a stand-in for the next batch that only an estimator's "
            "train/evaluate/predict(input_fn=...) can read. To get arrays, iterate the dataset: "
            "`for features, labels in ds: ...` or `next(iter(ds))`."
        )


class NextElement(tuple):
    """What `OneShotIterator.get_next()` returns: ``(features, labels)`` stand-ins
    (unpack it as in TF 1), which also remembers its dataset."""

    dataset: Any

    def __new__(cls, dataset: Any) -> "NextElement":
        self = super().__new__(cls, (IteratorOutput(dataset, 0), IteratorOutput(dataset, 1)))
        self.dataset = dataset
        return self


class OneShotIterator:
    """An iterator over a dataset's elements, with TF 1's `get_next()`.

    Example:
        >>> import numpy as np
        >>> from trainlab.data import Dataset
        >>> ds = Dataset.from_tensor_slices(({"rooms": np.arange(6.0)}, np.arange(6.0))).batch(4)
        >>> it = ds.make_one_shot_iterator()
        >>> features, labels = it.get_next()     # stand-ins, for an input_fn
        >>> next(it)[1].tolist()                  # eager: the first batch
        [0.0, 1.0, 2.0, 3.0]
    """

    def __init__(self, dataset: Any):
        self._dataset = dataset
        self._iter: Iterator[Any] | None = None

    def get_next(self) -> NextElement:
        """Stand-ins for the next batch, read by an estimator's ``input_fn`` (TF 1 graph style)."""
        return NextElement(self._dataset)

    def __iter__(self) -> "OneShotIterator":
        return self

    def __next__(self) -> Any:
        if self._iter is None:
            self._iter = iter(self._dataset)
        return next(self._iter)


def dataset_of(value: Any) -> Any:
    """The dataset behind `get_next()` stand-ins (a `NextElement`, or a tuple of
    `IteratorOutput` from one dataset), else None."""
    if isinstance(value, NextElement):
        return value.dataset
    if isinstance(value, IteratorOutput):
        return value.dataset
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, IteratorOutput) for v in value):
        datasets = {id(v.dataset) for v in value}
        if len(datasets) == 1:
            return value[0].dataset
    return None
