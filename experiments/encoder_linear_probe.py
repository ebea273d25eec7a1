"""Are the encoder's word-piece states informative for techniques before any fine-tuning? A linear probe of the
frozen all-MiniLM-L6-v2 and all-mpnet-base-v2 (issue 13, section 3: telling a weak encoder from a failing recipe).

Usage:  HF_HUB_OFFLINE=1 python experiments/encoder_linear_probe.py --data ../shared/data/persuasion

The articles of ``../shared/data/persuasion`` shuffled (seed 0); the first 60 are the probe's training set, articles
300-339 its test set. Their lines are cut into word-piece windows as the tagger cuts them (``encode_lines``, 256
pieces), each real piece labelled with the techniques whose gold span covers its middle (``piece_targets``); 400
windows of each set, longer than 8 pieces. The pretrained encoder's last hidden states, standardised, go into one
L2 logistic regression per technique (C 0.1); prints the mean per-dimension standard deviation of the states and
each technique's ROC AUC on the test pieces (frequent techniques only: 0.5 is chance).
"""

from __future__ import annotations

import argparse
import random

import numpy as np

TECHNIQUES = ("Loaded_Language", "Name_Calling-Labeling", "Doubt", "Exaggeration-Minimisation")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/persuasion")
    args = ap.parse_args()

    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from transformers import AutoModel

    from presslens.persuasion.accurate.config import LABELS, MPNET_ENCODER
    from presslens.persuasion.accurate.encoding import collate, encode_lines, piece_targets
    from presslens.persuasion.accurate.network import encoder_path, load_tokenizer
    from presslens.persuasion.data import lines_of, load_corpus

    torch.set_num_threads(2)
    articles = load_corpus(args.data)
    random.Random(0).shuffle(articles)
    sets = {"train": articles[:60], "test": articles[300:340]}
    for name, encoder in (("all-MiniLM-L6-v2", None), ("all-mpnet-base-v2", MPNET_ENCODER)):
        tokenizer = load_tokenizer(encoder)
        model = AutoModel.from_pretrained(encoder_path(encoder)).eval()
        states = {}
        for part, chosen in sets.items():
            rows = encode_lines(tokenizer, [(a.text, lines_of(a.text)) for a in chosen], 256)
            piece_targets(rows, [a.spans for a in chosen])
            rows = [r for r in rows if len(r.ids) > 8][:400]
            xs, ys = [], []
            with torch.no_grad():
                for i in range(0, len(rows), 16):
                    ids, att, y, mask = collate(torch, rows, list(range(i, min(i + 16, len(rows)))))
                    assert y is not None and mask is not None
                    hidden = model(input_ids=ids, attention_mask=att).last_hidden_state
                    keep = mask > 0
                    xs.append(hidden[keep].numpy())
                    ys.append(y[keep].numpy())
            states[part] = (np.concatenate(xs), np.concatenate(ys))
        (x_train, y_train), (x_test, y_test) = states["train"], states["test"]
        mean, std = x_train.mean(0), x_train.std(0) + 1e-6
        aucs = []
        for technique in TECHNIQUES:
            j = LABELS.index(technique)
            if y_train[:, j].sum() < 5 or y_test[:, j].sum() < 5:
                continue
            probe = LogisticRegression(max_iter=2000, C=0.1).fit((x_train - mean) / std, y_train[:, j])
            auc = roc_auc_score(y_test[:, j], probe.decision_function((x_test - mean) / std))
            aucs.append(f"{technique} {auc:.3f}")
        print(
            f"{name}: state std {float(x_train.std(0).mean()):.3f}, pieces {len(x_train)} / {len(x_test)}; AUC "
            + " | ".join(aucs),
            flush=True,
        )


if __name__ == "__main__":
    main()
