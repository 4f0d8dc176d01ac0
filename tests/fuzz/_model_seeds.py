"""Small trained models for the model-file fuzz targets: Sequential and functional,
with Dense, Embedding, Conv2D, BatchNormalization, Dropout, TextVectorization (a
string layer), and compiled optimizers with their state (Adam, SGD with momentum,
RMSprop) plus one uncompiled model."""

from __future__ import annotations

import numpy as np


def seed_models(train: bool = True) -> list:
    """The seed models; with `train=False` they are only built (no compile / fit, much
    faster: enough for weights files, which hold no optimizer state)."""
    import trainlab as tl
    from trainlab import layers

    tl.set_random_seed(0)
    rng = np.random.default_rng(0)
    models = []

    dense = tl.Sequential([layers.Input((4,)), layers.Dense(8, activation="relu", kernel_regularizer="l2"),
                           layers.BatchNormalization(), layers.Dropout(0.2), layers.Dense(3, activation="softmax")])
    if train:
        dense.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        dense.fit(rng.normal(size=(16, 4)).astype("float32"), rng.integers(0, 3, 16), epochs=1, verbose=0)
    models.append(dense)

    text = layers.TextVectorization(max_tokens=30, output_sequence_length=6)
    text.adapt(["the cat sat on the mat", "a dog ran far away", "birds sing"])
    words = tl.Sequential([text, layers.Embedding(30, 4, mask_zero=True), layers.GlobalAveragePooling1D(),
                           layers.Dense(1, activation="sigmoid")])
    if train:
        words.compile(tl.optimizers.SGD(0.1, momentum=0.9), "binary_crossentropy")
        words.fit(np.array(["the cat", "dog ran", "birds sing", "a mat"]), np.array([0.0, 1.0, 1.0, 0.0]), verbose=0)
    else:
        words(np.array(["the cat"]))
    models.append(words)

    image = layers.Input((8, 8, 1))
    h = layers.Conv2D(4, 3, padding="same", activation="relu")(image)
    h = layers.Dropout(0.1)(layers.Flatten()(layers.BatchNormalization()(h)))
    conv = tl.Model(image, layers.Dense(2)(h))
    if train:
        conv.compile("rmsprop", "mse")
        conv.fit(rng.normal(size=(8, 8, 8, 1)).astype("float32"), rng.normal(size=(8, 2)).astype("float32"), verbose=0)
    models.append(conv)

    a, tokens = layers.Input((3,), name="a"), layers.Input((5,), name="tokens", dtype="int32")
    e = layers.Flatten()(layers.Embedding(12, 2)(tokens))
    two = tl.Model([a, tokens], layers.Dense(2)(layers.Concatenate()([a, e])))
    two.build_from_data([np.zeros((1, 3), "float32"), np.zeros((1, 5), "int32")])
    models.append(two)
    return models
