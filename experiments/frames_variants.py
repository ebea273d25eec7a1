"""Frames classifier variants, 5-fold CV by article (the folds of `presslens train persuasion`).

Usage:  python experiments/frames_variants.py --data ../shared/data/persuasion      (~7 minutes on 2 cores)

The shipped frames model is a TF-IDF (words + character n-grams) logistic regression per frame, C=8, balanced
class weights, threshold 0.4. This compares regularisation, class weights, thresholds and a top-k rule
(the k most probable frames above a floor; articles carry 3.7 frames on average), scored by micro-F1 over
(article, frame) pairs on out-of-fold probabilities.

With --embeddings (needs the semantic extra, +~3 minutes): frames from the mean of the article's line embeddings
(frozen all-MiniLM-L6-v2, normalised; logistic regression per frame), alone and averaged with the shipped TF-IDF
model's probabilities.
"""

from __future__ import annotations

import argparse

from presslens.evaluation.persuasion import multilabel_f1
from presslens.labels import FRAMES
from presslens.persuasion.data import folds, load_corpus
from presslens.persuasion.lexical import TextClassifier
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
    ap.add_argument("--embeddings", action="store_true", help="only the embedding variants (semantic extra)")
    args = ap.parse_args()
    everything = load_corpus(args.data)
    articles = [a for a in everything if a.frames is not None]
    gold = [set(a.frames) for a in articles]
    if args.embeddings:
        return embedding_variants(articles, everything, gold)
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


def report(name: str, articles, gold, probs: dict[str, dict[str, float]]) -> None:
    cells = []
    for th in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
        pred = [{f for f, p in probs[a.id].items() if p >= th} for a in articles]
        cells.append(f"@{th} {multilabel_f1(gold, pred)['micro_f1']:.3f}")
    print(f"{name}: " + "  ".join(cells), flush=True)


def embedding_variants(articles, everything, gold) -> None:
    import time

    import numpy as np
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    from presslens.nlp.minilm import minilm_path
    from presslens.persuasion.data import lines_of

    t0 = time.time()
    encoder = SentenceTransformer(str(minilm_path()), device="cpu")
    emb = {}
    for a in articles:
        lines = [a.text[s:e] for _, s, e in lines_of(a.text)] or [a.text]
        emb[a.id] = encoder.encode(lines, batch_size=64, normalize_embeddings=True).mean(0)
    print(f"encoded {len(articles)} articles in {time.time() - t0:.0f}s", flush=True)
    index = {a.id: i for i, a in enumerate(everything)}
    for C in (1.0, 4.0, 16.0):
        emb_probs = {}
        for fold in folds(everything, 5, SEED):
            held = set(fold)
            train = [a for a in articles if index[a.id] not in held]
            test = [a for a in articles if index[a.id] in held]
            X = np.array([emb[a.id] for a in train])
            Xt = np.array([emb[a.id] for a in test])
            rows = [dict() for _ in test]
            for f in FRAMES:
                y = np.array([f in a.frames for a in train])
                if y.sum() >= 2 and (~y).sum() >= 2:
                    p = LogisticRegression(C=C, class_weight="balanced", max_iter=3000).fit(X, y).predict_proba(Xt)
                    for r, v in zip(rows, p[:, 1], strict=True):
                        r[f] = float(v)
            emb_probs.update({a.id: r for a, r in zip(test, rows, strict=True)})
        report(f"embeddings C={C}", articles, gold, emb_probs)
        if C == 1.0:
            lexical = out_of_fold(articles, everything, lambda: TextClassifier(list(FRAMES), C=8.0))
            report("TF-IDF (shipped)", articles, gold, lexical)
        mean = {
            a.id: {f: (lexical[a.id].get(f, 0.0) + emb_probs[a.id].get(f, 0.0)) / 2 for f in FRAMES} for a in articles
        }
        report(f"average TF-IDF + embeddings C={C}", articles, gold, mean)


if __name__ == "__main__":
    main()
