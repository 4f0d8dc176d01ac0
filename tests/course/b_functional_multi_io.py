"""A functional model with several inputs and outputs, fed with dicts (the
Keras guide's support-ticket example, on generated tickets).

Inputs: the title and body as word ids, and tags as a multi-hot vector, each a
*named entry of a dict of Inputs*. Outputs: a priority score (regression) and
the department (classification), trained with per-output losses and weights.

Run: python b_functional_multi_io.py
"""

import os

import numpy as np

import trainlab as tl

NUM_WORDS, NUM_TAGS, NUM_DEPARTMENTS = 200, 12, 4


def make_tickets(n, rng):
    department = rng.integers(0, NUM_DEPARTMENTS, n)
    # each department has its own words, tags and urgency
    title = rng.integers(0, NUM_WORDS, (n, 10))
    title[:, :3] = department[:, None] * 10 + rng.integers(0, 10, (n, 3))
    body = rng.integers(0, NUM_WORDS, (n, 40))
    tags = (rng.random((n, NUM_TAGS)) < 0.1).astype("float32")
    tags[np.arange(n), department * 3] = 1.0
    priority = (0.2 + 0.2 * department + 0.1 * tags[:, -1]).astype("float32")[:, None]
    return {"title": title, "body": body, "tags": tags}, {"priority": priority, "department": department}


def main(small=True):
    rng = np.random.default_rng(0)
    x, y = make_tickets(600 if small else 5000, rng)

    inputs = {
        "title": tl.Input(shape=(None,), dtype="int32"),
        "body": tl.Input(shape=(None,), dtype="int32"),
        "tags": tl.Input(shape=(NUM_TAGS,)),
    }
    title_features = tl.layers.GlobalAveragePooling1D()(tl.layers.Embedding(NUM_WORDS, 16)(inputs["title"]))
    body_features = tl.layers.GlobalAveragePooling1D()(tl.layers.Embedding(NUM_WORDS, 16)(inputs["body"]))
    features = tl.layers.concatenate([title_features, body_features, inputs["tags"]])
    priority = tl.layers.Dense(1, name="priority")(features)
    department = tl.layers.Dense(NUM_DEPARTMENTS, name="department")(features)
    model = tl.Model(inputs=inputs, outputs={"priority": priority, "department": department})

    model.compile(
        optimizer=tl.optimizers.RMSprop(1e-2),
        loss={"priority": tl.losses.MeanSquaredError(),
              "department": tl.losses.SparseCategoricalCrossentropy(from_logits=True)},
        loss_weights={"priority": 1.0, "department": 0.2},
        metrics={"department": ["accuracy"]},
    )
    history = model.fit(x, y, epochs=8 if small else 20, batch_size=32, validation_split=0.2, verbose=0)
    out = model.predict({"tags": x["tags"][:5], "body": x["body"][:5], "title": x["title"][:5]}, verbose=0)
    return {"history": history.history, "val_department_accuracy": history.history["val_department_accuracy"][-1],
            "priority_shape": np.shape(out["priority"])}


if __name__ == "__main__":
    print({k: v for k, v in main(small=os.environ.get("B_SMALL", "1") != "0").items() if k != "history"})
