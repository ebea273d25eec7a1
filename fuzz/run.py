"""Run the fuzz targets for a time budget: ``python fuzz/run.py --minutes 30 [--target NAME ...]``.

Each target (``fuzz/targets.py``) is a Hypothesis property run with fresh random examples, batch after batch,
until its share of the budget is spent. A failure is shrunk by Hypothesis to a minimal input, printed, and saved
under ``fuzz/findings/`` as ``TARGET-SIGNATURE.json`` (the minimal example, the traceback); the same failure
(same target, exception type and place, or same property message) is then not reported again, so the run goes
on to find others. Every run appends its examples and seconds per target to ``fuzz/findings/runs.jsonl``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
FINDINGS = HERE / "findings"
sys.path.insert(0, str(HERE.parent))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from fuzz.targets import TARGETS  # noqa: E402


class Known(Exception):
    """A failure already in fuzz/findings/: counted, not reported again."""


def signature(target: str, exc: BaseException) -> str:
    """What makes two failures the same: the property's message, or the exception type and innermost frame."""
    if isinstance(exc, AssertionError) and exc.args:
        return f"{target}: AssertionError: {str(exc.args[0]).splitlines()[0]}"
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "presslens" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].name}" if ours else "?"
    return f"crash: {type(exc).__name__} in {where}"  # the same crash, whichever target reaches it


def load_known() -> dict[str, str]:
    known = {}
    for p in FINDINGS.glob("*.json"):
        data = json.loads(p.read_text(encoding="utf-8"))
        known[data["signature"]] = p.name
    return known


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return "?"


def compact(text: str) -> str:
    """Long runs of one character (deep nesting) written as ``[×N]``, so a finding stays readable."""
    return re.sub(r"(.)\1{39,}", lambda m: f"{m.group(1)}[×{len(m.group(0))}]", text)


def save(target: str, sig: str, exc: BaseException) -> Path:
    FINDINGS.mkdir(exist_ok=True)
    notes = [n for n in getattr(exc, "__notes__", []) if "hypothesis" not in n.lower() or "Falsifying" in n]
    name = f"{target}-{hashlib.sha1(sig.encode()).hexdigest()[:8]}.json"
    path = FINDINGS / name
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    data = {
        "target": target,
        "signature": sig,
        "example": compact("\n".join(notes)),
        "exception": f"{type(exc).__name__}: {str(exc)[:500]}",
        "traceback": tb[-6000:],
        "found": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
    return path


def leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for e in exc.exceptions for leaf in leaves(e)]
    return [exc]


def fuzz(target: str, seconds: float, known: dict[str, str], batch: int) -> dict:
    strategy, check = TARGETS[target]
    stats = {"examples": 0, "known": 0, "new": []}
    deadline = time.monotonic() + seconds

    @settings(
        max_examples=batch,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(strategy)
    def prop(args: tuple) -> None:
        stats["examples"] += 1
        try:
            check(*args)
        except Exception as exc:
            if signature(target, exc) in known:
                stats["known"] += 1
                return
            raise

    while time.monotonic() < deadline:
        try:
            prop()
        except Exception as group:
            for exc in leaves(group):
                sig = signature(target, exc)
                if sig in known:
                    continue
                path = save(target, sig, exc)
                known[sig] = path.name
                stats["new"].append(sig)
                notes = compact("\n".join(getattr(exc, "__notes__", [])))[:2000]
                print(f"\nNEW FAILURE {sig}\n{notes}\n{type(exc).__name__}: {str(exc)[:300]}\n-> {path}", flush=True)
    return stats


def summary() -> int:
    """Totals of fuzz/findings/runs.jsonl: minutes and examples per target, and the findings."""
    totals: dict[str, list[float]] = {}
    path = FINDINGS / "runs.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for line in lines:
        run = json.loads(line)
        t = totals.setdefault(run["target"], [0.0, 0, 0])
        t[0] += run["seconds"] / 60
        t[1] += run["examples"]
        t[2] += len(run["new"])
    print("| target | minutes | examples | new failures |\n|---|---:|---:|---:|")
    for target, (minutes, examples, new) in sorted(totals.items()):
        print(f"| {target} | {minutes:.1f} | {examples} | {new} |")
    print(
        f"| **total** | **{sum(t[0] for t in totals.values()):.1f}** | {sum(t[1] for t in totals.values())} | "
        f"{sum(t[2] for t in totals.values())} |"
    )
    for sig, name in sorted(load_known().items()):
        print(f"- {name}: {sig}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=30.0, help="total time budget, shared by the targets")
    p.add_argument("--target", action="append", choices=sorted(TARGETS), help="run only this target (repeatable)")
    p.add_argument("--batch", type=int, default=25, help="examples per Hypothesis run (a fresh seed each)")
    p.add_argument("--list", action="store_true", help="list the targets and exit")
    p.add_argument("--summary", action="store_true", help="minutes, examples and findings so far, per target")
    args = p.parse_args(argv)
    if args.list:
        print("\n".join(sorted(TARGETS)))
        return 0
    if args.summary:
        return summary()
    targets = args.target or sorted(TARGETS)
    # Never touch the user's knowledge base or caches; never reach a model hub.
    home = tempfile.mkdtemp(prefix="presslens-fuzz-")
    os.environ["PRESSLENS_KB"] = str(Path(home) / "factchecks.sqlite")
    os.environ["XDG_CACHE_HOME"] = str(Path(home) / "cache")
    os.environ["HF_HUB_OFFLINE"] = "1"
    import presslens

    presslens.analyze("Warm-up: Bob Smith said “hi”.")  # load spaCy once, outside the budget
    known = load_known()
    FINDINGS.mkdir(exist_ok=True)
    share = args.minutes * 60 / len(targets)
    total_new = 0
    for target in targets:
        started = time.monotonic()
        stats = fuzz(target, share, known, args.batch)
        spent = time.monotonic() - started
        total_new += len(stats["new"])
        line = {
            "target": target,
            "seconds": round(spent, 1),
            "examples": stats["examples"],
            "known_hits": stats["known"],
            "new": stats["new"],
            "commit": commit(),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with open(FINDINGS / "runs.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
        print(
            f"{target}: {spent / 60:.1f} min, {stats['examples']} examples, "
            f"{len(stats['new'])} new failures, {stats['known']} hits of known ones",
            flush=True,
        )
    print(f"{total_new} new failures; findings in {FINDINGS}")
    return 1 if total_new else 0


if __name__ == "__main__":
    sys.exit(main())
