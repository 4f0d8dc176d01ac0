"""Image classification from a folder of images (the TensorFlow "image
classification" tutorial's pipeline, on generated pictures).

Three classes of 32x32 PNG images in one subfolder each; the program loads
them with ``image_dataset_from_directory`` (seeded training/validation split,
``class_names``), rescales in the model and trains a small CNN.

Run: python b_image_from_directory.py
"""

import os
import tempfile

import numpy as np
from PIL import Image

import trainlab as tl

CLASSES = ["circles", "horizontal", "vertical"]


def draw(kind, rng, size=32):
    yy, xx = np.mgrid[0:size, 0:size]
    if kind == "circles":
        cy, cx = rng.uniform(10, size - 10, 2)
        mask = (yy - cy) ** 2 + (xx - cx) ** 2 < rng.uniform(25, 60)
    elif kind == "horizontal":
        mask = (yy // rng.integers(3, 6)) % 2 == 0
    else:
        mask = (xx // rng.integers(3, 6)) % 2 == 0
    color = rng.integers(120, 256, 3)
    img = np.where(mask[..., None], color, rng.integers(0, 60, 3)).astype(np.uint8)
    return Image.fromarray(img)


def write_images(root, per_class, rng):
    for kind in CLASSES:
        os.makedirs(os.path.join(root, kind), exist_ok=True)
        for i in range(per_class):
            draw(kind, rng).save(os.path.join(root, kind, f"{kind}_{i}.png"))


def main(small=True):
    data_dir = tempfile.mkdtemp()
    write_images(data_dir, 40 if small else 300, np.random.default_rng(0))

    batch_size, img_height, img_width = 16, 16, 16
    train_ds = tl.utils.image_dataset_from_directory(
        data_dir, validation_split=0.2, subset="training", seed=123,
        image_size=(img_height, img_width), batch_size=batch_size)
    val_ds = tl.utils.image_dataset_from_directory(
        data_dir, validation_split=0.2, subset="validation", seed=123,
        image_size=(img_height, img_width), batch_size=batch_size)
    class_names = train_ds.class_names
    print(class_names)
    for image_batch, labels_batch in train_ds.take(1):
        print(image_batch.shape, labels_batch.shape)

    AUTOTUNE = tl.data.AUTOTUNE
    train_ds = train_ds.cache().shuffle(1000).prefetch(buffer_size=AUTOTUNE)
    val_ds = val_ds.cache().prefetch(buffer_size=AUTOTUNE)
    num_classes = len(class_names)
    model = tl.Sequential([
        tl.layers.Rescaling(1.0 / 255, input_shape=(img_height, img_width, 3)),
        tl.layers.Conv2D(8, 3, padding="same", activation="relu"),
        tl.layers.MaxPooling2D(),
        tl.layers.Flatten(),
        tl.layers.Dense(num_classes),
    ])
    model.compile(optimizer="adam", loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.summary()
    history = model.fit(train_ds, validation_data=val_ds, epochs=6 if small else 15, verbose=2)

    probe = np.asarray(draw("vertical", np.random.default_rng(99)).resize((img_width, img_height)), "float32")
    score = tl.activations.softmax(model.predict(probe[None], verbose=0))[0]
    print(f"This image most likely belongs to {class_names[int(np.argmax(score))]} "
          f"with a {100 * float(np.max(score)):.2f} percent confidence.")
    return {"class_names": class_names, "val_accuracy": history.history["val_accuracy"][-1],
            "probe_class": class_names[int(np.argmax(score))]}


if __name__ == "__main__":
    print(main(small=os.environ.get("B_SMALL", "1") != "0"))
