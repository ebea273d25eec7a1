"""What the news ranker knows about a candidate statement, beyond its words.

Each candidate (a sentence, or the part of it inside a quote) becomes a row of named numbers read from the parsed
document and from what the earlier components found: who says it and with which verb (part 1), whether the
article disputes it (part 3), numbers and named entities, tense and modality, questions and the first and second
person, position in the article. The debate model's score is one of them, so the debate data stays a signal. The
sentence's meaning comes separately, from the technique tagger's states (``presslens.nlp.states``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from presslens.claims.extract import Candidate
    from presslens.model import Analysis, Quote

# cue verbs by what they say about the statement (lemmas)
CUE_CLASSES: dict[str, frozenset[str]] = {
    "denial": frozenset({"deny", "reject", "dismiss", "refute", "dispute", "rebut", "contradict"}),
    "allegation": frozenset({"accuse", "allege", "charge", "claim", "blame", "suggest", "contend", "assert"}),
    "question": frozenset({"ask", "wonder", "question", "inquire", "query"}),
    "commitment": frozenset({"promise", "pledge", "vow", "commit", "guarantee", "swear", "threaten"}),
    "warning": frozenset({"warn", "predict", "forecast", "caution", "fear", "expect"}),
    "report": frozenset(
        {
            "say",
            "tell",
            "state",
            "add",
            "note",
            "report",
            "announce",
            "confirm",
            "write",
            "explain",
            "insist",
            "acknowledge",
            "admit",
            "reveal",
            "disclose",
            "testify",
            "point",
            "argue",
            "maintain",
            "stress",
        }
    ),
}
MODALS_FUTURE = frozenset({"will", "would", "could", "may", "might", "'ll", "shall"})
MODALS_DUTY = frozenset({"should", "must", "ought", "need"})
CAUSAL = frozenset({"because", "cause", "lead", "result", "due", "thanks", "therefore", "consequently", "since"})
HEDGES = frozenset({"perhaps", "maybe", "possibly", "probably", "likely", "seem", "appear", "believe", "think", "hope"})
FIRST = frozenset({"i", "we", "me", "us", "my", "our", "mine", "ours", "myself", "ourselves"})
SECOND = frozenset({"you", "your", "yours", "yourself", "yourselves"})
NUMBER_ENTS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
ENT_GROUPS = {
    "person": frozenset({"PERSON"}),
    "org": frozenset({"ORG", "NORP"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "time": frozenset({"DATE", "TIME"}),
    "law_event": frozenset({"LAW", "EVENT"}),
}
VOICES = ("reporter", "direct", "indirect", "mixed")

NAMES: list[str] = (
    ["debate_logit", "words_log", "first_sentence", "question", "disputed"]
    + [f"voice_{v}" for v in VOICES]
    + [f"cue_{c}" for c in (*CUE_CLASSES, "other")]
    + ["speaker_named", "speaker_unnamed"]
    + ["numbers", "has_number", "digits"]
    + [f"ent_{g}" for g in ENT_GROUPS]
    + ["past", "present", "future_modal", "duty_modal", "negation", "comparative", "causal", "hedge"]
    + ["first_person", "second_person", "imperative", "adjective_share", "proper_share", "speech_only"]
    + ["position"]
)


def cue_class(quote: Quote | None, doc: Doc) -> str | None:
    """The class of the quote's cue verb, by its lemma ("denied" → denial); None for the reporter's voice."""
    if quote is None:
        return None
    if quote.cue is None:
        return "other"
    span = doc.char_span(quote.cue.start, quote.cue.end, alignment_mode="expand")
    lemmas = {t.lemma_.lower() for t in span} if span is not None else {quote.cue.text.lower()}
    for name, words in CUE_CLASSES.items():
        if lemmas & words:
            return name
    return "other"


def _share(n: int, total: int) -> float:
    return n / total if total else 0.0


def row(
    analysis: Analysis, doc: Doc, cand: Candidate, debate_score: float, disputed: bool, first_sentence: bool
) -> list[float]:
    """The named features (``NAMES``, in order) of one candidate."""
    span: Span | None = doc.char_span(cand.start, cand.end, alignment_mode="expand")
    tokens = [t for t in span if not t.is_space] if span is not None else []
    words = [t for t in tokens if not t.is_punct]
    lower = [t.lower_ for t in words]
    lemmas = {t.lemma_.lower() for t in words}
    n = max(len(words), 1)
    text = analysis.text
    q = cand.quote
    voice = "reporter" if q is None else ("indirect" if q.kind == "indirect" else q.kind)
    cue = cue_class(q, doc)
    ents = span.ents if span is not None else ()
    p = min(max(debate_score, 1e-4), 1 - 1e-4)
    out: list[float] = [
        math.log(p / (1 - p)),
        math.log1p(len(words)),
        float(first_sentence),
        float(
            text[cand.start : cand.end].rstrip().endswith("?")
            or text[cand.end : cand.end + 2].lstrip(" \"'\u201d\u2019").startswith("?")
        ),
        float(disputed),
    ]
    out += [float(voice == v) for v in VOICES]
    out += [float(cue == c) for c in (*CUE_CLASSES, "other")]
    speaker = q.speaker if q is not None else None
    out += [
        float(speaker is not None and speaker.entity is not None),
        float(speaker is not None and speaker.entity is None),
    ]
    numbers = sum(1 for e in ents if e.label_ in NUMBER_ENTS) + sum(1 for t in words if t.like_num and not t.ent_type_)
    out += [math.log1p(numbers), float(numbers > 0), float(any(c.isdigit() for c in text[cand.start : cand.end]))]
    out += [math.log1p(sum(1 for e in ents if e.label_ in group)) for group in ENT_GROUPS.values()]
    out += [
        _share(sum(1 for t in words if t.tag_ in ("VBD", "VBN")), n),
        _share(sum(1 for t in words if t.tag_ in ("VBZ", "VBP")), n),
        float(
            any(w in MODALS_FUTURE for w in lower)
            or any(a == "going" and b == "to" for a, b in zip(lower, lower[1:], strict=False))
        ),
        float(any(w in MODALS_DUTY for w in lower)),
        math.log1p(sum(1 for t in words if t.dep_ == "neg" or t.lower_ in ("no", "never", "nothing", "none"))),
        float(any(t.tag_ in ("JJR", "JJS", "RBR", "RBS") for t in words) or "than" in lower),
        float(bool(lemmas & CAUSAL)),
        float(bool(lemmas & HEDGES)),
        _share(sum(1 for w in lower if w in FIRST), n),
        _share(sum(1 for w in lower if w in SECOND), n),
        float(bool(words) and words[0].tag_ == "VB" and words[0].dep_ == "ROOT"),
        _share(sum(1 for t in words if t.pos_ == "ADJ"), n),
        _share(sum(1 for t in words if t.pos_ == "PROPN"), n),
        float(_speech_only(span) if span is not None and q is None else False),
    ]
    return out


def _speech_only(span: Span) -> bool:
    """A sentence in the reporter's voice whose main verb is a speech verb without what was said ("He spoke to
    reporters after the rally."): attribution, not a claim."""
    from presslens.lexicon import SPEECH_VERBS

    roots = [t for t in span if t.dep_ == "ROOT"]
    return bool(roots) and all(
        r.lemma_.lower() in SPEECH_VERBS | {"speak", "appear", "talk"}
        and not any(c.dep_ in ("ccomp", "xcomp", "dobj", "parataxis") for c in r.children)
        for r in roots
    )


def matrix(
    analysis: Analysis,
    doc: Doc,
    cands: list[Candidate],
    debate_scores: list[float],
    disputed: set[int],
) -> np.ndarray:
    """One row per candidate: the named features (``NAMES``)."""
    if not cands:
        return np.zeros((0, len(NAMES)), np.float32)
    first = min(c.sentence for c in cands)
    last = max(max(c.sentence for c in cands) - first, 1)
    rows = [
        row(analysis, doc, c, s, i in disputed, c.sentence == first) + [(c.sentence - first) / last]
        for i, (c, s) in enumerate(zip(cands, debate_scores, strict=True))
    ]
    return np.asarray(rows, np.float32)
