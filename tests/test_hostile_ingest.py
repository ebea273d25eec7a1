"""Hostile input at the front door (issue 12): controls and bidi overrides, unbounded files, UTF-16/32,
wrong-typed and duplicate JSON Lines records, deep nesting, lone surrogates, and the Python API's arguments.

The inputs are in ``tests/hostile/ingest/`` (the large or special ones are made in a temporary folder).
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import pytest

import presslens
from conftest import HERE, run_cli
from presslens.errors import InputError
from presslens.ingest import Article, iter_articles, normalize_text

HOSTILE = HERE / "hostile" / "ingest"
CONTROL_OR_BIDI = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"
SAID = '"We will win," Ann Lee said.'


def items(*inputs: str | Path, max_bytes: int = 1_000_000) -> list[Article | InputError]:
    return list(iter_articles([str(p) for p in inputs], max_bytes=max_bytes))


def errors(found: list[Article | InputError]) -> dict[str, str]:
    return {e.source: e.reason for e in found if isinstance(e, InputError)}


# --- item 5: no control characters or bidi overrides in the analysed text; emoji sequences intact -------------


def test_normalisation_strips_controls_and_bidi_but_keeps_emoji_sequences():
    raw = (
        "A\x1b]0;PWNED\x07B \x1b[2Jc\x07d \x9b31me\x00\x08\x7f\x9cf "
        "\u202eg\u202c \u2066h\u2069 \u202ai\u202d "
        f"{FAMILY} \u2764\ufe0f {RAINBOW_FLAG} \u263a\ufe0e x\ty Pu\u200dtin"
    )
    text = normalize_text(raw)
    assert not CONTROL_OR_BIDI.search(text), ascii(text)
    assert text.startswith("AB cd ef g h i ")  # whole escape sequences go, not just their ESC
    assert FAMILY in text and "\u2764\ufe0f" in text and RAINBOW_FLAG in text and "\u263a\ufe0e" in text
    assert "x y" in text  # a tab is kept as a plain space
    assert "Putin" in text  # a zero-width joiner inside a word is invisible junk
    assert normalize_text(text) == text  # idempotent


def test_normalisation_of_a_combining_mark_after_a_removed_control_is_nfc():
    assert normalize_text("cafe\x07\u0301 au lait") == "caf\u00e9 au lait"


def test_hostile_article_text_is_clean_and_offsets_exact():
    a = presslens.analyze((HOSTILE / "controls.txt").read_text(encoding="utf-8"), id="controls")
    assert not CONTROL_OR_BIDI.search(a.text), ascii(a.text)
    assert FAMILY in a.text and RAINBOW_FLAG in a.text
    assert "PWNED" not in a.text and "[2J" not in a.text and "31m" not in a.text
    assert a.title == "Minister quits over tender"
    spans = a.spans()
    assert spans and any("We will win" in q.text for q in a.quotes)
    for span in spans:
        assert a.text[span.start : span.end] == span.text, span


def test_controls_in_json_lines_records():
    path = HOSTILE / "controls.jsonl"
    found = items(path)
    arts = {a.id: a for a in found if isinstance(a, Article)}
    assert arts["nul"].text == '"We will win," Ann Lee said. Loudly.'
    assert FAMILY in arts["family"].text
    assert errors(found) == {f"{path}:2": "empty input: there is no text to analyse"}


# --- item 7: read at most limit + 1 bytes from anything -----------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("name", ["zero.txt", "zero.html", "zero"])
def test_symlink_to_dev_zero_is_too_large_not_read_forever(tmp_path, name):
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    (err,) = items(link, max_bytes=10_000)
    assert isinstance(err, InputError) and "too large" in err.reason and "\n" not in str(err)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_symlink_to_dev_zero_as_json_lines_stops(tmp_path):
    link = tmp_path / "zero.jsonl"
    link.symlink_to("/dev/zero")
    found = items(link, max_bytes=10_000)
    assert len(found) == 1 and isinstance(found[0], InputError) and "too large" in found[0].reason


def _fifo_writer(path: Path, data: bytes) -> threading.Thread:
    def write() -> None:
        try:
            with open(path, "wb") as f:
                f.write(data)
        except BrokenPipeError:  # the reader stopped at the limit, as it should
            pass

    t = threading.Thread(target=write, daemon=True)
    t.start()
    return t


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_larger_than_the_limit_is_too_large(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    writer = _fifo_writer(fifo, b"words and more words " * 5_000)
    (err,) = items(fifo, max_bytes=10_000)
    writer.join(10)
    assert isinstance(err, InputError) and "too large" in err.reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_small_fifo_is_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    writer = _fifo_writer(fifo, SAID.encode())
    (art,) = items(fifo)
    writer.join(10)
    assert isinstance(art, Article) and art.text == SAID


def test_stdin_larger_than_the_limit_is_one_line():
    r = run_cli("analyze", "-", "--max-bytes", "100", "--no-kb", "--no-progress", stdin="word " * 100)
    assert r.returncode == 1 and "too large" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_oversized_record_in_a_json_lines_file_is_skipped_and_the_next_read(tmp_path):
    p = tmp_path / "big.jsonl"
    ok = json.dumps({"id": "ok", "text": SAID})
    big = json.dumps({"id": "big", "text": "word " * 50_000})
    p.write_text("\n".join([ok, big, json.dumps({"id": "nx", "text": SAID})]) + "\n")
    found = items(p, max_bytes=len(ok))  # a record exactly at the limit is read
    assert [a.id for a in found if isinstance(a, Article)] == ["ok", "nx"]
    assert errors(found) == {f"{p}:2": f"record too large (250 KB; the limit is {len(ok)} bytes, see --max-bytes)"}


def test_small_limits_are_written_in_bytes(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("word " * 100, encoding="utf-8")
    (err,) = items(p, max_bytes=100)
    assert isinstance(err, InputError) and "100 bytes" in err.reason


# --- item 9: UTF-16 / UTF-32 with a byte-order mark ----------------------------------------------------------


@pytest.mark.parametrize("name", ["utf16le-bom.txt", "utf16be-bom.txt", "utf32le-bom.txt", "utf32be-bom.txt"])
def test_utf16_and_utf32_with_bom_are_text(name):
    (art,) = items(HOSTILE / name)
    assert isinstance(art, Article), art
    assert (
        art.text.startswith("Budget vote today\n\n\u201cWe will win,\u201d Ann Lee said") and "\ufeff" not in art.text
    )
    assert art.title == "Budget vote today"


def test_broken_utf16_says_so():
    (err,) = items(HOSTILE / "utf16-odd.txt")
    assert isinstance(err, InputError) and "UTF-16" in err.reason


def test_bom_followed_by_garbage_is_still_binary(tmp_path):
    p = tmp_path / "b.txt"
    p.write_bytes(b"\xff\xfe\x00bad")
    (err,) = items(p)
    assert isinstance(err, InputError)


def test_utf16_json_lines_says_to_convert():
    (err,) = items(HOSTILE / "utf16.jsonl")
    assert isinstance(err, InputError) and "UTF-16" in err.reason and "UTF-8" in err.reason


# --- item 10: wrong-typed metadata, duplicate ids -------------------------------------------------------------


def test_wrong_typed_metadata_rejects_the_record_naming_the_field():
    path = HOSTILE / "wrong-types.jsonl"
    found = items(path)
    good = [x for x in found if isinstance(x, Article)]
    assert [a.id for a in good] == ["good1", "7", "good2"]
    assert good[0].metadata.url == "http://x.test/1" and good[0].title == "Fine"
    assert good[1].metadata.author == "Jo Reporter" and good[1].metadata.url is None
    bad = errors(found)
    assert bad == {
        f"{path}:2": '"url" must be a string, not an object',
        f"{path}:3": '"title" must be a string, not a number',
        f"{path}:4": '"date" must be a string, not a list',
        f"{path}:5": '"source" must be a string, not true/false',
        f"{path}:6": '"id" must be a string or an integer, not a list',
    }
    assert not any("{'a': 1}" in str(a.metadata) for a in good)


def test_duplicate_ids_are_disambiguated_with_one_warning_per_id(capsys):
    found = items(HOSTILE / "duplicate-ids.jsonl")
    assert [a.id for a in found if isinstance(a, Article)] == ["a", "b", "a~2", "a~3", "a~2~2"]
    warnings = capsys.readouterr().err.strip().splitlines()
    assert len(warnings) == 2 and all("duplicate id" in w for w in warnings)
    assert '"a"' in warnings[0] and '"a~2"' in warnings[0] and '"a~2"' in warnings[1]


def test_duplicate_file_stems_in_a_directory_are_disambiguated(tmp_path, capsys):
    for sub in ("x", "y"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "story.txt").write_text(SAID, encoding="utf-8")
    assert [a.id for a in items(tmp_path)] == ["story", "story~2"]
    assert "duplicate id" in capsys.readouterr().err


def test_duplicate_id_warning_is_safe_for_a_terminal(tmp_path, capsys):
    p = tmp_path / "b.jsonl"
    p.write_text(json.dumps({"id": "x\x1b[2J", "text": SAID}) + "\n" + json.dumps({"id": "x\x1b[2J", "text": SAID}))
    items(p)
    err = capsys.readouterr().err
    assert "duplicate id" in err and "\x1b" not in err


# --- item 2 (input part): deeply nested JSON ----------------------------------------------------------------


def _deep_batch(tmp_path: Path, depth: int = 100_000) -> Path:
    p = tmp_path / "deep.jsonl"
    deep = '{"id":"d","text":"x","extra":' + "[" * depth + "]" * depth + "}"
    p.write_text("\n".join([json.dumps({"id": "a", "text": SAID}), deep, json.dumps({"id": "c", "text": SAID})]))
    return p


def test_deeply_nested_record_is_one_error_and_the_others_are_read(tmp_path):
    p = _deep_batch(tmp_path)
    found = items(p)
    assert [a.id for a in found if isinstance(a, Article)] == ["a", "c"]
    assert errors(found) == {f"{p}:2": "JSON nested too deeply"}


def test_deep_nesting_and_lone_surrogate_on_stdin():
    deep = '{"id":"d","text":"x","extra":' + "[" * 100_000 + "]" * 100_000 + "}"
    bad = '{"id":"bad","text":"Bob Smith said \\"hi \\ud800 there.\\""}'
    stdin = "\n".join([json.dumps({"id": "a", "text": SAID}), deep, bad, json.dumps({"id": "c", "text": SAID})])
    r = run_cli("analyze", "-", "--format", "json", "--only", "quotes", "--workers", "1", "--no-progress", stdin=stdin)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == ["a", "c"]
    assert "-:2: JSON nested too deeply" in r.stderr and "-:3: text holds an unpaired surrogate (\\ud800)" in r.stderr


# --- item 1 (input part): lone surrogates ---------------------------------------------------------------------


def test_lone_surrogate_rejects_only_its_record():
    path = HOSTILE / "lone-surrogate.jsonl"
    found = items(path)
    assert [a.id for a in found if isinstance(a, Article)] == ["before", "pair", "after"]
    assert errors(found) == {
        f"{path}:2": "text holds an unpaired surrogate (\\ud800)",
        f"{path}:3": "text holds an unpaired surrogate (\\udfff)",
        f"{path}:4": '"title" holds an unpaired surrogate (\\udc00)',
    }
    pair = next(a for a in found if isinstance(a, Article) and a.id == "pair")
    assert "\U0001f600" in pair.text


# --- item 11: the Python API's arguments ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 42, ["text"], {"text": "x"}])
def test_api_rejects_what_is_not_an_article(value):
    with pytest.raises(InputError) as info:
        presslens.analyze(value)  # type: ignore[arg-type]
    assert "str, bytes or a pathlib.Path" in str(info.value) and "\n" not in str(info.value)


def test_api_checks_the_id_and_metadata_keywords():
    with pytest.raises(InputError, match='"id" must be a string, not a number'):
        presslens.analyze(SAID, id=5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match='"url" must be a string, not an object'):
        presslens.analyze(SAID, url={"a": 1})  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r'"author" holds an unpaired surrogate \(\\udc00\)'):
        presslens.analyze(SAID, author="Jo \udc00")


def test_api_lone_surrogate_is_an_input_error():
    with pytest.raises(InputError, match=r"unpaired surrogate \(\\ud800\)"):
        presslens.analyze('Bob Smith said "hi \ud800 there."')


def test_api_reads_bytes_like_a_file():
    a = presslens.analyze(SAID.encode("utf-8"), components=("quotes",))
    assert a.text == SAID and a.quotes[0].speaker.name == "Ann Lee"
    b = presslens.analyze((HOSTILE / "utf16le-bom.txt").read_bytes(), components=("quotes",))
    assert b.text.startswith("Budget vote today")
    with pytest.raises(InputError, match="binary"):
        presslens.analyze(b"\x00\x01\x02binary\x00")
    with pytest.raises(InputError, match="not UTF-8"):
        presslens.analyze("caf\u00e9 latin-1".encode("latin-1"))


def test_api_reads_a_path_like_the_command(tmp_path):
    p = tmp_path / "story.txt"
    p.write_text(SAID, encoding="utf-8")
    a = presslens.analyze(p, components=("quotes",))
    assert a.text == SAID and a.id == "story"
    assert presslens.analyze(p, id="mine", components=("quotes",)).id == "mine"
    with pytest.raises(InputError, match="no such file"):
        presslens.analyze(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="analyze_many"):
        presslens.analyze(HOSTILE / "duplicate-ids.jsonl")
    with pytest.raises(InputError, match="analyze_many"):
        presslens.analyze(tmp_path)


# --- every hostile input through the command, in every format ----------------------------------------------

# input -> (exit status, the sources that must be reported, one line each)
CLI_CASES: dict[str, tuple[int, list[str]]] = {
    "controls.txt": (0, []),
    "controls.jsonl": (1, ["controls.jsonl:2"]),
    "utf16le-bom.txt": (0, []),
    "utf32be-bom.txt": (0, []),
    "utf16-odd.txt": (1, ["utf16-odd.txt"]),
    "utf16.jsonl": (1, ["utf16.jsonl"]),
    "wrong-types.jsonl": (1, [f"wrong-types.jsonl:{n}" for n in (2, 3, 4, 5, 6)]),
    "duplicate-ids.jsonl": (0, []),
    "lone-surrogate.jsonl": (1, [f"lone-surrogate.jsonl:{n}" for n in (2, 3, 4)]),
    "deep.jsonl": (1, ["deep.jsonl:2"]),
    "zero.txt": (1, ["zero.txt"]),
}


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
@pytest.mark.parametrize("name", list(CLI_CASES))
def test_every_hostile_input_through_the_command(tmp_path, name, fmt):
    if name == "deep.jsonl":
        path = _deep_batch(tmp_path)
    elif name == "zero.txt":
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        path = tmp_path / name
        path.symlink_to("/dev/zero")
    else:
        path = HOSTILE / name
    code, sources = CLI_CASES[name]
    r = run_cli("analyze", str(path), "--format", fmt, "--only", "quotes", "--workers", "1", "--no-progress")
    assert r.returncode == code, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert not CONTROL_OR_BIDI.search(r.stderr)
    lines = r.stderr.strip().splitlines()
    for source in sources:
        assert sum(source + ":" in line for line in lines) == 1, (source, r.stderr)
    if code == 0:
        assert r.stdout.strip() and not [line for line in lines if "error" in line]
    if name == "duplicate-ids.jsonl":
        assert sum("duplicate id" in line for line in lines) == 2
        if fmt == "json":
            ids = [json.loads(line)["id"] for line in r.stdout.splitlines()]
            assert ids == ["a", "b", "a~2", "a~3", "a~2~2"]
    if name == "controls.txt" and fmt == "json":
        assert not CONTROL_OR_BIDI.search(json.loads(r.stdout)["text"])
