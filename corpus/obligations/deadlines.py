"""Deadlines: find and normalise Vietnamese time expressions, OCR-tolerant, never inventing a date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from corpus.obligations.folding import fold_map, source_span
from corpus.text import collapse

KINDS = ("day", "month", "quarter", "year", "recurring", "continuous", "range", "none")

# Folded (unaccented, lowercase) spellings, with the OCR variants seen in the corpus:
# "ngdy" ngày, "thing"/"thdang" tháng, "nim"/"ndm"/"ndam" năm, "trude"/"truee" trước.
_NGAY = r"ng[a-z]{0,2}y"
_THANG = r"th[a-z]{0,3}g"
_NAM = r"n[a-z]{0,2}m"
_TRUOC = r"tru[a-z]{0,3}"
_YEAR = r"(?P<y>\d{4})(?!\d)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((k, re.compile(p)) for k, p in (
    ("rec_day", rf"(?:dinh\s+ky\s+)?(?:(?:{_TRUOC}|vao)\s+)?{_NGAY}\s*(?P<d>\d{{1,2}})\s+h[ae]ng\s+{_THANG}\b"),
    ("rec_month", rf"(?:dinh\s+ky\s+)?h[ae]ng\s+{_THANG}\b(?:\s*,?\s*(?:(?:{_TRUOC}|vao|cham\s+nhat)\s+)?"
                  rf"{_NGAY}\s*(?P<d>\d{{1,2}})\b(?!\s*[/-]\s*\d))?"),
    ("rec_quarter", r"(?:dinh\s+ky\s+)?h[ae]ng\s+quy\b"),
    ("rec_year", rf"(?:dinh\s+ky\s+)?h[ae]ng\s+{_NAM}\b(?!\s*\d)"),
    ("rec_week", r"(?:dinh\s+ky\s+)?h[ae]ng\s+tuan\b"),
    ("rec_every", rf"dinh\s+ky\s+(?P<n>\d{{1,2}}|sau|ba)\s+{_THANG}\b"),
    ("day", rf"(?:{_NGAY}\s*)?(?<![\d/.])(?P<d>\d{{1,2}})\s*[/.-]\s*(?P<m>\d{{1,2}})\s*[/.-]\s*{_YEAR}(?![/.-]?\d)"),
    ("day", rf"{_NGAY}\s*(?P<d>\d{{1,2}})\s*,?\s*{_THANG}\s*(?P<m>\d{{1,2}})\s*,?\s*{_NAM}\s*{_YEAR}"),
    ("day_noyear", rf"{_NGAY}\s*(?P<d>\d{{1,2}})\s*(?:[/-]\s*|{_THANG}\s*)(?P<m>\d{{1,2}})\b"
                   rf"(?!\s*(?:[/.-]|,?\s*{_NAM})\s*\d)"),
    ("month_range", rf"tu\s+{_THANG}\s*(?P<m1>\d{{1,2}})(?:\s*[/-]\s*(?P<y1>\d{{4}}))?\s*(?:-|den|toi)\s*"
                    rf"{_THANG}\s*(?P<m2>\d{{1,2}})\s*(?:[/-]\s*|,?\s*{_NAM}\s*)(?P<y2>\d{{4}})(?!\d)"),
    ("month", rf"(?:(?:dau|giua|cuoi)\s+)?{_THANG}\s*(?P<m>\d{{1,2}})\s*(?:[/-]\s*|,?\s*{_NAM}\s*){_YEAR}"),
    ("month", rf"(?<![\d/.])(?P<m>\d{{1,2}})\s*/\s*{_YEAR}(?![/\d])"),
    ("quarter", rf"quy\s*(?P<q>iv|lv|1v|iii|ii|i|l|[1-4])\b\s*(?:[/-]\s*|,?\s*(?:{_NAM}\s*)?){_YEAR}"),
    ("half", rf"(?P<n>\d{{1,2}}|sau|ba)\s+{_THANG}\s+(?P<part>d[a-z]u|cu[a-z]i)\s+(?:{_NAM}\s*)?{_YEAR}"),
    ("year_range", rf"(?:(?:giai\s+doan|trong\s+{_NAM}|tu\s+{_NAM}|{_NAM})\s*)?(?<!\d)(?P<y1>\d{{4}})\s*"
                   rf"(?:-|/|den|toi)\s*(?:{_NAM}\s*)?(?P<y2>\d{{4}})(?!\d)"),
    ("year", rf"{_NAM}\s*{_YEAR}(?!\s*[-/]\s*\d)"),
    ("continuous", r"\bthu[a-z]{0,2}ng\s+xuy[a-z]n\b|\blien\s+tuc\b"),
))

# What may stand just before a time expression and belongs to its wording.
_CUE_BEFORE = re.compile(
    r"(?:th[a-z]{1,2}\s+gian\s+hoan\s+thanh(?:\s+cho\s+[^:;.]{1,80}:)?\s*:?\s*"
    r"(?:(?:nhiem\s+vu)\s+)?(?:(?:tru[a-z]{0,3}|den|trong|vao)\s+)?"
    r"|(?:(?:hoan\s+thanh|thuc\s+hien|bao\s+cao)\s+)?(?:(?:ch[a-z]m|muon)\s+nh[a-z]t\s+(?:la\s+)?)?"
    r"(?:(?:tru[a-z]{0,3}|den(?:\s+het)?|trong|vao|han)\s+)"
    r"|(?:hoan\s+thanh|ch[a-z]m\s+nh[a-z]t)\s+)$")

# Cues that make a time expression in a task sentence a deadline (a date after "ngày" alone is a reference).
_CUES = re.compile(
    r"(?P<tght>\bth[a-z]{1,2}\s+gian\s+hoan\s+thanh\b)(?:\s+cho\s+[^:;.]{1,80}:)?\s*:?\s*"
    r"|(?P<before>\b(?:tru[a-z]{0,3}|ch[a-z]m\s+nh[a-z]t(?:\s+la)?(?:\s+(?:den|vao|truoc|trong))?)\s+"
    r"(?=(?:ng[a-z]{0,2}y|th[a-z]{0,3}g|quy|n[a-z]{0,2}m)\s*[\divl]))"
    r"|(?P<until>\bden\s+(?:(?=(?:ng[a-z]{0,2}y|th[a-z]{0,3}g)\s*\d)|het\s+(?=n[a-z]{0,2}m\s*\d)))"
    r"|(?P<within>\btrong\s+(?=th[a-z]{0,3}g\s*\d|quy\s*[\divl]))"
    r"|(?P<rec>\bdinh\s+ky\b|\b(?=tru[a-z]{0,3}\s+ng[a-z]{0,2}y\s*\d{1,2}\s+h[ae]ng\s))"
    r"|(?P<cont>\bnhiem\s+v[a-z]\s+thu[a-z]{0,2}ng\s+xuy[a-z]n\b)")
_CLAUSE_END = re.compile(r";|\.(?:\s|$)")


@dataclass(frozen=True)
class Deadline:
    """A normalised deadline; `text` is the source wording, dates are never invented."""

    text: str
    kind: str  # day / month / quarter / year / recurring / continuous / range / none
    start: date | None = None
    end: date | None = None
    recurrence: str = ""  # "monthly", "monthly:13" (day 13), "monthly/6" (every 6 months), "quarterly", …
    flagged: bool = False
    flag_reason: str = ""

    @property
    def label(self) -> str:
        """Short Vietnamese label for tables: "10/11/2025", "tháng 12/2025", "hằng tháng (ngày 13)"."""
        s, e = self.start, self.end
        if self.kind == "day" and e:
            out = e.strftime("%d/%m/%Y")
        elif self.kind == "month" and e:
            out = f"tháng {e.month}/{e.year}"
        elif self.kind == "quarter" and e:
            out = f"Quý {('I', 'II', 'III', 'IV')[(e.month - 1) // 3]}/{e.year}"
        elif self.kind == "year" and e:
            out = f"năm {e.year}"
        elif self.kind == "range" and s and e:
            out = (f"{s.year}–{e.year}" if (s.month, s.day, e.month, e.day) == (1, 1, 12, 31)
                   else f"{s.month}/{s.year}–{e.month}/{e.year}")
        elif self.kind == "recurring":
            out = recurrence_label(self.recurrence)
        elif self.kind == "continuous":
            out = "thường xuyên"
            if s and e and s.year == e.year and (s.day, e.day) == (1, calendar.monthrange(e.year, e.month)[1]):
                out += f", {s.month}–{e.month}/{e.year}"
            elif e:
                out += f" đến {e.strftime('%d/%m/%Y')}"
        else:
            out = self.text
        return out + (" ⚠" if self.flagged else "")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (ISO dates)."""
        return {"text": self.text, "kind": self.kind,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None,
                "recurrence": self.recurrence, "flagged": self.flagged, "flag_reason": self.flag_reason}


def recurrence_label(recurrence: str) -> str:
    """Vietnamese wording of a recurrence code."""
    freq, _, rest = recurrence.partition(":")
    freq, _, every = freq.partition("/")
    names = {"monthly": "tháng", "quarterly": "quý", "yearly": "năm", "weekly": "tuần"}
    base = f"định kỳ {every} {names.get(freq, freq)}" if every else f"hằng {names.get(freq, freq)}"
    return base + (f", trước ngày {rest}" if rest else "")


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: str
    first: date | None = None
    last: date | None = None
    recurrence: str = ""
    flagged: bool = False
    reason: str = ""


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _plausible(year: int) -> bool:
    return 1990 <= year <= 2100


def _day_hit(start: int, end: int, d: int, m: int, y: int) -> _Hit:
    if not 1 <= m <= 12:
        if _plausible(y):
            return _Hit(start, end, "year", date(y, 1, 1), date(y, 12, 31), flagged=True,
                        reason=f"impossible date {d}/{m}/{y}: there is no month {m}; kept the year only")
        return _Hit(start, end, "day", flagged=True, reason=f"impossible date {d}/{m}/{y}")
    if not _plausible(y):
        return _Hit(start, end, "day", flagged=True, reason=f"implausible year {y} in {d}/{m}/{y}")
    try:
        return _Hit(start, end, "day", None, date(y, m, d))
    except ValueError:
        first, last = _month_bounds(y, m)
        return _Hit(start, end, "month", first, last, flagged=True,
                    reason=f"impossible date: day {d} does not exist in {m}/{y} (OCR?); kept the month only")


def _quarter(q: str) -> int:
    if q.isdigit():
        return int(q)
    return {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(q.replace("l", "i").replace("1", "i"), 0)


def _hit(kind: str, m: re.Match[str]) -> _Hit | None:
    g = m.groupdict()
    s, e = m.start(), m.end()
    if kind.startswith("rec_"):
        day = g.get("d")
        if kind == "rec_every":
            n = {"sau": "6", "ba": "3"}.get(g["n"], g["n"])
            return _Hit(s, e, "recurring", recurrence=f"monthly/{int(n)}")
        freq = {"rec_day": "monthly", "rec_month": "monthly", "rec_quarter": "quarterly", "rec_year": "yearly",
                "rec_week": "weekly"}[kind]
        if day and not 1 <= int(day) <= 31:
            return _Hit(s, e, "recurring", recurrence=freq, flagged=True,
                        reason=f"impossible day of month {day}; kept the recurrence only")
        return _Hit(s, e, "recurring", recurrence=f"{freq}:{int(day)}" if day else freq)
    if kind == "day":
        return _day_hit(s, e, int(g["d"]), int(g["m"]), int(g["y"]))
    if kind == "day_noyear":
        return _Hit(s, e, "day", flagged=True, reason=f"no year given for day {g['d']}/{g['m']}; date left open")
    if kind == "month":
        y, mo = int(g["y"]), int(g["m"])
        if not _plausible(y):
            return None
        if not 1 <= mo <= 12:
            return _Hit(s, e, "year", date(y, 1, 1), date(y, 12, 31), flagged=True,
                        reason=f"impossible month {mo}; kept the year only")
        return _Hit(s, e, "month", *_month_bounds(y, mo))
    if kind == "quarter":
        y, q = int(g["y"]), _quarter(g["q"])
        if not 1 <= q <= 4 or not _plausible(y):
            return None
        return _Hit(s, e, "quarter", date(y, 3 * q - 2, 1), _month_bounds(y, 3 * q)[1])
    if kind == "half":
        y = int(g["y"])
        months = {"sau": 6, "ba": 3}.get(g["n"]) or int(g["n"])
        if not 1 <= months <= 12 or not _plausible(y):
            return None
        if g["part"].startswith("d"):
            return _Hit(s, e, "range", date(y, 1, 1), _month_bounds(y, months)[1])
        return _Hit(s, e, "range", date(y, 13 - months, 1), date(y, 12, 31))
    if kind == "month_range":
        y2, m1, m2 = int(g["y2"]), int(g["m1"]), int(g["m2"])
        y1 = int(g["y1"]) if g.get("y1") else y2
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12 and _plausible(y1) and _plausible(y2)) or (y1, m1) > (y2, m2):
            return None
        return _Hit(s, e, "range", _month_bounds(y1, m1)[0], _month_bounds(y2, m2)[1])
    if kind == "year_range":
        y1, y2 = int(g["y1"]), int(g["y2"])
        if not (_plausible(y1) and _plausible(y2) and y1 < y2 <= y1 + 15):
            return None
        return _Hit(s, e, "range", date(y1, 1, 1), date(y2, 12, 31))
    if kind == "year":
        y = int(g["y"])
        return _Hit(s, e, "year", date(y, 1, 1), date(y, 12, 31)) if _plausible(y) else None
    if kind == "continuous":
        return _Hit(s, e, "continuous")
    return None


def _scan(folded: str) -> list[_Hit]:
    """Every time expression in folded text, earliest first, overlaps resolved (earliest, then longest)."""
    found: list[_Hit] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            hit = _hit(kind, m)
            if hit is not None:
                found.append(hit)
    found.sort(key=lambda h: (h.start, -(h.end - h.start)))
    hits: list[_Hit] = []
    for h in found:
        if hits and h.start < hits[-1].end:
            continue
        hits.append(h)
    # "Thường xuyên trong 6 tháng cuối năm 2025": an ongoing task inside a bounded period.
    merged: list[_Hit] = []
    for h in hits:
        prev = merged[-1] if merged else None
        if (prev is not None and prev.kind == "continuous" and prev.last is None and h.first and h.last
                and h.kind in ("range", "year", "month", "quarter")
                and re.fullmatch(r"\s*(?:trong|den|den\s+het|tu)?\s*", folded[prev.end:h.start])):
            merged[-1] = _Hit(prev.start, h.end, "continuous", h.first, h.last)
            continue
        merged.append(h)
    return merged


def _cue_start(folded: str, start: int) -> int:
    window_start = max(0, start - 140)
    m = _CUE_BEFORE.search(folded[window_start:start])
    return window_start + m.start() if m and m.group(0).strip() else start


def _to_deadline(hit: _Hit, text: str) -> Deadline:
    return Deadline(text=text, kind=hit.kind, start=hit.first, end=hit.last, recurrence=hit.recurrence,
                    flagged=hit.flagged, flag_reason=hit.reason)


def _quote(text: str, index: list[int], start: int, end: int) -> tuple[str, int, int]:
    a, b = source_span(text, index, start, end)
    return collapse(text[a:b]).strip(" .;,:"), a, b


def parse_deadline(text: str) -> Deadline | None:
    """The first time expression in `text` (restored, raw OCR or folded), normalised; None if there is none."""
    folded, index = fold_map(text)
    hits = _scan(folded)
    if not hits:
        return None
    hit = hits[0]
    quote, _, _ = _quote(text, index, _cue_start(folded, hit.start), hit.end)
    return _to_deadline(hit, quote)


def find_deadlines(text: str) -> list[tuple[Deadline, int, int]]:
    """Deadlines a task sentence sets (cue + time expression), with their char span in `text`."""
    folded, index = fold_map(text)
    hits = _scan(folded)
    out: list[tuple[int, int, _Hit | None]] = []
    for cue in _CUES.finditer(folded):
        value = cue.end()
        clause = _CLAUSE_END.search(folded, value)
        clause_end = clause.start() if clause else len(folded)
        chosen: _Hit | None = None
        if cue.group("tght"):
            chosen = next((h for h in hits if value <= h.start < clause_end), None)
            if chosen is None:
                out.append((cue.start(), min(clause_end, value + 120), None))
                continue
        elif cue.group("cont"):
            chosen = next((h for h in hits if cue.start() <= h.start < cue.end() and h.kind == "continuous"), None)
        elif cue.group("rec"):
            chosen = next((h for h in hits if cue.start() <= h.start <= value + 2 and h.kind == "recurring"), None)
        else:
            chosen = next((h for h in hits if cue.start() <= h.start <= value + 1), None)
        if chosen is not None:
            out.append((cue.start(), chosen.end, chosen))
    out.sort(key=lambda t: (t[0], -t[1]))
    result: list[tuple[Deadline, int, int]] = []
    last_end = -1
    for start, end, hit in out:
        if start < last_end:
            continue
        last_end = end
        quote, a, b = _quote(text, index, start, end)
        deadline = _to_deadline(hit, quote) if hit else Deadline(text=quote, kind="none")
        result.append((deadline, a, b))
    return result


def leading_continuous(text: str) -> Deadline | None:
    """ "Thường xuyên …" opening a task makes it an ongoing duty."""
    folded, index = fold_map(text)
    m = re.match(r"\W*(?:tiep\s+tuc\s+)?(thu[a-z]{0,2}ng\s+xuy[a-z]n)\b", folded)
    if not m:
        return None
    quote, _, _ = _quote(text, index, m.start(1), m.end(1))
    return Deadline(text=quote, kind="continuous")
