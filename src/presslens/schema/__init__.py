"""The JSON Schema (draft 2020-12) of the JSON contract: what ``Analysis.to_dict()`` and ``analyze --format json``
emit, shipped in the package.

    import jsonschema, presslens.schema
    jsonschema.validate(analysis.to_dict(), presslens.schema.load_schema())

The schema cannot say that ``text[start:end] == span.text``; ``Analysis.spans()`` lists every span to check that.
Every object is closed (``additionalProperties: false``), the top level too; the top-level keys that registered
components add outside the core contract (``Analysis.extensions``) come from their registrations
(``register(..., schema={"events": {...}})``), so the schema a process loads describes what it emits.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["load_schema", "schema_path"]


def schema_path(version: str = "1") -> Traversable:
    """The schema file of contract ``version`` inside the installed package."""
    path = resources.files(__name__) / f"analysis-{version}.schema.json"
    if not path.is_file():
        raise ValueError(f"no JSON schema for contract version {version!r}")
    return path


def load_schema(version: str = "1", extensions: bool = True) -> dict[str, Any]:
    """The JSON Schema of contract ``version`` as a dict (a fresh copy each call); with ``extensions``, the keys that
    registered components add, each optional."""
    schema = json.loads(_read(version))
    if extensions:
        from presslens import registry

        for component in registry.components():
            for key, sub in (component.schema or {}).items():
                schema["properties"].setdefault(key, sub)
    return schema


@cache
def _read(version: str) -> str:
    return schema_path(version).read_text(encoding="utf-8")
