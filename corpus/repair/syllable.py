"""Vietnamese orthography helpers: folding, tones, syllable validity and letter case."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining marks in NFD: the five tones and the three vowel-shape marks.
TONE_MARKS = {"\u0300": 2, "\u0301": 1, "\u0309": 3, "\u0303": 4, "\u0323": 5}  # huyền sắc hỏi ngã nặng
SHAPE_MARKS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn
VOWELS = "aăâeêioôơuưy"
VIET_LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
VIET_LETTERS = frozenset(VIET_LOWER + VIET_LOWER.upper())


def _words(text: str) -> list[str]:
    """Space-separated words of a constant."""
    return text.split()


_ONSETS = [*_words("ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x"), ""]
_CODAS = ["ng", "nh", "ch", "c", "k", "m", "n", "p", "t", "i", "y", "o", "u", ""]  # k: Đắk, Lắk
# Toneless rhymes of standard Vietnamese (medial + nucleus + coda), written forms.
_NUCLEI = _words("a ă â e ê i o ô ơ u ư y ia iê ya yê ua uô ưa ươ oa oă oe uâ uê uy uya uyê uơ")
_STOP_CODAS = ("c", "ch", "k", "p", "t")


def nfc(text: str) -> str:
    """Return the NFC form of text."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case and strip every diacritic (đ becomes d): 'Đắk' -> 'dak'."""
    out = [c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c)]
    return "".join(out).replace("đ", "d")


@lru_cache(maxsize=65536)
def split_tone(syl: str) -> tuple[str, int]:
    """Split a syllable into its toneless form (shape marks kept) and tone 0..5."""
    tone = 0
    kept: list[str] = []
    for c in unicodedata.normalize("NFD", syl):
        if c in TONE_MARKS:
            tone = TONE_MARKS[c]
        else:
            kept.append(c)
    return nfc("".join(kept)), tone


def tone_key(syl: str) -> str:
    """Placement-independent key so 'hoà' and 'hòa' compare equal."""
    base, tone = split_tone(syl.lower())
    return f"{base}{tone}" if tone else base


_I_TO_Y = dict(zip("ìíỉĩị", "ỳýỷỹỵ", strict=True))
_TONE_CHARS = {v: k for k, v in TONE_MARKS.items()}


def _put_tone(vowel: str, tone: int) -> str:
    """Vowel letter carrying the given tone."""
    return nfc(vowel + _TONE_CHARS[tone]) if tone else vowel


@lru_cache(maxsize=65536)
def canon(syl: str) -> str:
    """One spelling per syllable: tone on the first vowel of open oa/oe/uy ('hoà' -> 'hòa',
    'uỷ' -> 'ủy', the gold's and most documents' style) and y after k, l, m, t ('kĩ' -> 'kỹ')."""
    if len(syl) == 2 and syl[0] in "klmt" and syl[1] in _I_TO_Y:
        return syl[0] + _I_TO_Y[syl[1]]
    base, tone = split_tone(syl)
    if tone == 0:
        return syl
    for rhyme in ("oa", "oe", "uy"):
        head = base[: -len(rhyme)]
        if base.endswith(rhyme) and not head.endswith("q"):  # "quý": the u belongs to the onset
            return head + _put_tone(rhyme[0], tone) + rhyme[1]
    return syl


def has_tone(syl: str) -> bool:
    """Whether the syllable carries a tone mark."""
    return split_tone(syl)[1] != 0


def _rhyme_ok(rhyme: str, onset: str) -> bool:
    """Check a toneless rhyme against nucleus + coda patterns."""
    for nuc in _NUCLEI:
        if rhyme.startswith(nuc):
            coda = rhyme[len(nuc) :]
            if coda in _CODAS:
                if nuc in ("ia", "ya", "ua", "ưa", "uya") and coda:
                    continue
                if nuc in ("iê", "yê", "uô", "ươ", "uyê") and not coda:
                    continue
                if (
                    coda in ("i", "y", "o", "u")
                    and nuc in ("i", "y", "ư", "u", "ia", "ua")
                    and coda in (nuc[-1],)
                ):
                    continue
                if onset == "qu" and nuc.startswith("u"):
                    continue
                return True
    return False


@lru_cache(maxsize=65536)
def is_valid_syllable(word: str) -> bool:
    """Rule-based check that a lower/upper-case word is a well-formed Vietnamese syllable."""
    if not word or len(word) > 8:
        return False
    low = nfc(word.lower())
    if any(c not in VIET_LETTERS for c in low):
        return False
    base, tone = split_tone(low)
    for onset in _ONSETS:
        if onset and not base.startswith(onset):
            continue
        rhyme = base[len(onset) :]
        if onset == "gi" and (not rhyme or rhyme[0] not in VOWELS):
            rhyme = "i" + rhyme  # "gì", "gìn": gi- absorbs the nucleus i
        if not rhyme or not _rhyme_ok(rhyme, onset):
            continue
        if tone not in (0, 1, 5) and rhyme.endswith(_STOP_CODAS) and not rhyme.endswith(("ng", "nh")):
            continue  # stop codas take only sắc or nặng
        if rhyme.endswith(_STOP_CODAS) and not rhyme.endswith(("ng", "nh")) and tone == 0:
            continue
        return True
    return False


_CASE_UPPER = re.compile(r"^[^a-zà-ỹđ]*$")


def case_pattern(raw: str) -> str:
    """Classify the letter case of raw: 'lower', 'upper', 'title' or 'mixed'."""
    letters = [c for c in raw if c.isalpha()]
    if not letters:
        return "lower"
    if all(c.isupper() for c in letters):
        return "upper" if len(letters) > 1 else "title"
    if letters[0].isupper() and all(not c.isupper() for c in letters[1:]):
        return "title"
    if all(not c.isupper() for c in letters):
        return "lower"
    return "mixed"


def apply_case(word: str, pattern: str) -> str:
    """Render a lower-case word in the given case pattern."""
    if pattern == "upper":
        return word.upper()
    if pattern == "title":
        return word[:1].upper() + word[1:]
    return word
