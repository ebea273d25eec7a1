from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

# ONNX Runtime one thread a process, as analysis workers run it: with a pool of threads in this process (an
# in-process analysis), every later worker pool would start its processes fresh (nlp.onnx.fork_is_safe), slower
os.environ.setdefault("OMP_NUM_THREADS", "1")

import presslens  # noqa: E402

HERE = Path(__file__).parent
ARTICLES = HERE / "articles"
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "data"

try:  # Hypothesis profiles for tests/test_properties.py (docs/robustness.md); HYPOTHESIS_PROFILE=thorough for more
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", max_examples=20, deadline=None, print_blob=True)
    _hypothesis_settings.register_profile("thorough", max_examples=300, deadline=None, print_blob=True)
    _hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # the dev extra is not installed: test_properties.py is skipped
    pass


@cache
def analysed(name: str) -> presslens.Analysis:
    return presslens.analyze((ARTICLES / name).read_text(encoding="utf-8"), id=name)


def find_quote(a: presslens.Analysis, fragment: str) -> presslens.Quote:
    hits = [q for q in a.quotes if fragment in q.text]
    assert hits, f"no quote contains {fragment!r}; quotes: {[q.text for q in a.quotes]}"
    return hits[0]


def speaker_of(a: presslens.Analysis, fragment: str) -> str | None:
    q = find_quote(a, fragment)
    return q.speaker.name if q.speaker else None


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str | None = None) -> CliResult:
    """The ``presslens`` command run in-process through ``presslens.cli.main`` (as fast as a function call)."""
    from presslens.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help, --version, usage errors
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = old_stdin
    return CliResult(code, out.getvalue(), err.getvalue())


def run_subprocess(*args: str, stdin: str | None = None, module: str = "presslens") -> subprocess.CompletedProcess:
    """The command as a user runs it, in a new process (for the few end-to-end tests)."""
    cmd = [sys.executable, "-m", module, *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=300)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/data is absent (licensed research data is not part of the repository)")
    return SHARED


@pytest.fixture
def example_text() -> str:
    return (REPO / "examples" / "kremlin-interview.txt").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def isolated_knowledge_base(tmp_path_factory, monkeypatch):
    """Never read or write the user's own fact-check knowledge base or caches; never reach a model hub."""
    home = tmp_path_factory.mktemp("presslens-home")
    monkeypatch.setenv("PRESSLENS_KB", str(home / "factchecks.sqlite"))
    monkeypatch.setenv("PRESSLENS_DB", str(home / "presslens.db"))  # nor the user's corpus store
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # the technique tagger's ONNX export (built at first use, ~90 MB): once for the whole session, not per test
    monkeypatch.setenv("PRESSLENS_ONNX_CACHE", str(tmp_path_factory.getbasetemp() / "accurate-onnx"))


# --- a real PostgreSQL server for the corpus store tests (issue 15; tests/pgserver.py) ---


def _no_postgres(reason: str) -> None:
    """Skip, or fail loudly where PostgreSQL is required (CI sets PRESSLENS_REQUIRE_POSTGRES=1)."""
    if os.environ.get("PRESSLENS_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PRESSLENS_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server():
    """A throw-away PostgreSQL server for the whole session (stopped and removed at its end, or if pytest dies)."""
    import importlib.util

    from pgserver import PgServer, PostgresUnavailable

    try:
        server = PgServer()
    except PostgresUnavailable as exc:
        _no_postgres(str(exc))
    if importlib.util.find_spec("psycopg") is None:
        _no_postgres("psycopg is not installed (pip install -e '.[postgres]')")
    server.start()  # binaries found but the server does not start: an error, never a skip
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server) -> str:
    """SQLAlchemy URL of database presslens_test on the session's server (shared by the tests that use it)."""
    return pg_server.url()


@pytest.fixture
def pg_db(pg_server):
    """SQLAlchemy URL of a fresh, empty database for one test, dropped afterwards."""
    import uuid

    name = f"t_{uuid.uuid4().hex[:12]}"
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)
