"""The single writer: analyses that arrive from Ray (or from shards) go into the store through the part-4
``store_batch``, 32 a transaction, so that keys, versions, speaker links and claim clusters are exactly the plain
ingest's. Errors are recorded in the store's ``errors`` as the plain ingest records them."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from presslens.corpus.clusters import Clusterer
from presslens.corpus.ingest import BATCH, IngestReport, load_clusterer
from presslens.corpus.write import article_key, current_digests, digest, start_run, store_batch
from presslens.errors import InputError
from presslens.model import Analysis
from presslens.store import open_engine

Progress = Callable[[IngestReport], None]


class StoreWriter:
    """Adds results one by one; ``close()`` stores what is left. ``report`` counts stored, unchanged and failed."""

    def __init__(
        self,
        db: str | Path | None,
        command: str,
        *,
        report: IngestReport | None = None,
        clusterer: Clusterer | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.engine = open_engine(db)
        self.run_id = start_run(self.engine, command)
        self.clusterer = clusterer or load_clusterer()
        self.report = report or IngestReport()
        self.progress = progress
        self.batch: list[Analysis | InputError] = []
        self.t0 = time.perf_counter()

    def add(self, result: Analysis | InputError) -> None:
        if isinstance(result, InputError):
            self.report.errors.append(str(result))
        self.batch.append(result)
        if len(self.batch) >= BATCH:
            self.flush()

    def unchanged(self, n: int = 1) -> None:
        """Articles skipped before analysis (stored already with this text)."""
        self.report.unchanged += n
        self.tick()

    def known(self, rows: list[tuple[str, str]]) -> set[int]:
        """The positions of the ``(key, digest)`` pairs stored already as the current version."""
        found = current_digests(self.engine, sorted({k for k, _ in rows}))
        return {i for i, (k, d) in enumerate(rows) if found.get(k) == d}

    def flush(self) -> None:
        if not self.batch:
            return
        out = store_batch(self.engine, self.batch, self.run_id, self.clusterer)
        self.report.stored += out.stored
        self.report.unchanged += out.unchanged
        self.report.failed += out.failed
        self.batch = []
        self.tick()

    def tick(self) -> None:
        self.report.seconds = time.perf_counter() - self.t0
        if self.progress:
            self.progress(self.report)

    def close(self) -> IngestReport:
        self.flush()
        self.report.seconds = time.perf_counter() - self.t0
        self.engine.dispose()
        return self.report


def key_digest(a: Analysis) -> tuple[str, str]:
    return article_key(a), digest(a)
