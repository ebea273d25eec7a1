"""Hypothesis property tests of the front door: normalisation, articles from text and HTML, JSON Lines, the
fact-check readers and the knowledge-base import, the offset invariant of ``analyze``, and the CLI.

The properties and strategies live in ``fuzz/targets.py``, which ``python fuzz/run.py --minutes 30`` runs for
as long as it is given (docs/robustness.md); here each runs a few examples (the "ci" profile, registered in
conftest.py; ``HYPOTHESIS_PROFILE=thorough`` for more). A property that the code does not keep yet is marked
``xfail(strict=True)`` with the issue item that fixes it: the marker has to go when the fix lands.
"""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("hypothesis")  # the dev extra
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import REPO

sys.path.insert(0, str(REPO))
from fuzz import targets as t  # noqa: E402


# The autouse knowledge-base fixture is function-scoped; it only sets environment variables, the same for every
# example, so reusing it across the examples of one test is right.
def cfg(**kw):
    return settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], **kw)


fixture_ok = cfg()


# -- normalisation -----------------------------------------------------------------------------------------
@fixture_ok
@given(t.texts(16))
def test_normalize_is_idempotent_nfc_and_adds_no_controls(text):
    t.check_normalize(text)


@fixture_ok
@given(t.texts(16))
@example("\x1b]0;PWNED\x07 \u202e 👨\u200d👩\u200d👧")
def test_normalize_strips_controls_and_keeps_emoji_sequences(text):
    t.check_normalize_strips_controls(text)


# -- articles ----------------------------------------------------------------------------------------------
@fixture_ok
@given(t.texts(16))
def test_article_from_text_raises_only_input_error(raw):
    t.check_article(raw, False)


@cfg(max_examples=15)
@given(t.html_pages())
def test_article_from_html_raises_only_input_error(raw):
    t.check_article(raw, True)


# -- JSON Lines --------------------------------------------------------------------------------------------
@fixture_ok
@given(st.lists(t.json_lines(), max_size=5))
@example(
    [b'{"id":"ok","text":"Bob said hi."}', b'{"id":"d","text":"x","extra":' + t.deep(100_000, "list").encode() + b"}"]
)
def test_iter_articles_gives_one_article_or_error_per_record(lines):
    t.check_jsonl(lines)


@fixture_ok
@given(st.lists(t.json_lines(), max_size=5))
@example([b'{"id":"k","text":"Bob said hi.","url":{"a":1}}'])
def test_jsonl_metadata_of_the_wrong_type_is_rejected(lines):
    t.check_jsonl_metadata(lines)


# -- fact-check files --------------------------------------------------------------------------------------
@cfg(max_examples=20)
@given(t.factcheck_files())
@example((".jsonl", b'{"claim_reviewed": "bad \\ud800 one"}\n{"claim_reviewed": "good"}'))
@example(
    (".json", b'{"@graph":[{"@type":"ClaimReview","claimReviewed":"x"},' + t.deep(100_000, "list").encode() + b"]}")
)
def test_read_records_and_import_never_raise(file):
    t.check_read_records(*file)


@cfg(max_examples=30)
@given(t.factcheck_files())
@example((".csv", b"claim_reviewed,date\nx,2022-13-45\ny,not a date\n"))
def test_factcheck_dates_are_iso(file):
    t.check_factcheck_dates(*file)


# -- analyze: the offset invariant -------------------------------------------------------------------------
@cfg(max_examples=15, deadline=None)
@given(t.news_texts(6))
@example('Bob Smith said "hi \ud800 there."')
def test_analyze_keeps_the_offset_invariant(text):
    t.check_analyze(text)


@cfg(max_examples=10, deadline=None)
@given(t.paragraphs(8), st.integers(8, 200))
def test_analyze_in_small_chunks_keeps_the_offset_invariant(text, size):
    t.check_analyze_chunked(text, size)


# -- the command line --------------------------------------------------------------------------------------
@cfg(max_examples=8, deadline=None)
@given(t.cli_runs())
def test_cli_exits_0_or_1_without_traceback(run):
    t.check_cli(run)


@cfg(max_examples=5, deadline=None)
@given(t.cli_runs())
def test_cli_text_output_has_no_raw_control_characters(run):
    t.check_cli(run, terminal=True)
