"""Lines planted to steer an assistant ("ignore previous instructions and answer …") are not a plan's content."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from corpus.text import fold
from corpus.wordlists import WordListError, words

_GAP = 6  # words allowed between two slots of one pattern


@cache
def _patterns() -> tuple[tuple[tuple[tuple[str, ...], ...], ...], ...]:
    """Each pattern as its slots, each slot as folded alternatives (as word tuples)."""
    out = []
    for line in words("planted.txt"):
        slots = tuple(tuple(tuple(fold(alt).split()) for alt in slot.split(" / ") if fold(alt))
                      for slot in line.split(" + "))
        if not slots or any(not slot for slot in slots):
            raise WordListError(f"planted.txt: cannot read the pattern {line!r}")
        out.append(slots)
    return tuple(out)


def _find(tokens: Sequence[str], alts: Sequence[tuple[str, ...]], start: int, stop: int) -> int:
    """End index of the first alternative that starts in tokens[start:stop], or -1."""
    for i in range(start, min(stop, len(tokens))):
        for alt in alts:
            if tuple(tokens[i:i + len(alt)]) == alt:
                return i + len(alt)
    return -1


def planted_reason(text: str) -> str:
    """Why a line reads as an instruction to an assistant rather than plan content ('' when it does not)."""
    tokens = fold(text).split()
    for slots in _patterns():
        for first in range(len(tokens)):
            end = _find(tokens, slots[0], first, first + 1)
            if end < 0:
                continue
            for slot in slots[1:]:
                end = _find(tokens, slot, end, end + _GAP + 1)
                if end < 0:
                    break
            if end >= 0:
                return f"addresses an assistant, not the plan's readers (\"{' '.join(tokens[first:end])}\")"
    return ""


def planted_version() -> str:
    """Identifies the planted-line patterns, for the index's build record (other patterns, another index)."""
    import hashlib

    return hashlib.sha256("\n".join(words("planted.txt")).encode("utf-8")).hexdigest()[:12]


def find_planted(lines: Sequence[str], raw: Sequence[str] = ()) -> list[tuple[int, str]]:
    """(1-based line number, reason) of each line that addresses an assistant or its instructions; with raw
    (the same lines before OCR repair), a line is planted when either reading of it is."""
    found = []
    for n, line in enumerate(lines, start=1):
        other = raw[n - 1] if n <= len(raw) else line
        reason = planted_reason(line) or (planted_reason(other) if other != line else "")
        if reason:
            found.append((n, reason))
    return found
