"""``presslens load DIR --db URL``: Parquet shards of analyses (written anywhere by ``ingest --engine ray --out``)
into a store. Idempotent: a row whose article is stored with the same text already is skipped before anything is
computed, and ``store_batch`` stores nothing twice. A bad row or an unreadable file is counted, recorded in the
store's errors and reported; the rest is loaded."""

from __future__ import annotations

from pathlib import Path

from presslens.corpus.clusters import Clusterer
from presslens.corpus.ingest import IngestReport
from presslens.distributed.shards import BadRow, read_shards, result_of
from presslens.distributed.writer import Progress, StoreWriter, key_digest
from presslens.errors import InputError
from presslens.model import Analysis

LOOKUP = 256  # rows looked up in the store at a time


def load(
    location: str,
    db: str | Path | None = None,
    *,
    command: str = "load",
    progress: Progress | None = None,
    clusterer: Clusterer | None = None,
) -> IngestReport:
    from presslens.distributed.shards import shard_files

    shard_files(location)  # no shards there: one error before the store is opened or a run recorded
    writer = StoreWriter(db, command, clusterer=clusterer, progress=progress)
    chunk: list[Analysis | InputError] = []
    for item in read_shards(location):
        if isinstance(item, InputError):
            chunk.append(item)
        else:
            where, row = item
            result = result_of(row, where)
            chunk.append(result.as_error() if isinstance(result, BadRow) else result)
        if len(chunk) >= LOOKUP:
            _store(writer, chunk)
    _store(writer, chunk)
    return writer.close()


def _store(writer: StoreWriter, chunk: list[Analysis | InputError]) -> None:
    analyses = [(i, r) for i, r in enumerate(chunk) if isinstance(r, Analysis)]
    stored = writer.known([key_digest(a) for _, a in analyses])
    skip = {analyses[j][0] for j in stored}
    if skip:
        writer.unchanged(len(skip))
    for i, r in enumerate(chunk):
        if i not in skip:
            writer.add(r)
    chunk.clear()
