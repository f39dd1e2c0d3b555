"""Folding that keeps a map back to the source text, so matches on folded text quote the original."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from corpus.text import fold_word

# Same confusions corpus.text.fold undoes, but every replacement is one character for one character.
_JUNK = {"¢": "", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)



@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    out = []
    for c in unicodedata.normalize("NFD", ch):
        if unicodedata.category(c) == "Mn":
            continue
        c = _JUNK.get(c, c)
        if not c:
            continue
        low = c.lower()
        low = low if len(low) == 1 else c
        out.append("d" if low == "đ" else low)
    return "".join(out)


def fold_map(text: str) -> tuple[str, list[int]]:
    """Folded text (lowercase, unaccented, OCR digits undone) and, per folded char, its index in `text`."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            chars.append(c)
            index.append(i)
    folded = _WORD.sub(lambda m: fold_word(m.group(0)), "".join(chars))
    folded = folded.replace("qp-", "qd-").replace("qb-", "qd-")
    return folded, index


def source_span(text: str, index: list[int], start: int, end: int) -> tuple[int, int]:
    """The `text` slice behind folded chars [start, end)."""
    if not index or start >= end:
        return (0, 0)
    first = index[start]
    last = index[end - 1] + 1
    while last < len(text) and unicodedata.category(text[last]) == "Mn":
        last += 1
    return first, last
