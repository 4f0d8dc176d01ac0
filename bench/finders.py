"""Are the learning-rate finder and the batch-size finder trustworthy? (issue 12, item 3)

For 8 small tasks (MLP, CNN, a text model, regression; SGD, momentum, Adam):

* **Learning rate.** `find_learning_rate` (its defaults) runs with 5 seeds
  (initial weights and batch order). The suggestion of each seed, and the
  median suggestion, are trained for the same budget as a log grid of 9 rates
  (1e-4 to 1, half decades), all from the same initial weights and on the same
  batches: one population, `jax.vmap` over the members (``core.population``).
  Target: the median suggestion's final validation loss is within 5% of the
  grid's best on at least 7 of 8 tasks; the seeds' suggestions stay within 2x
  of their median.
* **Batch size.** `find_batch_size` (its defaults, at the task's learning
  rate) runs with 3 seeds; a grid run (``tolerance=1e9``: every power of two
  from 512 down to 8 trained for the same budget, another seed) gives the
  reference. Target: the chosen size's validation loss in the grid run is
  within 5% of the grid's best, and the seeds' choices stay within 2x of
  their median.

Run: ``python bench/finders.py`` (CPU, offline; digits ship with
scikit-learn, Fashion-MNIST is read from $TRAINLAB_DATA_DIR). Writes the
Markdown tables to stdout and, atomically, to ``bench/RESULTS-finders.md``
(``--no-write`` to skip; ``--quick`` runs 2 tasks with 2 seeds).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import trainlab as tl  # noqa: E402
from trainlab.doctor import find_batch_size, find_learning_rate  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GRID = 10.0 ** np.arange(-4.0, 0.01, 0.5)  # 9 rates, 1e-4 ... 1
BUDGET_EPOCHS = 3
BATCH = 32


# ---------------------------------------------------------------- data
def _digits(images: bool):
    from trainlab.datasets import digits

    (x, y), (xt, yt) = digits.load_data()
    shape = (-1, 8, 8, 1) if images else (-1, 64)
    return (x.reshape(shape).astype("float32") / 16.0, y.astype("int32"),
            xt.reshape(shape).astype("float32") / 16.0, yt.astype("int32"))


def _fashion(n: int, images: bool):
    from trainlab.datasets import fashion_mnist

    (x, y), (xt, yt) = fashion_mnist.load_data()
    shape = (-1, 28, 28, 1) if images else (-1, 784)
    return (x[:n].reshape(shape).astype("float32") / 255.0, y[:n].astype("int32"),
            xt[:1000].reshape(shape).astype("float32") / 255.0, yt[:1000].astype("int32"))


def _text(n: int = 3000, vocab: int = 500, length: int = 24, seed: int = 0):
    """Synthetic sentiment: tokens 1-20 are positive, 21-40 negative, the rest neutral; the label says which
    kind is in the majority (ties broken at random)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(41, vocab, size=(n + 1000, length))
    k = rng.integers(1, 5, size=n + 1000)
    for i in range(n + 1000):
        pos = rng.integers(0, 3 * k[i])
        idx = rng.choice(length, 3 * k[i], replace=False)
        x[i, idx[:pos]] = rng.integers(1, 21, pos)
        x[i, idx[pos:]] = rng.integers(21, 41, 3 * k[i] - pos)
    score = ((x >= 1) & (x <= 20)).sum(1) - ((x >= 21) & (x <= 40)).sum(1)
    y = np.where(score == 0, rng.integers(0, 2, n + 1000), score > 0).astype("float32")[:, None]
    return x[:n].astype("int32"), y[:n], x[n:].astype("int32"), y[n:]


def _regression(n: int = 2000, seed: int = 0, linear: bool = False):
    from sklearn.datasets import make_friedman1, make_regression

    if linear:
        x, y = make_regression(n + 500, 20, noise=5.0, random_state=seed)
    else:
        x, y = make_friedman1(n + 500, noise=0.5, random_state=seed)
    x = ((x - x.mean(0)) / x.std(0)).astype("float32")
    y = ((y - y.mean()) / y.std()).astype("float32")[:, None]
    return x[:n], y[:n], x[n:], y[n:]


# ---------------------------------------------------------------- models
L = tl.layers


def _mlp(inputs, units, outputs=10, act="softmax"):
    return [L.Input(inputs)] + [L.Dense(u, activation="relu") for u in units] + [L.Dense(outputs, activation=act)]


def _cnn(shape, filters):
    stack = [L.Input(shape)]
    for f in filters:
        stack += [L.Conv2D(f, 3, activation="relu", padding="same"), L.MaxPooling2D(2)]
    return stack + [L.Flatten(), L.Dense(10, activation="softmax")]


def _text_model():
    return [L.Input((24,), dtype="int32"), L.Embedding(500, 16), L.GlobalAveragePooling1D(),
            L.Dense(16, activation="relu"), L.Dense(1, activation="sigmoid")]


SCE, BCE, MSE = "sparse_categorical_crossentropy", "binary_crossentropy", "mse"

#: name -> (data, layers, loss, optimizer class and settings, learning rate the batch-size finder uses)
TASKS = {
    "mlp-digits-adam": (lambda: _digits(False), lambda: _mlp((64,), (64,)), SCE, ("Adam", {}), 1e-3),
    "mlp-digits-sgd": (lambda: _digits(False), lambda: _mlp((64,), (64,)), SCE, ("SGD", {}), 0.1),
    "mlp-fashion-momentum": (lambda: _fashion(4000, False), lambda: _mlp((784,), (128,)), SCE,
                             ("SGD", {"momentum": 0.9}), 0.01),
    "cnn-digits-adam": (lambda: _digits(True), lambda: _cnn((8, 8, 1), (16,)), SCE, ("Adam", {}), 1e-3),
    "cnn-fashion-momentum": (lambda: _fashion(3000, True), lambda: _cnn((28, 28, 1), (8, 16)), SCE,
                             ("SGD", {"momentum": 0.9}), 0.01),
    "text-embedding-adam": (_text, _text_model, BCE, ("Adam", {}), 1e-3),
    "regression-mlp-sgd": (_regression, lambda: _mlp((10,), (32, 32), 1, None), MSE, ("SGD", {}), 0.03),
    "regression-linear-momentum": (lambda: _regression(linear=True), lambda: _mlp((20,), (), 1, None), MSE,
                                   ("SGD", {"momentum": 0.9}), 0.01),
}


def build(task: str, seed: int, lr: float) -> tl.Model:
    _, layers_fn, loss, (opt_name, opt_kw), _ = TASKS[task]
    tl.utils.set_random_seed(seed)
    model = tl.Sequential(layers_fn())
    model.compile(optimizer=getattr(tl.optimizers, opt_name)(learning_rate=lr, **opt_kw), loss=loss)
    return model


# ---------------------------------------------------------------- population training
def population_val_losses(model: tl.Model, data: tuple, lrs: list[float], *, epochs: int, seed: int) -> np.ndarray:
    """Final validation loss of `model` trained at each of `lrs` for `epochs` epochs of batch `BATCH`, every
    member from the model's weights and on the same batches (one vmapped program)."""
    from trainlab.core import population
    from trainlab.core.loop import EpochRunner, EvalRunner
    from trainlab.core.step import eval_env, init_train_state, make_eval_step, make_train_step
    from trainlab.core.trees import trainable_mask

    x, y, xv, yv = data
    x, y, sw, n = model._prepare(x, y, None)
    xv, yv, vsw, vn = model._prepare(xv, yv, None, prefix="val_")
    objective = model._objective_for(y)
    variables = jax.tree.map(jnp.array, model.variables)
    ts = init_train_state(model, objective, model.optimizer, key=jax.random.key(seed), variables=variables)
    step = make_train_step(model, objective, model.optimizer, mask=trainable_mask(model, variables["params"]))
    pop = population.stack([population.with_hyperparameters(ts, optimizer={"learning_rate": float(lr)})
                            for lr in lrs])
    runner = EpochRunner(step, num_samples=n, batch_size=BATCH, vmap_members=True)
    rng = np.random.default_rng(seed)
    train = jax.device_put((x, y, sw))
    for _ in range(epochs):
        pop, _, _ = runner.run_epoch(pop, train, jnp.asarray(rng.permutation(n)))
    evaluator = EvalRunner(make_eval_step(model, objective), num_samples=vn, batch_size=min(vn, 1024),
                           init_fn=objective.init_metrics, results_fn=objective.results)
    val = jax.device_put((xv, yv, vsw))
    out = [float(evaluator.run(eval_env(m), val)["loss"]) for m in population.unstack(pop)]
    return np.where(np.isfinite(out), out, np.inf)


def lr_task(task: str, seeds: list[int]) -> dict:
    data = TASKS[task][0]()
    x, y = data[0], data[1]
    suggestions, at_min, seconds = [], [], []
    for s in seeds:
        t0 = time.perf_counter()
        r = find_learning_rate(build(task, s, 1e-3), x, y, seed=s, verbose=0)
        seconds.append(time.perf_counter() - t0)
        suggestions.append(r.suggestion if r.suggestion is not None else math.nan)
        at_min.append(r.lr_min_over_10 if r.lr_min_over_10 is not None else math.nan)
    med = float(np.nanmedian(suggestions))
    med_min10 = float(np.nanmedian(at_min))
    lrs = list(GRID) + [med, med_min10]
    losses = population_val_losses(build(task, 0, 1e-3), data, lrs, epochs=BUDGET_EPOCHS, seed=0)
    grid = losses[: len(GRID)]
    best = float(grid.min())
    spread = float(np.nanmax(np.abs(np.log2(np.asarray(suggestions) / med))))
    return {"task": task, "suggestions": suggestions, "median": med, "spread_x": 2 ** spread,
            "grid_best_lr": float(GRID[int(grid.argmin())]), "grid_best": best, "grid": grid.tolist(),
            "median_loss": float(losses[len(GRID)]), "ratio": float(losses[len(GRID)]) / best,
            "min10": med_min10, "min10_ratio": float(losses[len(GRID) + 1]) / best,
            "finder_seconds": float(np.median(seconds))}


def bs_task(task: str, seeds: list[int]) -> dict:
    data = TASKS[task][0]()
    x, y, xv, yv = data
    lr = TASKS[task][4]
    grid = find_batch_size(build(task, 100, lr), x, y, validation_data=(xv, yv), tolerance=1e9,
                           max_batch_size=512, seed=100, verbose=0)
    table = {m["batch_size"]: m["val_loss"] for m in grid.measurements if m.get("val_loss") is not None}
    best = min(v for v in table.values() if math.isfinite(v))
    chosen, seconds = [], []
    for s in seeds:
        t0 = time.perf_counter()
        r = find_batch_size(build(task, s, lr), x, y, validation_data=(xv, yv), max_batch_size=512, seed=s,
                            verbose=0)
        seconds.append(time.perf_counter() - t0)
        chosen.append(r.batch_size)
    med = float(np.median(chosen))
    ratios = [table[c] / best for c in chosen]
    return {"task": task, "chosen": chosen, "median": med,
            "spread_x": float(2 ** np.max(np.abs(np.log2(np.asarray(chosen) / med)))),
            "grid_best_bs": min(table, key=table.get), "ratios": ratios, "worst_ratio": max(ratios),
            "finder_seconds": float(np.median(seconds))}


# ---------------------------------------------------------------- report
def markdown(lr_rows: list[dict], bs_rows: list[dict], seeds_lr: int, seeds_bs: int) -> str:
    out = [f"## Finders: learning rate and batch size (issue 12)\n",
           f"Generated by `python bench/finders.py` on {time.strftime('%Y-%m-%d')}; {os.cpu_count()} cores, "
           f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, JAX on CPU.\n",
           f"### Learning-rate finder ({seeds_lr} seeds, defaults: 1e-7 to 10 in 200 steps, batch 32)\n",
           f"Budget: {BUDGET_EPOCHS} epochs at batch {BATCH} from the same initial weights and batches for every "
           f"rate. Grid: 9 rates, 1e-4 to 1 in half decades. `loss / best` is the final validation loss of the "
           f"median suggestion over the grid's best (target <= 1.05 on 7 of 8 tasks); `spread` is the largest "
           f"factor between a seed's suggestion and the median (target <= 2). `min/10`: the other classic rule "
           f"(a tenth of the rate at the loss minimum), for comparison.\n",
           "| task | suggestions (per seed) | median | grid best rate | loss / best | met | spread | met "
           "| min/10 rule: loss / best | finder (s) |",
           "| --- | --- | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: |"]
    for r in lr_rows:
        sug = ", ".join(f"{s:.2g}" for s in r["suggestions"])
        out.append(f"| {r['task']} | {sug} | {r['median']:.3g} | {r['grid_best_lr']:.3g} | {r['ratio']:.3f} | "
                   f"{'yes' if r['ratio'] <= 1.05 else 'no'} | {r['spread_x']:.2f}x | "
                   f"{'yes' if r['spread_x'] <= 2 else 'no'} | {r['min10_ratio']:.3f} | {r['finder_seconds']:.1f} |")
    met = sum(r["ratio"] <= 1.05 for r in lr_rows)
    stable = sum(r["spread_x"] <= 2 for r in lr_rows)
    out.append(f"\nWithin 5% of the grid's best: {met} of {len(lr_rows)} tasks (target: 7 of 8); suggestions "
               f"within 2x of their median: {stable} of {len(lr_rows)}.\n")
    out += [f"### Batch-size finder ({seeds_bs} seeds, defaults: 2 epochs per size, tolerance 5%)\n",
            "Reference: one grid run (`tolerance=1e9`, every power of two from 512 down to 8, seed 100). `worst "
            "loss / best`: the grid run's validation loss at each seed's choice over the grid's best (target <= "
            "1.05).\n",
            "| task | chosen (per seed) | grid best size | worst loss / best | met | spread | met | finder (s) |",
            "| --- | --- | ---: | ---: | --- | ---: | --- | ---: |"]
    for r in bs_rows:
        out.append(f"| {r['task']} | {', '.join(map(str, r['chosen']))} | {r['grid_best_bs']} | "
                   f"{r['worst_ratio']:.3f} | {'yes' if r['worst_ratio'] <= 1.05 else 'no'} | {r['spread_x']:.2f}x | "
                   f"{'yes' if r['spread_x'] <= 2 else 'no'} | {r['finder_seconds']:.1f} |")
    met = sum(r["worst_ratio"] <= 1.05 for r in bs_rows)
    stable = sum(r["spread_x"] <= 2 for r in bs_rows)
    out.append(f"\nWithin 5% of the grid's best: {met} of {len(bs_rows)} tasks; choices within 2x of their "
               f"median: {stable} of {len(bs_rows)}.\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 tasks, 2 seeds (a smoke test)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--tasks", default="", help="comma-separated subset of the task names")
    parser.add_argument("--part", choices=("lr", "bs", "both"), default="both", help="which finder to measure")
    parser.add_argument("--bs-seeds", type=int, default=3, help="seeds of the batch-size finder")
    parser.add_argument("--from-logs", nargs="*", default=None,
                        help="render the tables from the per-task lines earlier runs printed to stderr")
    args = parser.parse_args(argv)
    tasks = [t for t in args.tasks.split(",") if t] or list(TASKS)
    seeds_lr, seeds_bs = ([0, 1], [0, 1]) if args.quick else ([0, 1, 2, 3, 4], list(range(args.bs_seeds)))
    if args.quick:
        tasks = tasks[:2]
    lr_rows, bs_rows = [], []
    if args.from_logs is not None:  # one dict per line (repr), as printed below
        import ast

        for path in args.from_logs:
            with open(path) as f:
                for line in f:
                    if line.startswith("{'task'"):
                        row = ast.literal_eval(line.replace("inf", "1e999"))
                        (lr_rows if "suggestions" in row else bs_rows).append(row)
        seeds_lr = range(max((len(r["suggestions"]) for r in lr_rows), default=0))
        seeds_bs = range(max((len(r["chosen"]) for r in bs_rows), default=0))
    else:
        for task in tasks if args.part != "bs" else []:
            lr_rows.append(lr_task(task, seeds_lr))
            print(lr_rows[-1], file=sys.stderr, flush=True)
        for task in tasks if args.part != "lr" else []:
            bs_rows.append(bs_task(task, list(seeds_bs)))
            print(bs_rows[-1], file=sys.stderr, flush=True)
    text = markdown(lr_rows, bs_rows, len(seeds_lr), len(seeds_bs))
    print(text)
    if not args.no_write:
        from trainlab._io import atomic_write_text

        atomic_write_text(os.path.join(HERE, "RESULTS-finders.md"), text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
