"""Every failure the fuzzer found (``fuzz/findings/``, docs/robustness.md), as the minimal input it shrank to.

Each test names its finding file and the issue 12 item it belongs to. A test whose fix was not in yet when it was
written is marked ``xfail(strict=True)``: it starts to XPASS (and fail) when the fix lands, and the marker goes.
"""

from __future__ import annotations

import io
import json
import sys
import tarfile

import pytest

from conftest import REPO

pytest.importorskip("hypothesis")  # fuzz/targets.py builds on its strategies
sys.path.insert(0, str(REPO))
from fuzz import targets as t  # noqa: E402

DEEP = t.deep(5000, "list")  # the depth the fuzzer shrank to; Python's recursion limit is 1000


def tar_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# -- normalisation (item 5, ingest) -------------------------------------------------------------------------
def test_normalize_drops_a_bidi_embedding():  # normalize-controls-8e4c2c41
    t.check_normalize_strips_controls("\u202a")


def test_normalize_keeps_the_zwj_of_an_emoji_flag():  # normalize-controls-4207c129
    t.check_normalize_strips_controls("🏳️\u200d🌈")


# -- JSON Lines (items 2 and 10, ingest) --------------------------------------------------------------------
def test_jsonl_record_nested_5000_deep_is_one_error():  # jsonl-385d95b9
    t.check_jsonl([b'{"id":"d","text":"Bob said hi.","extra":' + DEEP.encode() + b"}"])


def test_jsonl_url_that_is_a_list_is_not_its_repr():  # jsonl-metadata-88a8aedd
    t.check_jsonl_metadata([b'{"url": [], "id": "\\"We will win,\\" he said.", "text": "\\"We will win,\\" he said."}'])


# -- fact-check files (items 2, 3 and 8, fact-check import) -------------------------------------------------
@pytest.mark.parametrize(
    "suffix, content",
    [
        (".json", b'{"@graph":[{"@type":"ClaimReview","claimReviewed":"x"},' + DEEP.encode() + b"]}"),  # 9b520521
        (".jsonl", b'{"@graph":[{"@type":"ClaimReview","claimReviewed":"x"},' + DEEP.encode() + b"]}"),  # 21cec1e8
        (
            ".html",  # factchecks-c177e8ff
            b'<html><head><script type="application/ld+json">{"@graph":[{"@type":"ClaimReview","claimReviewed":"x"},'
            + DEEP.encode()
            + b"]}</script></head><body></body></html>",
        ),
        (".tar.gz", tar_of({"pf/0.json": DEEP.encode()})),  # factchecks-83991aaa
    ],
    ids=["json", "jsonl", "html", "tar-member"],
)
def test_factcheck_file_nested_5000_deep_is_a_record_error(suffix, content):
    t.check_read_records(suffix, content)


def test_factcheck_url_with_a_lone_surrogate_is_skipped_not_a_crash():  # factchecks-fdc9efc5
    line = {"id": "", "claim_reviewed": '"We will win," he said.', "url": "\ud800"}
    good = {"id": "g", "claim_reviewed": "Unemployment fell to 3.5 percent."}
    t.check_read_records(".jsonl", (json.dumps(line) + "\n" + json.dumps(good)).encode())


def test_politifact_member_date_is_iso_or_none():  # factcheck-dates-9d893953 (shrunk to a non-date "date")
    member = json.dumps({"vclaim": "x", "date": "not a date"}).encode()
    t.check_factcheck_dates(".tar.gz", tar_of({"pf/0.json": member}))


# -- analyze ------------------------------------------------------------------------------------------------
def test_analyze_speaker_after_a_colon_line():  # analyze-c4baf78f: a NameError in coref (work in progress)
    t.check_analyze("Smith: yes we can do it., The spokesman added: 'we wait'.")
