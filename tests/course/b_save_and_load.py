"""Save and load models (the TensorFlow tutorial's steps, on MNIST digits).

Train a small model while a ModelCheckpoint callback writes its weights, build
a *second* instance of the same architecture, load the checkpoint into it and
check that it is as accurate as the trained one; then save the whole model and
load it back.

Run: python b_save_and_load.py   (B_SMALL=0 for the full 10k digits)
"""

import os
import tempfile

import trainlab as tl


def create_model():
    model = tl.Sequential([
        tl.layers.Dense(64, activation="relu", input_shape=(784,)),
        tl.layers.Dropout(0.2),
        tl.layers.Dense(10),
    ])
    model.compile(optimizer="adam",
                  loss=tl.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[tl.metrics.SparseCategoricalAccuracy()])
    return model


def main(small=True):
    (train_images, train_labels), (test_images, test_labels) = tl.datasets.mnist.load_data()
    n = 1000 if small else len(train_images)
    train_labels, test_labels = train_labels[:n], test_labels[:500]
    train_images = train_images[:n].reshape(-1, 28 * 28) / 255.0
    test_images = test_images[:500].reshape(-1, 28 * 28) / 255.0

    model = create_model()
    model.summary()

    checkpoint_dir = tempfile.mkdtemp()
    checkpoint_path = os.path.join(checkpoint_dir, "cp.ckpt")
    cp_callback = tl.callbacks.ModelCheckpoint(filepath=checkpoint_path, save_weights_only=True, verbose=1)
    model.fit(train_images, train_labels, epochs=3 if small else 10,
              validation_data=(test_images, test_labels), callbacks=[cp_callback], verbose=0)

    # a new, untrained instance of the same architecture
    fresh = create_model()
    _, untrained_acc = fresh.evaluate(test_images, test_labels, verbose=2)
    print(f"Untrained model, accuracy: {100 * untrained_acc:5.2f}%")

    fresh.load_weights(checkpoint_path)
    loss, restored_acc = fresh.evaluate(test_images, test_labels, verbose=2)
    print(f"Restored model, accuracy: {100 * restored_acc:5.2f}%")
    _, trained_acc = model.evaluate(test_images, test_labels, verbose=0)

    # the whole model: architecture, weights and optimizer in one file
    path = os.path.join(checkpoint_dir, "my_model.trainlab")
    model.save(path)
    new_model = tl.models.load_model(path)
    _, loaded_acc = new_model.evaluate(test_images, test_labels, verbose=2)
    return {"untrained_acc": untrained_acc, "trained_acc": trained_acc, "restored_acc": restored_acc,
            "loaded_acc": loaded_acc}


if __name__ == "__main__":
    print(main(small=os.environ.get("B_SMALL", "1") != "0"))
