"""Turning command-line inputs (files, directories, globs, ``-``, JSON Lines, web addresses, feeds, sitemaps, WARC
files) into articles.

Each yielded item is an :class:`Article` or an :class:`InputError`, so a batch can go on past
a bad record and report it at the end.
"""

from __future__ import annotations

import codecs
import glob
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from presslens.errors import InputError
from presslens.ingest.article import (
    METADATA_FIELDS,
    Article,
    article_from_html,
    article_from_text,
    check_field,
    check_unicode,
    json_type,
    looks_like_html,
)
from presslens.ingest.fetch import is_url
from presslens.ingest.fetch import size as _size
from presslens.ingest.fetch import too_large as _too_large
from presslens.ingest.warc import from_warc, is_warc
from presslens.ingest.web import FEED_SUFFIXES, from_feed_file, from_url, holds_many, is_listing
from presslens.terminal import safe_for_terminal

DEFAULT_MAX_BYTES = 3_000_000  # per article: ~500,000 words; parsed in chunks, a 3 MB text peaks at ~1.2 GB and
# takes ~3 min of one core, 5 MB passes 1.5 GB (docs/benchmarks.md, "Long documents")
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

Item = Article | InputError
Warn = Callable[[str], None]

# Byte-order marks that name an encoding other than UTF-8; UTF-32 first, as its little-endian mark starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def names_collection(inputs: list[str]) -> bool:
    """Whether the inputs name a collection (several inputs, a directory, a glob, a JSON Lines file, a feed, a
    sitemap, a WARC file), whose analyses are written as JSON Lines however many records it turns out to hold."""
    if len(inputs) != 1:
        return True
    arg = inputs[0]
    if arg == "-":
        return False
    if is_warc(arg):
        return True
    if is_url(arg):
        return holds_many(arg)
    path = Path(arg)
    if path.is_dir() or (not path.exists() and glob.has_magic(arg)) or path.suffix.lower() in JSONL_SUFFIXES:
        return True
    return path.is_file() and holds_many(arg)


def iter_articles(
    inputs: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES, warn: Warn | None = None
) -> Iterator[Item]:
    """Every article of the inputs, or an ``InputError`` in its place, in input order.

    Ids are unique within the call: a repeated id (two JSON Lines records, two files with one stem) becomes
    ``id~2``, ``id~3``, ... and is reported once per id through ``warn`` (default: a line on standard error).
    """
    seen: set[str] = set()
    warned: set[str] = set()
    for item in _items(inputs, max_bytes, warn or _warn):
        if isinstance(item, Article):
            if item.id in seen:
                given, k = item.id, 2
                while f"{given}~{k}" in seen:
                    k += 1
                item.id = f"{given}~{k}"
                if given not in warned:
                    warned.add(given)
                    (warn or _warn)(
                        f"duplicate id {_quoted(given)} in this batch: analysed as {_quoted(item.id)} "
                        "(and any later repeat as ~3, ~4, ...)"
                    )
            seen.add(item.id)
        yield item


def _warn(message: str) -> None:
    print(f"presslens: warning: {message}", file=sys.stderr)


def _quoted(value: str) -> str:
    return safe_for_terminal(json.dumps(value, ensure_ascii=False))


def _items(inputs: Iterable[str], max_bytes: int, warn: Warn) -> Iterator[Item]:
    for arg in inputs:
        if arg == "-":
            yield from _from_stdin(max_bytes)
            continue
        if is_url(arg):
            yield from from_url(arg, max_bytes, warn)
            continue
        path = Path(arg)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in KNOWN_SUFFIXES)
            if not files:
                yield InputError(arg, "directory holds no .txt, .html or .jsonl files")
            for p in files:
                yield from _from_file(p, max_bytes, warn)
        elif path.exists():
            yield from _from_file(path, max_bytes, warn)
        elif glob.has_magic(arg):
            matches = sorted(Path(p) for p in glob.glob(arg, recursive=True) if Path(p).is_file())
            if not matches:
                yield InputError(arg, "no file matches this pattern")
            for p in matches:
                yield from _from_file(p, max_bytes, warn)
        else:
            yield InputError(arg, "no such file or directory")


def article_from_input(
    value: object, *, id: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES, **meta: str | None
) -> Article:
    """One article from what ``presslens.analyze`` was given: a ``str`` is the article itself (text or HTML, never
    a file name); ``bytes`` are decoded as a file's are (UTF-8, or UTF-16/32 with a byte-order mark); a
    ``pathlib.Path`` (any ``os.PathLike``) is read as the command reads a .txt or .html file, its stem the default
    id. Anything else, a JSON Lines file or a directory is an ``InputError``."""
    if id is not None:
        id = check_field("id", id, "<id>")
    if isinstance(value, os.PathLike):
        path = Path(os.fsdecode(value))
        many = InputError(
            str(path), "holds several articles: use presslens.analyze_many(presslens.ingest.iter_articles([path]))"
        )
        if path.is_dir() or path.suffix.lower() in JSONL_SUFFIXES or is_warc(path):
            raise many
        if not path.exists():
            raise InputError(str(path), "no such file or directory")
        raw = _read(path, max_bytes)
        if path.suffix.lower() in FEED_SUFFIXES or is_listing(raw):
            raise many
        make = article_from_html if _is_html(path, raw) else article_from_text
        return make(raw, id=id or path.stem, origin=str(path), **meta)
    origin = id or "article"
    if isinstance(value, bytes | bytearray):
        raw = _decode(bytes(value), origin)
    elif isinstance(value, str):
        raw = value
    else:
        raise InputError(
            origin, f"analyze() takes the article as str, bytes or a pathlib.Path, not {type(value).__name__}"
        )
    make = article_from_html if looks_like_html(raw) else article_from_text
    return make(raw, id=origin, origin=origin, **meta)


def _is_html(path: Path, raw: str) -> bool:
    suffix = path.suffix.lower()
    return suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and looks_like_html(raw))


def _decode(data: bytes, source: str) -> str:
    """UTF-8 (a BOM allowed), or UTF-16/32 when a byte-order mark says so; anything else is an error."""
    if not data.strip():
        raise InputError(source, "empty input: there is no text to analyse")
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    source,
                    f"not UTF-8 text, nor {name} though it starts with a {name} byte-order mark (bad data at byte "
                    f"{exc.start + len(bom)}); convert it to UTF-8",
                ) from None
            # Text has no NULs and some space or line break; anything else had a BOM by chance: checked as below.
            if "\x00" not in text and (not text.strip() or any(c.isspace() for c in text)):
                return text
            break
    if b"\x00" in data[:8192]:
        raise InputError(source, "binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not UTF-8 text (bad byte at position {exc.start}); convert it to UTF-8") from None


def _read(path: Path, max_bytes: int) -> str:
    """At most ``max_bytes`` + 1 bytes, whatever the file claims to be (a FIFO, /dev/zero behind a symlink)."""
    try:
        with open(path, "rb") as f:
            info = os.fstat(f.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise InputError(
                    str(path),
                    f"file too large ({_size(info.st_size)}; the limit is {_size(max_bytes)}, see --max-bytes)",
                )
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(str(path), _too_large(max_bytes))
    return _decode(data, str(path))


def _from_file(path: Path, max_bytes: int, warn: Warn) -> Iterator[Item]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _from_jsonl_file(path, max_bytes)
        return
    if is_warc(path):
        yield from from_warc(path, max_bytes)
        return
    try:
        raw = _read(path, max_bytes)
        if path.suffix.lower() in FEED_SUFFIXES or is_listing(raw):
            yield from from_feed_file(path, raw, max_bytes, warn)
            return
        make = article_from_html if _is_html(path, raw) else article_from_text
        yield make(raw, id=path.stem, origin=str(path))
    except InputError as err:
        yield err


def _from_stdin(max_bytes: int) -> Iterator[Item]:
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield InputError("-", _too_large(max_bytes))
        return
    try:
        raw = _decode(data, "-")
        if raw.lstrip().startswith("{"):
            for n, line in enumerate(raw.splitlines(), 1):
                if line.strip():
                    yield _record(line, "-", n)
        elif looks_like_html(raw):
            yield article_from_html(raw, id="stdin", origin="-")
        else:
            yield article_from_text(raw, id="stdin", origin="-")
    except InputError as err:
        yield err


def _from_jsonl_file(path: Path, max_bytes: int) -> Iterator[Item]:
    """Stream a JSON Lines file: the size limit applies to each record, not to the file, and no more than the
    limit + 1 bytes of a record are ever held."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - opened here so an open error becomes an item
    except OSError as exc:
        yield InputError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    with f:
        regular = stat.S_ISREG(os.fstat(f.fileno()).st_mode)
        n = 0
        while raw := f.readline(max_bytes + 1):
            n += 1
            where = f"{path}:{n}"
            if n == 1 and (name := next((name for bom, _, name in _BOMS if raw.startswith(bom)), None)):
                yield InputError(str(path), f"JSON Lines must be UTF-8, this file is {name}; convert it to UTF-8")
                return
            if len(raw) > max_bytes and not raw.endswith(b"\n"):
                if not regular:  # a device or pipe may never end the line: stop here
                    yield InputError(where, _too_large(max_bytes, "record") + "; stopped reading this file")
                    return
                size = len(raw)
                while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                    size += len(rest)
                size += len(rest)
                yield InputError(
                    where, f"record too large ({_size(size)}; the limit is {_size(max_bytes)}, see --max-bytes)"
                )
                continue
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                yield InputError(where, "not UTF-8 text")
                continue
            if line.strip():
                yield _record(line, str(path), n)


def _record(line: str, source: str, n: int) -> Item:
    """One JSON Lines record as an article, or the one-line error that names what is wrong with it.

    A record whose metadata has the wrong type (``"url": {"a": 1}``, a number as title) is rejected whole rather
    than analysed without the field: the output would silently differ from the input, and a producer that
    writes one bad field usually writes more. The rejection is listed with the batch's failures and sets
    exit status 1, so it cannot go unnoticed; the other records are analysed as usual.
    """
    where = f"{source}:{n}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return InputError(where, f"invalid JSON ({exc.msg})")
    except RecursionError:  # the decoder recurses once per level of nesting
        return InputError(where, "JSON nested too deeply")
    if not isinstance(record, dict):
        return InputError(where, "a record must be a JSON object")
    try:
        rid = _record_id(record.get("id"), where) or f"{Path(source).stem}-{n}"
        meta = {k: check_field(k, record.get(k), where) for k in METADATA_FIELDS}
        title = check_field("title", record.get("title"), where)
        text, html = record.get("text"), record.get("html")
        for key, value in (("text", text), ("html", html)):
            if value is not None and not isinstance(value, str):
                raise InputError(where, f'"{key}" must be a string, not {json_type(value)}')
        if isinstance(text, str):
            article = article_from_text(text, id=rid, origin=where, **meta)
        elif isinstance(html, str):
            article = article_from_html(html, id=rid, origin=where, **meta)
        else:
            raise InputError(where, 'record has no "text" or "html" string')
    except InputError as err:
        return err
    if title is not None:
        article.title = title
    return article


def _record_id(value: object, where: str) -> str | None:
    """A record's id: a string, or an integer as its digits; null or "" for none."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise InputError(where, f'"id" must be a string or an integer, not {json_type(value)}')
    check_unicode(value, '"id"', where)
    return value
