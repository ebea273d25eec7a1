"""A throw-away PostgreSQL server for the tests, started the way a user would (initdb + pg_ctl), never a mock.

The cluster lives in a fresh temp dir and listens on a unix socket there only (no TCP), so parallel pytest sessions
cannot collide. PostgreSQL refuses to run as root: as root, initdb/pg_ctl run as the ``postgres`` system user.
A watchdog process stops the server and removes its dir when ``stop()`` is called or when the test process dies
in any way (even SIGKILL: the watchdog sees its pipe close), so no server outlives a test run.

Run as a script (``python tests/pgserver.py``) it starts a server, prints its URL and waits for Enter.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

DBNAME = "presslens_test"
SUPERUSER = "postgres"  # the database superuser the tests connect as (initdb -U)
OS_USER = "postgres"  # the system user that runs the server when we are root
SETTINGS = {  # a throw-away cluster: durability off, no TCP
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
    "shared_buffers": "32MB",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries (initdb, pg_ctl) on this machine."""


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/*/bin (Debian)."""
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).resolve().parent / "pg_ctl").exists():  # resolve: PATH may hold symlinks only
        return Path(initdb).resolve().parent

    def version(bindir: str) -> tuple[int, ...]:
        name = Path(bindir).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    dirs = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if (Path(d) / "initdb").exists()]
    dirs = [d for d in dirs if (Path(d) / "pg_ctl").exists()]
    return Path(max(dirs, key=version)) if dirs else None


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", OS_USER, "--", *cmd]
    return ["su", OS_USER, "-s", "/bin/sh", "-c", " ".join(_shell_quote(c) for c in cmd)]


def _shell_quote(s: str) -> str:
    return "'" + s.replace("'", "'\"'\"'") + "'"


def _run(cmd: list[str], cwd: Path) -> None:
    proc = subprocess.run(_as_server_user(cmd), cwd=cwd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()}")


def _temp_parent() -> str:
    """Where the cluster dir goes: short enough for a unix socket path (~107 bytes), reachable by the server user."""
    parent = tempfile.gettempdir()
    if os.geteuid() == 0 or len(parent) > 60:  # root's TMPDIR may be private to root
        parent = "/tmp"
    return parent


class PgServer:
    """One throw-away cluster; ``start()`` returns the SQLAlchemy URL of database ``presslens_test``."""

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or find_bindir()
        if found is None:
            raise PostgresUnavailable(
                "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql/*/bin; "
                "install them (Debian: apt-get install postgresql)"
            )
        self.bindir = found
        self.base: Path | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None

    @property
    def socket_dir(self) -> Path:
        assert self.base is not None, "server not started"
        return self.base

    def url(self, dbname: str = DBNAME) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{dbname}?host={self.socket_dir}"

    def start(self) -> str:
        base = Path(tempfile.mkdtemp(prefix="presslens-pg-", dir=_temp_parent()))
        self.base = base
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam(OS_USER)
            except KeyError:
                shutil.rmtree(base)
                raise RuntimeError(
                    f"running as root, and PostgreSQL refuses to run as root: no {OS_USER!r} system user to run it"
                ) from None
            os.chown(base, pw.pw_uid, pw.pw_gid)
        # the watchdog first: from here on, whatever happens to this process, the server and its dir go away
        self._watchdog = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--watchdog", str(self.bindir), str(base)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C to the terminal must not kill it before it cleans up
        )
        atexit.register(self.stop)
        try:
            data = base / "data"
            _run(
                [str(self.bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8"]
                + ["--no-locale", "--no-sync", "--no-instructions"],
                cwd=base,
            )
            with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:  # appending keeps its owner
                conf.write(f"\nunix_socket_directories = '{base}'\n")
                conf.writelines(f"{key} = {value}\n" for key, value in SETTINGS.items())
            _run(
                [str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60", "start"], base
            )
            self.create_database(DBNAME)
        except BaseException as exc:
            log = base / "log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            self.stop()
            if isinstance(exc, RuntimeError) and detail:
                raise RuntimeError(f"{exc}\nserver log:\n{detail}") from None
            raise
        return self.url()

    def _admin(self):  # noqa: ANN202 - psycopg is imported here only: this module must import without it
        import psycopg

        return psycopg.connect(host=str(self.socket_dir), user=SUPERUSER, dbname="postgres", autocommit=True)

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its URL."""
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing connections still open to it (an engine a test did not dispose of)."""
        with self._admin() as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    def stop(self) -> None:
        """Stop the server and remove its dir (idempotent): closing the pipe tells the watchdog to do it."""
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is None:
            return
        atexit.unregister(self.stop)
        assert watchdog.stdin is not None
        watchdog.stdin.close()
        try:
            watchdog.wait(timeout=60)
        except subprocess.TimeoutExpired:
            watchdog.kill()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _cleanup(bindir: Path, base: Path) -> None:
    data = base / "data"
    if (data / "postmaster.pid").exists():
        try:
            _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "-t", "30", "stop"], base)
        except (RuntimeError, subprocess.TimeoutExpired):
            pid = (data / "postmaster.pid").read_text().split("\n", 1)[0]
            if pid.strip().isdigit():
                with contextlib.suppress(OSError):
                    os.kill(int(pid), signal.SIGKILL)
    shutil.rmtree(base, ignore_errors=True)


def _watchdog(bindir: Path, base: Path) -> None:
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    sys.stdin.buffer.read()  # returns at EOF: the test process stopped us or died
    _cleanup(bindir, base)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--watchdog":
        _watchdog(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        with PgServer() as url:
            print(url)
            input("PostgreSQL is running; press Enter to stop it. ")
