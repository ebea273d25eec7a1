"""How to run an analysis: one frozen object built once (from CLI arguments or keywords) and passed down.

Every default lives here, once. ``components`` is resolved at construction: unknown names are an error that
lists the known ones, requirements are added and the order is the registry's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from presslens.errors import PressLensError

# Fact-check matching: show matches with probability ≥ this (docs/evaluation.md) ...
DEFAULT_MATCH_THRESHOLD = 0.5
# ... for this many claims of each article, disputed ones first, then the most check-worthy (0 = all):
# encoding a claim costs ~25 ms of one core, most of the matching cost (docs/benchmarks.md).
DEFAULT_MATCH_TOP = 3
DEFAULT_CHUNK_SIZE = 8


class OptionsError(PressLensError, ValueError):
    """Options that do not make sense together, or an unknown component."""


@dataclass(frozen=True, slots=True)
class Options:
    """Everything that changes what an analysis computes or how it runs.

    ``components``: names from the component registry (empty: every default component); ``kb``: a fact-check
    knowledge base to match claims to. Technique spans and paragraphs come from the fine-tuned encoder, the first
    of the shipped model's two members (the lexical model, with one note on stderr, where the ``accurate`` extra
    is not installed); ``fast``: from the lexical model instead (the whole analysis about twice as fast); ``accurate``: from both
    members (twice the tagger's time, technique-aware spans +0.013 F1, model card); ``accurate_model``: a file
    trained with ``presslens train techniques --accurate --out FILE``, all its members (implies ``accurate``);
    ``min_confidence``: None shows the technique spans at or above the model's calibrated display threshold
    (docs/evaluation.md), a number from 0 to 1 every span with at least that confidence, those below the threshold
    marked uncertain (0: all, ``analyze --all-spans``); ``workers``: processes for many articles.
    """

    spacy_model: str | None = None
    components: tuple[str, ...] = field(default=())
    kb: str | None = None
    match_threshold: float = DEFAULT_MATCH_THRESHOLD
    match_top: int = DEFAULT_MATCH_TOP
    fast: bool = False
    accurate: bool = False
    accurate_model: str | None = None
    min_confidence: float | None = None
    workers: int = 1
    chunk_size: int = DEFAULT_CHUNK_SIZE

    def __post_init__(self) -> None:
        from presslens import registry

        chosen = (self.components,) if isinstance(self.components, str) else self.components
        _set(self, "components", registry.resolve(tuple(chosen)))
        if self.kb is not None:
            _set(self, "kb", str(self.kb))
        if not isinstance(self.accurate, bool):
            raise OptionsError(f"accurate is True or False, not {self.accurate!r}; give a model file as accurate_model")
        if not isinstance(self.fast, bool):
            raise OptionsError(f"fast is True or False, not {self.fast!r}")
        if self.fast and (self.accurate or self.accurate_model is not None):
            fine_tuned = "accurate_model" if self.accurate_model is not None else "accurate"
            raise OptionsError(
                f"fast (the lexical technique model) and {fine_tuned} (a fine-tuned one) exclude each other"
            )
        if self.accurate_model is not None:
            _set(self, "accurate_model", str(self.accurate_model))
            _set(self, "accurate", True)
        if self.accurate and "techniques" not in self.components:
            raise OptionsError(
                "the accurate model changes the technique spans only; the components chosen "
                f"({', '.join(self.components)}) run none"
            )
        if not 0.0 <= self.match_threshold <= 1.0:
            raise OptionsError(f"the match threshold is a probability (0 to 1), not {self.match_threshold}")
        if self.min_confidence is not None and (
            isinstance(self.min_confidence, bool)
            or not isinstance(self.min_confidence, int | float)
            or not 0.0 <= self.min_confidence <= 1.0
        ):
            raise OptionsError(
                f"min_confidence is a confidence from 0 to 1 (or None: the model's calibrated threshold), "
                f"not {self.min_confidence!r}"
            )
        if self.min_confidence is not None:
            _set(self, "min_confidence", float(self.min_confidence))
        if self.match_top < 0:
            raise OptionsError(f"the number of claims to look up must be 0 (all) or more, not {self.match_top}")
        if self.workers < 1:
            raise OptionsError(f"workers must be 1 or more, not {self.workers}")
        if self.chunk_size < 1:
            raise OptionsError(f"the chunk size must be 1 or more, not {self.chunk_size}")


def _set(options: Options, name: str, value: object) -> None:
    object.__setattr__(options, name, value)  # normalising inside __post_init__ of a frozen dataclass
