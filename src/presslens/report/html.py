"""One self-contained HTML page: the article with quotes highlighted per speaker, and a speaker panel.

Article text is untrusted: every piece of it goes through :func:`html.escape`, in text and attributes.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import TYPE_CHECKING

from presslens.labels import DEFINITIONS, TECHNIQUES
from presslens.report.text import dispute_label

if TYPE_CHECKING:  # the model imports the reports (Analysis.to_text, .to_html): no runtime import back
    from presslens.model import Analysis, Quote

PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#9c755f",
    "#ff9da7",
    "#2f4b7c",
    "#a05195",
    "#66a61e",
]
UNATTRIBUTED = "#9a9a9a"
TECH_PALETTE = ["#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#1f77b4", "#ff7f0e"]


def technique_colour(technique: str) -> str:
    i = TECHNIQUES.index(technique) if technique in TECHNIQUES else 0
    return TECH_PALETTE[i % len(TECH_PALETTE)]


REPORT_CSS = """
body{font:16px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
header{padding:16px 24px;background:#fff;border-bottom:1px solid #ddd}
header h1{font-size:1.35em;margin:0 0 4px} header .meta{color:#666;font-size:.9em}
section.article{display:flex;gap:24px;padding:16px 24px;align-items:flex-start;border-bottom:2px solid #ddd}
.text{flex:1 1 60%;white-space:pre-wrap;background:#fff;padding:16px 20px;border:1px solid #e3e3e3;border-radius:6px;max-width:52em}
aside{flex:0 0 34%;position:sticky;top:8px;max-height:96vh;overflow:auto}
mark.q{background:color-mix(in srgb,var(--c) 22%,white);border-bottom:2px solid var(--c);cursor:pointer;color:inherit;padding:0 1px}
mark.q.indirect{background:color-mix(in srgb,var(--c) 10%,white);border-bottom-style:dashed}
mark.q.active{outline:2px solid var(--c);background:color-mix(in srgb,var(--c) 40%,white)}
.spk{font-weight:600;border-bottom:2px dotted var(--c)} .cue{font-style:italic;text-decoration:underline dotted #888}
.who{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin-bottom:10px;padding:8px 10px}
.who h3{margin:0 0 4px;font-size:1em;display:flex;align-items:center;gap:6px}
.sw{display:inline-block;width:12px;height:12px;border-radius:3px;background:var(--c)}
.who ol{margin:0;padding-left:1.2em;font-size:.9em} .who li{margin:3px 0;cursor:pointer}
.who li:hover{background:#f0f0f0} .kind{font-size:.75em;color:#555;border:1px solid #ccc;border-radius:3px;padding:0 3px;margin-right:4px}
.etype{font-size:.75em;color:#777;font-weight:400}
#detail{position:fixed;right:16px;bottom:16px;max-width:380px;background:#fff;border:1px solid #bbb;border-radius:6px;
padding:10px 12px;box-shadow:0 2px 10px rgba(0,0,0,.15);font-size:.9em;display:none}
#detail b{display:inline-block;min-width:5.5em;color:#555;font-weight:500}
.legend{font-size:.85em;color:#555;margin-top:6px}
.tech{text-decoration:underline wavy var(--t);text-decoration-thickness:1.5px;text-underline-offset:4px}
.tech.uncertain{text-decoration:none;outline:1.5px dashed var(--t);outline-offset:1px}
body.hide-tech .tech{text-decoration:none;outline:none} body.hide-quotes mark.q{background:none;border-bottom:none}
body.hide-quotes .tag{display:none} .layers label{margin-right:12px;font-size:.9em}
.tally li{cursor:default} .tally b{display:inline-block;width:10px;height:10px;border-radius:50%;background:var(--t);margin-right:4px}
.claim{box-shadow:inset 0 2px 0 var(--k)} .disp{background-image:linear-gradient(transparent 88%,#e76f51 88%)}
body.hide-claims .claim{box-shadow:none} body.hide-claims .disp{background-image:none}
.badge{font-size:.72em;border-radius:3px;padding:0 4px;margin-left:4px;color:#fff;background:#e76f51}
.badge.fc{background:#264653} .ev{font-size:.85em;color:#444;margin:2px 0 2px .6em;border-left:3px solid #e76f51;padding-left:6px} .why,.also{font-size:.85em;color:#555;margin:2px 0 2px .6em}
.ev.fc{border-left-color:#264653}
.tag{font-size:.68em;font-weight:600;color:#fff;background:var(--c);border-radius:3px;padding:0 4px;margin-right:2px;
vertical-align:super;user-select:none;white-space:nowrap}
"""

REPORT_JS = """
(function(){
  var box=document.getElementById('detail');
  function show(id){
    document.querySelectorAll('mark.q.active').forEach(function(m){m.classList.remove('active')});
    var marks=document.querySelectorAll('mark.q[data-q="'+id+'"]');
    if(!marks.length)return;
    marks.forEach(function(m){m.classList.add('active')});
    var d=marks[0].dataset;
    box.replaceChildren();
    [['Speaker',d.speaker],['Mention',d.mention],['Cue',d.cue],['Kind',d.kind],['Quote',d.q]].forEach(function(r){
      var line=document.createElement('div');var b=document.createElement('b');b.textContent=r[0];
      line.appendChild(b);line.appendChild(document.createTextNode(' '+(r[1]||'—')));box.appendChild(line);});
    box.style.display='block';
    return marks[0];
  }
  document.querySelectorAll('.layers input').forEach(function(box){
    box.addEventListener('change',function(){
      document.body.classList.toggle('hide-'+box.dataset.layer,!box.checked);});});
  document.addEventListener('click',function(ev){
    var m=ev.target.closest('mark.q');
    if(m){show(m.dataset.q);return;}
    var li=ev.target.closest('li[data-q]');
    if(li){var first=show(li.dataset.q);if(first)first.scrollIntoView({behavior:'smooth',block:'center'});return;}
    if(!ev.target.closest('#detail'))box.style.display='none';
  });
})();
"""


def speaker_colours(a: Analysis) -> dict[str, str]:
    colours: dict[str, str] = {}
    for name, quotes in a.speakers():
        colours[name] = UNATTRIBUTED if quotes[0].speaker is None else PALETTE[len(colours) % len(PALETTE)]
    return colours


def render_html(analysis: Analysis | list[Analysis]) -> str:
    analyses = analysis if isinstance(analysis, list) else [analysis]
    title = analyses[0].title or analyses[0].id if len(analyses) == 1 else f"{len(analyses)} articles"
    body = "\n".join(article_section(a, n) for n, a in enumerate(analyses))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>PressLens — {escape(title)}</title><style>{REPORT_CSS}</style></head><body>\n"
        f'{body}\n<div id="detail" role="dialog" aria-live="polite"></div><script>{REPORT_JS}</script></body></html>\n'
    )


def article_section(a: Analysis, n: int) -> str:
    """One article and its panel (the ``n``-th of the page: ids stay unique), every piece of it escaped; the web
    app embeds it in its article page with REPORT_CSS and REPORT_JS served as files."""
    colours = speaker_colours(a)
    meta = " · ".join(escape(str(v)) for v in a.metadata.to_dict().values() if v)
    counts = (
        f"{len(a.quotes)} quotes from {len(a.speakers())} speakers · click a quote or a list entry for details"
        if a.ran("quotes") or a.quotes
        else "quotes not analysed"
    )
    if a.genre or a.frames:
        frames = ", ".join(f"{f.label.replace('_', ' ')} ({f.confidence:.2f})" for f in a.frames) or "—"
        genre = a.genre.display() if a.genre else ("—" if a.ran("genre") else "not analysed")
        found = f"genre: {escape(genre)} · frames: {escape(frames)}"
        meta = f"{meta} · {found}" if meta else found
    uncertain = " · dashed outline: uncertain" if any(t.uncertain for t in a.techniques) else ""
    tech_box = (
        f'<label><input type="checkbox" checked data-layer="tech"> persuasion techniques (wavy underline{uncertain})'
        "</label>"
        if a.techniques
        else ""
    )
    claim_box = (
        '<label><input type="checkbox" checked data-layer="claims"> claims (line above; red: disputed)</label>'
        if a.claims
        else ""
    )
    layers = (
        f'<div class="layers"><label><input type="checkbox" checked data-layer="quotes"> quotes</label>'
        f"{tech_box}{claim_box}</div>"
    )

    head = (
        f'<header><h1>{escape(a.title or a.id)}</h1><div class="meta">{meta}</div>{layers}'
        f'<div class="legend">{escape(counts)} · solid underline: direct or mixed quote, dashed: reported speech</div></header>'
    )
    return (
        f'{head}<section class="article" id="article-{n}"><div class="text">{_highlight(a, colours, n)}</div>'
        f"<aside>{_panel(a, colours, n)}</aside></section>"
    )


def _attrs(q: Quote, n: int) -> str:
    sp = q.speaker
    return (
        f' data-q="{n}-{escape(q.id)}" data-kind="{escape(q.kind)}"'
        f' data-speaker="{escape(q.speaker_label, quote=True)}"'
        f' data-mention="{escape(sp.text, quote=True) if sp else ""}"'
        f' data-cue="{escape(q.cue.text, quote=True) if q.cue else ""}"'
        f' title="{escape(q.speaker_label, quote=True)} — {escape(q.cue.text, quote=True) if q.cue else "no cue"} — {q.kind}"'
    )


def _highlight(a: Analysis, colours: dict[str, str], n: int) -> str:
    """Escape the text and wrap quote, speaker and cue spans; overlapping spans are split at boundaries."""
    text = a.text
    layers: list[tuple[int, int, str, str]] = []  # start, end, open tag, close tag
    for q in a.quotes:
        c = colours[q.speaker_label]
        cls = "q indirect" if q.kind == "indirect" else "q"
        for part in q.pieces:  # a quote split by its attribution: its parts marked, the attribution not
            layers.append((part.start, part.end, f'<mark class="{cls}" style="--c:{c}"{_attrs(q, n)}>', "</mark>"))
        if q.speaker:
            layers.append((q.speaker.start, q.speaker.end, f'<span class="spk" style="--c:{c}">', "</span>"))
        if q.cue:
            layers.append((q.cue.start, q.cue.end, '<span class="cue">', "</span>"))
    quotes = {q.id: q for q in a.quotes}
    for t in a.techniques:
        whose = f" In the words of {quotes[t.quote].speaker_label} ({t.quote})." if t.quote in quotes else ""
        doubt = " Uncertain: below the model's display threshold." if t.uncertain else ""
        title = escape(
            f"{t.technique} ({t.confidence:.2f}) — {DEFINITIONS.get(t.technique, '')}{whose}{doubt}", quote=True
        )
        colour = technique_colour(t.technique)
        cls = "tech uncertain" if t.uncertain else "tech"
        layers.append((t.start, t.end, f'<span class="{cls}" style="--t:{colour}" title="{title}">', "</span>"))
    disputed = {d.claim for d in a.disputes}
    checked = {m.claim for m in a.fact_checks if m.matches}
    for claim in a.claims:
        colour = "#e76f51" if claim.id in disputed else "#2a9d8f"
        notes = [f"claim {claim.id}, check-worthiness {claim.checkworthiness:.2f}"]
        if claim.claimant and claim.claimant.name:
            notes.append(f"by {claim.claimant.name}")
        if claim.id in disputed:
            notes.append("disputed in the article")
        if claim.id in checked:
            notes.append("matches a known fact-check")
        title = escape(" · ".join(notes), quote=True)
        layers.append((claim.start, claim.end, f'<span class="claim" style="--k:{colour}" title="{title}">', "</span>"))
    for d in a.disputes:
        title = escape(f"disputes {d.claim} ({dispute_label(a, d)})", quote=True)
        layers.append((d.start, d.end, f'<span class="disp" title="{title}">', "</span>"))
    cuts = sorted({0, len(text), *(x for s in layers for x in s[:2])})
    starts = {q.start: q for q in a.quotes}
    out: list[str] = []
    for a_, b_ in zip(cuts, cuts[1:], strict=False):
        if a_ in starts:  # a small speaker tag before each quote; not part of the text
            q = starts[a_]
            out.append(
                f'<span class="tag" style="--c:{colours[q.speaker_label]}" aria-hidden="true">'
                f"{escape(_short(q.speaker_label))}</span>"
            )
        chunk = escape(text[a_:b_])
        for s in layers:
            if s[0] <= a_ and b_ <= s[1]:
                chunk = s[2] + chunk + s[3]
        out.append(chunk)
    return "".join(out)


def _short(name: str) -> str:
    return name if len(name) <= 24 else name[:23] + "…"


def _panel(a: Analysis, colours: dict[str, str], n: int) -> str:
    parts = []
    for name, quotes in a.speakers():
        c = colours[name]
        sp = quotes[0].speaker
        entity = a.entity(sp.entity) if sp and sp.entity else None
        etype = f' <span class="etype">{escape(entity.type)}</span>' if entity else ""
        items = []
        for q in quotes:
            snippet = " ".join(q.quoted_text.split())
            snippet = snippet if len(snippet) <= 180 else snippet[:177] + "…"
            cue = f" <i>({escape(q.cue.text)})</i>" if q.cue else ""
            items.append(
                f'<li data-q="{n}-{escape(q.id)}"><span class="kind">{escape(q.kind)}</span>{escape(snippet)}{cue}</li>'
            )
        parts.append(
            f'<div class="who" style="--c:{c}"><h3><span class="sw"></span>{escape(name)}{etype}'
            f' <span class="etype">· {len(quotes)}</span></h3><ol>{"".join(items)}</ol></div>'
        )
    if a.claims:
        parts.append(_claims_panel(a))
    if a.techniques or a.techniques_hidden:
        tally = Counter(t.technique for t in a.techniques)
        tally_items = "".join(
            f'<li style="--t:{technique_colour(k)}"><b></b>{escape(k.replace("_", " "))} · {v}'
            f"<br><small>{escape(DEFINITIONS.get(k, ''))}</small></li>"
            for k, v in tally.most_common()
        )
        parts.append(
            f'<div class="who tally"><h3>Persuasion techniques · {len(a.techniques)}{_uncertain_note(a)}</h3>'
            f"<ol>{tally_items}</ol>"
            + (
                f"<p><small>{a.techniques_hidden} more found but not shown: below the confidence at which spans are"
                " right often enough to trust (<code>--all-spans</code> shows them, marked uncertain)</small></p>"
                if a.techniques_hidden
                else ""
            )
            + (f"<small>model: {escape(a.models['techniques'])}</small>" if a.models.get("techniques") else "")
            + "</div>"
        )
    return "".join(parts) or "<p>No quotes found.</p>"


def _uncertain_note(a: Analysis) -> str:
    n = sum(t.uncertain for t in a.techniques)
    return f' <span class="etype">({n} uncertain, dashed)</span>' if n else ""


def _claims_panel(a: Analysis) -> str:
    disputes: dict[str, list] = {}
    for d in a.disputes:
        disputes.setdefault(d.claim, []).append(d)
    matches = {m.claim: m.matches for m in a.fact_checks}
    items = []
    for c in sorted(a.claims, key=lambda c: -c.checkworthiness):  # the most check-worthy first
        who = c.claimant.name if c.claimant and c.claimant.name else "reporter"
        badges = ""
        if c.id in disputes:
            badges += '<span class="badge">disputed</span>'
        if matches.get(c.id):
            badges += '<span class="badge fc">fact-checked</span>'
        snippet = " ".join(c.text.split())
        snippet = snippet if len(snippet) <= 180 else snippet[:177] + "…"
        evidence = f'<div class="why">why: {escape("; ".join(c.reasons))}</div>' if c.reasons else ""
        evidence += "".join(f'<div class="also">also: {escape(" ".join(m.text.split()))}</div>' for m in c.mentions)
        evidence += "".join(
            f'<div class="ev">{escape(dispute_label(a, d))}: {escape(" ".join(d.text.split()))}</div>'
            for d in disputes.get(c.id, [])
        )
        for m in matches.get(c.id, []):
            link = (
                f' <a href="{escape(m.url, quote=True)}" rel="noopener noreferrer">source</a>'
                if m.url and m.url.startswith(("http://", "https://"))
                else ""
            )
            src = escape(", ".join(x for x in (m.publisher, m.date) if x))
            evidence += (
                f'<div class="ev fc">{escape(m.rating or "?")} · {escape(m.claim_reviewed)} <small>({src}; '
                f"score {m.score:.2f})</small>{link}</div>"
            )
        items.append(
            f"<li><b>{escape(who)}</b> <small>{c.checkworthiness:.2f}</small>{badges}<br>{escape(snippet)}{evidence}</li>"
        )
    return f'<div class="who claims"><h3>Claims · {len(a.claims)}</h3><ol>{"".join(items)}</ol></div>'
