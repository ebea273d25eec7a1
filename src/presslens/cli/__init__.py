"""The ``presslens`` command: one module per command group, each a thin layer over library functions."""

from __future__ import annotations

import argparse
import os
import sys

from presslens import __version__
from presslens.cli import analyze, corpus, evaluate, factchecks, ingest, load, serve, train
from presslens.errors import PressLensError
from presslens.terminal import safe_for_terminal

GROUPS = (analyze, ingest, load, corpus, serve, train, evaluate, factchecks)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="presslens", description="Read political news critically: who said what.")
    p.add_argument("--version", action="version", version=f"presslens {__version__}")
    sub = p.add_subparsers(title="commands", metavar="COMMAND")
    for group in GROUPS:
        group.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except PressLensError as exc:
        print(f"presslens: error: {safe_for_terminal(str(exc))}", file=sys.stderr)  # it may name a hostile input
        return 1
    except KeyboardInterrupt:
        print("presslens: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("PRESSLENS_DEBUG"):
            raise
        message = safe_for_terminal(f"{type(exc).__name__}: {exc}")
        print(
            f"presslens: internal error ({message}); please report it — PRESSLENS_DEBUG=1 shows the traceback",
            file=sys.stderr,
        )
        return 70  # EX_SOFTWARE


__all__ = ["build_parser", "main"]
