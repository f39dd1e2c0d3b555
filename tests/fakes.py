"""Test doubles, named as fakes: a hashing embedder that is fast and deterministic (not semantic)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from corpus.text import fold
from index.embedders import Embedder, Kind, Vectors, register


@register("fake-hash")
class FakeHashEmbedder(Embedder):
    """Bag of hashed folded words: lets store/ingest tests run without loading a model."""

    def __init__(self, dim: int = 64, delay: float = 0.0, **_: Any) -> None:
        self.name, self.version, self.dim = "fake-hash", "1", dim
        self.delay = delay
        self.calls = 0
        self.embedded = 0

    def embed(self, texts: Sequence[str], kind: Kind) -> Vectors:
        """Sum of one-hot hashed words, normalised."""
        import time

        self.calls += 1
        self.embedded += len(texts)
        if self.delay:
            time.sleep(self.delay)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in fold(text).split():
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-9)).astype(np.float32)


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese the way legacy Windows-1258 files are: base letters precomposed, tones combining."""
    import unicodedata

    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out:
            out[-1] += ch
        else:
            out.append(ch)
    encoded = []
    for cluster in out:
        base = cluster[0] + "".join(m for m in cluster[1:] if m in "\u0302\u0306\u031b")
        tones = "".join(m for m in cluster[1:] if m not in "\u0302\u0306\u031b")
        encoded.append(unicodedata.normalize("NFC", base) + tones)
    return "".join(encoded).encode("cp1258")
