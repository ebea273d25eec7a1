"""The HTML report and the text summary."""

from __future__ import annotations

import ast
import re

import presslens
from conftest import REPO, analysed

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


def _runtime_imports(node: ast.AST) -> list[str]:
    """Modules imported by ``node`` outside ``if TYPE_CHECKING:`` blocks (at any depth)."""
    if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
        return [name for child in node.orelse for name in _runtime_imports(child)]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return [f"{node.module}.{alias.name}" for alias in node.names] + [node.module or ""]
    return [name for child in ast.iter_child_nodes(node) for name in _runtime_imports(child)]


def test_reports_import_the_model_only_for_type_checking():
    """``Analysis.to_html``/``to_text`` import the reports lazily; the reports must not import the model back at
    run time (no import cycle between ``presslens.model`` and ``presslens.report``)."""
    files = sorted((REPO / "src" / "presslens" / "report").glob("*.py"))
    assert len(files) >= 3
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        runtime = _runtime_imports(tree)
        assert not [m for m in runtime if m == "presslens.model" or m.startswith("presslens.model.")], path.name
    # ... while the HTML module still names the model's types for the type checker.
    html = ast.parse((REPO / "src" / "presslens" / "report" / "html.py").read_text(encoding="utf-8"))
    assert "presslens.model" in {n.module for n in ast.walk(html) if isinstance(n, ast.ImportFrom)}


def test_speaker_labels():
    a = analysed("speakers.txt")
    named = next(q for q in a.quotes if q.speaker and q.speaker.name)
    assert named.speaker_label == named.speaker.name
    bare = presslens.Quote("q1", "direct", 0, 3, "abc")
    assert bare.speaker_label == "(unattributed)"
    bare.speaker = presslens.Speaker(0, 3, "abc")
    assert bare.speaker_label == "abc"
