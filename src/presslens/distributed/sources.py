"""The inputs of ``ingest --engine ray`` as units that Ray reads in parallel, one task a unit: a file (text, HTML,
JSON Lines, WARC, Parquet records), local or at any URI pyarrow opens (``s3://``, ``gs://``, ``hdfs://``,
``file://``), or a web address (a page, feed or sitemap, fetched as the plain ingest fetches it).

Each unit is read by the part-4 readers (``iter_articles``), so records are checked, normalised and identified
as the plain ingest does it. Ids stay unique across files named alike (``story``, ``story~2``) as there; ids
repeated across JSON Lines files are not renamed (each file is read on its own).
"""

from __future__ import annotations

import glob
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presslens.corpus.write import article_key, digest
from presslens.errors import InputError
from presslens.ingest import Article
from presslens.ingest.fetch import is_url
from presslens.ingest.sources import DEFAULT_MAX_BYTES, HTML_SUFFIXES, KNOWN_SUFFIXES, TEXT_SUFFIXES, iter_articles
from presslens.model import Metadata

PARQUET_SUFFIXES = (".parquet", ".pq")
ROW_COLUMNS = ("key", "digest", "id", "url", "title", "text", "metadata", "error_source", "error")


@dataclass(frozen=True)
class Unit:
    """One read task: ``location`` (a path, a URI or a web address), or ``error`` for an input that names nothing."""

    location: str
    id: str | None = None  # a text or HTML file's article id, when its stem is taken by an earlier file
    error: str | None = None


def units(sources: list[str]) -> list[Unit]:
    """The read tasks for the inputs, in input order (directories and globs sorted as the plain ingest sorts them)."""
    out: list[Unit] = []
    for arg in sources:
        if arg == "-":
            out.append(Unit(arg, error="standard input is not read by --engine ray: name files"))
        elif is_url(arg):
            out.append(Unit(arg))
        elif "://" in arg:
            out.extend(_remote(arg))
        else:
            path = Path(arg)
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file() and _readable(p.name))
                out.extend(Unit(str(p)) for p in files)
                if not files:
                    out.append(Unit(arg, error="directory holds no .txt, .html, .jsonl or .parquet files"))
            elif path.exists():
                out.append(Unit(arg))
            elif glob.has_magic(arg):
                matches = sorted(Path(p) for p in glob.glob(arg, recursive=True) if Path(p).is_file())
                out.extend(Unit(str(p)) for p in matches)
                if not matches:
                    out.append(Unit(arg, error="no file matches this pattern"))
            else:
                out.append(Unit(arg, error="no such file or directory"))
    return _unique_ids(out)


def _readable(name: str) -> bool:
    lower = name.lower()
    return Path(lower).suffix in KNOWN_SUFFIXES or lower.endswith(PARQUET_SUFFIXES)


def _remote(uri: str) -> list[Unit]:
    import pyarrow.fs as pafs

    try:
        fs, root = pafs.FileSystem.from_uri(uri)
        info = fs.get_file_info(root)
        if info.type == pafs.FileType.File:
            return [Unit(uri)]
        if info.type != pafs.FileType.Directory:
            return [Unit(uri, error="no such file or folder")]
        found = fs.get_file_info(pafs.FileSelector(root, recursive=True))
    except Exception as exc:  # noqa: BLE001 - an unknown scheme, no credentials, no network: one line
        return [Unit(uri, error=f"cannot open ({type(exc).__name__}: {str(exc)[:200]})")]
    prefix = uri[: len(uri) - len(root)] if uri.endswith(root) else uri.split("://", 1)[0] + "://"
    files = sorted(f.path for f in found if f.type == pafs.FileType.File and _readable(f.base_name))
    return [Unit(prefix + f) for f in files] or [
        Unit(uri, error="folder holds no .txt, .html, .jsonl or .parquet files")
    ]


def _unique_ids(out: list[Unit]) -> list[Unit]:
    """Text and HTML files named alike get ``stem~2``, ``stem~3``, ... as ``iter_articles`` names them."""
    seen: set[str] = set()
    done: list[Unit] = []
    for u in out:
        name = u.location.rsplit("/", 1)[-1]
        stem, suffix = os.path.splitext(name)
        if u.error or suffix.lower() not in TEXT_SUFFIXES | HTML_SUFFIXES:
            done.append(u)
            continue
        given, k = stem, 2
        while stem in seen:
            stem = f"{given}~{k}"
            k += 1
        seen.add(stem)
        done.append(Unit(u.location, id=stem) if stem != given else u)
    return done


def read_unit(unit: Unit, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | InputError]:
    """The articles of one unit (in a Ray task), or an ``InputError`` in place of each bad one."""
    if unit.error:
        yield InputError(unit.location, unit.error)
        return
    lower = unit.location.lower()
    if lower.endswith(PARQUET_SUFFIXES):
        yield from _parquet_records(unit.location, max_bytes)
        return
    if "://" in unit.location and not is_url(unit.location):
        yield from _remote_file(unit, max_bytes)
        return
    for item in iter_articles([unit.location], max_bytes=max_bytes, warn=_quiet):
        if unit.id is not None and isinstance(item, Article):
            item.id = unit.id
        yield item


def _remote_file(unit: Unit, max_bytes: int) -> Iterator[Article | InputError]:
    """A file at a URI, copied into a temporary folder under its own name and read there; errors name the URI."""
    import pyarrow.fs as pafs

    name = unit.location.rsplit("/", 1)[-1]
    with tempfile.TemporaryDirectory(prefix="presslens-") as tmp:
        local = str(Path(tmp) / name)
        try:
            fs, path = pafs.FileSystem.from_uri(unit.location)
            with fs.open_input_stream(path, compression=None) as src, open(local, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        except Exception as exc:  # noqa: BLE001
            yield InputError(unit.location, f"cannot read ({type(exc).__name__}: {str(exc)[:200]})")
            return
        for item in read_unit(Unit(local, unit.id), max_bytes):
            if isinstance(item, InputError):
                source = item.source.replace(local, unit.location)
                item = InputError(source, item.reason.replace(local, unit.location))
            yield item


def _parquet_records(location: str, max_bytes: int) -> Iterator[Article | InputError]:
    """Parquet rows read as JSON Lines records are (``id``, ``text`` or ``html``, ``title``, ``url``, ``date``,
    ``source``, ``author``), with the same checks: a row of the wrong shape is an error in its place."""
    import pyarrow.parquet as pq

    from presslens.distributed.shards import filesystem

    fs, path = filesystem(location)
    stem = os.path.splitext(location.rsplit("/", 1)[-1])[0]
    with tempfile.TemporaryDirectory(prefix="presslens-") as tmp:
        records = Path(tmp) / "records.jsonl"
        n = 0
        try:
            for batch in pq.ParquetFile(path, filesystem=fs).iter_batches(batch_size=256):
                rows = batch.to_pylist()
                for i, row in enumerate(rows, n + 1):  # a row without an id is "<stem>-<row>", as a JSONL record
                    if row.get("id") in (None, ""):
                        row["id"] = f"{stem}-{i}"
                lines = (json.dumps(_plain(r), ensure_ascii=False) + "\n" for r in rows)
                records.write_text("".join(lines), encoding="utf-8")
                for i, item in enumerate(iter_articles([str(records)], max_bytes=max_bytes, warn=_quiet), n + 1):
                    yield InputError(f"{location}#{i}", item.reason) if isinstance(item, InputError) else item
                n += len(rows)
        except Exception as exc:  # noqa: BLE001 - a damaged file: one error, and the rows read before it
            yield InputError(location, f"cannot read Parquet ({type(exc).__name__}: {str(exc)[:200]})")


def _quiet(_: str) -> None:
    pass


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def item_row(item: Article | InputError) -> dict[str, str | None]:
    """An article (or an input error) as a row of Ray's blocks."""
    if isinstance(item, InputError):
        return {c: None for c in ROW_COLUMNS} | {"error_source": item.source, "error": item.reason}
    return {
        "key": article_key(item),
        "digest": digest(item),
        "id": item.id,
        "url": item.metadata.url,
        "title": item.title,
        "text": item.text,
        "metadata": json.dumps(item.metadata.to_dict(), ensure_ascii=False),
        "error_source": None,
        "error": None,
    }


def row_item(row: dict[str, Any]) -> Article | InputError:
    if row.get("error") is not None:
        return InputError(str(row["error_source"]), str(row["error"]))
    meta = Metadata.from_dict(json.loads(row["metadata"] or "{}"))
    return Article(id=row["id"], text=row["text"], title=row["title"], metadata=meta)
