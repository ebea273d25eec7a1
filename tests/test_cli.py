"""The `presslens` command: in-process through ``main(argv)``, plus a few end-to-end runs in a subprocess."""

from __future__ import annotations

import json
import shutil

from conftest import ARTICLES, REPO, run_subprocess
from conftest import run_cli as run

EXAMPLE = REPO / "examples" / "kremlin-interview.txt"


def test_help_for_every_command():
    for args in (["--help"], ["analyze", "--help"], ["eval", "--help"], ["eval", "quotes", "--help"]):
        r = run(*args)
        assert r.returncode == 0 and "usage:" in r.stdout


def test_text_summary_lists_speakers_by_prominence():
    r = run("analyze", str(EXAMPLE))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    speaker_lines = [line for line in lines if " — " in line and "quote" in line]
    assert speaker_lines[0].startswith("Dmitry Peskov [PERSON]")
    assert any("Jake Sullivan" in line for line in speaker_lines)
    assert "warned" in r.stdout and "accused" in r.stdout


def test_json_contract():
    r = run("analyze", "--format", "json", str(EXAMPLE))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["presslens"] == "1" and doc["id"] == "kremlin-interview"
    assert set(doc) >= {"presslens", "id", "title", "text", "metadata", "entities", "quotes"}
    assert set(doc["metadata"]) == {"url", "date", "source", "author"}
    text = doc["text"]
    for e in doc["entities"]:
        assert set(e) == {"id", "name", "type", "mentions"}
        for m in e["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]
    for q in doc["quotes"]:
        assert set(q) == {"id", "kind", "start", "end", "text", "cue", "speaker", "parts"}
        assert q["kind"] in ("direct", "indirect", "mixed")
        assert text[q["start"] : q["end"]] == q["text"]
        for part in q["parts"]:  # a split quote's pieces, from its start to its end
            assert text[part["start"] : part["end"]] == part["text"]
            assert q["start"] <= part["start"] < part["end"] <= q["end"]
        if q["cue"]:
            assert text[q["cue"]["start"] : q["cue"]["end"]] == q["cue"]["text"]
        if q["speaker"]:
            assert set(q["speaker"]) == {"name", "entity", "start", "end", "text"}
            assert text[q["speaker"]["start"] : q["speaker"]["end"]] == q["speaker"]["text"]


def test_end_to_end_console_script_and_python_m(tmp_path):
    """The installed ``presslens`` script and ``python -m presslens`` are the same command."""
    script = shutil.which("presslens")
    assert script, "the presslens console script is not installed"
    import subprocess

    r = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("presslens ")
    r = run_subprocess("analyze", "--only", "quotes", "-", stdin='"We are ready," Ann Lee said.\n')
    assert r.returncode == 0 and "Ann Lee" in r.stdout, r.stderr


def test_stdin_and_jsonl_lines_per_input(tmp_path):
    r = run("analyze", "-", "--format", "json", stdin='"We are ready," Ann Lee said.\n')
    assert r.returncode == 0 and json.loads(r.stdout)["quotes"][0]["speaker"]["name"] == "Ann Lee"
    r = run("analyze", "--format", "json", str(ARTICLES / "cues.txt"), str(ARTICLES / "marks.txt"))
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert [x["id"] for x in records] == ["cues", "marks"]


def test_batch_goes_on_past_bad_files_and_reports_them(tmp_path):
    for n in range(5):
        (tmp_path / f"good{n}.txt").write_text(f'"Point {n} stands," Ann Lee said.', encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\xfa not utf8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    r = run("analyze", "--format", "json", "--no-progress", str(tmp_path))
    assert r.returncode == 1
    assert len(r.stdout.splitlines()) == 5
    assert "2 of 7 input(s) could not be analysed" in r.stderr
    assert "bad.txt: not UTF-8" in r.stderr and "empty.txt: empty input" in r.stderr
    assert "Traceback" not in r.stderr


def test_single_bad_input_is_one_line_and_nonzero(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(b"\x00\x00\x00")
    r = run("analyze", str(p))
    assert r.returncode == 1 and "binary" in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1, r.stderr  # one input, one line
    r = run("analyze", str(tmp_path / "missing.txt"))
    assert r.returncode == 1 and "no such file" in r.stderr and "Traceback" not in r.stderr
    r = run("analyze", "--spacy-model", "no_such_model", str(EXAMPLE))
    assert r.returncode == 1 and "no_such_model" in r.stderr and "Traceback" not in r.stderr
    for part in ("quotes", "claims"):  # --accurate would be silently ignored: say so instead
        r = run("analyze", "--accurate", "--only", part, str(EXAMPLE))
        assert r.returncode == 1 and r.stderr.count("\n") == 1 and "--accurate" in r.stderr, r.stderr
    r = run("analyze", "--accurate-model", str(tmp_path / "none.safetensors"), str(EXAMPLE))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "none.safetensors" in r.stderr, r.stderr


def test_html_report_file(tmp_path):
    out = tmp_path / "report.html"
    r = run("analyze", "--format", "html", "-o", str(out), str(EXAMPLE))
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Dmitry Peskov" in page and "<script>" in page
    assert "http" not in page.split("<body>")[0]  # self-contained: no external stylesheet or script


def test_html_report_for_several_articles_is_one_page(tmp_path):
    out = tmp_path / "all.html"
    r = run("analyze", "--format", "html", "-o", str(out), str(ARTICLES / "cues.txt"), str(ARTICLES / "marks.txt"))
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("<!DOCTYPE html>") == 1 and page.count('<section class="article"') == 2
    assert "Maria Delgado" in page and "Carlos Ruiz" in page


def test_a_collection_is_json_lines_even_with_one_article(tmp_path):
    """Scripts read a directory's, a glob's or a .jsonl file's output line by line, whatever the count."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text('"We are ready," Ann Lee said.', encoding="utf-8")
    (tmp_path / "one.jsonl").write_text(
        json.dumps({"id": "r1", "text": '"Yes," Ann Lee said.'}) + "\n", encoding="utf-8"
    )
    for source in (str(folder), str(folder / "*.txt"), str(tmp_path / "one.jsonl")):
        r = run("analyze", "--format", "json", "--only", "quotes", source)
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        assert len(lines) == 1 and json.loads(lines[0])["quotes"][0]["speaker"]["name"] == "Ann Lee", source
    r = run("analyze", "--format", "json", "--only", "quotes", str(folder / "one.txt"))  # one file: one document
    assert r.stdout.startswith("{\n") and json.loads(r.stdout)["id"] == "one"


def test_a_bug_is_one_line_not_a_traceback(monkeypatch):
    """Even an unexpected exception reaches the user as one line (the traceback only with PRESSLENS_DEBUG)."""
    import presslens.cli.analyze

    def broken(args):
        raise ZeroDivisionError("division by zero\x1b[2J")

    monkeypatch.setattr(presslens.cli.analyze, "run", broken)
    monkeypatch.delenv("PRESSLENS_DEBUG", raising=False)
    r = run("analyze", str(EXAMPLE))
    assert r.returncode == 70 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "internal error (ZeroDivisionError: division by zero" in r.stderr and "\x1b" not in r.stderr
