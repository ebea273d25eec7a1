"""``presslens eval``: accuracy against gold annotations (the scoring lives in ``presslens.evaluation``)."""

from __future__ import annotations

import argparse
import json
import sys

from presslens.cli.common import group_help, log


def add_commands(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("eval", help="measure accuracy against gold annotations")
    esub = e.add_subparsers(title="evaluations", metavar="WHAT")
    e.set_defaults(func=group_help(e))

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
    q.set_defaults(func=run_quotes)

    ep = esub.add_parser(
        "persuasion",
        help="technique spans and paragraphs, frames",
        description=(
            "Score the shipped persuasion models on a folder laid out like ../shared/data/persuasion: paragraph-level "
            "micro/macro-F1 (SemEval-2023 T3 subtask 3), span F1 with partial credit (SemEval-2020 T11), technique-aware "
            "and -agnostic, frames micro-F1 (genre: train genre reports its cross-validated scores). Definitions: "
            "docs/evaluation.md."
        ),
    )
    ep.add_argument("--gold", required=True, metavar="DIR")
    ep.add_argument("--models", metavar="FILE", help="a model bundle (default: the shipped one)")
    ep.add_argument("--accurate", action="store_true", help="score the fine-tuned tagger (analyze --accurate)")
    ep.add_argument("--accurate-model", metavar="FILE", help="with --accurate: a .safetensors model (default: shipped)")
    ep.add_argument("--json", action="store_true", help="print the scores as JSON")
    ep.set_defaults(func=run_persuasion)

    ec = esub.add_parser(
        "checkworthiness",
        help="check-worthiness ranking on debate transcripts",
        description=(
            "Rank the lines of each CheckThat! 2020 Task 5 transcript (line<TAB>speaker<TAB>text<TAB>label) in DIR "
            "by the shipped model and print MAP over transcripts, mean R-precision and mean P@k."
        ),
    )
    ec.add_argument("--gold", required=True, metavar="DIR", help="a folder of transcripts (.tsv), or one transcript")
    ec.add_argument("--model", metavar="FILE", help="a check-worthiness model (default: the shipped one)")
    ec.add_argument("--save-predictions", metavar="FILE", help="write transcript<TAB>line<TAB>score for every line")
    ec.add_argument("--json", action="store_true", help="print the scores as JSON")
    ec.set_defaults(func=run_checkworthiness)

    em = esub.add_parser(
        "claim-matching",
        help="ranking known fact-checks for claims (CheckThat! 2021 Task 2B)",
        description=(
            "Rank the knowledge base for each query and print MAP@k (MAP@5 primary) and MRR. --kb: a .sqlite "
            "knowledge base, or the PolitiFact folder/.tar.gz as in ../shared (imported once into a cache)."
        ),
    )
    em.add_argument("--queries", required=True, metavar="FILE", help="query_id<TAB>text per line")
    em.add_argument("--qrels", metavar="FILE", help="query_id<TAB>0<TAB>vclaim_id<TAB>1 per line (optional)")
    em.add_argument("--kb", required=True, metavar="PATH")
    em.add_argument("--method", choices=["bm25", "semantic", "fused", "reranked", "all"], default="reranked")
    em.add_argument("--save-run", metavar="FILE", help="write the ranking in TREC format (top 20 per query)")
    em.add_argument("--json", action="store_true", help="print the scores as JSON")
    em.set_defaults(func=run_claim_matching)

    ed = esub.add_parser(
        "disputes",
        help="disputes found in the article itself",
        description=(
            "Precision and recall of dispute links on a JSON Lines gold set of short texts (default: our own, shipped "
            "in the package as presslens/claims/gold/disputes.jsonl); see docs/evaluation.md for the format."
        ),
    )
    ed.add_argument("--gold", metavar="FILE", help="JSON Lines gold set")
    ed.add_argument("--verbose", action="store_true", help="list every miss and false alarm")
    ed.add_argument("--json", action="store_true", help="print the scores as JSON")
    ed.set_defaults(func=run_disputes)


def run_quotes(args: argparse.Namespace) -> int:
    from presslens.options import Options
    from presslens.pipeline import default_workers
    from presslens.quotes.evaluate import evaluate_quotes

    fmt, path = args.gold
    options = Options(spacy_model=args.spacy_model, workers=args.workers or default_workers())
    pairs, scores, errors = evaluate_quotes(fmt, path, args.limit, options)
    for err in errors:
        print(f"presslens: {err}", file=sys.stderr)
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


def run_persuasion(args: argparse.Namespace) -> int:
    from presslens.persuasion.evaluate import evaluate_persuasion

    scores = evaluate_persuasion(args.gold, args.models, args.accurate, args.accurate_model)
    if args.json:
        print(json.dumps(scores, indent=2))
        return 0
    para = scores["paragraphs"]
    print(f"articles: {scores['articles']}")
    print(f"paragraphs  micro-F1 {para['micro_f1']:.3f}  macro-F1 {para['macro_f1']:.3f}")
    for key, name in (("spans_technique_aware", "technique-aware"), ("spans_technique_agnostic", "technique-agnostic")):
        sc = scores[key]
        print(f"spans {name:<19} P {sc['precision']:.3f}  R {sc['recall']:.3f}  F1 {sc['f1']:.3f}")
    if scores["frames"]:
        print(f"frames      micro-F1 {scores['frames']['micro_f1']:.3f}")
    return 0


def run_checkworthiness(args: argparse.Namespace) -> int:
    from presslens.claims.evaluate import evaluate_checkworthiness
    from presslens.evaluation.checkworthiness import KS

    rows, result = evaluate_checkworthiness(args.gold, args.model)
    if args.save_predictions:
        with open(args.save_predictions, "w", encoding="utf-8") as f:
            f.writelines(f"{name}\t{number}\t{score:.6f}\n" for name, number, score in rows)
    if result is None:
        log("presslens: no labelled transcripts: predictions only")
        return 0
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"transcripts: {result['transcripts']}   lines: {len(rows)}")
    print(f"MAP {result['map']:.4f}   R-precision {result['r_precision']:.4f}")
    print("   ".join(f"P@{k} {result[f'p@{k}']:.4f}" for k in KS))
    return 0


def run_claim_matching(args: argparse.Namespace) -> int:
    from presslens.factchecks.evaluate import evaluate_claim_matching
    from presslens.factchecks.match import METHODS

    methods = METHODS if args.method == "all" else (args.method,)
    ev = evaluate_claim_matching(args.queries, args.qrels, args.kb, methods, log)
    if args.save_run:
        with open(args.save_run, "w", encoding="utf-8") as f:
            for q, ranked in ev.run.items():
                f.writelines(f"{q} Q0 {v} {i} {s:.6f} presslens-{ev.method}\n" for i, (v, s) in enumerate(ranked, 1))
    if not ev.scores:
        return 0
    if args.json:
        print(json.dumps(ev.scores, indent=2))
        return 0
    print(f"queries: {next(iter(ev.scores.values()))['queries']}   knowledge base: {ev.kb_size} fact-checks")
    print(f"{'method':<10} {'MAP@1':>7} {'MAP@3':>7} {'MAP@5':>7} {'MAP@10':>7} {'MAP@20':>7} {'MRR':>7} {'R@20':>7}")
    for method, r in ev.scores.items():
        print(
            f"{method:<10} {r['map@1']:>7.4f} {r['map@3']:>7.4f} {r['map@5']:>7.4f} {r['map@10']:>7.4f} "
            f"{r['map@20']:>7.4f} {r['mrr']:>7.4f} {r['recall@20']:>7.4f}"
        )
    return 0


def run_disputes(args: argparse.Namespace) -> int:
    from presslens.claims.evaluate import DEFAULT_DISPUTES_GOLD, evaluate_disputes

    result = evaluate_disputes(args.gold or DEFAULT_DISPUTES_GOLD)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "errors"}, indent=2))
        return 0
    print(
        f"items: {result['items']} ({result['positives']} with a dispute, {result['items'] - result['positives']} without)"
    )
    print(f"precision {result['precision']:.3f}   recall {result['recall']:.3f}   F1 {result['f1']:.3f}")
    for family, r in sorted(result["by_cue"].items()):
        print(f"  {family:<16} found {r['found']}/{r['gold']}")
    if args.verbose:
        for line in result["errors"]:
            print("  " + line)
    return 0
