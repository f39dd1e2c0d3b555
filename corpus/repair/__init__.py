"""Offline restorer for OCR-damaged Vietnamese plan text (diacritics, letter swaps, document codes).

Public API: TokenRepair, RestoredLine, Restorer, needs_repair, load_restorer, restore_text_lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from corpus.repair.channel import ChannelTable
from corpus.repair.detect import needs_repair
from corpus.repair.model import load_model
from corpus.repair.restorer import RestoredLine, Restorer, TokenRepair, default_channel_path

__all__ = [
    "RestoredLine",
    "Restorer",
    "TokenRepair",
    "load_restorer",
    "needs_repair",
    "restore_text_lines",
]


@lru_cache(maxsize=1)
def load_restorer() -> Restorer:
    """The process-wide restorer; builds the model on first use and caches it on disk."""
    return Restorer(load_model(), ChannelTable.load(default_channel_path()))


def restore_text_lines(lines: Sequence[str]) -> list[str]:
    """Restored text of each line (same count, same order)."""
    return [r.text for r in load_restorer().restore_lines(list(lines))]
