"""The same claim in different articles, by different speakers or in other words: one claim cluster.

A new claim joins the most similar existing cluster when the two are the same claim by this test, else it starts
a cluster of its own:
- their meaning is close: cosine of all-MiniLM-L6-v2 sentence embeddings ≥ ``COSINE`` (the ``semantic`` extra),
  or, without the encoder, the Jaccard overlap of their content terms ≥ ``JACCARD``;
- and nothing sets them apart (``sameclaim.vetoes``): their numbers conflict (40 tanks is not 400 tanks), one
  negates the other, one says "rose" where the other says "fell", or they name different times.
Measured on our gold pairs and PolitiFact restatements (``python benchmarks/eval_corpus_links.py``,
docs/evaluation.md "Corpus links"). Candidates are found by shared rare terms (``cluster_terms``),
so a new claim is compared with tens of clusters, not all of them.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, bindparam, func, lateral, select, true

from presslens.store import is_sqlite, schema

if TYPE_CHECKING:
    from numpy.typing import NDArray

COSINE = 0.70
JACCARD = 0.5
MAX_POSTINGS = 20_000  # a term in more clusters than this is too common to find candidates with
CANDIDATE_TERMS = 5
MAX_CANDIDATES = 200
SEEN = 20_000  # claim vectors kept for texts that come again

_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or
    other our out over own said same says she should so some such than that the their them then there these they
    this those through to too under until up very was we were what when where which while who whom why will with
    would you your told added according say stated claimed""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[a-z][a-z'-]+|\d[\d,.]*")
_NUMBER = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s*(%|percent|per cent|thousand|million|billion|trillion|bn|m|k)?(?![\w])"
    r"|\b(a|one|two|three|four|five|six|seven|eight|nine|ten|a few) (hundred|thousand|million|billion)\b",
    re.I,
)
_DAY_OF_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? (\d{1,2})\b|\b(\d{1,2}) (?:jan|feb|mar|apr|may|"
    r"jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b",
    re.I,
)
_SCALE = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "hundred": 1e2,
    "bn": 1e9,
    "m": 1e6,
    "k": 1e3,
}
_SMALL = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_SMALL |= {"ten": 10}
_HUNDREDS = re.compile(r"\b(a|one|two|three|four|five|six|seven|eight|nine) hundred (thousand|million|billion)\b", re.I)


def terms(text: str) -> list[str]:
    """Content terms, crudely stemmed (a plural's "s" dropped), in order of first appearance."""
    out: dict[str, None] = {}
    for w in _WORD.findall(text.lower().replace("\u2019", "'")):
        if w[0].isdigit() or w in _STOP or len(w) < 3:
            continue
        w = w.removesuffix("'s")
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out[w] = None
    return list(out)


def numbers(text: str) -> set[float]:
    """The quantities a claim states: "100,000", "a hundred thousand" and "100 thousand" are one number."""
    found: set[float] = set()
    text = _DAY_OF_MONTH.sub(" ", text)  # "April 9", "12 October": a date, not a quantity
    text = _HUNDREDS.sub(lambda m: f"{_SMALL.get(m.group(1).lower(), 1) * 100} {m.group(2)}", text)
    for m in _NUMBER.finditer(text):
        if m.group(1):
            try:
                value = float(m.group(1).replace(",", ""))
            except ValueError:
                continue
            scale = (m.group(2) or "").lower()
            if 1900 <= value <= 2100 and not scale:
                continue  # a year is when, not how many
            found.add(round(value * _SCALE.get(scale, 1.0), 6))
        elif m.group(3):
            word = m.group(3).lower()
            found.add(float(_SMALL.get(word, 3)) * _SCALE[m.group(4).lower()])
    return found


def numbers_agree(a: set[float], b: set[float]) -> bool:
    return not a or not b or bool(a & b)


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


@dataclass
class ClaimText:
    text: str
    terms: list[str]
    numbers: set[float]
    vector: NDArray[np.float32] | None = None


# Built once: the writer runs them for every claim, and building a statement costs more than SQLite running it.
_T, _CC = schema.cluster_terms.c, schema.claim_clusters.c
_TERM_COUNTS = select(_T.term, func.count()).where(_T.term.in_(bindparam("terms", expanding=True))).group_by(_T.term)
_HITS = (
    select(_T.cluster_id, func.count().label("shared"))
    .where(_T.term.in_(bindparam("rare", expanding=True)))
    .group_by(_T.cluster_id)
    .order_by(func.count().desc(), _T.cluster_id.desc())
    .limit(MAX_CANDIDATES)
    .subquery()
)
_ONE = lateral(
    select(_CC.id, _CC.text, _CC.terms, _CC.numbers, _CC.vector).where(_CC.id == _HITS.c.cluster_id).limit(1)
)
_CANDIDATES = {  # by "is the store SQLite?"; PostgreSQL without statistics would read every cluster for a hash join
    True: select(_CC.id, _CC.text, _CC.terms, _CC.numbers, _CC.vector).join(_HITS, _HITS.c.cluster_id == _CC.id),
    False: select(_ONE).select_from(_HITS).join(_ONE, true()),
}
_NEW_CLUSTERS = schema.claim_clusters.insert().returning(_CC.id, sort_by_parameter_order=True)
_NEW_TERMS = schema.cluster_terms.insert()


def same_claim(a: ClaimText, b: ClaimText) -> bool:
    from presslens.corpus.sameclaim import vetoes

    close = similarity(a, b) >= (COSINE if a.vector is not None and b.vector is not None else JACCARD)
    return close and not vetoes(a, b)


def similarity(a: ClaimText, b: ClaimText) -> float:
    if a.vector is not None and b.vector is not None:
        return float(np.dot(a.vector, b.vector))
    return jaccard(a.terms, b.terms)


class Clusterer:
    """Assigns claims to clusters inside a write transaction; ``encoder`` (optional) embeds claim texts."""

    def __init__(self, encoder: Any | None = None) -> None:
        self.encoder = encoder
        self._seen: OrderedDict[str, Any] = OrderedDict()  # text → vector: wire copy repeats claims word for word

    def prepare(self, texts: list[str]) -> list[ClaimText]:
        vectors: list[Any] = [None] * len(texts)
        if self.encoder is not None and texts:
            new = list(dict.fromkeys(t for t in texts if t not in self._seen))
            for t, v in zip(new, self.encoder.encode(new) if new else [], strict=True):
                self._seen[t] = v
            for t in texts:
                self._seen.move_to_end(t)
            while len(self._seen) > SEEN:
                self._seen.popitem(last=False)
            vectors = [self._seen[t] for t in texts]
        return [ClaimText(t, terms(t), numbers(t), v) for t, v in zip(texts, vectors, strict=True)]

    def assign(self, conn: Connection, claims: list[ClaimText]) -> list[int]:
        """Each claim's cluster id, in order (a claim may join a cluster an earlier one of them started)."""
        wanted = sorted({w[:64] for c in claims for w in c.terms})
        # how many clusters hold each term, once for all the claims, then kept as new clusters add postings
        postings: dict[str, int] = dict(conn.execute(_TERM_COUNTS, {"terms": wanted}).all()) if wanted else {}
        new = _NewClusters()
        found = [self._assign_one(conn, c, postings, new) for c in claims]
        if not new.claims:
            return found
        # the new clusters written together: a cluster's own id for each pending one (-1 → the first, ...)
        rows = [
            {
                "text": c.text,
                "terms": " ".join(c.terms),
                "numbers": " ".join(repr(n) for n in sorted(c.numbers)),
                "vector": c.vector.astype(np.float16).tobytes() if c.vector is not None else None,
            }
            for c in new.claims
        ]
        ids = [int(r[0]) for r in conn.execute(_NEW_CLUSTERS, rows)]
        terms_rows = [{"term": t, "cluster_id": ids[k]} for k, c in enumerate(new.claims) for t in _own_terms(c)]
        if terms_rows:
            conn.execute(_NEW_TERMS, terms_rows)
        return [ids[-cid - 1] if cid < 0 else cid for cid in found]

    def _assign_one(self, conn: Connection, claim: ClaimText, postings: dict[str, int], new: _NewClusters) -> int:
        """The id of the cluster ``claim`` joins, or -k for the k-th of the ``new`` clusters (this one, or one an
        earlier claim of the batch started)."""
        best, best_score = None, -1.0
        for cid, other in self._candidates(conn, claim, postings, new):
            if same_claim(claim, other):
                score = similarity(claim, other)
                if score > best_score:
                    best, best_score = cid, score
        if best is not None:
            return best
        for t in _own_terms(claim):
            postings[t] = postings.get(t, 0) + 1
        return new.add(claim)

    def _candidates(
        self, conn: Connection, claim: ClaimText, postings: dict[str, int], new: _NewClusters
    ) -> list[tuple[int, ClaimText]]:
        if not claim.terms:
            return []
        counts = {w: postings[w] for w in dict.fromkeys(w[:64] for w in claim.terms) if postings.get(w)}
        rare = sorted((w for w in counts if counts[w] <= MAX_POSTINGS), key=lambda w: (counts[w], w))[:CANDIDATE_TERMS]
        if not rare:
            return []
        pending = new.sharing(rare)
        rows = conn.execute(_CANDIDATES[is_sqlite(conn)], {"rare": rare}).all()
        if claim.vector is not None and rows and all(r.vector is not None for r in rows):
            # cosine of all candidates at once; only those close enough are worth the vetoes' closer look
            stored = np.frombuffer(b"".join(r.vector for r in rows), dtype=np.float16).reshape(len(rows), -1)
            close = stored.astype(np.float32) @ claim.vector >= COSINE
            rows = [r for r, keep in zip(rows, close, strict=True) if keep]
        out = []
        for r in rows:
            vector = np.frombuffer(r.vector, dtype=np.float16).astype(np.float32) if r.vector is not None else None
            nums = {float(x) for x in r.numbers.split()}
            out.append((int(r.id), ClaimText(r.text, r.terms.split(), nums, vector)))
        return out + pending


class _NewClusters:
    """The clusters claims of one ``assign`` started, written when it ends; candidates for the claims after them.
    Their vectors are kept as the store keeps them (float16), so that a claim is compared alike with either."""

    def __init__(self) -> None:
        self.claims: list[ClaimText] = []
        self._by_term: dict[str, list[int]] = {}

    def add(self, claim: ClaimText) -> int:
        vector = claim.vector.astype(np.float16).astype(np.float32) if claim.vector is not None else None
        self.claims.append(ClaimText(claim.text, claim.terms, claim.numbers, vector))
        for t in _own_terms(claim):
            self._by_term.setdefault(t, []).append(len(self.claims) - 1)
        return -len(self.claims)

    def sharing(self, rare: list[str]) -> list[tuple[int, ClaimText]]:
        found = sorted({k for t in rare for k in self._by_term.get(t, ())})
        return [(-k - 1, self.claims[k]) for k in found]


def _own_terms(claim: ClaimText) -> list[str]:
    """A cluster's blocking terms (as the column holds them: 64 characters at most)."""
    return sorted({t[:64] for t in claim.terms})
