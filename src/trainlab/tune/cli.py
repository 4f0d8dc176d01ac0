"""``trainlab tune CONFIG.toml --trials N --workers K --storage URL``.

Runs the search described by a TOML file (see `trainlab.tune.config`). With
``--workers K`` it starts K worker processes on this machine that share one
study (in the SQLite file, or in the database given by ``--storage``); on other
machines, run the same command with the same ``--storage`` and
``--study-name`` to add workers. When the workers are done it prints the best
configuration and leaderboard and writes the HTML report.

Exit codes: 0 at least one trial completed; 1 none did; 2 bad usage,
configuration or unreachable storage.

The storage URL may be given in ``$TRAINLAB_TUNE_STORAGE`` instead of
``--storage``; the worker processes always get it that way, never on their
command line (where ``ps`` would show its password).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from ..cli import register_command

__all__ = ["configure", "run", "worker_command", "worker_env", "STORAGE_ENV"]

STORAGE_ENV = "TRAINLAB_TUNE_STORAGE"  # the storage URL, read when --storage is not given


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", help="the search's TOML file ([data], [model], [search], [space])")
    p.add_argument("--trials", type=int, default=None, help="trials in the study (overrides [search] trials)")
    p.add_argument("--workers", type=int, default=1, help="worker processes on this machine (default 1)")
    p.add_argument("--storage", default=None,
                   help=f"Optuna storage URL, e.g. postgresql://user:pw@host/db (default: ${STORAGE_ENV}, else a "
                        f"SQLite file); ${STORAGE_ENV} keeps a password off the command line")
    p.add_argument("--study-name", default=None, help="study name in the storage (overrides [search])")
    p.add_argument("--strategy", default=None, help="random, grid, tpe, successive_halving, hyperband, pbt")
    p.add_argument("--epochs", type=int, default=None, help="epochs per trial (overrides [search])")
    p.add_argument("--seed", type=int, default=None, help="random seed (overrides [search])")
    p.add_argument("--concurrent-programs", type=int, default=None,
                   help="programs each worker trains at the same time (default: on CPU the cores shared out "
                        "between the workers, on GPU 1; overrides [search] concurrent_programs)")
    p.add_argument("--report", default=None, help="HTML report path (default <directory>/<study>-report.html)")
    p.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.add_argument("--worker-index", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)


def _make_tuner(args: argparse.Namespace, config: Any, x: Any, y: Any) -> Any:
    from .tuner import Tuner

    kwargs = config.tuner_kwargs()
    for arg, key in (("trials", "max_trials"), ("storage", "storage"), ("study_name", "study_name"),
                     ("strategy", "strategy"), ("epochs", "epochs"), ("seed", "seed"),
                     ("concurrent_programs", "concurrent_programs")):
        value = getattr(args, arg)
        if value is not None:
            kwargs[key] = value
    kwargs["worker"] = args.worker_index
    kwargs["verbose"] = 0 if args.quiet else 1
    return Tuner(config.build_fn(x, y), space=config.space, **kwargs)


def default_concurrency(workers: int) -> int | None:
    """Programs per worker when `workers` processes share this machine: on CPU
    its cores shared out (at least one each); elsewhere the executor's default."""
    import jax

    from .executor import cpu_cores

    if jax.default_backend() != "cpu":
        return None
    return max(1, cpu_cores() // max(1, workers))


def worker_command(args: argparse.Namespace, tuner: Any, index: int, concurrent_programs: int | None) -> list[str]:
    """The command line of worker `index` of a ``--workers K`` run.

    The storage URL is not on it (it may hold a password, and command lines are
    visible to every user of the machine): `worker_env` passes it in the
    environment variable `STORAGE_ENV`."""
    cmd = [sys.executable, "-m", "trainlab", "tune", os.path.abspath(args.config), "--workers", "1",
           "--study-name", tuner.study_name, "--worker-index", str(index),
           "--trials", str(tuner.max_trials), "--no-report", "--child"]
    for flag, value in (("--strategy", args.strategy), ("--epochs", args.epochs), ("--seed", args.seed),
                        ("--concurrent-programs", concurrent_programs)):
        if value is not None:
            cmd += [flag, str(value)]
    if args.quiet:
        cmd.append("--quiet")
    return cmd


def worker_env(tuner: Any) -> dict[str, str]:
    """The environment of a worker process: this one's, plus the storage URL in `STORAGE_ENV`."""
    return {**os.environ, STORAGE_ENV: tuner.storage_url}


def run(args: argparse.Namespace) -> int:
    from .config import ConfigError, load_config
    from .storage import StorageUnreachableError, default_storage_url

    if args.storage is None:
        args.storage = os.environ.get(STORAGE_ENV) or None
    try:
        config = load_config(args.config)
        x, y, val = config.load_data()
        tuner = _make_tuner(args, config, x, y)
    except (ConfigError, ValueError, TypeError) as exc:
        print(f"trainlab tune: {exc}", file=sys.stderr)
        return 2
    shuffle = bool(config.search.get("shuffle", True))
    try:
        if args.workers > 1:
            storage = tuner.storage_url or default_storage_url(tuner.directory, tuner.study_name)
            tuner.storage_url = storage
            _ = tuner.study  # create the study (and check the storage) once, before the workers start
            per_worker = tuner.concurrent_programs or default_concurrency(args.workers)
            procs = [subprocess.Popen(worker_command(args, tuner, i, per_worker), env=worker_env(tuner))
                     for i in range(args.workers)]
            codes = [p.wait() for p in procs]
            if any(c == 2 for c in codes):
                return 2
        else:
            tuner.search(x, y, validation_data=val, shuffle=shuffle)
    except StorageUnreachableError as exc:
        print(f"trainlab tune: {exc}", file=sys.stderr)
        return 2
    try:
        best = tuner.best_trial
    except ValueError as exc:
        print(f"trainlab tune: {exc}", file=sys.stderr)
        return 1
    if not args.child:
        if not args.quiet:
            tuner.results_summary(10)
            print(f"best {tuner.objective} = {best.value:.4f} with {tuner.best_config}")
        if not args.no_report:
            path = tuner.report(args.report)
            print(f"report: {path}")
    return 0


register_command("tune", "search hyperparameters described by a TOML file (population executor, Optuna storage)",
                 configure, run)
