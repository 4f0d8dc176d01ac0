"""Datasets from a folder of files, one subfolder per class (Keras'
`image_dataset_from_directory` / `text_dataset_from_directory`).

::

    main_directory/
        class_a/  a_1.jpg  a_2.jpg ...
        class_b/  b_1.jpg ...

Files are read lazily, one batch at a time (`Dataset.from_files`), so a folder
of any size streams with bounded memory. As in Keras, the file list is
shuffled once with `seed` before the `validation_split`, so that two calls
with ``subset="training"`` and ``subset="validation"`` and the same seed get
disjoint files; the dataset then reshuffles every epoch. The returned dataset
has ``class_names`` (the subfolder names, sorted, or the `class_names` given).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_positive_int, describe
from .dataset import Dataset

__all__ = ["image_dataset_from_directory", "text_dataset_from_directory"]

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
TEXT_FORMATS = (".txt",)
_LABEL_MODES = ("int", "categorical", "binary", None)
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}
_PIL_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}


def _walk(folder: str, formats: tuple[str, ...], follow_links: bool) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder, followlinks=follow_links):
        dirs.sort()
        found.extend(os.path.join(root, f) for f in sorted(files) if f.lower().endswith(formats))
    return found


def index_directory(directory: Any, labels: Any, formats: tuple[str, ...], class_names: Sequence[str] | None,
                    follow_links: bool = False) -> tuple[list[str], np.ndarray | None, list[str]]:
    """The files of `directory` with their label ids and the class names.

    Returns:
        ``(paths, label_ids or None, class_names)``; paths are grouped by class
        (in `class_names` order), sorted within each class.
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` {directory!r} is not a folder. Pass the folder that holds one subfolder per "
                         f"class (or the files themselves with labels=None).")
    if labels is None or not isinstance(labels, str):
        paths = _walk(directory, formats, follow_links)
        if labels is None:
            return paths, None, []
        labels = np.asarray(labels)
        if labels.ndim != 1 or len(labels) != len(paths):
            raise ValueError(
                f"`labels` must give one label per file ({len(paths)} files with extensions {formats} found under "
                f"{directory!r}, in sorted order); received {len(labels) if labels.ndim == 1 else labels.shape}."
            )
        names = [str(c) for c in (class_names or np.unique(labels))]
        return paths, labels.astype(np.int32), names
    if labels != "inferred":
        raise ValueError(f"`labels` must be 'inferred', None, or a list of one label per file; received {labels!r}.")
    subdirs = sorted(d.name for d in Path(directory).iterdir() if d.is_dir() and not d.name.startswith("."))
    if class_names is not None:
        class_names = [str(c) for c in class_names]
        if sorted(class_names) != subdirs:
            raise ValueError(
                f"`class_names` must name the subfolders of {directory!r}: expected (in any order) {subdirs}, "
                f"received {class_names}."
            )
        subdirs = class_names
    paths, ids = [], []
    for i, name in enumerate(subdirs):
        files = _walk(os.path.join(directory, name), formats, follow_links)
        paths.extend(files)
        ids.extend([i] * len(files))
    return paths, np.asarray(ids, np.int32), list(subdirs)


def _split(paths: list[str], ids: Any, validation_split: float | None, subset: str | None,
           shuffle: bool, seed: int | None) -> list[tuple[list[str], Any, str | None]]:
    if validation_split is None and subset is not None:
        raise ValueError(f"`subset` {subset!r} needs `validation_split` (e.g. validation_split=0.2).")
    if validation_split is not None:
        if not isinstance(validation_split, (int, float)) or not 0 < validation_split < 1:
            raise ValueError(f"`validation_split` must be between 0 and 1, e.g. 0.2; received {validation_split!r}.")
        if subset not in ("training", "validation", "both"):
            raise ValueError(
                f"`subset` must be 'training', 'validation' or 'both' with `validation_split`; received {subset!r}."
            )
        if shuffle and seed is None:
            raise ValueError(
                "With `validation_split` and shuffle=True, pass a `seed` (e.g. seed=123): the training and "
                "validation calls must shuffle the same way, or their files would overlap."
            )
    if shuffle:
        order = np.random.RandomState(seed if seed is not None else np.random.randint(2**31 - 1)).permutation(len(paths))
        paths = [paths[i] for i in order]
        ids = None if ids is None else ids[order]
    if validation_split is None:
        return [(paths, ids, None)]
    n_val = int(validation_split * len(paths))
    parts = {"training": (paths[:len(paths) - n_val], None if ids is None else ids[:len(paths) - n_val]),
             "validation": (paths[len(paths) - n_val:], None if ids is None else ids[len(paths) - n_val:])}
    names = ["training", "validation"] if subset == "both" else [subset]
    return [(*parts[name], name) for name in names]


def _encode_labels(ids: np.ndarray, label_mode: str | None, num_classes: int) -> np.ndarray:
    if label_mode == "int":
        return ids.astype(np.int32)
    if label_mode == "binary":
        return ids.astype(np.float32)[:, None]
    return np.eye(num_classes, dtype=np.float32)[ids]


def _from_directory(directory: Any, loader: Callable[[str], Any], formats: tuple[str, ...], *, labels: Any,
                    label_mode: str | None, class_names: Any, batch_size: int | None, shuffle: bool,
                    seed: int | None, validation_split: float | None, subset: str | None, follow_links: bool,
                    verbose: bool) -> Any:
    if label_mode not in _LABEL_MODES:
        raise ValueError(f"`label_mode` must be 'int', 'categorical', 'binary' or None; received {label_mode!r}.")
    if batch_size is not None:
        batch_size = check_positive_int("batch_size", batch_size)
    if labels is None:
        label_mode = None
    paths, ids, names = index_directory(directory, labels, formats, class_names, follow_links)
    if not paths:
        raise ValueError(f"No files with extensions {formats} found in `directory` {os.fspath(directory)!r}.")
    if label_mode == "binary" and len(names) != 2:
        raise ValueError(
            f"`label_mode='binary'` needs exactly 2 classes, but {len(names)} were found ({names}). Use "
            f"label_mode='int' or 'categorical' for more classes."
        )
    if verbose:
        print(f"Found {len(paths)} files" + (f" belonging to {len(names)} classes." if names else "."))
    out = []
    for part_paths, part_ids, name in _split(paths, ids, validation_split, subset, shuffle, seed):
        if verbose and name is not None:
            print(f"Using {len(part_paths)} files for {name}.")
        if not part_paths:
            raise ValueError(f"The {name} subset of `directory` is empty; use a smaller `validation_split`.")
        targets = None if label_mode is None else _encode_labels(part_ids, label_mode, len(names))
        ds = Dataset.from_files(part_paths, loader=loader, labels=targets)
        if shuffle:
            ds = ds.shuffle(8 * (batch_size or 32), seed=seed)
        if batch_size is not None:
            ds = ds.batch(batch_size)
        ds.class_names = list(names)
        ds.file_paths = list(part_paths)
        out.append(ds)
    return tuple(out) if subset == "both" else out[0]


def image_dataset_from_directory(directory: Any, labels: Any = "inferred", label_mode: str | None = "int",
                                 class_names: Sequence[str] | None = None, color_mode: str = "rgb",
                                 batch_size: int | None = 32, image_size: tuple[int, int] = (256, 256),
                                 shuffle: bool = True, seed: int | None = None,
                                 validation_split: float | None = None, subset: str | None = None,
                                 interpolation: str = "bilinear", follow_links: bool = False,
                                 crop_to_aspect_ratio: bool = False, verbose: bool = True) -> Any:
    """A `Dataset` of ``(images, labels)`` batches from a folder of images (Keras' arguments and defaults).

    Args:
        directory: a folder with one subfolder of images per class.
        labels: "inferred" (from the subfolders), None, or one label id per file (sorted paths).
        label_mode: "int" (``(B,)`` int32), "categorical" (one-hot ``(B, K)``),
            "binary" (``(B, 1)`` float32, 2 classes) or None (images only).
        class_names: the subfolders to use, in the order that defines the label ids.
        color_mode: "grayscale", "rgb" or "rgba" (1, 3 or 4 channels).
        batch_size: images per batch (None: single images).
        image_size: ``(height, width)`` every image is resized to.
        shuffle, seed: shuffle the files (once, before the split) and every epoch.
        validation_split, subset: hold out the last fraction of the shuffled
            files; subset "training", "validation" or "both" (a tuple of two).
        interpolation: "bilinear", "nearest", "bicubic", "lanczos", "area" or "box".
        crop_to_aspect_ratio: center-crop to the aspect ratio of `image_size` before resizing.

    Returns:
        A `Dataset` of float32 images ``(B, height, width, channels)`` in
        [0, 255] (and labels), with ``class_names`` and ``file_paths``.

    Example:
        >>> train_ds = image_dataset_from_directory("flowers", validation_split=0.2, subset="training",
        ...                                         seed=123, image_size=(180, 180))  # doctest: +SKIP
        >>> train_ds.class_names  # doctest: +SKIP
        ['daisy', 'roses', 'tulips']
    """
    if color_mode not in _CHANNELS:
        raise ValueError(f"`color_mode` must be 'grayscale', 'rgb' or 'rgba'; received {color_mode!r}.")
    try:
        size = tuple(int(s) for s in image_size)
    except TypeError:
        size = ()
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"`image_size` must be (height, width) of positive ints, e.g. (180, 180); "
                         f"received {describe(image_size)}.")
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("image_dataset_from_directory needs Pillow: pip install pillow.") from None
    methods = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST, "bicubic": Image.BICUBIC,
               "lanczos": Image.LANCZOS, "area": Image.BOX, "box": Image.BOX}
    if interpolation not in methods:
        raise ValueError(f"`interpolation` must be one of {sorted(methods)}; received {interpolation!r}.")
    height, width = size
    mode, method = _PIL_MODES[color_mode], methods[interpolation]

    def load(path: str) -> np.ndarray:
        with Image.open(path) as img:
            img = img.convert(mode)
            if crop_to_aspect_ratio:
                w, h = img.size
                scale = min(w / width, h / height)
                cw, ch = round(width * scale), round(height * scale)
                left, top = (w - cw) // 2, (h - ch) // 2
                img = img.crop((left, top, left + cw, top + ch))
            img = img.resize((width, height), method)
            return np.asarray(img, np.float32).reshape(height, width, _CHANNELS[color_mode])

    return _from_directory(directory, load, IMAGE_FORMATS, labels=labels, label_mode=label_mode,
                           class_names=class_names, batch_size=batch_size, shuffle=shuffle, seed=seed,
                           validation_split=validation_split, subset=subset, follow_links=follow_links,
                           verbose=verbose)


def text_dataset_from_directory(directory: Any, labels: Any = "inferred", label_mode: str | None = "int",
                                class_names: Sequence[str] | None = None, batch_size: int | None = 32,
                                max_length: int | None = None, shuffle: bool = True, seed: int | None = None,
                                validation_split: float | None = None, subset: str | None = None,
                                follow_links: bool = False, verbose: bool = True) -> Any:
    """A `Dataset` of ``(texts, labels)`` batches from a folder of .txt files (Keras' arguments and defaults).

    Args:
        directory: a folder with one subfolder of .txt files per class.
        max_length: keep at most this many characters of each text.
        (the other arguments as in `image_dataset_from_directory`.)

    Returns:
        A `Dataset` of string arrays ``(B,)`` (and labels), with ``class_names``.

    Example:
        >>> raw_train = text_dataset_from_directory("aclImdb/train", batch_size=32, validation_split=0.2,
        ...                                         subset="training", seed=42)  # doctest: +SKIP
        >>> raw_train.class_names  # doctest: +SKIP
        ['neg', 'pos']
    """
    if max_length is not None:
        max_length = check_positive_int("max_length", max_length)

    def load(path: str) -> str:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        return text if max_length is None else text[:max_length]

    return _from_directory(directory, load, TEXT_FORMATS, labels=labels, label_mode=label_mode,
                           class_names=class_names, batch_size=batch_size, shuffle=shuffle, seed=seed,
                           validation_split=validation_split, subset=subset, follow_links=follow_links,
                           verbose=verbose)
