"""``presslens analyze``: who said what, what is claimed, how it persuades."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import IO

from presslens import registry
from presslens.errors import InputError
from presslens.ingest import DEFAULT_MAX_BYTES, iter_articles, names_collection
from presslens.model import Analysis
from presslens.options import DEFAULT_MATCH_THRESHOLD, DEFAULT_MATCH_TOP, Options, OptionsError


def add_commands(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser(
        "analyze",
        help="analyse articles: who said what",
        description=(
            "Analyse articles (.txt, .html, .jsonl, directories, globs, or - for stdin) and report every quote "
            "with its speaker. Exit status 1 when any input could not be analysed (the others still are)."
        ),
    )
    a.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory, glob pattern, or - for stdin")
    a.add_argument(
        "-f",
        "--format",
        choices=["text", "json", "html"],
        default="text",
        help="output format (default: text); json is one document for one file, JSON Lines for a directory, a glob, "
        "a .jsonl file or several inputs",
    )
    a.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    a.add_argument("--spacy-model", metavar="NAME", help="spaCy pipeline to use (default: en_core_web_sm if installed)")
    a.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes for many inputs (default: up to 2)"
    )
    a.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N", help="skip files larger than this")
    a.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    listing = "; ".join(f"{c.name}: {c.help}" for c in registry.components())
    a.add_argument(
        "--only",
        metavar="NAME[,NAME]",
        help=f"run only these components (and what they require) — {listing}",
    )
    a.add_argument(
        "--accurate",
        action="store_true",
        help="technique spans and paragraphs from the fine-tuned encoder: better (model card) but ~1.4 s per article "
        "on one core; needs the semantic extra. Default: the fast lexical models",
    )
    a.add_argument(
        "--accurate-model",
        metavar="FILE",
        help="a .safetensors model from presslens train techniques --accurate --out FILE (implies --accurate)",
    )
    a.add_argument(
        "--kb",
        metavar="FILE",
        help="fact-check knowledge base to match claims to (default: $PRESSLENS_KB or "
        "~/.local/share/presslens/factchecks.sqlite when it exists)",
    )
    a.add_argument("--no-kb", action="store_true", help="do not match claims to fact-checks")
    a.add_argument(
        "--match-threshold",
        type=float,
        default=DEFAULT_MATCH_THRESHOLD,
        metavar="P",
        help=f"show fact-checks whose match probability is at least P (default {DEFAULT_MATCH_THRESHOLD}; lower finds "
        "more, with more false alarms)",
    )
    a.add_argument(
        "--match-top",
        type=int,
        default=DEFAULT_MATCH_TOP,
        metavar="N",
        help="look up N claims per article in the knowledge base, disputed ones first, then the most check-worthy "
        f"(default {DEFAULT_MATCH_TOP}, about 25 ms of one core per claim; 0 = every claim)",
    )
    a.set_defaults(func=run)


def options_from(args: argparse.Namespace, n_articles: int) -> Options:
    """The options of one ``analyze`` run: the default knowledge base is used when it exists."""
    from presslens.pipeline import default_workers

    components = tuple(n.strip() for n in args.only.split(",") if n.strip()) if args.only else ()
    if (args.accurate or args.accurate_model) and "techniques" not in registry.resolve(components):
        raise OptionsError(f"--accurate changes the technique spans only; --only {args.only} runs none")
    kb = None
    if not args.no_kb:
        from presslens.factchecks.store import default_kb_path

        kb = args.kb or (str(default_kb_path()) if default_kb_path().exists() else None)
    return Options(
        spacy_model=args.spacy_model,
        components=components,
        kb=kb,
        match_threshold=args.match_threshold,
        match_top=args.match_top,
        accurate=args.accurate,
        accurate_model=args.accurate_model,
        workers=args.workers or (default_workers() if n_articles > 4 else 1),
    )


def run(args: argparse.Namespace) -> int:
    from presslens.pipeline import analyze_many

    items = list(iter_articles(args.inputs, max_bytes=args.max_bytes))
    n_articles = sum(1 for x in items if not isinstance(x, InputError))
    options = options_from(args, n_articles)
    if "claims" not in options.components:
        options = replace(options, kb=None)  # nothing to match: do not open the knowledge base
    results: Iterable[Analysis | InputError] = analyze_many(items, options=options)
    if len(items) > 3 and not args.no_progress:
        from tqdm import tqdm

        results = tqdm(results, total=len(items), unit="article", file=sys.stderr, leave=False)
    failures: list[InputError] = []
    analyses = _collect_good(results, failures)
    many = len(items) > 1 or names_collection(args.inputs)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        write(out, analyses, args.format, many)
    finally:
        if out is not sys.stdout:
            out.close()
    if failures and len(items) == 1:  # one input: one line, like any other error
        print(f"presslens: error: {failures[0]}", file=sys.stderr)
        return 1
    if failures:
        print(f"presslens: {len(failures)} of {len(items)} input(s) could not be analysed:", file=sys.stderr)
        for err in failures:
            print(f"  {err}", file=sys.stderr)
        return 1
    return 0


def write(out: IO[str], analyses: Iterable[Analysis], fmt: str, many: bool) -> None:
    """JSON (JSON Lines when ``many``), one HTML report, or the text summaries separated by a rule."""
    from presslens.report import render_html, render_text

    if fmt == "json":
        for a in analyses:
            out.write(a.to_json(indent=None if many else 2) + "\n")
    elif fmt == "html":
        good = list(analyses)
        if good:
            out.write(render_html(good if len(good) > 1 else good[0]))
    else:
        for i, a in enumerate(analyses):
            if i:
                out.write("\n" + "=" * 78 + "\n\n")
            out.write(render_text(a))


def _collect_good(results: Iterable[Analysis | InputError], failures: list[InputError]) -> Iterator[Analysis]:
    for r in results:
        if isinstance(r, InputError):
            failures.append(r)
        else:
            yield r
