"""BM25-style sparse vectors over segmented, folded Vietnamese, OCR-tolerant through character n-grams."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import dataclass

from corpus.text import fold, unpad

_DATE = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\b")
_MONTH = re.compile(r"(?<![/\d])(\d{1,2})\s*/\s*(\d{4})\b")
_CODE = re.compile(r"\b\d{1,5}\s*[/-]\s*[A-Za-zĐđ][\w/-]*", re.UNICODE)
_NUMBER = re.compile(r"(?<![\d/.,])\d+(?:[.,]\d+)?\s*%?")
# A code broken at a line end or spaced by OCR ("21/2023/TT-⏎BTTTT", "07- KH/ĐU") is still one code.
_BROKEN_CODE = re.compile(r"(?<=\w)([/-])\s+(?=[A-ZĐ])")


@dataclass(frozen=True)
class SparseSettings:
    """Term weighting; recorded in the index."""

    k1: float = 1.2
    b: float = 0.75
    trigram_weight: float = 0.3
    word_weight: float = 1.0
    entity_weight: float = 2.0
    version: int = 4

    def as_dict(self) -> dict[str, float]:
        """Plain form for the build record."""
        return {"k1": self.k1, "b": self.b, "trigram_weight": self.trigram_weight,
                "word_weight": self.word_weight, "entity_weight": self.entity_weight,
                "version": self.version}


_LONG_MONTH = re.compile(r"\bthang\s+(\d{1,2})\s+nam\s+(\d{4})\b")
_LONG_DATE = re.compile(r"\bngay\s*(\d{1,2})\s*th\w*\s+(\d{1,2})\s+n\w*\s+(\d{4})\b")


def entities(text: str) -> list[str]:
    """Dates, month/years, document codes and numbers, in a canonical folded form."""
    text = _BROKEN_CODE.sub(r"\1", text)
    out = [f"{int(d)}/{int(m)}/{y}" for d, m, y in _DATE.findall(text)]
    for d, m, y in _LONG_DATE.findall(fold(text).replace("ngay", " ngay ")):
        # "ngày 18 tháng 8 năm 2025" is the same date as 18/8/2025, and falls in month 8/2025.
        out += [f"{int(d)}/{int(m)}/{y}", f"{int(m)}/{y}"]
    if not out:
        # "ngày      tháng 9 năm 2025": the day left blank still dates the month.
        out += [f"{int(m)}/{y}" for m, y in _LONG_MONTH.findall(fold(text)) if 1 <= int(m) <= 12]
    stripped = _DATE.sub(" ", text)
    out += [f"{int(m)}/{y}" for m, y in _MONTH.findall(stripped) if 1 <= int(m) <= 12]
    out += [f"{int(m)}/{y}" for _, m, y in _DATE.findall(text)]
    out += [re.sub(r"\s+", "", fold(c).replace(" ", "-")) for c in _CODE.findall(stripped)]
    out += [unpad(n.replace(" ", "")) for n in _NUMBER.findall(stripped)]  # "02 đợt" counts what "2 đợt" does
    return out


def trigrams(syllable: str) -> list[str]:
    """Character trigrams with word boundaries: "lugng" -> #lu lug ugn gng ng#."""
    padded = f"#{syllable}#"
    return [padded[i:i + 3] for i in range(len(padded) - 2)] if len(syllable) >= 2 else []


def terms(text: str, segmented: str = "") -> Counter[str]:
    """Weighted term counts of a text: syllables, segmented words, entities, trigrams."""
    counts: Counter[str] = Counter()
    syllables = fold(text).split()
    counts.update(f"s:{s}" for s in syllables)
    if segmented:
        for word in segmented.split():
            if "_" in word:
                folded = "_".join(fold(part) for part in word.split("_") if fold(part))
                if folded.count("_") >= 1:
                    counts[f"w:{folded}"] += 1
    counts.update(f"e:{e}" for e in entities(text))
    counts.update(f"c:{t}" for s in syllables if not s.isdigit() for t in trigrams(s))
    return counts


def term_id(term: str) -> int:
    """Stable 31-bit id of a term (no vocabulary file to keep in sync)."""
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


def _field_weight(term: str, settings: SparseSettings) -> float:
    prefix = term[:2]
    if prefix == "c:":
        return settings.trigram_weight
    if prefix == "w:":
        return settings.word_weight
    if prefix == "e:":
        return settings.entity_weight
    return 1.0


def doc_vector(counts: Counter[str], avgdl: float, settings: SparseSettings) -> tuple[list[int], list[float]]:
    """BM25 term-frequency saturation per term; Qdrant's IDF modifier supplies the IDF half."""
    dl = sum(v for k, v in counts.items() if k.startswith("s:")) or 1
    norm = settings.k1 * (1 - settings.b + settings.b * dl / max(avgdl, 1.0))
    weights: dict[int, float] = {}
    for term, tf in counts.items():
        w = tf * (settings.k1 + 1) / (tf + norm) * _field_weight(term, settings)
        tid = term_id(term)
        weights[tid] = weights.get(tid, 0.0) + w
    ids = sorted(weights)
    return ids, [weights[i] for i in ids]


def query_vector(counts: Counter[str], settings: SparseSettings) -> tuple[list[int], list[float]]:
    """Query side: each distinct term once, scaled by its field weight."""
    weights: dict[int, float] = {}
    for term in counts:
        tid = term_id(term)
        weights[tid] = max(weights.get(tid, 0.0), _field_weight(term, settings))
    ids = sorted(weights)
    return ids, [weights[i] for i in ids]
