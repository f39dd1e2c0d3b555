"""Rule-based damage detection: does a text look like diacritic-stripped / OCR-damaged Vietnamese?"""

from __future__ import annotations

import re

from corpus.repair.syllable import has_tone, is_valid_syllable, nfc, split_tone

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_MARKED = re.compile(r"[ăâđêôơư]", re.IGNORECASE)
# Common English words: a line made of these is English, not damaged Vietnamese.
ENGLISH = frozenset(
    " ".join(
        (
            "the of and to in is for on with by as at from that this these those be are was were been it its",
            "or an not no which who whom what when where why how their there they them he she we you your our",
            "has have had will would can could may might must shall should do does did done into over under",
            "about after before between through during without within than then also only other such more most",
            "some any each all both new one two first last very just up out if so but because while",
            "plan plans service services online public data digital report government ministry province city",
            "committee approved approve decision people citizens business businesses system information",
            "available use used using make made provide provided support development national local",
        )
    ).split(" ")
)
THRESHOLD = 0.25  # clean 002 scores ~0.01, the OCR plans ~0.88-0.90


def is_marked(word: str) -> bool:
    """Whether a word carries any Vietnamese diacritic (tone or letter shape)."""
    return has_tone(word) or bool(_MARKED.search(split_tone(word)[0]))


def _is_acronym(word: str) -> bool:
    """UBND, HĐND, TTg, iGate: capitals inside a word that is no syllable say nothing about damage."""
    return len(word) >= 2 and any(c.isupper() for c in word[1:]) and not is_valid_syllable(word)


def word_stats(text: str) -> tuple[int, int, int, int]:
    """(alphabetic words, invalid syllables, bare valid syllables, English words) in text."""
    words = [w for w in _WORD.findall(nfc(text)) if not _is_acronym(w)]
    invalid = bare = english = 0
    for w in words:
        low = w.lower()
        if low in ENGLISH:
            english += 1
        if not is_valid_syllable(low):
            invalid += 1
        elif not is_marked(low):
            bare += 1
    return len(words), invalid, bare, english


def looks_english(text: str) -> bool:
    """At least a third of the words are common English words, two or more of them, and one of
    those cannot be a Vietnamese syllable (so "Cong an xa" or "TO CHUC" do not count)."""
    words = [w.lower() for w in _WORD.findall(nfc(text)) if not _is_acronym(w)]
    eng = [w for w in words if w in ENGLISH]
    return len(eng) >= 2 and 3 * len(eng) >= len(words) and any(not is_valid_syllable(w) for w in eng)


def damage_score(text: str) -> float:
    """Share of words that are invalid syllables, or valid but bare where Vietnamese would mark most.

    Clean Vietnamese leaves ~25-35% of syllables unmarked; OCR-stripped text leaves ~80%+.
    The bare share above the clean baseline (0.35) counts as damage.
    """
    total, invalid, bare, _ = word_stats(text)
    if total == 0 or looks_english(text):
        return 0.0
    valid = total - invalid
    bare_excess = max(0.0, bare / valid - 0.35) / 0.65 if valid else 0.0
    return min(1.0, invalid / total + bare_excess * valid / total)


def line_is_clean(text: str) -> bool:
    """Whether one line already reads as proper Vietnamese (or carries no Vietnamese to fix)."""
    total, invalid, bare, _ = word_stats(text)
    if total == 0:
        return True
    if looks_english(text):
        return True
    valid = total - invalid
    marked = valid - bare
    if total >= 4:
        return marked / total >= 0.45 and invalid / total <= 0.15
    return marked == total


def needs_repair(text: str) -> tuple[bool, float]:
    """Decision + damage score in [0, 1]."""
    score = damage_score(text)
    return score >= THRESHOLD, score
