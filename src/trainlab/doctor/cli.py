"""Commands ``trainlab train``, ``doctor``, ``lr-find`` and ``report``.

Exit codes (all commands): 0 success; 1 the run or check found a problem
(training diverged, ``doctor`` found a finding at or above ``--fail-on``,
``lr-find`` found no learning rate); 2 bad usage, configuration or run
directory; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from ..cli import register_command
from .config import SCHEMA, ConfigError, load_config

__all__: list[str] = []

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_EPILOG = ("exit codes: 0 success; 1 a problem was found (diverged / finding at --fail-on / no suggestion); "
           "2 bad usage, config or run directory; 130 interrupted")


def _err(msg: str) -> None:
    print(f"trainlab: error: {msg}", file=sys.stderr)


# ------------------------------------------------------------------ shared run options
_FLAGS = [  # flag, section, key, type, help
    ("--dataset", "data", "dataset", str, None),
    ("--limit", "data", "limit", int, None),
    ("--validation-split", "data", "validation_split", float, None),
    ("--model", "model", "preset", str, None),
    ("--model-file", "model", "file", str, None),
    ("--hidden-units", "model", "hidden_units", None, None),
    ("--activation", "model", "activation", str, None),
    ("--optimizer", "optimizer", "name", str, None),
    ("--learning-rate", "optimizer", "learning_rate", float, None),
    ("--momentum", "optimizer", "momentum", float, None),
    ("--schedule", "schedule", "name", str, None),
    ("--batch-size", "training", "batch_size", int, None),
    ("--epochs", "training", "epochs", int, None),
    ("--seed", "training", "seed", int, None),
    ("--l2", "regularization", "l2", float, None),
    ("--dropout", "regularization", "dropout", float, None),
    ("--random-flip", "augmentation", "random_flip", str, None),
    ("--random-rotation", "augmentation", "random_rotation", float, None),
]


def _units(text: str) -> list[int]:
    try:
        return [int(u) for u in text.split(",") if u.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers such as 128,64; received {text!r}") from None


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE.toml", help="TOML file with [data] [model] [optimizer] [schedule] "
                   "[training] [regularization] [augmentation] [run] sections; flags override it")
    for flag, section, key, typ, _ in _FLAGS:
        help_text = SCHEMA[section][key][2] + f" ({section}.{key})"
        p.add_argument(flag, dest=f"{section}__{key}", type=_units if key == "hidden_units" else typ, default=None,
                       help=help_text, metavar=key.upper())
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override any config key, e.g. --set schedule.decay_steps=500 (repeatable)")


def _config_from_args(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    overrides: dict[str, dict[str, Any]] = {}
    for _, section, key, _, _ in _FLAGS:
        value = getattr(args, f"{section}__{key}")
        if value is not None:
            overrides.setdefault(section, {})[key] = value
    if getattr(args, "run_dir", None):
        overrides.setdefault("run", {})["dir"] = args.run_dir
    if getattr(args, "no_autopilot", False):
        overrides.setdefault("training", {})["autopilot"] = False
    return load_config(args.config, overrides, args.set)


# ------------------------------------------------------------------ train
def _train_configure(p: argparse.ArgumentParser) -> None:
    p.epilog = _EPILOG
    _add_run_options(p)
    p.add_argument("--run-dir", help="run directory (default runs/<dataset>-<time>)")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --run-dir where it stopped (killed, Ctrl-C, or finished: give a larger "
                        "--epochs to train on), with its saved configuration, optimizer state and history")
    p.add_argument("--no-autopilot", action="store_true", help="train without the Autopilot")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _resume_plan(run_dir: str, resume: bool) -> tuple[str | None, int]:
    """``(model file to continue from or None, first epoch)`` for `trainlab train` into `run_dir`.

    A backup (an unfinished run) resumes by itself in `fit`; a finished run goes
    on from ``checkpoints/last.trainlab`` (weights, optimizer state, step, key).
    """
    backup = os.path.join(run_dir, "backup", "latest.backup")
    if not resume:
        if os.path.isfile(backup):
            raise ConfigError(f"`run.dir` {run_dir!r} holds an unfinished run. Pass --resume to continue it, or "
                              f"choose another --run-dir to start a new run.")
        return None, 0
    if os.path.isfile(backup):
        return None, 0
    last = os.path.join(run_dir, "checkpoints", "last.trainlab")
    history = os.path.join(run_dir, "history.json")
    if not (os.path.isfile(last) and os.path.isfile(history)):
        raise ConfigError(f"--resume: `run.dir` {run_dir!r} holds no run to continue (no backup/latest.backup, no "
                          f"checkpoints/last.trainlab). Leave out --resume to start a new run there.")
    with open(history, encoding="utf-8") as f:
        epochs_done = len(json.load(f).get("epoch", []))
    return last, epochs_done


def resume_config(run_dir: str, epochs: int | None = None) -> dict[str, dict[str, Any]]:
    """The configuration a run directory was trained with (its ``config.json``),
    optionally with more `epochs`; for ``trainlab train --resume``.

    Raises:
        ConfigError: `run_dir` is not a run directory written by `trainlab train`.
    """
    path = os.path.join(run_dir, "config.json")
    try:
        with open(path, encoding="utf-8") as f:
            cfg = json.load(f)["run"]
        cfg["run"]["dir"] = run_dir
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"--resume: {path!r} is not the configuration of a `trainlab train` run ({exc}). Pass "
                          f"the --run-dir of the run to continue.") from None
    if epochs is not None:
        cfg["training"]["epochs"] = int(epochs)
    return cfg


def train_from_config(cfg: dict[str, dict[str, Any]], verbose: int = 1, resume: bool = False) -> dict[str, Any]:
    """Train as `trainlab train` does; returns ``{"run_dir", "findings", "test", "history"}``.

    With `resume`, continue the run in ``cfg["run"]["dir"]`` (see `resume_config`).
    """
    from .. import callbacks as cbs
    from ..models import load_model
    from ..report import RunLogger
    from ..utils import set_random_seed
    from ._build import build_model, load_data
    from .autopilot import Autopilot

    set_random_seed(cfg["training"]["seed"])
    data = load_data(cfg)
    run_dir = cfg["run"]["dir"] or os.path.join("runs", f"{cfg['data']['dataset']}-{time.strftime('%Y%m%d-%H%M%S')}")
    if os.path.exists(run_dir) and not os.path.isdir(run_dir):
        raise ConfigError(f"`run.dir` {run_dir!r} is an existing file, not a folder; pass another --run-dir.")
    model_file, initial_epoch = _resume_plan(run_dir, resume)
    model = build_model(cfg, data) if model_file is None else load_model(model_file)
    n = len(data.x_train)
    split = int(n * (1 - cfg["data"]["validation_split"]))
    if split < 1 or split >= n:
        raise ConfigError(f"`data.validation_split` {cfg['data']['validation_split']} leaves no training or no "
                          f"validation samples out of {n}; use a value such as 0.2.")
    x, y, vx, vy = data.x_train[:split], data.y_train[:split], data.x_train[split:], data.y_train[split:]
    callbacks: list[Any] = []
    if cfg["training"]["early_stopping_patience"]:
        callbacks.append(cbs.EarlyStopping(patience=cfg["training"]["early_stopping_patience"],
                                           restore_best_weights=True))
    pilot = Autopilot(verbose=verbose) if cfg["training"]["autopilot"] else None
    if pilot is not None:
        callbacks.append(pilot)
    logger = RunLogger(run_dir, validation_data=(vx, vy), class_names=data.class_names,
                       config={k: v for k, v in cfg.items()})
    callbacks.append(logger)
    callbacks.append(cbs.BackupAndRestore(os.path.join(run_dir, "backup")))  # a killed run goes on with --resume
    if verbose:
        model.summary()
    history = model.fit(x, y, validation_data=(vx, vy), epochs=cfg["training"]["epochs"], initial_epoch=initial_epoch,
                        batch_size=cfg["training"]["batch_size"], callbacks=callbacks, verbose=verbose)
    test = model.evaluate(data.x_test, data.y_test, verbose=0, return_dict=True)
    from .._io import atomic_write_text

    atomic_write_text(os.path.join(run_dir, "test.json"), json.dumps(test, indent=1))
    model.save(os.path.join(run_dir, "model.trainlab"))
    from ..report import RunDirectory

    findings = RunDirectory(run_dir).findings()
    return {"run_dir": run_dir, "findings": findings, "test": test, "history": history}


def _train_run(args: argparse.Namespace) -> int:
    from .findings import format_findings

    from ..datasets import DatasetFormatError, DatasetNotFoundError

    try:
        if args.resume:
            if not args.run_dir:
                raise ConfigError("--resume needs --run-dir: the run directory to continue.")
            cfg = resume_config(args.run_dir, epochs=getattr(args, "training__epochs", None))
        else:
            cfg = _config_from_args(args)
        result = train_from_config(cfg, verbose=0 if args.quiet else 1, resume=args.resume)
    # ValueError: e.g. a run dir in use, a model file that is not one
    except (ConfigError, DatasetNotFoundError, DatasetFormatError, ValueError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    print("\nDiagnosis:\n" + format_findings(result["findings"]))
    print("Test: " + ", ".join(f"{k} {v:.4f}" for k, v in result["test"].items()))
    print(f"Run written to {result['run_dir']}/ (open report.html)")
    diverged = any(f.code == "diverging" and f.severity == "critical" for f in result["findings"])
    return EXIT_PROBLEM if diverged else EXIT_OK


# ------------------------------------------------------------------ doctor
def _doctor_configure(p: argparse.ArgumentParser) -> None:
    p.epilog = _EPILOG
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run directory written by `trainlab train` or fit(run_dir=...)")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("--recompute", action="store_true", help="diagnose the saved history again (new thresholds)")
    p.add_argument("--fail-on", choices=["warning", "critical", "never"], default="critical",
                   help="exit with 1 when a finding has this severity or worse (default: critical)")


def _open_run(path: str) -> Any:
    from ..report import RunDirectory

    try:
        return RunDirectory(path)
    except (FileNotFoundError, NotADirectoryError, ValueError, TypeError) as exc:
        _err(str(exc))
        return None


def _doctor_run(args: argparse.Namespace) -> int:
    from .findings import SEVERITIES, format_findings, worst_severity

    run = _open_run(args.run_dir)
    if run is None:
        return EXIT_USAGE
    findings = run.findings(recompute=args.recompute)
    if args.json:
        print(json.dumps([f.to_dict() for f in findings], indent=1))
    else:
        print(format_findings(findings))
    if args.fail_on == "never":
        return EXIT_OK
    return EXIT_PROBLEM if SEVERITIES.index(worst_severity(findings)) >= SEVERITIES.index(args.fail_on) else EXIT_OK


# ------------------------------------------------------------------ lr-find
def _lr_configure(p: argparse.ArgumentParser) -> None:
    p.epilog = _EPILOG
    _add_run_options(p)
    p.add_argument("--start-lr", type=float, default=1e-7, help="smallest learning rate (default 1e-7)")
    p.add_argument("--end-lr", type=float, default=10.0, help="largest learning rate (default 10)")
    p.add_argument("--steps", type=int, default=200, help="steps over the range (default 200)")
    p.add_argument("--plot", metavar="FILE.png", help="write the loss-vs-learning-rate plot here")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _lr_run(args: argparse.Namespace) -> int:
    from ..datasets import DatasetNotFoundError
    from ..utils import set_random_seed
    from ._build import build_model, load_data
    from .lr_finder import find_learning_rate

    try:
        cfg = _config_from_args(args)
        set_random_seed(cfg["training"]["seed"])
        data = load_data(cfg)
        model = build_model(cfg, data)
        result = find_learning_rate(model, data.x_train, data.y_train, start_lr=args.start_lr, end_lr=args.end_lr,
                                    num_steps=args.steps, batch_size=cfg["training"]["batch_size"],
                                    seed=cfg["training"]["seed"], verbose=0 if args.quiet else 1)
    except (ConfigError, DatasetNotFoundError, ValueError, TypeError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    if args.plot:
        result.plot(args.plot)
    if args.json:
        print(json.dumps({k: v for k, v in result.to_dict().items() if k in
                          ("suggestion", "lr_at_min", "stopped_early", "stop_reason")}, indent=1))
    else:
        print(result)
        if args.plot:
            print(f"Plot written to {args.plot}")
    return EXIT_OK if result.suggestion is not None else EXIT_PROBLEM


# ------------------------------------------------------------------ report
def _report_configure(p: argparse.ArgumentParser) -> None:
    p.epilog = _EPILOG
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run directory written by `trainlab train` or fit(run_dir=...)")


def _report_run(args: argparse.Namespace) -> int:
    run = _open_run(args.run_dir)
    if run is None:
        return EXIT_USAGE
    print(f"Report written to {run.write_report()}")
    return EXIT_OK


register_command("train", "train a model from flags or a TOML config; writes a run directory with a report",
                 _train_configure, _train_run)
register_command("doctor", "diagnose a run directory: what went wrong and what to change", _doctor_configure,
                 _doctor_run)
register_command("lr-find", "learning-rate range test: suggest a learning rate for a model and dataset",
                 _lr_configure, _lr_run)
register_command("report", "(re)write report.html of a run directory", _report_configure, _report_run)
