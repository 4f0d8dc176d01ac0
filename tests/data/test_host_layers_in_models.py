"""String layers (TextVectorization, StringLookup) as the first layers of a
Sequential model: applied on the host before the compiled program, and saved
with the model, so that inference on raw strings sees the same transformation."""

import numpy as np
import pytest

import trainlab as tl
from trainlab import layers

POS = ["a great film", "great acting and a fine story", "fine fine work", "i loved it", "great fun"]
NEG = ["a dull film", "bad acting and a dull story", "awful work", "i hated it", "bad fun"]


def _texts(n=80, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = np.array([(POS if t else NEG)[rng.integers(0, 5)] for t in y], dtype=object)
    return x, y.astype("float32")


def _vectorizer(x):
    vec = layers.TextVectorization(max_tokens=40, output_sequence_length=6)
    vec.adapt(x)
    return vec


def _head(seed_layers=None):
    return [layers.Embedding(40, 8), layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")]


def test_text_model_trains_predicts_and_saves_on_raw_strings(tmp_path):
    x, y = _texts()
    vec = _vectorizer(x)
    model = tl.Sequential([vec] + _head())
    model.compile(optimizer=tl.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=15, batch_size=16, verbose=0, validation_data=_texts(20, seed=1))
    assert hist.history["accuracy"][-1] > 0.9 and "val_accuracy" in hist.history
    # the same weights without the host layer, fed the vectorized integers: identical outputs
    ints = vec(x)
    assert ints.dtype == np.int32 and ints.shape == (80, 6)
    plain = tl.Sequential(_head())
    plain.build_from_data(ints)
    plain.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(x, verbose=0), plain.predict(ints, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(model(x[:4]), plain(ints[:4]), rtol=1e-6)  # eager call on strings
    assert model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"] > 0.9
    # the vocabulary is saved with the model: the loaded model reads raw strings the same way
    path = str(tmp_path / "text.trainlab")
    model.save(path)
    loaded = tl.models.load_model(path)
    assert type(loaded.layers[0]).__name__ == "TextVectorization"
    assert loaded.layers[0].get_vocabulary() == vec.get_vocabulary()
    new = np.array(["a fine story", "bad work", "never seen words"], dtype=object)
    np.testing.assert_allclose(loaded.predict(new, verbose=0), model.predict(new, verbose=0), rtol=1e-6)


def test_string_lookup_first_then_one_hot_and_dense(tmp_path):
    colours = np.array(["red", "green", "blue", "red", "green", "red"] * 10, dtype=object)
    y = (colours == "red").astype("float32")
    lookup = layers.StringLookup(output_mode="one_hot")
    lookup.adapt(colours)
    model = tl.Sequential([lookup, layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=tl.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(colours, y, epochs=40, batch_size=60, verbose=0)
    assert model.evaluate(colours, y, verbose=0, return_dict=True)["accuracy"] == 1.0
    assert model.layers[1].kernel.shape == (lookup.vocabulary_size(), 1)  # built from the one-hot width
    path = str(tmp_path / "lookup.trainlab")
    model.save(path)
    p = tl.models.load_model(path).predict(np.array(["red", "blue", "purple"], dtype=object), verbose=0)
    np.testing.assert_allclose(p, model.predict(np.array(["red", "blue", "purple"], dtype=object), verbose=0))
    assert p[0, 0] > 0.5 > p[1, 0]


def test_host_layer_after_another_layer_is_refused_with_advice():
    x, _ = _texts(10)
    model = tl.Sequential([layers.Dense(4)])
    with pytest.raises(ValueError, match=r"works on strings on the host, so it must come before every other layer"):
        model.add(_vectorizer(x))


def test_host_layer_inside_a_functional_model_says_how_to_use_it():
    x, _ = _texts(10)
    vec = _vectorizer(x)
    inp = layers.Input((1,))
    with pytest.raises(TypeError, match=r"first layer of a Sequential model"):
        vec(inp)


def test_string_input_layer_then_text_vectorization(tmp_path):
    """The course's `Input(shape=(), dtype="string")` before the vectorizer."""
    x, y = _texts(40)
    model = tl.Sequential([layers.Input(shape=(), dtype="string"), _vectorizer(x)] + _head())
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    path = str(tmp_path / "m.trainlab")
    model.save(path)
    loaded = tl.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x[:5], verbose=0), model.predict(x[:5], verbose=0), rtol=1e-6)
    assert model.layers[1].output_shape == (None, 6, 8)  # the embedding, built from the vectorized sequences
