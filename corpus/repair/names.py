"""Document-level name propagation: once a gazetteer name is read confidently in a document, badly
damaged spellings of it elsewhere in the same document ("Dk Ldk)", "ik Lak") get it as a candidate."""

from __future__ import annotations

from corpus.repair.align import loose_key
from corpus.repair.decoder import Option
from corpus.repair.lm import UNK
from corpus.repair.slots import LineWork, Slot
from corpus.repair.syllable import case_pattern
from corpus.text import edit_distance

MAX_LETTERS = 6  # only short words: long ones are matched well enough by the channel
UNREAD_COST = 5.0  # a first-pass reading this costly counts as unread
COST_PER_EDIT = 2.5


def found_names(
    blocks: list[list[Slot]], chosen: list[list[int]], pairs: frozenset[tuple[str, str]]
) -> set[str]:
    """Syllables of gazetteer names chosen for two adjacent capitalised words."""
    out: set[str] = set()
    for slots, picks in zip(blocks, chosen, strict=True):
        prev: Option | None = None
        for sl, j in zip(slots, picks, strict=True):
            opt = sl.options[j]
            if prev is not None and prev.cap and opt.cap and (prev.symbol, opt.symbol) in pairs:
                out.update((prev.symbol, opt.symbol))
            prev = opt if sl.line >= 0 else None
    return out


def inject(
    blocks: list[list[Slot]],
    chosen: list[list[int]],
    works: list[LineWork],
    names: set[str],
    pairs: frozenset[tuple[str, str]],
    uncased: frozenset[tuple[str, str]] = frozenset(),
) -> list[int]:
    """Add close name syllables to short words the first pass could not read (left as they were,
    or read at a high channel cost); returns the blocks that changed."""
    if not names:
        return []
    keyed = [(n, loose_key(n)) for n in sorted(names)]
    changed: list[int] = []
    for bi, (slots, picks) in enumerate(zip(blocks, chosen, strict=True)):
        touched = False
        for t, (sl, j) in enumerate(zip(slots, picks, strict=True)):
            if sl.line < 0 or len(sl.options) < 2:
                continue
            pick = sl.options[j]
            if pick.symbol != UNK and pick.cost < UNREAD_COST:
                continue
            raw = works[sl.line].pieces[sl.token][sl.piece].text
            # a capitalised word may be any found name; a lower-case one only the syllable that continues
            # a neighbour's name ("ik Lak": "đắk" before "lắk"), so a plain word after "Kế hoạch" gets none
            allowed = None if raw[:1].isupper() else _continuing(slots, picks, t, names, pairs, uncased)
            if allowed is not None and not allowed:
                continue
            key = loose_key(raw)
            if not key or len(key) > MAX_LETTERS:
                continue
            upper = case_pattern(raw) == "upper"  # two or more capitals: "B¢" (one letter) is not a capitals word
            for name, name_key in keyed:
                if allowed is not None and name not in allowed:
                    continue
                cap = allowed is None or allowed[name]  # written as a name only beside a written name
                text = name.upper() if upper else (name[:1].upper() + name[1:] if cap else name)
                have = [i for i, o in enumerate(sl.options) if o.symbol == name]
                if have:
                    # already a candidate: make it the capitalised name spelling
                    old = sl.options[have[0]]
                    if cap and (old.text != text or not old.cap):
                        sl.options[have[0]] = Option(name, text, old.cost, True)
                        touched = True
                    continue
                d = edit_distance(key, name_key)
                if 0 < d <= 2 and d < len(name_key):
                    sl.options.append(Option(name, text, COST_PER_EDIT * d + 1.0, cap))
                    touched = True
        if touched:
            changed.append(bi)
    return changed


def _continuing(
    slots: list[Slot],
    picks: list[int],
    t: int,
    names: set[str],
    pairs: frozenset[tuple[str, str]],
    uncased: frozenset[tuple[str, str]],
) -> dict[str, bool]:
    """Found-name syllables continuing a name beside slot t, each True if that neighbour is capitalised
    and the pair is written capitalised ("Tổ chức" continues the heading pair "TỔ CHỨC" in lower case)."""
    out: dict[str, bool] = {}
    for k, after in ((t - 1, True), (t + 1, False)):
        if not 0 <= k < len(slots):
            continue
        opt = slots[k].options[picks[k]]
        if opt.symbol not in names:
            continue
        for n in names:
            pair = (opt.symbol, n) if after else (n, opt.symbol)
            if pair in pairs:
                out[n] = out.get(n, False) or (opt.cap and pair not in uncased)
    return out
