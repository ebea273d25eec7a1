"""Which technique spans to show: the display thresholds, cross-validated so that shown spans are right ≥ 60 %.

Usage:  HF_HUB_OFFLINE=1 python benchmarks/technique_span_threshold.py --model accurate [--models DIR] [--write]
        python benchmarks/technique_span_threshold.py --model fast [--write]
        python benchmarks/technique_span_threshold.py --smoke      (checks that it runs, ~1 min)

Out-of-fold spans on the project's 5 folds by article (``presslens.persuasion.data.folds``, seed 13; the folds of
``presslens train persuasion`` and ``presslens train techniques --accurate --cv 5``): for each fold the model is
trained on the other four (accurate: the shipped settings, one tagger, seed 13, ~5 minutes a fold on 2 idle cores,
saved in ``--models DIR`` and reused; fast: the lexical span tagger, about a minute) and its spans on the held-out
fold are decoded at the lower ``--decode`` threshold, with their confidences. The articles are parsed with spaCy
and the display filters are applied (a bare name, function words only: ``presslens.persuasion.display``).

A span is **right** when it overlaps a gold span of the same technique by at least one character
(``presslens.persuasion.calibration``). Thresholds are chosen by ``choose_thresholds`` (a technique with ≥ 100
out-of-fold spans gets its own, the others share one); nested: for each fold, chosen on the other four and
applied to it, so that the shown precision printed is out of sample. ``--target``: the share right the choice
aims at (raise it if the nested precision falls under 0.6). ``--write``: the thresholds chosen on all five folds
go into the shipped model's JSON sidecar (``"display"``), with how they were obtained. Printed: precision (share
right), recall (share of gold spans a right span overlaps) and the SemEval-2020 span F1 with partial credit,
technique-aware, for all spans and for the shown ones; the filters' effect. --smoke: the fast model on 40
articles, 2 folds, nothing written; skips without ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _sample import SHARED, skip

from presslens.evaluation.persuasion import span_f1
from presslens.persuasion.calibration import choose_thresholds, is_right
from presslens.persuasion.data import LabelledArticle, folds, lines_of, load_corpus
from presslens.persuasion.display import DisplayThresholds, bare_name, function_words_only

Raw = list[tuple[str, int, int, float]]
SEED = 13


def oof_fast(articles: list[LabelledArticle], k: int, decode: float, log: Callable[[str], None]) -> list[Raw]:
    from presslens.persuasion.train import fit_tagger

    out: list[Raw] = [[] for _ in articles]
    for n, fold in enumerate(folds(articles, k, SEED)):
        t0 = time.time()
        held = set(fold)
        tagger = fit_tagger([a for i, a in enumerate(articles) if i not in held])
        tagger.threshold = decode
        for i in fold:
            a = articles[i]
            out[i] = tagger.predict_spans(a.text, [(s, e) for _, s, e in lines_of(a.text)])
        log(f"fold {n}: {time.time() - t0:.0f}s")
    return out


def oof_accurate(
    articles: list[LabelledArticle], k: int, decode: float, models: Path, log: Callable[[str], None]
) -> list[Raw]:
    from presslens.persuasion.accurate import TrainConfig, load_accurate, save_tagger, train_tagger

    config = TrainConfig(members=1)
    models.mkdir(parents=True, exist_ok=True)
    out: list[Raw] = [[] for _ in articles]
    for n, fold in enumerate(folds(articles, k, SEED)):
        t0 = time.time()
        held = set(fold)
        path = models / f"fold{n}s{config.seed}.safetensors"
        if not path.exists():
            train = [a for i, a in enumerate(articles) if i not in held]
            save_tagger(train_tagger(train, config, log=lambda m: None), path, config)
        tagger = load_accurate(str(path))
        for i in fold:
            a = articles[i]
            out[i] = tagger.scores(a.text, lines_of(a.text), threshold=decode)[0]
        log(f"fold {n}: {time.time() - t0:.0f}s")
    return out


def scores(gold: list[Any], shown: list[Raw]) -> dict[str, float]:
    """Share right, recall (gold spans a right span overlaps), and the SemEval partial-credit span F1 (aware)."""
    n = sum(map(len, shown))
    right = sum(is_right(t, s, e, g) for g, p in zip(gold, shown, strict=True) for t, s, e, _ in p)
    found = sum(
        any(t == pt and min(e, pe) > max(s, ps) for pt, ps, pe, _ in p)
        for g, p in zip(gold, shown, strict=True)
        for t, s, e in g
    )
    semeval = span_f1(gold, [[(t, s, e) for t, s, e, _ in p] for p in shown], aware=True)
    return {
        "spans": n,
        "precision": right / n if n else 0.0,
        "recall": found / max(1, sum(map(len, gold))),
        "semeval_p": semeval.precision,
        "semeval_r": semeval.recall,
        "semeval_f1": semeval.f1,
    }


def show(name: str, s: dict[str, float]) -> None:
    print(
        f"{name:<44} {s['spans']:>6} {s['precision']:>9.3f} {s['recall']:>7.3f}"
        f" {s['semeval_p']:>6.3f} {s['semeval_r']:>6.3f} {s['semeval_f1']:>6.3f}"
    )


def nested(
    articles: list[LabelledArticle], groups: list[list[int]], spans: list[Raw], target: float, support: int = 100
) -> tuple[list[Raw], list[float]]:
    """Each fold's spans shown by the thresholds chosen on the other folds (``groups``: the folds' article
    indices); and each fold's share right."""
    shown: list[Raw] = [[] for _ in articles]
    per_fold = []
    for fold in groups:
        held = set(fold)
        triples = [
            (t, c, is_right(t, s, e, articles[i].spans))
            for i, raw in enumerate(spans)
            if i not in held
            for t, s, e, c in raw
        ]
        default, own = choose_thresholds(triples, target, min_support=support)
        limits = DisplayThresholds(default, own)
        for i in fold:
            shown[i] = [x for x in spans[i] if limits.shown(x[0], x[3])]
        fold_scores = scores([articles[i].spans for i in fold], [shown[i] for i in fold])
        per_fold.append(fold_scores["precision"])
    return shown, per_fold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(SHARED / "persuasion"))
    ap.add_argument("--model", choices=("accurate", "fast"), default="accurate")
    ap.add_argument("--decode", type=float, help="decoding threshold (default: accurate 0.5, fast 0.2)")
    ap.add_argument("--models", default="/tmp/presslens-span-threshold", help="accurate fold models, reused")
    ap.add_argument(
        "--target", default="0.6,0.65,0.7,0.75", help="shares right to aim at; the lowest whose nested share is 0.6"
    )
    ap.add_argument("--oof", help="a JSON file of out-of-fold spans: read if it exists, else written")
    ap.add_argument("--write", action="store_true", help="store the chosen thresholds in the shipped sidecar")
    ap.add_argument("--smoke", action="store_true", help="the fast model on 40 articles, 2 folds")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "articles").is_dir():
        if args.smoke:
            skip(f"no persuasion corpus at {data}")
        raise SystemExit(f"no persuasion corpus at {data}")
    model = "fast" if args.smoke else args.model
    decode = args.decode if args.decode is not None else (0.5 if model == "accurate" else 0.2)
    articles = load_corpus(data)
    k = 5
    if args.smoke:
        articles, k = articles[:40], 2
    log = print
    oof = Path(args.oof) if args.oof else None
    groups = folds(articles, k, SEED)
    if oof is not None and oof.exists():  # may hold some folds only: those are scored
        stored = json.loads(oof.read_text(encoding="utf-8"))
        by_id: dict[str, Raw] = {x: [(t, s, e, c) for t, s, e, c in v] for x, v in stored["spans"].items()}
        model, decode = stored["model"], stored["decode"]
        groups = [[i for i in g if articles[i].id in by_id] for g in groups]
        groups = [g for g in groups if g]
        keep = sorted(i for g in groups for i in g)
        renumber = {i: n for n, i in enumerate(keep)}
        groups = [[renumber[i] for i in g] for g in groups]
        articles = [articles[i] for i in keep]
        raw: list[Raw] = [by_id[a.id] for a in articles]
    else:
        t0 = time.time()
        if model == "accurate":
            raw = oof_accurate(articles, k, decode, Path(args.models), log)
        else:
            raw = oof_fast(articles, k, decode, log)
        log(f"out-of-fold spans: {time.time() - t0:.0f}s")
        if oof is not None:
            by_article = {a.id: r for a, r in zip(articles, raw, strict=True)}
            oof.write_text(json.dumps({"model": model, "decode": decode, "spans": by_article}), encoding="utf-8")

    from presslens.nlp import load_pipeline, parse_many

    nlp = load_pipeline()
    docs = list(parse_many(nlp, (a.text for a in articles)))
    gold = [a.spans for a in articles]
    kept: list[Raw] = []
    names: list[Raw] = []
    for a, doc, spans in zip(articles, docs, raw, strict=True):
        kept.append([x for x in spans if not function_words_only(a.text, x[1], x[2]) and not bare_name(doc, *x[1:3])])
        names.append([x for x in spans if bare_name(doc, x[1], x[2])])

    targets = [float(x) for x in args.target.split(",")]
    print(f"\n{model} model, decoded at {decode}, {len(articles)} articles, {len(groups)} folds")
    print(f"{'spans':<44} {'n':>6} {'precision':>9} {'recall':>7} {'sem-P':>6} {'sem-R':>6} {'sem-F1':>6}")
    show("all, unfiltered", scores(gold, raw))
    show("bare names only (removed by the filter)", scores(gold, names))
    show("all, filtered (--all-spans)", scores(gold, kept))
    chosen: float | None = None
    held: dict[str, float] = {}
    for target in targets:
        shown_unfiltered, _ = nested(articles, groups, raw, target)
        show(f"shown @{target}, nested, without the filter", scores(gold, shown_unfiltered))
        shown_global, _ = nested(articles, groups, kept, target, support=10**9)
        show(f"shown @{target}, nested, one shared threshold", scores(gold, shown_global))
        shown, per_fold = nested(articles, groups, kept, target)
        result = scores(gold, shown)
        show(f"shown @{target}, nested (default output)", result)
        print("  share right per fold: " + " / ".join(f"{p:.3f}" for p in per_fold))
        if result["precision"] >= 0.6 and chosen is None:  # the lowest target that holds out of sample
            chosen, held = target, result
    if len(groups) == 1:  # one fold (the others not trained yet): no nested check is possible
        chosen, held = targets[0], {}
        print(f"\none fold only: thresholds at target {chosen} chosen on it, not checked out of sample (provisional)")
    default: float | None = None
    own: dict[str, float | None] = {}
    if chosen is None:  # no target held out of sample: nothing is shown by default
        print("\nno target kept the nested share right >= 0.6: no span shown by default (default None)")
        held = scores(gold, [[] for _ in gold])
    else:
        triples = [(t, c, is_right(t, s, e, g)) for g, spans in zip(gold, kept, strict=True) for t, s, e, c in spans]
        default, own = choose_thresholds(triples, chosen)
        final = DisplayThresholds(default, own)
        show(
            f"shown @{chosen}, thresholds of all folds (in sample)",
            scores(gold, [[x for x in p if final.shown(x[0], x[3])] for p in kept]),
        )
        print(f"\nchosen target {chosen}; thresholds (all folds): default {default}; ", end="")
        print(", ".join(f"{t} {v if v is None else round(v, 4)}" for t, v in sorted(own.items())))
    if args.write and not args.smoke:
        write_sidecar(model, decode, default, own, chosen, targets, held, len(groups))


def _floor(value: float | None) -> float | None:
    """Rounded down to 4 decimals, so that a span at the threshold stays shown."""
    return None if value is None else math.floor(value * 10_000) / 10_000


def write_sidecar(
    model: str,
    decode: float,
    default: float | None,
    own: dict[str, float | None],
    target: float | None,
    targets: list[float],
    held: dict,
    folds_used: int = 5,
) -> None:
    """Store the thresholds in the shipped model's sidecar, keeping everything else in it as it was."""
    if model == "accurate":
        from presslens.persuasion.accurate import shipped_model_path

        sidecar = shipped_model_path().with_suffix(".json")
        indent = 2
    else:
        from presslens.persuasion.detect import DEFAULT_MODEL_PATH

        sidecar = DEFAULT_MODEL_PATH.with_suffix(".json")
        indent = 1
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    if model == "accurate":  # spans are decoded at the threshold the calibration saw
        meta["span_threshold"] = decode
    else:
        meta["tagger"]["threshold"] = decode
    meta["display"] = {
        "default": _floor(default),
        "techniques": {t: _floor(v) for t, v in sorted(own.items())},
        "how": (
            f"benchmarks/technique_span_threshold.py --model {model}: 5-fold CV by article (seed 13), spans decoded"
            f" at {decode}, bare names and function words dropped; a technique with >= 100 out-of-fold spans has"
            " its own threshold, the others share 'default': the lowest confidence at which at least the target"
            " share of the spans at or above it (and >= 20 of them) overlap a gold span of their technique (null:"
            f" never reached, not shown by default); the target is the lowest of {targets} whose nested CV"
            " (thresholds chosen on 4 folds, applied to the 5th) kept the share right >= 0.6"
            + (f": {target}" if target is not None else "; none did, so no span is shown by default")
            + ("" if held else "; PROVISIONAL: one fold only, chosen on it, not checked out of sample")
        ),
        "cv_nested": {k: round(v, 4) for k, v in held.items()} or None,
        "folds_used": folds_used,
    }
    sidecar.write_text(json.dumps(meta, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote the thresholds into {sidecar}")


if __name__ == "__main__":
    main()
