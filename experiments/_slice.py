"""Run an experiment end to end on a slice of its data, to see whether it still runs (its figures mean nothing).

Usage:  HF_HUB_OFFLINE=1 python experiments/_slice.py experiments/paragraph_thresholds.py --data ../shared/data/persuasion

Loads the experiment as a module, cuts its data loaders short (``load_corpus``: the first 40 articles;
``read_transcripts``: 10 transcripts, ``read_claimbuster``: 2,000 sentences), then calls its ``main()`` with the
remaining arguments. The experiment's own options still apply (e.g. ``--fold 0``, ``--train-limit 40``).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any

LIMITS = {"load_corpus": 40, "read_transcripts": 10, "read_claimbuster": 2000}


def shortened(load: Callable[..., list[Any]], n: int) -> Callable[..., list[Any]]:
    return lambda *args, **kwargs: load(*args, **kwargs)[:n]


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path, *argv = sys.argv[1:]
    spec = importlib.util.spec_from_file_location("experiment", path)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load {path}")
    experiment = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(experiment)
    for name, n in LIMITS.items():
        if hasattr(experiment, name):
            setattr(experiment, name, shortened(getattr(experiment, name), n))
    sys.argv = [path, *argv]
    experiment.main()


if __name__ == "__main__":
    main()
