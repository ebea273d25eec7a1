"""Finding where an article contests its own claims.

Written as rules over cue phrases because no training data exists for this and the cues are few and
explicit; the gold set in ``presslens/claims/gold/disputes.jsonl`` (our own sentences, with look-alike negatives
such as "despite the rain" or "denied entry") measures them: ``presslens eval disputes``.

Cue families: "despite reports that …", "contrary to his claims", "falsely claimed", "without evidence" /
"offered no evidence", "debunked" / "baseless", "X denied (that) …" / "rejected the account" / "reports
contradict him", and a second speaker saying the opposite (shared content words, opposite polarity).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from presslens.claims.extract import Candidate

_CLAIM_NOUNS = (
    r"(?:reports?|claims?|evidence|allegations?|accounts?|assertions?|statements?|findings?|indications?|testimony"
    r"|footage|images|photos|photographs|videos?|data|figures?|records|witnesses|accusations?|suggestions?|estimates?|tall(?:y|ies))"
)
_DET = r"(?:the|a|an|his|her|their|its|these|those|this|that|such|any|all|earlier|widespread|multiple|numerous|credible|several|many|repeated|mounting|growing|independent|media|news|other|official|local|western|(?:[A-Z][\w.-]*(?:'s|\u2019s)))"
CUES: list[tuple[str, re.Pattern]] = [
    ("despite", re.compile(rf"\bdespite\s+(?:{_DET}\s+)*{_CLAIM_NOUNS}\b", re.I)),
    ("contrary to", re.compile(rf"\bcontrary to\s+(?:{_DET}\s+)*(?:{_CLAIM_NOUNS}|remarks|comments|what)\b", re.I)),
    (
        "falsely",
        re.compile(
            r"\b(?:falsely|wrongly|erroneously|misleadingly|baselessly|incorrectly)\s+"
            r"(?:claim|sa(?:y|id)|state|assert|suggest|accus|alleg|insist|told|report|describ|blam)\w*",
            re.I,
        ),
    ),
    (
        "no evidence",
        re.compile(
            r"\bwithout\s+(?:providing\s+|offering\s+|citing\s+|presenting\s+|giving\s+|producing\s+)?(?:any\s+)?evidence\b"
            r"|\b(?:offered|offering|provided|providing|presented|gave|cited|produced|has|had|have|is|was|there's)\s+no\s+(?:such\s+)?evidence\b"
            r"|\bno evidence (?:to support|to back|for (?:th|h|it)|that|backs|supports|has emerged)",
            re.I,
        ),
    ),
    (
        "debunked",
        re.compile(
            r"\b(?:debunked|disproven|disproved|discredited|baseless|unfounded|unsubstantiated|false claims?"
            r"|(?:has|have|had) been (?:refuted|contradicted|rejected by fact-checkers)|fact-checkers? (?:found|rated|have found))\b",
            re.I,
        ),
    ),
    (
        "denied",
        re.compile(
            rf"\b(?:den(?:y|ies|ied|ying)|rejected|rejects|rejecting|refuted|refutes|disputed|disputes|disputing|contested"
            rf"|contradicted|contradicts?|contradicting|dismissed)\s+(?:{_DET}\s+)*"
            rf"(?:that\b|{_CLAIM_NOUNS}|account|version|narrative|allegation|accusation|charge|suggestion|it\b|this\b|him\b|her\b|them\b|the claim)",
            re.I,
        ),
    ),
]
_NEGATION = re.compile(
    r"\b(?:no|not|never|none|nothing|nobody|neither|nor|without|deny|denies|denied)\b|n['\u2019]t\b", re.I
)
_WORD = re.compile(r"[a-z0-9]+")
SAME_SENTENCE_WINDOW = 2
OVERLAP_MIN = 0.25
OPPOSITE_OVERLAP_MIN = 0.4
OPPOSITE_MIN_SCORE = 0.15  # questions and small talk do not contradict anything


OPPOSITE = "opposite claim"  # the kind of a dispute by a second speaker saying the opposite (no cue phrase)


@dataclass(slots=True)
class Found:
    candidate: int  # index into the candidates
    start: int
    end: int
    kind: str  # the cue family (a name in ``CUES``), or ``OPPOSITE``
    cue: tuple[int, int] | None  # the cue phrase's offsets; None for ``OPPOSITE``


def _content(text: str) -> set[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    words = set()
    for w in _WORD.findall(text.lower()):
        if w in STOP_WORDS or len(w) < 3:
            continue
        words.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return words


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _clause_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in ".!?\"'\u201d\u2019 ":
        end -= 1
    return end


def _evidence(text: str, sentence: tuple[int, int], cue: tuple[int, int], family: str) -> tuple[int, int]:
    """The contesting text: the cue's clause ("despite reports that …", "without providing evidence", "a claim
    that has been debunked …"), the cue itself for "falsely claimed", else the sentence."""
    s, e = sentence
    cs, ce = cue
    if family == "falsely":
        return cs, ce
    clause = family in ("despite", "contrary to") or (
        family == "no evidence" and text[cs:ce].lower().startswith("without")
    )
    if family == "debunked" and text.rfind(",", s, cs) != -1:
        return text.rfind(",", s, cs) + 1 + (text[text.rfind(",", s, cs) + 1] == " "), _clause_end(text, cs, e)
    if not clause:
        return s, e
    if text[s:cs].strip(" \"'\u201c\u2018") == "":  # sentence-initial: up to the first comma
        comma = text.find(",", cs, e)
        return cs, comma if comma != -1 else e
    return cs, _clause_end(text, cs, e)


def _speaker_key(c: Candidate) -> str | None:
    if c.quote is None or c.quote.speaker is None:
        return None
    sp = c.quote.speaker
    return sp.entity or (sp.name or sp.text).lower()


_POSSESSIVE = re.compile(r"\b([A-Z][\w.-]*)(?:'s|\u2019s)\b")


def _introduced_as(
    text: str,
    c: Candidate,
    word: str,
    mentions: dict[str, list[tuple[int, int]]],
    seen: dict[tuple[str, str], bool] | None = None,
) -> bool:
    """Whether the candidate's speaker is named, or introduced, with ``word`` ("Kremlin spokesman Dmitry Peskov").

    ``seen``: the answers for an entity's mentions, by (entity, word), kept between calls (long documents)."""
    sp = c.quote.speaker if c.quote else None
    if sp is None:
        return False
    low = word.lower()
    if low in (sp.name or sp.text).lower():
        return True
    if low in text[max(0, sp.start - 40) : sp.end].lower():
        return True
    key = (sp.entity or "", low)
    if seen is None or key not in seen:
        answer = any(low in text[max(0, s - 40) : e].lower() for s, e in mentions.get(sp.entity or "", []))
        if seen is None:
            return answer
        seen[key] = answer
    return seen[key]


def find_disputes(
    text: str,
    sentences: list[tuple[int, int]],
    cands: list[Candidate],
    mentions: dict[str, list[tuple[int, int]]] | None = None,
) -> list[Found]:
    """Disputes of the candidates; ``mentions``: entity id → mention offsets, to tell whose account is rejected."""
    mentions = mentions or {}
    found: list[Found] = []
    seen: set[tuple[int, int]] = set()
    words = [_content(text[c.start : c.end]) for c in cands]
    # Lookups by sentence, so that each cue looks only at the candidates near it (long documents).
    by_sentence: dict[int, list[int]] = {}
    for ci, c in enumerate(cands):
        by_sentence.setdefault(c.sentence, []).append(ci)
    quoted_sentences = {c.sentence for c in cands if c.quote is not None}
    introduced: dict[tuple[str, str], bool] = {}
    by_owner: dict[str, list[int]] = {}  # possessive word -> the quoted candidates whose speaker it introduces

    def within(lo: int, hi: int) -> list[int]:
        """The candidates of sentences ``lo..hi``, in candidate order."""
        if hi - lo > len(by_sentence):
            return [ci for ci, c in enumerate(cands) if lo <= c.sentence <= hi]
        return sorted(ci for si in range(lo, hi + 1) for ci in by_sentence.get(si, ()))

    def add(ci: int, start: int, end: int, kind: str, cue: tuple[int, int] | None) -> None:
        if (ci, start) not in seen:
            seen.add((ci, start))
            found.append(Found(ci, start, end, kind, cue))

    for si, (s, e) in enumerate(sentences):
        sentence = text[s:e]
        for family, pattern in CUES:
            m = pattern.search(sentence)
            if not m:
                continue
            cue = m.group(0)
            at = (s + m.start(), s + m.end())
            ev_start, ev_end = _evidence(text, (s, e), at, family)
            # "Sullivan rejected the Kremlin's account. 'There is no invasion…'": the next quote is the evidence.
            if family == "denied" and not cue.lower().endswith("that") and si + 1 in quoted_sentences:
                ev_end = sentences[si + 1][1]
            # 1. The claim the sentence itself reports, outside the contesting text ("X falsely claimed that …").
            same = [
                ci
                for ci in by_sentence.get(si, ())
                if len(
                    _content(
                        text[cands[ci].start : max(cands[ci].start, min(cands[ci].end, ev_start))]
                        + " "
                        + text[max(cands[ci].start, ev_end) : cands[ci].end]
                    )
                )
                >= 3
            ]
            for ci in same:
                add(ci, ev_start, ev_end, family, at)
            if same:
                break
            # 2. A claim nearby that shares the words of the sentence.
            rest = (
                _content(text[s:ev_start] + " " + text[ev_end:e])
                if (ev_start, ev_end) != (s, e)
                else _content(sentence)
            )
            lo = si - (3 if family == "denied" else SAME_SENTENCE_WINDOW)
            hi = si + (1 if family == "denied" else SAME_SENTENCE_WINDOW)
            best = None
            for ci in within(lo, hi):
                if cands[ci].sentence == si:
                    continue
                ov = _overlap(rest, words[ci])
                if ov >= OVERLAP_MIN and (best is None or ov > best[0]):
                    best = (ov, ci)
            if best:
                add(best[1], ev_start, ev_end, family, at)
                break
            # 3. An anaphor ("rejected the Kremlin's account", "offered no evidence for the claim", "he made the
            #    remark despite reports …"): the nearest earlier quoted claim, by the named speaker if one is named.
            owner = _POSSESSIVE.search(cue)
            if owner:
                word = owner.group(1)
                if word not in by_owner:
                    by_owner[word] = [
                        ci
                        for ci, c in enumerate(cands)
                        if c.quote is not None and _introduced_as(text, c, word, mentions, introduced)
                    ]
                earlier = [ci for ci in by_owner[word] if cands[ci].sentence < si]
            else:
                earlier = [ci for ci in within(lo, si - 1) if cands[ci].quote is not None]
            if earlier:
                evidence = _content(text[ev_start:ev_end])
                add(max(earlier, key=lambda ci: (_overlap(evidence, words[ci]), ci)), ev_start, ev_end, family, at)
            break  # one cue family per sentence
    # A second speaker saying the opposite: pairs sharing at least three content words, found through an index
    # of the words (not by comparing every pair: long documents).
    keys = [_speaker_key(c) if c.score >= OPPOSITE_MIN_SCORE else None for c in cands]
    postings: dict[str, list[int]] = {}
    for ci, k in enumerate(keys):
        if k is not None:
            for w in words[ci]:
                postings.setdefault(w, []).append(ci)
    negated: dict[int, bool] = {}

    def negation(ci: int) -> bool:
        if ci not in negated:
            negated[ci] = bool(_NEGATION.search(text[cands[ci].start : cands[ci].end]))
        return negated[ci]

    for i, a in enumerate(cands):
        ka = keys[i]
        if ka is None:
            continue
        shared: dict[int, int] = {}
        for w in words[i]:
            post = postings[w]
            for j in post[bisect.bisect_right(post, i) :]:
                shared[j] = shared.get(j, 0) + 1
        for j in sorted(j for j, n in shared.items() if n >= 3):
            b = cands[j]
            if keys[j] == ka or b.sentence == a.sentence:
                continue
            if _overlap(words[i], words[j]) >= OPPOSITE_OVERLAP_MIN and negation(i) != negation(j):
                add(i, b.start, b.end, OPPOSITE, None)
    return found
