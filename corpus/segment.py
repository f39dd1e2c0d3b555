"""Vietnamese word segmentation (underthesea), imported only when first used."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[..., str]:
    from underthesea import word_tokenize

    tokenize: Callable[..., str] = word_tokenize
    return tokenize


def segmenter_version() -> str:
    """Identifies the segmenter, for the index's build record."""
    from importlib.metadata import version

    return f"underthesea {version('underthesea')}"


def segment(text: str) -> str:
    """Word-segment text: multi-syllable words joined by "_" ("chất_lượng")."""
    if not text.strip():
        return ""
    return _tokenizer()(text, format="text")
