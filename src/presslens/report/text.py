"""The terminal summary: speakers in order of prominence, each with their quotes and cue verbs."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from presslens.terminal import safe_for_terminal

if TYPE_CHECKING:  # the model imports the reports (Analysis.to_text, .to_html): no runtime import back
    from presslens.model import Analysis, Dispute

_KIND = {"direct": "“”", "mixed": "≈“”", "indirect": "≈"}


def render_text(a: Analysis, width: int = 100) -> str:
    """The summary, safe to print: controls and bidi overrides from the article show as escapes (``\\x1b``)."""
    lines = [f"# {a.title or a.id}"]
    meta = ", ".join(f"{k}: {v}" for k, v in a.metadata.to_dict().items() if v)
    if meta:
        lines.append(meta)
    n_direct = sum(q.kind == "direct" for q in a.quotes)
    if a.ran("quotes") or a.quotes:  # only the sections of the components that ran (--only techniques: none)
        lines.append(
            f"{len(a.quotes)} quotes ({n_direct} direct, {sum(q.kind == 'mixed' for q in a.quotes)} mixed, "
            f"{sum(q.kind == 'indirect' for q in a.quotes)} reported) from {len(a.speakers())} speakers"
        )
    if a.genre or a.frames:
        frames = ", ".join(f"{f.label} ({f.confidence:.2f})" for f in a.frames) or "none above threshold"
        genre = a.genre.display() if a.genre else ("—" if a.ran("genre") else "not analysed")
        lines.append(f"genre: {genre}; frames: {frames}")
    lines.append("")
    for name, quotes in a.speakers():
        entity = a.entity(quotes[0].speaker.entity) if quotes[0].speaker and quotes[0].speaker.entity else None
        kind = f" [{entity.type}]" if entity else ""
        lines.append(f"{name}{kind} — {len(quotes)} quote{'s' if len(quotes) != 1 else ''}")
        for q in quotes:
            cue = q.cue.text if q.cue else "continues"
            who = f" · {q.speaker.text}" if q.speaker and q.speaker.text != name else ""
            head = f"  {q.id:<4} {q.kind:<8} "
            body = f"({cue}{who}) " + " ".join(q.quoted_text.split())
            wrapped = textwrap.wrap(body, width=max(40, width - len(head)))
            lines.append(head + (wrapped[0] if wrapped else ""))
            lines.extend(" " * len(head) + w for w in wrapped[1:])
        lines.append("")
    if a.claims:
        lines.extend(_claims(a, width))
        lines.append("")
    if a.techniques or a.techniques_hidden:
        lines.extend(_techniques(a))
    return safe_for_terminal("\n".join(lines).rstrip() + "\n")


def _techniques(a: Analysis) -> list[str]:
    from collections import Counter

    tally = Counter(t.technique for t in a.techniques)
    uncertain = sum(t.uncertain for t in a.techniques)
    out = [
        f"Persuasion techniques — {len(a.techniques)} spans"
        + (f" ({uncertain} uncertain: below the model's display threshold)" if uncertain else "")
        + (": " + ", ".join(f"{k} {v}" for k, v in tally.most_common()) if tally else "")
    ]
    if a.techniques_hidden:
        out.append(
            f"  {a.techniques_hidden} more found but not shown: below the confidence at which spans are right often"
            " enough to trust (--all-spans shows them, marked uncertain)"
        )
    if a.models.get("techniques"):
        out.append(f"  (model: {a.models['techniques']})")
    quotes = {q.id: q for q in a.quotes}
    for t in a.techniques:
        q = quotes.get(t.quote) if t.quote else None
        whose = f" — in {t.quote}, {q.speaker_label}" if q else ""
        snippet = " ".join(t.text.split())
        snippet = snippet if len(snippet) <= 90 else snippet[:87] + "..."
        mark = " (uncertain)" if t.uncertain else ""
        out.append(f"  {t.technique:<26} {t.confidence:.2f} “{snippet}”{whose}{mark}")
    return out


def _claims(a: Analysis, width: int) -> list[str]:
    disputes: dict[str, list] = {}
    for d in a.disputes:
        disputes.setdefault(d.claim, []).append(d)
    matches = {m.claim: m.matches for m in a.fact_checks}
    n_checked = sum(1 for c in a.claims if matches.get(c.id))
    out = [
        f"Claims — {len(a.claims)} check-worthy, {len(disputes)} disputed in the article, {n_checked} with a known "
        "fact-check; most check-worthy first"
    ]
    for c in sorted(a.claims, key=lambda c: -c.checkworthiness):
        who = c.claimant.name if c.claimant and c.claimant.name else "(reporter)"
        head = f"  {c.id:<4} {c.checkworthiness:.2f} "
        body = f"{who}{' in ' + c.quote if c.quote else ''}: " + " ".join(c.text.split())
        wrapped = textwrap.wrap(body, width=max(40, width - len(head)))
        out.append(head + (wrapped[0] if wrapped else ""))
        out.extend(" " * len(head) + w for w in wrapped[1:])
        pad = " " * len(head)
        if c.reasons:
            out.extend(
                textwrap.wrap(
                    "why: " + "; ".join(c.reasons), width=width, initial_indent=pad, subsequent_indent=pad + "  "
                )
            )
        for other in c.mentions:
            out.extend(
                textwrap.wrap(
                    "also: " + " ".join(other.text.split()),
                    width=width,
                    initial_indent=pad,
                    subsequent_indent=pad + "  ",
                )
            )
        for d in disputes.get(c.id, []):
            out.extend(
                textwrap.wrap(
                    f"DISPUTED ({dispute_label(a, d)}): " + " ".join(d.text.split()),
                    width=width,
                    initial_indent=pad,
                    subsequent_indent=pad + "  ",
                )
            )
        for m in matches.get(c.id, []):
            src = ", ".join(x for x in (m.publisher, m.date) if x)
            text = f"FACT-CHECK {m.score:.2f} [{m.rating or '?'}] {m.claim_reviewed} ({src}) {m.url or ''}"
            out.extend(textwrap.wrap(text, width=width, initial_indent=pad, subsequent_indent=pad + "  "))
    return out


def dispute_label(a: Analysis, d: Dispute) -> str:
    """How a dispute contests its claim, in words: the cue phrase ("despite reports"), or "opposite claim by X"
    with the speaker of the quote the contesting text lies in."""
    if d.cue is not None:
        return d.cue.text
    q = a.quote_at(d.start, d.end) if d.kind == "opposite claim" else None
    return f"{d.kind} by {q.speaker_label}" if q and q.speaker else d.kind
