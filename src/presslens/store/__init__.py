"""The corpus store: every analysis kept, in one SQLite file by default or in PostgreSQL (``--db``).

``open_engine(db)`` opens (creating or migrating) a store; ``schema`` holds its tables. What is written and asked
of it lives in :mod:`presslens.corpus`.
"""

from presslens.store import schema
from presslens.store.engine import (
    StoreError,
    default_db,
    engine_url,
    is_sqlite,
    new_id,
    open_engine,
    planned_rows,
    write_lock,
)

__all__ = [
    "StoreError",
    "default_db",
    "engine_url",
    "is_sqlite",
    "new_id",
    "open_engine",
    "planned_rows",
    "schema",
    "write_lock",
]
