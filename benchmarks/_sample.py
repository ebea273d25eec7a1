"""What the benchmarks' ``--smoke`` runs share: a small built-in sample of articles and a clean way to skip.

``--smoke`` runs a benchmark on a few short articles that ship with the repository (the test articles and the
bundled example), one repeat, so that it takes seconds and still goes through the code it measures. Its figures
say nothing about speed or accuracy; they only show that the benchmark still runs (tests/test_benchmarks.py).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import NoReturn

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def sample_files() -> list[Path]:
    """The built-in sample: tests/articles/*.txt (sorted by name), then examples/kremlin-interview.txt."""
    return [*sorted((REPO / "tests" / "articles").glob("*.txt")), REPO / "examples" / "kremlin-interview.txt"]


def sample_texts() -> list[str]:
    return [f.read_text(encoding="utf-8") for f in sample_files()]


def skip(reason: str) -> NoReturn:
    """End a smoke run that cannot run here (missing data or extra): exit 0 with one ``skipped:`` line."""
    print(f"skipped: {reason}", flush=True)
    sys.exit(0)


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
