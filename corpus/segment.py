"""Vietnamese word segmentation (underthesea), imported only when first used."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

# underthesea's package import also loads its optional pipelines (underthesea/__init__.py, optional_imports), the
# translator among them: transformers and torch, 4-5 s of a 6 s import. Word segmentation needs none of them.
_UNUSED = ("underthesea.pipeline.translate", "underthesea.pipeline.classification", "underthesea.pipeline.sentiment",
           "underthesea.pipeline.lang_detect", "underthesea.pipeline.dependency_parse", "underthesea.agent",
           "underthesea.address")


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[..., str]:
    import sys

    # Marked absent while the package loads (its own guard skips an optional pipeline that fails to import), then
    # unmarked, so that an explicit import of one still works.
    marked = [name for name in _UNUSED if name not in sys.modules]
    for name in marked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        from underthesea import word_tokenize
    finally:
        for name in marked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
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
