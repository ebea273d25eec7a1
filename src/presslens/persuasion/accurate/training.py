"""Fine-tuning a tagger (or an ensemble of them) on labelled articles."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import replace
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from presslens.persuasion.accurate.config import TrainConfig
from presslens.persuasion.accurate.encoding import batches, collate, encode_lines, piece_targets
from presslens.persuasion.accurate.network import build_ensemble, build_tagger, import_torch, load_tokenizer
from presslens.persuasion.data import LabelledArticle, lines_of

if TYPE_CHECKING:
    from torch import nn

    from presslens.persuasion.accurate.network import Ensemble, Tagger


def train_tagger(
    articles: list[LabelledArticle], config: TrainConfig | None = None, log: Callable[[str], None] = print
) -> Tagger | Ensemble:
    """Fine-tune a tagger on ``articles``; seeded (``config.seed``): the same data and threads give the same model.
    With ``config.members`` > 1, that many taggers, seeds ``seed``, ``seed + 1``, ..., as one ensemble."""
    config = config or TrainConfig()
    if config.members > 1:
        members = []
        for n in range(config.members):
            log(f"member {n + 1}/{config.members} (seed {config.seed + n})")
            members.append(_train_one(articles, replace(config, seed=config.seed + n, members=1), log))
        return build_ensemble(members)
    return _train_one(articles, config, log)


def _train_one(articles: list[LabelledArticle], config: TrainConfig, log: Callable[[str], None]) -> Tagger:
    """One tagger (``config.members`` is ignored)."""
    torch = import_torch()
    torch.set_num_threads(config.threads)
    tokenizer = load_tokenizer(config.encoder)
    rows = encode_lines(tokenizer, [(a.text, lines_of(a.text)) for a in articles], config.max_length)
    piece_targets(rows, [a.spans for a in articles])
    if config.train_limit:
        rows = random.Random(config.seed).sample(rows, min(config.train_limit, len(rows)))
    torch.manual_seed(config.seed)
    model = build_tagger(config.encoder, config.line_head, config.lora_rank, config.lora_alpha, config.lora_dropout)
    loss_fn = _weighted_bce(torch, np.concatenate([r.y[r.mask > 0] for r in rows]), config.pos_weight_cap)
    line_loss_fn = _weighted_bce(torch, np.stack([r.y.max(0) for r in rows]), config.pos_weight_cap)
    for prm in model.encoder.embeddings.parameters():
        prm.requires_grad = False
    # with LoRA only the adapters train (build_tagger froze the rest)
    enc_params = [p for n, p in model.encoder.named_parameters() if "embeddings" not in n and p.requires_grad]
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
    step, t0, cpu0 = 0, time.time(), time.process_time()
    for epoch in range(config.epochs):
        model.train()
        run_loss = 0.0
        epoch_rows = positives + rng.sample(negatives, n_neg)
        for bi, idx in enumerate(batches(epoch_rows, config.batch, rng)):
            ids, att, yb, mb = collate(torch, epoch_rows, idx)
            assert yb is not None and mb is not None  # collated with targets
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
        el, cpu = time.time() - t0, time.process_time() - cpu0
        log(
            f"epoch {epoch + 1}/{config.epochs}: loss {run_loss / steps_per_epoch:.4f}, {el:.0f}s "
            f"({el / step:.2f}s wall, {cpu / step:.2f}s CPU a step of {config.batch})"
        )
    model.eval()
    return model


def _weighted_bce(torch: ModuleType, y: NDArray[np.float32], cap: float) -> nn.BCEWithLogitsLoss:
    """BCE with a positive weight sqrt(neg/pos) per technique (capped), from the target matrix ``y``."""
    pos = y.sum(0)
    neg = len(y) - pos
    weight = np.where(pos > 0, np.minimum(np.sqrt(neg / np.maximum(pos, 1)), cap), 1.0)
    return torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(weight).float(), reduction="none")
