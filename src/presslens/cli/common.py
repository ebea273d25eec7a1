"""Small helpers shared by the command modules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def group_help(parser: argparse.ArgumentParser) -> Callable[[Any], int]:
    """The handler of a command group named without a subcommand: its help, exit status 2."""

    def show(_args: Any) -> int:
        parser.print_help()
        return 2

    return show


def kb_option(p: argparse.ArgumentParser, help: str | None = None) -> None:
    p.add_argument(
        "--kb",
        metavar="FILE",
        help=help or "the knowledge base file (default: $PRESSLENS_KB or ~/.local/share/presslens/factchecks.sqlite)",
    )
