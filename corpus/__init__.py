"""Corpus stage: read plan files and their manifest, repair OCR text, cut plans into Chunks."""

from __future__ import annotations

from corpus.records import Chunk, PlanMeta

__all__ = ["Chunk", "PlanMeta"]
