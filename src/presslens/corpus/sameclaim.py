"""What tells a restatement from a near miss: features of a pair of claims.

``features``: sentence-embedding cosine (all-MiniLM-L6-v2, when installed), content-term overlap, whether their
numbers agree or conflict, whether one negates what the other states, whether one says "rose" where the other says
"fell", whether they name different people or places, different times. ``vetoes`` are the conflicts that keep two
claims apart however close their meaning (clusters.same_claim). A logistic regression over these features was tried
and not shipped (experiments/same_claim_model.py, experiments/README.md): trained on our gold pairs it learned their
construction (negative weight on cosine) and failed on PolitiFact; with PolitiFact it reached no useful precision.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    pass

NAMES = (
    "cosine",
    "jaccard",
    "numbers_conflict",
    "numbers_agree",
    "negation_mismatch",
    "direction_conflict",
    "names_conflict",
    "time_conflict",
    "no_vector",
)
_NEG = re.compile(r"\b(not|no|never|none|nobody|nothing|neither|nor|denied|denies|deny|without)\b|n't\b", re.I)
_UP = re.compile(
    r"\b(ris\w*|rose|increas\w*|up|grew|grow\w*|gain\w*|higher|more|jump\w*|climb\w*|surg\w*|add\w*)\b", re.I
)
_DOWN = re.compile(
    r"\b(fall\w*|fell|decreas\w*|down|declin\w*|drop\w*|lower|less|fewer|cut\w*|shrank|shrink\w*|los[te]\w*|slump\w*)\b",
    re.I,
)
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_TIME = re.compile(r"\b(" + "|".join(_MONTHS + _DAYS) + r"|(?:19|20)\d\d|last year|this year|next year)\b", re.I)
_NAME = re.compile(r"(?<![.!?\"“]\s)(?<!^)\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b")
_NOT_NAMES = {m.capitalize() for m in _MONTHS + _DAYS} | {"The", "A", "An", "In", "On", "At", "It", "He", "She", "They"}


def _names(text: str) -> set[str]:
    return {m for m in _NAME.findall(text) if m not in _NOT_NAMES}


def _conflict(a: set[Any], b: set[Any]) -> float:
    """1 when both name something and share nothing, 0.5 when each names something the other does not."""
    if not a or not b:
        return 0.0
    if not a & b:
        return 1.0
    return 0.5 if (a - b) and (b - a) else 0.0


def _direction(text: str) -> int:
    up, down = bool(_UP.search(text)), bool(_DOWN.search(text))
    return 1 if up and not down else -1 if down and not up else 0


def features(a: Any, b: Any) -> list[float]:
    """``a``, ``b``: ``clusters.ClaimText``."""
    from presslens.corpus.clusters import jaccard

    has_vectors = a.vector is not None and b.vector is not None
    da, db = _direction(a.text), _direction(b.text)
    return [
        float(np.dot(a.vector, b.vector)) if has_vectors else 0.0,
        jaccard(a.terms, b.terms),
        float(bool(a.numbers) and bool(b.numbers) and not (a.numbers & b.numbers)),
        float(bool(a.numbers & b.numbers)),
        float(bool(_NEG.search(a.text)) != bool(_NEG.search(b.text))),  # one denies, the other asserts
        float(da * db == -1),
        _conflict(_names(a.text), _names(b.text)),
        _conflict({t.lower() for t in _TIME.findall(a.text)}, {t.lower() for t in _TIME.findall(b.text)}),
        float(not has_vectors),
    ]


def vetoes(a: Any, b: Any) -> list[str]:
    """Why two claims close in meaning are still different claims: their numbers, negation, direction or time."""
    f = dict(zip(NAMES, features(a, b), strict=True))
    return [
        name
        for name in ("numbers_conflict", "negation_mismatch", "direction_conflict", "time_conflict")
        if f[name] >= 1.0
    ]
