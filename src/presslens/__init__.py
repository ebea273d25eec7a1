"""PressLens: read political news critically — who said what, tied to exact spans of the text."""

from presslens.model import SCHEMA_VERSION, Analysis, Entity, Metadata, Quote, Span, Speaker
from presslens.pipeline import analyze, analyze_article, analyze_many

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Analysis",
    "Entity",
    "Metadata",
    "Quote",
    "Span",
    "Speaker",
    "analyze",
    "analyze_article",
    "analyze_many",
    "__version__",
]
