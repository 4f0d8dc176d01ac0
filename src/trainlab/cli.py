"""The `trainlab` command line.

    trainlab demo            train the offline demo model and report test accuracy

Every command has ``--help``. Exit codes: 0 success, 1 the run failed (e.g. a
target not met), 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

__all__ = ["main", "build_parser", "register_command"]

# name -> (help, configure(parser), run(args) -> exit code)
_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def register_command(name: str, help: str, configure: Callable[[argparse.ArgumentParser], None],
                     run: Callable[[argparse.Namespace], int]) -> None:
    """Add a sub-command (used by the doctor, report and tune modules)."""
    _COMMANDS[name] = (help, configure, run)


def _demo_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run-dir", default=None, help="where to write the run (default: runs/demo-<time>)")
    p.add_argument("--epochs", type=int, default=60, help="maximum epochs (early stopping ends sooner)")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _demo_run(args: argparse.Namespace) -> int:
    from .demo import run_demo

    result = run_demo(args.run_dir, epochs=args.epochs, verbose=0 if args.quiet else 1, seed=args.seed)
    if result["test_accuracy"] < 0.95:
        print(f"Test accuracy {result['test_accuracy']:.4f} is below the 0.95 target.", file=sys.stderr)
        return 1
    return 0


register_command("demo", "train an MLP on the offline digits data and report test accuracy", _demo_configure, _demo_run)


def _load_plugins() -> None:
    """Import modules that register more commands (present once built)."""
    import importlib

    for module in ("trainlab.doctor.cli", "trainlab.tune.cli"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and not module.startswith(exc.name):
                raise


def build_parser() -> argparse.ArgumentParser:
    _load_plugins()
    parser = argparse.ArgumentParser(prog="trainlab", description="Train neural networks the way the courses teach it.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"trainlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, configure, run) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        configure(p)
        p.set_defaults(_run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    return int(args._run(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
