"""Selecting obligations: by due date, month, unit (accent-insensitive) and plan; user date parsing."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date

from corpus.obligations.extract import Obligation
from corpus.text import fold
from corpus.times import TimeExpr, schedule
from corpus.units import words_of

DATE_FORMATS = "dd/mm/yyyy (10/11/2025), yyyy-mm-dd (2025-11-10) or mm/yyyy (11/2025)"
MONTH_FORMATS = "mm/yyyy (11/2025) or yyyy-mm (2025-11)"


def parse_user_date(text: str) -> date:
    """A date typed by a user: dd/mm/yyyy, yyyy-mm-dd or mm/yyyy (the first day of that month)."""
    s = text.strip()
    try:
        if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})[/.-](\d{4})", s):
            return date(int(m[2]), int(m[1]), 1)
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a real date ({exc}); use {DATE_FORMATS}") from exc
    raise ValueError(f"cannot read '{text}' as a date; use {DATE_FORMATS}")


def parse_user_month(text: str) -> tuple[int, int]:
    """A (year, month) typed by a user: mm/yyyy or yyyy-mm."""
    s = text.strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{4})", s)
    year, month = (int(m[2]), int(m[1])) if m else (0, 0)
    if not m and (m := re.fullmatch(r"(\d{4})-(\d{1,2})", s)):
        year, month = int(m[1]), int(m[2])
    if not m:
        raise ValueError(f"cannot read '{text}' as a month; use {MONTH_FORMATS}")
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}': there is no month {month}; use {MONTH_FORMATS}")
    return year, month


def _norm(text: str) -> str:
    return " ".join(w.text for w in words_of(text.split()))


def _recurring_in(d: TimeExpr, first: date, last: date) -> bool:
    """Whether a recurring duty has an occurrence between two dates (inclusive)."""
    lo = max(first, d.start) if d.start else first
    hi = min(last, d.end) if d.end else last
    if lo > hi:
        return False
    plan = schedule(d.recurrence)
    if plan is None:
        return False  # "định kỳ" with no period: no date it falls due on
    months = plan[0]
    y, mo = lo.year, lo.month
    while (y, mo) <= (hi.year, hi.month):
        if mo in months:
            return True
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return False


def due_between(d: TimeExpr | None, first: date, last: date) -> bool:
    """Whether a deadline falls due between two dates (inclusive); undated duties never do."""
    if d is None:
        return False
    if d.kind == "recurring":
        return _recurring_in(d, first, last)
    return d.end is not None and first <= d.end <= last


def _plan_matches(plan: str, plan_key: str, o: Obligation) -> bool:
    """Plan id, file name, its number prefix ("000") or locality ("Duong Kinh")."""
    return (plan in (o.plan_id, o.doc) or (len(plan) >= 3 and o.doc.startswith(plan))
            or plan_key == fold(o.plan_id) or (bool(plan_key) and plan_key in fold(o.locality)))


def filter_obligations(obls: Iterable[Obligation], before: date | None = None, after: date | None = None,
                       due_in: tuple[int, int] | None = None, who: str | None = None,
                       plan: str | None = None) -> list[Obligation]:
    """Obligations due on/before `before`, on/after `after`, in month `due_in` (year, month), naming `who`
    (accent-insensitive substring of a lead or supporting unit), in `plan` (id, file name or locality)."""
    first, last = date.min, date.max
    if after:
        first = after
    if before:
        last = before
    if due_in:
        year, month = due_in
        first = max(first, date(year, month, 1))
        last = min(last, date(year, month, calendar.monthrange(year, month)[1]))
    dated = bool(before or after or due_in)
    who_key = _norm(who) if who else ""
    plan_key = fold(plan) if plan else ""
    out: list[Obligation] = []
    for o in obls:
        if dated and not due_between(o.deadline, first, last):
            continue
        if who_key and not any(who_key in _norm(unit) for unit in (*o.lead, *o.support)):
            continue
        if plan and not _plan_matches(plan, plan_key, o):
            continue
        out.append(o)
    return out
