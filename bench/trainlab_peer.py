"""trainlab on the peers' workloads: same data, same model, same JSON line.

Reads `common.py` from ../shared/peers in place (data loading, argument
parsing, reporting), so trainlab and the peers are measured identically.

    python bench/trainlab_peer.py --workload mlp --epochs 5
"""

from __future__ import annotations

import os
import sys

PEERS = os.environ.get("TRAINLAB_PEERS_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers"))
sys.path.insert(0, os.path.abspath(PEERS))
from common import Timer, fashion_mnist, parse_args, report  # noqa: E402

import trainlab as tl  # noqa: E402

args = parse_args()
(xtr, ytr), (xte, yte) = fashion_mnist(args.train_size)
xtr, xte = xtr / 255.0, xte / 255.0
tl.set_random_seed(args.seed)
L = tl.layers
if args.workload == "mlp":
    model = tl.Sequential([L.Input((28, 28)), L.Flatten(), L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")])
else:
    if not hasattr(L, "Conv2D"):
        sys.exit("this trainlab build has no convolution layers yet")
    xtr, xte = xtr[..., None], xte[..., None]
    model = tl.Sequential([
        L.Input((28, 28, 1)),
        L.Conv2D(32, 3, padding="same", activation="relu"), L.MaxPooling2D(2),
        L.Conv2D(64, 3, padding="same", activation="relu"), L.MaxPooling2D(2),
        L.Flatten(), L.Dense(128, activation="relu"), L.Dense(10, activation="softmax"),
    ])
model.compile(optimizer=tl.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
times: list[float] = []


class EpochTimer(tl.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.timer = Timer().__enter__()

    def on_epoch_end(self, epoch, logs=None):
        self.timer.__exit__()
        times.append(self.timer.seconds)


verbose = int(os.environ.get("TRAINLAB_BENCH_VERBOSE", "0"))
model.fit(xtr, ytr, epochs=args.epochs, batch_size=args.batch_size, verbose=verbose, callbacks=[EpochTimer()])
_, acc = model.evaluate(xte, yte, verbose=0)
import jax  # noqa: E402

report("trainlab", args, times, acc, {"trainlab": tl.__version__, "jax": jax.__version__, "verbose": verbose})
