"""How much PolNeAR news to mix into the genre model: cross-validated scores for several PolNeAR weights.

Usage:  python experiments/genre_polnear_weight.py --data ../shared/data --weights 0,0.1,0.3,1
        (~13 minutes of quote extraction on 2 shared cores, then ~4 minutes a weight)

Same folds, features and model as `presslens train genre` (presslens.genre.train.cross_validate); weight 0 trains on
SemEval alone (its PolNeAR figure is then the share of held-out PolNeAR articles called reporting by a model that
never saw PolNeAR). Prints SemEval accuracy and recall per genre, and the held-out PolNeAR reporting share.
"""

from __future__ import annotations

import argparse

from presslens.genre.train import add_inputs, cross_validate, load_examples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--weights", default="0,0.1,0.3,1")
    args = ap.parse_args()
    semeval, folds, pn_train, _ = load_examples(args.data)
    add_inputs(semeval + pn_train)
    for weight in (float(w) for w in args.weights.split(",")):
        scores = cross_validate(semeval, folds, pn_train, lambda _: None, polnear_weight=weight)
        new = scores["semeval"]["new"]
        recall = {g: f"{r['hits']}/{r['articles']}" for g, r in new["recall"].items()}
        print(
            f"PolNeAR weight {weight}: SemEval accuracy {new['accuracy']}, recall {recall}; held-out PolNeAR "
            f"called reporting {scores['polnear_heldout_reporting_share']['new']}; threshold {scores['threshold']}"
        )


if __name__ == "__main__":
    main()
