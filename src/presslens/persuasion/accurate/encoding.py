"""Lines as word-piece windows with the pieces' character offsets, their training targets, and batches."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from presslens.persuasion.accurate.config import LABELS

if TYPE_CHECKING:
    from torch import Tensor
    from transformers import PreTrainedTokenizerBase


@dataclass
class Row:
    """One window of one line: word-piece ids and each piece's absolute character offsets ((-1, -1): special)."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    doc: int
    line: int
    # set by piece_targets (training): per piece, its techniques (pieces × techniques) and 1 for a real piece
    y: np.ndarray = field(default_factory=lambda: np.zeros((0, len(LABELS)), np.float32), repr=False)
    mask: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32), repr=False)


def encode_lines(
    tokenizer: PreTrainedTokenizerBase, docs: list[tuple[str, list[tuple[int, int, int]]]], max_length: int
) -> list[Row]:
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


def batches(rows: list[Row], size: int, rng: random.Random | None) -> list[list[int]]:
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


def collate(
    torch: ModuleType, rows: list[Row], idx: list[int], with_targets: bool = True
) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
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
        if y is not None and mask is not None:
            y[b, :m] = torch.from_numpy(r.y)
            mask[b, :m] = torch.from_numpy(r.mask)
    return ids, att, y, mask
