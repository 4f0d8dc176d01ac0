"""Transfer learning on a split task: learn digits 0-4, then 5-9 from a few labels.

1. Pretrain an MLP on the digits 0-4 of scikit-learn's digits (all their labels).
2. Task B: the digits 5-9 with only `labels_per_class` labelled images each.
   * from scratch: the same architecture trained on those few labels only;
   * feature extraction: the pretrained layers frozen, a new softmax head trained;
   * fine-tuning: then the pretrained layer unfrozen and trained on with a
     10x lower learning rate.
3. Report test accuracy on all test images of 5-9, averaged over a few draws
   of the labelled images.

    python examples/transfer_learning_digits.py [--labels-per-class 5]
"""

from __future__ import annotations

import argparse

import numpy as np

import trainlab as tl
from trainlab.datasets import digits
from trainlab.estimators import transfer


def split_task(seed: int = 0, labels_per_class: int = 5) -> dict:
    """Pretraining data (0-4), a few labels of 5-9 (relabelled 0-4), and the 5-9 test set."""
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / digits.MAX_PIXEL
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / digits.MAX_PIXEL
    rng = np.random.default_rng(seed)
    a = y_train < 5
    few = np.concatenate([rng.choice(np.flatnonzero(y_train == c), labels_per_class, replace=False)
                          for c in range(5, 10)])
    b_test = y_test >= 5
    return {"pretrain": (x_train[a], y_train[a].astype("int32")),
            "few": (x_train[few], (y_train[few] - 5).astype("int32")),
            "test": (x_test[b_test], (y_test[b_test] - 5).astype("int32"))}


def mlp(name: str) -> tl.Sequential:
    return tl.Sequential([
        tl.layers.Dense(128, activation="relu", input_shape=(64,), name=f"{name}_hidden_1"),
        tl.layers.Dense(64, activation="relu", name=f"{name}_hidden_2"),
        tl.layers.Dense(5, activation="softmax", name=f"{name}_output"),
    ], name=name)


def accuracy(model: tl.Model, data: tuple) -> float:
    x, y = data
    return float((model.predict(x, verbose=0).argmax(axis=1) == y).mean())


def run(seed: int = 0, labels_per_class: int = 5, pretrain_epochs: int = 40, head_epochs: int = 100,
        fine_tune_epochs: int = 50, cut: str = "pretrained_hidden_1", verbose: int = 0) -> dict:
    """One draw of the labelled images; returns the three test accuracies.

    `cut` is the last pretrained layer kept in the base: the first hidden layer
    (generic stroke detectors) transfers better than the second, which is
    already specialized to the digits 0-4.
    """
    tl.set_random_seed(seed)
    data = split_task(seed, labels_per_class)
    compile_args = {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}

    pretrained = mlp("pretrained")
    pretrained.compile(optimizer=tl.optimizers.Adam(1e-3), **compile_args)
    pretrained.fit(*data["pretrain"], epochs=pretrain_epochs, batch_size=32, verbose=0)

    scratch = mlp("scratch")
    scratch.compile(optimizer=tl.optimizers.Adam(1e-2), **compile_args)
    scratch.fit(*data["few"], epochs=head_epochs, batch_size=16, verbose=0)

    # feature extraction: frozen base + new head
    base = transfer.base_model(pretrained, up_to=cut, trainable=False)
    model = transfer.with_new_head(base, [tl.layers.Dense(5, activation="softmax", name="new_head")])
    model.compile(optimizer=tl.optimizers.Adam(1e-2), **compile_args)
    frozen = [w.copy() for w in base.get_weights()]
    model.fit(*data["few"], epochs=head_epochs, batch_size=16, verbose=0)
    base_unchanged = all(np.array_equal(a, b) for a, b in zip(frozen, base.get_weights()))
    extraction = accuracy(model, data["test"])

    # fine-tuning: unfreeze the top pretrained layer, 10x lower learning rate
    transfer.fine_tune(model, base, *data["few"], unfreeze=1, learning_rate=1e-3, epochs=fine_tune_epochs,
                       batch_size=16, verbose=0)
    base_changed = not all(np.array_equal(a, b) for a, b in zip(frozen, base.get_weights()))
    result = {"scratch": accuracy(scratch, data["test"]), "feature_extraction": extraction,
              "fine_tuning": accuracy(model, data["test"]), "base_unchanged_while_frozen": base_unchanged,
              "base_changed_by_fine_tuning": base_changed}
    if verbose:
        print(f"seed {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in result.items() if isinstance(v, float)))
    return result


def main(seeds: int = 3, labels_per_class: int = 5, verbose: int = 1, **kwargs) -> dict:
    runs = [run(seed, labels_per_class, verbose=verbose, **kwargs) for seed in range(seeds)]
    summary = {k: float(np.mean([r[k] for r in runs])) for k in ("scratch", "feature_extraction", "fine_tuning")}
    for key in ("base_unchanged_while_frozen", "base_changed_by_fine_tuning"):
        summary[key] = all(r[key] for r in runs)
    if verbose:
        print(f"digits 5-9 with {labels_per_class} labels per class, mean test accuracy over {seeds} draws:")
        for k in ("scratch", "feature_extraction", "fine_tuning"):
            print(f"  {k:<20} {summary[k]:.3f}")
    return summary


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--labels-per-class", type=int, default=5)
    p.add_argument("--seeds", type=int, default=3)
    args = p.parse_args()
    main(args.seeds, args.labels_per_class)
