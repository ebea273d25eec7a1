"""Applying a tagger: piece probabilities, spans decoded from them, and each line's technique scores."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from presslens.nlp.states import PieceStates
from presslens.persuasion.accurate.config import LABELS
from presslens.persuasion.accurate.encoding import Row, batches, collate, encode_lines
from presslens.persuasion.accurate.network import import_torch
from presslens.persuasion.tokens import content_word, tokenize

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from presslens.persuasion.accurate.network import Ensemble, Tagger
    from presslens.persuasion.lexical import TextClassifier


def score_rows(
    model: Tagger | Ensemble, rows: list[Row], batch: int = 64
) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Piece probabilities (pieces × techniques) for every row, in row order, and with a line head the
    (rows × techniques) window probabilities (None without)."""
    torch = import_torch()
    model.eval()
    out: list[np.ndarray] = [np.zeros((0, len(LABELS)))] * len(rows)
    windows = np.zeros((len(rows), len(LABELS))) if getattr(model, "line_head", None) is not None else None
    with torch.inference_mode():
        for idx in batches(rows, batch, None):
            ids, att, _, _ = collate(torch, rows, idx, with_targets=False)
            pieces, lines = model(ids, att)
            p = torch.sigmoid(pieces).float().numpy()
            for b, i in enumerate(idx):
                out[i] = p[b, : len(rows[i].ids)]
            if windows is not None:
                windows[idx] = torch.sigmoid(lines).float().numpy()
    return out, windows


def predict_rows(model: Tagger | Ensemble, rows: list[Row], batch: int = 64) -> list[np.ndarray]:
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
    spans = [x for x in merged if any(content_word(w) for w, _, _ in tokenize(text, x[1], x[2]))]
    return sorted(spans, key=lambda x: (x[1], x[2], x[0])), line_max


def line_matrix(line_max: dict[int, np.ndarray], n_lines: int) -> np.ndarray:
    """``decode``'s per-line maxima as a (lines × techniques) matrix; lines without pieces score 0."""
    return np.array([line_max.get(i, np.zeros(len(LABELS))) for i in range(n_lines)]).reshape(-1, len(LABELS))


def line_sources(pieces: np.ndarray, head: np.ndarray | None) -> dict[str, np.ndarray]:
    """A line's scores by source: its highest piece, the line head, or their mean ("pieces" only without a head)."""
    if head is None:
        return {"pieces": pieces}
    return {"pieces": pieces, "head": head, "both": (pieces + head) / 2}


def lexical_line_matrix(para: TextClassifier, text: str, lines: list[tuple[int, int, int]]) -> np.ndarray:
    rows = para.predict_proba([text[s:e] for _, s, e in lines]) if lines else []
    return np.array([[row.get(lab, 0.0) for lab in LABELS] for row in rows]).reshape(-1, len(LABELS))


class AccurateTagger:
    """A trained tagger ready to apply: spans and line probabilities for one text at a time."""

    def __init__(
        self,
        model: Tagger | Ensemble | None,
        tokenizer: PreTrainedTokenizerBase,
        meta: dict[str, Any],
        scorer: Callable[[list[Row]], list[np.ndarray]] | None = None,
        build: Callable[[], Tagger | Ensemble] | None = None,
    ) -> None:
        """``model``: the torch model, or None with ``build`` to make it when first asked for; ``scorer``: rows →
        piece probabilities in their place (the ONNX Runtime session, ``runtime.OnnxScorer``; no line head)."""
        if model is None and build is None:
            raise ValueError("AccurateTagger needs a model or a way to build one")
        self._model = model
        self._build = build
        self.scorer = scorer
        self.tokenizer = tokenizer
        self.meta = meta
        self.span_threshold = float(meta["span_threshold"])
        self.paragraph_threshold = float(meta["paragraph_threshold"])
        self.max_length = int(meta.get("max_length", 256))
        self.line_source = str(meta.get("line_source", "pieces"))
        self.name: str | None = None  # None: the shipped model (detect names it)
        self.state_source = "unnamed"  # names the states it leaves for other components (load_accurate sets it)

    @property
    def model(self) -> Tagger | Ensemble:
        """The torch model (built on first use where the tagger runs on ONNX Runtime)."""
        if self._model is None:
            assert self._build is not None
            self._model = self._build()
        return self._model

    @property
    def backend(self) -> str:
        return "onnx" if self.scorer is not None else "torch"

    def predict(
        self, text: str, lines: list[tuple[int, int, int]], threshold: float | None = None
    ) -> tuple[list[tuple[str, int, int, float]], np.ndarray]:
        """Spans, and a (lines × techniques) matrix of line probabilities (rows in the order of ``lines``)."""
        spans, pieces, head = self.scores(text, lines, threshold)
        return spans, line_sources(pieces, head).get(self.line_source, pieces)

    def predict_with_states(
        self, text: str, lines: list[tuple[int, int, int]], threshold: float | None = None
    ) -> tuple[list[tuple[str, int, int, float]], np.ndarray, PieceStates]:
        """``predict``, and the first member's hidden states of every piece (for the claims ranker)."""
        spans, pieces, head, states = self.scores_and_states(text, lines, threshold)
        return spans, line_sources(pieces, head).get(self.line_source, pieces), states

    def scores(
        self, text: str, lines: list[tuple[int, int, int]], threshold: float | None = None
    ) -> tuple[list[tuple[str, int, int, float]], np.ndarray, np.ndarray | None]:
        """Spans, the lines' highest piece probabilities and the line head's (None without one)."""
        return self._scores(text, lines, threshold, with_states=False)[:3]

    def scores_and_states(
        self, text: str, lines: list[tuple[int, int, int]], threshold: float | None = None
    ) -> tuple[list[tuple[str, int, int, float]], np.ndarray, np.ndarray | None, PieceStates]:
        spans, pieces, head, states = self._scores(text, lines, threshold, with_states=True)
        assert states is not None
        return spans, pieces, head, states

    def _scores(
        self, text: str, lines: list[tuple[int, int, int]], threshold: float | None, with_states: bool
    ) -> tuple[list[tuple[str, int, int, float]], np.ndarray, np.ndarray | None, PieceStates | None]:
        rows = encode_lines(self.tokenizer, [(text, lines)], self.max_length)
        run = getattr(self.scorer, "run", None)
        hidden: list[np.ndarray] | None = None
        windows: np.ndarray | None = None
        if self.scorer is not None and with_states and run is not None:
            probs, hidden = run(rows)  # the ONNX graph gives the states with the probabilities
        elif self.scorer is not None:
            probs = self.scorer(rows)
        else:
            probs, windows = score_rows(self.model, rows)
        states = None
        if with_states:
            hidden = hidden if hidden is not None else first_member_states(self.model, rows)
            states = PieceStates.from_windows(self.state_source, [r.offsets for r in rows], hidden)
        spans, line_max = decode(text, rows, probs, self.span_threshold if threshold is None else threshold)
        pieces = line_matrix(line_max, len(lines))
        head = None if windows is None else line_matrix(window_line_max(rows, windows), len(lines))
        return spans, pieces, head, states


def first_member_states(model: Tagger | Ensemble, rows: list[Row]) -> list[np.ndarray]:
    """The first member's last hidden states (pieces × width) for every row, with torch."""
    torch = import_torch()
    member: Any = model.members[0] if hasattr(model, "members") else model  # type: ignore[index]
    out = []
    with torch.inference_mode():
        for r in rows:
            ids = torch.tensor([r.ids])
            out.append(
                member.encoder(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0].float().numpy()
            )
    return out
