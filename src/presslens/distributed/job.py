"""``presslens ingest --engine ray``: the part-4 ingest as a Ray Data job.

Units (files, URIs, web addresses) are read by Ray tasks into blocks of a few articles; a pool of actors, one per
CPU, each with the pipeline built once, skips the articles stored already with the same text (key + digest, as
the plain ingest does) and analyses the rest; the driver writes what comes back as Parquet shards (``--out``)
and/or into the store through ``store_batch`` (one writer: the part-4 keys, versions, speaker links and claim
clusters). Order is kept, so the store is written in input order as the plain ingest writes it.

Faults: an actor that dies (a crash, the OOM killer, a lost node) is restarted by Ray and its batch run again;
a batch stored twice is stored once (``store_batch`` skips an article stored with the same text and models).
"""

from __future__ import annotations

import json
import logging
import os
import resource
import warnings
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from presslens.corpus.clusters import Clusterer
from presslens.corpus.ingest import IngestReport
from presslens.distributed import require_ray
from presslens.distributed.shards import COLUMNS, ShardWriter, analysis_row, error_row
from presslens.distributed.sources import Unit, item_row, read_unit, row_item, units
from presslens.distributed.writer import Progress, StoreWriter
from presslens.errors import InputError
from presslens.model import Analysis
from presslens.options import Options
from presslens.store import engine_url

BLOCK_BYTES = 64 * 1024  # a block of a few articles, so that one big file is spread over every actor
OUT_COLUMNS = (*COLUMNS, "status", "rss_mb")


def run_ray(
    sources: list[str],
    *,
    db: str | Path | None = None,
    out: str | None = None,
    address: str | None = None,
    options: Options | None = None,
    workers: int | None = None,
    command: str = "ingest --engine ray",
    progress: Progress | None = None,
    clusterer: Clusterer | None = None,
    stats: dict[str, Any] | None = None,
) -> IngestReport:
    """Ingest ``sources`` on Ray into the store ``db`` and/or Parquet shards under ``out`` (``db`` None and no
    ``out``: the default store). ``stats`` (when given) receives the actors' peak memory and their number."""
    require_ray()
    import ray

    options = options or Options()
    todo = units(sources)
    writer = None
    if db is not None or out is None:
        writer = StoreWriter(db, command, clusterer=clusterer, progress=progress)
    shards = ShardWriter(out) if out else None
    report = writer.report if writer else IngestReport()
    started = _connect(ray, address, workers)
    try:
        size = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        lookup = engine_url(db) if writer is not None else None
        peak: dict[int, float] = {}
        for row in _rows(ray, todo, options, lookup, size):
            if row.get("rss_mb") is not None:
                pid, mb = row["rss_mb"].split(":")
                peak[int(pid)] = max(peak.get(int(pid), 0.0), float(mb))
            _take(row, writer, shards, report, progress)
        if stats is not None:
            stats.update(actors=size, peak_rss_mb=peak)
    finally:
        if shards:
            shards.flush()  # the rows received so far are whole analyses: a failed or stopped job keeps them
        if started:
            ray.shutdown()
    return writer.close() if writer else report


def _connect(ray: Any, address: str | None, workers: int | None) -> bool:
    """Join the cluster at ``address``, or start Ray on this machine; False when Ray was running in this process."""
    if ray.is_initialized():
        return False
    quiet = {"logging_level": logging.WARNING, "log_to_driver": False}
    # Ray's note that token authentication is on (as it should be) is not news to a user of this command
    logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(logging.ERROR)
    # Ray Data's actors take their constructor from the object store, which Ray's core logs as an error on every
    # job (ray-project/ray#53727); the job's own errors still reach the user as exceptions
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    if address:
        ray.init(address=address, **quiet)
    else:
        cpus = workers or os.cpu_count() or 1
        ray.init(num_cpus=cpus, include_dashboard=False, _node_ip_address="127.0.0.1", **quiet)
    return True


def _rows(ray: Any, todo: list[Unit], options: Options, lookup: str | None, size: int) -> Iterator[dict[str, Any]]:
    import ray.data

    ctx = ray.data.DataContext.get_current()
    saved = (ctx.target_max_block_size, ctx.execution_options.preserve_order, ctx.enable_progress_bars)
    ctx.target_max_block_size = BLOCK_BYTES
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # "progress bars disabled", as asked
    try:
        ds = ray.data.from_items([asdict(u) for u in todo], override_num_blocks=max(1, len(todo)))
        # Reading takes no CPU slot (every slot is an analysis actor's, and a reader waiting for one would stall
        # the job), and a quarter as many readers as actors: reading a page costs a tenth of analysing it.
        readers = ray.data.TaskPoolStrategy(size=max(1, min(len(todo), size // 4)))
        ds = ds.flat_map(_read, num_cpus=0, compute=readers)
        # Ray Data restarts a dead actor and runs its batch again (max_restarts=-1, max_task_retries=-1 by default).
        ds = ds.map_batches(
            analyser(options, lookup),
            compute=ray.data.ActorPoolStrategy(size=size),
            batch_size=options.chunk_size,
            batch_format="pyarrow",
            num_cpus=1,
        )
        with warnings.catch_warnings():  # a job of fewer blocks than actors is fine, not worth a warning
            warnings.filterwarnings("ignore", message=".*minimum number of concurrent actors", category=UserWarning)
            for batch in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
                yield from batch.to_pylist()
    finally:
        ctx.target_max_block_size, ctx.execution_options.preserve_order, ctx.enable_progress_bars = saved


def _read(row: dict[str, Any]) -> Iterator[dict[str, str | None]]:
    for item in read_unit(Unit(**row)):
        yield item_row(item)


def _take(
    row: dict[str, Any],
    writer: StoreWriter | None,
    shards: ShardWriter | None,
    report: IngestReport,
    progress: Progress | None,
) -> None:
    status = row["status"]
    if status == "unchanged":
        if writer:
            writer.unchanged()
        return
    if status == "error":
        err = InputError(row["error_source"], row["error"])
        if shards:
            shards.add(error_row(err))
        if writer:
            writer.add(err)
        else:
            report.failed += 1
            report.errors.append(str(err))
    else:
        if shards:
            shards.add({c: row[c] for c in COLUMNS})
        if writer:
            writer.add(Analysis.from_dict(json.loads(row["analysis"])))
        else:
            report.stored += 1
    if writer is None and progress:
        progress(report)


def analyser(options: Options, db: str | None) -> type[Analyser]:
    """The actor class with its options built in (no constructor arguments in Ray's object store, where losing
    them would stop a killed actor from coming back)."""

    class BoundAnalyser(Analyser):
        def __init__(self) -> None:
            super().__init__(options, db)

    BoundAnalyser.__name__ = BoundAnalyser.__qualname__ = "Analyser"
    return BoundAnalyser


class Analyser:
    """One actor: the pipeline built once; each batch looked up in the store, then analysed."""

    def __init__(self, options: Options, db: str | None) -> None:
        from presslens.pipeline import pipeline_for

        os.environ["OMP_NUM_THREADS"] = "1"
        self.pipeline = pipeline_for(options)
        import sys

        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(1)
        self.engine = None
        if db is not None:
            from presslens.store import open_engine

            try:
                self.engine = open_engine(db, create=False)
            except Exception:  # noqa: BLE001 - a store this node cannot reach: everything is analysed, and the
                self.engine = None  # writer still stores nothing twice (the lookup only saves analysis time)

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        from presslens.corpus.write import current_digests

        rows = batch.to_pylist()
        known: dict[str, str] = {}
        if self.engine is not None:
            try:
                known = current_digests(self.engine, sorted({r["key"] for r in rows if r["key"]}))
            except Exception:  # noqa: BLE001 - the store is busy or gone for a moment: analyse the batch
                known = {}
        todo = [i for i, r in enumerate(rows) if r["error"] is None and known.get(r["key"]) != r["digest"]]
        articles = [row_item(rows[i]) for i in todo]
        results = dict(zip(todo, self.pipeline.analyze_articles(articles), strict=True))  # type: ignore[arg-type]
        out = []
        for i, r in enumerate(rows):
            if r["error"] is not None:
                out.append(error_row(InputError(r["error_source"], r["error"])) | {"status": "error"})
            elif i not in results:
                out.append({c: None for c in COLUMNS} | {"key": r["key"], "digest": r["digest"], "status": "unchanged"})
            elif isinstance(res := results[i], InputError):
                out.append(error_row(res) | {"status": "error"})
            else:
                out.append(analysis_row(res) | {"status": "analysed"})
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for o in out:
            o["rss_mb"] = f"{os.getpid()}:{rss:.0f}"
        return pa.Table.from_pylist(out, schema=_out_schema())


def _out_schema() -> Any:
    import pyarrow as pa

    return pa.schema([(c, pa.string()) for c in OUT_COLUMNS])
