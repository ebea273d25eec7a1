"""How many articles the inputs hold, counted cheaply before reading them, for a progress bar's ETA.

Files in directories and globs are counted, JSON Lines files by their non-blank lines; nothing is parsed. Inputs
whose count needs the network or a full read (URLs, feeds, sitemaps, WARC files, standard input, pipes and devices)
make the count unknown. Every other input yields the number of items :func:`~presslens.ingest.iter_articles`
will yield for it, errors included, save for rare cases (a UTF-16 JSON Lines file is one error, not one a line).
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from presslens.ingest.fetch import is_url
from presslens.ingest.sources import JSONL_SUFFIXES, KNOWN_SUFFIXES
from presslens.ingest.warc import is_warc
from presslens.ingest.web import FEED_SUFFIXES, is_listing

_CHUNK = 1 << 20


class _Unknown(Exception):
    """An input whose number of articles cannot be known without fetching or parsing it."""


def estimate_count(inputs: Iterable[str]) -> int | None:
    """The number of articles (and bad inputs) in ``inputs``, as ``ingest`` and ``analyze`` read them; None when
    any input's count is unknown."""
    try:
        return sum(_count(arg) for arg in inputs)
    except _Unknown:
        return None


def _count(arg: str) -> int:
    if arg == "-" or is_url(arg) or is_warc(arg):
        raise _Unknown
    path = Path(arg)
    try:
        if path.is_dir():
            files = [p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in KNOWN_SUFFIXES]
            return sum(_count_file(p) for p in files) if files else 1  # an empty directory is one error
        if path.exists():
            return _count_file(path)
        if glob.has_magic(arg):
            matches = [Path(p) for p in glob.glob(arg, recursive=True) if Path(p).is_file()]
            return sum(_count_file(p) for p in matches) if matches else 1
    except (OSError, ValueError):  # ValueError: a NUL in the name
        raise _Unknown from None
    return 1  # no such file: one error


def _count_file(path: Path) -> int:
    if is_warc(path) or path.suffix.lower() in FEED_SUFFIXES:
        raise _Unknown
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
        f = open(path, "rb") if regular else None  # noqa: SIM115 - closed below
    except OSError:
        return 1  # cannot read it: one error
    if f is None:  # a pipe or a device: never opened here (a FIFO's writer would see its reader come and go)
        raise _Unknown
    with f:
        if path.suffix.lower() in JSONL_SUFFIXES:
            return _nonblank_lines(f)
        if is_listing(f.read(4096).decode("utf-8", errors="replace")):
            raise _Unknown  # a feed or sitemap saved as .html or .txt: its articles are fetched
    return 1


def _nonblank_lines(f: BinaryIO) -> int:
    """Lines holding more than white space, read a chunk at a time (a line may be gigabytes long)."""
    n, pending = 0, False
    while chunk := f.read(_CHUNK):
        *ended, rest = chunk.split(b"\n")
        for line in ended:
            if pending or line.strip():
                n += 1
            pending = False
        pending = pending or bool(rest.strip())
    return n + pending
