"""Source rendering: the cited passage in its context, plan metadata, and a plan's full text."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from assistant.types import Citation
from corpus.records import PlanMeta
from ui.i18n import t
from ui.render import esc

if TYPE_CHECKING:
    from assistant.service import PlanText

CONTEXT_LINES = 8


def show_date(iso: str) -> str:
    """"2025-09-17" -> "17/09/2025", "2025-09" -> "09/2025"."""
    parts = iso.split("-")
    return "/".join(reversed(parts)) if all(p.isdigit() for p in parts if p) and iso else iso


def view_choices(lang: str) -> list[tuple[str, str]]:
    """The restored/raw toggle's choices."""
    return [(t("restored", lang), "restored"), (t("raw", lang), "raw")]


def lines_for(pt: PlanText, view: str) -> tuple[str, ...]:
    """The restored reading when asked for and the plan was repaired, else the raw scan lines."""
    return pt.restored if view == "restored" and pt.repaired else pt.raw


def _uncertain_by_line(pt: PlanText) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for line, raw_tok, restored_tok in pt.uncertain:
        out.setdefault(line, []).append((raw_tok, restored_tok))
    return out


def _line_html(n: int, text: str, marks: Sequence[tuple[str, str]], lang: str, cls: str = "") -> str:
    body = html.escape(text)
    for raw_tok, restored_tok in marks:
        tok = html.escape(restored_tok)
        if tok and tok in body:
            tip = html.escape(f"{t('uncertain', lang)} “{raw_tok}”", quote=True)
            body = body.replace(tok, f'<span class="uncertain" title="{tip}">{tok}</span>', 1)
    classes = f"ln-row {cls}".strip()
    return (f'<div class="{classes}" id="L{n}" data-line="{n}"><span class="ln">{n}</span>'
            f'<span class="tx">{body or "&nbsp;"}</span></div>')


def _meta_rows(meta: PlanMeta, lang: str) -> list[tuple[str, str]]:
    rows = [(t("plan_no", lang), meta.number), (t("locality", lang), meta.label),
            (t("province", lang), meta.province), (t("date", lang), show_date(meta.date)),
            (t("issuer", lang), meta.issuer), (t("implements", lang), ", ".join(meta.implements))]
    return [(k, v) for k, v in rows if v]


def source_html(pt: PlanText, cit: Citation, kind: str, n: int, view: str, lang: str,
                context: int = CONTEXT_LINES, badge: str = "", extra: str = "") -> str:
    """The source panel: plan title, number, locality, section, then the cited lines highlighted in context.
    `badge` replaces the citation/related badge; `extra` is trusted HTML shown under the header."""
    meta = pt.meta
    first, last = cit.lines
    badge = badge or (f"{t('citation_n', lang)} [{n}]" if kind == "c" else f"{t('related_n', lang)} ↗{n}")
    facts = " · ".join(esc(v) for v in (meta.number and f"{t('plan_no', lang)} {meta.number}", meta.label,
                                         show_date(meta.date)) if v)
    span = f"{first}" if first == last else f"{first}–{last}"
    head = (f'<div class="src-badge {kind}">{esc(badge)}</div>'
            f'<div class="src-title">{esc(meta.title or meta.doc)}</div>'
            f'<div class="src-facts">{facts}</div>'
            f'<div class="src-section"><b>{esc(t("section", lang))}:</b> {esc(cit.heading or "—")}</div>'
            f'<div class="src-where">{esc(t("lines", lang))} {span} · {esc(cit.doc)}</div>{extra}')
    lines = lines_for(pt, view)
    note = ""
    if pt.repaired:
        note = f'<div class="src-note">{esc(t("repaired_note", lang))}</div>'
    marks = _uncertain_by_line(pt) if view == "restored" and pt.repaired else {}
    lo, hi = max(1, first - context), min(len(lines), last + context)
    rows = [_line_html(i, lines[i - 1], marks.get(i, ()), lang, "hl" if first <= i <= last else "")
            for i in range(lo, hi + 1)]
    return (f'<div class="src-panel" data-doc="{html.escape(cit.doc, quote=True)}" data-first="{first}" '
            f'data-last="{last}">{head}{note}<div class="src-text">{"".join(rows)}</div></div>')


def hint_html(lang: str, key: str = "source_hint") -> str:
    """The source panel before any marker is clicked (or after the conversation is cleared)."""
    return f'<div class="src-panel empty"><p>{esc(t(key, lang))}</p></div>'


def plan_meta_html(pt: PlanText, lang: str) -> str:
    """A plan's metadata as a small definition table."""
    meta = pt.meta
    rows = [*_meta_rows(meta, lang), (t("file", lang), meta.doc),
            (t("col_status", lang), t("repaired_yes" if pt.repaired else "repaired_no", lang))]
    cells = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<div class="plan-meta"><div class="src-title">{esc(meta.title)}</div><table>{cells}</table></div>'


def plan_text_html(pt: PlanText, view: str, lang: str, highlight: tuple[int, int] | None = None) -> str:
    """A plan's full text with line numbers (restored reading or raw scan), optionally some lines highlighted."""
    lines = lines_for(pt, view)
    marks = _uncertain_by_line(pt) if view == "restored" and pt.repaired else {}
    note = t("repaired_note" if pt.repaired else "not_repaired", lang)
    lo, hi = highlight or (0, -1)
    rows = "".join(_line_html(i, line, marks.get(i, ()), lang, "hl" if lo <= i <= hi else "")
                   for i, line in enumerate(lines, 1))
    return f'<div class="plan-full"><div class="src-note">{esc(note)}</div><div class="src-text">{rows}</div></div>'


def plans_table_html(plans: Iterable[tuple[PlanMeta, bool]], lang: str) -> str:
    """Every plan in one table (from (metadata, repaired) pairs): locality, number, date, title, text status."""
    head = "".join(f"<th>{esc(t(k, lang))}</th>" for k in ("col_plan", "plan_no", "date", "col_title", "col_status"))
    rows = []
    for m, repaired in plans:
        status = t("repaired_yes" if repaired else "repaired_no", lang)
        rows.append(f"<tr><td>{esc(m.label)}</td><td>{esc(m.number)}</td><td>{esc(show_date(m.date))}</td>"
                    f"<td>{esc(m.title)}</td><td>{esc(status)}</td></tr>")
    return f'<table class="plans-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
