"""Candidate syllables for a raw OCR word: best-first search of a syllable trie under the channel."""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from corpus.repair.channel import GENERIC_SUB, MAX_EMIT, ChannelTable, normalise_raw
from corpus.repair.syllable import VIET_LOWER


class SyllableTrie:
    """Trie over the syllable inventory plus a reverse emission index for fast expansion."""

    def __init__(self, syllables: Iterable[str], table: ChannelTable, max_cost: float = 7.5) -> None:
        """Build the trie and index which glyphs can emit which raw strings cheaply."""
        self.children: list[dict[str, int]] = [{}]
        self.word: list[str | None] = [None]
        for syl in sorted(set(syllables)):
            node = 0
            for g in syl:
                nxt = self.children[node].get(g)
                if nxt is None:
                    nxt = len(self.children)
                    self.children[node][g] = nxt
                    self.children.append({})
                    self.word.append(None)
                node = nxt
            self.word[node] = syl
        self.table = table
        glyphs = sorted({g for kids in self.children for g in kids} | set(VIET_LOWER))
        # emitters[e] -> [(glyph, cost)]: every glyph whose learned cost of emitting e is usable.
        self.emitters: dict[str, list[tuple[str, float]]] = {}
        raw_strings = (
            {""} | set(VIET_LOWER) | {k[2:] for d in table.counts.values() for k in d if k.startswith("L:")}
        )
        for e in raw_strings:
            if len(e) > MAX_EMIT:
                continue
            lst = [(g, table.cost(g, e)) for g in glyphs]
            self.emitters[e] = sorted((g, c) for g, c in lst if c <= max_cost)
        self._glyphs = glyphs
        self._cache: dict[tuple[str, float, int], list[tuple[str, float]]] = {}
        self._costs: dict[tuple[str, bool], tuple[list[tuple[str, float]], dict[str, float]]] = {}

    def _options(self, e: str, generic: bool) -> list[tuple[str, float]]:
        """Glyphs that may emit raw string e, with their costs."""
        known = self.emitters.get(e)
        if known is not None:
            return known
        if generic and len(e) <= 1:
            return [(g, GENERIC_SUB) for g in self._glyphs]
        return []

    def _costed(self, e: str, generic: bool) -> tuple[list[tuple[str, float]], dict[str, float]]:
        """_options(e) as a list and as a glyph -> cost map (memoised)."""
        key = (e, generic)
        hit = self._costs.get(key)
        if hit is None:
            opts = self._options(e, generic)
            hit = (opts, dict(opts))
            if len(self._costs) < 200_000:
                self._costs[key] = hit
        return hit

    def search(
        self, raw: str, margin: float = 6.0, limit: int = 32, max_pops: int = 6000
    ) -> list[tuple[str, float]]:
        """Syllables that could have produced raw, as (syllable, channel cost), cheapest first."""
        text = normalise_raw(raw)
        key = (text, margin, limit)
        if key in self._cache:
            return self._cache[key]
        found = self._search(text, margin, limit, max_pops, generic=False)
        if not found or found[0][1] > 6.0:
            found = self._merge(found, self._search(text, margin, limit, max_pops // 2, generic=True), limit)
        self._cache[key] = found
        return found

    @staticmethod
    def _merge(a: list[tuple[str, float]], b: list[tuple[str, float]], limit: int) -> list[tuple[str, float]]:
        """Union of two candidate lists keeping each syllable's cheapest cost."""
        best: dict[str, float] = {}
        for syl, c in a + b:
            if c < best.get(syl, float("inf")):
                best[syl] = c
        return sorted(best.items(), key=lambda x: x[1])[:limit]

    def _search(
        self, text: str, margin: float, limit: int, max_pops: int, generic: bool
    ) -> list[tuple[str, float]]:
        """Uniform-cost search over (position in raw, trie node) states."""
        n = len(text)
        stride = len(self.children)
        heap: list[tuple[float, int, int]] = [(0.0, 0, 0)]
        seen: dict[int, float] = {0: 0.0}  # key: position * stride + node
        out: list[tuple[str, float]] = []
        bound = float("inf")
        pops = 0
        children, words, costed = self.children, self.word, self._costed
        push, pop = heapq.heappush, heapq.heappop
        inf = float("inf")
        # raw substrings starting at each position, with the glyphs that can emit them
        emit = [
            [
                (length, *costed(text[i : i + length], generic))
                for length in range(0, MAX_EMIT + 1)
                if i + length <= n
            ]
            for i in range(n + 1)
        ]
        while heap and pops < max_pops:
            cost, i, node = pop(heap)
            if cost > bound:
                break
            if seen.get(i * stride + node, inf) < cost:
                continue
            pops += 1
            if i == n:
                word = words[node]
                if word is not None:
                    out.append((word, cost))
                    if len(out) == 1:
                        bound = cost + margin
                    if len(out) >= limit:
                        break
            kids = children[node]
            if generic and i < n:
                # an unexplained raw character (scanner noise) is skipped at a flat cost
                c2 = cost + GENERIC_SUB
                k = (i + 1) * stride + node
                if c2 < seen.get(k, inf):
                    seen[k] = c2
                    push(heap, (c2, i + 1, node))
            for length, opts, costs in emit[i]:
                j = i + length
                # walk the shorter side: a deep trie node has few children, a raw string many emitters
                if len(kids) < len(opts):
                    pairs = [(child, costs[g]) for g, child in kids.items() if g in costs]
                else:
                    pairs = [(kids[g], c) for g, c in opts if g in kids]
                for child, c in pairs:
                    c2 = cost + c
                    k = j * stride + child
                    if c2 < seen.get(k, inf):
                        seen[k] = c2
                        push(heap, (c2, j, child))
        return out
