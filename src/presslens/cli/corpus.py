"""``presslens corpus``: questions across the stored articles, as a table, JSON Lines or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from typing import Any

from presslens.cli.common import group_help
from presslens.cli.ingest import db_option
from presslens.store import StoreError
from presslens.terminal import safe_for_terminal

EXPORTS = ("quotes", "claims", "speakers", "techniques", "articles")


def add_commands(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("corpus", help="ask the corpus store: speakers, quotes, claims, techniques, errors")
    csub = c.add_subparsers(title="questions", metavar="QUESTION")
    c.set_defaults(func=group_help(c))

    def q(name: str, help: str) -> argparse.ArgumentParser:
        p = csub.add_parser(name, help=help, description=help)
        db_option(p)
        p.add_argument("--format", choices=["table", "json", "csv"], default="table", help="default: table")
        return p

    q("stats", "how much the store holds").set_defaults(func=run, query="stats")
    p = q("speakers", "the most quoted speakers")
    p.add_argument("--top", type=int, default=20)
    p.set_defaults(func=run, query="speakers")
    p = q("speaker", "every quote of one speaker, newest first, with its claims and techniques")
    p.add_argument("name", help="a name or part of one (any variant: 'Peskov', 'Dmitry Peskov')")
    p.add_argument("--limit", type=int, default=100, help="the newest N quotes (default 100; 0: all)")
    p.set_defaults(func=run, query="speaker")
    p = q("quotes", "search quotes (full text: every word, stemmed)")
    p.add_argument("--search", metavar="TEXT")
    p.add_argument("--speaker")
    p.add_argument("--outlet")
    p.add_argument("--since", metavar="DAY", help="YYYY-MM-DD")
    p.add_argument("--until", metavar="DAY", help="YYYY-MM-DD")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=run, query="quotes")
    p = q("claims", "claim clusters ranked by check-worthiness and spread: the fact-checker's queue")
    p.add_argument("--since", metavar="DAY")
    p.add_argument("--until", metavar="DAY")
    p.add_argument("--top", type=int, default=20)
    p.set_defaults(func=run, query="claims")
    p = q("claim", "every mention of one claim cluster, with disputes and fact-checks")
    p.add_argument("id", type=int, help="a cluster id from 'presslens corpus claims'")
    p.add_argument("--limit", type=int, default=200, help="the earliest N mentions (default 200; 0: all)")
    p.set_defaults(func=run, query="claim")
    p = q("techniques", "persuasion techniques and frames counted per outlet, speaker or day")
    p.add_argument("--by", choices=["outlet", "speaker", "day"], default="outlet")
    p.add_argument("--since", metavar="DAY")
    p.add_argument("--until", metavar="DAY")
    p.add_argument(
        "--top", type=int, default=20, help="--by speaker: the N most quoted speakers of all time (default 20; 0: all)"
    )
    p.set_defaults(func=run, query="techniques")
    q("errors", "inputs that could not be analysed, newest first").set_defaults(func=run, query="errors")
    ex = csub.add_parser("export", help="write a table of the store for pandas, polars or DuckDB")
    db_option(ex)
    ex.add_argument("table", choices=EXPORTS)
    ex.add_argument("--format", choices=["parquet", "jsonl", "csv"], default="jsonl")
    ex.add_argument("-o", "--output", metavar="FILE", help="required for parquet; default: standard output")
    ex.set_defaults(func=run_export)


def rows_for(args: argparse.Namespace) -> list[dict[str, Any]]:
    from presslens.corpus import Corpus

    with Corpus(args.db) as corpus:
        query = args.query
        if query == "speaker":
            found = corpus.rows("find_speakers", args.name)
            if not found:
                raise StoreError(f"no speaker named like {args.name!r}")
            if len(found) > 1:
                others = ", ".join(f"{f['name']} ({f['quotes']})" for f in found[1:6])
                print(f"{found[0]['name']} — also named like it: {safe_for_terminal(others)}", file=sys.stderr)
            rows = corpus.rows("speaker", found[0]["id"], args.limit or None)
            _note_cut(rows, args.limit, "quotes", "the newest")
            return rows
        if query == "quotes":
            return corpus.rows(
                "search_quotes",
                args.search,
                speaker=args.speaker,
                outlet=args.outlet,
                since=args.since,
                until=args.until,
                limit=args.limit,
            )
        if query == "claims":
            return corpus.rows("claims", since=args.since, until=args.until, top=args.top)
        if query == "claim":
            rows = corpus.rows("claim", args.id, args.limit or None)
            if not rows:
                raise StoreError(f"no claim cluster {args.id}")
            _note_cut(rows, args.limit, "mentions", "the earliest")
            return rows
        if query == "techniques":
            return corpus.rows("techniques", args.by, since=args.since, until=args.until, top=args.top or None)
        if query == "speakers":
            return corpus.rows("speakers", top=args.top)
        return corpus.rows(query)


def _note_cut(rows: list[dict[str, Any]], limit: int, what: str, which: str) -> None:
    if limit and len(rows) == limit:  # there may be more
        print(f"presslens: {which} {limit:,} {what} shown (--limit N for more, 0 for all)", file=sys.stderr)


# what a table shows (JSON and CSV carry every column)
TABLE_COLUMNS = {
    "speaker": ("day", "outlet", "kind", "text", "speaker_text", "claims", "techniques", "article"),
    "quotes": ("day", "outlet", "speaker", "kind", "text", "article"),
    "claims": (
        "cluster",
        "checkworthiness",
        "articles",
        "outlets",
        "speakers",
        "disputed",
        "fact_checks",
        "first_seen",
        "text",
    ),
    "claim": ("day", "outlet", "speaker", "checkworthiness", "disputed", "text", "fact_checks", "article"),
}


def run(args: argparse.Namespace) -> int:
    rows = rows_for(args)
    if args.format == "table" and args.query in TABLE_COLUMNS:
        rows = [{c: r.get(c) for c in TABLE_COLUMNS[args.query]} for r in rows]
    write(rows, args.format, sys.stdout)
    return 0


def write(rows: list[dict[str, Any]], fmt: str, out: Any) -> None:
    if fmt == "json":
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
    elif fmt == "csv":
        if rows:
            w = csv.DictWriter(out, fieldnames=list(rows[0]))
            w.writeheader()
            for r in rows:
                w.writerow(
                    {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for k, v in r.items()}
                )
    else:
        out.write(table(rows))


def table(rows: list[dict[str, Any]]) -> str:
    """Columns fitted to the terminal; long cells cut with an ellipsis; article text made safe to print."""
    if not rows:
        return "(nothing)\n"
    width = shutil.get_terminal_size((120, 20)).columns
    cols = list(rows[0])
    cells = [[_cell(r[c]) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    while sum(widths) + 2 * len(widths) > width and max(widths) > 12:
        widths[widths.index(max(widths))] -= 1
    lines = ["  ".join(c.ljust(w)[:w] for c, w in zip(cols, widths, strict=True)).rstrip()]
    for row in cells:
        lines.append(
            "  ".join(
                (v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(row, widths, strict=True)
            ).rstrip()
        )
    return "\n".join(lines) + "\n"


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, list):
        v = ", ".join(str(x.get("rating") or x.get("fact_check")) if isinstance(x, dict) else str(x) for x in v)
    return safe_for_terminal(" ".join(str(v).split()))


def run_export(args: argparse.Namespace) -> int:
    from presslens.corpus import Corpus

    if args.format == "parquet" and not args.output:
        raise StoreError("--format parquet needs -o FILE")
    with Corpus(args.db) as corpus:
        rows = corpus.rows("export", args.table)
    if args.format == "parquet":
        try:
            import pandas as pd

            pd.DataFrame(rows).to_parquet(args.output, index=False)
        except ImportError:
            raise StoreError("parquet needs pyarrow: pip install 'presslens[parquet]'") from None
        return 0
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as f:
            write(rows, "json" if args.format == "jsonl" else "csv", f)
    else:
        write(rows, "json" if args.format == "jsonl" else "csv", sys.stdout)
    return 0
