"""The PostgreSQL test server (tests/pgserver.py, fixtures pg_url/pg_db in conftest.py) is a real, isolated server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

HERE = Path(__file__).parent


def test_a_real_postgresql_server_on_a_unix_socket_only(pg_url):
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("select version()")).scalar().startswith("PostgreSQL ")
            assert conn.execute(sa.text("select current_database()")).scalar() == "presslens_test"
            assert conn.execute(sa.text("show listen_addresses")).scalar() == ""  # no TCP
            assert conn.execute(sa.text("select inet_server_addr()")).scalar() is None  # connected by unix socket
    finally:
        engine.dispose()


def test_postgresql_only_features_work(pg_db):
    engine = sa.create_engine(pg_db)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table docs (id serial primary key, body text, meta jsonb)"))
            conn.execute(
                sa.text("insert into docs (body, meta) values (:b, cast(:m as jsonb))"),
                [
                    {"b": "The minister denied the reports of a secret deal.", "m": '{"outlet": "a", "tags": ["x"]}'},
                    {"b": "Storms closed the harbour for two days.", "m": '{"outlet": "b", "tags": []}'},
                ],
            )
        with engine.connect() as conn:
            search = "select id from docs where to_tsvector('english', body) @@ plainto_tsquery('english', :q)"
            assert conn.execute(sa.text(search), {"q": "denying report"}).scalars().all() == [1]  # stemmed match
            assert conn.execute(sa.text(search), {"q": "secret harbour"}).scalars().all() == []
            outlet = conn.execute(sa.text("select meta->>'outlet' from docs where meta @> '{\"tags\": [\"x\"]}'"))
            assert outlet.scalars().all() == ["a"]
    finally:
        engine.dispose()


@pytest.mark.parametrize("run", [1, 2])
def test_each_pg_db_is_a_fresh_empty_database(pg_db, pg_url, run):
    """Run twice: the second run would find the first run's table if pg_db databases were shared."""
    assert pg_db != pg_url
    engine = sa.create_engine(pg_db)
    try:
        assert sa.inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(sa.text("create table articles (id int)"))
        assert sa.inspect(engine).get_table_names() == ["articles"]
    finally:
        engine.dispose()
    other = sa.create_engine(pg_url)
    try:
        assert "articles" not in sa.inspect(other).get_table_names()
    finally:
        other.dispose()


def _databases(pg_url: str) -> list[str]:
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("select datname from pg_database")).scalars().all()
    finally:
        engine.dispose()


def test_a_database_is_dropped_even_with_a_connection_left_open(pg_server, pg_url):
    url = pg_server.create_database("t_left_open")
    engine = sa.create_engine(url)
    conn = engine.connect()  # a test that forgot to close its connection
    try:
        assert "t_left_open" in _databases(pg_url)
        pg_server.drop_database("t_left_open")
        assert "t_left_open" not in _databases(pg_url)
    finally:
        conn.invalidate()
        engine.dispose()


def test_the_server_goes_away_when_the_test_process_is_killed(pg_server):
    """SIGKILL leaves no chance for atexit or finalizers: the watchdog still stops the server and removes its dir."""
    script = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); import pgserver\n"
        "s = pgserver.PgServer(); s.start(); print(s.base, flush=True); time.sleep(600)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(HERE)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        base = Path(proc.stdout.readline().strip())
        pid_file = base / "data" / "postmaster.pid"
        assert pid_file.exists()
        postmaster = int(pid_file.read_text().split("\n", 1)[0])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 60
    while base.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not base.exists()
    assert not _alive(postmaster)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")  # a zombie waiting for init to reap it is not a running server
    return not (status.exists() and status.read_text().split(") ", 1)[-1].startswith("Z"))
