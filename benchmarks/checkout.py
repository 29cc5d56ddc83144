"""The checkout's `tests` package (factories, the Daphne launcher) for the benchmarks.

A benchmark runs as `.venv/bin/python benchmarks/<name>.py`: Python puts `benchmarks/` first on
`sys.path`, so the benchmarks' own modules (figures, scratch_db, this one) import by name, and
the apps come from the editable install. `tests/` is not installed, and the repository root
must not go on `sys.path` to reach it: `site/` would shadow the standard library's `site`. So
the one package is registered from its folder, and nothing else of the checkout comes along.
"""

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TESTS = Path(__file__).resolve().parent.parent / "tests"


def tests_module(name: str) -> ModuleType:
    """`tests.<name>` of this checkout, e.g. `tests_module("factories")`."""
    if "tests" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "tests", TESTS / "__init__.py", submodule_search_locations=[str(TESTS)]
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules["tests"] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"tests.{name}")
