"""The ``techniques`` component: technique spans, paragraph techniques and frames (genre: the ``genre`` component)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from presslens.errors import ModelError
from presslens.registry import register

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from presslens.model import Analysis
    from presslens.options import Options
    from presslens.persuasion.accurate import AccurateTagger


_noted: list[str] = []  # the fallback note, once a process (workers forked after it was given inherit it)


def _note_fallback(exc: ModelError) -> None:
    """The fine-tuned model cannot run (its extra is not installed): the lexical model runs, and this says so."""
    if not _noted:
        _noted.append(str(exc))
        print(f"presslens: note: technique spans from the fast lexical model: {exc} (--fast: no note)", file=sys.stderr)


@register(
    "techniques",
    assigns=("techniques", "paragraphs", "frames"),
    help="persuasion-technique spans, paragraph techniques and frames",
)
class TechniquesComponent:
    """Runs after ``quotes`` when both are chosen, so that a technique span knows whose words it is in."""

    def __init__(self, options: Options) -> None:
        from presslens.persuasion import load_accurate, load_models

        self.models = load_models()
        self.accurate: AccurateTagger | None = None
        if not options.fast:
            try:  # the default: the first member only, int8 on ONNX Runtime (fast enough for corpora); --accurate: all, fp32
                default = not options.accurate and options.accurate_model is None  # the first member, int8
                self.accurate = load_accurate(
                    options.accurate_model, members=None if options.accurate else 1, int8=default
                )
            except ModelError as exc:
                if options.accurate:
                    raise
                _note_fallback(exc)
        self.min_confidence = options.min_confidence

    @staticmethod
    def check(options: Options) -> None:
        """The lexical models load here, before workers fork (they share them); the fine-tuned model is only
        checked: torch must not start in the parent. Without its extra the default says once that it falls back."""
        from presslens.persuasion import load_models

        load_models()
        if not options.fast:
            from presslens.persuasion import check_accurate

            try:
                check_accurate(options.accurate_model)
            except ModelError as exc:
                if options.accurate:
                    raise
                _note_fallback(exc)

    def __call__(self, analysis: Analysis, doc: Doc) -> None:
        from presslens.persuasion import detect_persuasion

        detect_persuasion(analysis, self.models, self.accurate, doc, self.min_confidence)
