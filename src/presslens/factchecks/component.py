"""The ``factchecks`` component: the known fact-checks each claim repeats, from the knowledge base in
``Options.kb`` (nothing without one). Implied by ``claims``: it runs whenever claims do."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from presslens.errors import PressLensError
from presslens.registry import register

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from presslens.model import Analysis
    from presslens.options import Options


@register(
    "factchecks",
    requires=("claims",),
    assigns=("fact_checks",),
    help="match claims to the fact-check knowledge base (with a knowledge base; implied by claims)",
    implied=True,
)
class FactChecksComponent:
    """Matching happens in ``finish``: the claims of a whole batch go through the encoder at once."""

    def __init__(self, options: Options) -> None:
        self.kb, self.threshold, self.top = options.kb, options.match_threshold, options.match_top
        if self.kb is not None:
            from presslens.factchecks.match import matcher_for

            matcher_for(self.kb)

    @staticmethod
    def check(options: Options) -> None:
        if options.kb is not None:
            from presslens.factchecks.store import KnowledgeBase

            KnowledgeBase(options.kb, readonly=True).close()  # a missing or foreign file fails here, once

    def __call__(self, analysis: Analysis, doc: Doc) -> None:
        pass

    def finish(self, analyses: list[Analysis]) -> None:
        if self.kb is None or not analyses:
            return
        from presslens.factchecks.match import match_many, matcher_for

        try:
            match_many(analyses, matcher_for(self.kb), self.threshold, top=self.top)
        except PressLensError:
            raise
        except Exception as exc:  # matching must not lose the analyses: they go out unmatched
            for a in analyses:
                a.fact_checks = []
            print(f"presslens: fact-check matching failed ({type(exc).__name__}: {exc})", file=sys.stderr)
