"""A labelled corpus of real training runs for scoring the training doctor.

Every run is a small real `fit` (trainlab, or PyTorch from ``.venv-peers`` so
the doctor is not fitted to one library's curves) on one of nine datasets,
made to fail one way on purpose (or trained well: ``healthy``). The intended
failure is the label *by construction*; `check_label` then confirms it with an
explicit rule on the curves (see `RULES`), and only confirmed runs are scored.

Steps (each seeded, resumable; scratch files live in ``$DOCTOR_CORPUS_TMP``,
default ``/tmp/doctor_corpus``)::

    python bench/doctor_corpus.py prepare                      # main .venv: datasets -> data.npz
    python bench/doctor_corpus.py run --library trainlab       # main .venv
    .venv-peers/bin/python bench/doctor_corpus.py run --library torch
    python bench/doctor_corpus.py collect                      # -> bench/doctor_corpus.json

The config of every run (dataset, optimizer, learning rate, batch size, hidden
units, dropout, training samples, epochs, seed, library, intended failure) is
kept beside its per-epoch history (Keras names: ``loss``, ``val_loss``,
``accuracy``, ``val_accuracy``), rounded to 5 significant digits.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from typing import Any

import numpy as np

TMP = os.environ.get("DOCTOR_CORPUS_TMP", "/tmp/doctor_corpus")
HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "doctor_corpus.json")

FAILURES = ("healthy", "not_converged", "diverging", "learning_rate_too_high", "learning_rate_too_low",
            "overfitting", "underfitting")
# dataset -> task; classification datasets use sparse categorical cross-entropy, regression MSE
DATASETS = {"digits": "cls", "wine": "cls", "breast_cancer": "cls", "moons": "cls", "bow_text": "cls",
            "fashion_mnist": "cls", "mnist": "cls", "diabetes": "reg", "friedman": "reg"}
# a learning rate that trains each optimizer well on standardised inputs (the "good" rate)
GOOD_LR = {"sgd": 0.1, "momentum": 0.02, "adam": 1e-3, "adamw": 1e-3, "nadam": 1e-3, "adamax": 2e-3,
           "rmsprop": 1e-3, "adagrad": 0.05, "adadelta": 1.0}


# ---------------------------------------------------------------- data (main venv: scikit-learn)
def prepare() -> None:
    """Build every dataset once (standardised, fixed train pool / validation split) into data.npz."""
    from sklearn import datasets as skd

    sys.path.insert(0, os.path.join(HERE, "..", "src"))
    from trainlab.datasets import fashion_mnist, mnist

    rng = np.random.default_rng(0)
    out: dict[str, np.ndarray] = {}

    def put(name: str, x: np.ndarray, y: np.ndarray, standardise: bool = True, n_val: float = 0.25) -> None:
        idx = rng.permutation(len(x))
        x, y = x[idx].astype(np.float32), y[idx]
        nv = int(round(len(x) * n_val)) if n_val < 1 else int(n_val)
        xt, yt, xv, yv = x[nv:], y[nv:], x[:nv], y[:nv]
        if standardise:
            mu, sd = xt.mean(0), xt.std(0) + 1e-6
            xt, xv = (xt - mu) / sd, (xv - mu) / sd
        if DATASETS[name] == "reg":
            mu, sd = yt.mean(), yt.std()
            yt, yv = ((yt - mu) / sd).astype(np.float32), ((yv - mu) / sd).astype(np.float32)
        else:
            yt, yv = yt.astype(np.int64), yv.astype(np.int64)
        out.update({f"{name}/x": xt, f"{name}/y": yt, f"{name}/xv": xv, f"{name}/yv": yv})

    d = skd.load_digits()
    put("digits", d.data / 16.0, d.target, standardise=False)
    d = skd.load_wine()
    put("wine", d.data, d.target)
    d = skd.load_breast_cancer()
    put("breast_cancer", d.data, d.target)
    x, y = skd.make_moons(1200, noise=0.25, random_state=0)
    put("moons", x, y)
    # synthetic text: 30-token "reviews" over a 60-word vocabulary; words 0-9 positive, 10-19 negative;
    # label = sign of (positive - negative) counts, inputs are bag-of-words counts
    tokens = rng.integers(0, 60, size=(2000, 30))
    counts = np.stack([np.bincount(t, minlength=60) for t in tokens]).astype(np.float32)
    score = counts[:, :10].sum(1) - counts[:, 10:20].sum(1)
    put("bow_text", counts, (score > 0).astype(np.int64))
    for name, mod in (("fashion_mnist", fashion_mnist), ("mnist", mnist)):
        (xi, yi), _ = mod.load_data()
        xi = xi[:4000].astype(np.float32).reshape(-1, 14, 2, 14, 2).mean((2, 4)).reshape(4000, -1) / 255.0
        put(name, xi, yi[:4000], standardise=False, n_val=1000)
    d = skd.load_diabetes()
    put("diabetes", d.data, d.target)
    x, y = skd.make_friedman1(1500, noise=1.0, random_state=0)
    put("friedman", x, y)
    os.makedirs(TMP, exist_ok=True)
    np.savez(os.path.join(TMP, "data.npz"), **out)
    print({k: v.shape for k, v in out.items()})


def load_data() -> dict[str, np.ndarray]:
    with np.load(os.path.join(TMP, "data.npz")) as f:
        return {k: f[k] for k in f.files}


# ---------------------------------------------------------------- configs (seeded)
def configs() -> list[dict[str, Any]]:
    """Every run's config, deterministic: a first batch (random.Random(0)), then a second one
    (random.Random(1)) of learning rates too high by 30-300x."""
    first = _configs(random.Random(0), {"healthy": 10, "not_converged": 6, "diverging": 5,
                                        "learning_rate_too_high": 8, "learning_rate_too_low": 5,
                                        "overfitting": 6, "underfitting": 5}, extra=False)
    second = _configs(random.Random(1), {"learning_rate_too_high": 5}, extra=True)
    # a third batch of PyTorch runs on the small datasets (cheap on a shared CPU): more of every failure
    third = _configs(random.Random(3), {"healthy": 6, "not_converged": 3, "diverging": 2,
                                        "learning_rate_too_high": 4, "learning_rate_too_low": 2,
                                        "overfitting": 3, "underfitting": 3}, extra=True, batch="c",
                     datasets=("wine", "breast_cancer", "moons", "bow_text", "diabetes", "friedman", "digits"),
                     library="torch")
    return first + second + third


def _configs(rng: random.Random, per_mode: dict[str, int], extra: bool, batch: str = "b",
             datasets: tuple[str, ...] = tuple(DATASETS), library: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    opts = list(GOOD_LR)
    for ds in datasets:
        task = DATASETS[ds]
        for mode, count in per_mode.items():
            if mode == "underfitting" and (task == "reg" or ds in ("bow_text", "breast_cancer", "wine")):
                continue
            for i in range(count):
                opt = opts[rng.randrange(len(opts))]
                lr = GOOD_LR[opt] * math.exp(rng.uniform(math.log(0.5), math.log(2.0)))
                units = rng.choice([(32,), (64,), (128,), (64, 32), (128, 64)])
                epochs, n_train, dropout, bs = rng.randint(20, 35), None, 0.0, rng.choice([16, 32, 64, 128])
                if mode == "healthy":
                    dropout = rng.choice([0.0, 0.0, 0.2, 0.5])
                elif mode == "not_converged":
                    lr *= rng.uniform(0.2, 0.6)
                    epochs, bs = rng.randint(3, 8), rng.choice([64, 128])
                elif mode == "diverging":
                    lr *= math.exp(rng.uniform(math.log(300), math.log(3000)))
                elif mode == "learning_rate_too_high":
                    lr *= math.exp(rng.uniform(math.log(30), math.log(300)) if extra else
                                   rng.uniform(math.log(8), math.log(80)))
                    dropout = rng.choice([0.0, 0.0, 0.2])
                elif mode == "learning_rate_too_low":
                    lr *= math.exp(rng.uniform(math.log(1e-3), math.log(1e-2)))
                    epochs = rng.randint(10, 25)
                elif mode == "overfitting":
                    units = rng.choice([(256, 256), (512, 256), (512, 512)])
                    n_train, epochs, bs = rng.randint(50, 200), rng.randint(40, 60), rng.choice([16, 32])
                elif mode == "underfitting":
                    units = rng.choice([(1,), (2,)]) if ds != "moons" else rng.choice([(), (1,)])
                    epochs = rng.randint(25, 40)
                lib = library or ("trainlab" if rng.random() < 0.4 else "torch")
                rid = f"{ds}-{mode}-{i}-{lib}"
                if extra:  # later batches: stronger "too high" learning rates (8-80x mostly trained fine)
                    rid = f"{ds}-{mode}-{batch}{i}-{lib}"
                out.append({"id": rid, "library": lib, "dataset": ds, "task": task, "failure": mode,
                            "optimizer": opt, "learning_rate": float(f"{lr:.4g}"), "batch_size": bs,
                            "units": list(units), "dropout": dropout, "n_train": n_train, "epochs": epochs,
                            "seed": rng.randrange(10_000)})
    return out


def _data_for(cfg: dict[str, Any], data: dict[str, np.ndarray]):
    ds = cfg["dataset"]
    x, y, xv, yv = data[f"{ds}/x"], data[f"{ds}/y"], data[f"{ds}/xv"], data[f"{ds}/yv"]
    n = cfg["n_train"] or min(len(x), 2000)
    return x[:n], y[:n], xv, yv


# ---------------------------------------------------------------- trainlab runs (main venv)
def run_trainlab(cfg: dict[str, Any], data: dict[str, np.ndarray], callbacks: list | None = None,
                 with_model: bool = False) -> Any:
    """Train `cfg` with trainlab; the history (and the model when `with_model`)."""
    import trainlab as tl

    x, y, xv, yv = _data_for(cfg, data)
    classes = int(max(y.max(), yv.max()) + 1) if cfg["task"] == "cls" else 1
    tl.layers.clear_session()
    tl.set_random_seed(cfg["seed"])
    L = tl.layers
    layers: list[Any] = [L.Input((x.shape[1],))]
    for u in cfg["units"]:
        layers.append(L.Dense(u, activation="relu"))
        if cfg["dropout"]:
            layers.append(L.Dropout(cfg["dropout"]))
    layers.append(L.Dense(classes, activation="softmax") if cfg["task"] == "cls" else L.Dense(1))
    model = tl.Sequential(layers)
    lr, o = cfg["learning_rate"], cfg["optimizer"]
    opt = {"sgd": lambda: tl.optimizers.SGD(lr), "momentum": lambda: tl.optimizers.SGD(lr, momentum=0.9),
           "adam": lambda: tl.optimizers.Adam(lr), "adamw": lambda: tl.optimizers.AdamW(lr),
           "nadam": lambda: tl.optimizers.Nadam(lr), "adamax": lambda: tl.optimizers.Adamax(lr),
           "rmsprop": lambda: tl.optimizers.RMSprop(lr), "adagrad": lambda: tl.optimizers.Adagrad(lr),
           "adadelta": lambda: tl.optimizers.Adadelta(lr)}[o]()
    if cfg["task"] == "cls":
        model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        h = model.fit(x, y.astype("int32"), epochs=cfg["epochs"], batch_size=cfg["batch_size"],
                      validation_data=(xv, yv.astype("int32")), verbose=0, callbacks=callbacks)
    else:
        model.compile(optimizer=opt, loss="mse")
        h = model.fit(x, y[:, None], epochs=cfg["epochs"], batch_size=cfg["batch_size"],
                      validation_data=(xv, yv[:, None]), verbose=0, callbacks=callbacks)
    hist = {k: [float(v) for v in vals] for k, vals in h.history.items()}
    return (hist, model) if with_model else hist


# ---------------------------------------------------------------- PyTorch runs (.venv-peers)
def run_torch(cfg: dict[str, Any], data: dict[str, np.ndarray]) -> dict[str, list[float]]:
    import torch
    from torch import nn

    torch.set_num_threads(1)
    torch.manual_seed(cfg["seed"])
    x, y, xv, yv = _data_for(cfg, data)
    cls = cfg["task"] == "cls"
    classes = int(max(y.max(), yv.max()) + 1) if cls else 1
    mods: list[nn.Module] = []
    d = x.shape[1]
    for u in cfg["units"]:
        mods += [nn.Linear(d, u), nn.ReLU()] + ([nn.Dropout(cfg["dropout"])] if cfg["dropout"] else [])
        d = u
    mods.append(nn.Linear(d, classes))
    model = nn.Sequential(*mods)
    lr, o, p = cfg["learning_rate"], cfg["optimizer"], model.parameters()
    opt = {"sgd": lambda: torch.optim.SGD(p, lr), "momentum": lambda: torch.optim.SGD(p, lr, momentum=0.9),
           "adam": lambda: torch.optim.Adam(p, lr), "adamw": lambda: torch.optim.AdamW(p, lr),
           "nadam": lambda: torch.optim.NAdam(p, lr), "adamax": lambda: torch.optim.Adamax(p, lr),
           "rmsprop": lambda: torch.optim.RMSprop(p, lr), "adagrad": lambda: torch.optim.Adagrad(p, lr),
           "adadelta": lambda: torch.optim.Adadelta(p, lr)}[o]()
    xt, xvt = torch.from_numpy(x), torch.from_numpy(xv)
    yt = torch.from_numpy(y) if cls else torch.from_numpy(y)[:, None]
    yvt = torch.from_numpy(yv) if cls else torch.from_numpy(yv)[:, None]
    lossf = nn.CrossEntropyLoss() if cls else nn.MSELoss()
    gen = torch.Generator().manual_seed(cfg["seed"])
    hist: dict[str, list[float]] = {"loss": [], "val_loss": []}
    if cls:
        hist.update(accuracy=[], val_accuracy=[])
    bs = cfg["batch_size"]
    for _ in range(cfg["epochs"]):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        tot, correct = 0.0, 0
        for s in range(0, len(xt), bs):
            idx = perm[s:s + bs]
            out = model(xt[idx])
            loss = lossf(out, yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += float(loss) * len(idx)
            if cls:
                correct += int((out.argmax(1) == yt[idx]).sum())
        model.eval()
        with torch.no_grad():
            out = model(xvt)
            hist["val_loss"].append(float(lossf(out, yvt)))
            if cls:
                hist["val_accuracy"].append(float((out.argmax(1) == yvt).float().mean()))
        hist["loss"].append(tot / len(xt))
        if cls:
            hist["accuracy"].append(correct / len(xt))
    return hist


# ---------------------------------------------------------------- label checks (explicit rules)
RULES = {
    "all": "at least 4 epochs",
    "diverging": "a loss is NaN/inf; or the training loss ends above 2x its best and above its first epoch; "
                 "or it ends above 2x the chance-level loss (ln(classes); the target variance for regression), "
                 "or went above 3x it in some epoch and ends no better than 0.8x it, with the training accuracy "
                 "at chance (at most 1.5/classes, and at most 75%)",
    "learning_rate_too_high": "not diverging, and the training loss rebounds at least twice: an epoch >= 1.3x "
                              "the lowest before it and higher by >= 5% of the chance-level loss",
    "learning_rate_too_low": "the final training loss is above 0.7x the first epoch's, it fell in >= 80% "
                             "of epochs, and it is still falling",
    "not_converged": "the final training loss is below 0.6x the first epoch's and the validation loss fell "
                     ">= 6% of its value per epoch over the last 3 epochs",
    "overfitting": "the validation loss (running median of 3) bottomed >= 4 epochs before the end and its "
                   "last 3 epochs average >= 20% above that minimum while the training loss ended lower than "
                   "at the minimum",
    "underfitting": "the final training accuracy is <= 80%, the training loss removed >= 15% of the first "
                    "epoch's and changed < 2% over the last 4 epochs, and the validation loss ends within 10% "
                    "of its minimum",
    "healthy": "finite; final training loss below 0.5x the first epoch's and below half the chance-level "
               "loss; the validation loss's last 3 epochs average within 10% of its minimum, and its "
               "least-squares slope over the last 5 epochs is above -3% of its level per epoch; at most one "
               "rebound (see learning_rate_too_high); training accuracy >= 87%",
}


def chance_loss(cfg: dict[str, Any]) -> float:
    """The loss of a model that learned nothing: ln(classes), or the (unit) target variance."""
    return math.log({"digits": 10, "wine": 3, "fashion_mnist": 10, "mnist": 10}.get(cfg["dataset"], 2)) \
        if cfg["task"] == "cls" else 1.0


def _rebounds(loss: np.ndarray, chance: float) -> int:
    return sum(1 for i in range(2, len(loss))
               if loss[i] >= 1.3 * loss[:i].min() and loss[i] - loss[:i].min() >= 0.05 * chance)


def check_label(cfg: dict[str, Any], h: dict[str, list[float]]) -> bool:
    """Whether the run's curves show its intended failure (`RULES`)."""
    loss, val = np.asarray(h["loss"], float), np.asarray(h["val_loss"], float)
    chance, mode, n = chance_loss(cfg), cfg["failure"], len(loss)
    if n < 4:
        return False  # 1 to 3 epochs show no trend: too little to judge, whatever the intent
    finite = bool(np.all(np.isfinite(loss)) and np.all(np.isfinite(val)))
    acc = np.asarray(h.get("accuracy", []), float)
    at_chance = cfg["task"] == "reg" or (len(acc) > 0 and acc[-1] <= min(0.75, 1.5 / math.exp(chance)))
    diverged = (not finite) or (loss[-1] > 2 * loss.min() and loss[-1] > loss[0]) or (at_chance and (
        loss[-1] > 2 * chance or (loss.max() > 3 * chance and loss[-1] >= 0.8 * chance)))
    if mode == "diverging":
        return bool(diverged)
    if diverged:
        return False
    rebounds = _rebounds(loss, chance)
    if mode == "learning_rate_too_high":
        return rebounds >= 2
    if mode == "learning_rate_too_low":
        return bool(loss[-1] > 0.7 * loss[0] and np.mean(loss[1:] < loss[:-1]) >= 0.8 and loss[-1] < loss[-2])
    if mode == "not_converged":
        return bool(loss[-1] < 0.6 * loss[0] and (val[-3] - val[-1]) / 2 >= 0.06 * val[-1])
    if mode == "overfitting":
        vm = np.array([np.median(val[max(0, i - 1):i + 2]) for i in range(n)])
        b = int(np.argmin(vm))
        return bool(b <= n - 5 and val[-3:].mean() >= 1.2 * vm[b] and loss[-1] < loss[b])
    if mode == "underfitting":
        return bool(len(acc) and acc[-1] <= 0.8 and loss[-1] <= 0.85 * loss[0]
                    and abs(loss[-1] - loss[-4]) < 0.02 * loss[-1]
                    and val[-1] <= 1.1 * val.min())
    if mode == "healthy":
        ok_acc = (not len(acc)) or acc[-1] >= 0.87
        tail = val[-5:]
        slope = np.polyfit(np.arange(len(tail)), tail, 1)[0] / np.mean(tail)
        return bool(loss[-1] < 0.5 * loss[0] and loss[-1] < 0.5 * chance and val[-3:].mean() <= 1.1 * val.min()
                    and slope > -0.03 and rebounds <= 1 and ok_acc)
    raise ValueError(mode)


# ---------------------------------------------------------------- driver
def _rounded(h: dict[str, list[float]]) -> dict[str, list[Any]]:
    return {k: [float(f"{v:.5g}") if math.isfinite(v) else str(v) for v in vals] for k, vals in h.items()}


def run(library: str, limit: int | None = None, ids_like: str = "") -> None:
    data = load_data()
    path = os.path.join(TMP, f"runs-{library}{'-' + ids_like.strip('-') if ids_like else ''}.jsonl")
    done = {r["config"]["id"] for r in _scratch_runs()}
    todo = [c for c in configs() if c["library"] == library and c["id"] not in done and ids_like in c["id"]]
    random.Random(2).shuffle(todo)  # a seeded order: a run cut short still covers every dataset and failure
    todo = todo[:limit]
    fn = run_trainlab if library == "trainlab" else run_torch
    for k, cfg in enumerate(todo):
        t0 = time.perf_counter()
        try:
            h = fn(cfg, data)
        except Exception as exc:  # record and go on: a generator for hundreds of runs must not stop
            print(f"{cfg['id']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        rec = {"config": cfg, "history": _rounded(h), "seconds": round(time.perf_counter() - t0, 2)}
        with open(path, "a") as f:  # scratch log (append-only, one line per run); the corpus is written atomically
            f.write(json.dumps(rec) + "\n")
        print(f"[{k + 1}/{len(todo)}] {cfg['id']} {rec['seconds']}s", flush=True)


def _scratch_runs() -> list[dict[str, Any]]:
    import glob

    runs = []
    for path in sorted(glob.glob(os.path.join(TMP, "runs-*.jsonl"))):
        with open(path) as f:
            runs += [json.loads(line) for line in f if line.strip()]
    return runs


def collect() -> None:
    """Merge the scratch logs into the compact, checked corpus (written atomically)."""
    sys.path.insert(0, os.path.join(HERE, "..", "src"))
    from trainlab._io import atomic_write_text

    order = {c["id"]: i for i, c in enumerate(configs())}
    runs = _scratch_runs()
    runs = sorted({r["config"]["id"]: r for r in runs}.values(), key=lambda r: order.get(r["config"]["id"], 1e9))
    for r in runs:
        h = {k: [float(v) for v in vals] for k, vals in r["history"].items()}
        r["label"] = r["config"]["failure"]
        r["label_confirmed"] = check_label(r["config"], h)
        r.pop("seconds", None)
    doc = {"rules": RULES, "runs": runs}
    atomic_write_text(CORPUS, json.dumps(doc, separators=(",", ":")) + "\n")
    ok = sum(r["label_confirmed"] for r in runs)
    print(f"{len(runs)} runs, {ok} confirmed -> {CORPUS}")
    from collections import Counter

    print(Counter((r["label"], r["label_confirmed"]) for r in runs))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "collect"
    if cmd == "prepare":
        prepare()
    elif cmd == "run":
        lib = sys.argv[sys.argv.index("--library") + 1]
        lim = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else None
        run(lib, lim, sys.argv[sys.argv.index("--ids-like") + 1] if "--ids-like" in sys.argv else "")
    elif cmd == "collect":
        collect()
    else:
        sys.exit(f"unknown command {cmd!r}: use prepare, run --library trainlab|torch, or collect")
