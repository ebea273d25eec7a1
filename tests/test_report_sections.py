"""The text report shows the sections of the components that ran, and a split quote as one quote."""

from __future__ import annotations

import presslens
from conftest import run_cli

ARTICLE = (
    "Council backs the bridge plan\n\n"
    '"We will not back down," said Mayor Tom Reyes, "and we will build this bridge."\n\n'
    "The opposition called the plan a reckless waste of public money.\n"
)


def test_only_techniques_prints_no_quote_line():
    r = run_cli("analyze", "--only", "techniques", "-", stdin=ARTICLE)
    assert r.returncode == 0, r.stderr
    assert "Persuasion techniques" in r.stdout or "Council backs the bridge plan" in r.stdout
    assert " quotes (" not in r.stdout and "speakers" not in r.stdout


def test_quotes_line_when_quotes_ran():
    r = run_cli("analyze", "--only", "quotes", "-", stdin=ARTICLE)
    assert r.returncode == 0, r.stderr
    assert "1 quotes (1 direct, 0 mixed, 0 reported) from 1 speakers" in r.stdout


def test_split_quote_shows_as_one_quote_without_its_attribution():
    a = presslens.analyze(ARTICLE, components=("quotes",))
    text = a.to_text()
    assert 'We will not back down," … "and we will build this bridge."' in text
    assert "Tom Reyes [PERSON] — 1 quote" in text
    assert "said Mayor Tom Reyes" not in text.split("— 1 quote", 1)[1]  # the attribution is not quoted
    html = a.to_html()
    assert html.count('data-q="0-q1"') == 3  # two highlighted parts and one list entry
