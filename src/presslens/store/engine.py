"""Opening a store: a SQLite file (the default) or a PostgreSQL database, at the current schema version.

Migrations are this module's ``MIGRATIONS`` (version → the function that brings a store from the version before to
it), a documented equivalent of Alembic for a schema that one package owns: the version is recorded in ``meta``;
a new store is created at ``schema.SCHEMA_VERSION`` at once, an older one is brought up to date in one transaction
when it is opened, and a store written by a newer PressLens is refused. A change to ``store.schema`` raises
``SCHEMA_VERSION`` and adds its migration here in the same commit (tests/test_corpus_summary.py upgrades a store
of version 1).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, create_engine, event, select, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from presslens.errors import PressLensError
from presslens.store import schema

FTS_TABLES = {"quotes": "text", "claims": "text", "versions": "title, text"}  # full-text search over these


class StoreError(PressLensError):
    """The store cannot be opened or written: a one-line reason for the user."""


def default_db() -> Path:
    """``$PRESSLENS_DB``, else ``presslens.db`` beside the fact-check knowledge base's default file."""
    if os.environ.get("PRESSLENS_DB"):
        return Path(os.environ["PRESSLENS_DB"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "presslens" / "presslens.db"


def engine_url(db: str | Path | None) -> str:
    """A SQLAlchemy URL for what a user typed: a file path (SQLite) or a ``postgresql://`` URL."""
    if db is None:
        db = default_db()
    db = str(db)
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if "://" in db:
        return db  # a SQLAlchemy URL given as such (postgresql+psycopg://, sqlite:///...)
    path = Path(db).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path.resolve()}"


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def planned_rows(conn: Connection, query: Any) -> float:
    """PostgreSQL's estimate of the rows ``query`` returns (EXPLAIN: planning only, about a millisecond), for
    choosing between plans that its own planner cannot tell apart (see corpus.queries and web.search)."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    plan: Any = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def open_engine(db: str | Path | None = None, *, create: bool = True) -> Engine:
    """An engine on the store at ``db``, its schema created or migrated (``create=False``: it must exist)."""
    url = engine_url(db)
    try:
        if url.startswith("sqlite"):
            path = url.removeprefix("sqlite:///")
            if not create and not Path(path).exists():
                raise StoreError(f"no store at {path} (run presslens ingest first, or pass --db)")
            engine = create_engine(url, connect_args={"timeout": 60})
            _sqlite_pragmas(engine)
        else:
            # custom plans always: the driver prepares a statement run five times, after which PostgreSQL may
            # plan it once for any values, and the writer's candidate lookup then scanned whole tables (10x slower)
            libpq = url.split("://", 1)[0] in ("postgresql", "postgresql+psycopg", "postgresql+psycopg2")
            options = {"options": "-c plan_cache_mode=force_custom_plan"} if libpq else {}
            engine = create_engine(url, pool_pre_ping=True, connect_args=options)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise StoreError(
            f"{_redact(url)}: a driver is missing ({exc}); for PostgreSQL: pip install 'presslens[postgres]'"
        ) from None
    except ArgumentError as exc:
        raise StoreError(f"not a database URL or file: {_redact(url)} ({exc})") from None
    try:
        if not create:  # a reader: never create a schema (an empty database, a file another process just made)
            with engine.connect() as conn:
                if schema_version(conn) is None:
                    raise StoreError(
                        f"no store at {_redact(url)}: no PressLens tables there yet (run presslens ingest first)"
                    )
        migrate(engine)
    except OperationalError as exc:
        raise StoreError(f"cannot open the store {_redact(url)}: {str(exc.orig).strip().splitlines()[0]}") from None
    return engine


def _redact(url: str) -> str:
    """A URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        return f"{scheme}://{cred.split(':', 1)[0]}@{host}"
    return url


def _ln(x: float | None) -> float | None:
    return math.log(x) if x is not None and x > 0 else None


def _sqlite_pragmas(engine: Engine) -> None:
    """``ln`` where SQLite lacks it; WAL (queries read while an ingest writes), a long busy wait (two ingests take turns), foreign keys on,
    and transactions begun by SQLAlchemy rather than by the driver (so that a write transaction locks at its
    first statement, the lock-row update in ``write_lock``)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        try:
            cur.execute("SELECT ln(1)")
        except sqlite3.OperationalError:  # a SQLite built without its math functions: the claims queue needs ln
            dbapi_conn.create_function("ln", 1, _ln, deterministic=True)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")


def new_id(result: CursorResult[Any]) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None:
        raise StoreError("the store did not return the new row's id")
    return int(key[0])


def write_lock(conn: Connection) -> None:
    """Serialise writers: the first statement of every write transaction updates one row, which takes SQLite's
    write lock (other writers wait, up to the busy timeout) and a PostgreSQL row lock (likewise)."""
    conn.execute(schema.meta.update().where(schema.meta.c.key == "lock").values(value="1"))


def schema_version(conn: Connection) -> int | None:
    if not conn.dialect.has_table(conn, "meta"):
        return None
    row = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).first()
    return int(row[0]) if row else None


def _create(conn: Connection) -> None:
    schema.metadata.create_all(conn, checkfirst=True)
    for table, columns in FTS_TABLES.items():
        if is_sqlite(conn):
            conn.exec_driver_sql(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table}_fts USING fts5({columns}, content='{table}', "
                "content_rowid='id', tokenize='porter unicode61')"
            )
        else:
            _add_tsv(conn, table, columns)
    conn.execute(schema.meta.insert().values(key="lock", value="0"))


def _add_tsv(conn: Connection, table: str, columns: str) -> None:
    """PostgreSQL: the words of ``columns`` as a stored ``tsv`` column (computed by the server on every write) and
    its GIN index. Stored, not an index on the expression: a search that tests rows one by one (newest first) or
    rechecks them would parse every article's text again."""
    vector = " || ' ' || ".join(f"coalesce({c.strip()}, '')" for c in columns.split(","))
    conn.exec_driver_sql(
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS tsv tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('english', {vector})) STORED"
    )
    conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS ix_{table}_tsv ON {table} USING gin (tsv)")


def _summaries(conn: Connection) -> None:
    """Version 2: the summary tables, counted from the rows, and wider covering indexes."""
    from presslens.store import summary

    summary.upgrade(conn)


def _speaker_day_techniques(conn: Connection) -> None:
    """Version 3: techniques per speaker and day (``corpus techniques --by speaker`` for a period), and the claims
    queue scored with the natural log on SQLite too."""
    from presslens.store import summary

    summary.upgrade_day_techniques(conn)


def _stored_tsvectors(conn: Connection) -> None:
    """Version 4: the technique counts' day index covering what a period reads, an index of the disputed claims;
    on PostgreSQL, stored ``tsv`` columns in place of the expression indexes (rewrites the three tables: minutes
    for a large store)."""
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_technique_counts_day")
    next(ix for ix in schema.technique_counts.indexes if ix.name == "ix_technique_counts_day").create(conn)
    next(ix for ix in schema.claims.indexes if ix.name == "ix_claims_disputed").create(conn, checkfirst=True)
    if is_sqlite(conn):
        return
    for table, columns in FTS_TABLES.items():
        _add_tsv(conn, table, columns)
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_fts")


MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _summaries, 3: _speaker_day_techniques, 4: _stored_tsvectors}


def migrate(engine: Engine) -> None:
    """Create the schema, or bring it to ``SCHEMA_VERSION``; one transaction, one process at a time."""
    with engine.connect() as conn:
        version = schema_version(conn)
    if version == schema.SCHEMA_VERSION:
        return
    with engine.begin() as conn:
        if not is_sqlite(conn):
            conn.execute(text("SELECT pg_advisory_xact_lock(4151)"))  # two first ingests: one creates
        else:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS _presslens_migrating (x INTEGER)")  # takes the lock
        version = schema_version(conn) or 0
        if version > schema.SCHEMA_VERSION:
            raise StoreError(
                f"this store has schema version {version}, newer than this PressLens knows "
                f"({schema.SCHEMA_VERSION}): upgrade PressLens"
            )
        if version == 0:
            _create(conn)  # the current schema, at once
        else:
            for target in range(version + 1, schema.SCHEMA_VERSION + 1):
                MIGRATIONS[target](conn)
        if is_sqlite(conn):
            conn.exec_driver_sql("DROP TABLE IF EXISTS _presslens_migrating")
        values = {"key": "schema_version", "value": str(schema.SCHEMA_VERSION)}
        if version:
            conn.execute(
                schema.meta.update().where(schema.meta.c.key == "schema_version").values(value=values["value"])
            )
        else:
            conn.execute(schema.meta.insert().values(**values))
    if 0 < version < 4 and engine.dialect.name == "postgresql":
        # version 4 rewrote the searched tables: their statistics (the new tsv columns have none) and visibility
        # map are fresh after this, so that plans and index-only scans are right from the first query
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) versions, quotes, claims")


__all__ = [
    "SQLAlchemyError",
    "StoreError",
    "default_db",
    "engine_url",
    "is_sqlite",
    "new_id",
    "open_engine",
    "planned_rows",
    "write_lock",
]
