"""Turning command-line inputs (files, directories, globs, ``-``, JSON Lines) into articles.

Each yielded item is an :class:`Article` or an :class:`InputError`, so a batch can go on past
a bad record and report it at the end.
"""

from __future__ import annotations

import glob
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from presslens.errors import InputError
from presslens.ingest.article import Article, article_from_html, article_from_text, looks_like_html

DEFAULT_MAX_BYTES = 1_000_000  # per article: ~170,000 words; spaCy needs ~1 GB per 100,000 characters parsed at once
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

Item = Article | InputError


def names_collection(inputs: list[str]) -> bool:
    """Whether the inputs name a collection (several inputs, a directory, a glob, a JSON Lines file), whose
    analyses are written as JSON Lines however many records it turns out to hold."""
    if len(inputs) != 1:
        return True
    arg = inputs[0]
    if arg == "-":
        return False
    path = Path(arg)
    return path.is_dir() or (not path.exists() and glob.has_magic(arg)) or path.suffix.lower() in JSONL_SUFFIXES


def iter_articles(inputs: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    for arg in inputs:
        if arg == "-":
            yield from _from_stdin(max_bytes)
            continue
        path = Path(arg)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in KNOWN_SUFFIXES)
            if not files:
                yield InputError(arg, "directory holds no .txt, .html or .jsonl files")
            for p in files:
                yield from _from_file(p, max_bytes)
        elif path.exists():
            yield from _from_file(path, max_bytes)
        elif glob.has_magic(arg):
            matches = sorted(Path(p) for p in glob.glob(arg, recursive=True) if Path(p).is_file())
            if not matches:
                yield InputError(arg, "no file matches this pattern")
            for p in matches:
                yield from _from_file(p, max_bytes)
        else:
            yield InputError(arg, "no such file or directory")


def _decode(data: bytes, source: str) -> str:
    if not data.strip():
        raise InputError(source, "empty input: there is no text to analyse")
    if b"\x00" in data[:8192]:
        raise InputError(source, "binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not UTF-8 text (bad byte at position {exc.start}); convert it to UTF-8") from None


def _read(path: Path, max_bytes: int) -> str:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                str(path),
                f"file too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB, see --max-bytes)",
            )
        return _decode(path.read_bytes(), str(path))
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None


def _from_file(path: Path, max_bytes: int) -> Iterator[Item]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _from_jsonl_file(path, max_bytes)
        return
    try:
        raw = _read(path, max_bytes)
    except InputError as err:
        yield err
        return
    try:
        if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and looks_like_html(raw)):
            yield article_from_html(raw, id=path.stem, origin=str(path))
        else:
            yield article_from_text(raw, id=path.stem, origin=str(path))
    except InputError as err:
        yield err


def _from_stdin(max_bytes: int) -> Iterator[Item]:
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield InputError("-", f"input too large (over {max_bytes / 1e6:.0f} MB, see --max-bytes)")
        return
    try:
        raw = _decode(data, "-")
        if raw.lstrip().startswith("{"):
            yield from _from_jsonl(raw.splitlines(), "-")
        elif looks_like_html(raw):
            yield article_from_html(raw, id="stdin", origin="-")
        else:
            yield article_from_text(raw, id="stdin", origin="-")
    except InputError as err:
        yield err


def _from_jsonl_file(path: Path, max_bytes: int) -> Iterator[Item]:
    """Stream a JSON Lines file: the size limit applies to each record, not to the file."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - opened here so an open error becomes an item
    except OSError as exc:
        yield InputError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    with f:
        for n, raw in enumerate(f, 1):
            where = f"{path}:{n}"
            if len(raw) > max_bytes:
                yield InputError(where, f"record too large ({len(raw) / 1e6:.1f} MB, see --max-bytes)")
                continue
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                yield InputError(where, "not UTF-8 text")
                continue
            yield from _from_jsonl([line], str(path), first_line=n)


def _from_jsonl(lines: list[str], source: str, first_line: int = 1) -> Iterator[Item]:
    for n, line in enumerate(lines, first_line):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(where, f"invalid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield InputError(where, "a record must be a JSON object")
            continue
        rid = str(record.get("id") or f"{Path(source).stem}-{n}")
        meta = {k: record.get(k) for k in ("url", "date", "source", "author")}
        text, html = record.get("text"), record.get("html")
        try:
            if isinstance(text, str):
                article = article_from_text(text, id=rid, origin=where, **meta)
            elif isinstance(html, str):
                article = article_from_html(html, id=rid, origin=where, **meta)
            else:
                raise InputError(where, 'record has no "text" or "html" string')
            if isinstance(record.get("title"), str):
                article.title = record["title"]
            yield article
        except InputError as err:
            yield err
