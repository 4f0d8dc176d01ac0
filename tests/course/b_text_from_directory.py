"""Text classification from a folder of .txt files (the TensorFlow "basic text
classification" tutorial, on generated movie reviews).

``text_dataset_from_directory`` reads aclImdb-style folders (one subfolder per
class) with a seeded training/validation split and ``class_names``; a
TextVectorization layer with a custom standardization (lowercase, strip the
``<br />`` tags) turns the strings into word ids inside the model.

Run: python b_text_from_directory.py
"""

import os
import re
import string
import tempfile

import numpy as np

import trainlab as tl

POSITIVE = ["great", "wonderful", "moving", "brilliant", "loved", "superb", "funny"]
NEGATIVE = ["awful", "boring", "dull", "terrible", "hated", "waste", "worst"]
NEUTRAL = ["the", "movie", "film", "plot", "actor", "scene", "was", "and", "a", "story", "director", "it"]


def write_reviews(root, per_class, rng):
    for label, words in (("neg", NEGATIVE), ("pos", POSITIVE)):
        os.makedirs(os.path.join(root, label), exist_ok=True)
        for i in range(per_class):
            tokens = list(rng.choice(NEUTRAL, 20)) + list(rng.choice(words, 3))
            rng.shuffle(tokens)
            text = " ".join(tokens[:10]).capitalize() + ".<br /><br />" + " ".join(tokens[10:]) + "!"
            with open(os.path.join(root, label, f"{i}_{rng.integers(1, 10)}.txt"), "w") as f:
                f.write(text)


def custom_standardization(input_data):
    lowercase = input_data.lower()
    stripped_html = lowercase.replace("<br />", " ")
    return re.sub("[%s]" % re.escape(string.punctuation), "", stripped_html)


def main(small=True):
    dataset_dir = tempfile.mkdtemp()
    train_dir = os.path.join(dataset_dir, "train")
    write_reviews(train_dir, 100 if small else 1000, np.random.default_rng(0))

    batch_size, seed = 32, 42
    raw_train_ds = tl.utils.text_dataset_from_directory(
        train_dir, batch_size=batch_size, validation_split=0.2, subset="training", seed=seed)
    raw_val_ds = tl.utils.text_dataset_from_directory(
        train_dir, batch_size=batch_size, validation_split=0.2, subset="validation", seed=seed)
    for text_batch, label_batch in raw_train_ds.take(1):
        for i in range(2):
            print("Review", text_batch[i])
            print("Label", label_batch[i], raw_train_ds.class_names[label_batch[i]])

    max_features, sequence_length = 1000, 40
    vectorize_layer = tl.layers.TextVectorization(
        standardize=custom_standardization, max_tokens=max_features, output_mode="int",
        output_sequence_length=sequence_length)
    train_text = raw_train_ds.map(lambda x, y: x)
    vectorize_layer.adapt(train_text)

    model = tl.Sequential([
        vectorize_layer,
        tl.layers.Embedding(max_features, 16),
        tl.layers.Dropout(0.2),
        tl.layers.GlobalAveragePooling1D(),
        tl.layers.Dropout(0.2),
        tl.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss=tl.losses.BinaryCrossentropy(), optimizer=tl.optimizers.Adam(learning_rate=0.01),
                  metrics=[tl.metrics.BinaryAccuracy(threshold=0.5)])
    AUTOTUNE = tl.data.AUTOTUNE
    train_ds = raw_train_ds.cache().prefetch(buffer_size=AUTOTUNE)
    val_ds = raw_val_ds.cache().prefetch(buffer_size=AUTOTUNE)
    history = model.fit(train_ds, validation_data=val_ds, epochs=15, verbose=2)
    loss, accuracy = model.evaluate(raw_val_ds, verbose=0)
    examples = np.array(["The movie was great, superb and brilliant!", "Boring and awful. The worst film."])
    return {"class_names": raw_train_ds.class_names, "val_accuracy": accuracy,
            "history": history.history, "examples": model.predict(examples, verbose=0)[:, 0]}


if __name__ == "__main__":
    print({k: v for k, v in main(small=os.environ.get("B_SMALL", "1") != "0").items() if k != "history"})
