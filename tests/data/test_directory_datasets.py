"""`image_dataset_from_directory` / `text_dataset_from_directory` (Keras' utils) on small folders."""

import os

import numpy as np
import pytest
from PIL import Image

import trainlab as tl
from trainlab.data import image_dataset_from_directory, text_dataset_from_directory


@pytest.fixture
def image_dir(tmp_path):
    rng = np.random.default_rng(0)
    for c, name in enumerate(["tulips", "daisy", "roses"]):
        os.makedirs(tmp_path / name)
        for i in range(4):
            pixels = rng.integers(0, 256, size=(10 + i, 12, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / name / f"{i}.png")
    (tmp_path / "daisy" / "notes.md").write_text("not an image")
    return tmp_path


@pytest.fixture
def text_dir(tmp_path):
    for name in ("pos", "neg"):
        os.makedirs(tmp_path / name)
        for i in range(5):
            (tmp_path / name / f"{i}.txt").write_text(f"{name} review number {i}")
    return tmp_path


def _all(ds):
    xs, ys = zip(*[(np.asarray(x), np.asarray(y)) for x, y in ds])
    return np.concatenate(xs), np.concatenate(ys)


def test_images_are_resized_like_pillow_and_labelled_by_folder(image_dir, capsys):
    ds = tl.utils.image_dataset_from_directory(image_dir, image_size=(8, 6), batch_size=5, seed=1)
    assert "Found 12 files belonging to 3 classes." in capsys.readouterr().out
    assert ds.class_names == ["daisy", "roses", "tulips"]
    x, y = _all(ds)
    assert x.shape == (12, 8, 6, 3) and x.dtype == np.float32 and y.dtype == np.int32
    # each image against Pillow's own bilinear resize of its file
    by_pixels = {}
    for path in ds.file_paths:
        with Image.open(path) as img:
            ref = np.asarray(img.convert("RGB").resize((6, 8), Image.BILINEAR), np.float32)
        by_pixels[ref.tobytes()] = ds.class_names.index(os.path.basename(os.path.dirname(path)))
    assert sorted(by_pixels.values()) == sorted(y.tolist())
    for image, label in zip(x, y):
        assert by_pixels[image.tobytes()] == label
    assert [len(b[0]) for b in ds] == [5, 5, 2]


def test_label_modes_class_names_order_and_grayscale(image_dir):
    kwargs = dict(image_size=(4, 4), shuffle=False, verbose=False)
    ds = image_dataset_from_directory(image_dir, label_mode="categorical", class_names=["tulips", "daisy", "roses"],
                                      color_mode="grayscale", **kwargs)
    x, y = _all(ds)
    assert x.shape == (12, 4, 4, 1) and y.shape == (12, 3)
    np.testing.assert_array_equal(y.argmax(1), np.repeat([0, 1, 2], 4))  # ids follow class_names
    images = image_dataset_from_directory(image_dir, labels=None, batch_size=None, **kwargs)
    first = next(iter(images))
    assert first.shape == (4, 4, 3)
    with pytest.raises(ValueError, match=r"`label_mode='binary'` needs exactly 2 classes.*3 were found"):
        image_dataset_from_directory(image_dir, label_mode="binary", **kwargs)
    with pytest.raises(ValueError, match=r"`class_names` must name the subfolders.*received \['daisy'\]"):
        image_dataset_from_directory(image_dir, class_names=["daisy"], **kwargs)
    with pytest.raises(ValueError, match=r"`color_mode` must be.*received 'cmyk'"):
        image_dataset_from_directory(image_dir, color_mode="cmyk", **kwargs)


def test_validation_split_subsets_are_disjoint_and_need_a_seed(text_dir):
    train, val = text_dataset_from_directory(text_dir, batch_size=4, validation_split=0.3, subset="both", seed=7,
                                             verbose=False)
    assert train.class_names == val.class_names == ["neg", "pos"]
    assert len(train.file_paths) == 7 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    only_val = text_dataset_from_directory(text_dir, validation_split=0.3, subset="validation", seed=7, verbose=False)
    assert only_val.file_paths == val.file_paths
    texts, labels = _all(train)
    for text, label in zip(texts, labels):
        assert str(text).startswith(train.class_names[label])  # each text with its folder's label
    short, _ = _all(text_dataset_from_directory(text_dir, max_length=3, label_mode="binary", verbose=False))
    assert set(map(str, short)) == {"pos", "neg"}
    with pytest.raises(ValueError, match=r"pass a `seed`"):
        text_dataset_from_directory(text_dir, validation_split=0.2, subset="training", verbose=False)
    with pytest.raises(ValueError, match=r"`subset` must be 'training', 'validation' or 'both'.*received 'train'"):
        text_dataset_from_directory(text_dir, validation_split=0.2, subset="train", seed=1, verbose=False)
    with pytest.raises(ValueError, match=r"`label_mode` must be.*received 'sparse'"):
        text_dataset_from_directory(text_dir, label_mode="sparse", verbose=False)
    with pytest.raises(ValueError, match=r"`directory` .* is not a folder"):
        text_dataset_from_directory(text_dir / "missing", verbose=False)


def test_cache_replays_the_first_pass_without_reading_files_again(text_dir):
    reads = []

    def loader(path):
        reads.append(path)
        return open(path).read()

    ds = tl.data.Dataset.from_files(sorted(str(p) for p in text_dir.glob("*/*.txt")), loader=loader).cache()
    first = [str(t) for t in ds]
    assert len(reads) == 10
    assert [str(t) for t in ds] == first and len(reads) == 10  # the second pass reads no file
    assert ds.cardinality() == 10
    shuffled = ds.shuffle(10, seed=0)
    assert sorted(map(str, shuffled)) == sorted(first) and len(reads) == 10
    partial = tl.data.Dataset.from_files(sorted(str(p) for p in text_dir.glob("*/*.txt")), loader=loader).cache()
    list(partial.take(3))
    reads.clear()
    assert len(list(partial)) == 10 and len(reads) == 10  # an interrupted pass stored nothing
    with pytest.raises(ValueError, match=r"`filename` of Dataset.cache must be '' \(cache in memory\); received 'c.tmp'"):
        ds.cache("c.tmp")
