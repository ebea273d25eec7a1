"""Can the claim clusterer get its vectors cheaper than a MiniLM pass per claim? A one-off study (experiments/README.md).

Usage:  HF_HUB_OFFLINE=1 python experiments/cheap_claim_vectors.py [--data ../shared/data] [--seed-db STORE]

1. The technique tagger's hidden states mean-pooled over the claim (what the claims ranker already computes in the
   workers) as the claim vector: best-F1 threshold on PolitiFact train, then PolitiFact dev and the gold claim pairs,
   against all-MiniLM-L6-v2 (ONNX int8, the shipped encoder).
2. A static embedding distilled from MiniLM (each word piece through the encoder alone, PCA to 256, frequency
   weights from the seed store's texts) as a first filter: the threshold below which no pair MiniLM calls "same"
   falls, and how many claims of a store (``--seed-db``, e.g. benchmarks/synth_corpus.py's seed) would still need
   MiniLM at that threshold. Results: docs/evaluation.md "Corpus links" (both dropped).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from presslens.corpus import clusters as cl  # noqa: E402
from presslens.corpus import evaluate as ev  # noqa: E402
from presslens.corpus.clusters import ClaimText, Clusterer, numbers, same_claim, terms  # noqa: E402
from presslens.corpus.ingest import load_clusterer  # noqa: E402

GOLD = REPO / "benchmarks" / "data" / "corpus-links"


class TaggerVectors:
    """The default tagger's states, mean-pooled over the whole claim, as unit vectors."""

    def __init__(self) -> None:
        from presslens.claims.news import _default_tagger

        self.tagger = _default_tagger()

    def encode(self, texts: list[str]) -> np.ndarray:
        from presslens.persuasion.data import lines_of

        out = []
        for t in texts:
            v = self.tagger.predict_with_states(t, lines_of(t))[2].pooled(0, len(t))
            out.append(v / max(float(np.linalg.norm(v)), 1e-12))
        return np.vstack(out).astype(np.float32)


def tagger_study(data: Path) -> None:
    pairs = ev.read_jsonl(GOLD / "claim-pairs.jsonl")
    train, dev = ev.politifact_pairs(data, "train"), ev.politifact_pairs(data, "dev")
    for name, encoder in (("MiniLM int8", load_clusterer("onnx").encoder), ("tagger states", TaggerVectors())):
        clusterer = Clusterer(encoder)
        threshold, scores = ev.best_threshold(ev.evaluate_politifact(train, clusterer)[1])
        print(f"{name}: PolitiFact train best F1 {scores['f1']} at cosine {threshold}")
        for t in sorted({threshold, cl.COSINE}):
            cl.COSINE = t
            print(f"  at {t}: dev {ev.evaluate_politifact(dev, clusterer)[0]}")
            print(f"  at {t}: gold pairs {ev.evaluate_claim_pairs(pairs, clusterer)}")
        cl.COSINE = 0.70


def static_study(data: Path, seed_db: Path) -> None:
    encoder = load_clusterer("onnx").encoder
    tok, size = encoder.tokenizer, encoder.tokenizer.get_vocab_size()
    table = np.zeros((size, 384), np.float32)
    for k in range(0, size, 1024):
        ids = np.array([[101, t, 102] for t in range(k, min(size, k + 1024))], np.int64)
        table[k : k + len(ids)] = encoder.session.run(None, {"ids": ids, "att": np.ones_like(ids)})[0]
    db = sqlite3.connect(seed_db)
    freq: Counter[int] = Counter()
    for e in tok.encode_batch([r[0] for r in db.execute("SELECT text FROM versions")]):
        freq.update(e.ids)
    total = sum(freq.values())
    weight = np.array([1e-3 / (1e-3 + freq.get(i, 0) / total) for i in range(size)], np.float32)
    from sklearn.decomposition import PCA

    centred = table - table.mean(0)
    static = PCA(256, random_state=0).fit_transform(centred).astype(np.float32)

    def embed(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), static.shape[1]), np.float32)
        for i, e in enumerate(tok.encode_batch(texts)):
            ids = [t for t in e.ids if t not in (101, 102)]
            if ids:
                v = (static[ids] * weight[ids, None]).sum(0) / weight[ids].sum()
                out[i] = v / max(float(np.linalg.norm(v)), 1e-12)
        return out

    sets = {
        "PolitiFact train": ev.politifact_pairs(data, "train"),
        "PolitiFact dev": ev.politifact_pairs(data, "dev"),
        "gold pairs": [(p["a"], p["b"], p["same"]) for p in ev.read_jsonl(GOLD / "claim-pairs.jsonl")],
    }
    for name, pairs in sets.items():
        a, b = [p[0] for p in pairs], [p[1] for p in pairs]
        ma, mb, sa, sb = encoder.encode(a), encoder.encode(b), embed(a), embed(b)
        same = np.array(
            [
                same_claim(ClaimText(x, terms(x), numbers(x), u), ClaimText(y, terms(y), numbers(y), v))
                for x, y, u, v in zip(a, b, ma, mb, strict=True)
            ]
        )
        sc = (sa * sb).sum(1)
        floor = float(sc[same].min())
        print(f"{name}: {same.sum()} pairs same by MiniLM; static cosine at least {floor:.3f}")
    claims = [
        r[0] for r in db.execute("SELECT c.text FROM claims c JOIN versions v ON v.id = c.version_id ORDER BY v.id")
    ]
    vectors, index, heads = embed(claims), {}, []
    near = []
    for i, text in enumerate(claims):
        own = terms(text)
        counts = {t: len(index[t]) for t in own if t in index}
        shared: Counter[int] = Counter()
        for t in sorted(counts, key=counts.get)[:5]:
            shared.update(index[t])
        near.append(max((float(vectors[i] @ vectors[heads[k]]) for k, _ in shared.most_common(200)), default=-1.0))
        heads.append(i)
        for t in set(own):
            index.setdefault(t, set()).add(len(heads) - 1)
    near_arr = np.array(near)
    for t in (0.37, 0.5, 0.6):
        print(f"static threshold {t}: {100 * (near_arr >= t).mean():.1f} % of {len(claims)} claims still need MiniLM")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--seed-db", type=Path, help="a store of real analyses (e.g. synth_corpus.py's seed)")
    args = ap.parse_args()
    tagger_study(args.data)
    if args.seed_db:
        static_study(args.data, args.seed_db)


if __name__ == "__main__":
    main()
