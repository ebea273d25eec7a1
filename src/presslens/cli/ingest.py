"""``presslens ingest``: analyse articles into the corpus store (a thin layer over :func:`presslens.corpus.ingest`)."""

from __future__ import annotations

import argparse
import sys
import time

from presslens.cli.common import log
from presslens.terminal import safe_for_terminal


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
    p.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    p.set_defaults(func=run, only=None, accurate=False, accurate_model=None, all_spans=False, spacy_model=None)
    p.set_defaults(match_threshold=0.5, match_top=3)


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
    options = options_from(args, n_articles=100)
    show = not args.no_progress and sys.stderr.isatty()

    def progress(r: IngestReport) -> None:
        rate = r.stored / r.seconds if r.seconds else 0.0
        sys.stderr.write(
            f"\r{r.seen} articles: {r.stored} stored, {r.unchanged} unchanged, {r.failed} failed, {rate:.1f}/s   "
        )
        sys.stderr.flush()

    t0 = time.time()
    report = ingest(
        args.sources,
        args.db,
        options=options,
        reanalyze=args.reanalyze,
        where=args.where,
        command=" ".join(["ingest", *sys.argv[2:]])[:2000],
        progress=progress if show else None,
    )
    if show:
        sys.stderr.write("\n")
    for e in report.errors:
        log(f"presslens: skipped {safe_for_terminal(e)}")
    log(f"{report.stored} stored, {report.unchanged} unchanged, {report.failed} failed in {time.time() - t0:.1f} s")
    return 1 if report.failed else 0
