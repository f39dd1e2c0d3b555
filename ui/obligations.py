"""The Obligations tab as plain Python: filter the assistant's obligations, table rows, source panel, and the
timeline/CSV/ICS of a filter written into this process's own temp folder (never the corpus or store)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.types import Citation
from corpus.obligations import (
    Obligation,
    filter_obligations,
    parse_user_date,
    parse_user_month,
    timeline_png,
    to_csv,
    to_ics,
)
from corpus.obligations.filters import DATE_FORMATS, MONTH_FORMATS
from corpus.text import fold
from ui.exports import Exports
from ui.i18n import t
from ui.render import ALL, esc, plan_label, plan_menu
from ui.source import hint_html, lines_for, source_html

if TYPE_CHECKING:
    from assistant.service import Assistant, PlanText
    from corpus.records import PlanMeta

log = logging.getLogger(__name__)

MAX_FILTER_CHARS = 200
TASK_CHARS = 240  # the table shows this much of a task; the source panel shows it all
PAGE_ROWS = 200  # table rows per page: a province's thousands of obligations stay quick to show
KEEP_EXPORTS = 48  # recent per-request export folders kept (Gradio copies them to its cache on return)
_chart_lock = threading.Lock()  # pyplot is not thread-safe


class FilterError(ValueError):
    """A filter the user typed cannot be read; the message is for the user (localised, with accepted formats)."""


@dataclass(frozen=True)
class Result:
    """One filtering: table rows, status line, and the files of that selection (None when there is nothing)."""

    rows: list[list[Any]]
    status: str
    timeline: str | None
    csv: str | None
    ics: str | None
    page: int = 1  # the page of the table shown (PAGE_ROWS rows each)


def _formats(formats: str, lang: str) -> str:
    return formats.replace(" or ", f" {t('obl_or', lang)} ")


def _cut(text: str, width: int = TASK_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"


def read_date(text: str | None, field: str, lang: str) -> date | None:
    """A date box's value, None when empty; FilterError (naming the box and the accepted formats) if unreadable."""
    s = (text or "").strip()
    if not s:
        return None
    try:
        return parse_user_date(s[:MAX_FILTER_CHARS])
    except ValueError:
        msg = t("obl_bad_date", lang).format(text=s[:40], field=t(field, lang))
        raise FilterError(f"{msg} {t('obl_formats', lang)}: {_formats(DATE_FORMATS, lang)}.") from None


def read_month(text: str | None, field: str, lang: str) -> tuple[int, int] | None:
    """A month box's value as (year, month), None when empty; FilterError if unreadable."""
    s = (text or "").strip()
    if not s:
        return None
    try:
        return parse_user_month(s[:MAX_FILTER_CHARS])
    except ValueError:
        msg = t("obl_bad_month", lang).format(text=s[:40], field=t(field, lang))
        raise FilterError(f"{msg} {t('obl_formats', lang)}: {_formats(MONTH_FORMATS, lang)}.") from None


class ObligationsUI:
    """What the Obligations tab does; thread-safe (read-only data, a lock around chart drawing and file rotation)."""

    def __init__(self, assistant: Assistant, plans: dict[str, PlanMeta], texts: Mapping[str, PlanText],
                 keep: int = KEEP_EXPORTS) -> None:
        self.assistant = assistant
        self.plans = plans
        self.texts = texts
        self.reload()
        self._exports = Exports("plans-obligations-", keep)
        self.root = self._exports.root

    def reload(self) -> None:
        """Read the obligations of the plans the assistant serves now (after plans were added)."""
        try:
            obls: list[Obligation] = list(self.assistant.obligations())
        except Exception:  # the chat must come up even if obligations cannot be read: the tab is then empty
            log.exception("obligations unavailable")
            obls = []
        keys = [fold(" ".join((o.task, o.task_raw, o.heading, *o.lead, *o.support))) for o in obls]
        self.obls, self._keys = obls, keys

    def plan_choices(self, lang: str, query: str | None = "", keep: str = "") -> list[tuple[str, str]]:
        """All plans, then the plans that have obligations and match `query` (ui.render.plan_menu)."""
        ids = dict.fromkeys(o.plan_id for o in self.obls)
        return plan_menu({p: self.plans[p] for p in ids if p in self.plans}, lang, query, keep)

    def headers(self, lang: str) -> list[str]:
        """The table's column names."""
        return [t(k, lang) for k in ("col_no", "col_plan", "col_lines", "col_lead", "col_support", "col_deadline",
                                      "col_task")]

    def select(self, plan: str | None, who: str | None, search: str | None, before: str | None,
               after: str | None, month: str | None, lang: str) -> list[int]:
        """Indices of the obligations a filter keeps (in plan and line order); FilterError for unreadable dates."""
        first = read_date(after, "obl_after", lang)
        last = read_date(before, "obl_before", lang)
        due_in = read_month(month, "obl_month", lang)
        who_v = (who or "").strip()[:MAX_FILTER_CHARS] or None
        plan_v = plan if plan and plan != ALL and any(o.plan_id == plan for o in self.obls) else None
        kept = {id(o) for o in filter_obligations(self.obls, before=last, after=first, due_in=due_in, who=who_v,
                                                  plan=plan_v)}
        words = fold((search or "")[:MAX_FILTER_CHARS]).split()
        return [i for i, o in enumerate(self.obls)
                if id(o) in kept and all(w in self._keys[i] for w in words)]

    def rows(self, picked: Sequence[int], lang: str) -> list[list[Any]]:
        """Table rows: number (1-based, the source reference), plan, lines, lead, support, deadline, task."""
        out: list[list[Any]] = []
        for i in picked:
            o = self.obls[i]
            first, last = o.lines
            out.append([i + 1, plan_label(self.plans.get(o.plan_id), lang) or o.locality,
                        f"{first}" if first == last else f"{first}–{last}", "; ".join(o.lead),
                        "; ".join(o.support), o.deadline.label if o.deadline else "—", _cut(o.task)])
        return out

    def status(self, picked: Sequence[int], lang: str) -> str:
        """The count line under the filters."""
        if not picked:
            return t("obl_none", lang)
        dated = sum(1 for i in picked if self.obls[i].deadline is not None)
        return t("obl_count", lang).format(n=len(picked), dated=dated)

    def export(self, picked: Sequence[int], lang: str, rotate: bool = True) -> tuple[str | None, str, str]:
        """(timeline PNG or None if nothing is dated, CSV, ICS) of a selection, in a fresh folder of our own."""
        obls = [self.obls[i] for i in picked]
        out = self._exports.new_dir(rotate)
        stem = t("file_stem", lang)
        csv_path, ics_path = out / f"{stem}.csv", out / f"{stem}.ics"
        csv_path.write_text(to_csv(obls), encoding="utf-8-sig")  # the BOM lets spreadsheets read Vietnamese
        with ics_path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(to_ics(obls))
        png: str | None = None
        if any(o.deadline and (o.deadline.end or o.deadline.kind == "recurring") for o in obls):
            with _chart_lock:
                png = str(timeline_png(obls, out / f"{stem}-timeline.png", today=date.today()))
        return png, str(csv_path), str(ics_path)

    def run(self, plan: str | None, who: str | None, search: str | None, before: str | None, after: str | None,
            month: str | None, lang: str, rotate: bool = True, page: int = 1) -> Result:
        """Filter, then render one page and export the whole selection; an unreadable date gives the message and
        no rows or files."""
        try:
            picked = self.select(plan, who, search, before, after, month, lang)
        except FilterError as exc:
            return Result([], esc(str(exc)), None, None, None)
        if not picked:
            return Result([], self.status(picked, lang), None, None, None)
        rows, status, shown = self.page(picked, lang, page)
        return Result(rows, status, *self.export(picked, lang, rotate), page=shown)

    def page(self, picked: Sequence[int], lang: str, page: int) -> tuple[list[list[Any]], str, int]:
        """(rows, status, page) of page `page` (clamped to the pages there are) of a selection."""
        pages = max(1, -(-len(picked) // PAGE_ROWS))
        page = min(max(1, int(page)), pages)
        rows = self.rows(picked[(page - 1) * PAGE_ROWS:page * PAGE_ROWS], lang)
        status = self.status(picked, lang)
        if pages > 1:
            first = (page - 1) * PAGE_ROWS + 1
            status += " " + t("obl_page", lang).format(a=first, b=first + len(rows) - 1, page=page, pages=pages)
        return rows, status, page

    def run_page(self, plan: str | None, who: str | None, search: str | None, before: str | None,
                 after: str | None, month: str | None, lang: str, page: int) -> tuple[list[list[Any]], str, int]:
        """Another page of the current filter (the exports, made for the whole filter, stay as they are)."""
        try:
            picked = self.select(plan, who, search, before, after, month, lang)
        except FilterError as exc:
            return [], esc(str(exc)), 1
        if not picked:
            return [], self.status(picked, lang), 1
        return self.page(picked, lang, page)

    def number(self, ref: Any) -> int | None:
        """The obligation number in `ref` ("12", 12 or "12:<nonce>"; 1-based, the table's first column) if valid."""
        try:
            n = int(str(ref).strip().split(":")[0])
        except ValueError:
            return None
        return n if 1 <= n <= len(self.obls) else None

    def _facts(self, o: Obligation, lang: str) -> str:
        d = o.deadline
        rows = [(t("col_lead", lang), "; ".join(o.lead) or "—")]
        if o.support:
            rows.append((t("col_support", lang), "; ".join(o.support)))
        rows.append((t("col_deadline", lang), d.label if d else t("no_deadline", lang)))
        if d:
            where = ""
            if o.deadline_lines and o.deadline_lines != o.lines:
                a, b = o.deadline_lines
                where = f" ({t('line', lang)} {a}" + ("" if a == b else f"–{b}") + ")"
            rows.append((t("deadline_text", lang), f"“{d.text}”{where}" + (f" ⚠ {d.flag_reason}" if d.flagged
                                                                            else "")))
        body = "".join(f"<div><b>{esc(k)}:</b> {esc(v)}</div>" for k, v in rows)
        return f'<div class="obl-facts">{body}</div>'

    def source(self, ref: Any, lang: str, view: str) -> tuple[str, int | None, bool]:
        """The source panel for obligation `ref`: (html, its number or None, whether a restored/raw toggle applies)."""
        n = self.number(ref)
        o = self.obls[n - 1] if n else None
        pt = self.texts.get(o.doc) if o else None
        if n is None or o is None or pt is None:
            return hint_html(lang, "obl_gone" if str(ref or "").strip() else "obl_hint"), None, False
        first, last = o.lines
        quote = " ".join(" ".join(lines_for(pt, "raw")[first - 1:last]).split())
        cit = Citation(o.doc, o.lines, quote, o.heading, o.plan_id, o.locality)
        html = source_html(pt, cit, "o", n, view, lang, badge=f"{t('obligation_n', lang)} {n}",
                           extra=self._facts(o, lang))
        return html, n, pt.repaired

    def open_plan(self, ref: Any) -> tuple[str | None, tuple[int, int] | None]:
        """The plan file and line span of obligation `ref` for the Plans tab."""
        n = self.number(ref)
        return (self.obls[n - 1].doc, self.obls[n - 1].lines) if n else (None, None)
