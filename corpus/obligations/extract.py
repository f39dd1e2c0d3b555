"""Obligations — who must do what by when — read from a plan's structure, with exact line spans."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from corpus.obligations.deadlines import Deadline, find_deadlines, leading_continuous
from corpus.obligations.units import (
    HEADS,
    Word,
    clean_label,
    match_unit,
    phrase_at,
    span_text,
    stop_at,
    subject_at,
    token_match,
    units_at,
    words_of,
)
from corpus.structure import is_closing
from corpus.text import collapse, fold


@dataclass(frozen=True)
class Obligation:
    """One duty: lead and supporting units, the task (restored and verbatim raw), its deadline, where it is."""

    plan_id: str
    doc: str
    locality: str  # plan label, e.g. "phường Dương Kinh"
    lines: tuple[int, int]  # 1-based inclusive span in the plan file
    lead: tuple[str, ...]
    support: tuple[str, ...]
    task: str  # restored reading
    task_raw: str  # the file's own words, single-spaced: a substring of the collapsed lines
    deadline: Deadline | None
    heading: str  # section path, " › "-joined
    deadline_lines: tuple[int, int] | None = None  # where the deadline wording is (may be a section line)

    @property
    def due(self) -> date | None:
        """The deadline's end date, or None."""
        return self.deadline.end if self.deadline else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {"plan_id": self.plan_id, "doc": self.doc, "locality": self.locality, "lines": list(self.lines),
                "lead": list(self.lead), "support": list(self.support), "task": self.task,
                "task_raw": self.task_raw, "deadline": self.deadline.as_dict() if self.deadline else None,
                "heading": self.heading,
                "deadline_lines": list(self.deadline_lines) if self.deadline_lines else None}


# ---------------------------------------------------------------- lines and paragraphs

_BOOKMARK = re.compile(r"^\s*\[bookmark:[^\]]*\]\s*")
_ROMAN = re.compile(r"^(?:[IVXLl1]{1,4})\s*[.,]\s*\S")
_NUM = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\s*[.)]\s*(?=\S)(?!\d)")
_ITEM = re.compile(r"^(?:[a-hđ]|[A-H]|c¢|¢)\s?\)\s*\S|^[a-hđ]\.\s+\S")
_BULLET = re.compile(r"^[-–•*]\s*\S")
_PLUS = re.compile(r"^\+\s*\S")
_PAGE = re.compile(r"^\d{1,3}$")
_FOOTNOTE = re.compile(r"^\d(?:[a-z]|\s+[A-ZĐ])")
_SENT_END = re.compile(r"[.;:!?]['\")\]”]*$")
_MARKER_TOKEN = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-hđA-H]\)|c¢\)|¢\)|[a-hđ]\.|[-–•*+])$")
_MIDLINE_ITEM = re.compile(r"^[a-hđ]\)$")

_PART_TASKS = ("nhiemvu", "giaiphap", "noidungtrienkhai", "noidungthuchien")
_PART_ORG = ("tochucthuchien",)
_PART_KEYS = (*_PART_TASKS, *_PART_ORG, "muctieu", "mucdich", "yeucau", "chitieu", "mohinh")


@dataclass(frozen=True)
class _Tok:
    line: int
    raw: str
    text: str


@dataclass
class _Unit:
    kind: str  # part / num / item / bullet / plus / para
    depth: int
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    children: list[_Unit] = field(default_factory=list)
    part_type: str = ""


def _line_kind(raw: str) -> str:
    s = _BOOKMARK.sub("", raw).strip()
    if not s:
        return "blank"
    if _PAGE.match(s):
        return "page"
    letters = [ch for ch in s if ch.isalpha()]
    upper = bool(letters) and len(letters) >= 4 and sum(ch.isupper() for ch in letters) >= 0.7 * len(letters)
    if upper and _ROMAN.match(s) and not re.match(r"^\d+\s*[.,]", s):
        return "part"
    if upper and _NUM.match(s) and any(k in fold(s).replace(" ", "") for k in _PART_KEYS):
        return "part"  # OCR read "III." as "1."
    if _NUM.match(s):
        return "num"
    if _ITEM.match(s):
        return "item"
    if _BULLET.match(s):
        return "bullet"
    if _PLUS.match(s):
        return "plus"
    return "text"


def _tokens(raw_lines: Sequence[str], restored_lines: Sequence[str]) -> tuple[list[_Tok], list[tuple[int, int]]]:
    """All tokens of the plan, and per line its token range (bookmark artefacts left out)."""
    toks: list[_Tok] = []
    ranges: list[tuple[int, int]] = []
    for number, (raw, restored) in enumerate(zip(raw_lines, restored_lines, strict=True), start=1):
        raw_toks = raw.split()
        res_toks = restored.split()
        if len(res_toks) != len(raw_toks):
            res_toks = raw_toks
        bookmark = _BOOKMARK.match(raw)
        skip = len(bookmark.group(0).split()) if bookmark else 0
        first = len(toks)
        toks.extend(_Tok(number, r, t) for r, t in zip(raw_toks[skip:], res_toks[skip:], strict=True))
        ranges.append((first, len(toks)))
    return toks, ranges


def _num_depth(text: str) -> int:
    m = _NUM.match(text)
    return len(m.group(1).split(".")) if m else 1


def _units(raw_lines: Sequence[str], toks: list[_Tok], ranges: list[tuple[int, int]]) -> list[_Unit]:
    """Paragraph-level units (parts, numbered sections, items, bullets, paragraphs) up to the closing."""
    nonblank = [line for line in raw_lines if line.strip()]
    # Word-processor exports keep one paragraph per line; OCR text wraps lines and separates paragraphs by blanks.
    line_mode = sum(len(line) > 160 for line in nonblank) >= 0.3 * max(1, len(nonblank))
    units: list[_Unit] = []
    current: _Unit | None = None
    prev_line = -1
    footnote = False
    for i, raw in enumerate(raw_lines):
        kind = _line_kind(raw)
        if kind in ("blank", "page"):
            continue
        if is_closing(raw):
            break
        a, b = ranges[i]
        if a == b:
            continue
        gap = prev_line >= 0 and i - prev_line > 1
        text = _BOOKMARK.sub("", raw).strip()
        new = kind in ("part", "num", "item", "bullet", "plus")
        if not new and current is not None:
            prev = raw_lines[prev_line].rstrip()
            first = text[:1]
            upper = first.isupper() or first.isdigit()
            unit_lines = toks[current.end - 1].line - toks[current.start].line + 1
            title_like = (current.kind in ("part", "num", "item") and not _SENT_END.search(prev)
                          and current.end - current.start <= 30)
            if line_mode:
                new = upper
            elif gap:
                # One blank line separates OCR paragraphs; page breaks leave several (and a page number).
                new = upper and (bool(_SENT_END.search(prev)) or title_like or i - prev_line == 2)
            else:
                new = upper and title_like and unit_lines == 1 and current.end - current.start <= 16
        if footnote:
            if not new and not gap:
                prev_line = i
                continue
            footnote = False
        if kind == "text" and gap and (new or current is None) and _FOOTNOTE.match(text):
            footnote = True  # "2 Được thành lập tại …" at the foot of a page
            prev_line = i
            continue
        if new or current is None:
            current = _Unit(kind if kind != "text" else "para", _num_depth(text) if kind == "num" else 0, a, b)
            units.append(current)
        else:
            current.end = b
        prev_line = i
    return _split_midline_items(units, toks)


def _split_midline_items(units: list[_Unit], toks: list[_Tok]) -> list[_Unit]:
    """ "… dịch vụ công. b) Triển khai …" on one line: two items."""
    out: list[_Unit] = []
    for u in units:
        start = u.start
        for k in range(u.start + 2, u.end):
            if _MIDLINE_ITEM.match(toks[k].raw) and toks[k - 1].raw.endswith((".", ";")) and k + 1 < u.end:
                out.append(_Unit(u.kind, u.depth, start, k))
                start = k
                u = _Unit("item", 0, k, u.end)
        out.append(_Unit(u.kind, u.depth, start, u.end))
    return out


def _tree(units: list[_Unit], toks: list[_Tok]) -> list[_Unit]:
    """Parts with their nested sections, items, bullets and paragraphs."""
    parts: list[_Unit] = []
    stack: list[_Unit] = []
    for u in units:
        if u.kind == "part":
            parts.append(u)
            stack = [u]
            continue
        if not stack:
            stack = [_Unit("part", 0, u.start, u.start, part_type="")]
            parts.append(stack[0])
        if u.kind == "num":
            while len(stack) > 1 and not (stack[-1].kind == "num" and stack[-1].depth < u.depth):
                stack.pop()
        elif u.kind == "item":
            while len(stack) > 1 and stack[-1].kind not in ("num", "part"):
                stack.pop()
        elif u.kind in ("bullet", "para"):
            while len(stack) > 1 and stack[-1].kind not in ("num", "item", "part"):
                stack.pop()
        elif u.kind == "plus":
            while len(stack) > 1 and stack[-1].kind not in ("num", "item", "bullet", "part"):
                stack.pop()
        stack[-1].children.append(u)
        if u.kind in ("num", "item", "bullet"):
            stack.append(u)
    for p in parts:
        if p.end > p.start:
            key = " ".join(fold(" ".join(t.text if k else t.raw for t in toks[p.start:p.end])).replace(" ", "")
                           for k in (0, 1))
            p.part_type = ("org" if any(k in key for k in _PART_ORG)
                           else "tasks" if any(k in key for k in _PART_TASKS) else "skip")
    if len(parts) == 1 and not parts[0].part_type:
        parts[0].part_type = "tasks"
    return parts


# ---------------------------------------------------------------- reading units


@dataclass(frozen=True)
class _Text:
    """A unit's body (marker left out): tokens, folded words, joined text and char offsets of tokens."""

    first: int  # plan token index of tokens[0]
    tokens: tuple[str, ...]
    words: tuple[Word, ...]
    text: str
    offsets: tuple[int, ...]
    raw: _Text | None = None  # the same tokens as the file has them, when the restored reading differs

    def token_at(self, char: int) -> int:
        """Plan token index of a char offset in `text`."""
        k = 0
        while k + 1 < len(self.offsets) and self.offsets[k + 1] <= char:
            k += 1
        return self.first + k

    def readings(self) -> tuple[_Text, ...]:
        """This text, then its raw form if different (the restorer can garble a cue word)."""
        return (self, self.raw) if self.raw is not None else (self,)

    def slice(self, t0: int, t1: int) -> _Text:
        """Tokens [t0, t1) of this text (indices relative to `first`)."""
        return _make_text(self.first + t0, self.tokens[t0:t1], self.raw.tokens[t0:t1] if self.raw else None)


def _make_text(first: int, tokens: Sequence[str], raw_tokens: Sequence[str] | None) -> _Text:
    offsets, pos = [], 0
    for t in tokens:
        offsets.append(pos)
        pos += len(t) + 1
    raw = None
    if raw_tokens is not None and tuple(raw_tokens) != tuple(tokens):
        raw = _make_text(first, raw_tokens, None)
    return _Text(first, tuple(tokens), tuple(words_of(tokens)), " ".join(tokens), tuple(offsets), raw)


def _body(toks: list[_Tok], start: int, end: int) -> _Text:
    first = start
    if start < end and _MARKER_TOKEN.match(toks[start].raw):
        first = start + 1
    tokens = [t.text for t in toks[first:end]]
    raw_tokens = [t.raw for t in toks[first:end]]
    if tokens and first == start:
        glued = r"^(?:[-–•*+]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-hđ]\))(?=\S)"
        tokens[0] = re.sub(glued, "", tokens[0])
        raw_tokens[0] = re.sub(glued, "", raw_tokens[0])
    return _make_text(first, tokens, raw_tokens)


def _title(text: str) -> str:
    head = re.split(r"(?<=\S):\s", text, maxsplit=1)[0]
    words = head.split()
    return " ".join(words[:14]) + (" …" if len(words) > 14 else "")


def _is_title(u: _Unit, body: _Text) -> bool:
    if not u.children or u.kind not in ("num", "item"):
        return False
    return len(body.tokens) <= 30 and not re.search(r"[.;]['\")\]”]*$", body.text)


_ATTACH_DEADLINE = ("thoi gian hoan thanh", "thot gian hoan thanh", "thoi han")
_ATTACH_SUPPORT = ("khuyen khich huy dong",)
_SKIP_OPENINGS = ("tren day", "kinh phi thuc hien ke hoach", "noi nhan")


def _starts(words: Sequence[Word], phrases: Sequence[str]) -> bool:
    return any(phrase_at(words, 0, p) for p in phrases)


def _voi(word: str) -> bool:
    """ "với" and its OCR forms ("véi", "v4i", "vai")."""
    return word == "voi" or (len(word) == 3 and word[0] == "v" and word[2] in "i1")


def _supports(body: _Text) -> list[str]:
    """Units named after "phối hợp (với)" or "huy động (thành viên của) … tham gia"."""
    words, tokens = body.words, body.tokens
    found: list[str] = []
    for i in range(len(words) - 2):
        j, split = -1, False
        if phrase_at(words, i, "phoi hop") and not tokens[words[i + 1].last].endswith((",", ".", ";")):
            j = i + 3 if _voi(words[i + 2].text) or words[i + 2].text == "cung" else i + 2
        elif token_match("phoi", words[i].text) and words[i + 1].text != "hop" and _voi(words[i + 1].text):
            j = i + 2  # "Phối với" (a word dropped by OCR or typing)
        elif phrase_at(words, i, "huy dong"):
            j, split = i + 2, True
            if phrase_at(words, j, "thanh vien"):
                j += 2
                if j < len(words) and re.fullmatch(r"c[a-z]{0,2}a", words[j].text):  # "của", OCR "cta", "ciia"
                    j += 1
        if j < 0:
            continue
        if phrase_at(words, j, "theo yeu cau"):
            j += 3
            if j < len(words) and re.fullmatch(r"c[a-z]{0,2}a", words[j].text):
                j += 1
        if any(phrase_at(words, j, p) for p in ("chat che", "dong bo", "thuc hien")):
            continue
        if j < len(words) and not stop_at(words, tokens, j):
            names, _ = units_at(words, tokens, j, max_words=24, split_commas=split)
            found.extend(names)
    return [n for n in dict.fromkeys(found) if len(n.split()) >= 2]


_Dl = tuple[Deadline | None, tuple[int, int] | None]


@dataclass(frozen=True)
class _Ctx:
    part: str  # tasks / org
    lead: tuple[str, ...]  # who leads unless the sentence names someone
    in_unit: bool  # lead comes from a unit heading ("1. Sở Khoa học và Công nghệ")
    headings: tuple[str, ...]
    deadlines: tuple[_Dl, ...]  # inherited from sections and "Thời gian…" lines
    support: tuple[str, ...]


@dataclass
class _Task:
    start: int
    end: int
    lead: tuple[str, ...]
    support: tuple[str, ...]
    deadlines: tuple[_Dl, ...]
    heading: str
    span: tuple[int, int]


class _Reader:
    """Walks one plan's tree and collects tasks."""

    def __init__(self, toks: list[_Tok], issuer: str, org_default: str) -> None:
        self.toks = toks
        self.issuer = issuer
        self.org_default = org_default
        self.tasks: list[_Task] = []

    def lines_of(self, start: int, end: int) -> tuple[int, int]:
        return self.toks[start].line, self.toks[end - 1].line

    def own_deadlines(self, body: _Text) -> list[_Dl]:
        """Deadlines the text sets itself (restored reading, else the raw one), with their lines."""
        for reading in body.readings():
            found = self._deadlines(reading)
            if found:
                return found
        return []

    def _deadlines(self, body: _Text) -> list[_Dl]:
        out: list[_Dl] = []
        lead = leading_continuous(body.text)
        found = find_deadlines(body.text)
        if lead is not None and not any(d.kind == "continuous" for d, _, _ in found):
            found.insert(0, (lead, 0, len(lead.text)))
        for d, a, b in found:
            t0, t1 = body.token_at(a), body.token_at(max(a, b - 1))
            # The wording as the file has it (the restorer may have garbled a cue word).
            quote = clean_label(" ".join(t.raw for t in self.toks[t0:t1 + 1]))
            out.append((replace(d, text=quote or d.text), (self.toks[t0].line, self.toks[t1].line)))
        return out

    def explicit_lead(self, body: _Text, ctx: _Ctx, bullet: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(lead, extra support) named by the sentence itself: "Giao X …", "Đề nghị X …", "X chủ trì …"."""
        for reading in body.readings():
            found = self._explicit_lead(reading, ctx, bullet)
            if found[0] or found[1]:
                return found
        return (), ()

    def _explicit_lead(self, body: _Text, ctx: _Ctx, bullet: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
        words, tokens = body.words, body.tokens
        if not words:
            return (), ()
        if words[0].text == "giao":
            names, _ = units_at(words, tokens, 1)
            return names, ()
        if len(words) > 1 and words[1].text == "nghi" and len(words[0].text) <= 2:
            names, _ = units_at(words, tokens, 2, max_words=30, semicolon=True)
            return tuple(n for part in names for n in _split_semicolons(part)), ()
        if phrase_at(words, 0, "yeu cau"):
            names, _ = units_at(words, tokens, 2)
            return ((), names) if (ctx.in_unit and bullet) else (names, ())
        subject = subject_at(words, tokens, 0)
        if subject:
            return subject[0], ()
        if phrase_at(words, 0, "trong qua trinh"):
            for i in range(1, len(words)):
                if tokens[words[i - 1].last].endswith(","):
                    subject = subject_at(words, tokens, i)
                    if subject:
                        return subject[0], ()
        return (), ()

    def clauses(self, body: _Text) -> list[tuple[int, int]]:
        """Word ranges of clauses that each name their own subject ("Phòng A chủ trì …; Phòng B chủ trì …")."""
        cuts = [0]
        for i in range(1, len(body.words)):
            if body.tokens[body.words[i - 1].last].endswith(";") and body.words[i].first > body.words[i - 1].last:
                known = match_unit(body.words, i)
                if known and subject_at(body.words, body.tokens, i):
                    cuts.append(i)
        if len(cuts) == 1 or not subject_at(body.words, body.tokens, 0):
            return [(0, len(body.words))]
        return [(a, b) for a, b in zip(cuts, [*cuts[1:], len(body.words)], strict=True)]

    def emit(self, u: _Unit, body: _Text, ctx: _Ctx, attach: tuple[_Dl, ...], attach_support: tuple[str, ...],
             ancestors: tuple[_Dl, ...]) -> None:
        """Record the task(s) of one unit."""
        if len(body.words) < 3 or any(_starts(r.words, _SKIP_OPENINGS) for r in body.readings()):
            return
        clauses = self.clauses(body)
        for a, b in clauses:
            part = body if len(clauses) == 1 else body.slice(body.words[a].first, body.words[b - 1].last + 1)
            lead, extra = self.explicit_lead(part, ctx, u.kind in ("bullet", "plus"))
            generic = u.kind == "para" and ctx.part == "org" and _starts(part.words, ("yeu cau", "trong qua trinh"))
            if not lead:
                lead = (self.org_default,) if generic else ctx.lead
            named = next((found for found in map(_supports, part.readings()) if found), [])
            support = tuple(s for s in dict.fromkeys((*named, *extra, *attach_support, *ctx.support))
                            if s not in lead)
            own = self.own_deadlines(part)
            chosen: tuple[_Dl, ...] = tuple(own) or attach or ancestors or ((None, None),)
            start = part.first
            end = part.first + len(part.tokens)
            self.tasks.append(_Task(start, end, lead, support, chosen, " › ".join(ctx.headings),
                                    self.lines_of(u.start, u.end) if len(clauses) == 1
                                    else self.lines_of(start, end)))

    def walk(self, u: _Unit, ctx: _Ctx) -> list[_Task]:
        """Collect the tasks under a unit; returns the tasks found in its subtree."""
        before = len(self.tasks)
        body = _body(self.toks, u.start, u.end)
        title = u.kind in ("num", "item") and _is_title(u, body)
        attach, attach_support, children = self.attachments(u)
        if title:
            ctx = self.enter_title(u, body, ctx)
            if ctx.part == "skip":
                return []
            own = tuple(self.own_deadlines(body))
            if own:
                ctx = replace(ctx, deadlines=own)
        elif u.kind != "part":
            ancestors = ctx.deadlines
            self.emit(u, body, ctx, attach, attach_support, ancestors)
            if self.tasks[before:]:
                own = tuple((d, ln) for d, ln in self.tasks[-1].deadlines if d is not None)
                explicit = self.tasks[-1].lead
                if own and not attach:
                    ctx = replace(ctx, deadlines=own)
                if explicit != ctx.lead and u.kind in ("num", "item"):
                    ctx = replace(ctx, lead=explicit)
        if attach:
            ctx = replace(ctx, deadlines=attach)
        if attach_support:
            ctx = replace(ctx, support=attach_support)
        lead_override: tuple[str, ...] = ()
        for child in children:
            child_body = _body(self.toks, child.start, child.end)
            setter = self.lead_setter(child, child_body)
            if setter:
                lead_override = setter
                continue
            child_ctx = replace(ctx, lead=lead_override) if lead_override else ctx
            self.walk(child, child_ctx)
        found = self.tasks[before:]
        if u.kind in ("num", "item") and len(found) == 1 and (title or children != u.children):
            found[0].span = self.lines_of(u.start, _last(u).end)
        return found

    def attachments(self, u: _Unit) -> tuple[tuple[_Dl, ...], tuple[str, ...], list[_Unit]]:
        """Deadline lines and "khuyến khích huy động" lines among the children; the other children."""
        deadlines: list[_Dl] = []
        support: list[str] = []
        rest: list[_Unit] = []
        for child in u.children:
            body = _body(self.toks, child.start, child.end)
            if child.kind in ("bullet", "para", "plus") and not child.children:
                if any(_starts(r.words, _ATTACH_DEADLINE) for r in body.readings()) and len(body.words) <= 40:
                    deadlines.extend(self.own_deadlines(body))
                    continue
                if any(_starts(r.words, _ATTACH_SUPPORT) for r in body.readings()):
                    support.extend(next((f for f in map(_supports, body.readings()) if f), []))
                    continue
            rest.append(child)
        return tuple(deadlines), tuple(support), rest

    def lead_setter(self, u: _Unit, body: _Text) -> tuple[str, ...]:
        """ "Giao phòng Văn hóa - Xã hội tham mưu thực hiện:" — names the lead of the bullets that follow."""
        for r in body.readings():
            if u.kind != "para" or not r.text.endswith(":") or not r.words or r.words[0].text != "giao":
                continue
            names, end = units_at(r.words, r.tokens, 1)
            if names and len(r.words) - end <= 4:
                return names
        return ()

    def enter_title(self, u: _Unit, body: _Text, ctx: _Ctx) -> _Ctx:
        """Context under a section title; in "Tổ chức thực hiện" a title naming a unit makes it the lead."""
        ctx = replace(ctx, headings=(*ctx.headings, _title(body.text)))
        if ctx.part != "org" or u.kind != "num":
            return ctx
        words, tokens = body.words, body.tokens
        i = 2 if len(words) > 2 and words[1].text == "nghi" and len(words[0].text) <= 2 else 0
        if any(phrase_at(r.words, 0, "kinh phi") for r in body.readings()):
            return replace(ctx, part="skip")
        for r in body.readings():
            known = match_unit(r.words, i)
            if known and known[1] >= len(r.words):
                return replace(ctx, lead=(known[0],), in_unit=True)
        known = match_unit(words, i)
        if known or i == 2 or any(phrase_at(words, i, h) for h in HEADS) or phrase_at(words, i, "bao"):
            return replace(ctx, lead=(span_text(tokens, words, i, len(words)),), in_unit=True)
        return replace(ctx, lead=(self.org_default,), in_unit=False)


def _last(u: _Unit) -> _Unit:
    return _last(u.children[-1]) if u.children else u


def _split_semicolons(name: str) -> list[str]:
    return [clean_label(p) for p in name.split(";") if clean_label(p)]


def _level(locality: str) -> str:
    folded = fold(locality)
    for key, name in (("thanh pho", "thành phố"), ("phuong", "phường"), ("xa", "xã"), ("tinh", "tỉnh"),
                      ("huyen", "huyện"), ("thi tran", "thị trấn")):
        if folded.startswith(key):
            return name
    return ""


def _org_default(raw_lines: Sequence[str], restored_lines: Sequence[str], level: str) -> str:
    """The implementing units named in "Nơi nhận" ("Các phòng, đơn vị … thuộc phường"), else the issuer."""
    start = next((i for i, line in enumerate(raw_lines) if is_closing(line)), None)
    if start is not None:
        for raw, restored in zip(raw_lines[start:start + 40], restored_lines[start:start + 40], strict=True):
            entries = []
            for line in ((restored, raw) if len(restored.split()) == len(raw.split()) else (raw,)):
                entry = re.sub(r"^\s*[-–]\s*", "", line, count=1) if re.match(r"^\s*[-–]", line) else ""
                entries.append(entry.split(";")[0].strip())
            for entry in entries:
                words = words_of(entry.split())
                known = match_unit(words, 0)
                if known and known[1] >= len(words) - 1 and token_match("cac", words[0].text):
                    return known[0]
            words = words_of(entries[0].split())
            if len(words) >= 2 and token_match("cac", words[0].text) and not phrase_at(words, 1, "pct"):
                return clean_label(entries[0])
    return f"UBND {level}".strip()


def extract_obligations(doc: str, plan_id: str, locality: str, raw_lines: Sequence[str],
                        restored_lines: Sequence[str]) -> list[Obligation]:
    """Obligations of one plan, in document order; `locality` is the plan label ("phường Dương Kinh")."""
    if len(raw_lines) != len(restored_lines):
        raise ValueError(f"{doc}: restored reading has {len(restored_lines)} lines, raw has {len(raw_lines)}")
    level = _level(locality)
    issuer = f"UBND {level}".strip() if level else "cơ quan ban hành"
    toks, ranges = _tokens(raw_lines, restored_lines)
    units = _units(raw_lines, toks, ranges)
    parts = _tree(units, toks)
    reader = _Reader(toks, issuer, _org_default(raw_lines, restored_lines, level))
    for part in parts:
        if part.part_type not in ("tasks", "org"):
            continue
        title = _title(collapse(" ".join(t.text for t in toks[part.start:part.end])))
        lead = issuer if part.part_type == "tasks" else reader.org_default
        ctx = _Ctx(part.part_type, (lead,), False, (title,) if title else (), (), ())
        for child in reader.attachments(part)[2]:
            reader.walk(child, ctx)
    out: list[Obligation] = []
    for t in reader.tasks:
        raw = " ".join(tok.raw for tok in toks[t.start:t.end])
        text = collapse(" ".join(tok.text for tok in toks[t.start:t.end]))
        for deadline, where in t.deadlines:
            out.append(Obligation(plan_id, doc, locality, t.span, t.lead, t.support, text, raw, deadline,
                                  t.heading, where))
    return out


def extract_plan(path: Path, manifest_path: Path | None = None, repair: bool = True) -> list[Obligation]:
    """Obligations of one plan file, with metadata from the manifest (or its header) and the restored reading."""
    from corpus.reader import PlanFile, read_plan

    plan = read_plan(path)
    if not isinstance(plan, PlanFile):
        raise ValueError(f"{path.name}: {plan.reason}")
    return _plan_obligations(plan.doc, plan.lines, manifest_path or path.parent.parent / "manifest.toml", repair)


def _plan_obligations(doc: str, lines: tuple[str, ...], manifest_path: Path, repair: bool) -> list[Obligation]:
    from corpus.manifest import load_manifest, resolve_meta, with_defaults
    from corpus.restore import read_plan_lines

    meta, _ = resolve_meta(doc, lines, load_manifest(manifest_path))
    meta = with_defaults(meta)
    reading = read_plan_lines(lines, enabled=repair)
    return extract_obligations(doc, meta.plan_id, meta.label, lines, reading.lines)


def extract_corpus(corpus_dir: Path, manifest_path: Path | None = None, repair: bool = True) -> list[Obligation]:
    """Obligations of every readable plan in a folder, in file order (unreadable files are skipped)."""
    from corpus.reader import PlanFile, list_plan_paths, read_plan

    manifest_path = manifest_path or corpus_dir.parent / "manifest.toml"
    out: list[Obligation] = []
    for path in list_plan_paths([corpus_dir]):
        plan = read_plan(path)
        if isinstance(plan, PlanFile):
            out.extend(_plan_obligations(plan.doc, plan.lines, manifest_path, repair))
    return out
