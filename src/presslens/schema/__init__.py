"""The JSON Schema (draft 2020-12) of the JSON contract: what ``Analysis.to_dict()`` and ``analyze --format json``
emit, shipped in the package.

    import jsonschema, presslens.schema
    jsonschema.validate(analysis.to_dict(), presslens.schema.load_schema())

The schema cannot say that ``text[start:end] == span.text``; ``Analysis.spans()`` lists every span to check that.
Every object is closed (``additionalProperties: false``), the top level too: an analysis whose ``extensions`` (a
registered component's own top-level keys) are not empty validates against a copy that lists them, e.g.
``schema["properties"]["events"] = {"type": "array"}``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["load_schema", "schema_path"]


def schema_path(version: str = "1"):  # -> importlib.resources.abc.Traversable
    """The schema file of contract ``version`` inside the installed package."""
    path = resources.files(__name__) / f"analysis-{version}.schema.json"
    if not path.is_file():
        raise ValueError(f"no JSON schema for contract version {version!r}")
    return path


def load_schema(version: str = "1") -> dict[str, Any]:
    """The JSON Schema of contract ``version`` as a dict (a fresh copy each call)."""
    return json.loads(_read(version))


@cache
def _read(version: str) -> str:
    return schema_path(version).read_text(encoding="utf-8")
