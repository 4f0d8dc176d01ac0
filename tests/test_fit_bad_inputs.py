"""fit/evaluate refuse bad arguments with a message naming the argument (never a JAX or
Python internal message), and warn about negative sample weights."""

from __future__ import annotations

import numpy as np
import pytest

import trainlab as tl
from trainlab import callbacks, layers


@pytest.fixture(scope="module")
def model():
    m = tl.Sequential([layers.Dense(1, input_shape=(3,))])
    m.compile(optimizer="sgd", loss="mse")
    return m


X = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
Y = X @ np.array([1.0, -2.0, 0.5], "float32")


@pytest.mark.parametrize("split, match", [
    (0.999, r"`validation_split`=0.999 of 40 samples leaves 1 training sample\(s\); the training part needs at "
            r"least 2 samples"),
    (0.01, r"`validation_split`=0.01 of 40 samples leaves an empty validation set"),
])
def test_validation_split_leaving_too_few_rows(model, split, match):
    with pytest.raises(ValueError, match=match):
        model.fit(X, Y, validation_split=split, verbose=0)


def test_validation_split_keeping_two_training_rows_trains(model):
    history = model.fit(X[:10], Y[:10], validation_split=0.8, epochs=1, verbose=0)
    assert set(history.history) == {"loss", "val_loss"}


def test_negative_sample_weight_warns(model):
    weights = np.ones(40, "float32")
    weights[[3, 7]] = [-1.0, -0.5]
    with pytest.warns(UserWarning, match=r"`sample_weight` has 2 negative value\(s\) \(the smallest is -1\); "
                                         r"training \*maximizes\* the loss"):
        model.fit(X, Y, sample_weight=weights, epochs=1, verbose=0)


@pytest.mark.parametrize("x, y, match", [
    (np.array([["a", "b", "c"]] * 4), Y[:4], r"`x` must hold real numbers \(int, float or bool\); received an "
                                              r"array of strings \(dtype <U1, shape \(4, 3\)\)"),
    (X[:4] + 1j, Y[:4], r"`x` must hold real numbers .* array of complex numbers \(dtype complex"),
    (X[:4], np.array(["1", "2", "3", "4"]), r"`y` must hold real numbers .* array of strings"),
])
def test_strings_and_complex_numbers(model, x, y, match):
    with pytest.raises(TypeError, match=match):
        model.fit(x, y, verbose=0)


@pytest.mark.parametrize("verbose", ["loud", 3, -1, 1.5, None])
def test_bad_verbose(model, verbose):
    with pytest.raises(ValueError, match=r"`verbose` must be 'auto', 0 \(silent\), 1 \(progress bar\) or 2"):
        model.fit(X, Y, verbose=verbose)
    with pytest.raises(ValueError, match=r"`verbose` must be 'auto'"):
        model.evaluate(X, Y, verbose=verbose)
    with pytest.raises(ValueError, match=r"`verbose` must be 'auto'"):
        model.predict(X, verbose=verbose)


@pytest.mark.parametrize("verbose", ["auto", 0, 2, True, np.int64(0)])
def test_keras_verbose_values_are_accepted(model, verbose):
    model.fit(X, Y, epochs=1, verbose=verbose)


def test_single_callback_instead_of_a_list(model):
    with pytest.raises(TypeError, match=r"`callbacks` must be a list of callbacks; received a single History. "
                                        r"Wrap it in a list: callbacks=\[History\(...\)\]"):
        model.fit(X, Y, callbacks=callbacks.History(), verbose=0)
    with pytest.raises(TypeError, match=r"`callbacks` must be a list of callbacks .*; received str"):
        model.fit(X, Y, callbacks="early_stopping", verbose=0)


def test_run_dir_that_is_a_file(model, tmp_path):
    path = tmp_path / "taken"
    path.write_text("a file")
    with pytest.raises(ValueError, match=r"`run_dir` '.*taken' is an existing file, not a folder"):
        model.fit(X, Y, run_dir=path, verbose=0)
    assert path.read_text() == "a file"
