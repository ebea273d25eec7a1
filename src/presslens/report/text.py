"""The terminal summary: speakers in order of prominence, each with their quotes and cue verbs."""

from __future__ import annotations

import textwrap

from presslens.model import Analysis

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
    return "\n".join(lines).rstrip() + "\n"
