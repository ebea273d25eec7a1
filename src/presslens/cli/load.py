"""``presslens load DIR``: Parquet shards of analyses (``ingest --engine ray --out DIR``) into the corpus store."""

from __future__ import annotations

import argparse
import sys
import time

from presslens.cli.ingest import _width, cluster_option, clusterer_for, db_option, finish, progress_line


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "load",
        help="load Parquet shards of analyses (ingest --engine ray --out) into the corpus store",
        description=(
            "Store the analyses in Parquet shards written by ingest --engine ray --out (a folder, one file, or a "
            "pyarrow URI such as s3://bucket/prefix). Idempotent: articles stored already with the same text are "
            "skipped. Bad rows and unreadable files are reported and recorded; exit status 1 when there were any."
        ),
    )
    p.add_argument("location", metavar="DIR", help="the shards: a folder, a .parquet file or a URI")
    db_option(p)
    cluster_option(p)
    p.add_argument("--no-progress", action="store_true", help="no progress line (shown on a terminal only)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from presslens.corpus import IngestReport
    from presslens.distributed.load import load

    show = not args.no_progress and sys.stderr.isatty()
    t0 = time.perf_counter()

    def progress(r: IngestReport) -> None:
        sys.stderr.write("\r" + progress_line(r, None, time.perf_counter() - t0, width=_width()))
        sys.stderr.flush()

    report = load(
        args.location,
        args.db,
        command=" ".join(["load", *sys.argv[2:]])[:2000],
        progress=progress if show else None,
        clusterer=clusterer_for(args),
    )
    return finish(report, t0, show)
