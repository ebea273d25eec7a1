"""Linking speakers and claims across articles: the rules on their own, the gold set's integrity, the benchmark."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO
from presslens.corpus.clusters import ClaimText, numbers, same_claim, terms
from presslens.corpus.sameclaim import vetoes
from presslens.corpus.speakers import normalise, person_parts, roles_in

GOLD = REPO / "benchmarks" / "data" / "corpus-links"


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Dmitry Peskov", ("dmitry", "peskov")),
        ("Dmitry S. Peskov", ("dmitry", "peskov")),  # a middle initial
        ("Peskov", (None, "peskov")),
        ("Selin Aydın", ("selin", "aydin")),  # the dotless i has no decomposition
        ("Kim Dae-ho", ("dae-ho", "kim")),  # Korean order: family name first
        ("Martin Luther King Jr.", ("martin", "king")),
    ],
)
def test_person_parts(name, parts):
    assert person_parts(name) == parts


def test_organisations_normalise_to_one_key():
    assert normalise("the Kremlin's") == normalise("Kremlin") == "kremlin"
    assert normalise("U.S.") == normalise("US") == "united states"


def test_roles_are_read_beside_the_name():
    text = "Kremlin spokesman Dmitry Peskov said so. Later Peskov, the spokesman, added more."
    assert roles_in(text, [(17, 30)]) >= {"kremlin", "spokesman"}
    assert "spokesman" in roles_in(text, [(47, 53)])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100,000 troops", {100000.0}),
        ("a hundred thousand troops", {100000.0}),
        ("4.2m tonnes", {4200000.0}),
        ("on April 9, 240 prisoners", {240.0}),  # the day of the month is a date
        ("in 2025", set()),  # a year is when, not how many
    ],
)
def test_numbers(text, expected):
    assert numbers(text) == expected


def _claim(text: str) -> ClaimText:
    return ClaimText(text, terms(text), numbers(text))  # lexical: no encoder needed


def test_a_near_miss_is_vetoed_whatever_its_words():
    rose = _claim("South Korean exports to the United States rose 4.2% in April.")
    fell = _claim("South Korean exports to the United States fell 4.2% in April.")
    other = _claim("South Korean exports to the United States rose 7.5% in April.")
    assert "direction_conflict" in vetoes(rose, fell) and not same_claim(rose, fell)
    assert "numbers_conflict" in vetoes(rose, other) and not same_claim(rose, other)
    again = _claim("In April, South Korean exports to the United States rose 4.2%.")
    assert same_claim(rose, again)


def test_the_gold_set_is_consistent():
    for script in (["pairs.py"], ["build.py", "--check"]):
        r = subprocess.run(
            [sys.executable, str(GOLD / script[0]), *script[1:]], capture_output=True, text=True, timeout=120
        )
        assert r.returncode == 0, r.stdout + r.stderr


def test_the_links_benchmark_runs():
    r = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "eval_corpus_links.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "speakers:" in r.stdout and "claim pairs:" in r.stdout
