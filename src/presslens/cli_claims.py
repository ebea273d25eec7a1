"""The claim commands of the CLI (train/eval check-worthiness, eval disputes and claim matching, factchecks)."""

from __future__ import annotations

import json
import sys


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def add_train_commands(tsub) -> None:
    tc = tsub.add_parser(
        "checkworthiness",
        help="the check-worthiness model for claims",
        description=(
            "Cross-validate by transcript (seeded) on DIR/clef2020-debates/train, then fit on those transcripts plus "
            "DIR/claimbuster/kfold_25ncs.json and write the model and its scores."
        ),
    )
    tc.add_argument(
        "--data", required=True, metavar="DIR", help="a folder laid out like ../shared/data/checkworthiness"
    )
    tc.add_argument("--out", metavar="FILE", help="where to write the model (default: the package's models folder)")
    tc.add_argument("--cv", type=int, default=5, metavar="K", help="folds for cross-validation; 0 or 1 to skip")
    tc.set_defaults(func=_cmd_train_checkworthiness)
    tm = tsub.add_parser(
        "claim-matching",
        help="the re-ranker that calibrates fact-check matches",
        description="Fit the claim-matching re-ranker on the CheckThat! 2021 Task 2B training queries in DIR.",
    )
    tm.add_argument(
        "--data", required=True, metavar="DIR", help="a folder laid out like ../shared/data/claim-matching/politifact"
    )
    tm.add_argument("--out", metavar="FILE", help="where to write the model (default: the package's models folder)")
    tm.set_defaults(func=_cmd_train_claim_matching)


def add_eval_commands(esub) -> None:
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
    ec.set_defaults(func=_cmd_eval_checkworthiness)
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
    em.set_defaults(func=_cmd_eval_claim_matching)
    ed = esub.add_parser(
        "disputes",
        help="disputes found in the article itself",
        description=(
            "Precision and recall of dispute links on a JSON Lines gold set of short texts (default: the one in "
            "benchmarks/data/disputes.jsonl); see docs/evaluation.md for the format."
        ),
    )
    ed.add_argument("--gold", metavar="FILE", help="JSON Lines gold set")
    ed.add_argument("--verbose", action="store_true", help="list every miss and false alarm")
    ed.add_argument("--json", action="store_true", help="print the scores as JSON")
    ed.set_defaults(func=_cmd_eval_disputes)


def _cmd_train_checkworthiness(args) -> int:
    from presslens.claims.checkworthiness import DEFAULT_MODEL_PATH, train

    scores = train(args.data, args.out or DEFAULT_MODEL_PATH, k=args.cv, log=_log)
    print(json.dumps(scores, indent=2))
    return 0


def _cmd_eval_checkworthiness(args) -> int:
    from presslens.claims.checkworthiness import load_checkworthiness
    from presslens.claims.data import read_transcripts
    from presslens.evaluation.checkworthiness import KS, score_transcripts

    model = load_checkworthiness(args.model)
    transcripts = read_transcripts(args.gold)
    runs, rows = [], []
    for t in transcripts:
        scores = model.score([line.text for line in t.lines])
        rows += [(t.name, line.number, s) for line, s in zip(t.lines, scores, strict=True)]
        if all(line.label is not None for line in t.lines):
            runs.append(([line.label for line in t.lines], scores))
    if args.save_predictions:
        with open(args.save_predictions, "w", encoding="utf-8") as f:
            f.writelines(f"{name}\t{number}\t{score:.6f}\n" for name, number, score in rows)
    if not runs:
        _log("presslens: no labelled transcripts: predictions only")
        return 0
    result = score_transcripts(runs)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"transcripts: {result['transcripts']}   lines: {len(rows)}")
    print(f"MAP {result['map']:.4f}   R-precision {result['r_precision']:.4f}")
    print("   ".join(f"P@{k} {result[f'p@{k}']:.4f}" for k in KS))
    return 0


def _cmd_train_claim_matching(args) -> int:
    from presslens.factchecks.match import DEFAULT_RERANKER_PATH
    from presslens.factchecks.train import train

    print(json.dumps(train(args.data, args.out or DEFAULT_RERANKER_PATH, log=_log), indent=2))
    return 0


def _cmd_eval_claim_matching(args) -> int:
    from presslens.errors import PressLensError
    from presslens.evaluation.matching import score_run
    from presslens.factchecks.encoder import encoder_available, load_encoder
    from presslens.factchecks.match import METHODS, Matcher, load_reranker
    from presslens.factchecks.store import open_kb
    from presslens.factchecks.train import read_qrels, read_queries

    encoder = load_encoder() if encoder_available() else None
    if encoder is None:
        _log("presslens: the sentence encoder is not installed: BM25 only")
    kb = open_kb(args.kb, encoder, _log)
    try:
        queries = read_queries(args.queries)
        qrels = read_qrels(args.qrels) if args.qrels else {}
    except (OSError, ValueError) as exc:
        raise PressLensError(f"cannot read the queries or qrels ({exc})") from None
    if qrels:  # judge the queries that have judgements
        queries = {q: t for q, t in queries.items() if q in qrels}
    matcher = Matcher(kb, encoder, load_reranker())
    methods = METHODS if args.method == "all" else (args.method,)
    qids = list(queries)
    results = {}
    for method in methods:
        if method != "bm25" and encoder is None:
            continue
        ranked = matcher.rank([queries[q] for q in qids], method, k=20)
        records = kb.get(sorted({c.rowid for r in ranked for c in r}))
        run = {q: [(records[c.rowid].id, c.score) for c in r] for q, r in zip(qids, ranked, strict=True)}
        if qrels:
            results[method] = score_run(qrels, {q: [v for v, _ in r] for q, r in run.items()})
        if args.save_run and method == methods[-1]:
            with open(args.save_run, "w", encoding="utf-8") as f:
                for q, r in run.items():
                    f.writelines(f"{q} Q0 {v} {i} {s:.6f} presslens-{method}\n" for i, (v, s) in enumerate(r, 1))
    if not qrels:
        return 0
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"queries: {next(iter(results.values()))['queries']}   knowledge base: {len(kb)} fact-checks")
    print(f"{'method':<10} {'MAP@1':>7} {'MAP@3':>7} {'MAP@5':>7} {'MAP@10':>7} {'MAP@20':>7} {'MRR':>7} {'R@20':>7}")
    for method, r in results.items():
        print(
            f"{method:<10} {r['map@1']:>7.4f} {r['map@3']:>7.4f} {r['map@5']:>7.4f} {r['map@10']:>7.4f} "
            f"{r['map@20']:>7.4f} {r['mrr']:>7.4f} {r['recall@20']:>7.4f}"
        )
    return 0


def _cmd_eval_disputes(args) -> int:
    from presslens.evaluation.disputes import DEFAULT_GOLD, evaluate_disputes

    result = evaluate_disputes(args.gold or DEFAULT_GOLD)
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


# -- factchecks ------------------------------------------------------------------------------------
def add_factcheck_commands(sub) -> None:
    f = sub.add_parser(
        "factchecks",
        help="the fact-check knowledge base: import, list, search, export",
        description="A local SQLite knowledge base of fact-checks (default: $PRESSLENS_KB or ~/.local/share/presslens/factchecks.sqlite).",
    )
    fsub = f.add_subparsers(title="actions", metavar="ACTION")
    f.set_defaults(func=lambda args: (f.print_help(), 2)[1])

    def kb_option(p) -> None:
        p.add_argument(
            "--kb",
            metavar="FILE",
            help="the knowledge base file (default: $PRESSLENS_KB or ~/.local/share/presslens/factchecks.sqlite)",
        )

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
    imp.set_defaults(func=_cmd_fc_import)
    idx = fsub.add_parser("index", help="embed the records that have no embedding yet")
    kb_option(idx)
    idx.set_defaults(func=_cmd_fc_index)
    ls = fsub.add_parser("list", help="list fact-checks, newest first")
    kb_option(ls)
    ls.add_argument("--limit", type=int, default=20)
    ls.add_argument("--offset", type=int, default=0)
    ls.add_argument("--json", action="store_true", help="JSON Lines")
    ls.set_defaults(func=_cmd_fc_list)
    se = fsub.add_parser("search", help="the fact-checks closest to a claim")
    se.add_argument("query", metavar="TEXT")
    kb_option(se)
    se.add_argument("--limit", type=int, default=5)
    se.add_argument(
        "--method", choices=["bm25", "semantic", "fused", "reranked"], default=None, help="default: the best available"
    )
    se.add_argument("--json", action="store_true", help="JSON Lines")
    se.set_defaults(func=_cmd_fc_search)
    ex = fsub.add_parser("export", help="write the knowledge base as JSON Lines, CSV or ClaimReview JSON-LD")
    kb_option(ex)
    ex.add_argument("--format", choices=["jsonl", "csv", "claimreview"], default="jsonl")
    ex.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    ex.set_defaults(func=_cmd_fc_export)


def _cmd_fc_import(args) -> int:
    import time

    from presslens.factchecks import KnowledgeBase, read_records
    from presslens.factchecks.encoder import encoder_available, encoder_name, load_encoder

    t0 = time.time()
    total_errors = 0
    with KnowledgeBase(args.kb) as kb:
        for path in args.files:
            report = kb.import_records(
                read_records(path), on_error=None if args.quiet else lambda e: _log(f"  skipped {e}")
            )
            total_errors += len(report.errors)
            _log(
                f"{path}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
                f"{len(report.errors)} skipped"
            )
        t1 = time.time()
        _log(f"knowledge base {kb.path}: {len(kb)} fact-checks (import {t1 - t0:.1f}s)")
        if not args.no_embed and kb.missing_embeddings(encoder_name()):
            if encoder_available():
                n = kb.build_index(load_encoder())
                _log(f"embedded {n} new or changed records ({time.time() - t1:.1f}s)")
            else:
                _log('presslens: semantic matching unavailable (pip install "presslens[semantic]"); BM25 only')
    return 1 if total_errors else 0


def _cmd_fc_index(args) -> int:
    from presslens.factchecks import KnowledgeBase
    from presslens.factchecks.encoder import load_encoder

    with KnowledgeBase(args.kb) as kb:
        n = kb.build_index(load_encoder(), log=_log)
        _log(f"embedded {n} records; {len(kb)} in the knowledge base")
    return 0


def _print_record(rec, score: float | None = None) -> None:
    head = f"[{rec.rating or '?'}] {rec.claim_reviewed}"
    print(head if score is None else f"{score:<7.3g} {head}")
    details = " · ".join(x for x in (rec.claimant, rec.publisher, rec.date, rec.url) if x)
    print(f"        {details}" + (f"  (id {rec.id})" if rec.id != rec.url else ""))


def _cmd_fc_list(args) -> int:
    from presslens.factchecks import KnowledgeBase

    with KnowledgeBase(args.kb, readonly=True) as kb:
        for rec in kb.records(args.limit, args.offset):
            if args.json:
                print(json.dumps(rec.to_dict(), ensure_ascii=False))
            else:
                _print_record(rec)
    return 0


def _cmd_fc_search(args) -> int:
    from presslens.factchecks import KnowledgeBase
    from presslens.factchecks.match import matcher_for

    with KnowledgeBase(args.kb, readonly=True) as kb:  # a missing or foreign file fails here, with one line
        path = str(kb.path)
    matcher = matcher_for(path)
    method = args.method or ("reranked" if matcher.reranker is not None else "bm25")
    if method != "bm25" and matcher.encoder is None:
        method = "bm25"
        _log("presslens: no embeddings or encoder: BM25 only")
    ranked = matcher.rank([args.query], method, k=args.limit)[0]
    records = matcher.kb.get([c.rowid for c in ranked])
    for c in ranked:
        rec = records[c.rowid]
        if args.json:
            print(json.dumps({**rec.to_dict(), "score": round(c.score, 4)}, ensure_ascii=False))
        else:
            _print_record(rec, c.score)
    return 0


def _cmd_fc_export(args) -> int:
    import csv

    from presslens.factchecks import KnowledgeBase
    from presslens.factchecks.records import FIELDS, to_claim_review

    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout  # noqa: SIM115
    try:
        with KnowledgeBase(args.kb, readonly=True) as kb:
            records = kb.records()
            if args.format == "csv":
                writer = csv.DictWriter(out, fieldnames=list(FIELDS))
                writer.writeheader()
                for rec in records:
                    writer.writerow(rec.to_dict())
            elif args.format == "claimreview":
                json.dump([to_claim_review(r) for r in records], out, ensure_ascii=False, indent=1)
                out.write("\n")
            else:
                for rec in records:
                    out.write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0
