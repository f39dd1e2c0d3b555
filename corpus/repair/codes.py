"""Document-code restoration: map OCR-damaged code parts (QP, Qb, TTG, BCPTW) to known spellings."""

from __future__ import annotations

from collections.abc import Iterable

from corpus.repair.syllable import fold

# The scanner reads the capital Đ as P, b, D or Ð; everything else in codes survives up to case.
_D_STROKE = frozenset("PpbBDdĐđÐ")
_I_LIKE = frozenset("Ii1lI|")  # capital I, lower-case l and the digit 1 look alike
_SPLIT_D = ("PD", "PĐ", "DD", "bD", "Pb")  # a capital Đ read as two letters


class CodeBook:
    """Known code segments, indexed by length for fast approximate lookup."""

    def __init__(self, codes: Iterable[str]) -> None:
        """Index the code spellings by length."""
        self._by_len: dict[int, list[str]] = {}
        self._exact: dict[str, str] = {}
        for code in codes:
            self._by_len.setdefault(len(code), []).append(code)
            self._exact.setdefault(code.upper(), code)
        self._cache: dict[str, str | None] = {}

    def match(self, seg: str) -> str | None:
        """Canonical spelling for seg, or None when no known code fits."""
        if seg in self._cache:
            return self._cache[seg]
        found = self._match(seg)
        self._cache[seg] = found
        return found

    def is_code(self, seg: str) -> bool:
        """Whether seg is (an OCR variant of) a known code."""
        return self.match(seg) is not None

    def _match(self, seg: str) -> str | None:
        """Known code for seg, also when the scanner split Đ into two letters ("HPDND" = "HĐND")."""
        found = self._match_same_length(seg)
        if found is None:
            for pair in _SPLIT_D:
                if pair in seg:
                    found = self._match_same_length(seg.replace(pair, "Đ", 1))
                    if found is not None:
                        break
        return found

    def _match_same_length(self, seg: str) -> str | None:
        """Exact (case-insensitive) first, then with the Đ confusions; prefer the fewest Đ swaps."""
        exact = self._exact.get(seg.upper())
        if exact is not None:
            return exact
        best: tuple[int, str] | None = None
        for code in self._by_len.get(len(seg), []):
            swaps = 0
            for raw_c, code_c in zip(seg, code, strict=True):
                if code_c == "Đ" and raw_c in _D_STROKE:
                    swaps += raw_c != "Đ"
                elif code_c in "Ii" and raw_c in _I_LIKE:
                    swaps += raw_c != code_c
                elif fold(raw_c) != fold(code_c):
                    break
            else:
                if best is None or swaps < best[0]:
                    best = (swaps, code)
        return best[1] if best else None
