"""Chat rendering: conversation turns to Chatbot messages, citation markers to links, answers to plain text."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.types import Answer, Citation
from corpus.records import PlanMeta
from corpus.text import fold
from ui.i18n import t

_MARKER = re.compile(r"\[(\d{1,3})\]")
SNIPPET_CHARS = 240
ALL = "*"  # a plan menu's "all plans" value
MAX_CHOICES = 100  # plans a plan menu lists at once; the search box above it finds the others
MAX_QUERY = 200  # characters of a plan search that are read


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation: the question, the filter it ran under, and the answer or error."""

    question: str
    plan: str = ""  # plan_id the search was limited to, "" for all plans
    answer: Answer | None = None
    error: str = ""


def history(turns: Sequence[Turn]) -> list[str]:
    """Earlier questions as the assistant understood them (follow-ups resolved), for the next question."""
    return [tr.answer.effective_question or tr.question for tr in turns if tr.answer is not None]


def esc(text: str) -> str:
    """HTML-escape text, also neutralising Markdown and LaTeX characters the Chatbot would interpret."""
    out = html.escape(text, quote=True)
    for ch, ent in (("*", "&#42;"), ("_", "&#95;"), ("`", "&#96;"), ("$", "&#36;"), ("~", "&#126;"),
                    ("|", "&#124;"), ("\\", "&#92;")):
        out = out.replace(ch, ent)
    return out


def src_ref(turn: int, kind: str, n: int) -> str:
    """The reference a marker link carries: turn index, c(itation) or r(elated), 1-based number."""
    return f"{turn}-{kind}-{n}"


def parse_ref(ref: str) -> tuple[int, str, int] | None:
    """(turn, kind, n) from a marker reference such as "2-c-1" or "2-c-1:1712345"; None if malformed."""
    m = re.fullmatch(r"\s*(\d{1,4})-([cr])-(\d{1,3})(?::\w*)?\s*", ref or "")
    if not m:
        return None
    return int(m.group(1)), m.group(2), int(m.group(3))


def _marker_link(turn: int, kind: str, n: int) -> str:
    ref = src_ref(turn, kind, n)
    label = f"[{n}]" if kind == "c" else f"↗{n}"
    return f'<a class="cite-ref" href="#src-{ref}" data-ref="{ref}" title="{ref}">{label}</a>'


def linkify(escaped: str, turn: int, count: int) -> str:
    """Turn the [n] markers of escaped answer text into clickable links (only n that has a citation)."""
    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return _marker_link(turn, "c", n) if 1 <= n <= count else m.group(0)
    return _MARKER.sub(repl, escaped)


def _body(text: str, turn: int, count: int) -> str:
    """Answer text to HTML: paragraphs, "- " lines as a list, markers as links. No blank lines (one HTML block)."""
    parts: list[str] = []
    items: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line.startswith("- "):
            items.append(f"<li>{linkify(esc(line[2:]), turn, count)}</li>")
            continue
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
            items = []
        parts.append(f"<p>{linkify(esc(line), turn, count)}</p>")
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "".join(parts)


def plan_label(meta: PlanMeta | None, lang: str) -> str:
    """"phường Dương Kinh (49/KH-UBND)" for the filter and labels."""
    if meta is None:
        return ""
    number = meta.number if meta.number[:1].isdigit() else ""
    label = meta.label
    if lang == "en":
        level = {"phường": "ward", "xã": "commune", "tỉnh": "province"}.get(meta.level, meta.level)
        label = f"{meta.locality} {level}".strip()
    return f"{label} ({number})" if number else label


@lru_cache(maxsize=65536)
def _search_key(meta: PlanMeta) -> str:
    """What a plan search matches, folded (kept per plan: a search box folds nothing again at each keystroke)."""
    return fold(" ".join((meta.plan_id, meta.level, meta.locality, meta.province, meta.number, meta.title,
                          meta.issuer, meta.doc, *meta.aliases)))


def match_plans(plans: Mapping[str, PlanMeta], query: str | None) -> list[PlanMeta]:
    """The plans whose place, number, title, issuer or id contain every word of `query`, accents and case
    ignored ("duong kinh 49", "Đắk Lắk", "1565"); all plans for an empty query; in the plans' own order."""
    words = fold((query or "")[:MAX_QUERY]).split()  # an untouched search box may send None
    return [meta for meta in plans.values() if all(w in _search_key(meta) for w in words)]


def menu_plans(plans: Mapping[str, PlanMeta], query: str | None = "", keep: str = "") -> list[PlanMeta]:
    """Up to MAX_CHOICES plans matching `query`, and plans[keep] (the one chosen now) first if it is left out."""
    found = match_plans(plans, query)[:MAX_CHOICES]
    if keep in plans and plans[keep] not in found:
        found.insert(0, plans[keep])
    return found


def plan_menu(plans: Mapping[str, PlanMeta], lang: str, query: str | None = "", keep: str = "") -> list[tuple[str, str]]:
    """A plan menu's choices: "all plans", then menu_plans by plan id."""
    return [(t("all_plans", lang), ALL)] + [(plan_label(m, lang), m.plan_id) for m in menu_plans(plans, query, keep)]


def answer_html(turn: Turn, index: int, lang: str, plans: Mapping[str, PlanMeta], partial: str | None = None) -> str:
    """The assistant message for one answered turn (or its streamed prefix)."""
    answer = turn.answer
    head = ""
    if turn.plan:
        head += f'<div class="scope">🔎 {esc(t("scope", lang))}: {esc(plan_label(plans.get(turn.plan), lang))}</div>'
    if answer is not None and answer.effective_question and answer.effective_question != answer.question:
        head += f'<div class="understood">↪ {esc(t("understood_as", lang))}: “{esc(answer.effective_question)}”</div>'
    if answer is None:
        return f'<div class="answer pending">{head}<p>{esc(partial or t("searching", lang))}</p></div>'
    text = answer.answer if partial is None else partial
    body = _body(text, index, len(answer.citations))
    if answer.abstained:
        return (f'<div class="answer abstain">{head}<div class="abstain-head">🤷 {esc(t("not_found", lang))}</div>'
                f"{body}</div>")
    return f'<div class="answer">{head}{body}</div>'


def _snippet(cit: Citation) -> str:
    text = cit.restored or cit.quote
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def sources_html(cits: Sequence[Citation], index: int, kind: str, lang: str, plans: Mapping[str, PlanMeta]) -> str:
    """The list under an answer: each citation (or related passage) with its plan, section, lines and a snippet."""
    rows = []
    for n, cit in enumerate(cits, 1):
        meta = plans.get(cit.plan_id)
        where = [f"<b>{esc(plan_label(meta, lang) or cit.locality or cit.doc)}</b>"]
        if cit.heading:
            where.append(f"{esc(t('section', lang))}: {esc(cit.heading)}")
        first, last = cit.lines
        span = f"{first}" if first == last else f"{first}–{last}"
        where.append(f"{esc(t('lines', lang))} {span}")
        rows.append(f'<li class="src-item {kind}">{_marker_link(index, kind, n)} {" · ".join(where)}'
                    f'<div class="snippet">“{esc(_snippet(cit))}”</div></li>')
    note = f'<div class="related-note">{esc(t("related_note", lang))}</div>' if kind == "r" else ""
    return f'<div class="sources {kind}">{note}<ol>{"".join(rows)}</ol></div>'


def turn_messages(turn: Turn, index: int, lang: str, plans: Mapping[str, PlanMeta],
                  partial: str | None = None) -> list[dict[str, Any]]:
    """Chatbot messages for one turn: the question, the answer (or error), then sources or related passages."""
    msgs: list[dict[str, Any]] = [{"role": "user", "content": f'<div class="question">{esc(turn.question)}</div>'}]
    if turn.error:
        msgs.append({"role": "assistant", "content": f'<div class="answer error"><div class="abstain-head">⚠️ '
                                                    f'{esc(t("error", lang))}</div><p>{esc(turn.error)}</p></div>'})
        return msgs
    msgs.append({"role": "assistant", "content": answer_html(turn, index, lang, plans, partial)})
    answer = turn.answer
    if answer is None or partial is not None:
        return msgs
    if answer.citations:
        msgs.append({"role": "assistant", "content": sources_html(answer.citations, index, "c", lang, plans),
                     "metadata": {"title": f"{t('sources_title', lang)} ({len(answer.citations)})"}})
    if answer.related:
        msgs.append({"role": "assistant", "content": sources_html(answer.related, index, "r", lang, plans),
                     "metadata": {"title": f"{t('related_title', lang)} ({len(answer.related)})"}})
    return msgs


def messages(turns: Sequence[Turn], lang: str, plans: Mapping[str, PlanMeta],
             partial: str | None = None) -> list[dict[str, Any]]:
    """The whole conversation as Chatbot messages; `partial` is the streamed prefix of the last answer."""
    out: list[dict[str, Any]] = []
    for i, turn in enumerate(turns):
        out.extend(turn_messages(turn, i, lang, plans, partial if i == len(turns) - 1 else None))
    return out


def stream_prefixes(text: str, steps: int = 6) -> list[str]:
    """Growing prefixes of `text`, cut at spaces, ending with the whole text."""
    if len(text) < 40 or steps <= 1:
        return [text]
    cuts: list[int] = []
    for k in range(1, steps):
        pos = text.find(" ", len(text) * k // steps)
        if pos > 0 and (not cuts or pos > cuts[-1]):
            cuts.append(pos)
    return [text[:c] + " …" for c in cuts] + [text]


def plain_text(turn: Turn, lang: str, plans: Mapping[str, PlanMeta]) -> str:
    """An answer with its citations as plain text, for copying."""
    answer = turn.answer
    lines = [f"{t('question_label', lang)}: {turn.question}"]
    if answer is None:
        return "\n".join([*lines, f"{t('answer_label', lang)}: {turn.error}"])
    lines.append(f"{t('answer_label', lang)}: {answer.answer}")
    for title, cits, mark in ((t("sources_label", lang), answer.citations, "[{n}]"),
                              (t("related_label", lang), answer.related, "({n})")):
        if not cits:
            continue
        lines += ["", f"{title}:"]
        for n, cit in enumerate(cits, 1):
            meta = plans.get(cit.plan_id)
            parts = [plan_label(meta, lang) or cit.locality]
            if cit.heading:
                parts.append(f"{t('section', lang)}: {cit.heading}")
            parts.append(f"{t('lines', lang)} {cit.lines[0]}–{cit.lines[1]} ({cit.doc})")
            lines.append(f"{mark.format(n=n)} " + " — ".join(parts))
            lines.append(f"    “{cit.quote}”")
            if cit.restored:
                lines.append(f"    ({t('restored', lang)}: “{cit.restored}”)")
    return "\n".join(lines)
