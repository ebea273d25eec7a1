"""Which signals rank news sentences best: the ranker's features, frozen sentence embeddings, ClaimBuster transfer.

Usage:  HF_HUB_OFFLINE=1 python experiments/claims_news_variants.py --gold benchmarks/data/claims-news/labels.jsonl \
            --data ../shared/data [--encoder minilm|mpnet]

Nested CV by article as in `presslens train claims` (6 folds, C chosen inside). Variants add to the shipped
features (a) the candidate's frozen sentence embedding, (b) the score of a logistic regression trained on
ClaimBuster's 9,674 sentences embedded the same way (transfer from debates, one number), (c) both.
Needs the semantic extra (sentence-transformers and the MiniLM package; mpnet from the PyPI parts).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from presslens.claims.features import NAMES
from presslens.claims.news import Prepared, prepare, read_gold
from presslens.claims.train_news import listing_scores, nested_cv, ranking_scores


def encoder(name: str):
    from sentence_transformers import SentenceTransformer

    if name == "mpnet":
        from presslens.nlp.mpnet import mpnet_path

        return SentenceTransformer(str(mpnet_path()), device="cpu")
    from presslens.nlp.minilm import minilm_path

    return SentenceTransformer(str(minilm_path()), device="cpu")


def main() -> None:
    import json

    from sklearn.linear_model import LogisticRegression

    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--encoder", default="minilm")
    args = ap.parse_args()
    prepared = prepare(read_gold(args.gold), args.data / "quotes/polnear/train/text")
    enc = encoder(args.encoder)
    t0 = time.time()
    embs = [
        enc.encode(p.texts, batch_size=32, normalize_embeddings=True) if p.texts else np.zeros((0, 384))
        for p in prepared
    ]
    n_cands = sum(len(p.texts) for p in prepared)
    print(
        f"embedded {n_cands} candidates in {time.time() - t0:.1f}s ({(time.time() - t0) / len(prepared) * 1000:.0f} ms an article)"
    )
    cb = json.loads((args.data / "checkworthiness/claimbuster/kfold_25ncs.json").read_text(encoding="utf-8"))
    t0 = time.time()
    cb_x = enc.encode([d["text"] for d in cb], batch_size=64, normalize_embeddings=True)
    print(f"embedded {len(cb)} ClaimBuster sentences in {time.time() - t0:.0f}s")
    cb_y = [int(d["label"]) for d in cb]
    transfer = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000).fit(cb_x, cb_y)
    from presslens.claims.checkworthiness import CheckworthinessModel

    tfidf = CheckworthinessModel().fit([d["text"] for d in cb], cb_y)
    width = embs[0].shape[1]
    n = len(NAMES)
    base_w = prepared[0].X.shape[1]
    full = [
        Prepared(
            p.gold,
            np.hstack(
                [
                    p.X,
                    e,
                    transfer.decision_function(e)[:, None] if len(e) else np.zeros((0, 1)),
                    np.asarray(tfidf.score(p.texts))[:, None] if len(e) else np.zeros((0, 1)),
                ]
            ),
            p.y,
            p.by_sentence,
            p.debate,
            p.texts,
        )
        for p, e in zip(prepared, embs, strict=True)
    ]
    variants = {
        "features (no context vectors)": list(range(n)),
        "features + context vectors": list(range(base_w)),
        "features + embedding": list(range(n)) + list(range(base_w, base_w + width)),
        "features + ClaimBuster transfer": list(range(n)) + [base_w + width],
        "features + embedding + transfer": list(range(n)) + list(range(base_w, base_w + width + 1)),
        "embedding + transfer only": list(range(base_w, base_w + width + 1)),
        "features + ClaimBuster TF-IDF transfer": list(range(n)) + [base_w + width + 1],
        "features + both transfers": list(range(n)) + [base_w + width, base_w + width + 1],
    }
    labels = [p.gold.labels for p in full]
    for name, cols in variants.items():
        scores, thresholds, cs = nested_cv(full, cols)
        flat = [[s - t + 0.5 for s in ss] for ss, t in zip(scores, thresholds, strict=True)]
        r = {**ranking_scores(labels, scores), **listing_scores(labels, flat, 0.5)}
        print(
            f"{name:40s} MAP {r['map']:.3f}  P@5 {r['p@5']:.3f}  P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}  C {cs}"
        )
    for name in ("features + both transfers", "features + embedding + transfer"):
        r = ranking_scores(labels, gbm_cv(full, variants[name]))
        print(f"{'GBM: ' + name:40s} MAP {r['map']:.3f}  P@5 {r['p@5']:.3f}")


def gbm_cv(prepared: list[Prepared], cols: list[int]) -> list[list[float]]:
    """Held-out scores from gradient-boosted trees (same folds; fixed, small trees: no inner selection)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from presslens.claims.news import article_folds, sentence_scores

    out: list[list[float]] = [[] for _ in prepared]
    for fold in article_folds(len(prepared)):
        held = set(fold)
        X = np.vstack([p.X[:, cols] for i, p in enumerate(prepared) if i not in held])
        y = np.concatenate([p.y for i, p in enumerate(prepared) if i not in held])
        clf = HistGradientBoostingClassifier(
            max_depth=3, learning_rate=0.05, max_iter=200, l2_regularization=1.0, random_state=14
        )
        clf.fit(X, y)
        for i in fold:
            out[i] = sentence_scores(prepared[i], list(clf.predict_proba(prepared[i].X[:, cols])[:, 1]))
    return out


if __name__ == "__main__":
    main()
