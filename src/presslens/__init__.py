"""PressLens: read political news critically — who said what, tied to exact spans of the text.

The names below load on first use, so ``import presslens.factchecks`` (or ``presslens.model``) does not
import spaCy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "presslens.model": (
        "SCHEMA_VERSION",
        "Analysis",
        "Claim",
        "Claimant",
        "ClaimMatches",
        "Dispute",
        "Entity",
        "FactCheckMatch",
        "Genre",
        "Label",
        "Metadata",
        "Paragraph",
        "Quote",
        "Span",
        "Speaker",
        "TechniqueSpan",
    ),
    "presslens.options": ("Options",),
    "presslens.errors": ("PressLensError", "InputError", "ModelError"),
    "presslens.pipeline": ("Pipeline", "analyze", "analyze_article", "analyze_many"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "SCHEMA_VERSION",
    "Analysis",
    "Claim",
    "Claimant",
    "ClaimMatches",
    "Dispute",
    "Entity",
    "FactCheckMatch",
    "Genre",
    "Label",
    "Metadata",
    "Paragraph",
    "Quote",
    "Span",
    "Speaker",
    "TechniqueSpan",
    "Options",
    "PressLensError",
    "InputError",
    "ModelError",
    "Pipeline",
    "analyze",
    "analyze_article",
    "analyze_many",
    "__version__",
]

if TYPE_CHECKING:
    from presslens.errors import InputError, ModelError, PressLensError
    from presslens.model import (
        SCHEMA_VERSION,
        Analysis,
        Claim,
        Claimant,
        ClaimMatches,
        Dispute,
        Entity,
        FactCheckMatch,
        Genre,
        Label,
        Metadata,
        Paragraph,
        Quote,
        Span,
        Speaker,
        TechniqueSpan,
    )
    from presslens.options import Options
    from presslens.pipeline import Pipeline, analyze, analyze_article, analyze_many


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'presslens' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
