"""``presslens analyze``: who said what, what is claimed, how it persuades."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO

from presslens import registry
from presslens.errors import InputError
from presslens.ingest import DEFAULT_MAX_BYTES, iter_articles, names_collection
from presslens.model import Analysis
from presslens.options import DEFAULT_MATCH_THRESHOLD, DEFAULT_MATCH_TOP, Options, OptionsError
from presslens.terminal import safe_for_terminal, safe_json


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
        "--fast",
        action="store_true",
        help="technique spans and paragraphs from the lexical model: the whole analysis about twice as fast as with "
        "the default fine-tuned encoder, less accurate (paragraph micro-F1 0.29 against 0.37 held out, model card). The default runs "
        "the fine-tuned model (the accurate extra; without it, the lexical one with a note on stderr)",
    )
    a.add_argument(
        "--accurate",
        action="store_true",
        help="the fine-tuned model with both its members averaged instead of the first (the default): twice the "
        "tagger's time for technique-aware spans +0.013 F1 (model card); kept from when the default was lexical",
    )
    a.add_argument(
        "--accurate-model",
        metavar="FILE",
        help="a .safetensors model from presslens train techniques --accurate --out FILE, all its members "
        "(implies --accurate; not with --fast)",
    )
    a.add_argument(
        "--all-spans",
        action="store_true",
        help="also show the technique spans below the model's calibrated display threshold (where fewer than 60 %% "
        "are right, docs/evaluation.md), marked uncertain",
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
    if args.fast and (args.accurate or args.accurate_model):
        raise OptionsError(
            f"--fast (the lexical model) and {'--accurate-model' if args.accurate_model else '--accurate'} "
            "(a fine-tuned one) exclude each other"
        )
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
        fast=args.fast,
        accurate=args.accurate,
        accurate_model=args.accurate_model,
        min_confidence=0.0 if args.all_spans else None,
        workers=args.workers or (default_workers() if n_articles > 4 else 1),
    )


def run(args: argparse.Namespace) -> int:
    from presslens.pipeline import analyze_many

    target = OutputFile(args.output) if args.output else None  # a bad -o fails now, before any analysis
    try:
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
        written = write(target.file if target else sys.stdout, analyses, args.format, many, failures)
    except OSError as exc:  # writing the output: a full disk, a file system gone read-only
        if target is None:
            raise
        target.discard()
        raise InputError(args.output, f"cannot write: {exc.strerror or exc}") from None
    except BaseException:
        if target is not None:
            target.discard()  # whatever the file held before stays
        raise
    if target is not None:
        if written:
            target.commit()
        else:
            target.discard()  # nothing new to write: whatever the file held before stays
    if failures and len(items) == 1:  # one input: one line, like any other error
        print(f"presslens: error: {safe_for_terminal(str(failures[0]))}", file=sys.stderr)
        return 1
    if failures:
        print(f"presslens: {len(failures)} of {len(items)} input(s) could not be analysed:", file=sys.stderr)
        for err in failures:
            print(f"  {safe_for_terminal(str(err))}", file=sys.stderr)
        return 1
    return 0


class OutputFile:
    """``-o FILE``: written to a temporary file beside it, renamed over it only once something was written.

    A directory or a missing folder is a one-line error before any analysis; what the file held stays when
    nothing new could be written (every input failed, an error, an interruption). A device or a pipe
    (``-o /dev/stdout``) is written directly.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        target = Path(path)
        if target.is_dir():
            raise InputError(path, "is a directory: -o takes a file name")
        self.tmp: str | None = None
        self.real = target.resolve()  # a link is followed: the file it points to is replaced
        try:
            if target.exists() and not target.is_file():
                self.file: IO[str] = open(path, "w", encoding="utf-8")  # noqa: SIM115
                return
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.real.name}.", suffix=".tmp", dir=self.real.parent)
            self.file = os.fdopen(fd, "w", encoding="utf-8")
        except FileNotFoundError:
            raise InputError(path, f"cannot write: no such directory {str(self.real.parent)!r}") from None
        except OSError as exc:
            raise InputError(path, f"cannot write: {exc.strerror or exc}") from None

    def commit(self) -> None:
        if self.tmp is None:
            self.file.close()
            return
        try:
            self.file.close()
            if self.real.exists():
                mode = stat.S_IMODE(self.real.stat().st_mode)
            else:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(self.tmp, mode)
            os.replace(self.tmp, self.real)
        except OSError as exc:
            self.discard()
            raise InputError(self.path, f"cannot write: {exc.strerror or exc}") from None

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        if self.tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.tmp)
            self.tmp = None


# In the HTML report (which may be printed to a terminal too): controls and lone surrogates, which HTML does
# not allow, as U+FFFD; bidi overrides as character references, which a browser renders the same.
_HTML_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def write(
    out: IO[str], analyses: Iterable[Analysis], fmt: str, many: bool, failures: list[InputError] | None = None
) -> int:
    """JSON (JSON Lines when ``many``), one HTML report, or the text summaries separated by a rule; returns the
    number of analyses written. An analysis that cannot be rendered is added to ``failures``, the rest written."""
    from presslens.report import render_html, render_text

    failed = failures if failures is not None else []
    written = 0
    if fmt == "html":
        good = list(analyses)
        try:
            page = render_html(good if len(good) > 1 else good[0]) if good else ""
        except Exception:  # find the analyses that cannot be rendered, and leave them out
            good = [a for a in good if _renders(render_html, a, failed)]
            page = render_html(good if len(good) > 1 else good[0]) if good else ""
        if good:
            out.write(_BIDI.sub(lambda m: f"&#x{ord(m.group()):x};", _HTML_CONTROL.sub("\ufffd", page)))
        return len(good)
    for a in analyses:
        try:
            if fmt == "json":
                chunk = safe_json(a.to_json(indent=None if many else 2)) + "\n"
            else:
                chunk = ("\n" + "=" * 78 + "\n\n" if written else "") + render_text(a)
        except Exception as exc:  # one analysis that cannot be rendered must not sink the others
            failed.append(InputError(a.id, f"cannot be written ({type(exc).__name__}: {exc})"))
            continue
        out.write(chunk)
        written += 1
    return written


def _renders(render: Callable[[Analysis], str], a: Analysis, failures: list[InputError]) -> bool:
    try:
        render(a)
    except Exception as exc:
        failures.append(InputError(a.id, f"cannot be written ({type(exc).__name__}: {exc})"))
        return False
    return True


def _collect_good(results: Iterable[Analysis | InputError], failures: list[InputError]) -> Iterator[Analysis]:
    for r in results:
        if isinstance(r, InputError):
            failures.append(r)
        else:
            yield r
