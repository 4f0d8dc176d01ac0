"""Course program (c): the IMDB review classifier from the TensorFlow text
tutorial: Embedding -> GlobalAveragePooling1D -> Dense(16, relu) ->
Dense(1, sigmoid), trained with binary cross-entropy.

    python examples/imdb_text_classifier.py          # generated token data (offline)
    python examples/imdb_text_classifier.py --real   # trainlab.datasets.imdb (needs the data)

The generated data imitates reviews: sequences of word indices where a few
"positive" and "negative" words decide the label, padded with 0 to 256 steps.
"""

from __future__ import annotations

import argparse

import numpy as np

import trainlab as tl

VOCAB = 10000
MAXLEN = 256


def generated_reviews(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Token sequences whose label depends on sentiment words (indices 4-23)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, MAXLEN), "int32")
    y = rng.integers(0, 2, n)
    for i in range(n):
        length = rng.integers(40, MAXLEN)
        words = rng.integers(24, VOCAB, length)
        k = max(4, length // 8)  # about one word in eight carries the sentiment
        sentiment = rng.integers(4, 14, k) if y[i] else rng.integers(14, 24, k)
        words[rng.choice(length, k, replace=False)] = sentiment
        x[i, :length] = words
    return x, y.astype("float32")


def build_model() -> tl.Sequential:
    model = tl.Sequential([
        tl.layers.Embedding(VOCAB, 16),
        tl.layers.GlobalAveragePooling1D(),
        tl.layers.Dense(16, activation="relu"),
        tl.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def main(real: bool = False, epochs: int = 10, n: int = 2000, batch_size: int = 512, verbose: int = 1) -> dict:
    if real:
        (x_train, y_train), (x_test, y_test) = tl.datasets.imdb.load_data(num_words=VOCAB)
        from trainlab.data import pad_sequences

        x_train = pad_sequences(x_train, maxlen=MAXLEN, padding="post")
        x_test = pad_sequences(x_test, maxlen=MAXLEN, padding="post")
    else:
        x_train, y_train = generated_reviews(n, seed=0)
        x_test, y_test = generated_reviews(n // 2, seed=1)
    model = build_model()
    x_val, partial_x = x_train[: len(x_train) // 5], x_train[len(x_train) // 5:]
    y_val, partial_y = y_train[: len(y_train) // 5], y_train[len(y_train) // 5:]
    history = model.fit(partial_x, partial_y, epochs=epochs, batch_size=batch_size, validation_data=(x_val, y_val),
                        verbose=verbose)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    if verbose:
        print(f"Test accuracy: {acc:.4f}")
    return {"history": history, "test_accuracy": float(acc)}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--real", action="store_true")
    p.add_argument("--epochs", type=int, default=10)
    a = p.parse_args()
    main(real=a.real, epochs=a.epochs)
