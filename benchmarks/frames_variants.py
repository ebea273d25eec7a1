"""Frames classifier variants, 5-fold CV by article (the folds of `presslens train persuasion`).

Usage:  python benchmarks/frames_variants.py --data ../shared/data/persuasion      (~7 minutes on 2 cores)

The shipped frames model is a TF-IDF (words + character n-grams) logistic regression per frame, C=8, balanced
class weights, threshold 0.4. This compares regularisation, class weights, thresholds and a top-k rule
(the k most probable frames above a floor; articles carry 3.7 frames on average), scored by micro-F1 over
(article, frame) pairs on out-of-fold probabilities.
"""

from __future__ import annotations

import argparse

from presslens.evaluation.persuasion import multilabel_f1
from presslens.persuasion.data import folds, load_corpus
from presslens.persuasion.labels import FRAMES
from presslens.persuasion.models import TextClassifier
from presslens.persuasion.train import SEED


def out_of_fold(articles, everything, make) -> dict[str, dict[str, float]]:
    index = {a.id: i for i, a in enumerate(everything)}
    probs = {}
    for fold in folds(everything, 5, SEED):
        held = set(fold)
        train = [a for a in articles if index[a.id] not in held]
        test = [a for a in articles if index[a.id] in held]
        model = make().fit([a.text for a in train], [set(a.frames) for a in train])
        for a, row in zip(test, model.predict_proba([a.text for a in test]), strict=True):
            probs[a.id] = row
    return probs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/persuasion")
    args = ap.parse_args()
    everything = load_corpus(args.data)
    articles = [a for a in everything if a.frames is not None]
    gold = [set(a.frames) for a in articles]
    variants = {
        "C=8 balanced (shipped)": lambda: TextClassifier(list(FRAMES), C=8.0),
        "C=2 balanced": lambda: TextClassifier(list(FRAMES), C=2.0),
        "C=32 balanced": lambda: TextClassifier(list(FRAMES), C=32.0),
        "C=8 unweighted": lambda: TextClassifier(list(FRAMES), C=8.0, class_weight=None),
    }
    for name, make in variants.items():
        probs = out_of_fold(articles, everything, make)
        cells = []
        for th in (0.3, 0.35, 0.4, 0.45, 0.5):
            pred = [{f for f, p in probs[a.id].items() if p >= th} for a in articles]
            cells.append(f"@{th} {multilabel_f1(gold, pred)['micro_f1']:.3f}")
        for k in (3, 4):
            for floor in (0.2, 0.3):
                pred = [
                    {f for f, p in sorted(probs[a.id].items(), key=lambda x: -x[1])[:k] if p >= floor} for a in articles
                ]
                cells.append(f"top{k}≥{floor} {multilabel_f1(gold, pred)['micro_f1']:.3f}")
        print(f"{name}: " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
