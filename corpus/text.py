"""Text normalisation: NFC, whitespace collapse, and the OCR-tolerant folded form."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WS = re.compile(r"\s+")
# Junk glyphs OCR puts where a Vietnamese letter or bracket was ("c¢)" for "c)").
_JUNK_MAP = {"¢": "", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DIGIT_IN_WORD = re.compile(r"(?<=[a-z])[60](?=[a-z]|$)|^[60](?=[a-z])")
_ONE_AS_L = re.compile(r"^1(?=[a-z]{1,3}$)")
_P_AS_D = re.compile(r"^p(?=[aeiouy])")
# Administrative writing pads counts and ordinals with zeros ("Đợt 01", "02 người", "ngày 03/12"): a
# number's folded form is its value, so "Đợt 1" meets "Đợt 01".
# Digits after a point or comma are a number's thousands or decimals ("1.050.000", "1,05"), not padding.
_PADDED = re.compile(r"(?<![\w.,])0+(?=\d+\b)")


def nfc(text: str) -> str:
    """Unicode NFC (Vietnamese text arrives both composed and decomposed)."""
    return unicodedata.normalize("NFC", text)


def collapse(text: str) -> str:
    """Collapse every whitespace run to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


def strip_accents(text: str) -> str:
    """Remove Vietnamese diacritics, keeping case: "Đắk Lắk" -> "Dak Lak"."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance of two short strings."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=65536)  # a plan's words repeat: most are folded once per process
def fold_word(word: str) -> str:
    """Fold one lowercase, accent-free word: OCR digit/letter confusions and w for ư undone."""
    # OCR reads ô/ơ as 6 or 0, l as 1, Đ as P: undo it only inside letter words, never in numbers.
    if word.isdigit():
        return word
    word = _DIGIT_IN_WORD.sub("o", word)
    word = _ONE_AS_L.sub("l", word)
    if not any(ch.isdigit() for ch in word):
        word = _P_AS_D.sub("d", word)
    # "w" is not a Vietnamese letter; OCR writes it for ư.
    return word.replace("w", "u")


def unpad(text: str) -> str:
    """Numbers padded with zeros written as their value ("Đợt 01" -> "Đợt 1"; "1.050.000" and "0,5" stay)."""
    return _PADDED.sub("", text)


def fold(text: str) -> str:
    """The matching form: lowercase, no diacritics, OCR confusions undone, numbers unpadded, words space-separated."""
    # fold_map's text without its index (a question over thousands of tasks folds each of them).
    folded = text.translate(_FOLD_TABLE)
    if _MAY_CONFUSE.search(folded):  # most texts have no word fold_word would change: skip calling it per word
        folded = _WORD.sub(_fold_match, folded)
    folded = unpad(folded.replace("qp-", "qd-").replace("qb-", "qd-"))
    return " ".join(_WORD.findall(folded))


class _FoldTable(dict[int, str]):
    """str.translate's table of _fold_char, filled as characters are first met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()
# Where fold_word might change a word (a superset of its patterns: a 6 or 0 beside a letter, a 1 or a p before
# one, a w).
_MAY_CONFUSE = re.compile(r"[a-z][60]|[60][a-z]|1[a-z]|p[aeiouy]|w")


def _fold_match(m: re.Match[str]) -> str:
    return fold_word(m.group(0))


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    out = []
    for c in unicodedata.normalize("NFD", ch):
        if unicodedata.category(c) == "Mn":
            continue
        c = _JUNK_MAP.get(c, c)
        if not c:
            continue
        low = c.lower()
        low = low if len(low) == 1 else c
        out.append("d" if low == "đ" else low)
    return "".join(out)


def fold_map(text: str) -> tuple[str, list[int]]:
    """Folded text that keeps punctuation and spacing, and per folded char its index in `text`.

    `fold` is this without the punctuation and with numbers unpadded; matching on folded text can so quote the
    source exactly.
    """
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            chars.append(c)
            index.append(i)
    folded = _WORD.sub(_fold_match, "".join(chars))
    # Every replacement keeps the length, so `index` stays aligned.
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


_VI_LETTERS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
_EN_HINTS = {
    "the", "what", "which", "who", "whom", "when", "how", "does", "do", "is", "are", "must", "should",
    "plan", "plans", "by", "of", "for", "to", "in", "and", "with", "about", "many", "much", "report",
    "commune", "ward", "province", "deadline", "target", "police", "where", "why", "than", "any",
}
_VI_HINTS = {
    "cua", "la", "gi", "nao", "bao", "nhieu", "phai", "cac", "nhung", "duoc", "trong", "ke", "hoach",
    "xa", "phuong", "tinh", "ai", "khi", "thi", "sao", "con", "co", "khong", "ngay", "thang", "nam",
    "truoc", "viec", "chu", "tri", "thuc", "hien", "theo", "muc", "tieu", "dich", "vu", "cong",
}


def detect_language(text: str) -> str:
    """Classify a question as "vi" (accented), "vi-noaccent" or "en"."""
    lowered = nfc(text).lower()
    words = _WORD.findall(lowered)
    en = sum(w in _EN_HINTS for w in words)
    accented = any(ch in _VI_LETTERS for ch in lowered)
    vi = sum(fold(w) in _VI_HINTS for w in words)
    # English questions quote Vietnamese names in parentheses ("leads (chủ trì)"): count the English words.
    if en >= 3 and en > vi:
        return "en"
    if accented:
        return "vi"
    return "en" if en > vi else "vi-noaccent"
