"""Obligations — who must do what by when — read from a plan's structure, with exact line spans."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from corpus import wordlists
from corpus.structure import MARKER_TOKEN, Cell, Node, Outline, Token, column_role, is_closing, parse
from corpus.text import collapse, fold, strip_accents
from corpus.times import TimeExpr, find_deadlines, find_times, heading_period, leading_continuous, parse_cell
from corpus.units import (
    LIST_WORDS,
    Word,
    assigning_verbs,
    bare_collective,
    before_assigning,
    clean_label,
    defined_short_names,
    head_length,
    level_word,
    match_unit,
    names_a_verb,
    phrase_at,
    same_unit,
    span_text,
    split_units,
    starts_unit,
    stop_at,
    subject_at,
    token_match,
    units_at,
    words_of,
)


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
    deadline: TimeExpr | None
    heading: str  # section path, " › "-joined
    deadline_lines: tuple[int, int] | None = None  # where the deadline wording is (may be a section line)
    lead_lines: tuple[int, int] | None = None  # where the lead is named when outside `lines` (a unit heading)

    def compared(self) -> str:
        """What a question in another language is compared with: the lead, then the task (a task's lead is often
        named only in its heading)."""
        return f"{', '.join(self.lead)}: {self.task}" if self.lead else self.task

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
                "deadline_lines": list(self.deadline_lines) if self.deadline_lines else None,
                "lead_lines": list(self.lead_lines) if self.lead_lines else None}


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


def _body(toks: list[Token], start: int, end: int) -> _Text:
    first = start
    if start < end and MARKER_TOKEN.match(toks[start].raw):
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


def _is_title(u: Node, body: _Text) -> bool:
    if not u.children or u.kind not in ("num", "item"):
        return False
    return len(body.tokens) <= 30 and not re.search(r"[.;]['\")\]”]*$", body.text)


_PART_LABEL = re.compile(r"[-+•*]?\s*(?:" + "|".join(re.escape(w) for w in wordlists.folded("item_labels.txt"))
                         + r")\s*[0-9ivxlc]*(?:\s*\([^)]{0,40}\))?\s*:")
_ATTACH_DEADLINE = ("thoi gian hoan thanh", "thot gian hoan thanh", "thoi han")
_ATTACH_SUPPORT = ("khuyen khich huy dong",)
_SKIP_OPENINGS = ("tren day", "kinh phi thuc hien ke hoach", "noi nhan")
MAX_LABEL_WORDS = 12  # a label before ":" that names an activity ("Thực hiện mở tài khoản và phát hành thẻ:")


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
            # "huy động" also takes what is mobilised ("huy động lực lượng, phương tiện"): only bodies support
            found.extend(n for n in names if not split or starts_unit(n))
    return [n for n in dict.fromkeys(found) if len(n.split()) >= 2]


def _supports_read(body: _Text) -> list[str]:
    """_supports of the first reading that names any (the restorer can garble "phối hợp với")."""
    return next((found for found in map(_supports, body.readings()) if found), [])


_Dl = tuple[TimeExpr | None, tuple[int, int] | None]


@dataclass(frozen=True)
class _Ctx:
    part: str  # tasks / org
    lead: tuple[str, ...]  # who leads unless the sentence names someone
    in_unit: bool  # lead comes from a unit heading ("1. Sở Khoa học và Công nghệ")
    headings: tuple[str, ...]
    deadlines: tuple[_Dl, ...]  # inherited from sections and "Thời gian…" lines
    support: tuple[str, ...]
    explicit: bool = False  # only tasks that name their unit (sections whose role is unknown, a decision's articles)
    partners: bool = False  # under "Chủ trì, phối hợp:": a unit a bullet names supports, the lead stays
    lead_lines: tuple[int, int] | None = None  # the heading line that names the lead
    carried: bool = False  # the lead is the subject of the first bullet above, left unsaid in this one


@dataclass
class _Task:
    start: int
    end: int
    lead: tuple[str, ...]
    support: tuple[str, ...]
    deadlines: tuple[_Dl, ...]
    heading: str
    span: tuple[int, int]
    lead_lines: tuple[int, int] | None = None


class _Reader:
    """Walks one plan's tree and collects tasks."""

    def __init__(self, outline: Outline, issuer: str, org_default: str) -> None:
        self.outline = outline
        self.toks = outline.tokens
        self.issuer = issuer
        self.org_default = org_default
        self.tasks: list[_Task] = []
        self.assigned = False  # the plan assigns its work unit by unit (see _assigns_by_unit)
        self.merged_lead: tuple[str, ...] = ()  # the lead of the table's last row that had one

    def lines_of(self, start: int, end: int) -> tuple[int, int]:
        return self.toks[start].line, self.toks[end - 1].line

    def token_lines(self, text: _Text) -> list[int]:
        """The line of each token of a text (_labelled_fields tells a cell's paragraphs by them)."""
        return [self.toks[text.first + k].line for k in range(len(text.tokens))]

    def own_deadlines(self, body: _Text) -> list[_Dl]:
        """Deadlines the text sets itself (restored reading, else the raw one), with their lines."""
        for reading in body.readings():
            found = self._deadlines(reading)
            if found:
                return found
        return []

    def heading_period(self, body: _Text) -> tuple[_Dl, ...]:
        """The period a task heading names, for the tasks under it that set no time of their own."""
        found = heading_period(body.text)
        if found is None:
            return ()
        d, a, b = found
        t0, t1 = body.token_at(a), body.token_at(max(a, b - 1))
        return ((d, (self.toks[t0].line, self.toks[t1].line)),)

    def _deadlines(self, body: _Text) -> list[_Dl]:
        out: list[_Dl] = []
        lead = leading_continuous(body.text)
        found = find_deadlines(body.text)
        if lead is not None and not any(d.kind == "continuous" for d, _, _ in found):
            found = sorted([lead, *found], key=lambda f: f[1])
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
        if _addressed(words, tokens, in_unit_bullet=ctx.in_unit and bullet):
            names, _ = units_at(words, tokens, 2, max_words=30, semicolon=True)
            return _split_names([n for part in names for n in _split_semicolons(part)]), ()
        if phrase_at(words, 0, "yeu cau"):
            names, _ = units_at(words, tokens, 2)
            return ((), names) if (ctx.in_unit and bullet) else (names, ())
        subject = subject_at(words, tokens, 0)
        if subject:
            return subject[0], ()
        # "2. Sở Tài chính: Căn cứ khả năng cân đối ngân sách, trình …": a unit's name set off by a colon heads the
        # duties that follow it. In the organisation part any unit-like label does; elsewhere only a known body's
        # ("a) Sở Y tế: Chuẩn bị cơ số thuốc …"), as "Các thông số: …" lists no duties.
        named = self._colon_unit(words, tokens, known_only=ctx.part != "org")
        if named:
            return (named,), ()
        # "b) Thực hiện mở tài khoản: Ủy ban nhân dân xã phối hợp với …": a short label, then the clause that says
        # who does it.
        label = _after_colon(words, tokens, MAX_LABEL_WORDS)
        if label is not None:
            subject = subject_at(words, tokens, label)
            if subject:
                return subject[0], ()
        # "Rà soát tổng đàn chó, mèo (Sở Nông nghiệp và Môi trường chủ trì, phối hợp với …; hoàn thành: Quý
        # II/2025)" or "…; Sở Y tế chủ trì": a task list that names its lead after the task, in brackets or after
        # a semicolon, with a verb that assigns it (units.txt [assigning]).
        assigned = _labelled_lead(words, tokens) or _assigned_after(words, tokens)
        if assigned:
            return assigned, ()
        if phrase_at(words, 0, "trong qua trinh") or _opens_with_time(body):
            # "Trong quá trình …, X …", "Định kỳ 6 tháng (…), các đơn vị báo cáo …": the subject after the comma
            for i in range(1, len(words)):
                if words[i].first > words[i - 1].last and tokens[words[i - 1].last].endswith(","):
                    subject = subject_at(words, tokens, i)
                    if subject:
                        return subject[0], ()
        return (), ()

    @staticmethod
    def _colon_unit(words: Sequence[Word], tokens: Sequence[str], known_only: bool = False) -> str | None:
        """The unit named before a colon that opens a text ("Sở Tài chính:", "Các cơ sở nuôi trồng thủy sản:";
        with `known_only`, only a body of the gazetteer)."""
        known = match_unit(words, 0)
        if known and tokens[words[known[1] - 1].last].endswith(":"):
            return known[0]
        if known_only:
            return None
        # up to the colon: verbs inside a name ("nuôi trồng" in "Các cơ sở nuôi trồng thủy sản") do not end it here
        end = _after_colon(words, tokens, MAX_LABEL_WORDS)
        if end is None or not starts_unit(span_text(tokens, words, 0, end)):
            return None
        return clean_label(span_text(tokens, words, 0, end))

    def clauses(self, body: _Text) -> list[tuple[int, int]]:
        """Word ranges of clauses that each name their own subject ("Phòng A chủ trì …; Phòng B chủ trì …"), or
        sentences that each assign their own ("Giao Phòng A chủ trì …. Giao Trạm Y tế …": prose that assigns
        several tasks a paragraph)."""
        words, tokens = body.words, body.tokens
        cuts = [0]
        sentences = False
        for i in range(1, len(words)):
            before = tokens[words[i - 1].last]
            if words[i].first <= words[i - 1].last:
                continue
            if before.endswith(";"):
                known = match_unit(words, i)
                if known and subject_at(words, tokens, i):
                    cuts.append(i)
            elif before.endswith(".") and tokens[words[i].first][:1].isupper() and _assigns_here(words, tokens, i):
                cuts.append(i)
                sentences = True
            elif (tokens[words[i].first] in ("Giao", "Đề") and not before.endswith((",", ":"))
                  and self.toks[body.first + words[i].first].line != self.toks[body.first + words[i - 1].last].line
                  and _assigns_here(words, tokens, i)):
                # "1. Xây dựng chính quyền số" / "Giao Văn phòng … chủ trì …": a title line, then the sentence
                cuts.append(i)
                sentences = True
        if len(cuts) == 1:
            return [(0, len(words))]
        if not (subject_at(words, tokens, 0) or _assigns_here(words, tokens, 0)):
            if not sentences:
                return [(0, len(words))]
            # What comes before the first sentence that assigns is the section's title or a lead-in: a task only
            # when it is a sentence of its own.
            if not any(tokens[w.last].endswith(".") for w in words[:cuts[1]]):
                cuts = cuts[1:]
        return [(a, b) for a, b in zip(cuts, [*cuts[1:], len(words)], strict=True)]

    def emit(self, u: Node, body: _Text, ctx: _Ctx, attach: tuple[_Dl, ...], attach_support: tuple[str, ...],
             ancestors: tuple[_Dl, ...], attach_lead: tuple[str, ...] = (),
             attach_lines: tuple[int, int] | None = None) -> None:
        """Record the task(s) of one unit."""
        if len(body.words) < 3 or any(_starts(r.words, _SKIP_OPENINGS) for r in body.readings()):
            return
        if _boilerplate(body.text):
            return
        clauses = self.clauses(body)
        for a, b in clauses:
            part = body if len(clauses) == 1 else body.slice(body.words[a].first, body.words[b - 1].last + 1)
            lead, extra = self.explicit_lead(part, ctx, u.kind in ("bullet", "plus"))
            if ctx.partners and lead:
                lead, extra = (), (*lead, *extra)
            explicit_lead_found = bool(lead) and not attach_lead
            lead = attach_lead or lead
            generic = u.kind == "para" and ctx.part == "org" and _starts(part.words, ("yeu cau", "trong qua trinh"))
            if not lead and ctx.explicit and not (ctx.in_unit or attach or ctx.carried):
                continue
            if not lead and not attach and (_describes(part) or (_announces(part) and not ctx.in_unit)):
                continue
            if not lead:
                lead = (self.org_default,) if generic else ctx.lead
            lead = _split_names(lead)
            named = _split_names(_supports_read(part))
            support = tuple(s for s in dict.fromkeys((*named, *extra, *attach_support, *ctx.support))
                            if s not in lead)
            own = self.own_deadlines(part)
            chosen: tuple[_Dl, ...] = tuple(own) or attach or ancestors or ((None, None),)
            start = part.first
            end = part.first + len(part.tokens)
            named_here = bool(explicit_lead_found)
            self.tasks.append(_Task(start, end, lead, support, chosen, " › ".join(ctx.headings),
                                    self.lines_of(u.start, u.end) if len(clauses) == 1
                                    else self.lines_of(start, end),
                                    None if named_here else (attach_lines or ctx.lead_lines)))

    def walk(self, u: Node, ctx: _Ctx) -> list[_Task]:
        """Collect the tasks under a unit; returns the tasks found in its subtree."""
        before = len(self.tasks)
        if u.kind in ("table", "group", "row"):
            self.table(u, ctx)
            return self.tasks[before:]
        if u.kind in ("header", "preamble", "closing"):
            return []
        if u.kind in ("doc", "part"):
            self.walk_children(self.attachments(u)[3], section_context(u, self.outline, ctx, self), carry=False)
            return self.tasks[before:]
        body = _body(self.toks, u.start, u.end)
        attach, attach_support, attach_lead, children = self.attachments(u)
        heading = u.kind in ("num", "item", "article") and _is_title(u, body)
        if heading and u.role in SKIP_ROLES:
            ctx = replace(ctx, part="skip")
        elif heading and u.role in ("tasks", "org") and u.role != ctx.part:
            ctx = section_context(u, self.outline, ctx, self)
            ctx = replace(ctx, headings=ctx.headings[:-1])  # enter_title adds it
        if ctx.part == "skip":
            # Tables still assign work, wherever they are, and so does a sentence that hands work to a unit by
            # name ("Trên cơ sở kết quả …, giao Sở Y tế thành lập đoàn kiểm tra, đánh giá …").
            self.walk_assigned(u, body, ctx, attach)
            for child in children:
                self.walk_tables(child, ctx)
            return self.tasks[before:]
        # "c) Tổ chức thực hiện các dự án …:" then "- Dự án 1: “…”." bullets: the bullets name what c) covers, so
        # c) is the task (down to its last such bullet), however short.
        parts = [c for c in children if self.names_a_part(c)]
        children = [c for c in children if c not in parts]
        # A heading whose only children are its fields ("Cơ quan chủ trì: …") is itself the task.
        title = heading and not ((attach_lead or attach) and not children) and not parts
        lead_field = next((c for c in u.children if c.kind == "field" and c.role == "lead"), None)
        if title and re.search(r"\bphoi hop(?: voi)?(?: cac)?\s*$", fold(body.text)):
            # "b) Chủ trì, phối hợp:" then "- Sở Tài chính … tham mưu …": the units below are partners.
            ctx = replace(ctx, partners=True)
        if title:
            ctx = self.enter_title(u, body, ctx)
            if ctx.part == "skip":
                return []
            own = tuple(self.own_deadlines(body)) or self.heading_period(body)
            if own:
                ctx = replace(ctx, deadlines=own)
            if attach_lead and lead_field is not None:
                # "3. Công tác tìm kiếm cứu nạn" / "Cơ quan chủ trì: Bộ Chỉ huy Quân sự tỉnh." / "a) …" "b) …": the
                # lead the section states once leads the tasks under it that name none.
                ctx = replace(ctx, lead=tuple(attach_lead), in_unit=True, lead_lines=self.outline.lines(lead_field))
        else:
            ancestors = ctx.deadlines
            self.emit(u, body, ctx, attach, attach_support, ancestors, attach_lead,
                      self.outline.lines(lead_field) if lead_field is not None else None)
            if parts and self.tasks[before:]:  # the task reads on through the parts it names
                self.tasks[-1].span = self.lines_of(u.start, parts[-1].end)
                self.tasks[-1].end = max(self.tasks[-1].end, parts[-1].end)
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
        self.walk_children(children, ctx)
        found = self.tasks[before:]
        # An item that yields one task is that task, down to its last line; but not when the task is one bullet
        # among several that assign nothing (the item's other activities are not that unit's).
        if u.kind in ("num", "item") and len(found) == 1 and (title or children != u.children) \
                and (found[0].span[0] == self.lines_of(u.start, u.end)[0] or len(children) <= 1):
            found[0].span = self.lines_of(u.start, self.outline.subtree_end(u))
        return found

    def walk_children(self, children: Sequence[Node], ctx: _Ctx, carry: bool = True) -> None:
        """Walk the children of a node in turn: a paragraph that names a lead ("Giao X thực hiện:", "Sở Y tế:")
        leads the ones after it, up to the next heading."""
        lead_override: tuple[str, ...] = ()
        setter_lines: tuple[int, int] | None = None
        # "- Các cơ quan, đơn vị định kỳ … báo cáo …; - Tổng kết … gửi về UBND xã trước ngày …": where only named
        # units are tasks, the unit the first bullet names is the unsaid subject of the bullets after it (in a
        # section; bullets straight under a part are a list of their own).
        carried: tuple[str, ...] = ()
        for i, child in enumerate(children):
            child_body = _body(self.toks, child.start, child.end)
            setter = self.lead_setter(child, child_body)
            if setter:
                lead_override, setter_lines = setter, self.outline.lines(child)
                continue
            if child.kind in ("part", "num", "item", "article", "doc"):
                lead_override, setter_lines = (), None
            child_ctx = (replace(ctx, lead=lead_override, in_unit=True, lead_lines=setter_lines)
                         if lead_override else ctx)
            if carried and child.kind in ("bullet", "plus"):
                child_ctx = replace(child_ctx, lead=carried, carried=True)
            got = self.walk(child, child_ctx)
            if carry and i == 0 and ctx.explicit and not lead_override and child.kind in ("bullet", "plus") and got:
                carried = got[0].lead

    def names_a_part(self, u: Node) -> bool:
        """A bullet that is only a part's label and quoted title ("- Dự án 1: “Phòng ngừa …”."): no task."""
        if u.kind not in ("bullet", "plus", "para") or u.children:
            return False
        text = collapse(_body(self.toks, u.start, u.end).text)
        m = _PART_LABEL.match(strip_accents(text).lower())  # same length as the text: its offsets hold
        return m is not None and bool(re.fullmatch(r"\s*[“\"][^”\"]+[”\"]\s*[.;,]?\s*", text[m.end():]))

    def walk_tables(self, u: Node, ctx: _Ctx) -> None:
        """Only the tables under a node, and the sentences that hand work to a unit by name (in sections that hold
        no tasks of their own: goals, review, funding)."""
        if u.kind in ("table", "group", "row"):
            self.table(u, ctx)
            return
        if u.kind in ("num", "item", "bullet", "plus", "para"):
            body = _body(self.toks, u.start, u.end)
            self.walk_assigned(u, body, ctx, self.attachments(u)[0])
        for child in u.children:
            self.walk_tables(child, ctx)

    def walk_assigned(self, u: Node, body: _Text, ctx: _Ctx, attach: tuple[_Dl, ...]) -> None:
        """A sentence of a section that holds no tasks which hands work to a unit by name ("Giao X …", "…, giao X
        …", "(Cơ quan chủ trì: X)") is a task all the same; a unit that only does something there ("Sở Y tế đã
        tổ chức …", a review) is not."""
        if u.kind not in ("num", "item", "bullet", "plus", "para") or u.role == "review" or not any(
                _labelled_lead(r.words, r.tokens) for r in body.readings()):
            return  # a review tells what was done ("Năm 2024, giao Sở Y tế …"); "Giao chỉ tiêu cho …" names no unit
        if self.lead_setter(u, body):  # "Giao phòng Văn hóa - Xã hội tham mưu thực hiện:" heads what follows
            return
        self.emit(u, body, replace(ctx, part="explicit", explicit=True), attach, (), ctx.deadlines)

    def attachments(self, u: Node) -> tuple[tuple[_Dl, ...], tuple[str, ...], tuple[str, ...], list[Node]]:
        """Fields ("Cơ quan chủ trì: …", "Thời gian hoàn thành: …") and "khuyến khích huy động" lines among the
        children: (deadlines, support, lead); and the other children."""
        deadlines: list[_Dl] = []
        support: list[str] = []
        lead: list[str] = []
        rest: list[Node] = []
        # The time line that closes the run of tasks under u is the time of each of them (structure._closing_times).
        closing = [g for c in u.children[-1:] for g in c.children if g.closes_run]
        for child in [*u.children, *closing]:
            body = _body(self.toks, child.start, child.end)
            if child.kind == "field":
                # One line may hold several fields: "Cơ quan thực hiện: X; Cơ quan phối hợp: Y; Thời hạn: Z".
                fields = _labelled_fields(body, self.token_lines(body), ("lead", "support", "time"))
                for role, value in fields if len(fields) > 1 else [(child.role, self.field_value(child))]:
                    if role == "time":
                        deadlines.extend(self.cell_deadline(value))
                    elif role == "lead":
                        leads, partners = self.lead_and_partners(value)
                        lead.extend(leads)
                        support.extend(partners)
                    elif role == "support":
                        support.extend(self.names(value))
                continue
            if child.kind in ("bullet", "para", "plus") and not child.children:
                if any(_starts(r.words, _ATTACH_DEADLINE) for r in body.readings()) and len(body.words) <= 40:
                    deadlines.extend(self.own_deadlines(body))
                    continue
                if any(_starts(r.words, _ATTACH_SUPPORT) for r in body.readings()):
                    support.extend(_supports_read(body))
                    continue
            rest.append(child)
        return tuple(deadlines), tuple(dict.fromkeys(support)), tuple(dict.fromkeys(lead)), rest

    def field_value(self, node: Node) -> _Text:
        """The value of a "label: value" field (its tokens after the first colon)."""
        for k in range(node.start, node.end):
            if ":" in self.toks[k].raw:
                tok = self.toks[k].raw
                rest = tok[tok.index(":") + 1:]
                start = k + 1 if not rest.strip() else k
                text = _make_text(start, [t.text for t in self.toks[start:node.end]],
                                  [t.raw for t in self.toks[start:node.end]])
                if start == k:  # "chủ trì:Sở …" glued to the colon
                    text = _make_text(k, [rest, *text.tokens[1:]], [rest, *(text.raw or text).tokens[1:]])
                return text
        return _body(self.toks, node.start, node.end)

    def names(self, value: _Text) -> list[str]:
        """Units listed in a cell or field value ("Sở Tài chính; UBND các xã, phường")."""
        for reading in value.readings():
            found = [name for name in map(before_assigning, split_units(self._name_lines(reading))) if name]
            if found:
                return found
        return []

    def lead_and_partners(self, value: _Text) -> tuple[list[str], list[str]]:
        """The units a lead field or cell names, less those it names as partners by their verb: "X chủ trì; Y, Z
        phối hợp" / "X chủ trì, Y phối hợp" (a clause after the lead's whose names end in "phối hợp"), "X chủ trì,
        phối hợp với Y" (the names after it)."""
        after = _supports_read(value)
        lead: list[str] = []
        partners: list[str] = []
        start = 0
        for k, token in enumerate(value.tokens):
            ends = token.rstrip().endswith(";") or (token.rstrip().endswith(",") and k > 0 and fold(
                " ".join(value.tokens[k - 1:k + 1])).rstrip(", ") == "chu tri")
            if not ends and k < len(value.tokens) - 1:
                continue
            clause = value.slice(start, k + 1)
            start = k + 1
            if fold(clause.text).startswith("phoi hop"):  # "…, phối hợp với Y": Y is the lead's partner
                partners.extend(_supports_read(clause))
                continue
            names = self.names(clause)
            last = _before_partnering(names[-1]) if names else ""
            if last:
                # after a lead, the clause's units are its partners; alone ("X, Y phối hợp") they are what it names
                (partners if lead else lead).extend([*names[:-1], last])
                continue
            for name in names:
                (partners if any(same_unit(name, p) for p in after) else lead).append(name)
        return lead, partners

    def _name_lines(self, value: _Text) -> str:
        """A cell's text with its names kept apart: a cell that lists bodies line by line ("Các sở, ngành, UBND xã,
        phường, đặc khu" / "Sở Tài chính") starts a new name at a line that opens with a unit's head, after a line
        that is a name of its own (several words, not ending in a list word)."""
        parts: list[str] = []
        line_start = 0
        for k, token in enumerate(value.tokens):
            if k and self.toks[value.first + k].line != self.toks[value.first + k - 1].line:
                previous = value.tokens[line_start:k]
                if (len(previous) >= 3 and not previous[-1].endswith((",", ";"))
                        and fold(previous[-1]) not in LIST_WORDS and starts_unit(" ".join(value.tokens[k:k + 4]))
                        and token[:1].isupper()):
                    parts[-1] += ";"
                line_start = k
            parts.append(token)
        return " ".join(parts)

    def cell_deadline(self, value: _Text) -> list[_Dl]:
        """The deadline a time cell or field states, or a "none" deadline quoting it."""
        text = value.raw.text if value.raw is not None else value.text
        if not value.tokens:
            return []
        lines = (self.toks[value.first].line, self.toks[value.first + len(value.tokens) - 1].line)
        expr = parse_cell(value.text) or parse_cell(text)
        quote = clean_label(text)
        if expr is None:
            return [(TimeExpr(text=quote, kind="none"), lines)]
        return [(replace(expr, text=quote or expr.text), lines)]

    def table(self, u: Node, ctx: _Ctx) -> None:
        """Rows of a table: each row with a task is one obligation, its cells giving lead, support, deadline."""
        if u.kind == "table":
            self.merged_lead = ()
            for child in u.children:
                self.table(child, ctx)
            return
        if u.kind == "group":
            title = self.outline.title(u)
            sub = replace(ctx, headings=(*ctx.headings, title))
            for child in u.children:
                self.table(child, sub)
            return
        cells = {c.role: c for c in reversed(u.cells)}
        roles = {r for r, _ in u.columns}
        task = cells.get("task")
        if task is None or not ({"lead", "support", "time"} & roles):
            return
        lead_cells = [c for c in u.cells if c.role == "lead"]
        lead: list[str] = []
        support: list[str] = []
        for c in u.cells:
            if c.role not in ("lead", "support"):
                continue
            # One cell may say both, by their labels: "Chủ trì: Vụ Pháp chế; phối hợp: các Cục …".
            text = self._cell_text(c)
            fields = _labelled_fields(text, self.token_lines(text)) or [(c.role, text)]
            for role, value in fields:
                if role != "lead":
                    support.extend(self.names(value))
                    continue
                leads, partners = self.lead_and_partners(value)
                lead.extend(leads)
                support.extend(partners)
        time = next((c for c in u.cells if c.role == "time"), None)
        deadlines = tuple(self.cell_deadline(self._cell_text(time))) if time else ()
        if not lead and "lead" in roles and self.merged_lead and any(
                c.role in ("time", "product") and c.start >= u.start for c in u.cells):
            # A row with no cell in its table's lead column, under rows that have one: a cell merged over several
            # rows is printed once, in the first of them (PDF text, the Word reader). A row with no time or
            # product of its own is a title over the sub-rows below it.
            lead = list(self.merged_lead)
        if not lead:
            if ctx.explicit or ("lead" in roles and ctx.part not in ("tasks", "org")):
                return
            lead = list(ctx.lead)
        elif lead_cells:
            self.merged_lead = tuple(lead)
        self.tasks.append(_Task(task.start, task.end, tuple(dict.fromkeys(lead)),
                                tuple(s for s in dict.fromkeys(support) if s not in lead),
                                deadlines or ((None, None),), " › ".join(ctx.headings),
                                self.lines_of(u.start, u.end),
                                self.lines_of(lead_cells[0].start, lead_cells[0].end) if lead_cells else None))

    def _cell_text(self, cell: Cell) -> _Text:
        return _make_text(cell.start, [t.text for t in self.toks[cell.start:cell.end]],
                          [t.raw for t in self.toks[cell.start:cell.end]])

    def lead_setter(self, u: Node, body: _Text) -> tuple[str, ...]:
        """ "Giao phòng Văn hóa - Xã hội tham mưu thực hiện:", or a unit's name alone with a colon ("Sở Giáo dục và
        Đào tạo:", an unnumbered heading) — names the lead of the bullets that follow."""
        for r in body.readings():
            if u.kind != "para" or not r.text.rstrip().endswith(":") or not r.words:
                continue
            if r.words[0].text != "giao":
                named = _names_only(body)
                if named:
                    return named
                continue
            names, end = units_at(r.words, r.tokens, 1)
            if names and len(r.words) - end <= 4:
                return names
        return ()

    def enter_title(self, u: Node, body: _Text, ctx: _Ctx) -> _Ctx:
        """Context under a section title; in "Tổ chức thực hiện" a title naming a unit makes it the lead."""
        ctx = replace(ctx, headings=(*ctx.headings, _title(body.text)))
        named = self._enter_title(u, body, ctx)
        if named.lead != ctx.lead:
            named = replace(named, lead_lines=self.outline.lines(u))
        return named

    def _enter_title(self, u: Node, body: _Text, ctx: _Ctx) -> _Ctx:
        if (u.kind == "item" and ctx.part in ("org", "tasks")) or (u.kind == "num" and ctx.part == "tasks"):
            # "1. Trách nhiệm của các sở, ngành" / "a) Sở Y tế" / "- Hướng dẫn …", or "II. NHIỆM VỤ CỤ THỂ" / "1. Sở
            # Y tế" / "- Chuẩn bị cơ số thuốc …": a title that names units alone, or one that says who leads ("1. Sở
            # Y tế chủ trì, phối hợp … thực hiện:"), leads what is under it. Other titles there mostly name tasks
            # ("a) Công tác tuyên truyền") and keep the lead above them.
            units = _names_only(body) or _leading(body, 0)
            return _led_by(ctx, body, units) if units else ctx
        if ctx.part != "org" or u.kind != "num":
            return ctx
        words, tokens = body.words, body.tokens
        i = _addressed(words, tokens)
        if any(phrase_at(r.words, 0, "kinh phi") for r in body.readings()):
            return replace(ctx, part="skip")
        # "2. Sở Giáo dục và Đào tạo chủ trì, phối hợp với Sở …, UBND …:" leads the bullets under it.
        units = _leading(body, i)
        if units:
            return _led_by(ctx, body, units)
        for r in body.readings():
            known = match_unit(r.words, i)
            if known and known[1] >= len(r.words):
                return replace(ctx, lead=(known[0],), in_unit=True)
        known = match_unit(words, i)
        heads = starts_unit(" ".join(tokens[words[i].first:])) if i < len(words) else False
        if known or i == 2 or heads:
            # "1. Sở Nông nghiệp và Môi trường chỉ đạo Chi cục … thực hiện các nội dung sau:": the name ends at
            # its verb; a title that is a name alone ("14. Tỉnh đoàn") is taken whole, and so is a bare
            # collective whose verb restricts it ("Đề nghị các tổ chức cung cấp dịch vụ chi trả").
            units = _names_only(body, i)
            if units:
                return replace(ctx, lead=_split_names(units), in_unit=True)
            for r in body.readings():
                subject = subject_at(r.words, r.tokens, i)
                if subject and not (len(subject[0]) == 1 and bare_collective(subject[0][0])):
                    return replace(ctx, lead=_split_names((*subject[0], *_directed(r.words, r.tokens, subject[1]))),
                                   in_unit=True)
            named = span_text(tokens, words, i, len(words))
            return replace(ctx, lead=tuple(split_units(named)) or (named,), in_unit=True)
        return replace(ctx, lead=(self.org_default,), in_unit=False)


def _last(u: Node) -> Node:
    return _last(u.children[-1]) if u.children else u


def _assigns_here(words: Sequence[Word], tokens: Sequence[str], i: int) -> bool:
    """Whether the words from i assign a task to a body they name: "Giao X …", "Đề nghị X …", or a known body as
    the subject ("Công an xã chủ trì …")."""
    if words[i].text == "giao" and i + 1 < len(words):
        return bool(units_at(words, tokens, i + 1)[0])
    if phrase_at(words, i, "de nghi") and i + 2 < len(words):
        return bool(units_at(words, tokens, i + 2)[0])
    return bool(match_unit(words, i)) and bool(subject_at(words, tokens, i))


def _labelled_fields(value: _Text, lines: Sequence[int], roles: tuple[str, ...] = ("lead", "support")
                     ) -> list[tuple[str, _Text]]:
    """A cell's values by the label (of one of `roles`) before each ("Chủ trì: Vụ A; phối hợp: Cục B, …", or each
    label on a line of its own) -> [("lead", "Vụ A;"), ("support", "Cục B, …")]; [] when no such label opens the
    cell. `lines`: each token's line."""
    tokens = value.tokens
    found: list[tuple[str, int, int]] = []  # role, label's first token, value's first token
    clause = 0  # where the clause that holds token k begins
    for k, token in enumerate(tokens):
        if k and lines[k] != lines[k - 1] and token[:1].isupper():
            clause = k  # a paragraph of the cell
        if token.endswith(":"):
            role = column_role(" ".join(tokens[clause:k + 1]).rstrip(":"))
            if role in roles:
                found.append((role, clause, k + 1))
        if token.endswith((";", ".", ":")):
            clause = k + 1
    if not found or found[0][1] != 0:
        return []
    ends = [label for _, label, _ in found[1:]] + [len(tokens)]
    return [(role, value.slice(at, end)) for (role, _, at), end in zip(found, ends, strict=True) if at < end]


def _opens_with_time(body: _Text) -> bool:
    """Whether a sentence opens with a time ("Định kỳ 6 tháng (…), …", "Hằng năm, …", "Trước ngày 15/12/2025, …")."""
    first = next(iter(find_times(body.text)), None)
    return first is not None and not re.sub(r"[\W\d_]", "", fold(body.text[:first[1]])).replace("truoc", "")


def _before_partnering(name: str) -> str:
    """The name a listed unit's "phối hợp" follows ("các viện nghiên cứu thuộc Bộ phối hợp" -> "các viện nghiên cứu
    thuộc Bộ"), else ""."""
    words = name.rstrip(" .;,").split()
    if len(words) > 2 and fold(" ".join(words[-2:])) == "phoi hop":
        return clean_label(" ".join(words[:-2]))
    return ""


def _split_semicolons(name: str) -> list[str]:
    return [clean_label(p) for p in name.split(";") if clean_label(p)]


def _level(locality: str) -> str:
    folded = fold(locality)
    for key, name in (("thanh pho", "thành phố"), ("phuong", "phường"), ("xa", "xã"), ("tinh", "tỉnh"),
                      ("huyen", "huyện"), ("thi tran", "thị trấn")):
        if folded.startswith(key):
            return name
    return ""


def _leading(body: _Text, i: int) -> tuple[str, ...]:
    """The units a title says lead, named from word i before its verb ("2. Sở Giáo dục và Đào tạo chủ trì, phối
    hợp với …:"); () when it does not say "chủ trì"."""
    for r in body.readings():
        if any(phrase_at(r.words, k, "chu tri") for k in range(len(r.words))):
            subject = subject_at(r.words, r.tokens, i)
            if subject:
                return subject[0]
    return ()


def _led_by(ctx: _Ctx, body: _Text, units: Sequence[str]) -> _Ctx:
    """The context under a title that these units lead, the units it names after "phối hợp" their partners."""
    support = _split_names(_supports_read(body))
    return replace(ctx, lead=_split_names(units), in_unit=True, support=tuple(x for x in support if x not in units))


def _names_only(body: _Text, i: int = 0) -> tuple[str, ...]:
    """The units a title names from word i when it names nothing else ("Sở Y tế", "UBND các xã, phường", "Ban
    Quản lý các khu công nghiệp tỉnh", "Báo … và các cơ quan báo chí đóng trên địa bàn"): every piece starts like
    a unit and no verb is written after its head; () otherwise."""
    for r in body.readings():
        words, tokens = r.words, r.tokens
        if i >= len(words) or len(words) - i > 24:
            continue
        known = match_unit(words, i)
        if known and known[1] >= len(words):
            return (known[0],)
        pieces = split_units(clean_label(span_text(tokens, words, i, len(words))))
        if pieces and all(_only_a_name(p) for p in pieces):
            return tuple(pieces)
    return ()


def _only_a_name(text: str) -> bool:
    """Whether a piece of a list is a unit's name and nothing more: a known body, or a head with a proper name
    after it ("Sở Y tế"), a level ("UBND xã Tân Lạc") or nothing ("Tỉnh đoàn"), and no verb after it. A head word
    before common words names a thing, not a body ("Phòng, chống dịch bệnh", "Trung tâm dữ liệu", "Ngân hàng
    số")."""
    tokens = text.split()
    words = words_of(tokens)
    if not words:
        return False
    known = match_unit(words, 0)
    if known and known[1] >= len(words):
        return True
    head = head_length(words, 0)
    if not starts_unit(text) or any(names_a_verb(words, k) for k in range(head, len(words))):
        return False
    if head >= len(words) or words[0].text == "cac":
        return True
    proper = any(t[:1].isupper() for t in tokens[words[head].first:])  # "Báo và Phát thanh, Truyền hình tỉnh"
    return proper or bool(level_word(words[head].text)) or words[head].text == "cac"


def _labelled_lead(words: Sequence[Word], tokens: Sequence[str]) -> tuple[str, ...]:
    """The units a task names inside its text as a field or an assignment: "… Cơ quan chủ trì: Sở Khoa học và
    Công nghệ; cơ quan phối hợp: …", "(Trách nhiệm thực hiện: Sở Nội vụ; …)" (a lead label of columns.txt before a
    colon),
    or "Giao X …" / "…, giao Sở Tư pháp chủ trì thực hiện" (a unit's name after it); () when none."""
    start = 0  # where the clause that holds word k begins
    for k, word in enumerate(words[:-1]):
        if tokens[word.first].startswith("("):
            start = k
        giao = start == k and word.text == "giao" and starts_unit(" ".join(tokens[words[k + 1].first:]))
        label = tokens[word.last].endswith(":") and column_role(span_text(tokens, words, start, k + 1)) == "lead"
        if giao or label:
            names, _ = units_at(words, tokens, k + 1)
            if names and all(starts_unit(n) for n in names):  # "Trách nhiệm: Hướng dẫn …" names no one
                return names
        if tokens[word.last].endswith((".", ";", ":", ",")):
            start = k + 1
    return ()


def _assigned_after(words: Sequence[Word], tokens: Sequence[str]) -> tuple[str, ...]:
    """The unit a task names inside it, opening a bracket or a clause after a semicolon, followed by a verb that
    assigns the task ("(Sở Y tế chủ trì", "; UBND các xã thực hiện"); () when none. A verb that ends in a colon
    is a field's label ("(Cơ quan chủ trì: …"), read by _labelled_lead."""
    for k in range(1, len(words) - 2):
        opens = tokens[words[k].first].startswith("(") or tokens[words[k - 1].last].endswith(";")
        if not opens:
            continue
        subject = subject_at(words, tokens, k)
        if not subject:
            continue
        verb = next((v for v in assigning_verbs() if phrase_at(words, subject[1], v)), None)
        if verb is not None and not tokens[words[subject[1] + len(verb.split()) - 1].last].endswith(":"):
            return subject[0]
    return ()


def _directed(words: Sequence[Word], tokens: Sequence[str], i: int) -> tuple[str, ...]:
    """The units a subject directs when its verb at word i is "chỉ đạo" ("Sở Y tế chỉ đạo Trung tâm Kiểm soát
    bệnh tật thực hiện …"): they do the work the subject answers for, so both lead."""
    if not phrase_at(words, i, "chi dao") or i + 2 >= len(words):
        return ()
    if not starts_unit(" ".join(tokens[words[i + 2].first:])):
        return ()
    names, _ = units_at(words, tokens, i + 2)
    return names


def _addressed(words: Sequence[Word], tokens: Sequence[str], in_unit_bullet: bool = False) -> int:
    """Where the unit a request is addressed to starts: 2 after "Đề nghị" (whatever follows) or after
    "Khuyến khích" followed by a unit's name ("Khuyến khích Liên đoàn Lao động tỉnh … xây dựng kế hoạch": the
    plan asks mass organisations and businesses to do it); else 0. In a bullet of a unit's duties, "Khuyến khích
    các doanh nghiệp …" is that unit's duty (to encourage), so it addresses no one."""
    if len(words) > 2 and words[1].text == "nghi" and len(words[0].text) <= 2:
        return 2
    if (len(words) > 2 and not in_unit_bullet and phrase_at(words, 0, "khuyen khich")
            and starts_unit(" ".join(tokens[words[2].first:]))):
        return 2
    return 0


def _after_colon(words: Sequence[Word], tokens: Sequence[str], max_words: int) -> int | None:
    """The index of the word after a label that opens a text and ends with ":" within its first `max_words` words,
    when something follows it ("Sở Tài chính: Căn cứ …" -> 3); None otherwise."""
    return next((i for i in range(1, min(len(words) - 1, max_words) + 1) if tokens[words[i - 1].last].endswith(":")),
                None)


def _announces(body: _Text) -> bool:
    """ "Các sở, ngành tập trung thực hiện các nhiệm vụ sau đây.", "… như sau:": a sentence that announces the
    tasks listed below it assigns none itself."""
    return bool(re.search(r"\b(?:sau day|nhu sau)\W*$", fold(body.text)))


def _describes(body: _Text) -> bool:
    """ "Địa điểm quan trắc: Vùng NTTS …", "Mẫu trầm tích: pH đất, …": a noun label and what it lists describe the
    plan's content; work opens with what is to be done, before or after its label ("Tuyên truyền: …", "Nhiệm
    vụ: Xây dựng …")."""
    words, tokens = body.words, body.tokens
    end = _after_colon(words, tokens, 6)
    if end is None:
        return False
    label = span_text(tokens, words, 0, end)
    return not stop_at(words, tokens, 0) and not stop_at(words, tokens, end) and not starts_unit(label)


def _cac(word: str) -> bool:
    """ "Các" as OCR may spell it, but not "Cục" (a department's head word, one letter away)."""
    return token_match("cac", word) and word != "cuc"


def _org_default(raw_lines: Sequence[str], restored_lines: Sequence[str], level: str, issuer: str = "") -> str:
    """The implementing units named in "Nơi nhận" ("Các phòng, đơn vị … thuộc phường"), else the issuer ("UBND
    xã", a ministry by its name)."""
    start = next((i for i, line in enumerate(raw_lines) if is_closing(line)), None)
    if start is not None:
        for raw, restored in zip(raw_lines[start:start + 40], restored_lines[start:start + 40], strict=True):
            entries = []
            for line in ((restored, raw) if len(restored.split()) == len(raw.split()) else (raw,)):
                entry = re.sub(r"^\s*[-–]\s*", "", line, count=1) if re.match(r"^\s*[-–]", line) else ""
                entries.append(entry.split(";")[0].strip())
            entries = [e for e in entries if not re.search(r"\bb/c\b|để biết|để báo cáo|báo cáo\)", e)]
            if not entries:
                continue
            for entry in entries:
                words = words_of(entry.split())
                known = match_unit(words, 0)
                if known and known[1] >= len(words) - 1 and _cac(words[0].text):
                    return known[0]
            words = words_of(entries[0].split())
            if len(words) >= 2 and _cac(words[0].text) and not any(
                    phrase_at(words, 1, leader) for leader in ("pct", "pho chu tich", "thu truong", "pho giam doc")):
                # the leaders it is sent to ("Các Phó Chủ tịch", "Các Thứ trưởng"), not the implementers
                return clean_label(entries[0])
    return f"UBND {level}" if level or not issuer else issuer


def section_context(u: Node, outline: Outline, ctx: _Ctx, reader: _Reader) -> _Ctx:
    """The context under a part or section heading, from its role: tasks (the issuer leads what names no one),
    org (the implementing units lead), unknown (only tasks that name their unit), others (none)."""
    title = outline.title(u) if u.kind != "doc" else ""
    headings = (*ctx.headings, title) if title and u.kind != "doc" else ctx.headings
    if u.kind == "doc":
        header = outline.header_title(u)
        headings = (header,) if header is not None else ()
    role = u.role
    if role == "tasks":
        return _Ctx("tasks", (reader.issuer,), False, headings, (), (), explicit=reader.assigned)
    if role == "org":
        return _Ctx("org", (reader.org_default,), False, headings, (), (), explicit=False)
    if role in SKIP_ROLES:
        return _Ctx("skip", (reader.issuer,), False, headings, (), (), explicit=True)
    return _Ctx("explicit", (reader.issuer,), False, headings, (), (), explicit=True)


SKIP_ROLES = ("goals", "review", "funding", "period")


def _split_names(names: Sequence[str]) -> tuple[str, ...]:
    """Names as the plan lists them, a list that joins two bodies split in two ("Bộ Tư lệnh và các đơn vị …");
    a known body's own name stays whole ("Ủy ban MTTQ và các đoàn thể xã")."""
    out: list[str] = []
    for name in names:
        words = words_of(name.split())
        known = match_unit(words, 0)
        out.extend([name] if known and known[1] >= len(words) - 1 else split_units(name) or [name])
    return tuple(dict.fromkeys(out))


def _assigns_by_unit(outline: Outline) -> bool:
    """Whether the plan assigns its work unit by unit ("Tổ chức thực hiện" with a heading per body, or a table
    with a lead column): then its "Nhiệm vụ, giải pháp" section describes the programme, and a task there
    that names no unit is nobody's obligation yet."""
    headed = items = 0
    for node, _ in outline.walk():
        if node.kind == "row" and any(c.role == "lead" for c in node.cells):
            return True
        if node.role == "org" and node.kind == "num":
            items += 1
            body = outline.body(node)
            if starts_unit(re.sub(r"^(?:Giao|Đề nghị|Đề\s+nghị)\s+", "", body)):
                headed += 1
    return headed >= 2 and headed >= 0.5 * items


def _boilerplate(text: str) -> bool:
    """A decision's closing clauses (entry into force, who executes it): not a task."""
    folded = f" {fold(text)} "
    return any(f" {phrase} " in folded for phrase in wordlists.folded("boilerplate.txt"))


def issuer_short(label: str) -> str:
    """How plans name their issuer as a unit: "UBND xã" for "xã Ba Dinh", a ministry by its name."""
    level = _level(label)
    if level:
        return f"UBND {level}"
    return label or "cơ quan ban hành"


def extract_obligations(doc: str, plan_id: str, locality: str, raw_lines: Sequence[str],
                        restored_lines: Sequence[str], outline: Outline | None = None) -> list[Obligation]:
    """Obligations of one plan, in document order; `locality` is the plan label ("phường Dương Kinh")."""
    if len(raw_lines) != len(restored_lines):
        raise ValueError(f"{doc}: restored reading has {len(restored_lines)} lines, raw has {len(raw_lines)}")
    level = _level(locality)
    issuer = issuer_short(locality)
    outline = outline or parse(raw_lines, restored_lines)
    reader = _Reader(outline, issuer, _org_default(raw_lines, restored_lines, level, issuer))
    reader.assigned = _assigns_by_unit(outline)
    roots = outline.roots
    has_parts = any(r.kind in ("part", "doc") for r in roots)
    base = _Ctx("tasks" if not has_parts else "explicit", (issuer,), False, (), (), (), explicit=has_parts)
    for root in roots:
        reader.walk(root, base)
    toks = outline.tokens
    # A short name the plan defines ("Cục Tin học và Thống kê tài chính (sau đây gọi tắt là Cục THTK)") is said
    # in full, so that a body is one name however the plan's cells shorten it.
    short = defined_short_names(restored_lines)

    def full(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(short.get(fold(n), n) for n in names))

    out: list[Obligation] = []
    for t in reader.tasks:
        raw = " ".join(tok.raw for tok in toks[t.start:t.end])
        text = collapse(" ".join(tok.text for tok in toks[t.start:t.end]))
        seen: set[tuple[object, ...] | None] = set()
        for deadline, where in t.deadlines:
            key = (deadline.kind, deadline.start, deadline.end, deadline.recurrence) if deadline else None
            if key in seen:
                continue  # "hằng năm … một lần/năm": one schedule said twice
            seen.add(key)
            lead_lines = t.lead_lines if t.lead_lines and not (t.span[0] <= t.lead_lines[0]
                                                              and t.lead_lines[1] <= t.span[1]) else None
            out.append(Obligation(plan_id, doc, locality, t.span, full(t.lead), full(t.support), text, raw, deadline,
                                  t.heading, where, lead_lines))
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
    return extract_obligations(doc, meta.plan_id, meta.label, reading.raw, reading.lines)


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
