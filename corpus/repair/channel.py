"""OCR channel model: how a Vietnamese glyph is rendered by the scanner, learned from aligned pairs.

Every letter of a true syllable emits a raw string of 0-2 characters.  Same-base single letters are
coded by relation (exact, marks dropped, tone dropped/changed, shape changed) so that counts
generalise across tones; everything else ('ư' -> 'ir', 'ố' -> '6', 'ấ' -> 'i') is a literal
emission counted per glyph class (shape + whether a tone is present).
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from corpus.repair.syllable import VIET_LOWER, fold, nfc, split_tone

MAX_EMIT = 2
GENERIC_SUB = 8.0  # an unforeseen one-character substitution, insertion or deletion
RELATIONS = ("=", "0", "T-", "T~", "S~")
# Relation priors P0(rel | glyph), for marked and unmarked glyphs; the rest of the mass is literal.
_PRIOR_MARKED = {"=": 0.25, "0": 0.45, "T-": 0.1, "T~": 0.04, "S~": 0.06}
_PRIOR_PLAIN = {"=": 0.93, "T~": 0.01, "S~": 0.01}
_LITERAL_PRIOR = 1e-4
_ALPHA = 3.0  # weight of the prior against learned counts
# Marked glyphs are damaged like their kin: 'ứ' may come out as "ti" because 'ú' did ("chtic" =
# "chức"). Pseudo-count of the kin classes' literal emissions in a marked class's estimate (decoding only).
FAMILY_BETA = 5.0


def glyph_class(g: str) -> str:
    """Class key of a glyph: its toneless shape plus '1' if it carries a tone ('ệ' -> 'ê1')."""
    shape, tone = split_tone(g)
    return f"{shape}{1 if tone else 0}"


def relation(g: str, e: str) -> str | None:
    """Relation of a single raw letter e to glyph g when both share a base letter, else None."""
    if len(e) != 1 or fold(e) != fold(g) or not e.isalpha():
        return None
    if e == g:
        return "="
    if e == fold(g):
        return "0"
    g_shape, _ = split_tone(g)
    e_shape, e_tone = split_tone(e)
    if e_shape == g_shape:
        return "T-" if e_tone == 0 else "T~"
    return "S~"


def emission_key(g: str, e: str) -> str:
    """Counting key of an emission: a relation code or the literal raw string."""
    rel = relation(g, e)
    return rel if rel is not None else "L:" + e


class ChannelTable:
    """Learned emission probabilities with relation priors; costs are negative natural logs."""

    def __init__(self, counts: dict[str, dict[str, float]], family_beta: float | None = None) -> None:
        """counts[class][key] -> weighted count (key from emission_key); family_beta defaults to FAMILY_BETA."""
        self.counts = counts
        self.family_beta = FAMILY_BETA if family_beta is None else family_beta
        self._totals = {cls: sum(v.values()) for cls, v in counts.items()}
        self._cache: dict[tuple[str, str], float] = {}
        self._family: dict[str, dict[str, float]] = {}

    def _family_rates(self, cls: str) -> dict[str, float]:
        """Literal emissions of the other classes with the same base letter and tone flag, as shares."""
        fam = self._family.get(cls)
        if fam is None:
            base = fold(cls[:-1]) + cls[-1]
            sibs = [c for c in self.counts if c != cls and fold(c[:-1]) + c[-1] == base]
            fam = {}
            for c in sibs:
                for k, v in self.counts[c].items():
                    if k.startswith("L:"):
                        fam[k] = fam.get(k, 0.0) + v
            total = sum(fam.values())
            fam = {k: v / total for k, v in fam.items()}
            self._family[cls] = fam
        return fam

    def cost(self, g: str, e: str) -> float:
        """-log P(raw e | glyph g); GENERIC_SUB-level for unseen literal emissions."""
        key = (g, e)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        cls = glyph_class(g)
        marked = cls[:-1] != fold(g) or cls.endswith("1")
        prior = _PRIOR_MARKED if marked else _PRIOR_PLAIN
        k = emission_key(g, e)
        p0 = prior.get(k, 0.0) if not k.startswith("L:") else _LITERAL_PRIOR
        if k == "T~" or k == "S~":
            p0 /= 4  # spread over the other tones/shapes that share the relation
        n = self.counts.get(cls, {}).get(k, 0.0)
        total = self._totals.get(cls, 0.0)
        # a plain letter is read faithfully; only marked glyphs share their damage with their kin
        kin = self._family_rates(cls) if marked and self.family_beta else {}
        beta = self.family_beta if kin else 0.0
        p = (n + _ALPHA * p0 + beta * kin.get(k, 0.0)) / (total + _ALPHA + beta)
        value = min(-math.log(p), GENERIC_SUB) if p > 0 else GENERIC_SUB
        self._cache[key] = value
        return value

    def to_json(self) -> str:
        """Serialise the counts."""
        rounded = {c: {k: round(v, 2) for k, v in sorted(d.items())} for c, d in sorted(self.counts.items())}
        return json.dumps(rounded, ensure_ascii=False, indent=0, sort_keys=True)

    @classmethod
    def load(cls, path: Path) -> ChannelTable:
        """Read counts written by to_json."""
        return cls(json.loads(path.read_text(encoding="utf-8")))


def normalise_raw(raw: str) -> str:
    """Lower-case NFC form of a raw OCR word with ligatures expanded."""
    text = unicodedata.normalize("NFKC", raw) if any(c in raw for c in "ﬁﬂ") else raw
    return nfc(text.lower())


def align(table: ChannelTable, raw: str, gold: str) -> tuple[float, list[tuple[str, str]]]:
    """Cheapest segmentation of raw into one emission per gold glyph; returns (cost, [(glyph, emit)])."""
    n, m = len(raw), len(gold)
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(m + 1)]
    back: list[list[tuple[int, str] | None]] = [[None] * (n + 1) for _ in range(m + 1)]
    best[0][0] = 0.0
    for j in range(m):
        g = gold[j]
        for i in range(n + 1):
            base = best[j][i]
            if base == inf:
                continue
            for length in range(0, MAX_EMIT + 1):
                if i + length > n:
                    break
                e = raw[i : i + length]
                c = base + table.cost(g, e)
                if c < best[j + 1][i + length]:
                    best[j + 1][i + length] = c
                    back[j + 1][i + length] = (i, e)
    if best[m][n] == inf:
        return inf, []
    path: list[tuple[str, str]] = []
    i = n
    for j in range(m, 0, -1):
        step = back[j][i]
        assert step is not None
        path.append((gold[j - 1], step[1]))
        i = step[0]
    path.reverse()
    return best[m][n], path


def learn(pairs: Iterable[tuple[str, str, float]], rounds: int = 3, max_cost: float = 14.0) -> ChannelTable:
    """Hard-EM: align (raw, gold, weight) pairs with the current table and recount emissions."""
    data = [(normalise_raw(r), nfc(g.lower()), w) for r, g, w in pairs]
    table = ChannelTable({}, family_beta=0.0)
    for _ in range(rounds):
        counts: dict[str, dict[str, float]] = {}
        for raw, gold, weight in data:
            cost, path = align(table, raw, gold)
            if not path or cost > max_cost:
                continue  # probably a different word, not an OCR rendering of this one
            for g, e in path:
                slot = counts.setdefault(glyph_class(g), {})
                k = emission_key(g, e)
                slot[k] = slot.get(k, 0.0) + weight
        table = ChannelTable(counts, family_beta=0.0)  # counts what was seen; kin sharing is for decoding
    return table


def viet_letters() -> list[str]:
    """All lower-case Vietnamese letters (glyphs a syllable is made of)."""
    return list(VIET_LOWER)
