"""Which training data for the same-claim model (presslens/corpus/sameclaim.py)? A one-off study (experiments/README.md).

Usage:  HF_HUB_OFFLINE=1 python experiments/same_claim_model.py [--data ../shared/data]

Rows: the cosine threshold alone (calibrated on PolitiFact train); the logistic regression trained on PolitiFact
train only (gold pairs fully held out); trained on gold pairs by 5-fold CV (PolitiFact train added to every training
fold). Scored on the gold claim pairs (benchmarks/data/corpus-links) and on PolitiFact dev (held out from all).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from presslens.corpus import evaluate as ev  # noqa: E402
from presslens.corpus.ingest import load_clusterer  # noqa: E402
from presslens.corpus.sameclaim import features, fit  # noqa: E402


def matrix(clusterer, pairs):
    a = clusterer.prepare([p[0] for p in pairs])
    b = clusterer.prepare([p[1] for p in pairs])
    return np.array([features(x, y) for x, y in zip(a, b, strict=True)]), np.array([int(p[2]) for p in pairs])


def best_threshold(p, y):
    best = (0.5, -1.0)
    for t in np.arange(0.1, 0.95, 0.01):
        f = ev.pair_scores(zip(y.astype(bool), p >= t, strict=False))["f1"]
        if f > best[1]:
            best = (float(t), f)
    return best[0]


def score(w, b, t, X, y):
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return ev.pair_scores(zip(y.astype(bool), p >= t, strict=False))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--precision", action="store_true", help="the precision-first study instead")
    args = ap.parse_args()
    clusterer = load_clusterer()
    gold = ev.read_jsonl(REPO / "benchmarks/data/corpus-links/claim-pairs.jsonl")
    Xg, yg = matrix(clusterer, [(p["a"], p["b"], p["same"]) for p in gold])
    Xt, yt = matrix(clusterer, ev.politifact_pairs(args.data, "train"))
    Xd, yd = matrix(clusterer, ev.politifact_pairs(args.data, "dev"))
    # cosine alone, threshold best on PolitiFact train
    cos_t = max(
        np.arange(0.4, 0.96, 0.01),
        key=lambda t: ev.pair_scores(zip(yt.astype(bool), (Xt[:, 0] >= t) & (Xt[:, 2] == 0), strict=False))["f1"],
    )
    for name, X, y in (("gold pairs", Xg, yg), ("politifact dev", Xd, yd)):
        print(
            f"cosine >= {cos_t:.2f}, numbers agree | {name}:",
            json.dumps(ev.pair_scores(zip(y.astype(bool), (X[:, 0] >= cos_t) & (X[:, 2] == 0), strict=False))),
        )
    w, b = fit(Xt, yt)
    t = best_threshold(1 / (1 + np.exp(-(Xt @ w + b))), yt)
    for name, X, y in (("gold pairs", Xg, yg), ("politifact dev", Xd, yd)):
        print(f"LR on PolitiFact train (t={t:.2f}) | {name}:", json.dumps(score(w, b, t, X, y)))
    preds = np.zeros(len(yg), dtype=bool)
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=15).split(Xg, yg):
        X = np.vstack([Xt, Xg[tr]])
        y = np.concatenate([yt, yg[tr]])
        w, b = fit(X, y)
        t = best_threshold(1 / (1 + np.exp(-(Xg[tr] @ w + b))), yg[tr])
        preds[te] = 1 / (1 + np.exp(-(Xg[te] @ w + b))) >= t
    print(
        "LR on PolitiFact train + gold, 5-fold CV | gold pairs:",
        json.dumps(ev.pair_scores(zip(yg.astype(bool), preds, strict=False))),
    )
    w, b = fit(np.vstack([Xt, Xg]), np.concatenate([yt, yg]))
    t = best_threshold(1 / (1 + np.exp(-(Xg @ w + b))), yg)
    print(f"LR on both (t={t:.2f}) | politifact dev:", json.dumps(score(w, b, t, Xd, yd)))
    print(
        "weights:",
        dict(zip(__import__("presslens.corpus.sameclaim", fromlist=["NAMES"]).NAMES, np.round(w, 2), strict=False)),
        round(b, 2),
    )


if __name__ == "__main__" and "--precision" not in sys.argv:
    main()


def precision_first() -> None:
    """Gold pairs alone by 5-fold CV, and the threshold set for precision >= 0.8 on each training split."""
    clusterer = load_clusterer()
    gold = ev.read_jsonl(REPO / "benchmarks/data/corpus-links/claim-pairs.jsonl")
    Xg, yg = matrix(clusterer, [(p["a"], p["b"], p["same"]) for p in gold])
    for extra in ("gold only", "gold + PolitiFact train"):
        Xt, yt = (np.zeros((0, Xg.shape[1])), np.zeros(0, dtype=int))
        if extra != "gold only":
            Xt, yt = matrix(clusterer, ev.politifact_pairs(REPO.parent / "shared" / "data", "train"))
        for target in (None, 0.8, 0.9):
            preds = np.zeros(len(yg), dtype=bool)
            for tr, te in StratifiedKFold(5, shuffle=True, random_state=15).split(Xg, yg):
                w, b = fit(np.vstack([Xt, Xg[tr]]), np.concatenate([yt, yg[tr]]))
                p_tr = 1 / (1 + np.exp(-(Xg[tr] @ w + b)))
                if target is None:
                    t = best_threshold(p_tr, yg[tr])
                else:
                    ok = [
                        t
                        for t in np.arange(0.1, 0.99, 0.01)
                        if ev.pair_scores(zip(yg[tr].astype(bool), p_tr >= t, strict=False))["precision"] >= target
                    ]
                    t = min(ok) if ok else 0.99
                preds[te] = 1 / (1 + np.exp(-(Xg[te] @ w + b))) >= t
            print(
                f"{extra}, threshold {'best F1' if target is None else f'precision>={target}'} | CV:",
                json.dumps(ev.pair_scores(zip(yg.astype(bool), preds, strict=False))),
            )


if __name__ == "__main__" and "--precision" in sys.argv:
    precision_first()
