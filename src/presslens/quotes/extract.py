"""Who said what: direct, mixed and reported quotes with their cue and speaker.

The steps, in order:
1. cues: speech verbs outside quotation marks (``say``, ``tell``, ``warn``, ...) and "according to";
   each gets its speaker (grammatical subject, inherited through "…, adding", "who said") and, where it
   has one, its reported content (a that-clause, "accused Y of …", "a guarantee that …", "X is Y, he said",
   "asked him if …", a speech act's object: "denied the allegations against him");
2. transcript lines ("TAPPER: …", "Q: …") are quotes of the labelled speaker;
3. every quotation-marked span that is not a title, name or scare quote (CNN's "…", so-called "…") is
   attributed by, in turn: a cue whose content it is; a cue right after it ("…," he said); a cue right before
   it (he said: "…"; a partial quote takes in the cue's complement: calls it a "blueprint" for jobs); the
   quote before it when only the attribution separates them ("…," she said, "…": one quote with two
   ``parts``); for a quotation standing alone with no cue, the speaker the sentence before introduces
   ("the county's chief coroner, Ana Ruiz, …"), else the previous quote's speaker; the subject of the verb
   governing a partial quote (Trump called it "a disaster"); a paragraph left open takes the speaker of the
   attributed paragraph that continues it;
4. reported content that holds quotation marks becomes one ``mixed`` quote; without marks, ``indirect``;
5. speakers are resolved in text order (:mod:`presslens.coref`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from presslens.coref import SpeakerResolver
from presslens.entities import EntityIndex
from presslens.lexicon import REPORTING_VERBS, SPEECH_VERBS, WEAK_VERBS
from presslens.model import Quote, QuoteKind, Span, Speaker
from presslens.quotes.marks import QuoteMark, find_quote_marks

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

_TERMINAL = re.compile(r"[.!?]")
_STOP_WORD = re.compile(r"([\w']*)[.!?]\s+\S")
_ABBREVIATIONS = {
    "sen",
    "rep",
    "gov",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "jr",
    "sr",
    "lt",
    "col",
    "gen",
    "prof",
    "rev",
    "u.s",
}
_LABEL = re.compile(r"[\"\u201c]?([A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){0,3}):[ \t]+(?=\S)")
_BYLINE = re.compile(r"\s*[\u2015\u2014\u2013-]{1,2}\s*([A-Z][^\n]{1,60}?)[.\s]*$")
_ACCUSE = {"accuse", "charge", "blame", "criticize", "criticise", "praise", "thank", "urge"}
_OBJECT_CLAUSE = {"demand", "promise", "pledge", "vow", "warn", "offer", "threaten", "predict", "deny"}
_DIRECTIVE = {"tell", "ask", "urge", "order", "instruct", "advise", "warn", "call"}
_MAX_GAP = 80  # characters between a quote and its cue
# Speech acts whose object is what was said: "announced his resignation", "denied the allegations".
_OBJECT_CONTENT = {
    "announce", "deny", "criticize", "criticise", "praise", "promise", "reject", "dismiss", "describe",
    "mention", "note", "recall", "demand", "acknowledge", "admit", "reveal", "predict",
}  # fmt: skip


@dataclass(slots=True)
class _Cue:
    token: Token  # the verb, or "according"
    span: tuple[int, int]
    speaker: Token | None  # head token of the speaker
    content: tuple[int, int] | None = None
    used_direct: bool = False
    marks: list[int] = field(default_factory=list)  # indices of quote marks inside the content


@dataclass(slots=True)
class _Found:
    kind: QuoteKind
    start: int
    end: int
    cue: tuple[int, int] | None
    speaker_token: Token | None = None
    speaker: Speaker | None = None
    label: tuple[int, int] | None = None  # transcript label span
    inherit: _Found | None = None  # same speaker as this earlier quote
    parts: list[tuple[int, int]] = field(default_factory=list)  # the quoted pieces of a quote split by its cue


class _CueIndex:
    """The cues by where their span (or reported content) starts: which cues can be near a quote mark, without
    scanning them all for every mark (long documents). ``near`` gives cue positions in list order."""

    def __init__(self, cues: list[_Cue]) -> None:
        self.cues = cues
        spans = sorted((c.span[0], n) for n, c in enumerate(cues))
        self._span_keys = [k for k, _ in spans]
        self._span_ids = [n for _, n in spans]
        self.longest_span = max((c.span[1] - c.span[0] for c in cues), default=0)
        contents = sorted((c.content[0], n) for n, c in enumerate(cues) if c.content)
        self._content_keys = [k for k, _ in contents]
        self._content_ids = [n for _, n in contents]
        self.longest_content = max((c.content[1] - c.content[0] for c in cues if c.content), default=0)

    def span_from(self, lo: int, hi: int) -> list[_Cue]:
        """The cues whose span starts in ``lo:hi``, in list order."""
        a, b = bisect.bisect_left(self._span_keys, lo), bisect.bisect_left(self._span_keys, hi)
        return [self.cues[n] for n in sorted(self._span_ids[a:b])]

    def content_from(self, lo: int, hi: int) -> list[_Cue]:
        """The cues whose reported content starts in ``lo:hi``, in list order."""
        a, b = bisect.bisect_left(self._content_keys, lo), bisect.bisect_left(self._content_keys, hi)
        return [self.cues[n] for n in sorted(self._content_ids[a:b])]


def extract_quotes(doc: Doc, index: EntityIndex) -> list[Quote]:
    text = doc.text
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    para_starts = [p[0] for p in paragraphs]

    def para_of(offset: int) -> int:
        return max(0, bisect.bisect_right(para_starts, offset) - 1)

    marks = find_quote_marks(text)
    mark_starts = [m.start for m in marks]

    def in_mark(offset: int) -> int:
        i = bisect.bisect_right(mark_starts, offset) - 1
        return i if i >= 0 and marks[i].start <= offset < marks[i].end else -1

    cues = _find_cues(doc, in_mark)
    found: list[_Found] = []
    consumed: set[int] = set()

    # Transcript lines: "LABEL: words".
    label_counts: dict[str, int] = {}
    labelled: list[tuple[re.Match[str], int]] = []
    for p_start, p_end in paragraphs:
        m = _LABEL.match(text, p_start, p_end)
        if m and len(text[m.end() : p_end].split()) >= 3:
            labelled.append((m, p_end))
            label_counts[m.group(1)] = label_counts.get(m.group(1), 0) + 1
    label_spans: list[tuple[int, int]] = []
    is_speaker: dict[str, bool] = {}  # by label: a long transcript repeats a few labels
    for m, p_end in labelled:
        label = m.group(1)
        if label not in is_speaker:
            is_speaker[label] = _is_speaker_label(label, label_counts[label], index)
        if not is_speaker[label]:
            continue
        start, end = m.end(), p_end
        inside = list(range(bisect.bisect_left(mark_starts, m.start()), bisect.bisect_left(mark_starts, end)))
        verbatim = label.isupper() or label_counts[label] > 1
        kind: QuoteKind = "direct" if verbatim else ("mixed" if inside else "indirect")
        consumed.update(inside)
        found.append(_Found(kind, start, end, (m.end(1), m.end(1) + 1), label=(m.start(1), m.end(1))))
        label_spans.append((m.start(1), end))
    label_starts = [a for a, _ in label_spans]  # in text order, one a paragraph: no overlaps

    def in_label(offset: int) -> bool:
        j = bisect.bisect_right(label_starts, offset) - 1
        return j >= 0 and label_spans[j][0] <= offset < label_spans[j][1]

    cues = [c for c in cues if not in_label(c.span[0])]
    cue_index = _CueIndex(cues)

    # Quotation-marked spans.
    previous: _Found | None = None
    previous_mark: QuoteMark | None = None
    for i, mk in enumerate(marks):
        if i in consumed:
            continue
        f = _attribute_mark(doc, text, mk, i, marks, cue_index, previous, previous_mark, paragraphs, para_of)
        if f is not None:
            if f is not previous:
                if previous is not None and previous_mark is not None and f.cue is not None:
                    _continued_by(text, previous, previous_mark, f, mk, para_of)
                found.append(f)
            previous, previous_mark = f, mk

    # Reported content.
    for c in cues:
        if c.used_direct or c.content is None:
            continue
        a, b = c.content
        inside = [i for i in c.marks if i not in consumed or marks[i].start >= a]
        if c.token.lemma_.lower() in WEAK_VERBS and not inside:
            continue
        for i in inside:
            a, b = min(a, marks[i].start), max(b, marks[i].end)
            consumed.add(i)
        quoted = sum(marks[i].end - marks[i].start for i in inside)
        kind = "mixed" if inside else "indirect"
        if inside and quoted >= 0.9 * (b - a):
            kind = "direct"
        found.append(_Found(kind, a, b, c.span, c.speaker))

    found = _drop_nested(found)
    return _resolve(doc, index, found)


# -- cues --------------------------------------------------------------------------------------
def _find_cues(doc: Doc, in_mark: Callable[[int], int]) -> list[_Cue]:
    cues: list[_Cue] = []
    for tok in doc:
        if in_mark(tok.idx) >= 0:
            continue
        if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            to = doc[tok.i + 1]
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                span = (tok.idx, to.idx + len(to.text))
                cues.append(_Cue(tok, span, pobj, _according_content(doc, tok, to)))
            continue
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in SPEECH_VERBS:
            continue
        speaker = _subject(tok)
        if speaker is None:
            speaker = _adjacent_speaker(doc, tok, in_mark)
        if speaker is None or in_mark(speaker.idx) >= 0:
            continue
        cue = _Cue(tok, (tok.idx, tok.idx + len(tok.text)), speaker)
        lemma = tok.lemma_.lower()
        if lemma in REPORTING_VERBS or lemma in _ACCUSE or lemma in _OBJECT_CLAUSE or lemma in _OBJECT_CONTENT:
            cue.content = _content(doc, tok, lemma)
        cues.append(cue)
    return cues


def _adjacent_speaker(doc: Doc, verb: Token, in_mark: Callable[[int], int]) -> Token | None:
    """When the parse gives no subject, the noun phrase between a closing quote and the cue:
    '"…," Obama's former strategist said' — or right after it: '"…," said the former strategist'."""
    i = verb.i - 1
    while i >= 0 and doc[i].pos_ in ("ADV", "AUX", "PART"):
        i -= 1
    if i >= 0 and doc[i].pos_ in ("NOUN", "PROPN", "PRON"):
        j = doc[i].left_edge.i if doc[i].left_edge.i < i else i
        while j > 0 and doc[j - 1].pos_ in ("NOUN", "PROPN", "ADJ", "DET", "PART", "NUM"):
            j -= 1
        if (
            j > 1
            and in_mark(doc[j - 1].idx) >= 0
            or (j > 1 and doc[j - 1].text == "," and in_mark(doc[j - 2].idx) >= 0)
        ):
            return doc[i]
    k = verb.i + 1
    if verb.is_sent_start and k < len(doc) and doc[k].pos_ == "PROPN":  # 'Said Ellis: "…"'
        while k + 1 < len(doc) and doc[k + 1].pos_ == "PROPN":
            k += 1
        return doc[k]
    if k < len(doc) and in_mark(verb.idx - 2) >= 0:
        while k < len(doc) and doc[k].pos_ in ("DET", "ADJ", "NOUN", "PROPN") and k < verb.i + 8:
            if k + 1 >= len(doc) or doc[k + 1].pos_ not in ("NOUN", "PROPN"):
                return doc[k] if doc[k].pos_ in ("NOUN", "PROPN") else None
            k += 1
    return None


def _subject(tok: Token, depth: int = 0) -> Token | None:
    for child in tok.children:
        if child.dep_ == "nsubj":
            if child.lower_ in ("who", "that", "which") and tok.dep_ == "relcl":
                return tok.head
            return child
    if depth < 3 and tok.dep_ in ("advcl", "xcomp", "conj", "acl") and tok.head.pos_ in ("VERB", "AUX"):
        if tok.dep_ == "advcl" and any(c.dep_ == "mark" for c in tok.children):
            return None  # "before saying …" keeps its own (missing) subject
        return _subject(tok.head, depth + 1)
    if tok.dep_ == "relcl":
        return tok.head
    return None


def _char_span(tokens: SpacySpan) -> tuple[int, int]:
    first, last = tokens[0], tokens[-1]
    return first.idx, last.idx + len(last.text)


_REPORTER_TURN = {"despite", "although", "though", "while", "whereas"}


def _trim(doc: Doc, start_i: int, end_i: int) -> tuple[int, int] | None:
    """Token range [start_i, end_i) as characters: within one paragraph, without outer punctuation,
    and stopping before a reporter's concession (", despite reports that …")."""
    for j in range(start_i, end_i):
        if "\n" in doc[j].text or (j > start_i and "\n" in doc[j - 1].whitespace_):
            end_i = j
            break
        if (
            j > start_i + 2
            and doc[j - 1].text == ","
            and (
                doc[j].lower_ in _REPORTER_TURN
                or (doc[j].lower_ == "even" and doc[j + 1 : j + 2].text.lower() in ("though", "as", "if"))
                or (doc[j].lower_ == "contrary" and doc[j + 1 : j + 2].text.lower() == "to")
            )
        ):
            end_i = j
            break
    while (
        start_i < end_i
        and (doc[start_i].is_punct or doc[start_i].is_space)
        and doc[start_i].text not in "\"'\u201c\u2018"
    ):
        start_i += 1
    while (
        end_i > start_i
        and (doc[end_i - 1].is_punct or doc[end_i - 1].is_space)
        and doc[end_i - 1].text not in "\"'\u201d\u2019"
    ):
        end_i -= 1
    if end_i - start_i < 3:
        return None
    return _char_span(doc[start_i:end_i])


def _content(doc: Doc, verb: Token, lemma: str) -> tuple[int, int] | None:
    children = list(verb.children)
    comps = [c for c in children if c.dep_ == "ccomp"]
    if lemma in _ACCUSE:
        obj = next((c for c in children if c.dep_ == "dobj"), None)
        prep = next((c for c in children if c.dep_ == "prep" and c.lower_ in ("of", "for")), None)
        if obj is not None and prep is not None:
            return _trim(doc, obj.left_edge.i, prep.right_edge.i + 1)
        if obj is not None and any(c.dep_ == "prep" and c.lower_ in ("of", "for") for c in obj.children):
            return _trim(doc, obj.left_edge.i, obj.right_edge.i + 1)  # "accused [the minister of hiding …]"
    if comps:
        c = comps[-1] if comps[-1].i > verb.i else comps[0]
        return _trim(doc, c.left_edge.i, c.right_edge.i + 1)
    gerund = next((c for c in children if c.dep_ == "xcomp" and c.tag_ == "VBG" and c.i == verb.i + 1), None)
    if (
        gerund is not None
        and lemma in ("say", "argue", "believe", "insist")
        and any(g.dep_ == "ccomp" for g in gerund.children)
    ):  # "He said legalizing it could put thousands to work": the parser's xcomp is the clause's subject
        return _trim(doc, gerund.left_edge.i, gerund.right_edge.i + 1)
    if lemma in _OBJECT_CLAUSE:
        obj = next((c for c in children if c.dep_ == "dobj"), None)
        if obj is not None and any(g.dep_ in ("acl", "ccomp", "relcl") for g in obj.children):
            return _trim(doc, obj.left_edge.i, obj.right_edge.i + 1)
        prep = next((c for c in children if c.dep_ == "prep" and c.lower_ in ("of", "against", "that")), None)
        if prep is not None and lemma == "warn":
            return _trim(doc, prep.i + 1, prep.right_edge.i + 1)
    if verb.dep_ == "parataxis" and verb.head.pos_ in ("VERB", "AUX"):
        # "Russia is ready, Peskov said" / "The plan, he said, is ready": the sentence is the content.
        sent = verb.sent
        if verb.right_edge.i + 2 >= sent.end:
            return _trim(doc, sent.start, verb.left_edge.i)
        return _trim(doc, sent.start, sent.end)
    if lemma in _DIRECTIVE:
        obj = next((c for c in children if c.dep_ in ("dobj", "dative")), None)
        xcomp = next((c for c in children if c.dep_ == "xcomp"), None)
        if obj is not None and xcomp is not None and obj.i < xcomp.i:
            return _trim(doc, obj.left_edge.i, xcomp.right_edge.i + 1)
    if lemma in ("ask", "inquire", "wonder"):
        question = next(
            (c for c in children if c.dep_ in ("advcl", "ccomp") and c.i > verb.i and _is_question(c)), None
        )
        if question is not None:  # "asked the senator if he would run"
            return _trim(doc, question.left_edge.i, question.right_edge.i + 1)
    if lemma in _OBJECT_CONTENT:
        obj = next((c for c in children if c.dep_ == "dobj" and c.i > verb.i), None)
        if obj is not None and obj.pos_ in ("NOUN", "PROPN") and obj.right_edge.i - obj.left_edge.i >= 1:
            return _trim(doc, obj.left_edge.i, obj.right_edge.i + 1)  # "announced [his resignation]"
    return None


def _is_question(clause: Token) -> bool:
    """An indirect question: "if/whether …" or a wh-word opening the clause."""
    first = clause.left_edge
    return first.lower_ in ("if", "whether", "why", "how", "when", "what", "who", "where", "which")


def _according_content(doc: Doc, according: Token, to: Token) -> tuple[int, int] | None:
    sent = according.sent
    phrase_end = to.right_edge.i + 1
    if according.i - sent.start <= 1:
        return _trim(doc, phrase_end, sent.end)
    return _trim(doc, sent.start, according.i)


# -- direct quotes -----------------------------------------------------------------------------
def _attribute_mark(
    doc: Doc,
    text: str,
    mk: QuoteMark,
    i: int,
    marks: list[QuoteMark],
    cue_index: _CueIndex,
    previous: _Found | None,
    previous_mark: QuoteMark | None,
    paragraphs: list[tuple[int, int]],
    para_of: Callable[[int], int],
) -> _Found | None:
    p = para_of(mk.start)
    p_start, p_end = paragraphs[p]
    next_start = marks[i + 1].start if i + 1 < len(marks) else len(text)
    prev_end = marks[i - 1].end if i > 0 else 0
    inner_a, inner_b = mk.inner
    inner = text[inner_a:inner_b].strip()
    words = len(inner.split())
    para_start = _only_space(text, p_start, mk.start)

    def make(cue: _Cue) -> _Found:
        return _Found("direct", mk.start, mk.end, cue.span, cue.speaker)

    if not para_start and _names_a_title(text, mk, inner, p_start):
        return None  # Appearing on CNN's "Fareed Zakaria GPS," / his book "The Art of the Deal" / so-called "X"
    # 1. inside a cue's reported content (it starts at most one content's length before the mark).
    for c in cue_index.content_from(mk.start - cue_index.longest_content, mk.start + 3):
        if c.content and mk.start < c.content[1] and mk.end > c.content[0] and mk.start >= c.content[0] - 2:
            outside = text[c.content[0] : mk.start] + text[mk.end : c.content[1]]
            if not re.search(r"\w", outside):
                c.used_direct = True
                if (  # "…," she said, "…": the cue's content is the second part of one quote
                    previous is not None
                    and previous.cue == c.span
                    and previous.end <= c.span[0]
                    and para_of(previous.start) == p
                    and previous_mark is not None
                    and _opens_split(text, previous_mark, p_start)
                    and not _sentence_break(text[previous.end : mk.start].rstrip())
                ):
                    return _join(previous, mk)
                return make(c)
            c.marks.append(i)
            return None
    # 2. a cue right after: "…," he said / said Peskov.
    ended = inner.endswith(".") or text[mk.end : mk.end + 1] == "."
    if not ended:
        for c in cue_index.span_from(mk.end, mk.end + _MAX_GAP):
            gap = text[mk.end : c.span[0]]
            if mk.end <= c.span[0] < min(next_start, p_end + 1, mk.end + _MAX_GAP) and not _TERMINAL.search(gap):
                if c.speaker is not None and c.speaker.idx >= prev_end and not (mk.start <= c.speaker.idx < mk.end):
                    c.used_direct = c.used_direct or c.content is None or _overlaps(c.content, (mk.start, mk.end))
                    return make(c)
                break
    # 3. a cue right before: he said: "…" / he told reporters, "…".
    for c in reversed(cue_index.span_from(mk.start - _MAX_GAP - cue_index.longest_span, mk.start)):
        if prev_end <= c.span[0] < mk.start and c.span[0] >= p_start and mk.start - c.span[1] <= _MAX_GAP:
            gap = text[c.span[1] : mk.start]
            if _TERMINAL.search(gap) or (
                c.content and c.content[1] <= mk.start and re.search(r"\w", text[c.content[1] : mk.start])
            ):
                break
            if gap.rstrip().endswith((":", ",")) or not gap.strip() or re.search(r"\w", gap):
                if c.content and c.content[1] < mk.start - 2:
                    break
                if previous is not None and previous.cue == c.span and previous.end <= c.span[0]:
                    break  # "…," she said, "…": the cue of the quote before splits one quote (4.)
                c.used_direct = True
                partial = inner[:1].islower() and re.search(r"\w$", gap.rstrip())
                if partial and c.token.pos_ == "VERB" and c.speaker is not None:
                    a, b = _governed_content(doc, c.token, mk)  # calls her record a "blueprint" for …
                    if (a, b) != (mk.start, mk.end):
                        return _Found("mixed", a, b, c.span, c.speaker)
                return make(c)
    # 4. split by its attribution: "…," he continued. "…" is one quote (the attribution inside it).
    if previous is not None and previous_mark is not None and previous.cue and para_of(previous_mark.start) == p:
        between = text[previous_mark.end : mk.start]
        if (
            previous.end == previous_mark.end
            and previous.cue[0] >= previous_mark.end
            and len(between) <= 3 * _MAX_GAP
            and _opens_split(text, previous_mark, p_start)
            and not _sentence_break(between.rstrip())  # only the attribution sentence between
        ):
            return _join(previous, mk)
    # 4b. an epigraph: “…” ― Name
    byline = _BYLINE.match(text, mk.end, p_end)
    if byline:
        name = doc.char_span(byline.start(1), byline.end(1), alignment_mode="expand")
        if name is not None and len(name) and name.root.pos_ == "PROPN":
            dash = byline.start(1) - 1
            while dash > mk.end and text[dash].isspace():
                dash -= 1
            return _Found("direct", mk.start, mk.end, (dash, dash + 1), name.root)
    heading = para_start and not text[mk.end : p_end].strip() and _is_heading(inner)
    # 5a. a quote paragraph introduced by the previous paragraph's cue and colon: "Smith wrote:"
    if para_start and p > 0 and text[paragraphs[p - 1][0] : paragraphs[p - 1][1]].rstrip().endswith(":"):
        intro = cue_index.span_from(paragraphs[p - 1][0], paragraphs[p - 1][1])
        if intro:
            intro[-1].used_direct = True
            return make(intro[-1])
    # 5b. a quote with no cue that stands alone (a paragraph, or a sentence of its own) is said by the speaker
    # the sentence before introduces ("the county's chief coroner, Ana Ruiz, …" / "Ruiz said …"), unless
    # that sentence holds the previous quote (then 5c: the quote continues).
    alone = para_start or _starts_sentence(text, p_start, mk.start)
    if alone and not heading and words >= 3 and _ends_sentence(text, mk, p_end):
        before = _sentence_before(doc, mk.start, p_start if not para_start else paragraphs[max(p - 1, 0)][0])
        if before is not None and not (previous is not None and previous.end > before.start_char):
            who = _introduced_speaker(before, cue_index)
            if who is not None:
                return _Found("direct", mk.start, mk.end, None, who)
    if (  # a quoted sentence after the previous quote's in the same paragraph: the same speaker
        not para_start
        and alone
        and not heading
        and words >= 3
        and previous is not None
        and para_of(previous.start) == p
        and previous.kind in ("direct", "mixed")
    ):
        return _Found("direct", mk.start, mk.end, None, None, inherit=previous)
    # 5c. a quote paragraph with no cue continues the previous paragraph's speaker.
    if (
        para_start
        and not heading
        and words >= 2
        and previous is not None
        and p - para_of(previous.start) <= 2
        and previous.kind in ("direct", "mixed")
    ):
        return _Found("direct", mk.start, mk.end, None, None, inherit=previous)
    # 6. a partial quote governed by a verb whose subject is the speaker: Trump called it "a disaster".
    governed = _governing_subject(doc, mk)
    if governed is not None and words >= 2:
        verb, subj = governed
        if (  # Cruz called Trump a "liar" who is "amoral," a "bully": one quote
            previous is not None
            and previous.cue == (verb.idx, verb.idx + len(verb.text))
            and not _TERMINAL.search(text[previous.end : mk.start])
        ):
            previous.end = mk.end
            return previous
        a, b = _governed_content(doc, verb, mk)
        kind: QuoteKind = "direct" if (a, b) == (mk.start, mk.end) else "mixed"
        return _Found(kind, a, b, (verb.idx, verb.idx + len(verb.text)), subj)
    if para_start and words >= 5 and not heading:
        return _Found("direct", mk.start, mk.end, None, None)
    return None


_TITLE_BEFORE = re.compile(
    r"\b(?:so[- ]called|dubbed|titled|entitled|nicknamed|headlined|hashtag|slogan|motto|catchphrase|tagline|"
    r"chants? of|signs? reading|banners? reading)\s*[,:]?\s*$",
    re.IGNORECASE,
)
_WORK_BEFORE = re.compile(
    r"(?:\b(?:book|books|novel|memoir|film|movie|documentary|show|program|programme|series|song|album|single|"
    r"column|op-ed|essay|article|podcast|episode|magazine|newspaper|play|musical|poem|bill|act|campaign|"
    r"operation|plan|initiative|network|channel|broadcast|newsletter|video|ad|advertisement|website|blog|"
    r"titles?)|[A-Z][\w&.\-]*['\u2019]s)\s*$"
)


def _names_a_title(text: str, mk: QuoteMark, inner: str, p_start: int) -> bool:
    """A title, name or scare-quoted term in quotation marks rather than speech: after "so-called", "dubbed",
    "titled", after "his book", "CNN's", or a short title-cased fragment without a verb in running text."""
    before = text[max(p_start, mk.start - 60) : mk.start]
    if _TITLE_BEFORE.search(before) and len(inner.split()) <= 12:
        return True
    title_cased = _is_title_cased(inner)
    if title_cased and _WORK_BEFORE.search(before):
        return True
    # A short title-cased name in running text ("Fareed Zakaria GPS," said …), not a sentence of its own.
    return title_cased and 2 <= len(inner.split()) <= 6 and not re.search(r"[.!?][\"'\u201d\u2019]*$", inner)


def _is_title_cased(inner: str) -> bool:
    words = re.findall(r"[A-Za-z][\w'\u2019-]*", inner)
    return (
        0 < len(words) <= 10
        and words[0][0].isupper()
        and all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)
        and sum(w[0].isupper() for w in words) >= max(1, len(words) - 2)
        and not any(w.lower() in _SPEECH_WORDS for w in words)
    )


_SPEECH_WORDS = {"i", "i'm", "we", "we're", "you", "my", "our", "me", "us", "it's", "thank"}


def _starts_sentence(text: str, p_start: int, offset: int) -> bool:
    """The mark at ``offset`` opens a sentence: only spaces back to a stop (or a colon-free sentence end)."""
    j = offset
    while j > p_start and text[j - 1].isspace():
        j -= 1
    return j > p_start and j < offset and text[j - 1] in ".!?" and not _is_abbreviation(text, p_start, j - 1)


def _is_abbreviation(text: str, p_start: int, stop: int) -> bool:
    k = stop
    while k > p_start and (text[k - 1].isalnum() or text[k - 1] == "."):
        k -= 1
    word = text[k:stop]
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _ends_sentence(text: str, mk: QuoteMark, p_end: int) -> bool:
    """The quotation closes a sentence: it ends with a stop inside or right after the closing mark, or
    runs to the end of its paragraph."""
    inner = text[mk.inner[0] : mk.inner[1]].rstrip()
    if mk.open_ended or inner.endswith((".", "!", "?", "\u2026")):
        return True
    after = text[mk.end : min(p_end, mk.end + 2)]
    return after[:1] in (".", "!", "?") or not text[mk.end : p_end].strip()


def _sentence_before(doc: Doc, offset: int, floor: int) -> SpacySpan | None:
    """The sentence that ends before ``offset`` (in the same paragraph, or the one before when ``floor`` is its
    start)."""
    tok = doc.char_span(offset, offset + 1, alignment_mode="expand")
    if tok is None or not len(tok):
        return None
    i = tok[0].sent.start - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    if i < 0 or doc[i].idx < floor:
        return None
    sent = doc[i].sent
    return sent if sent.start_char >= floor or sent.end_char > floor else None


def _introduced_speaker(sent: SpacySpan, cue_index: _CueIndex) -> Token | None:
    """Whom a sentence puts forward as the next speaker: the speaker of its speech cue ("Ruiz said …"), a
    person as its subject or in apposition to it ("The county's chief coroner, Ana Ruiz, has …"), or the one
    person it names. None when that is not clear (two people, or none)."""
    cues = [c for c in cue_index.span_from(sent.start_char, sent.end_char) if c.speaker is not None]
    if cues:
        speaker = cues[-1].speaker
        return speaker if speaker is not None and speaker.pos_ in ("PROPN", "PRON", "NOUN") else None
    people = [e for e in sent.ents if e.label_ == "PERSON"]
    subject = next((t for t in sent if t.dep_ in ("nsubj", "nsubjpass") and t.head == sent.root), None)
    if subject is not None:
        if _is_person_name(subject) or subject.lower_ in ("he", "she"):
            return subject
        appos = next((c for c in subject.children if c.dep_ == "appos" and _is_person_name(c)), None)
        if appos is not None:
            return appos
    surnames = {e.root.text for e in people}
    if len(surnames) == 1:
        return people[-1].root
    return None


def _is_person_name(tok: Token) -> bool:
    """A person's name: tagged PERSON, or a proper name of two words or more the tagger left untyped."""
    if tok.ent_type_ == "PERSON":
        return True
    return (
        tok.pos_ == "PROPN"
        and not tok.ent_type_
        and any(c.dep_ == "compound" and c.pos_ == "PROPN" and c.i == tok.i - 1 for c in tok.children)
    )


def _continued_by(
    text: str, first: _Found, first_mark: QuoteMark, then: _Found, mark: QuoteMark, para_of: Callable[[int], int]
) -> None:
    """A quotation over several paragraphs (wire style: each opens with a mark, only the last closes): a paragraph
    left open with no cue of its own is said by the speaker of the attributed paragraph that continues it."""
    if (
        first_mark.open_ended
        and first.cue is None
        and first.label is None
        and first.end == first_mark.end
        and para_of(mark.start) == para_of(first_mark.start) + 1
        and _only_space(text, text.rfind("\n", 0, mark.start) + 1, mark.start)
    ):
        first.speaker_token, first.inherit = None, then


def _opens_split(text: str, first: QuoteMark, p_start: int) -> bool:
    """Whether the quotation ``first`` can be the first part of a quote split by its attribution: it ends a
    clause ("We will not back down," she said) and stands at the start of a sentence or after a colon or comma,
    not inside the reporter's sentence (Bush called him "a leader" but described …)."""
    inner = text[first.inner[0] : first.inner[1]].rstrip()
    if not (inner.endswith((",", ".", "!", "?", "\u2026", "-", "\u2014")) or text[first.end : first.end + 1] == ","):
        return False
    before = text[p_start : first.start].rstrip()
    return not before or before.endswith((".", "!", "?", ":", ",", "\u2014"))


def _join(previous: _Found, mk: QuoteMark) -> _Found:
    """The quotation ``mk`` as the next part of ``previous``, a quote split by its attribution."""
    previous.parts = (previous.parts or [(previous.start, previous.end)]) + [(mk.start, mk.end)]
    previous.end = mk.end
    return previous


def _sentence_break(words: str) -> bool:
    """A sentence ends inside ``words``: a stop before another word, but not after a title or an initial
    ("said Sen. Sherrod Brown", "John F. Kerry")."""
    for m in _STOP_WORD.finditer(words):
        before = m.group(1)
        if before.lower() not in _ABBREVIATIONS and not (len(before) == 1 and before.isupper()):
            return True
    return False


def _only_space(text: str, a: int, b: int) -> bool:
    """``not text[a:b].strip()``, looking back from ``b`` only as far as the spaces go (a long paragraph)."""
    while b > a and text[b - 1].isspace():
        b -= 1
    return b <= a


def _is_heading(inner: str) -> bool:
    """'All Bets Are Off.' standing alone is a subheading, not speech."""
    words = [w for w in re.findall(r"[A-Za-z][\w'\u2019-]*", inner)]
    return 0 < len(words) <= 8 and all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)


_SMALL_WORDS = {"a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "at", "by", "with", "is", "are"}


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _governing_subject(doc: Doc, mk: QuoteMark) -> tuple[Token, Token] | None:
    span = doc.char_span(mk.start, mk.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    tok = span.root
    for _ in range(4):
        head = tok.head
        if head == tok:
            return None
        if head.pos_ == "VERB" and not (mk.start <= head.idx < mk.end):
            subj = next((c for c in head.children if c.dep_ == "nsubj"), None)
            if subj is not None and (subj.ent_type_ == "PERSON" or subj.lower_ in ("he", "she")):
                return head, subj
            return None
        tok = head
    return None


_GOVERNED = {"dobj", "attr", "oprd", "xcomp", "ccomp", "prep", "dative", "acomp", "npadvmod"}


def _governed_content(doc: Doc, verb: Token, mk: QuoteMark) -> tuple[int, int]:
    """What the verb says of its object, with the partial quote in it: Sullivan calls [her record a "blueprint"
    for jobs]. The quotation alone when the verb's complements do not hold it or run on too long."""
    right = [c for c in verb.children if c.i > verb.i and c.dep_ in _GOVERNED]
    if not right:
        return mk.start, mk.end
    span = _trim(doc, min(c.left_edge.i for c in right), max(c.right_edge.i for c in right) + 1)
    if span is None or not (span[0] <= mk.start and mk.end <= span[1] + 1) or span[1] - span[0] > 300:
        return mk.start, mk.end
    return span[0], max(span[1], mk.end)


def _is_speaker_label(label: str, count: int, index: EntityIndex) -> bool:
    low = label.lower()
    if low in ("q", "a", "question", "answer", "interviewer"):
        return True
    words = low.split()
    if words and words[-1] in index.surnames:
        return True
    if any(e.name.lower() == low and e.type in ("PERSON", "ORG") for e in index.entities):
        return True
    return label.isupper() and count > 1 and len(label) > 1


def _drop_nested(found: list[_Found]) -> list[_Found]:
    """Keep the outer quote where a reported clause holds another (PolNeAR-style: one attribution per token)."""
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[_Found] = []
    for f in found:
        if kept and f.start < kept[-1].end:
            outer = kept[-1]
            if f.end <= outer.end:
                continue
            if f.kind == "direct" and outer.kind == "indirect":
                kept[-1] = f  # the quotation-marked span wins over a clause that overlaps it
            continue
        kept.append(f)
    return kept


# -- speakers ----------------------------------------------------------------------------------
def _resolve(doc: Doc, index: EntityIndex, found: list[_Found]) -> list[Quote]:
    resolver = SpeakerResolver(doc, index)
    text = doc.text
    by_start = sorted(found, key=lambda f: f.start)
    asked_by: dict[int, frozenset[int]] = {}  # an answer's speaker is not the one who asked
    for prev, f in zip(by_start, by_start[1:], strict=False):
        if text[prev.start : prev.end].rstrip("\"'\u201d\u2019 ").endswith("?"):
            asked_by[id(f)] = frozenset({id(prev)})
    by_id = {id(f): f for f in by_start}
    # The interviewee of an "A:" line: the first labelled quote before it with a named speaker. ``found`` is in
    # text order (``_drop_nested``), so that is the first such quote so far, kept here rather than searched.
    position = {id(f): n for n, f in enumerate(found)}
    in_order = all(a.start <= b.start for a, b in zip(found, found[1:], strict=False))
    first_named: list[int] = []
    order = sorted(found, key=lambda f: f.speaker_token.idx if f.speaker_token is not None else f.start)
    for f in order:
        if f.speaker_token is not None:
            askers = [by_id[i] for i in asked_by.get(id(f), ())]  # the one quote before it (not a scan)
            exclude = frozenset(p.speaker.entity for p in askers if p.speaker and p.speaker.entity)
            f.speaker = resolver.resolve(f.speaker_token, exclude if f.speaker_token.pos_ == "PRON" else frozenset())
        elif f.label is not None:
            a, b = f.label
            name, entity = resolver.resolve_label(text[a:b])
            if name is None and in_order:
                other = found[first_named[0]] if first_named else None
                if other is not None and other.start < f.start and other.speaker is not None:
                    name, entity = other.speaker.name, other.speaker.entity
            elif name is None:
                name, entity = _interviewee(found, f)
            f.speaker = Speaker(a, b, text[a:b], name, entity)
            if name not in (None, "Interviewer") and (not first_named or position[id(f)] < first_named[0]):
                first_named[:] = [position[id(f)]]
    quotes: list[Quote] = []
    for f in sorted(found, key=lambda f: f.start):
        speaker = f.speaker
        if speaker is None and f.inherit is not None:
            speaker = _inherited(f)
        cue = Span.of(text, *f.cue) if f.cue else None
        parts = [Span.of(text, a, b) for a, b in f.parts] if len(f.parts) > 1 else []
        quotes.append(Quote("", f.kind, f.start, f.end, text[f.start : f.end], cue, speaker, parts))
    for n, q in enumerate(quotes, 1):
        q.id = f"q{n}"
    return quotes


def _inherited(f: _Found) -> Speaker | None:
    seen = 0
    while f.inherit is not None and seen < 50:
        f = f.inherit
        seen += 1
        if f.speaker is not None:
            return f.speaker
    return f.speaker


def _interviewee(found: list[_Found], f: _Found) -> tuple[str | None, str | None]:
    """An "A:" line belongs to the interview's named, non-interviewer speaker, if any."""
    for other in found:
        if other.label and other.speaker and other.speaker.name not in (None, "Interviewer") and other.start < f.start:
            return other.speaker.name, other.speaker.entity
    return None, None
