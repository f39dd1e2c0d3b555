"""Whole-word OCR confusions: how often a syllable ("từng") was written as a given raw word ("timg").

The letter channel scores each glyph on its own, so a damage pattern that spans letters ("ừn" -> "im")
costs as much as an implausible one. Where the aligned pairs saw the exact raw word, its relative
frequency is better evidence; it is mixed with the letter channel, never replacing it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from corpus.repair.channel import normalise_raw
from corpus.repair.syllable import canon, nfc

MIN_COUNT = 2  # a raw->syllable pair seen once may be an alignment slip; not remembered


def check_weight(weight: float) -> None:
    """The word-level share of the mixed channel must leave the letter channel some weight."""
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"memory_weight must be in [0, 1), got {weight}; 0 turns the word memory off")


class WordMemory:
    """P(raw word | syllable) by relative frequency in aligned pairs, mixed into the letter channel."""

    def __init__(self, counts: dict[str, dict[str, float]], totals: dict[str, float] | None = None) -> None:
        """counts[syllable][raw word (lower case)] -> times aligned; totals[syllable] over all raw forms
        (by default the sum of its counts; a loaded table stores only the forms seen MIN_COUNT times)."""
        self.counts = counts
        self.totals = totals if totals is not None else {syl: sum(raws.values()) for syl, raws in counts.items()}
        self._readings: dict[str, dict[str, float]] = {}
        for syl, raws in counts.items():
            for raw, n in raws.items():
                if n >= MIN_COUNT:
                    self._readings.setdefault(raw, {})[syl] = n / self.totals[syl]

    @classmethod
    def learn(cls, pairs: Iterable[tuple[str, str, float]]) -> WordMemory:
        """From (raw word, true syllable, count) triples; every raw form of a syllable adds to its total."""
        counts: dict[str, dict[str, float]] = {}
        for raw, syl, n in pairs:
            slot = counts.setdefault(canon(nfc(syl.lower())), {})  # one spelling: "hoá" counts as "hóa"
            key = normalise_raw(raw)
            slot[key] = slot.get(key, 0.0) + n
        return cls(counts)

    def readings(self, raw: str) -> dict[str, float]:
        """Syllables this raw word was aligned to (at least MIN_COUNT times), with P(raw | syllable)."""
        return dict(self._readings.get(normalise_raw(raw), {}))

    @staticmethod
    def mix(readings: dict[str, float], syl: str, letter_cost: float, weight: float) -> float:
        """Channel cost (nats) of syl: weight * P_word(raw | syl) + (1 - weight) * P_letters(raw | syl)."""
        if not weight:
            return letter_cost
        p = weight * readings.get(syl, 0.0) + (1.0 - weight) * math.exp(-letter_cost)
        return -math.log(p) if p > 0 else math.inf

    def to_json(self) -> str:
        """Serialise: per syllable, its total over all raw forms and the raw forms seen MIN_COUNT+ times."""
        out: dict[str, dict[str, object]] = {}
        for syl, raws in sorted(self.counts.items()):
            kept = {r: n for r, n in sorted(raws.items()) if n >= MIN_COUNT}
            if kept:
                out[syl] = {"total": self.totals[syl], "raw": kept}
        return json.dumps(out, ensure_ascii=False, indent=0, sort_keys=True)

    @classmethod
    def load(cls, path: Path) -> WordMemory:
        """Read counts written by to_json."""
        data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        counts = {syl: {str(r): float(n) for r, n in entry["raw"].items()} for syl, entry in data.items()}
        return cls(counts, {syl: float(entry["total"]) for syl, entry in data.items()})
