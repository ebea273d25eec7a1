"""The ``quotes`` component: named entities clustered into referents, then quotes with cue and speaker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from presslens.registry import register

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from presslens.model import Analysis
    from presslens.options import Options


@register(
    "quotes",
    assigns=("entities", "quotes"),
    help="entities, direct/mixed/indirect quotes and their speakers",
)
class QuotesComponent:
    def __init__(self, options: Options) -> None:
        from presslens.entities import cluster_entities
        from presslens.quotes.extract import extract_quotes

        self._cluster, self._extract = cluster_entities, extract_quotes

    def __call__(self, analysis: Analysis, doc: Doc) -> None:
        index = self._cluster(doc)
        analysis.entities = index.entities
        analysis.quotes = self._extract(doc, index)
