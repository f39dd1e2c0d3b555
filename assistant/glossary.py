"""English words and phrases of a question looked up in a bilingual glossary of administrative vocabulary
(assistant/data/glossary_en_vi.txt, written once from general knowledge, never from questions): the sure
Vietnamese renderings of the words it has; the index's lexicon (nearest words by the multilingual model) maps
the rest."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from corpus.text import fold, nfc

GLOSSARY = Path(__file__).resolve().parent / "data" / "glossary_en_vi.txt"
SURE = 1.0  # how sure a glossary rendering is; a nearest word of the index's lexicon is always less sure


def _key(english: str) -> str:
    """A glossary key as a question's words give it: its content words as the question analysis reads them
    (query._terms: "people's committee" is "people committee", "department of health" "department health", the
    words that only say what is asked, "plan", "agency", left out); a single word as it is."""
    from assistant.query import _terms

    words = english.lower().split()
    if len(words) == 1 and words[0].isalpha():
        return words[0]
    return " ".join(_terms(english.lower(), "en"))


@lru_cache(maxsize=4)
def load(path: Path = GLOSSARY) -> dict[str, tuple[str, ...]]:
    """English key -> its folded Vietnamese renderings, most usual first."""
    out: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        english, vietnamese = line.split("\t", 1)
        key = _key(english)
        if not key:
            continue
        renderings = [fold(nfc(v)).strip() for v in vietnamese.split("|")]
        merged = [*out.get(key, ()), *(r for r in renderings if r)]
        out[key] = tuple(dict.fromkeys(merged))
    return out


def _bases(word: str) -> Iterator[str]:
    """The word, then the base forms it may be inflected from (plural nouns, past and -ing forms of verbs)."""
    yield word
    if len(word) <= 3:
        return
    if word.endswith("ies"):
        yield word[:-3] + "y"
    if word.endswith("es"):
        yield word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        yield word[:-1]
    if word.endswith("ied"):
        yield word[:-3] + "y"
    for ending in ("ed", "ing"):
        stem = word[:-len(ending)]
        if word.endswith(ending) and len(stem) >= 2:
            yield stem
            yield stem + "e"  # "used", "issued"
            if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "aeious":  # "submitted", "controlled"
                yield stem[:-1]


def renderings(english: str, path: Path = GLOSSARY) -> tuple[str, ...]:
    """The glossary's folded Vietnamese renderings of an English word or phrase, its inflected forms included;
    () when the glossary does not have it."""
    table = load(path)
    words = _key(english).split()
    if not words or len(words) > 4:
        return ()
    for combo in itertools.islice(itertools.product(*(list(dict.fromkeys(_bases(w))) for w in words)), 64):
        found = table.get(" ".join(combo))
        if found:
            return found
    return ()
