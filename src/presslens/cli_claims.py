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
