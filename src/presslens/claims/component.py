"""The ``claims`` component: check-worthy claims, their claimants, and the disputes in the article."""

from __future__ import annotations

from typing import TYPE_CHECKING

from presslens.registry import register

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from presslens.model import Analysis
    from presslens.options import Options


@register(
    "claims",
    requires=("quotes",),
    assigns=("claims", "disputes"),
    help="check-worthy claims, who makes them, and the ones the article disputes (runs quotes too)",
)
class ClaimsComponent:
    def __init__(self, options: Options) -> None:
        from presslens.claims.detect import load_claim_models

        self.models = load_claim_models()
        self.semantic = not options.fast  # --fast: the lite ranker (no encoder pass for claims)

    @staticmethod
    def check(options: Options) -> None:
        from presslens.claims.detect import load_claim_models

        load_claim_models()

    def __call__(self, analysis: Analysis, doc: Doc) -> None:
        from presslens.claims import detect_claims

        detect_claims(analysis, doc, self.models, semantic=self.semantic)
