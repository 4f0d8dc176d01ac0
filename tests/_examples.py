"""Load a program from examples/ as a module (the tests run them on small data).

Importable from every test folder: tests/ is on sys.path because its conftest.py is there."""

import importlib.util
import pathlib
from types import ModuleType

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def load_example(name: str) -> ModuleType:
    """``examples/<name>.py`` as a fresh module."""
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COURSE = pathlib.Path(__file__).resolve().parent / "course"


def run_course_program(name: str, **kwargs):
    """Run ``tests/course/<name>.py``'s ``main(small=True, **kwargs)`` as a fresh module.

    tests/course/ is on sys.path meanwhile: programs import their helpers (``b_california_csv``)."""
    import sys

    sys.path.insert(0, str(COURSE))
    try:
        spec = importlib.util.spec_from_file_location(name, COURSE / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.main(small=True, **kwargs)
    finally:
        sys.path.remove(str(COURSE))
