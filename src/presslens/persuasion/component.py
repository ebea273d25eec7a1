"""The ``techniques`` component: technique spans, paragraph techniques, frames and genre."""

from __future__ import annotations

from typing import TYPE_CHECKING

from presslens.registry import register

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from presslens.model import Analysis
    from presslens.options import Options


@register(
    "techniques",
    assigns=("techniques", "paragraphs", "frames", "genre"),
    help="persuasion-technique spans, paragraph techniques, frames and genre",
)
class TechniquesComponent:
    """Runs after ``quotes`` when both are chosen, so that a technique span knows whose words it is in."""

    def __init__(self, options: Options) -> None:
        from presslens.persuasion import load_accurate, load_models

        self.models = load_models()
        self.accurate = load_accurate(options.accurate_model) if options.accurate else None

    @staticmethod
    def check(options: Options) -> None:
        """The lexical models load here, before workers fork (they share them); the accurate model is only
        checked: torch must not start in the parent."""
        from presslens.persuasion import load_models

        load_models()
        if options.accurate:
            from presslens.persuasion import check_accurate

            check_accurate(options.accurate_model)

    def __call__(self, analysis: Analysis, doc: Doc) -> None:
        from presslens.persuasion import detect_persuasion

        detect_persuasion(analysis, self.models, self.accurate)
