"""The terminal summary: speakers in order of prominence, each with their quotes and cue verbs."""

from __future__ import annotations

import textwrap

from presslens.model import Analysis, speaker_label

_KIND = {"direct": "“”", "mixed": "≈“”", "indirect": "≈"}


def render_text(a: Analysis, width: int = 100) -> str:
    lines = [f"# {a.title or a.id}"]
    meta = ", ".join(f"{k}: {v}" for k, v in a.metadata.to_dict().items() if v)
    if meta:
        lines.append(meta)
    n_direct = sum(q.kind == "direct" for q in a.quotes)
    lines.append(
        f"{len(a.quotes)} quotes ({n_direct} direct, {sum(q.kind == 'mixed' for q in a.quotes)} mixed, "
        f"{sum(q.kind == 'indirect' for q in a.quotes)} reported) from {len(a.speakers())} speakers"
    )
    if a.genre or a.frames:
        frames = ", ".join(f"{f.label} ({f.confidence:.2f})" for f in a.frames) or "none above threshold"
        genre = f"{a.genre.label} ({a.genre.confidence:.2f})" if a.genre else "—"
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
            body = f"({cue}{who}) " + " ".join(q.text.split())
            wrapped = textwrap.wrap(body, width=max(40, width - len(head)))
            lines.append(head + (wrapped[0] if wrapped else ""))
            lines.extend(" " * len(head) + w for w in wrapped[1:])
        lines.append("")
    if a.techniques:
        lines.extend(_techniques(a))
    return "\n".join(lines).rstrip() + "\n"


def _techniques(a: Analysis) -> list[str]:
    from collections import Counter

    tally = Counter(t.technique for t in a.techniques)
    out = [
        f"Persuasion techniques — {len(a.techniques)} spans: " + ", ".join(f"{k} {v}" for k, v in tally.most_common())
    ]
    quotes = {q.id: q for q in a.quotes}
    for t in a.techniques:
        q = quotes.get(t.quote) if t.quote else None
        whose = f" — in {t.quote}, {speaker_label(q)}" if q else ""
        snippet = " ".join(t.text.split())
        snippet = snippet if len(snippet) <= 90 else snippet[:87] + "..."
        out.append(f"  {t.technique:<26} {t.confidence:.2f} “{snippet}”{whose}")
    return out
