"""Host-side checks of training targets against a loss and the output shape.

Run once on numpy arrays before training (never inside jit). A wrong target
encoding is the most common beginner error, and Keras's JAX backend hides it:
an out-of-range sparse label silently gives loss 0. These checks raise a
ValueError that says what was found and how to fix it.

Example:
    >>> import numpy as np
    >>> check_sparse_labels(np.array([0, 3, 9]), (None, 10), "sparse_categorical_crossentropy")
    >>> check_sparse_labels(np.array([1, 10]), (None, 10), "sparse_categorical_crossentropy")
    Traceback (most recent call last):
    ...
    ValueError: Labels in `y` range from 1 to 10, ...
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["check_sparse_labels", "check_one_hot_targets", "check_binary_targets"]


def _num(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _is_integral(y: np.ndarray) -> bool:
    if y.dtype.kind in "iub":
        return True
    if y.dtype.kind != "f":
        return False
    return bool(np.all(np.isfinite(y)) and np.all(np.mod(y, 1) == 0))


def _as_array(y, argument="y") -> np.ndarray:
    y = np.asarray(y)
    if y.dtype.kind not in "iubf":
        raise ValueError(
            f"`{argument}` must hold numbers; received an array of dtype {y.dtype}. "
            f"Encode text or categorical labels as integers first."
        )
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        bad = int(np.sum(~np.isfinite(y)))
        raise ValueError(
            f"`{argument}` contains {bad} NaN or infinite value(s); targets must be finite. "
            f"Drop or impute those samples before training."
        )
    return y


def check_sparse_labels(y_true, y_pred_shape, loss_name: str, ignore_class=None) -> None:
    """Integer labels in ``[0, num_classes)``, ``num_classes = y_pred_shape[-1]``.

    Raises:
        ValueError: for one-hot targets, non-integer values, labels out of range,
            or a shape that does not match the outputs.
    """
    y = _as_array(y_true)
    pred_shape = tuple(y_pred_shape)
    num_classes = pred_shape[-1]
    if num_classes is None or y.size == 0:
        return
    if y.ndim == len(pred_shape) and y.shape[-1] == num_classes and num_classes > 1:
        raise ValueError(
            f"`y` has shape {y.shape}, like the model output {pred_shape}: it looks one-hot "
            f"encoded, but {loss_name} expects integer class labels of shape "
            f"{(y.shape[0],) + pred_shape[1:-1]}. Use loss='categorical_crossentropy' for "
            f"one-hot labels, or pass y.argmax(axis=-1)."
        )
    label_shape = y.shape[1:-1] if (y.ndim == len(pred_shape) and y.shape[-1] == 1) else y.shape[1:]
    if label_shape != pred_shape[1:-1]:
        raise ValueError(
            f"`y` has shape {y.shape}, but the model output has shape {pred_shape}: {loss_name} "
            f"needs one integer label per output row, i.e. y of shape "
            f"{('n',) + pred_shape[1:-1]} or {('n',) + pred_shape[1:-1] + (1,)}."
        )
    if not _is_integral(y):
        sample = y[np.mod(y, 1) != 0].ravel()[:3]
        raise ValueError(
            f"{loss_name} needs integer class labels in `y`, but found non-integer values such "
            f"as {', '.join(_num(v) for v in sample)}. If `y` holds probabilities or one-hot "
            f"rows use loss='categorical_crossentropy'; for a regression target use 'mse'."
        )
    labels = y[y != ignore_class] if ignore_class is not None else y
    if labels.size == 0:
        return
    lo, hi = labels.min(), labels.max()
    if lo >= 0 and hi < num_classes:
        return
    hints = []
    if lo >= 1 and hi == num_classes:
        hints.append("The labels look 1-based: pass y - 1.")
    if lo < 0:
        hints.append(
            "Negative values are not class indices; if they mark unlabeled entries, pass "
            f"ignore_class={_num(lo)} to the loss."
        )
    if num_classes == 1:
        hints.append(
            "A single output unit cannot hold a class distribution: for two classes use "
            "Dense(1, activation='sigmoid') with loss='binary_crossentropy', or Dense(2, "
            "activation='softmax')."
        )
    elif lo >= 0:
        hints.append(f"If there really are {_num(hi + 1)} classes, give the last Dense layer "
                     f"{_num(hi + 1)} units.")
    raise ValueError(
        f"Labels in `y` range from {_num(lo)} to {_num(hi)}, but the model has "
        f"{num_classes} output classes (the last Dense layer has {num_classes} units; labels "
        f"must be 0..{num_classes - 1}) for {loss_name}. " + " ".join(hints)
    )


def check_one_hot_targets(y_true, y_pred_shape, loss_name: str) -> None:
    """One-hot (or soft) targets with the shape of the outputs.

    Raises:
        ValueError: for integer labels of shape (n,) or (n, 1), or any other
            shape mismatch.
    """
    y = _as_array(y_true)
    pred_shape = tuple(y_pred_shape)
    num_classes = pred_shape[-1]
    if num_classes is None or y.size == 0:
        return
    sparse_like = y.ndim == len(pred_shape) - 1 or (
        y.ndim == len(pred_shape) and y.shape[-1] == 1 and num_classes > 1)
    if sparse_like and _is_integral(y):
        raise ValueError(
            f"`y` has shape {y.shape} and holds integer class labels ({_num(y.min())} to "
            f"{_num(y.max())}), but {loss_name} expects one-hot targets of shape "
            f"{('n',) + pred_shape[1:]}. Use loss='sparse_categorical_crossentropy' for "
            f"integer labels, or one-hot encode them (np.eye({num_classes})[y])."
        )
    if y.shape[1:] != pred_shape[1:]:
        raise ValueError(
            f"`y` has shape {y.shape}, but the model output has shape {pred_shape}; "
            f"{loss_name} needs targets of the same shape as the outputs (one-hot rows of "
            f"{num_classes} classes)."
        )
    if num_classes == 1:
        warnings.warn(
            f"{loss_name} with a single output unit is always 0 (one class). For two "
            f"classes use loss='binary_crossentropy' with a sigmoid output.",
            UserWarning,
            stacklevel=3,
        )


def check_binary_targets(y_true, y_pred_shape, loss_name: str) -> None:
    """Targets in [0, 1], one per output unit.

    Raises:
        ValueError: for targets outside [0, 1] or a shape that does not match.
    """
    y = _as_array(y_true)
    pred_shape = tuple(y_pred_shape)
    if y.size == 0:
        return
    y_tail, p_tail = y.shape[1:], pred_shape[1:]
    if len(y.shape) == len(pred_shape) + 1 and y.shape[-1] == 1:
        y_tail = y_tail[:-1]
    elif len(pred_shape) == len(y.shape) + 1 and pred_shape[-1] == 1:
        p_tail = p_tail[:-1]
    if y_tail != p_tail:
        raise ValueError(
            f"`y` has shape {y.shape}, but the model output has shape {pred_shape}; "
            f"{loss_name} compares them element by element. For one binary label per sample "
            f"use a Dense(1, activation='sigmoid') output; for integer labels of "
            f"{pred_shape[-1]} classes use loss='sparse_categorical_crossentropy' with a "
            f"softmax output."
        )
    lo, hi = y.min(), y.max()
    if lo >= 0 and hi <= 1:
        return
    values = np.unique(y)
    if set(values.tolist()) <= {-1, 1}:
        hint = "The targets look like -1/1 labels: pass (y + 1) / 2, or use loss='hinge'."
    elif _is_integral(y) and lo >= 0:
        hint = (f"The targets look like class labels 0..{_num(hi)}: for {_num(hi + 1)} classes "
                f"use loss='sparse_categorical_crossentropy' with a Dense({_num(hi + 1)}, "
                f"activation='softmax') output.")
    else:
        hint = "Rescale the targets to [0, 1], or use a regression loss such as 'mse'."
    raise ValueError(
        f"{loss_name} needs targets in [0, 1], but `y` ranges from {_num(lo)} to {_num(hi)}. "
        + hint
    )
