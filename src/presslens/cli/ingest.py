"""``presslens ingest``: analyse articles into the corpus store (a thin layer over :func:`presslens.corpus.ingest`)."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

from presslens.cli.common import log
from presslens.terminal import safe_for_terminal

if TYPE_CHECKING:
    from presslens.corpus import IngestReport
    from presslens.corpus.clusters import Clusterer


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest",
        help="analyse articles and store them in the corpus store",
        description=(
            "Analyse articles (what analyze reads, plus feed, sitemap and page URLs and WARC files) and store every "
            "analysis. Unchanged articles (same URL or id, same text) are skipped; a changed one is stored as a new "
            "version. Bad inputs are reported and recorded (presslens corpus errors); exit status 1 when there were any."
        ),
    )
    p.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="files, directories, globs, .jsonl, -, URLs, .warc[.gz]"
    )
    db_option(p)
    cluster_option(p)
    p.add_argument("--fast", action="store_true", help="the lexical technique model: about twice as fast")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="analysis processes (default: up to 2)")
    p.add_argument(
        "--kb", metavar="FILE", help="fact-check knowledge base to match claims to (default: when it exists)"
    )
    p.add_argument("--no-kb", action="store_true", help="do not match claims to fact-checks")
    p.add_argument(
        "--reanalyze",
        action="store_true",
        help="analyse stored articles again with the current models (a new version where the result differs)",
    )
    p.add_argument(
        "--where",
        action="append",
        metavar="COND",
        help="with --reanalyze: only articles with FIELD=VALUE (or !=, <, >, <=, >=; fields outlet, day, url, "
        "genre, model), repeatable",
    )
    p.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress line (shown on a terminal only: articles done, articles/s and, when the inputs can be "
        "counted, the ETA)",
    )
    p.add_argument(
        "--engine",
        choices=("plain", "ray"),
        default="plain",
        help="plain: processes on this machine (the default); ray: a Ray Data job (pip install 'presslens[ray]')",
    )
    p.add_argument(
        "--address",
        metavar="ADDR",
        help="with --engine ray: join the Ray cluster at auto or ray://HOST:PORT (default: start Ray on this machine)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="with --engine ray: write the analyses as Parquet shards under DIR (a folder or a pyarrow URI); "
        "with --out and no --db nothing is stored (presslens load DIR does it later)",
    )
    p.set_defaults(func=run, only=None, accurate=False, accurate_model=None, all_spans=False, spacy_model=None)
    p.set_defaults(match_threshold=0.5, match_top=3)


def cluster_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--cluster-by",
        choices=("meaning", "words"),
        default="meaning",
        help="how the same claim is found across articles: meaning (all-MiniLM-L6-v2 sentence vectors and vetoes; "
        "the default, where the semantic extra is installed) or words (shared content terms and the same vetoes: no "
        'encoder, less CPU a claim, fewer restatements grouped; docs/evaluation.md "Corpus links")',
    )


def clusterer_for(args: argparse.Namespace) -> Clusterer | None:
    """The clusterer ``--cluster-by`` asks for (None: the default one)."""
    from presslens.corpus.ingest import load_clusterer

    return load_clusterer("words") if args.cluster_by == "words" else None


def db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="URL",
        help="the store: a SQLite file or postgresql://... (default: $PRESSLENS_DB or ~/.local/share/presslens/presslens.db)",
    )


def run(args: argparse.Namespace) -> int:
    from presslens.cli.analyze import options_from
    from presslens.corpus import IngestReport, ingest
    from presslens.options import OptionsError

    if not args.sources and not args.reanalyze:
        raise OptionsError("name something to ingest (files, directories, URLs, WARC files), or --reanalyze")
    if args.sources and args.reanalyze:
        raise OptionsError("--reanalyze works on the stored articles: give no SOURCE with it")
    if args.where and not args.reanalyze:
        raise OptionsError("--where goes with --reanalyze")
    if args.engine == "ray":
        return _run_ray(args)
    if args.address or args.out:
        raise OptionsError(f"{'--address' if args.address else '--out'} goes with --engine ray")
    options = options_from(args, n_articles=100)
    show = not args.no_progress and sys.stderr.isatty()
    t0 = time.perf_counter()
    total: list[int | None] = [None]  # filled in by a thread, so that counting never delays the ingest
    if show and not args.reanalyze:
        counter = threading.Thread(target=_estimate, args=(args.sources, total), daemon=True)
        counter.start()
        counter.join(0.5)  # most inputs are counted by then: the first line already shows the total

    def progress(r: IngestReport) -> None:
        sys.stderr.write("\r" + progress_line(r, total[0], time.perf_counter() - t0, width=_width()))
        sys.stderr.flush()

    if show:
        progress(IngestReport())
    report = ingest(
        args.sources,
        args.db,
        options=options,
        reanalyze=args.reanalyze,
        where=args.where,
        command=" ".join(["ingest", *sys.argv[2:]])[:2000],
        progress=progress if show else None,
        clusterer=clusterer_for(args),
    )
    if show:
        progress(report)
    return finish(report, t0, show)


def _run_ray(args: argparse.Namespace) -> int:
    from presslens.cli.analyze import options_from
    from presslens.corpus import IngestReport
    from presslens.distributed import require_ray
    from presslens.options import OptionsError

    if args.reanalyze:
        raise OptionsError("--reanalyze runs on the plain engine: leave out --engine ray")
    require_ray()  # one line when Ray is not installed, before anything is opened
    from presslens.distributed.job import run_ray

    options = options_from(args, n_articles=1)  # one process per actor: the actors are the workers
    show = not args.no_progress and sys.stderr.isatty()
    t0 = time.perf_counter()

    def progress(r: IngestReport) -> None:
        sys.stderr.write("\r" + progress_line(r, None, time.perf_counter() - t0, width=_width()))
        sys.stderr.flush()

    if show:
        progress(IngestReport())  # a line at once: starting Ray and the actors takes seconds
    report = run_ray(
        args.sources,
        db=args.db,
        out=args.out,
        address=args.address,
        options=options,
        workers=args.workers,
        command=" ".join(["ingest", *sys.argv[2:]])[:2000],
        progress=progress if show else None,
        clusterer=clusterer_for(args),
    )
    if show:
        progress(report)
    return finish(report, t0, show, f" (shards in {safe_for_terminal(args.out)})" if args.out else "")


def finish(report: IngestReport, t0: float, show: bool, where: str = "") -> int:
    """End the progress line, report each skipped input and the counts; exit status 1 when any input failed."""
    if show:
        sys.stderr.write("\n")
    for e in report.errors:
        log(f"presslens: skipped {safe_for_terminal(e)}")
    log(
        f"{report.stored} stored, {report.unchanged} unchanged, {report.failed} failed "
        f"in {time.perf_counter() - t0:.1f} s{where}"
    )
    return 1 if report.failed else 0


def _estimate(sources: list[str], total: list[int | None]) -> None:
    from presslens.ingest.count import estimate_count

    try:
        total[0] = estimate_count(sources)
    except Exception:  # noqa: BLE001 - only the ETA is lost; the ingest reports bad inputs itself
        total[0] = None


def _width() -> int:
    try:
        columns = os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        columns = 0
    return max(columns, 20) if columns else 80  # a pseudo-terminal may report 0 columns


def progress_line(report: IngestReport, total: int | None, elapsed: float, *, width: int = 80) -> str:
    """``120/480 articles (25%), 3.2 articles/s, ETA 1:52 (100 stored, 15 unchanged, 5 failed)``, fitted to
    ``width`` (padded, to overwrite a longer line; cut, so that it never wraps).

    The rate is that of the articles analysed (stored or failed): unchanged ones are skipped before analysis, in
    bursts, and counting them would promise a resumed ingest a far too early end. Only while every article so far
    was skipped is the rate that of the skipping. Without a total, or once more articles turn out done than were
    counted, there is no percentage and no ETA; before the first article, no rate."""
    done, analysed = report.seen, report.stored + report.failed
    left = total - done if total is not None and done <= total else None
    parts = [
        f"{done}/{total} articles ({100 * done // max(done + left, 1)}%)" if left is not None else f"{done} articles"
    ]
    rate = (analysed or done) / elapsed if done and elapsed > 0 else 0.0
    if rate > 0:
        parts.append(f"{rate:.1f} articles/s")
        if left is not None:
            parts.append(f"ETA {clock(left / rate)}")
    line = ", ".join(parts) + f" ({report.stored} stored, {report.unchanged} unchanged, {report.failed} failed)"
    return line[: width - 1].ljust(width - 1)


def clock(seconds: float) -> str:
    """0:07, 12:34, 1:02:03."""
    s = max(0, round(seconds))
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if h else f"{m}:{s % 60:02d}"
