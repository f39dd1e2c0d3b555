"""Obligations out: terminal table, JSON, CSV, iCalendar and a timeline chart."""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from corpus.obligations.extract import Obligation
from corpus.text import collapse, nfc
from corpus.times import TimeExpr, schedule

CSV_FIELDS = ("plan_id", "doc", "locality", "line_start", "line_end", "lead", "support", "deadline_kind",
              "deadline_start", "deadline_end", "recurrence", "deadline_text", "flagged", "flag_reason", "task",
              "task_raw", "heading")


def _cut(text: str, width: int) -> str:
    text = nfc(collapse(text))
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def summary(o: Obligation, language: str = "vi") -> str:
    """One line: who, what, by when, where (for answers and listings)."""
    due = o.deadline.label if o.deadline else ("no deadline stated" if language == "en" else "không nêu thời hạn")
    where = (f"{o.doc}, lines {o.lines[0]}–{o.lines[1]}" if language == "en"
             else f"{o.doc}, dòng {o.lines[0]}–{o.lines[1]}")
    support = ""
    if o.support:
        support = (f" (with {', '.join(o.support)})" if language == "en"
                   else f" (phối hợp: {', '.join(o.support)})")
    return f"{'; '.join(o.lead)}{support} — {_cut(o.task, 160)} — {due} [{where}]"


def to_table(obls: Sequence[Obligation], width: int = 140) -> str:
    """Fixed-width table for a terminal: plan, lines, lead, deadline, task."""
    head = ("Kế hoạch", "Dòng", "Chủ trì", "Hạn", "Nhiệm vụ")
    rows = []
    for o in obls:
        lead = "; ".join(o.lead) + (f" (+{len(o.support)} phối hợp)" if o.support else "")
        rows.append((o.plan_id, f"{o.lines[0]}–{o.lines[1]}", lead, o.deadline.label if o.deadline else "—",
                     o.task))
    widths = [max([len(head[0]), *(len(r[0]) for r in rows)]), 9, 42, 26]
    task_width = max(width - sum(widths) - 2 * len(widths), 20)
    out = ["  ".join(h.ljust(w) for h, w in zip(head, [*widths, task_width], strict=True)).rstrip()]
    out.append("  ".join("─" * w for w in [*widths, task_width]))
    for r in rows:
        cells = [_cut(c, w).ljust(w) for c, w in zip(r, [*widths, task_width], strict=True)]
        out.append("  ".join(cells).rstrip())
    flagged = sum(bool(o.deadline and o.deadline.flagged) for o in obls)
    out.append(f"{len(obls)} nghĩa vụ" + (f"; {flagged} thời hạn cần kiểm tra (⚠)" if flagged else ""))
    return "\n".join(out)


def to_json(obls: Sequence[Obligation]) -> str:
    """JSON array of obligations (ISO dates, UTF-8 text)."""
    return json.dumps([o.as_dict() for o in obls], ensure_ascii=False, indent=2)


def to_csv(obls: Sequence[Obligation]) -> str:
    """CSV with one row per obligation; lists joined by "; "."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for o in obls:
        d = o.deadline
        writer.writerow({
            "plan_id": o.plan_id, "doc": o.doc, "locality": o.locality, "line_start": o.lines[0],
            "line_end": o.lines[1], "lead": "; ".join(o.lead), "support": "; ".join(o.support),
            "deadline_kind": d.kind if d else "", "deadline_start": d.start.isoformat() if d and d.start else "",
            "deadline_end": d.end.isoformat() if d and d.end else "", "recurrence": d.recurrence if d else "",
            "deadline_text": d.text if d else "", "flagged": "yes" if d and d.flagged else "",
            "flag_reason": d.flag_reason if d else "", "task": o.task, "task_raw": o.task_raw,
            "heading": o.heading})
    return buf.getvalue()


# ---------------------------------------------------------------- iCalendar (RFC 5545)


def _ics_escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _ics_fold(line: str) -> list[str]:
    """Split a content line into 75-octet pieces (continuations start with a space)."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return out


def _next_on_or_after(day: date, months: set[int], monthday: int) -> date:
    """First date ≥ `day` on `monthday` (-1: last day) of one of `months`."""
    y, m = day.year, day.month
    for _ in range(48):
        if m in months:
            last = calendar.monthrange(y, m)[1]
            candidate = date(y, m, last if monthday == -1 else min(monthday, last))
            if candidate >= day:
                return candidate
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return day


def _rrule(d: TimeExpr, since: date) -> tuple[date, str] | None:
    """First occurrence and RRULE of a recurring deadline; None when the plan gives no period."""
    plan = schedule(d.recurrence)
    if plan is None:
        return None
    months, monthday = plan
    freq, _, _ = d.recurrence.partition(":")
    freq, _, every = freq.partition("/")
    start = max(since, d.start) if d.start else since
    until = f";UNTIL={d.end.strftime('%Y%m%d')}" if d.end else ""
    if freq in ("weekly", "daily"):
        return start, f"FREQ={freq.upper()}{until}"
    first = _next_on_or_after(start, set(months), monthday)
    if freq == "yearly":
        return first, f"FREQ=YEARLY;BYMONTH={first.month};BYMONTHDAY={first.day}{until}"
    interval = int(every) if every else 3 if freq == "quarterly" else 1
    by = f";BYMONTHDAY={monthday}"
    return first, f"FREQ=MONTHLY{';INTERVAL=' + str(interval) if interval > 1 else ''}{by}{until}"


def to_ics(obls: Sequence[Obligation], since: date | None = None, stamp: datetime | None = None) -> str:
    """iCalendar with one all-day VEVENT per dated obligation (on the deadline's end date; RRULE for
    recurring duties, first occurrence on or after `since`, default today). Undated duties are left out."""
    since = since or date.today()
    stamp_text = (stamp or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tro ly Ke hoach//Obligations//VI", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:Nghĩa vụ theo kế hoạch"]
    for o in obls:
        d = o.deadline
        if d is None:
            continue
        rule = ""
        if d.kind == "recurring":
            first = _rrule(d, since)
            if first is None:
                continue
            day, rule = first
        elif d.end is not None:
            day = d.end
        else:
            continue
        uid = hashlib.sha1(f"{o.plan_id}|{o.doc}|{o.lines}|{d.text}|{o.task_raw[:80]}".encode()).hexdigest()
        description = [f"Kế hoạch: {o.locality} ({o.plan_id}, {o.doc})", f"Dòng {o.lines[0]}–{o.lines[1]}",
                       f"Chủ trì: {'; '.join(o.lead)}"]
        if o.support:
            description.append(f"Phối hợp: {'; '.join(o.support)}")
        description.append(f"Thời hạn (nguyên văn): {d.text}")
        if d.flagged:
            description.append(f"⚠ {d.flag_reason}")
        description.append(f"Trích dẫn: «{o.task_raw}»")
        event = ["BEGIN:VEVENT", f"UID:{uid}@tro-ly-ke-hoach", f"DTSTAMP:{stamp_text}",
                 f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
                 f"DTEND;VALUE=DATE:{(day + timedelta(days=1)).strftime('%Y%m%d')}"]
        if rule:
            event.append(f"RRULE:{rule}")
        event += [f"SUMMARY:{_ics_escape(_cut('; '.join(o.lead) + ': ' + o.task, 150))}",
                  f"DESCRIPTION:{_ics_escape(chr(10).join(description))}",
                  f"CATEGORIES:{_ics_escape(o.plan_id)}", "TRANSP:TRANSPARENT", "END:VEVENT"]
        lines += event
    lines.append("END:VCALENDAR")
    return "".join(piece + "\r\n" for line in lines for piece in _ics_fold(line))


# ---------------------------------------------------------------- timeline chart


def timeline_png(obls: Sequence[Obligation], path: Path, today: date | None = None) -> Path:
    """Deadlines over time, one row per plan: windows as bars, due dates as markers, ⚠ dates in red."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dated = [o for o in obls if o.deadline and (o.deadline.end or o.deadline.kind == "recurring")]
    plans = sorted({o.plan_id for o in obls})
    ends = [o.deadline.end for o in dated if o.deadline and o.deadline.end]
    starts = [o.deadline.start for o in dated if o.deadline and o.deadline.start]
    lo = min([*starts, *ends], default=today or date.today())
    hi = max(ends, default=lo + timedelta(days=180))
    lo, hi = lo - timedelta(days=20), hi + timedelta(days=20)

    def num(day: date) -> float:
        return float((day - lo).days)

    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.7 * max(len(plans), 1)), dpi=120)
    styles = {"day": ("o", "#1f77b4"), "month": ("s", "#2ca02c"), "quarter": ("D", "#9467bd"),
              "year": ("^", "#8c564b"), "range": ("|", "#17becf"), "continuous": (">", "#7f7f7f"),
              "recurring": ("x", "#ff7f0e"), "none": (".", "#7f7f7f")}
    seen: set[str] = set()
    for row, plan in enumerate(plans):
        items = [o for o in dated if o.plan_id == plan]
        for k, o in enumerate(items):
            d = o.deadline
            if d is None:
                continue
            y = row + (k % 5 - 2) * 0.08
            marker, color = styles.get(d.kind, ("o", "black"))
            label = d.kind if d.kind not in seen else None
            seen.add(d.kind)
            if d.kind == "recurring":
                xs = [num(x) for x in _occurrences(d, lo, hi)]
                ax.plot(xs, [y] * len(xs), linestyle="none", marker=marker, color=color, markersize=5, label=label)
                continue
            if d.end is None:
                continue
            if d.start and d.start < d.end:
                ax.hlines(y, num(d.start), num(d.end), color=color, alpha=0.35, linewidth=4)
            ax.plot([num(d.end)], [y], marker=marker, color="#d62728" if d.flagged else color, linestyle="none",
                    markersize=6, label=label)
    if today and lo <= today <= hi:
        ax.axvline(num(today), color="#d62728", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(plans)), plans)
    ax.set_ylim(-0.6, max(len(plans), 1) - 0.4)
    ax.set_xlim(num(lo), num(hi))
    months = [date(y, m, 1) for y in range(lo.year, hi.year + 1) for m in range(1, 13)
              if lo <= date(y, m, 1) <= hi]
    step = max(1, len(months) // 12)
    ax.set_xticks([num(m) for m in months[::step]], [m.strftime("%m/%Y") for m in months[::step]])
    ax.set_title(f"Thời hạn nghĩa vụ theo kế hoạch ({len(dated)} có hạn / {len(obls)} nghĩa vụ)")
    ax.grid(axis="x", alpha=0.3)
    if seen:
        ax.legend(loc="upper left", fontsize=8, ncol=4, frameon=False)
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def _occurrences(d: TimeExpr, lo: date, hi: date) -> list[date]:
    """Dates of a recurring deadline between two dates (for drawing)."""
    out: list[date] = []
    day = lo
    while day <= hi and len(out) < 200:
        rule = _rrule(d, day)
        if rule is None:
            break
        first = rule[0]
        if first > hi or (d.end and first > d.end):
            break
        out.append(first)
        day = first + timedelta(days=1)
    return out
