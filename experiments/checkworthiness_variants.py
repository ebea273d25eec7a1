"""The check-worthiness variants compared in the model card, on the same 5 folds by transcript.

Usage:  python experiments/checkworthiness_variants.py [--data ../shared/data/checkworthiness]

Prints MAP (CheckThat! 2020 Task 5) for: a seeded random ranking; the transcripts alone; transcripts plus
ClaimBuster at weight 1.0 and 0.3 (shipped); and C = 4 and C = 0.25 with ClaimBuster at 1.0. About 6 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from presslens.claims import checkworthiness as cw
from presslens.claims.data import read_claimbuster, read_transcripts
from presslens.evaluation.checkworthiness import score_transcripts


def cv_map(transcripts, claimbuster, weight: float | None, C: float = 1.0, k: int = 5) -> float:
    runs = []
    for fold in cw.transcript_folds(len(transcripts), k):
        test = [transcripts[i] for i in fold]
        train = [t for i, t in enumerate(transcripts) if i not in set(fold)]
        held = {cw._norm(line.text) for t in test for line in t.lines}
        texts, labels, weights = cw._training_set(train, claimbuster if weight is not None else [], held)
        if weight is not None:
            weights = [1.0 if i < sum(len(t.lines) for t in train) else weight for i in range(len(texts))]
        model = cw.CheckworthinessModel(C=C).fit(texts, labels, weights)
        runs += [([int(x.label or 0) for x in t.lines], model.score([x.text for x in t.lines])) for t in test]
    return score_transcripts(runs)["map"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/checkworthiness")
    args = ap.parse_args()
    data = Path(args.data)
    transcripts = read_transcripts(data / "clef2020-debates" / "train")
    claimbuster = read_claimbuster(data / "claimbuster" / "kfold_25ncs.json")
    rng = np.random.default_rng(cw.SEED)
    random_runs = [([int(x.label or 0) for x in t.lines], list(rng.random(len(t.lines)))) for t in transcripts]
    print(f"random ranking                     MAP {score_transcripts(random_runs)['map']:.3f}", flush=True)
    for name, weight, C in (
        ("transcripts alone", None, 1.0),
        ("+ ClaimBuster weight 1.0", 1.0, 1.0),
        ("+ ClaimBuster weight 0.3 (shipped)", 0.3, 1.0),
        ("+ ClaimBuster 1.0, C = 4", 1.0, 4.0),
        ("+ ClaimBuster 1.0, C = 0.25", 1.0, 0.25),
    ):
        print(f"{name:<34} MAP {cv_map(transcripts, claimbuster, weight, C):.3f}", flush=True)


if __name__ == "__main__":
    main()
