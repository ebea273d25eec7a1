"""Copy a PressLens store from SQLite into PostgreSQL with COPY: minutes, where re-running synth_corpus.py takes hours.

Usage:  python benchmarks/copy_store.py --from /tmp/synth.db --to 'postgresql+psycopg://postgres@/synth?host=/tmp/...'
        python benchmarks/copy_store.py --smoke      (the built-in sample ingested, copied into a throw-away server)

The target database is created if missing and must hold no PressLens rows; ``open_engine`` creates its schema (the
current ``SCHEMA_VERSION``, full-text indexes included). The source is opened the same way first (an older store is
migrated) and must then be at the target's version. One transaction then drops the foreign keys, empties the tables
(``meta`` keeps the target's own keys and gets the source's others, e.g. the summary watermark) and, table by table,
drops the primary key, unique constraints and indexes, streams the rows from SQLite into ``COPY ... FREEZE`` (rows
frozen and all-visible at once: no VACUUM rewrite later) and rebuilds them (one sort each, not row by row); then the
foreign keys come back (one validating scan each), each id sequence is set to max(id); VACUUM ANALYZE last. The SQLite-only FTS5 tables are not copied.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from _sample import REPO, have, sample_files, skip

sys.path.insert(0, str(REPO / "src"))

from sqlalchemy import Boolean, Table, create_engine, make_url, text  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

from presslens.store import StoreError, engine_url, open_engine, schema  # noqa: E402

CHUNK = 2_000  # rows a fetchmany (a versions row holds ~25 KB of text and JSON)
MAINTENANCE_MEM = "1GB"  # for the index builds (GIN full-text indexes above all)


def ensure_database(url: str) -> None:
    """Create the target database when it does not exist (connecting to the server's ``postgres`` database)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).first() is None:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()


def _rows(src: sqlite3.Connection, table: Table, skip_keys: set[str]) -> Iterator[Sequence[Any]]:
    """The source's rows in the target's column order, SQLite's 0/1 booleans as bool."""
    bools = [i for i, c in enumerate(table.columns) if isinstance(c.type, Boolean)]
    cols = ", ".join(f'"{c.name}"' for c in table.columns)
    cursor = src.execute(f'SELECT {cols} FROM "{table.name}"')
    while chunk := cursor.fetchmany(CHUNK):
        for row in chunk:
            if table is schema.meta and row[0] in skip_keys:
                continue
            if bools:
                row = list(row)
                for i in bools:
                    row[i] = None if row[i] is None else bool(row[i])
            yield row


def _indexes(pg: Any, table: str) -> list[tuple[str, str]]:
    """How to drop and recreate ``table``'s indexes: its primary key and unique constraints (rebuilt by one sort,
    not row by row) and its other indexes, as pg_indexes defines them."""
    constraints = pg.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype IN ('p', 'u')",
        (table,),
    ).fetchall()
    indexes = pg.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        (table, table),
    ).fetchall()
    alter = f'ALTER TABLE "{table}"'
    return [(f'{alter} DROP CONSTRAINT "{n}"', f'{alter} ADD CONSTRAINT "{n}" {d}') for n, d in constraints] + [
        (f'DROP INDEX "{n}"', d) for n, d in indexes
    ]


def copy_store(source: str, target: str) -> dict[str, tuple[int, float, float]]:
    """Copy the SQLite store ``source`` into the PostgreSQL database ``target``; per table: rows, copy s, index s."""
    target = engine_url(target)
    if "://" in source or not target.startswith("postgresql"):
        raise StoreError("copy from a SQLite file (--from) into a PostgreSQL URL (--to)")
    open_engine(source, create=False).dispose()  # migrates an older store
    ensure_database(target)
    engine = open_engine(target, create=True)
    src = sqlite3.connect(Path(source).expanduser())
    tables = [t for t in schema.metadata.sorted_tables if t is not schema.meta]
    raw = engine.raw_connection()
    pg: Any = raw.driver_connection  # a psycopg 3 connection
    figures: dict[str, tuple[int, float, float]] = {}
    try:
        theirs = dict(src.execute("SELECT key, value FROM meta").fetchall())
        ours = dict(pg.execute("SELECT key, value FROM meta").fetchall())
        if theirs.get("schema_version") != ours["schema_version"]:
            raise StoreError(
                f"the source store has schema version {theirs.get('schema_version')}, the target "
                f"{ours['schema_version']}: open both with the same PressLens"
            )
        if full := [t.name for t in tables if pg.execute(f'SELECT EXISTS (SELECT FROM "{t.name}")').fetchone()[0]]:
            shown = ", ".join(full[:3]) + (", ..." if len(full) > 3 else "")
            raise StoreError(f"the target already holds rows ({shown}): give an empty or new database")
        pg.execute(f"SET maintenance_work_mem = '{MAINTENANCE_MEM}'")
        names = [t.name for t in tables]
        fks = pg.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace "
            "AND conrelid::regclass::text = ANY(%s)",
            (names,),
        ).fetchall()
        for table, name, _ in fks:
            pg.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        pg.execute("TRUNCATE " + ", ".join(f'"{n}"' for n in names))  # what COPY FREEZE needs
        for table in [schema.meta, *tables]:
            t0 = time.perf_counter()
            indexes = _indexes(pg, table.name)
            for drop, _ in indexes:
                pg.execute(drop)
            n = 0
            cols = ", ".join(f'"{c.name}"' for c in table.columns)
            freeze = "" if table is schema.meta else " (FREEZE)"
            with pg.cursor().copy(f'COPY "{table.name}" ({cols}) FROM STDIN{freeze}') as copy:
                for row in _rows(src, table, set(ours)):
                    copy.write_row(row)
                    n += 1
            t1 = time.perf_counter()
            for _, create in indexes:
                pg.execute(create)
            figures[table.name] = (n, t1 - t0, time.perf_counter() - t1)
            print(f"{table.name:<22} {n:>12,} rows  copy {t1 - t0:8.2f} s  indexes {figures[table.name][2]:7.2f} s")
        t0 = time.perf_counter()
        for table, name, definition in fks:
            pg.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table in tables:
            if (col := table.autoincrement_column) is not None:
                pg.execute(
                    f'SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max("{col.name}"), 1), '
                    f'max("{col.name}") IS NOT NULL) FROM "{table.name}"',
                    (table.name, col.name),
                )
        pg.commit()
        figures["(foreign keys, sequences)"] = (0, 0.0, time.perf_counter() - t0)
        t0 = time.perf_counter()
        pg.autocommit = True
        pg.execute("VACUUM ANALYZE")
        pg.autocommit = False
        figures["(VACUUM ANALYZE)"] = (0, 0.0, time.perf_counter() - t0)
    finally:
        raw.close()  # rolled back unless committed: the target is left as open_engine created it
        engine.dispose()
        src.close()
    return figures


def report(figures: dict[str, tuple[int, float, float]]) -> None:
    rows = sum(n for n, _, _ in figures.values())
    seconds = sum(c + i for _, c, i in figures.values())
    articles = figures.get("articles", (0, 0.0, 0.0))[0]
    print(
        f"foreign keys and sequences {figures['(foreign keys, sequences)'][2]:.1f} s, "
        f"VACUUM ANALYZE {figures['(VACUUM ANALYZE)'][2]:.1f} s"
    )
    print(
        f"total: {rows:,} rows in {seconds:.1f} s, {rows / max(seconds, 1e-9):,.0f} rows/s, "
        f"{articles / max(seconds, 1e-9):,.0f} articles/s"
    )


def smoke() -> dict[str, tuple[int, float, float]]:
    """The built-in sample ingested (``--fast``, lexical clusters) into SQLite, copied into a throw-away server."""
    sys.path.insert(0, str(REPO / "tests"))
    from pgserver import PgServer, PostgresUnavailable

    from presslens.corpus import ingest
    from presslens.corpus.clusters import Clusterer
    from presslens.options import Options

    try:
        server = PgServer()
    except PostgresUnavailable as exc:
        skip(str(exc))
    if not have("psycopg"):
        skip("psycopg is not installed (pip install -e '.[postgres]')")
    with tempfile.TemporaryDirectory(prefix="copy-store-") as tmp, server:
        db = str(Path(tmp) / "store.db")
        ingest([str(p) for p in sample_files()], db, options=Options(fast=True, workers=1), clusterer=Clusterer(None))
        return copy_store(db, server.url("copied"))  # a database that does not exist yet


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--from", dest="source", help="the SQLite store")
    ap.add_argument("--to", dest="target", help="the PostgreSQL database (postgresql://...), new or without rows")
    ap.add_argument("--smoke", action="store_true", help="the built-in sample into a throw-away server: seconds")
    args = ap.parse_args()
    if not args.smoke and not (args.source and args.target):
        ap.error("--from and --to are required (or --smoke)")
    try:
        report(smoke() if args.smoke else copy_store(args.source, args.target))
    except (StoreError, SQLAlchemyError, sqlite3.Error) as exc:
        sys.exit(f"copy_store: {str(exc).strip().splitlines()[0]}")
    except Exception as exc:  # psycopg's errors, without importing psycopg where it is missing
        if type(exc).__module__.split(".")[0] != "psycopg":
            raise
        sys.exit(f"copy_store: {str(exc).strip().splitlines()[0]}")


if __name__ == "__main__":
    main()
