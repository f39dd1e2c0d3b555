"""Obligations over the indexed plans, and answers to "who must do what, by when" questions."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from itertools import pairwise

from assistant.answerers import NOT_FOUND, lang_key, plan_label
from assistant.query import Analysis
from assistant.types import Answer, Citation
from corpus.obligations import Obligation, extract_obligations
from corpus.records import PlanMeta
from corpus.text import collapse, fold

_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_MONTH = re.compile(r"(?<![/\d])(\d{1,2})/(\d{4})\b")
_MONTHS_EN = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july",
                                          "august", "september", "october", "november", "december"), 1)}
# A date the sentence itself sets ("định kỳ" in "sao lưu định kỳ" is not a deadline).
_CONCRETE_DATE = re.compile(r"\b(\d{1,2}/\d{1,2}/\d{4}|thang \d{1,2}\s*/\s*\d{4}|ngay \d{1,2} thang \d{1,2}|quy [ivx]+)\b")
_BY = r"(by|before|truoc|han|no later than|cham nhat|den)"
_TASK_ASK = re.compile(r"\b(who must|ai phai|viec gi|nhung viec|what must|what does .* (have|need) to do|phai lam gi|"
                       r"lam gi|nhiem vu gi|nhung nhiem vu|chu tri nhung|which tasks|what tasks|what are .* tasks|"
                       r"duties|phai hoan thanh|must (be )?(complete|finish|report|do))\b")


def extract_all(texts: Sequence[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]) -> list[Obligation]:
    """Obligations of plans given as (doc, plan_id, label, raw lines, restored lines)."""
    out: list[Obligation] = []
    for doc, plan_id, label, raw, restored in texts:
        out.extend(extract_obligations(doc, plan_id, label, list(raw), list(restored)))
    return out


def _day(year: int, month: int, day: int) -> date | None:
    """A calendar date, or None for impossible ones ("31/02/2025", year 0)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_span(year: int, month: int) -> tuple[date, date] | None:
    """First and last day of a month, or None when the month cannot exist."""
    first = _day(year, month, 1)
    if first is None:
        return None
    return first, first.replace(day=calendar.monthrange(year, month)[1])


def date_window(analysis: Analysis) -> tuple[date | None, date, bool] | None:
    """(start, end, exact) the question's deadline words ask about, or None when it names no usable time."""
    text = f" {fold(analysis.effective)} "
    raw = analysis.effective.lower()
    m = _DATE.search(analysis.effective)
    if m:
        day = _day(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return (None, day, True) if day else None
    m = _MONTH.search(analysis.effective)
    span = _month_span(int(m.group(2)), int(m.group(1))) if m else None
    if m and span:
        by = re.search(rf"{_BY}\s+(thang\s+)?{int(m.group(1))}/", text) is not None
        return (None if by else span[0]), span[1], False
    for name, number in _MONTHS_EN.items():
        m2 = re.search(rf"\b{name}\s+(\d{{4}})\b", raw)
        span = _month_span(int(m2.group(1)), number) if m2 else None
        if span:
            return span[0], span[1], False
    m3 = re.search(r"\b(?:end of|cuoi nam|het nam|truoc cuoi nam)\s*(\d{4})?", text)
    if m3:
        end = _day(int(m3.group(1)) if m3.group(1) else 2025, 12, 31)
        return (None, end, False) if end else None
    return None


def is_deadline_listing(analysis: Analysis) -> bool:
    """"Who must … by D?", "Việc gì phải hoàn thành trước D?": asks for every obligation due by a date."""
    return bool(_TASK_ASK.search(fold(analysis.effective) + " " + analysis.effective.lower()))


def is_duty_question(analysis: Analysis) -> bool:
    """Deadline or responsibility questions: answered from the extracted obligations."""
    folded = fold(analysis.effective) + " " + analysis.effective.lower()
    return bool(_TASK_ASK.search(folded)) or "date" in analysis.wants


def _units_in(analysis: Analysis, obligations: Sequence[Obligation]) -> list[str]:
    """Units the question names, by their folded form, longest first."""
    text = f" {fold(analysis.effective)} {analysis.expansion} "
    names = {fold(u) for o in obligations for u in (*o.lead, *o.support)}
    found = [n for n in names if len(n.split()) >= 2 and f" {n} " in text]
    # "Công an xã" asked as "the commune police" (glossary "xa cong an"): match on the core words.
    if " cong an " in text:
        found.append("cong an")
    return sorted(set(found), key=len, reverse=True)


MAX_LISTED = 30  # an answer lists this many obligations; the rest are one command away
_GENERIC = {"xa", "phuong", "tinh", "hoan", "thanh", "nam", "thoi", "gian", "phai", "nao", "ngay", "thang", "truoc",
            "ke", "hoach", "han", "vao", "luc", "khi", "gio", "must", "complete", "date"}


def _overlap(task: str, terms: Sequence[str]) -> float:
    """Share of the question's content words in the task; adjacent pairs must be adjacent there too."""
    folded = fold(task)
    words = set(folded.split())
    useful = [t for t in terms if not t.isdigit() and t not in _GENERIC]
    uni = sum(t in words for t in useful) / max(len(useful), 1)
    # "báo cáo" folds to "bao cao": without the pair, "bảo đảm … nâng cao" would match it.
    pairs = [f"{a} {b}" for a, b in pairwise(useful)]
    if not pairs:
        return uni
    padded = f" {folded} "
    return 0.5 * uni + 0.5 * sum(f" {p} " in padded for p in pairs) / len(pairs)


def select_duties(analysis: Analysis, obligations: Sequence[Obligation]) -> list[Obligation]:
    """Obligations matching the question's time window, unit and plan, best matches first."""
    pool = [o for o in obligations if not analysis.plan_ids or o.plan_id in analysis.plan_ids]
    window = date_window(analysis)
    if window is not None:
        start, end, exact = window
        hits = [o for o in pool if o.due == end] if exact else []
        if not hits:
            # "by D" with nothing due exactly on D: everything due on or before D (within the month asked).
            hits = [o for o in pool if o.due is not None and o.due <= end and (start is None or o.due >= start)]
        pool = hits
    units = _units_in(analysis, obligations)
    if window is None and ("date" in analysis.wants or not units):
        if "date" not in analysis.wants:
            return []
        # "When must X be finished?": the obligation whose task says X, one per plan (in the year asked).
        years = {int(e) for e in analysis.entities if re.fullmatch(r"20\d\d", e)}
        if years:
            pool = [o for o in pool if o.due is not None and o.due.year in years] or pool
        scored_pool = [(_overlap(o.task, analysis.terms), o) for o in pool if o.deadline is not None]
        top = max((sc for sc, _ in scored_pool), default=0.0)
        if top < 0.6:
            return []
        # Every obligation as good as the best one: a short question ("phải báo cáo trước ngày nào?")
        # matches several duties, and listing them all is the honest answer.
        chosen = [o for sc, o in scored_pool if sc >= 0.9 * top]
        return sorted(chosen, key=lambda o: (o.due or date.max, o.doc, o.lines))[:12]
    if units:
        pool = [o for o in pool if any(u in fold(x) for u in units for x in (*o.lead, *o.support))]
    scored = sorted(pool, key=lambda o: (-_overlap(o.task, analysis.terms), o.due or date.max, o.doc, o.lines))
    if window is not None and any(_overlap(o.task, analysis.terms) > 0 for o in scored):
        # The question names a topic ("báo cáo"): the obligations about it, not everything due then.
        scored = [o for o in scored if _overlap(o.task, analysis.terms) > 0]
    return scored


def duty_answer(analysis: Analysis, duties: Sequence[Obligation], plans: Mapping[str, PlanMeta]) -> Answer:
    """Every matching obligation, plan by plan, each cited; a plain message when none matches."""
    lang = lang_key(analysis.language)
    if not duties:
        text = ("No obligation in the plans matches this deadline or unit." if lang == "en"
                else "Không có nhiệm vụ nào trong các kế hoạch khớp với thời hạn hoặc đơn vị này.")
        return Answer(question=analysis.question, answer=f"{text} {NOT_FOUND[lang]}", abstained=True,
                      language=analysis.language, effective_question=analysis.effective)
    citations: list[Citation] = []
    lines: list[str] = []
    by_plan: dict[str, list[Obligation]] = {}
    shown, more = duties[:MAX_LISTED], len(duties) - MAX_LISTED
    for o in shown:
        by_plan.setdefault(o.plan_id, []).append(o)
    for plan_id, items in by_plan.items():
        meta = plans.get(plan_id)
        lines.append(f"{plan_label(meta, analysis.language)}:")
        for o in items:
            citations.append(Citation(doc=o.doc, lines=o.lines, quote=collapse(o.task_raw), heading=o.heading,
                                      plan_id=o.plan_id, locality=o.locality,
                                      restored="" if collapse(o.task) == collapse(o.task_raw) else collapse(o.task)))
            who = ", ".join(o.lead) or ("(not named)" if lang == "en" else "(không nêu)")
            due = o.deadline.label if o.deadline else ("no deadline" if lang == "en" else "không nêu thời hạn")
            extra = f" (phối hợp: {', '.join(o.support)})" if o.support else ""
            lines.append(f"- {who}{extra} — {due}: “{collapse(o.task)}” [{len(citations)}]")
    head = (f"{len(duties)} obligation(s) in {len(by_plan)} plan(s):" if lang == "en"
            else f"Có {len(duties)} nhiệm vụ trong {len(by_plan)} kế hoạch:")
    if more > 0:
        lines.append(f"… {more} more: see the Obligations tab or `plans obligations`." if lang == "en"
                     else f"… và {more} nhiệm vụ khác: xem thẻ Nghĩa vụ hoặc lệnh `plans obligations`.")
    # The obligations table is what was searched: its matches are the retrieved evidence.
    return Answer(question=analysis.question, answer=head + "\n" + "\n".join(lines), abstained=False,
                  citations=tuple(citations), language=analysis.language, effective_question=analysis.effective,
                  retrieved=tuple((o.doc, o.lines[0], o.lines[1]) for o in shown))


def with_deadline(answer: Answer, obligations: Sequence[Obligation],
                  lines_of: Callable[[str], tuple[Sequence[str], Sequence[str]]]) -> Answer:
    """A "when" answer whose quoted task states no date gets the deadline the plan sets for that task.

    Plans often put the deadline on its own line after an item's bullets ("- Thời gian hoàn thành: …"),
    far from the sentence that matched; the obligations table has already tied the two together.
    """
    if answer.abstained or not answer.citations or len({c.doc for c in answer.citations}) > 1:
        return answer
    first = answer.citations[0]
    if _CONCRETE_DATE.search(fold(first.restored or first.quote)):
        return answer
    match = next((o for o in obligations if o.doc == first.doc and o.lines[0] <= first.lines[1]
                  and first.lines[0] <= o.lines[1] and o.deadline is not None and o.deadline.end is not None
                  and o.deadline_lines is not None), None)
    if match is None or match.deadline is None or match.deadline_lines is None:
        return answer
    a, b = match.deadline_lines
    raw, restored = lines_of(match.doc)
    if not 1 <= a <= b <= len(raw):
        return answer
    quote, reading = collapse(" ".join(raw[a - 1:b])), collapse(" ".join(restored[a - 1:b]))
    citations = list(answer.citations)
    if not any(c.doc == match.doc and c.lines[0] <= b and a <= c.lines[1] for c in citations):
        citations.append(Citation(doc=match.doc, lines=(a, b), quote=quote, heading=match.heading,
                                  plan_id=match.plan_id, locality=match.locality,
                                  restored="" if reading == quote else reading))
        text = f"{match.deadline.label} — {answer.answer} “{reading}” [{len(citations)}]"
    else:
        text = f"{match.deadline.label} — {answer.answer}"
    return replace(answer, answer=text, citations=tuple(citations))
