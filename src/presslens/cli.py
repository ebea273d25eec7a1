"""The ``presslens`` command: a thin layer over the package's public functions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from presslens import __version__, cli_claims
from presslens.errors import InputError, PressLensError
from presslens.ingest import DEFAULT_MAX_BYTES, iter_articles
from presslens.model import Analysis


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except PressLensError as exc:
        print(f"presslens: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("presslens: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="presslens", description="Read political news critically: who said what.")
    p.add_argument("--version", action="version", version=f"presslens {__version__}")
    sub = p.add_subparsers(title="commands", metavar="COMMAND")

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
        "-f", "--format", choices=["text", "json", "html"], default="text", help="output format (default: text)"
    )
    a.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    a.add_argument("--spacy-model", metavar="NAME", help="spaCy pipeline to use (default: en_core_web_sm if installed)")
    a.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes for many inputs (default: up to 2)"
    )
    a.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N", help="skip files larger than this")
    a.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    a.add_argument(
        "--only",
        choices=["quotes", "techniques", "claims"],
        help="run one part: quotes (entities, quotes, speakers), techniques (technique spans, frames, genre) or "
        "claims (claims, disputes, fact-check matches; includes quotes)",
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
        default=0.5,
        metavar="P",
        help="show fact-checks whose match probability is at least P (default 0.5; lower finds more, with more false alarms)",
    )
    a.add_argument(
        "--match-top",
        type=int,
        default=3,
        metavar="N",
        help="look up N claims per article in the knowledge base, disputed ones first, then the most check-worthy "
        "(default 3, about 25 ms of one core per claim; 0 = every claim)",
    )
    a.set_defaults(func=_cmd_analyze)

    t = sub.add_parser("train", help="train the models PressLens ships")
    tsub = t.add_subparsers(title="models", metavar="WHAT")
    tp = tsub.add_parser(
        "persuasion",
        aliases=["techniques", "frames", "genre"],
        help="technique spans, paragraph techniques, frames and genre",
        description=(
            "Cross-validate (5 folds by article, seeded), then fit on every article of DIR and write the model bundle "
            "and its scores. All four models are trained together; the aliases do the same."
        ),
    )
    tp.add_argument("--data", required=True, metavar="DIR", help="a folder laid out like ../shared/data/persuasion")
    tp.add_argument("--out", metavar="FILE", help="where to write the bundle (default: the package's models folder)")
    tp.add_argument(
        "--cv",
        type=int,
        default=None,
        metavar="K",
        help="folds for cross-validation; 0 or 1 to skip "
        "(default: 5 for the lexical models, 0 with --accurate: ~15 minutes a fold)",
    )
    tp.add_argument(
        "--accurate",
        action="store_true",
        help="train the fine-tuned encoder tagger of analyze --accurate instead (~7 minutes a member on 2 cores; "
        "semantic extra)",
    )
    tp.add_argument(
        "--members",
        type=int,
        default=2,
        metavar="N",
        help="with --accurate: fine-tune N copies (seeds 13, 14, ...) and average their probabilities (default 2, "
        "as shipped; 1 is twice as fast to train and to run, and scores lower: model card)",
    )
    tp.add_argument("--folds", metavar="LIST", help="with --accurate --cv K: run only these folds, e.g. 0,2")
    tp.add_argument("--epochs", type=int, default=2, help="with --accurate: training epochs (default 2)")
    tp.add_argument(
        "--repair-offsets",
        action="store_true",
        help="snap spans-23 offsets that drift by 1-3 characters to the exact spans-14 ones (433 spans in 15 "
        "articles of ../shared/data/persuasion; docs/benchmarks.md)",
    )
    tp.add_argument(
        "--encoder",
        metavar="NAME_OR_DIR",
        help="with --accurate: fine-tune this encoder instead of the packaged all-MiniLM-L6-v2 — a local folder of a "
        "Hugging Face BERT-like model, or a hub name already downloaded; the model then loads it from there",
    )
    tp.add_argument(
        "--line-source",
        choices=["pieces", "head", "both"],
        help="with --accurate: train a line head too and take a line's scores from it (head), from the highest "
        "piece (pieces) or from their mean (both); default: no line head",
    )
    tp.set_defaults(func=_cmd_train_persuasion)
    cli_claims.add_train_commands(tsub)
    t.set_defaults(func=lambda args: (t.print_help(), 2)[1])

    cli_claims.add_factcheck_commands(sub)

    e = sub.add_parser("eval", help="measure accuracy against gold annotations")
    esub = e.add_subparsers(title="evaluations", metavar="WHAT")
    q = esub.add_parser(
        "quotes",
        help="quote spans and speakers",
        description=(
            "Precision, recall and F1 of quote spans at overlap >= 0.3 and >= 0.8 of the longer span, and speaker "
            "accuracy on matched quotes. Gold: 'polnear DIR' (a PolNeAR split folder) or 'jsonl FILE' (docs/evaluation.md)."
        ),
    )
    q.add_argument("--gold", nargs=2, required=True, metavar=("FORMAT", "PATH"), help="polnear DIR | jsonl FILE")
    q.add_argument("--limit", type=int, default=None, help="only the first N articles")
    q.add_argument("--workers", type=int, default=None, metavar="N")
    q.add_argument("--spacy-model", metavar="NAME")
    q.add_argument("--json", action="store_true", help="print the scores as JSON")
    q.add_argument("--save-predictions", metavar="FILE", help="write the analyses as JSON Lines")
    q.set_defaults(func=_cmd_eval_quotes)
    ep = esub.add_parser(
        "persuasion",
        help="technique spans and paragraphs, frames, genre",
        description=(
            "Score the shipped persuasion models on a folder laid out like ../shared/data/persuasion: paragraph-level "
            "micro/macro-F1 (SemEval-2023 T3 subtask 3), span F1 with partial credit (SemEval-2020 T11), technique-aware "
            "and -agnostic, frames micro-F1, genre accuracy. Definitions: docs/evaluation.md."
        ),
    )
    ep.add_argument("--gold", required=True, metavar="DIR")
    ep.add_argument("--models", metavar="FILE", help="a model bundle (default: the shipped one)")
    ep.add_argument("--accurate", action="store_true", help="score the fine-tuned tagger (analyze --accurate)")
    ep.add_argument("--accurate-model", metavar="FILE", help="with --accurate: a .safetensors model (default: shipped)")
    ep.add_argument("--json", action="store_true", help="print the scores as JSON")
    ep.set_defaults(func=_cmd_eval_persuasion)
    cli_claims.add_eval_commands(esub)
    e.set_defaults(func=lambda args: (e.print_help(), 2)[1])
    return p


# -- analyze -----------------------------------------------------------------------------------
def _cmd_analyze(args) -> int:
    from presslens.pipeline import analyze_many, default_workers
    from presslens.report import render_html, render_text

    args.accurate = args.accurate or bool(args.accurate_model)
    if args.accurate and args.only in ("quotes", "claims"):
        raise PressLensError(f"--accurate changes the technique spans only; --only {args.only} runs none")
    items = list(iter_articles(args.inputs, max_bytes=args.max_bytes))
    n_articles = sum(1 for x in items if not isinstance(x, InputError))
    workers = args.workers or (default_workers() if n_articles > 4 else 1)
    components = (args.only,) if args.only else ("quotes", "techniques", "claims")
    kb = None
    if "claims" in components and not args.no_kb:
        from presslens.factchecks import default_kb_path

        kb = args.kb or (str(default_kb_path()) if default_kb_path().exists() else None)
    from presslens.pipeline import configure_matching

    configure_matching(args.match_threshold, args.match_top)
    results = analyze_many(
        items,
        spacy_model=args.spacy_model,
        workers=workers,
        components=components,
        kb=kb,
        accurate=args.accurate_model or args.accurate,
    )
    show_progress = len(items) > 3 and not args.no_progress
    if show_progress:
        from tqdm import tqdm

        results = tqdm(results, total=len(items), unit="article", file=sys.stderr, leave=False)
    failures: list[InputError] = []
    analyses = _collect_good(results, failures)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.format == "json":
            many = len(items) > 1
            for a in analyses:
                out.write(a.to_json(indent=None if many else 2) + "\n")
        elif args.format == "html":
            good = list(analyses)
            if good:
                out.write(render_html(good if len(good) > 1 else good[0]))
        else:
            first = True
            for a in analyses:
                if not first:
                    out.write("\n" + "=" * 78 + "\n\n")
                out.write(render_text(a))
                first = False
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


def _collect_good(results, failures: list[InputError]) -> Iterator[Analysis]:
    for r in results:
        if isinstance(r, InputError):
            failures.append(r)
        else:
            yield r


# -- eval --------------------------------------------------------------------------------------
def _cmd_eval_quotes(args) -> int:
    from presslens.evaluation import load_gold, score_quotes
    from presslens.ingest import Article
    from presslens.pipeline import analyze_many, default_workers

    fmt, path = args.gold
    gold = load_gold(fmt, path)
    if args.limit:
        gold = gold[: args.limit]
    if not gold:
        raise InputError(path, "no gold articles found")
    # Gold offsets refer to the gold text as given, so it is analysed unchanged (no normalisation).
    articles = [Article(id=g.id, text=g.text) for g in gold]
    workers = args.workers or default_workers()
    analyses = list(analyze_many(articles, spacy_model=args.spacy_model, workers=workers))
    pairs = []
    for g, a in zip(gold, analyses, strict=True):
        if isinstance(a, InputError):
            print(f"presslens: {a}", file=sys.stderr)
            continue
        pairs.append((a, g))
    scores = score_quotes(pairs)
    if args.save_predictions:
        with open(args.save_predictions, "w", encoding="utf-8") as f:
            for a, _ in pairs:
                f.write(a.to_json() + "\n")
    if args.json:
        print(json.dumps({"articles": len(pairs), "scores": [s.to_dict() for s in scores]}, indent=2))
        return 0
    print(f"articles: {len(pairs)}   gold quotes: {scores[0].gold}   predicted: {scores[0].predicted}")
    print(f"{'overlap':>8} {'precision':>10} {'recall':>8} {'F1':>8} {'speaker acc':>12}")
    for s in scores:
        print(f"{s.threshold:>8.1f} {s.precision:>10.3f} {s.recall:>8.3f} {s.f1:>8.3f} {s.speaker_accuracy:>12.3f}")
    return 0


def _cmd_eval_persuasion(args) -> int:
    from presslens.evaluation.persuasion import multilabel_f1, span_f1
    from presslens.model import Analysis
    from presslens.persuasion import detect_persuasion, load_accurate, load_models
    from presslens.persuasion.data import line_labels, load_corpus
    from presslens.persuasion.labels import GENRES

    models = load_models(args.models)
    accurate = load_accurate(args.accurate_model) if args.accurate or args.accurate_model else None
    articles = load_corpus(args.gold)
    gold_spans, pred_spans, gold_lines, pred_lines = [], [], [], []
    frame_gold, frame_pred, genre_hits = [], [], []
    for art in articles:
        a = Analysis(id=art.id, text=art.text)
        detect_persuasion(a, models, accurate)
        gold_spans.append(art.spans)
        pred_spans.append([(t.technique, t.start, t.end) for t in a.techniques])
        gold = line_labels(art.text, art.spans)
        for p in a.paragraphs:
            gold_lines.append(gold[p.index])
            pred_lines.append(set(p.techniques))
        if art.frames is not None:
            frame_gold.append(set(art.frames))
            frame_pred.append({f.label for f in a.frames})
        if art.genre in GENRES:
            genre_hits.append(a.genre is not None and a.genre.label == art.genre)
    scores = {
        "articles": len(articles),
        "paragraphs": multilabel_f1(gold_lines, pred_lines),
        "spans_technique_aware": vars(span_f1(gold_spans, pred_spans, aware=True)),
        "spans_technique_agnostic": vars(span_f1(gold_spans, pred_spans, aware=False)),
        "frames": multilabel_f1(frame_gold, frame_pred) if frame_gold else None,
        "genre_accuracy": sum(genre_hits) / len(genre_hits) if genre_hits else None,
    }
    if args.json:
        print(json.dumps(scores, indent=2))
        return 0
    para = scores["paragraphs"]
    print(f"articles: {len(articles)}")
    print(f"paragraphs  micro-F1 {para['micro_f1']:.3f}  macro-F1 {para['macro_f1']:.3f}")
    for key, name in (("spans_technique_aware", "technique-aware"), ("spans_technique_agnostic", "technique-agnostic")):
        sc = scores[key]
        print(f"spans {name:<19} P {sc['precision']:.3f}  R {sc['recall']:.3f}  F1 {sc['f1']:.3f}")
    if scores["frames"]:
        print(f"frames      micro-F1 {scores['frames']['micro_f1']:.3f}")
    if scores["genre_accuracy"] is not None:
        print(f"genre       accuracy {scores['genre_accuracy']:.3f}")
    return 0


def _cmd_train_persuasion(args) -> int:
    from presslens.persuasion import DEFAULT_MODEL_PATH
    from presslens.persuasion.train import train

    def log(m):
        print(m, file=sys.stderr, flush=True)

    if args.accurate:
        from presslens.persuasion.finetune import DEFAULT_ACCURATE_PATH, TrainConfig, train_accurate

        try:
            only = [int(x) for x in args.folds.split(",")] if args.folds else None
        except ValueError:
            raise InputError("--folds", "expected fold numbers separated by commas, e.g. 0,2") from None
        if args.members < 1:
            raise InputError("--members", "expected 1 or more")
        config = TrainConfig(epochs=args.epochs, encoder=args.encoder, members=args.members)
        if args.line_source:
            config.line_head, config.line_source = True, args.line_source
        scores = train_accurate(
            args.data, args.out or DEFAULT_ACCURATE_PATH, args.cv or 0, config, only, log, args.repair_offsets
        )
    else:
        scores = train(
            args.data,
            args.out or DEFAULT_MODEL_PATH,
            k=5 if args.cv is None else args.cv,
            log=log,
            repair=args.repair_offsets,
        )
    print(json.dumps(scores, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
