"""Text normalisation: NFC, whitespace collapse, and the OCR-tolerant folded form."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")
# Junk glyphs OCR puts where a Vietnamese letter or bracket was ("c¢)" for "c)").
_JUNK = str.maketrans({"¢": "", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DIGIT_IN_WORD = re.compile(r"(?<=[a-z])[60](?=[a-z]|$)|^[60](?=[a-z])")
_ONE_AS_L = re.compile(r"^1(?=[a-z]{1,3}$)")
_P_AS_D = re.compile(r"^p(?=[aeiouy])")


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


def fold(text: str) -> str:
    """The matching form: lowercase, no diacritics, OCR confusions undone, words space-separated."""
    bare = strip_accents(nfc(text).translate(_JUNK)).lower()
    bare = bare.replace("qp-", "qd-").replace("qb-", "qd-")
    return " ".join(fold_word(w) for w in _WORD.findall(bare))


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
