"""Checks on user input that raise errors a user can act on.

Every message names the argument in backticks, says what was received, what
was expected, and how to fix it (ARCHITECTURE.md, principle 8). Use these
helpers instead of writing the same sentence again in each module.

Example:
    >>> check_positive_int("batch_size", 32)
    32
    >>> check_one_of("mode", "max", ["auto", "min", "max"])
    'max'
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any

__all__ = [
    "describe",
    "did_you_mean",
    "check_one_of",
    "check_positive_int",
    "check_int_at_least",
    "check_verbose",
    "check_bool",
    "check_positive_number",
    "check_nonempty_string",
    "check_nonnegative",
    "check_in_range",
    "check_finite_number",
    "unknown_name_error",
]


def describe(value: Any) -> str:
    """A short description of a received value for error messages: its repr
    (shortened) and, for arrays, the shape and dtype."""
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        return f"an array of shape {tuple(shape)} and dtype {dtype}"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} (type {type(value).__name__})"


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """' Did you mean "x"?' when a close match exists, else ''."""
    close = difflib.get_close_matches(str(name), [str(v) for v in valid], n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


def unknown_name_error(kind: str, argument: str, name: Any, valid: Iterable[str]) -> ValueError:
    """The ValueError for an unknown string identifier (loss, optimizer, ...).

    Lists every valid name so the user can pick one.
    """
    valid = sorted(set(str(v) for v in valid))
    return ValueError(
        f"Unknown {kind} {name!r} passed as `{argument}`.{did_you_mean(name, valid)} "
        f"Expected one of: {', '.join(valid)}; or pass a {kind} object."
    )


def check_one_of(argument: str, value: Any, valid: Iterable[Any]) -> Any:
    """Return `value` if it is one of `valid`, else raise a ValueError listing them."""
    valid = list(valid)
    if value not in valid:
        names = ", ".join(repr(v) for v in valid)
        hint = did_you_mean(value, [str(v) for v in valid]) if isinstance(value, str) else ""
        raise ValueError(f"`{argument}` must be one of {names}; received {value!r}.{hint}")
    return value


def check_positive_int(argument: str, value: Any, *, allow_none: bool = False) -> Any:
    """Return `value` as int if it is an integer >= 1 (or None when allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int,)) and not _is_integral(value):
        raise TypeError(
            f"`{argument}` must be a positive integer; received {describe(value)}. "
            f"Pass a whole number such as {argument}=32."
        )
    if int(value) < 1:
        raise ValueError(
            f"`{argument}` must be a positive integer (>= 1); received {value!r}. "
            f"Pass a whole number such as {argument}=32."
        )
    return int(value)


def check_int_at_least(argument: str, value: Any, low: int) -> int:
    """Return `value` as int if it is an integer (not a bool) >= `low`.

    Example:
        >>> check_int_at_least("seed", 0, 0)
        0
    """
    if isinstance(value, bool) or not isinstance(value, int) and not _is_integral(value):
        raise TypeError(f"`{argument}` must be an integer >= {low}; received {describe(value)}.")
    if int(value) < low:
        raise ValueError(f"`{argument}` must be an integer >= {low}; received {value!r}.")
    return int(value)


def check_verbose(verbose: Any) -> int:
    """Keras' `verbose`: ``"auto"`` (1), 0 (silent), 1 (progress bar), 2 (one line per epoch); a bool is 0/1.

    Example:
        >>> check_verbose("auto"), check_verbose(2)
        (1, 2)
    """
    if verbose == "auto" and isinstance(verbose, str):
        return 1
    if isinstance(verbose, bool) or (isinstance(verbose, int) or _is_integral(verbose)) and verbose in (0, 1, 2):
        return int(verbose)
    raise ValueError(
        f"`verbose` must be 'auto', 0 (silent), 1 (progress bar) or 2 (one line per epoch); received "
        f"{describe(verbose)}."
    )


def check_bool(argument: str, value: Any) -> bool:
    """Return `value` if it is a bool (``True``/``False``; 0, 1 and strings are refused)."""
    if not isinstance(value, bool):
        raise TypeError(f"`{argument}` must be true or false; received {describe(value)}.")
    return value


def check_positive_number(argument: str, value: Any) -> float:
    """Return `value` as float if it is a finite number > 0 (not a bool or a string).

    Example:
        >>> check_positive_number("scale", 255)
        255.0
    """
    if isinstance(value, (bool, str, bytes)):
        raise TypeError(f"`{argument}` must be a number > 0; received {describe(value)}.")
    number = check_finite_number(argument, value)
    if number <= 0:
        raise ValueError(f"`{argument}` must be a finite number > 0; received {value!r}.")
    return number


def check_nonempty_string(argument: str, value: Any) -> str:
    """Return `value` if it is a string with a non-blank character (a name, a path)."""
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"`{argument}` must be a non-empty string; received {describe(value)}.")
    return value


def check_nonnegative(argument: str, value: Any) -> float:
    """Return `value` as float if it is a finite number >= 0."""
    value = check_finite_number(argument, value)
    if value < 0:
        raise ValueError(f"`{argument}` must be >= 0; received {value!r}. Pass 0 to disable it.")
    return value


def check_finite_number(argument: str, value: Any) -> float:
    """Return `value` as float if it is a finite real number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"`{argument}` must be a number; received {describe(value)}."
        ) from None
    if not math.isfinite(number):
        raise ValueError(f"`{argument}` must be a finite number; received {value!r}.")
    return number


def check_in_range(
    argument: str,
    value: Any,
    low: float,
    high: float,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = False,
    hint: str = "",
) -> float:
    """Return `value` as float if it lies in the given interval.

    Example:
        >>> check_in_range("validation_split", 0.2, 0.0, 1.0)
        0.2
    """
    number = check_finite_number(argument, value)
    ok_low = number >= low if low_inclusive else number > low
    ok_high = number <= high if high_inclusive else number < high
    if not (ok_low and ok_high):
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        raise ValueError(
            f"`{argument}` must be in {left}{low:g}, {high:g}{right}; received {value!r}."
            + (f" {hint}" if hint else "")
        )
    return number


def _is_integral(value: Any) -> bool:
    try:
        import numpy as np

        return isinstance(value, np.integer)
    except ImportError:  # pragma: no cover
        return False
