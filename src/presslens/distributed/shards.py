"""Parquet shards of analyses: one row per article, written by ``ingest --engine ray --out DIR`` and read back by
``presslens load DIR``.

Every column is a string. An analysed article: ``key`` and ``digest`` (the part-4 store keys), ``id``, ``url``,
``title``, ``text``, ``metadata`` (JSON), ``analysis`` (``Analysis.to_dict()`` as JSON) and ``models`` (JSON); an
input that could not be analysed: only ``error_source`` and ``error``. Each file carries ``presslens.shard: 1`` in
its schema metadata.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from presslens.corpus.write import article_key, digest
from presslens.errors import InputError
from presslens.model import Analysis

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.fs as pafs

FORMAT = "1"
COLUMNS = ("key", "digest", "id", "url", "title", "text", "metadata", "analysis", "models", "error_source", "error")
ROWS_PER_SHARD = 1000


def schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(c, pa.string()) for c in COLUMNS], metadata={b"presslens.shard": FORMAT.encode()})


def analysis_row(a: Analysis) -> dict[str, str | None]:
    return {
        "key": article_key(a),
        "digest": digest(a),
        "id": a.id,
        "url": a.metadata.url,
        "title": a.title,
        "text": a.text,
        "metadata": json.dumps(a.metadata.to_dict(), ensure_ascii=False),
        "analysis": json.dumps(a.to_dict(), ensure_ascii=False),
        "models": json.dumps(a.models, sort_keys=True),
        "error_source": None,
        "error": None,
    }


def error_row(err: InputError) -> dict[str, str | None]:
    return {c: None for c in COLUMNS} | {"error_source": err.source, "error": err.reason}


@dataclass
class BadRow:
    """A shard row that is neither an analysis nor an error row (hand-edited, cut, from another program)."""

    where: str
    reason: str

    def as_error(self) -> InputError:
        return InputError(self.where, f"bad shard row: {self.reason}")


def result_of(row: dict[str, Any], where: str) -> Analysis | InputError | BadRow:
    """The analysis (or the input error) a row holds; a ``BadRow`` says what is wrong with it."""
    if row.get("error") is not None:
        return InputError(str(row.get("error_source") or where), str(row["error"]))
    raw = row.get("analysis")
    if not isinstance(raw, str):
        return BadRow(where, "no analysis and no error")
    try:
        data = json.loads(raw)
        analysis = Analysis.from_dict(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return BadRow(where, f"its analysis is not a PressLens analysis ({type(exc).__name__})")
    if row.get("key") not in (None, article_key(analysis)) or row.get("digest") not in (None, digest(analysis)):
        return BadRow(where, "its key or digest does not match its analysis")
    return analysis


class ShardWriter:
    """Rows into ``part-<run>-<n>.parquet`` files of up to ``ROWS_PER_SHARD`` rows under ``out`` (a local folder or
    any URI pyarrow opens: ``s3://bucket/prefix``). A file appears whole: written under a temporary name, renamed."""

    def __init__(self, out: str, rows_per_shard: int = ROWS_PER_SHARD) -> None:
        self.fs, self.root = filesystem(out)
        self.fs.create_dir(self.root, recursive=True)
        self.run = uuid.uuid4().hex[:12]
        self.rows: list[dict[str, str | None]] = []
        self.rows_per_shard = rows_per_shard
        self.files: list[str] = []

    def add(self, row: dict[str, str | None]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.rows_per_shard:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.rows:
            return
        table = pa.Table.from_pylist(self.rows, schema=schema())
        name = f"{self.root}/part-{self.run}-{len(self.files):05d}.parquet"
        tmp = f"{self.root}/.{name.rsplit('/', 1)[1]}.tmp"
        pq.write_table(table, tmp, filesystem=self.fs, compression="zstd")
        self.fs.move(tmp, name)
        self.files.append(name)
        self.rows = []


def filesystem(location: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem and path of a local path or a URI (``s3://``, ``gs://``, ``hdfs://``, ``file://``)."""
    import pyarrow.fs as pafs

    if "://" in location:
        return pafs.FileSystem.from_uri(location)
    from pathlib import Path

    return pafs.LocalFileSystem(), str(Path(location).resolve())


def shard_files(location: str) -> tuple[pafs.FileSystem, list[str]]:
    """The ``.parquet`` files at ``location`` (one file, or every one under a folder, sorted)."""
    import pyarrow.fs as pafs

    from presslens.store import StoreError

    fs, root = filesystem(location)
    info = fs.get_file_info(root)
    if info.type == pafs.FileType.File:
        return fs, [root]
    if info.type != pafs.FileType.Directory:
        raise StoreError(f"{location}: no such file or folder")
    found = fs.get_file_info(pafs.FileSelector(root, recursive=True))
    files = sorted(
        f.path for f in found if f.type == pafs.FileType.File and f.path.endswith(".parquet") and "/." not in f.path
    )
    if not files:
        raise StoreError(f"{location}: holds no .parquet shards")
    return fs, files


def read_shards(location: str, batch_rows: int = 256) -> Iterator[tuple[str, dict[str, Any]] | InputError]:
    """``(where, row)`` for every row of every shard at ``location``; a file that cannot be read is one
    ``InputError`` and reading goes on with the next."""
    import pyarrow.parquet as pq

    fs, files = shard_files(location)
    for path in files:
        try:
            pf = pq.ParquetFile(path, filesystem=fs)
            missing = [c for c in ("analysis", "error") if c not in pf.schema_arrow.names]
            if missing:
                yield InputError(path, f"not a PressLens shard (no {', '.join(missing)} column)")
                continue
            n = 0
            for batch in pf.iter_batches(batch_size=batch_rows):
                for row in batch.to_pylist():
                    n += 1
                    yield f"{path}#{n}", row
        except Exception as exc:  # noqa: BLE001 - a damaged file (pyarrow raises many kinds): reported, not fatal
            yield InputError(path, f"cannot read this shard ({type(exc).__name__}: {str(exc)[:200]})")
