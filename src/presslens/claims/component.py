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
        from presslens.claims import load_checkworthiness

        self.model = load_checkworthiness()

    @staticmethod
    def check(options: Options) -> None:
        from presslens.claims import load_checkworthiness

        load_checkworthiness()

    def __call__(self, analysis: Analysis, doc: Doc) -> None:
        from presslens.claims import detect_claims

        detect_claims(analysis, doc, self.model)
