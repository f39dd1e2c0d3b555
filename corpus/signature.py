"""Find who signed a plan: the name line of its closing (signature) block."""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus.sentences import Sentence

_NAME = re.compile(r"^[\W\d_]*((?:[A-ZĐÀ-Ỹa-zđ][\w]*\s+){1,3}[A-ZĐÀ-Ỹ][\w]*)\s*$")
_TRAILING_NAME = re.compile(r";\s+((?:[A-ZĐ][\w]*\s+){1,3}[A-ZĐ][\w]*)\s*$")
_NOT_NAMES = ("noi nhan", "luu", "uy ban", "chu tich", "tm", "kt", "pho chu tich", "ubnd")


def _looks_like_name(text: str) -> bool:
    from corpus.text import fold

    words = text.split()
    if not 2 <= len(words) <= 4 or fold(text).startswith(_NOT_NAMES):
        return False
    # OCR may lower-case a leading Đ ("pang Xuan Dién"); the other words must be capitalised.
    return all(w[:1].isupper() for w in words[1:]) and all(w.isalpha() for w in words)


def find_signer(raw: Sequence[str], restored: Sequence[str], first_line: int) -> Sentence | None:
    """The signer's name as a verbatim span of the closing block, or None when none is printed."""
    for offset in range(len(raw) - 1, -1, -1):
        raw_line, res_line = raw[offset], restored[offset]
        raw_toks, res_toks = raw_line.split(), res_line.split()
        if len(raw_toks) != len(res_toks):
            res_toks = raw_toks
        m = _NAME.match(res_line.strip())
        if m and not raw_line.lstrip().startswith("-") and _looks_like_name(m.group(1)):
            n = len(m.group(1).split())
            return Sentence(first_line + offset, first_line + offset, " ".join(raw_toks[-n:]), " ".join(res_toks[-n:]))
        m = _TRAILING_NAME.search(res_line)
        if m and _looks_like_name(m.group(1)):
            n = len(m.group(1).split())
            return Sentence(first_line + offset, first_line + offset, " ".join(raw_toks[-n:]), " ".join(res_toks[-n:]))
    return None
