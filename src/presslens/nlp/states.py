"""Encoder states one component computes and another reads: one encoder pass per article, not one per component.

The technique tagger (the default technique model) runs the fine-tuned MiniLM over every line of the article; the
claims ranker reads the same states, mean-pooled over each statement's word pieces. They travel on the spaCy
``Doc`` (``doc.user_data``), named by the model that made them, so that a reader only takes the states it was
trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.tokens import Doc

_KEY = "presslens.piece_states"


@dataclass(frozen=True)
class PieceStates:
    """Per word piece: its character start and end in the article, and its hidden state (pieces × width)."""

    source: str  # which model computed them (its file name and member)
    starts: np.ndarray
    ends: np.ndarray
    states: np.ndarray

    @property
    def width(self) -> int:
        return int(self.states.shape[1])

    def pooled(self, start: int, end: int) -> np.ndarray:
        """The mean state of the pieces that start inside ``start:end`` (zeros if none does)."""
        inside = (self.starts >= start) & (self.starts < end)
        if not inside.any():
            return np.zeros(self.width, np.float32)
        return self.states[inside].mean(axis=0).astype(np.float32)

    @classmethod
    def from_windows(cls, source: str, offsets: list[list[tuple[int, int]]], states: list[np.ndarray]) -> PieceStates:
        """From overlapping windows (the tagger's rows): each piece kept once, from the first window holding it."""
        seen: set[tuple[int, int]] = set()
        starts, ends, rows = [], [], []
        for offs, h in zip(offsets, states, strict=True):
            for k, (s, e) in enumerate(offs):
                if s < 0 or (s, e) in seen:
                    continue
                seen.add((s, e))
                starts.append(s)
                ends.append(e)
                rows.append(h[k])
        width = states[0].shape[-1] if states else 0
        return cls(
            source,
            np.asarray(starts, np.int64),
            np.asarray(ends, np.int64),
            np.asarray(rows, np.float32).reshape(len(rows), width),
        )


def put(doc: Doc, states: PieceStates) -> None:
    doc.user_data[_KEY] = states


def get(doc: Doc, source: str) -> PieceStates | None:
    """The states on ``doc`` if ``source`` computed them."""
    found = doc.user_data.get(_KEY)
    return found if isinstance(found, PieceStates) and found.source == source else None
