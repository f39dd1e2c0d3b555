"""Automatic alignment of OCR plan lines to the clean plan's text (for channel training and evaluation)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from corpus.repair.syllable import fold

# Scanner digits/junk that stand for letters; folding them makes damaged and clean words comparable.
_LOOSE = str.maketrans(
    {"w": "u", "6": "o", "0": "o", "3": "a", "4": "a", "&": "e", "€": "e", "¢": "e", "1": "l"}
)
_EDGE = re.compile(r"^[^\w¢€&]+|[^\w¢€&]+$")


def strip_punct(token: str) -> str:
    """Token without leading/trailing punctuation."""
    return _EDGE.sub("", token)


def loose_key(token: str) -> str:
    """Accent- and scanner-insensitive key of a token."""
    return fold(strip_punct(token)).translate(_LOOSE)


@dataclass(frozen=True)
class LinePair:
    """An OCR line and the clean tokens it corresponds to, token by token."""

    line_no: int  # 0-based line index in the OCR file
    raw: str
    raw_tokens: tuple[str, ...]
    gold_tokens: tuple[str, ...]
    complete: bool  # every token of the line is aligned (a high-confidence line pair)
    gold_lines: tuple[int, ...] = ()  # 0-based clean line of each gold token


def _tokens(lines: list[str]) -> list[tuple[int, str]]:
    """(line index, token) for every whitespace token."""
    return [(i, t) for i, line in enumerate(lines) for t in line.split()]


def _similar(a: str, b: str) -> bool:
    """Whether two loose keys plausibly render the same word."""
    if a == b:
        return True
    if not a or not b:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.5


def align_lines(ocr_lines: list[str], clean_lines: list[str]) -> list[LinePair]:
    """Align an OCR document to a clean one and return per-line token correspondences."""
    ocr = _tokens(ocr_lines)
    clean = _tokens(clean_lines)
    ok = [loose_key(t) for _, t in ocr]
    ck = [loose_key(t) for _, t in clean]
    matcher = difflib.SequenceMatcher(None, ok, ck, autojunk=False)
    mapped: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for a, b in zip(range(i1, i2), range(j1, j2), strict=True):
                if _similar(ok[a], ck[b]):
                    mapped[a] = b
    by_line: dict[int, list[int]] = {}
    for idx, (line_no, _) in enumerate(ocr):
        by_line.setdefault(line_no, []).append(idx)
    out: list[LinePair] = []
    for line_no, idxs in sorted(by_line.items()):
        pairs = [(ocr[a][1], clean[mapped[a]][1]) for a in idxs if a in mapped]
        if not pairs:
            continue
        js = [mapped[a] for a in idxs if a in mapped]
        contiguous = js == list(range(js[0], js[0] + len(js)))
        complete = len(pairs) == len(idxs) and contiguous and len(idxs) >= 3
        out.append(
            LinePair(
                line_no=line_no,
                raw=ocr_lines[line_no],
                raw_tokens=tuple(p[0] for p in pairs),
                gold_tokens=tuple(p[1] for p in pairs),
                complete=complete,
                gold_lines=tuple(clean[mapped[a]][0] for a in idxs if a in mapped),
            )
        )
    return out
