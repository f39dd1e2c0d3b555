"""Syllable n-gram language models: interpolated Kneser-Ney over weighted counts, and their mixture."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

BOS = "<s>"
EOS = "</s>"
NUM = "<num>"
PUNCT = "<p>"
CODE = "<code>"
UNK = "<unk>"
SPECIALS = (BOS, EOS, NUM, PUNCT, CODE, UNK)

ORDER = 4
DISCOUNT = 0.8  # per order; a fractional count gives away at most its own size (tuned on held-out OCR lines)
_LEFT = "<x>"  # pseudo left context of bigram-only evidence (lexicon words, CRF pairs, place names)

Gram = tuple[str, ...]


class NGramLM:
    """Interpolated Kneser-Ney model of order ORDER.

    Lower orders use continuation counts, so a syllable seen often but only after one word
    ("dựng" after "xây") is not preferred in new contexts.  A log-linear bonus rewards adjacent
    syllables that form (part of) a dictionary word.
    """

    def __init__(self, order: int | None = None) -> None:
        """Start with empty counts."""
        order = ORDER if order is None else order
        self.order = order
        self.counts: list[dict[Gram, float]] = [defaultdict(float) for _ in range(order + 1)]
        self.uni: dict[str, float] = defaultdict(float)
        self.total = 0.0
        # per order n (1..order): history -> (total, discounted mass) and (history + w) -> count used
        self.ctx: list[dict[Gram, tuple[float, float]]] = [{} for _ in range(order + 1)]
        self.used: list[dict[Gram, float]] = [{} for _ in range(order + 1)]
        self.vocab_size = 1
        # adjacent syllables inside a lexicon word -> log-linear bonus (set by the model builder)
        self.word_pairs: dict[tuple[str, str], float] = {}
        self._memo: dict[Gram, float] = {}
        self._pmemo: dict[Gram, float] = {}
        self._cmemo: dict[Gram, Gram] = {}
        # decoder caches, kept across calls: context -> {symbol: logp}; last symbols -> context
        self.rows: dict[Gram, dict[str, float]] = {}
        self.contexts: dict[Gram, Gram] = {}

    def add(self, symbols: Sequence[str], weight: float = 1.0, bounded: bool = True) -> None:
        """Count one sequence; bounded adds sentence start/end, unbounded only inner n-grams."""
        pad = self.order - 1
        seq = [BOS] * pad + [*symbols, EOS] if bounded else [_LEFT, *symbols]
        first = pad if bounded else 1
        uni = self.uni
        for w in seq[first:]:
            uni[w] += weight
        self.total += weight * (len(seq) - first)
        for n in range(2, self.order + 1):
            table = self.counts[n]
            # every n-gram ending at or after `first`
            for gram in zip(*(seq[max(0, first - n + 1) + k :] for k in range(n)), strict=False):
                table[gram] += weight

    def finalize(self, vocab: Iterable[str]) -> None:
        """Derive continuation counts and per-history totals."""
        self.vocab_size = max(1, len(set(vocab) | set(self.uni)))
        top = self.order
        self.used[top] = dict(self.counts[top])
        for n in range(top - 1, 0, -1):
            cont: Counter[Gram] = Counter(gram[1:] for gram in self.counts[n + 1])  # C loop: half the build time
            for gram in self.counts[n] if n >= 2 else ():
                if gram[0] in (_LEFT, BOS) and gram not in cont:
                    cont[gram] = 1  # no left context was ever observable
            self.used[n] = dict(cont)
        for n in range(1, top + 1):
            totals: dict[Gram, float] = defaultdict(float)
            masses: dict[Gram, float] = defaultdict(float)
            for gram, c in self.used[n].items():
                h = gram[:-1]
                totals[h] += c
                masses[h] += DISCOUNT if c >= DISCOUNT else c
            self.ctx[n] = {h: (t, masses[h]) for h, t in totals.items()}
        self.counts = [dict(c) for c in self.counts]
        self.uni = dict(self.uni)
        self._memo = {}
        self._pmemo = {}
        self._cmemo = {}

    def p_uni(self, w: str) -> float:
        """Raw unigram probability with an add-0.1 floor (used to rank candidates)."""
        return (self.uni.get(w, 0.0) + 0.1) / (self.total + 0.1 * self.vocab_size)

    def _p(self, hist: Gram, w: str) -> float:
        """Interpolated probability of w after hist (len(hist) < order), memoised at every order."""
        key = (*hist, w)
        hit = self._pmemo.get(key)
        if hit is not None:
            return hit
        n = len(key)
        if n == 1:
            ctx = self.ctx[1].get(())
            c = self.used[1].get(key, 0.0)
            p = 1.0 / self.vocab_size if ctx is None else (c + 0.1) / (ctx[0] + 0.1 * self.vocab_size)
        else:
            p = self._p(hist[1:], w)
            ctx = self.ctx[n].get(hist)
            if ctx is not None:
                c = self.used[n].get(key, 0.0)
                p = (c - min(DISCOUNT, c) + ctx[1] * p) / ctx[0]
        if len(self._pmemo) > 4_000_000:
            self._pmemo.clear()  # bound memory on very long inputs
        self._pmemo[key] = p
        return p

    def context(self, hist: Gram) -> Gram:
        """Longest suffix of hist seen as a history in training (at least the last symbol).

        Unseen longer histories back off entirely, so scores are identical and the decoder can
        share work between states whose histories differ only in unseen older symbols.
        """
        hit = self._cmemo.get(hist)
        if hit is not None:
            return hit
        out = hist[-1:]
        for k in range(len(hist), 1, -1):
            if hist[-k:] in self.ctx[k + 1]:
                out = hist[-k:]
                break
        if len(self._cmemo) > 1_000_000:
            self._cmemo.clear()
        self._cmemo[hist] = out
        return out

    def logp(self, hist: Gram, w: str) -> float:
        """Natural-log score of w after hist (at most order-1 symbols) plus the dictionary-word bonus."""
        key = (*hist, w)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        value = math.log(self._p(hist, w))
        if hist:
            value += self.word_pairs.get((hist[-1], w), 0.0)  # evidence: "v w" is (part of) a dictionary word
        if len(self._memo) > 2_000_000:
            self._memo.clear()  # bound memory on very long inputs
        self._memo[key] = value
        return value

    def count(self, w: str) -> float:
        """Weighted unigram count of w."""
        return self.uni.get(w, 0.0)

    def state(self) -> dict[str, object]:
        """Plain-data form for caching."""
        return {
            "order": self.order,
            "uni": self.uni,
            "total": self.total,
            "ctx": self.ctx,
            "used": self.used,
            "vocab_size": self.vocab_size,
            "word_pairs": self.word_pairs,
        }

    @classmethod
    def from_state(cls, state: dict[str, object]) -> NGramLM:
        """Rebuild from state() (raw counts are not needed for scoring and are not kept)."""
        lm = cls(int(state["order"]))  # type: ignore[call-overload]
        lm.uni = state["uni"]  # type: ignore[assignment]
        lm.total = float(state["total"])  # type: ignore[arg-type]
        lm.ctx = state["ctx"]  # type: ignore[assignment]
        lm.used = state["used"]  # type: ignore[assignment]
        lm.vocab_size = int(state["vocab_size"])  # type: ignore[call-overload]
        lm.word_pairs = state["word_pairs"]  # type: ignore[assignment]
        return lm


class MixtureLM:
    """Linear interpolation of separately smoothed n-gram models (one per kind of text).

    Merging the counts lets a large out-of-domain text (law codes) swamp a small in-domain one
    (the clean plans) in every context both have seen; interpolating keeps each model's own
    distribution and weighs the models instead.
    """

    def __init__(self, parts: Sequence[NGramLM], weights: Sequence[float]) -> None:
        """Component models and their weights (normalised here)."""
        total = sum(weights)
        self.parts = list(parts)
        self.weights = [w / total for w in weights]
        self.order = max(p.order for p in parts)
        self.word_pairs: dict[tuple[str, str], float] = {}
        self.rows: dict[Gram, dict[str, float]] = {}
        self.contexts: dict[Gram, Gram] = {}
        self._memo: dict[Gram, float] = {}
        self._cmemo: dict[Gram, Gram] = {}
        self._tables = list(zip(self.weights, self.parts, strict=True))
        # histories of length k seen by any component (k >= 2); shorter ones are always kept
        self._seen: list[set[Gram]] = [set() for _ in range(self.order)]
        for k in range(2, self.order):
            for part in self.parts:
                if k + 1 <= part.order:
                    self._seen[k].update(part.ctx[k + 1])

    def p_uni(self, w: str) -> float:
        """Mixed raw unigram probability."""
        return sum(lam * p.p_uni(w) for lam, p in zip(self.weights, self.parts, strict=True))

    def count(self, w: str) -> float:
        """Summed weighted unigram count."""
        return sum(p.count(w) for p in self.parts)

    def context(self, hist: Gram) -> Gram:
        """Longest suffix of hist that some component has seen as a history."""
        hit = self._cmemo.get(hist)
        if hit is None:
            hit = hist[-1:]
            for k in range(len(hist), 1, -1):
                if hist[-k:] in self._seen[k]:
                    hit = hist[-k:]
                    break
            if len(self._cmemo) > 1_000_000:
                self._cmemo.clear()
            self._cmemo[hist] = hit
        return hit

    def logp(self, hist: Gram, w: str) -> float:
        """log of the mixed probability plus the dictionary-word bonus."""
        key = (*hist, w)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        p = 0.0
        n = len(key)
        for lam, part in self._tables:
            # the component's interpolated estimate, built up from the unigram (no recursion)
            ctx = part.ctx[1].get(())
            c = part.used[1].get(key[-1:], 0.0)
            q = 1.0 / part.vocab_size if ctx is None else (c + 0.1) / (ctx[0] + 0.1 * part.vocab_size)
            for k in range(2, n + 1):
                ctx = part.ctx[k].get(key[-k:-1])
                if ctx is None:
                    break  # a longer history containing an unseen one is unseen too
                c = part.used[k].get(key[-k:], 0.0)
                q = (c - min(DISCOUNT, c) + ctx[1] * q) / ctx[0]
            p += lam * q
        value = math.log(p)
        if hist:
            value += self.word_pairs.get((hist[-1], w), 0.0)
        if len(self._memo) > 2_000_000:
            self._memo.clear()
        self._memo[key] = value
        return value

    def state(self) -> dict[str, object]:
        """Plain-data form for caching."""
        return {
            "parts": [p.state() for p in self.parts],
            "weights": self.weights,
            "word_pairs": self.word_pairs,
        }

    @classmethod
    def from_state(cls, state: dict[str, object]) -> MixtureLM:
        """Rebuild from state()."""
        parts = [NGramLM.from_state(s) for s in state["parts"]]  # type: ignore[attr-defined]
        lm = cls(parts, state["weights"])  # type: ignore[arg-type]
        lm.word_pairs = state["word_pairs"]  # type: ignore[assignment]
        return lm
