"""Viterbi over candidate syllables, scored by the n-gram LM plus the channel cost."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from corpus.repair.lm import BOS, EOS


@dataclass(frozen=True)
class Option:
    """One choice for a slot: the LM symbol, the text to output, its channel cost (nats), capitalised?

    A spare option fell outside the per-word shortlist; it is decoded only when it forms a dictionary
    word with a neighbour's option (see Restorer._widen).
    """

    symbol: str
    text: str
    cost: float
    cap: bool = False
    spare: bool = False


class Scorer(Protocol):
    """Anything that gives log P(w | history)."""

    order: int
    rows: dict[tuple[str, ...], dict[str, float]]  # decoder cache: context -> {symbol: logp}
    contexts: dict[tuple[str, ...], tuple[str, ...]]  # decoder cache: last symbols -> context

    def context(self, hist: tuple[str, ...]) -> tuple[str, ...]:
        """The part of hist that matters for scoring."""
        ...

    def logp(self, hist: tuple[str, ...], w: str) -> float:
        """Log-probability (or score) of w after the history symbols."""
        ...


@dataclass(frozen=True)
class NameBonus:
    """Bonus for two capitalised words that together spell (part of) a gazetteer name."""

    pairs: frozenset[tuple[str, str]] = frozenset()
    bonus: float = 0.0

    def __call__(self, a: Option, b: Option) -> float:
        """Bonus for option b following option a."""
        if self.bonus and a.cap and b.cap and (a.symbol, b.symbol) in self.pairs:
            return self.bonus
        return 0.0


NO_NAMES = NameBonus()
_START = Option(BOS, "", 0.0)


def history(syms: tuple[str, ...], size: int) -> tuple[str, ...]:
    """The last `size` symbols, restarting after a sentence end (padded with sentence starts)."""
    if EOS not in syms:
        return syms if len(syms) == size else ((BOS,) * size + syms)[-size:]
    i = len(syms) - 1 - syms[::-1].index(EOS)
    rest = syms[i + 1 :]
    return ((BOS,) * size + rest)[-size:]


def viterbi(
    lm: Scorer, slots: list[list[Option]], weight: float = 1.0, beam: int = 16, names: NameBonus = NO_NAMES
) -> list[int]:
    """Index of the best option per slot.

    A state is (the LM context that matters for what follows, the last option).  Histories the
    model never saw back off completely, so states that differ only in such older symbols are
    merged exactly; the beam then bounds the work per slot, keeping decoding linear.
    """
    if not slots:
        return []
    size = lm.order - 1
    logp, context = lm.logp, lm.context
    if len(lm.rows) > 200_000 or len(lm.contexts) > 500_000:
        lm.rows.clear()  # bound memory on huge inputs
        lm.contexts.clear()
    ctx_of, rows = lm.contexts, lm.rows
    start = (BOS,) * size
    # state -> (score, last `size` symbols, previous state)
    State = tuple[tuple[str, ...], int]
    layer: dict[State, tuple[float, tuple[str, ...], State | None]] = {
        (context(start), 0): (0.0, start, None)
    }
    backs: list[dict[State, State | None]] = []
    prev_opts: list[Option] = [_START]
    for opts in slots:
        nxt: dict[State, tuple[float, tuple[str, ...], State | None]] = {}
        costs = [weight * o.cost for o in opts]
        capped = bool(names.bonus) and any(o.cap for o in opts)
        for state, (score, syms, _) in layer.items():
            hist = state[0]
            row = rows.get(hist)
            if row is None:
                row = rows[hist] = {}
            prev = prev_opts[state[1]]
            tail = syms[1:]
            for j, opt in enumerate(opts):
                sym = opt.symbol
                lp = row.get(sym)
                if lp is None:
                    lp = row[sym] = logp(hist, sym)
                s = score + lp - costs[j]
                if capped and prev.cap:
                    s += names(prev, opt)
                new_syms = (*tail, sym)
                ctx = ctx_of.get(new_syms)
                if ctx is None:
                    ctx = ctx_of[new_syms] = context(history(new_syms, size))
                key = (ctx, j)
                cur = nxt.get(key)
                if cur is None or s > cur[0]:
                    nxt[key] = (s, new_syms, state)
        if len(nxt) > beam:
            nxt = dict(sorted(nxt.items(), key=lambda kv: kv[1][0], reverse=True)[:beam])
        backs.append({k: v[2] for k, v in nxt.items()})
        layer = nxt
        prev_opts = opts
    # close the sequence so the last words are judged as a sentence end too
    best: State = max(layer, key=lambda k: layer[k][0] + logp(k[0], EOS))
    out = [0] * len(slots)
    cur_state: State | None = best
    for t in range(len(slots) - 1, -1, -1):
        assert cur_state is not None
        out[t] = cur_state[1]
        cur_state = backs[t][cur_state]
    return out


def confidences(
    lm: Scorer,
    slots: list[list[Option]],
    chosen: list[int],
    weight: float = 1.0,
    names: NameBonus = NO_NAMES,
    temperature: float = 1.0,
) -> list[float]:
    """Local posterior of each chosen option given the chosen neighbours on both sides.

    Scores are divided by `temperature` (> 1 flattens the raw posterior, which is overconfident).
    """
    size = lm.order - 1
    picked = [slots[t][chosen[t]] for t in range(len(slots))]
    syms = [BOS] * size + [o.symbol for o in picked] + [EOS]
    out: list[float] = []
    for t, opts in enumerate(slots):
        if len(opts) == 1:
            out.append(1.0)
            continue
        p = t + size
        scores = []
        for opt in opts:
            window = [*syms[p - size : p], opt.symbol, *syms[p + 1 : p + 1 + size]]
            s = -weight * opt.cost
            for q in range(size, len(window)):
                s += lm.logp(lm.context(history(tuple(window[q - size : q]), size)), window[q])
                if window[q] == EOS:
                    break
            if t > 0:
                s += names(picked[t - 1], opt)
            if t + 1 < len(slots):
                s += names(opt, picked[t + 1])
            scores.append(s)
        top = max(scores)
        z = sum(math.exp((x - top) / temperature) for x in scores)
        out.append(math.exp((scores[chosen[t]] - top) / temperature) / z)
    return out
