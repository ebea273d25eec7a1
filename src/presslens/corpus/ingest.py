"""``presslens ingest``: analyse articles and store them, idempotently and resumably.

Articles already stored with the same text (and title) are skipped before analysis; a changed one is analysed and
stored as a new version, the old one kept. Analyses are written in batches, one transaction each, so that a killed
ingest loses at most the batch in flight and a re-run of the same command finishes the job. Bad inputs are
recorded in the store's ``errors`` and never stop the batch.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from presslens.corpus.clusters import Clusterer
from presslens.corpus.write import article_key, current_digests, digest, start_run, store_batch
from presslens.errors import InputError
from presslens.ingest import Article, iter_articles
from presslens.model import Analysis, Metadata
from presslens.options import Options
from presslens.pipeline import analyze_many
from presslens.store import is_sqlite, open_engine, schema

BATCH = 32  # analyses a transaction
LOOKUP = 256  # articles looked up in the store at a time


@dataclass
class IngestReport:
    stored: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.stored + self.unchanged + self.failed


def load_clusterer(backend: str | None = None) -> Clusterer:
    """With the ``semantic`` extra, claims are compared by meaning; without it, by their words.

    The encoder is all-MiniLM-L6-v2 on ONNX Runtime, int8 (``nlp.sentence_onnx``: a quarter of torch's CPU time;
    on the gold sets one pair fewer grouped, docs/evaluation.md "Corpus links"), one thread: the analysis workers
    have the cores. ``backend`` "torch" (or ``$PRESSLENS_CLUSTER_ENCODER=torch``, or a ``$PRESSLENS_ENCODER`` of one's own)
    runs sentence-transformers on torch instead; "words": no encoder, claims compared by their content terms."""
    import os

    from presslens.factchecks.encoder import encoder_available, load_encoder
    from presslens.nlp.sentence_onnx import load_onnx_encoder

    backend = backend or os.environ.get("PRESSLENS_CLUSTER_ENCODER") or "onnx"
    if backend == "words":
        return Clusterer(None)
    if backend == "onnx" and not os.environ.get("PRESSLENS_ENCODER"):
        onnx = load_onnx_encoder(threads=1)
        if onnx is not None:
            return Clusterer(onnx)
    if not encoder_available():
        return Clusterer(None)
    import torch

    # One thread in the writing process: the analysis workers have the cores, and a process whose torch never
    # started a thread pool can fork new workers safely (forking after OpenMP threads started can hang them).
    torch.set_num_threads(1)
    return Clusterer(load_encoder())


def ingest(
    sources: Iterable[str] | None,
    db: str | Path | None = None,
    *,
    options: Options | None = None,
    reanalyze: bool = False,
    where: list[str] | None = None,
    command: str = "ingest",
    progress: Callable[[IngestReport], None] | None = None,
    clusterer: Clusterer | None = None,
) -> IngestReport:
    """Analyse and store ``sources`` (what ``analyze`` reads), or with ``reanalyze`` the stored articles that
    match ``where`` (``FIELD=VALUE``, ``FIELD<VALUE``, ``FIELD>VALUE`` on outlet, day, url, genre, model)."""
    options = options or Options()
    engine = open_engine(db)
    run_id = start_run(engine, command)
    clusterer = clusterer or load_clusterer()
    report = IngestReport()
    t0 = time.perf_counter()
    if reanalyze:
        todo: Iterator[Article | InputError] = stored_articles(engine, where or [])
    else:
        todo = _new_or_changed(engine, iter_articles(sources or [], warn=_warn), report, progress)
    batch: list[Analysis | InputError] = []
    for result in analyze_many(todo, options=options):
        if isinstance(result, InputError):
            report.errors.append(str(result))
        batch.append(result)
        if len(batch) >= BATCH:
            _flush(engine, batch, run_id, clusterer, report, progress, t0)
    _flush(engine, batch, run_id, clusterer, report, progress, t0)
    if report.stored and is_sqlite(engine):
        with engine.connect() as conn:  # refresh the planner's statistics where the new rows changed them
            conn.exec_driver_sql("PRAGMA optimize")
    report.seconds = time.perf_counter() - t0
    engine.dispose()
    return report


def _flush(
    engine: Engine,
    batch: list[Analysis | InputError],
    run_id: int,
    clusterer: Clusterer,
    report: IngestReport,
    progress: Callable[[IngestReport], None] | None,
    t0: float,
) -> None:
    if not batch:
        return
    out = store_batch(engine, batch, run_id, clusterer)
    report.stored += out.stored
    report.unchanged += out.unchanged
    report.failed += out.failed
    report.seconds = time.perf_counter() - t0
    batch.clear()
    if progress:
        progress(report)


def _warn(message: str) -> None:
    print(f"presslens: warning: {message}", file=sys.stderr)


def _new_or_changed(
    engine: Engine,
    items: Iterator[Article | InputError],
    report: IngestReport,
    progress: Callable[[IngestReport], None] | None,
) -> Iterator[Article | InputError]:
    """The items whose article is not stored with this text yet (errors pass through)."""
    while True:
        chunk = [x for _, x in zip(range(LOOKUP), items, strict=False)]
        if not chunk:
            return
        keys = [article_key(x) for x in chunk if isinstance(x, Article)]
        known = current_digests(engine, keys)
        skipped = 0
        for x in chunk:
            if isinstance(x, Article) and known.get(article_key(x)) == digest(x):
                skipped += 1
                continue
            yield x
        if skipped:
            report.unchanged += skipped
            if progress:
                progress(report)


_FIELDS = {"outlet": "outlet", "day": "day", "date": "day", "url": "url", "genre": "genre", "model": "models"}


def stored_articles(engine: Engine, where: list[str]) -> Iterator[Article | InputError]:
    """The current versions of stored articles, filtered by ``where`` conditions, as articles to analyse again."""
    v = schema.versions.c
    query = select(v.external_id, v.text, v.title, v.url, v.day, v.outlet, v.author, v.analysis).where(
        v.current.is_(True)
    )
    for cond in where:
        query = query.where(_condition(cond))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(v.id)).all()
    for r in rows:
        date = json.loads(r.analysis).get("metadata", {}).get("date") or r.day
        meta = Metadata(url=r.url, date=date, source=r.outlet, author=r.author)
        yield Article(id=r.external_id, text=r.text, title=r.title, metadata=meta)


def _condition(cond: str):  # type: ignore[no-untyped-def]
    from presslens.store import StoreError

    for op in ("!=", "<=", ">=", "=", "<", ">"):
        if op in cond:
            name, value = (s.strip() for s in cond.split(op, 1))
            break
    else:
        raise StoreError(f"--where {cond!r}: expected FIELD=VALUE (or !=, <, >, <=, >=)")
    if name not in _FIELDS:
        raise StoreError(f"--where {cond!r}: unknown field {name!r} (known: {', '.join(sorted(_FIELDS))})")
    col = getattr(schema.versions.c, _FIELDS[name])
    if name == "model":
        like = col.like(f"%{value}%")
        return ~like if op == "!=" else like
    return {
        "=": col == value,
        "!=": (col != value) | col.is_(None),
        "<": col < value,
        ">": col > value,
        "<=": col <= value,
        ">=": col >= value,
    }[op]
