"""Quantities in Vietnamese text: a number with what it counts ("188 trạm", "2 dự án"), money ("121.732 tỷ
đồng"), percentages ("95%"), durations ("10 ngày", "24-48 giờ"); numbers inside dates and codes are not
quantities. The unit words live in corpus/data/measures.txt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from corpus import wordlists
from corpus.text import fold, nfc
from corpus.times import find_times

# A number as plans write it: 121.732 / 7.500.000.000 (dot thousands), 7,5 (decimal comma), 24-48 (a range).
_NUMBER = re.compile(r"(?<![\w/.,-])(\d{1,3}(?:[.,]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)"
                     r"(?:\s*(?:-|–|đến|den|to)\s*(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?))?(?![\w/]|[.,]\d)")
_CODE_OR_DATE = re.compile(r"\d{1,5}(?:\.\d+)?/[\w/.-]*|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\b\d{1,4}-[A-ZĐ]")


@dataclass(frozen=True)
class Quantity:
    """A number and the unit or counted noun after it; `kind` is money / percent / duration / count / number."""

    kind: str
    text: str  # as written, number and unit
    start: int
    end: int
    unit: str  # folded unit words ("ty dong", "tram", "%")
    value: float | None  # the (first) number, when it reads as one


@lru_cache(maxsize=1)
def _units() -> dict[str, tuple[str, ...]]:
    sections = wordlists.sections("measures.txt")
    return {k: tuple(sorted({fold(w) if w != "%" else "%" for w in v}, key=lambda w: -len(w))) for k, v in
            sections.items()}


@lru_cache(maxsize=2)
def _labels(*sections: str) -> str:
    """Words that label a table's rows (measures.txt [totals], [labels]), as written and lowercased, as regex
    alternatives (folded, "tổng cộng" would also be "tổng công ty")."""
    found = wordlists.sections("measures.txt")
    words = sorted((nfc(w).lower() for s in sections for w in found.get(s, ())), key=len, reverse=True)
    return "|".join(re.escape(w) for w in words) or "(?!)"


def total_after_label(text: str) -> Quantity | None:
    """The bare number a total label introduces ("Tổng cộng 732", "Tổng số: 1.250"), or None."""
    for q in quantities(text):
        before = nfc(text[max(0, q.start - 20):q.start]).lower().rstrip(" :")
        if q.kind in ("number", "count") and re.search(rf"\b(?:{_labels('totals')})$", before):
            return q
    return None


def _to_float(number: str) -> float | None:
    digits = number.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", digits):
        digits = digits.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits):
        digits = digits.replace(",", "")
    else:
        digits = digits.replace(",", ".")
    try:
        return float(digits)
    except ValueError:
        return None


def quantities(text: str, words_after: int = 3) -> list[Quantity]:
    """Every quantity in `text`, in order; a number followed by no unit word is kind "number"."""
    return list(_quantities(text, words_after))


@lru_cache(maxsize=200_000)
def _quantities(text: str, words_after: int) -> tuple[Quantity, ...]:
    # Kept: a question scores the same plan sentences as the questions before it did.
    blocked = [(m.start(), m.end()) for m in _CODE_OR_DATE.finditer(text)]
    # "năm 2025" is a time; a recurrence ("2 lần/tháng") and a time counted from an event ("trong 24-48 giờ sau khi
    # nước rút") hold a count or a length that is a quantity too.
    blocked += [(a, b) for expr, a, b in find_times(text) if expr.kind not in ("recurring", "relative")]
    units = _units()
    out: list[Quantity] = []
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in blocked):
            continue
        rest = text[m.end():m.end() + 60]
        if rest.lstrip().startswith("%"):
            end = m.end() + rest.index("%") + 1
            out.append(Quantity("percent", text[m.start():end], m.start(), end, "%", _to_float(m.group(1))))
            continue
        following = fold(rest)
        unit, kind = "", "number"
        # A measure word is written in lower case after its number ("1.245 triệu đồng", "05 ngày"); a capital
        # opens another cell or sentence ("… 1" / "Tỷ lệ hồ sơ …" in a flattened table), unless it is a code (VND).
        opener = rest.lstrip()[:2]
        capital = opener[:1].isupper() and not opener.isupper()
        for k in () if capital else ("money", "percent", "duration"):
            hit = next((u for u in units.get(k, ()) if following == u or following.startswith(u + " ")), "")
            if hit:
                unit, kind = hit, k
                break
        if not unit:
            # Any counted noun: the words after the number up to punctuation, at most `words_after`.
            word = r"[^\W\d_][^\s,.;:()]*"
            head = re.match(rf"\s*({word}(?:\s+{word}){{0,{words_after - 1}}})", rest)
            if head and not re.match(rf"(?:{_labels('totals', 'labels')})\b", nfc(head.group(1)).lower()):
                unit, kind = fold(head.group(1)), "count"
        end = m.end()
        if unit:
            # Extend the span over the unit's words as written, token by token until they hold its folded words:
            # "lần/tháng" is one token and two words ("2 lần/tháng; thời gian …" ends at "tháng;"), and a money
            # unit keeps what it is per ("đồng/năm").
            n = len(unit.split()) if unit != "%" else 1
            held = 0
            for token in re.finditer(r"\S+", rest):
                held += len(fold(token.group(0)).split())
                end = m.end() + token.end()
                if held >= n:
                    break
        if kind == "duration" and unit in ("nam", "thang") and re.match(r"\s*\d", text[end:end + 3]):
            continue  # "năm 2025", "tháng 11": a date, not a span
        out.append(Quantity(kind, text[m.start():end].strip(" ,.;:"), m.start(), end, unit, _to_float(m.group(1))))
    return tuple(out)


def counts(quantity: Quantity, noun: str) -> bool:
    """Whether a quantity counts `noun` (folded): "188 trạm" counts "tram"."""
    if not noun or not quantity.unit.split():
        return False
    return (quantity.unit == noun or quantity.unit.startswith(noun + " ") or noun.startswith(quantity.unit + " ")
            or noun.split()[0] == quantity.unit.split()[0])
