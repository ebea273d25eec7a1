"""Batch isolation (issue 12): a record's failure is its own, whatever the worker count; ``-o`` loses nothing.

Every record that fails is reported with its own id, in input order; every other record is analysed and
written — with 1 worker or 2, when spaCy's batch parse fails, when a component raises, and when a worker
process dies (``os._exit``, SIGKILL: a segfault or the OOM killer).
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

import presslens
from conftest import HERE, REPO
from conftest import run_cli as run
from presslens import registry
from presslens.errors import InputError, ModelError, PressLensError
from presslens.ingest import Article, iter_articles
from presslens.options import Options, OptionsError

HOSTILE = HERE / "hostile" / "batch"
BATCH40 = HOSTILE / "batch40.jsonl"
CRASH = HOSTILE / "crash.jsonl"
GOOD40 = [f"r{i:02d}" for i in range(1, 41) if i != 21]


def _all_subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_presslens_error_survives_pickling():
    """A worker sends its errors back pickled: ``InputError(source, message)`` used to break the pool."""
    import presslens.cli  # noqa: F401  (imports every module that defines an error)

    errors = [InputError("feed.jsonl:21", "bad \ud800 record"), ModelError("no model"), OptionsError("bad option")]
    errors += [registry.UnknownComponent("'quote' is unknown")]
    for cls in _all_subclasses(PressLensError):  # any other, with whatever arguments its constructor takes
        if cls not in {type(e) for e in errors} and cls.__module__.startswith("presslens"):
            try:
                errors.append(cls("a.txt", "went wrong"))
            except TypeError:
                errors.append(cls("went wrong"))
    for err in errors:
        err.extra = "kept"  # type: ignore[attr-defined]
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and str(back) == str(err) and back.args == err.args
        assert back.__dict__ == err.__dict__
    back = pickle.loads(pickle.dumps(errors[0]))
    assert (back.source, back.reason) == ("feed.jsonl:21", "bad \ud800 record")


def _articles(n: int, bad: dict[int, str]) -> list[Article]:
    people = ["Ann Lee", "Bob Smith", "Carla Diaz", "Dan Okafor"]
    return [
        Article(id=f"r{i:02d}", text=bad.get(i, f'"Point {i} stands," {people[i % 4]} said on Monday.'))
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_lone_surrogate_fails_only_its_own_record(workers):
    """spaCy's batch parse fails on ``\\ud800``: the chunk is parsed again one article at a time."""
    articles = _articles(40, {21: 'Bob Smith said "hi \ud800 there."'})
    out = list(presslens.analyze_many(articles, components=("quotes",), workers=workers))
    assert len(out) == 40
    failed = [r for r in out if isinstance(r, InputError)]
    assert [e.source for e in failed] == ["r21"], [str(e) for e in failed]
    assert [r.id for r in out if not isinstance(r, InputError)] == [a.id for a in articles if a.id != "r21"]
    assert all(r.quotes for r in out if not isinstance(r, InputError))  # really analysed


@pytest.fixture
def failing_component():
    """A component that raises on a marked article (a bug in one component, on one input)."""

    @registry.register("failing", assigns=("failing",), help="raises on a marked article (test)", default=False)
    class Failing:
        def __init__(self, options: Options) -> None:
            pass

        def __call__(self, analysis, doc) -> None:
            if "PRESSLENS_TEST_FAIL" in analysis.text:
                raise RuntimeError("boom")
            unpicklable = "PRESSLENS_TEST_UNPICKLABLE" in analysis.text
            analysis.extensions["failing"] = (lambda: 0) if unpicklable else False

        def finish(self, analyses) -> None:
            if any("PRESSLENS_TEST_FINISH" in a.text for a in analyses):
                raise RuntimeError("finish boom")

    yield
    registry.unregister("failing")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_component_or_finish_hook_fails_only_its_record(failing_component, workers):
    articles = _articles(20, {3: '"PRESSLENS_TEST_FAIL," Ann Lee said.', 12: '"PRESSLENS_TEST_FINISH," Ann Lee said.'})
    out = list(presslens.analyze_many(articles, components=("failing",), workers=workers))
    assert [r.source if isinstance(r, InputError) else r.id for r in out] == [a.id for a in articles]
    failed = {r.source: str(r) for r in out if isinstance(r, InputError)}
    assert set(failed) == {"r03", "r12"} and "boom" in failed["r03"] and "finish boom" in failed["r12"]


def test_a_result_that_cannot_be_sent_back_from_a_worker_fails_alone(failing_component):
    """A worker's results travel pickled: one that cannot be fails the chunk, whose records run again alone."""
    articles = _articles(12, {5: '"PRESSLENS_TEST_UNPICKLABLE," Ann Lee said.'})
    out = list(presslens.analyze_many(articles, components=("failing",), workers=2, chunk_size=4))
    assert [r.source if isinstance(r, InputError) else r.id for r in out] == [a.id for a in articles]
    assert [r.source for r in out if isinstance(r, InputError)] == ["r05"]


@pytest.fixture(params=["exit", "sigkill"])
def crashing_component(request):
    """A component that kills its worker process on a marked article: a segfault, or the OOM killer."""
    how = request.param

    @registry.register(
        "crashing", assigns=("crashing",), help="kills its process on a marked article (test)", default=False
    )
    class Crashing:
        def __init__(self, options: Options) -> None:
            pass

        def __call__(self, analysis, doc) -> None:
            if "PRESSLENS_TEST_CRASH" in analysis.text:
                if how == "exit":
                    os._exit(1)
                os.kill(os.getpid(), signal.SIGKILL)
            analysis.extensions["crashing"] = len(doc)

    yield
    registry.unregister("crashing")


def test_a_worker_crash_loses_only_that_record(crashing_component):
    items = list(iter_articles([str(CRASH)]))
    ids = [x.id for x in items]
    out = list(presslens.analyze_many(items, components=("crashing",), workers=2, chunk_size=3))
    assert [r.source if isinstance(r, InputError) else r.id for r in out] == ids  # input order
    failed = [r for r in out if isinstance(r, InputError)]
    assert [e.source for e in failed] == ["crash"] and "analysis crashed the worker process" in str(failed[0])
    assert all(r.extensions["crashing"] > 0 for r in out if not isinstance(r, InputError))


def test_a_crash_in_the_cli_end_to_end(tmp_path):
    """The command as a user runs it, in its own process: the worker dies, the command does not."""
    out = tmp_path / "out.jsonl"
    script = f"""
import os, sys
from presslens import registry
@registry.register("crashing", assigns=("crashing",), help="test", default=False)
class Crashing:
    def __init__(self, options): pass
    def __call__(self, analysis, doc):
        if "PRESSLENS_TEST_CRASH" in analysis.text:
            os.kill(os.getpid(), 9)
from presslens.cli import main
sys.exit(main(["analyze", "--only", "crashing", "--workers", "2", "--no-progress", "--format", "json",
               "-o", {str(out)!r}, {str(CRASH)!r}]))
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and "1 of 12 input(s)" in r.stderr
    assert "crash: analysis crashed the worker process" in r.stderr
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        f"r{i:02d}" for i in range(1, 13) if i != 7
    ]


@pytest.mark.parametrize("fmt", ["json", "text", "html"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_hostile_40_record_batch_writes_the_39_good_ones(tmp_path, workers, fmt):
    out = tmp_path / f"out.{fmt}"
    args = ["--only", "quotes", "--no-progress", "--format", fmt, "--workers", workers, "-o", str(out)]
    r = run("analyze", *args, str(BATCH40))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "1 of 40 input(s) could not be analysed" in r.stderr and "StopIteration" not in r.stderr
    bad = [line for line in r.stderr.splitlines() if line.startswith("  ")]
    assert len(bad) == 1 and ("bad" in bad[0] or "batch40.jsonl:21" in bad[0]), r.stderr
    written = out.read_text(encoding="utf-8")
    if fmt == "json":
        assert [json.loads(line)["id"] for line in written.splitlines()] == GOOD40
    elif fmt == "text":
        assert [line[2:] for line in written.splitlines() if line.startswith("# ")] == GOOD40
    else:
        assert written.count('<section class="article"') == 39 and written.count("<!DOCTYPE html>") == 1


@pytest.mark.parametrize("fmt", ["json", "text", "html"])
def test_a_lone_surrogate_that_reaches_the_writer_does_not_sink_the_output(tmp_path, fmt):
    """Ingest rejects lone surrogates; should one get through (a component, an API caller), the writer still
    writes every analysis as valid UTF-8 (``ensure_ascii=False`` used to raise UnicodeEncodeError mid-file)."""
    from presslens.cli.analyze import write

    odd = presslens.analyze('"Yes," Ann Lee said.', id="s", components=("quotes",))
    odd.id, odd.metadata.source = "s\ud800", "Daily \udcff"
    ok = presslens.analyze('"No," Bob Smith said.', id="ok", components=("quotes",))
    out = tmp_path / f"out.{fmt}"
    with open(out, "w", encoding="utf-8") as f:  # strict UTF-8, as the command writes
        assert write(f, [odd, ok], fmt, many=True, failures=[]) == 2
    written = out.read_text(encoding="utf-8")
    if fmt == "json":
        records = [json.loads(line) for line in written.splitlines()]
        assert [x["id"] for x in records] == ["s\ud800", "ok"]  # the JSON escape keeps the value exactly
        assert records[0]["metadata"]["source"] == "Daily \udcff"
    else:
        assert "Bob Smith" in written and "Ann Lee" in written


# -o: a bad target is one line; nothing the user had is lost when nothing new could be written


def test_output_to_a_directory_or_a_missing_folder_is_one_line(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text('"Yes," Ann Lee said.', encoding="utf-8")
    for target in (tmp_path, tmp_path / "no" / "such" / "out.json"):
        r = run("analyze", "--only", "quotes", "-o", str(target), str(src))
        assert r.returncode == 1 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr
        assert str(target) in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_output_file_is_kept_when_every_input_fails(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    for fmt in ("json", "text", "html"):
        r = run("analyze", "--format", fmt, "-o", str(out), str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt"))
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert out.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt", "out.jsonl"]  # no temporary file left


def test_output_file_holds_the_good_analyses_when_some_inputs_fail(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    os.chmod(out, 0o640)
    (tmp_path / "good.txt").write_text('"Yes," Ann Lee said.', encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    r = run(
        "analyze",
        "--only",
        "quotes",
        "--format",
        "json",
        "-o",
        str(out),
        str(tmp_path / "good.txt"),
        str(tmp_path / "empty.txt"),
    )
    assert r.returncode == 1 and "1 of 2" in r.stderr
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["good"]
    assert out.stat().st_mode & 0o777 == 0o640  # the file's permissions are kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt", "good.txt", "out.jsonl"]


def _thread_counts() -> list[int]:
    from threadpoolctl import threadpool_info

    return [int(p["num_threads"]) for p in threadpool_info()]


def test_analysis_workers_run_one_thread_each():
    # forked from this process, whose NumPy runs a BLAS pool of one thread per core: two workers on two cores
    # would each run that many threads, fighting over the cores
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from presslens import pipeline
    from presslens.options import Options

    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, ctx, initializer=pipeline._init_worker, initargs=(Options(fast=True),)) as pool:
        counts = pool.submit(_thread_counts).result(timeout=120)
    assert counts and set(counts) == {1}
