"""``presslens factchecks``: the fact-check knowledge base — import, index, list, search, export."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from presslens.cli.common import group_help, kb_option, log
from presslens.errors import PressLensError
from presslens.terminal import safe_for_terminal, safe_json

if TYPE_CHECKING:
    from presslens.factchecks.records import FactCheck
    from presslens.factchecks.store import KnowledgeBase


def add_commands(sub: argparse._SubParsersAction) -> None:
    f = sub.add_parser(
        "factchecks",
        help="the fact-check knowledge base: import, list, search, export",
        description="A local SQLite knowledge base of fact-checks (default: $PRESSLENS_KB or ~/.local/share/presslens/factchecks.sqlite).",
    )
    fsub = f.add_subparsers(title="actions", metavar="ACTION")
    f.set_defaults(func=group_help(f))

    imp = fsub.add_parser(
        "import",
        help="import ClaimReview JSON-LD / HTML, CSV, JSON Lines, or the PolitiFact .tar.gz",
        description=(
            "Import fact-checks: ClaimReview (schema.org JSON-LD objects, lists, @graph, or <script type=application/ld+json> "
            "in .html pages), CSV / JSON Lines with the columns id, claim_reviewed, rating, publisher, url, date, claimant, "
            "title, or a .tar.gz of PolitiFact JSON records. Invalid records are reported one by one and skipped; the "
            "valid ones are imported in one transaction, then embedded for semantic matching. Exit status 1 when any "
            "record was skipped."
        ),
    )
    imp.add_argument("files", nargs="+", metavar="FILE")
    kb_option(imp)
    imp.add_argument("--no-embed", action="store_true", help="skip the embedding step (run 'factchecks index' later)")
    imp.add_argument("--quiet", action="store_true", help="print only the summary, not each skipped record")
    imp.set_defaults(func=run_import)
    idx = fsub.add_parser("index", help="embed the records that have no embedding yet")
    kb_option(idx)
    idx.set_defaults(func=run_index)
    ls = fsub.add_parser("list", help="list fact-checks, newest first")
    kb_option(ls)
    ls.add_argument("--limit", type=int, default=20)
    ls.add_argument("--offset", type=int, default=0)
    ls.add_argument("--json", action="store_true", help="JSON Lines")
    ls.set_defaults(func=run_list)
    se = fsub.add_parser("search", help="the fact-checks closest to a claim")
    se.add_argument("query", metavar="TEXT")
    kb_option(se)
    se.add_argument("--limit", type=int, default=5)
    se.add_argument(
        "--method", choices=["bm25", "semantic", "fused", "reranked"], default=None, help="default: the best available"
    )
    se.add_argument("--json", action="store_true", help="JSON Lines")
    se.set_defaults(func=run_search)
    ex = fsub.add_parser("export", help="write the knowledge base as JSON Lines, CSV or ClaimReview JSON-LD")
    kb_option(ex)
    ex.add_argument("--format", choices=["jsonl", "csv", "claimreview"], default="jsonl")
    ex.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    ex.set_defaults(func=run_export)


def run_import(args: argparse.Namespace) -> int:
    from presslens.factchecks import KnowledgeBase, read_records
    from presslens.factchecks.encoder import encoder_available, encoder_name, load_encoder

    t0 = time.time()
    total_errors = 0
    with KnowledgeBase(args.kb) as kb:
        for path in args.files:
            report = kb.import_records(
                read_records(path),
                on_error=None if args.quiet else lambda e: log(safe_for_terminal(f"  skipped {e}")),
                on_warning=None if args.quiet else lambda w: log(safe_for_terminal(f"  warning {w}")),
            )
            total_errors += len(report.errors)
            warned = f", {len(report.warnings)} imported without a valid date" if report.warnings else ""
            log(
                safe_for_terminal(
                    f"{path}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
                    f"{len(report.errors)} skipped{warned}"
                )
            )
        t1 = time.time()
        log(safe_for_terminal(f"knowledge base {kb.path}: {len(kb)} fact-checks (import {t1 - t0:.1f}s)"))
        missing = 0 if args.no_embed else kb.missing_embeddings(encoder_name())
        if missing:
            if encoder_available():
                n = kb.build_index(load_encoder())
                others = missing - n if n < missing and not kb.missing_embeddings(encoder_name()) else 0
                by_others = f"; {others} more by another run at the same time" if others else ""
                log(f"embedded {n} new or changed records{by_others} ({time.time() - t1:.1f}s)")
            else:
                log('presslens: semantic matching unavailable (pip install "presslens[semantic]"); BM25 only')
    return 1 if total_errors else 0


def run_index(args: argparse.Namespace) -> int:
    from presslens.factchecks import KnowledgeBase
    from presslens.factchecks.encoder import load_encoder

    with KnowledgeBase(args.kb) as kb:
        n = kb.build_index(load_encoder(), log=log)
        log(f"embedded {n} records; {len(kb)} in the knowledge base")
    return 0


def _print_record(rec: FactCheck, score: float | None = None) -> None:
    """Two lines of text; every stored field shown with its control characters as visible escapes."""
    head = f"[{rec.rating or '?'}] {rec.claim_reviewed}"
    print(safe_for_terminal(head if score is None else f"{score:<7.3g} {head}"))
    details = " · ".join(x for x in (rec.claimant, rec.publisher, rec.date, rec.url) if x)
    print(safe_for_terminal(f"        {details}" + (f"  (id {rec.id})" if rec.id != rec.url else "")))


def _json(value: object) -> str:
    """One JSON value; what json.dumps leaves raw that a terminal acts on (C1 controls, bidi) as JSON escapes."""
    return safe_json(json.dumps(value, ensure_ascii=False))


def run_list(args: argparse.Namespace) -> int:
    from presslens.factchecks import KnowledgeBase

    with KnowledgeBase(args.kb, readonly=True) as kb:
        for rec in kb.records(args.limit, args.offset):
            if args.json:
                print(_json(rec.to_dict()))
            else:
                _print_record(rec)
    return 0


def run_search(args: argparse.Namespace) -> int:
    from presslens.factchecks.match import search

    method, hits = search(args.kb, args.query, args.limit, args.method)
    if method != (args.method or method):
        log("presslens: no embeddings or encoder: BM25 only")
    for rec, score in hits:
        if args.json:
            print(_json({**rec.to_dict(), "score": round(score, 4)}))
        else:
            _print_record(rec, score)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from presslens.factchecks import KnowledgeBase

    with KnowledgeBase(args.kb, readonly=True) as kb:
        if not args.output:
            _export(kb, args.format, sys.stdout)
            return 0
        # A temporary file beside the target, renamed on success: a failed export leaves the old file as it was.
        target = Path(args.output)
        if target.is_dir():
            raise PressLensError(f"{args.output}: is a folder; give a file name")
        try:
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", newline="", dir=target.parent, prefix=f".{target.name}.", delete=False
            ) as out:
                tmp = Path(out.name)
                try:
                    _export(kb, args.format, out)
                except BaseException:
                    out.close()
                    tmp.unlink(missing_ok=True)
                    raise
            tmp.chmod(target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
            tmp.replace(target)
        except OSError as exc:
            raise PressLensError(f"{args.output}: cannot write it ({exc.strerror or type(exc).__name__})") from None
    return 0


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _export(kb: KnowledgeBase, fmt: str, out: IO[str]) -> None:
    import csv

    from presslens.factchecks.records import FIELDS, to_claim_review

    records = kb.records()
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=[*FIELDS, "date_raw"])
        writer.writeheader()
        # CSV has no escapes of its own: on a terminal, control characters are shown escaped; a file gets them as stored.
        on_terminal = out.isatty()
        for rec in records:
            row = rec.to_dict()
            if on_terminal:
                row = {k: safe_for_terminal(v) if isinstance(v, str) else v for k, v in row.items()}
            writer.writerow(row)
    elif fmt == "claimreview":
        out.write(safe_json(json.dumps([to_claim_review(r) for r in records], ensure_ascii=False, indent=1)))
        out.write("\n")
    else:
        for rec in records:
            out.write(_json(rec.to_dict()) + "\n")
