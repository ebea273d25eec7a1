"""The HTML report and the text summary."""

from __future__ import annotations

import re

import presslens
from conftest import analysed

HOSTILE = (
    'Hacker Eve Smith said "<script>alert(1)</script> is harmless," on Monday.\n\n'
    '"\\"><img src=x onerror=alert(2)>," Smith added. The <b>minister</b> & co. said nothing.'
)


def test_html_escapes_article_text():
    page = presslens.analyze(HOSTILE).to_html()
    assert "<script>alert" not in page
    assert "<img" not in page and "onerror=alert(2)>" not in page.replace("&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>minister" not in page
    # the only script element is the report's own
    assert len(re.findall(r"<script", page)) == 1


def test_html_highlights_each_quote_with_its_speaker_colour():
    a = analysed("speakers.txt")
    page = a.to_html()
    marks = re.findall(
        r'<mark class="q[^"]*" style="--c:(#[0-9a-f]{6})" data-q="0-(q\d+)"[^>]*data-speaker="([^"]*)"', page
    )
    assert {m[1] for m in marks} == {q.id for q in a.quotes}
    colour_of = {}
    for colour, _, speaker in marks:
        colour_of.setdefault(speaker, set()).add(colour)
    assert all(len(c) == 1 for c in colour_of.values())  # one colour per speaker
    assert colour_of["Dmitry Peskov"] != colour_of["Jake Sullivan"]
    # the side panel lists speakers with their quotes
    assert page.count('class="who"') == len(a.speakers())


def test_text_summary_orders_speakers_by_prominence():
    a = analysed("marks.txt")
    text = a.to_text()
    order = [name for name, _ in a.speakers()]
    assert order[0] == "Carlos Ruiz"
    assert text.index("Carlos Ruiz [PERSON]") < text.index("Helen Park [PERSON]")


def test_quotes_dataframe():
    df = analysed("cues.txt").quotes_frame()
    assert list(df.columns[:5]) == ["id", "kind", "start", "end", "text"]
    assert len(df) == len(analysed("cues.txt").quotes)
    assert "Maria Delgado" in set(df["speaker"])
