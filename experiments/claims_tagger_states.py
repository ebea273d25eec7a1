"""Can the claims ranker reuse the technique tagger's encoder pass (issue 13's "one encoder pass shared")?

Usage:  HF_HUB_OFFLINE=1 python experiments/claims_tagger_states.py --gold benchmarks/data/claims-news/labels.jsonl \
            --data ../shared/data

The shipped tagger's first member (the default technique model) runs over each gold article's lines exactly as
the techniques component does; per candidate statement we pool what it computed anyway: the mean of its last
hidden states over the candidate's word pieces (384 numbers) and the highest probability of each technique (23).
Nested CV by article as in `presslens train claims`; compared in the same run with the ranker's features alone and
with a separate frozen all-MiniLM-L6-v2 embedding of each candidate (an extra encoder pass, ~0.1-0.2 s an article).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from presslens.claims.features import NAMES
from presslens.claims.news import Prepared, prepare, read_gold
from presslens.claims.train_news import listing_scores, nested_cv, ranking_scores


def tagger_pooled(texts: list[str], cands_per_article: list[list[tuple[int, int]]]) -> list[np.ndarray]:
    import torch

    from presslens.persuasion.accurate import load_accurate
    from presslens.persuasion.accurate.encoding import encode_lines
    from presslens.persuasion.data import lines_of

    tagger = load_accurate(members=1, backend="torch")
    model = tagger.model.eval()
    member = model.members[0] if hasattr(model, "members") else model
    out = []
    for text, cands in zip(texts, cands_per_article, strict=True):
        rows = encode_lines(tagger.tokenizer, [(text, lines_of(text))], tagger.max_length)
        offs, states, probs = [], [], []
        with torch.no_grad():
            for r in rows:
                ids = torch.tensor([r.ids])
                h = member.encoder(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0]
                p = torch.sigmoid(member.head(h))
                for k, o in enumerate(r.offsets):
                    if o[0] >= 0:
                        offs.append(o)
                        states.append(h[k].numpy())
                        probs.append(p[k].numpy())
        starts = np.array([o[0] for o in offs])
        S, P = np.array(states), np.array(probs)
        feats = []
        for s, e in cands:
            m = (starts >= s) & (starts < e)
            if not m.any():
                feats.append(np.zeros(S.shape[1] + P.shape[1], np.float32))
            else:
                feats.append(np.concatenate([S[m].mean(0), P[m].max(0)]))
        out.append(np.array(feats, np.float32).reshape(len(cands), S.shape[1] + P.shape[1]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = ap.parse_args()
    gold = read_gold(args.gold)
    texts_dir = args.data / "quotes/polnear/train/text"
    prepared = prepare(gold, texts_dir)
    texts = [(texts_dir / g.article).read_text(encoding="utf-8") for g in gold]
    spans = []
    for p, text in zip(prepared, texts, strict=True):  # the candidates' offsets, found again from their texts
        pos, got = 0, []
        for t in p.texts:
            i = text.find(t, pos) if text.find(t, pos) != -1 else text.find(t)
            got.append((i, i + len(t)))
            pos = i
        spans.append(got)
    t0 = time.time()
    pooled = tagger_pooled(texts, spans)
    print(f"tagger pass (torch, one member) {1000 * (time.time() - t0) / len(texts):.0f} ms an article")
    from sentence_transformers import SentenceTransformer

    from presslens.nlp.minilm import minilm_path

    enc = SentenceTransformer(str(minilm_path()), device="cpu")
    emb = [enc.encode(p.texts, normalize_embeddings=True) for p in prepared]
    n, base_w = len(NAMES), prepared[0].X.shape[1]
    full = [
        Prepared(p.gold, np.hstack([p.X, t, e]), p.y, p.by_sentence, p.debate, p.texts)
        for p, t, e in zip(prepared, pooled, emb, strict=True)
    ]
    st, pr = list(range(base_w, base_w + 384)), list(range(base_w + 384, base_w + 384 + 23))
    mini = list(range(base_w + 407, base_w + 407 + 384))
    feats = list(range(n))
    variants = {
        "features": feats,
        "features + tagger states": feats + st,
        "features + technique probabilities": feats + pr,
        "features + tagger states + probabilities": feats + st + pr,
        "features + frozen MiniLM (extra pass)": feats + mini,
        "features + MiniLM + tagger probabilities": feats + mini + pr,
    }
    labels = [p.gold.labels for p in full]
    for name, cols in variants.items():
        scores, thresholds, cs = nested_cv(full, cols)
        flat = [[s - t + 0.5 for s in ss] for ss, t in zip(scores, thresholds, strict=True)]
        r = {**ranking_scores(labels, scores), **listing_scores(labels, flat, 0.5)}
        print(
            f"{name:44s} MAP {r['map']:.3f}  P@5 {r['p@5']:.3f}  P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}"
        )


if __name__ == "__main__":
    main()
