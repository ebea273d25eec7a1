"""The ``genre`` component: reporting, opinion or satire, after the quotes (how much of the article is other
people's words is the best evidence of a report)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from presslens.registry import register

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from presslens.model import Analysis
    from presslens.options import Options


@register(
    "genre",
    requires=("quotes",),
    assigns=("genre",),
    help="the article's genre (reporting, opinion, satire), marked uncertain below the model's threshold",
)
class GenreComponent:
    def __init__(self, options: Options) -> None:
        from presslens.genre import load_genre_model

        self.model = load_genre_model()

    @staticmethod
    def check(options: Options) -> None:
        from presslens.genre import load_genre_model

        load_genre_model()

    def __call__(self, analysis: Analysis, doc: Doc) -> None:
        from presslens.genre import detect_genre

        detect_genre(analysis, self.model)
