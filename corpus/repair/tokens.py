"""Split a raw line into whitespace tokens and each token into restorable and fixed pieces."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from corpus.repair.syllable import fold, is_valid_syllable

# Glyph-like OCR junk that stands in for a damaged Vietnamese letter ("hi¢u", "K&", "k¥").
OCR_LETTER_JUNK = "¢€&¥§"
# Characters that may sit inside a damaged word without splitting it ("t?lng", "thanh ph?m").
_INNER = OCR_LETTER_JUNK + "?"

_TOKEN = re.compile(r"\S+")
_URL = re.compile(
    r"^[(<\"“']*(?:[a-z][a-z0-9+.-]*://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|"
    r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|org|net|gov|edu|int|info|io)(?:/\S*)?)[)>\"”'.,;:]*$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^[\d.,:/%-]+$")
_ROMAN = re.compile(r"^[IVXL]+$")
MAX_WORD = 16  # longer letter runs are not (damaged) syllables, nor two glued ones


@dataclass(frozen=True)
class Piece:
    """One piece of a token: 'word' (restorable), 'code' (document code), 'num', 'punct' or 'keep'."""

    text: str
    kind: str


def is_letter(ch: str) -> bool:
    """Whether ch is an alphabetic character."""
    return ch.isalpha()


def _is_core_char(ch: str) -> bool:
    """Characters that can start or end a token's core (letters, digits, glyph-like junk)."""
    return ch.isalnum() or ch in OCR_LETTER_JUNK


def _is_inner_char(ch: str) -> bool:
    """Characters that keep a core together (no split)."""
    return ch.isalnum() or ch in _INNER


def split_tokens(line: str) -> list[tuple[int, int, str]]:
    """Whitespace tokens of a line as (start, end, text)."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(line)]


def _split_alnum(seg: str) -> list[str]:
    """Split 'ngay30' / '17thang' at a multi-digit number next to a whole syllable; keep 's6', '16n'."""
    runs = re.findall(r"\d+|[^\d]+", seg)
    if len(runs) < 2:
        return [seg]
    out: list[str] = []
    buf = ""
    for i, run in enumerate(runs):
        is_num = run.isdigit()
        if is_num and len(run) >= 2:
            neighbours = [runs[j] for j in (i - 1, i + 1) if 0 <= j < len(runs)]
            if all(is_valid_syllable(fold(n)) and len(n) >= 2 for n in neighbours if not n.isdigit()):
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(run)
                continue
        buf += run
    if buf:
        out.append(buf)
    return out


def _looks_code(seg: str, code_context: bool, is_code: Callable[[str], bool]) -> bool:
    """Whether an alphabetic segment is a document-code part (QĐ, TTg, UBND, KH...)."""
    letters = [c for c in seg if c.isalpha()]
    if len(letters) < 2:
        return False
    if code_context:
        # "KH/TU", "QĐ-TTg": known codes, or capitals that cannot be a syllable ("KT.CHU" keeps CHU a word)
        return (
            len(letters) == len(seg) and letters[0].isupper() and (is_code(seg) or not is_valid_syllable(seg))
        )
    if not any(c.isupper() for c in seg[1:]) or is_valid_syllable(seg) or seg[0].islower():
        return False  # a small first letter is no damaged code's: "pH" is not "ĐH" (restorer.not_vietnamese)
    return is_code(seg)  # standalone: UBND, HĐND, VNeID (raw "VNelD"), iGate (raw "1Gate")


def _word_or_keep(seg: str) -> Piece:
    """Classify a segment that contains no separator."""
    letters = [c for c in seg if c.isalpha() or c in OCR_LETTER_JUNK]
    if not letters:
        return Piece(seg, "num" if any(c.isdigit() for c in seg) else "punct")
    if len(seg) > MAX_WORD:
        return Piece(seg, "keep")  # no syllable is this long; also keeps the channel search bounded
    if len(letters) == 1 and letters[0].isupper() and seg[0].isdigit():
        return Piece(seg, "keep")  # 5G, 4G, 3D
    return Piece(seg, "word")


def split_pieces(token: str, is_code: Callable[[str], bool]) -> list[Piece]:
    """Pieces of one whitespace token; their texts concatenate back to the token."""
    if token.isalpha() and (len(token) == 1 or token[1:].islower()) and len(token) <= MAX_WORD:
        return [Piece(token, "word")]  # the common case: a plain word
    if _URL.match(token):
        return [Piece(token, "keep")]
    lo, hi = 0, len(token)
    while lo < hi and not _is_core_char(token[lo]):
        lo += 1
    while hi > lo and not _is_core_char(token[hi - 1]):
        hi -= 1
    pieces: list[Piece] = []
    if lo > 0:
        pieces.append(Piece(token[:lo], "punct"))
    core = token[lo:hi]
    if core:
        pieces.extend(_split_core(core, is_code, opened="(" in token[:lo]))
    if hi < len(token):
        pieces.append(Piece(token[hi:], "punct"))
    return pieces


def _segments(core: str, opened: bool = False) -> list[str]:
    """Alternating [word, separator, word, ...] runs; ':', an apostrophe or a closing bracket with no
    opening one between two letters is scanner noise inside a word ("N:im" = "Năm", "THU'C" = "THỰC",
    "gé)m" = "gồm"), not a separator; opened: the token has a '(' before the core ("(b)c")."""
    out: list[str] = []
    cur = ""
    in_word = True
    for i, ch in enumerate(core):
        inner = ch.isalnum() or ch in _INNER or ch == "_"
        if not inner and ch in ":'’)" and 0 < i < len(core) - 1 and (ch != ")" or not (opened or "(" in core[:i])):
            inner = core[i - 1].isalpha() and core[i + 1].isalpha()
        if inner != in_word:
            out.append(cur)
            cur = ""
            in_word = inner
        cur += ch
    out.append(cur)
    return out


def _split_core(core: str, is_code: Callable[[str], bool], opened: bool = False) -> list[Piece]:
    """Split a core at separators (/ - : . etc.) and classify each segment."""
    if _NUMBER.match(core):
        return [Piece(core, "num")]
    segs = _segments(core, opened)
    has_sep = len(segs) > 1
    if has_sep and all(len(w) == 1 and w.isalpha() for w in segs[::2]) and set(segs[1::2]) == {"/"}:
        return [Piece(core, "keep")]  # letters standing for words ("b/c" = báo cáo, "p/h", "đ/c"): as written
    code_context = has_sep and any(s.isdigit() or (sum(c.isupper() for c in s) >= 2) for s in segs[::2] if s)
    out: list[Piece] = []
    for i, seg in enumerate(segs):
        if not seg:
            continue
        if i % 2 == 1:
            out.append(Piece(seg, "punct"))
        elif _looks_code(seg, code_context, is_code):
            out.append(Piece(seg, "code"))
        elif len(seg) > 1 and _ROMAN.match(seg) and not is_valid_syllable(seg):
            out.append(Piece(seg, "keep"))
        else:
            for sub in _split_alnum(seg):
                out.append(_word_or_keep(sub))
    return out
