"""Question handlers, one per kind of answer, in a registry: the analysis names the handler (cues.toml routes),
the handler finds what its plans say and returns findings, each with the lines that state it."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Protocol

from assistant.evidence import (
    RERANK,
    Candidate,
    TermStats,
    chunk_sentences,
    codes_in,
    covers,
    cross_lingual_score,
    dates_asked,
    phrase_bonus,
    value_of,
    wanted_kinds,
    weigh_groups,
)
from assistant.query import Analysis, cues
from assistant.types import Citation, Finding
from corpus import wordlists
from corpus.errors import PlansError
from corpus.header import normalise_code
from corpus.obligations import Obligation
from corpus.records import Chunk, PlanMeta
from corpus.sentences import Sentence, sentences_of
from corpus.signature import find_signer
from corpus.text import collapse, fold, nfc
from corpus.times import TimeExpr

ABSTAIN_LEX = 0.5  # a sentence must cover this share of the question's weighted words to answer it
TASK_MATCH = 0.5  # an obligation's task must cover this share to be the one a question asks about
# An English question meets the plans through the lexicon's Vietnamese neighbours of its words (several per
# word, weighted by similarity, right about half the time): its word coverage is weak evidence, and the dense
# (cross-lingual) similarity carries more of the decision. Set on the dev sets' English questions.
ENGLISH_SCORE = 0.55
ENGLISH_MIN_LEX = 0.05
DENSE_WEIGHT = 0.3


def accepts(cand: Candidate, analysis: Analysis) -> bool:
    """Whether a sentence is good enough evidence to answer from."""
    if cand.entity:
        return True
    if analysis.language == "en":
        return cand.score >= ENGLISH_SCORE and cand.lex >= ENGLISH_MIN_LEX
    return cand.lex >= ABSTAIN_LEX


def accepts_task(coverage: float, score: float, analysis: Analysis) -> bool:
    """Whether an obligation is the one the question asks about (`score` as rank_tasks gives it)."""
    if analysis.language == "en":
        return score >= ENGLISH_SCORE and coverage >= ENGLISH_MIN_LEX
    return coverage >= TASK_MATCH
MAX_LISTED = 30  # a listing answer shows this many obligations; the rest are one command away
# A question that names no plan is answered from the plans of its search's best sentences: the first 40
# sentences (five chunks' worth), at most 8 plans. Bounded, so that the answer costs the same at 30 plans or 3,500.
SEARCHED_SENTENCES = 40
SEARCHED_PLANS = 8


class HandlerError(PlansError, KeyError):
    """No handler has this name."""


class Context(Protocol):
    """What handlers need from the assistant (assistant.service.Assistant provides it)."""

    plans: dict[str, PlanMeta]
    stats: TermStats

    def retrieve(self, analysis: Analysis, scope: Sequence[str], wide: bool = False) -> list[Candidate]: ...
    def obligations(self, plan_ids: Sequence[str] | None = None) -> list[Obligation]: ...
    def plan_chunks(self, plan_id: str, kinds: Sequence[str] = ()) -> list[Chunk]: ...
    def plans_chunks(self, plan_ids: Sequence[str], kinds: Sequence[str] = ()) -> dict[str, list[Chunk]]: ...
    def lines(self, doc: str) -> tuple[tuple[str, ...], tuple[str, ...]]: ...
    def similarity(self, texts: Sequence[str]) -> list[float]: ...


@dataclass
class Result:
    """What a handler found: findings by plan, the nearest passages when it found nothing, the chunks it read."""

    findings: list[Finding] = field(default_factory=list)
    related: list[Candidate] = field(default_factory=list)
    retrieved: list[tuple[str, int, int]] = field(default_factory=list)
    first_stage: list[tuple[str, int, int]] = field(default_factory=list)
    message: str = ""  # said instead of the generic "not found" when abstaining (e.g. no obligation matches)
    plans_found: list[Citation] = field(default_factory=list)  # a list question: every plan found, its best passage
    final: bool = False  # the handler knows the plans do not say it: no fallback


class Handler(ABC):
    """Answers one kind of question; `fallback` names the handler to try when this one finds nothing."""

    name = ""
    fallback = ""
    from_sentences = False  # it answers from retrieved sentences (not from obligations or headers)

    @abstractmethod
    def answer(self, ctx: Context, analysis: Analysis) -> Result:
        """What the plans say, as findings (none: abstain)."""


_REGISTRY: dict[str, Callable[[], Handler]] = {}


def register(name: str) -> Callable[[type[Handler]], type[Handler]]:
    """Class decorator: make a handler available by name."""
    def wrap(cls: type[Handler]) -> type[Handler]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls
    return wrap


def get_handler(name: str) -> Handler:
    """A handler by name; an unknown name lists the known ones."""
    if name not in _REGISTRY:
        raise HandlerError(f"Unknown handler {name!r}. Known handlers: {', '.join(sorted(_REGISTRY))}.")
    return _REGISTRY[name]()


def known_handlers() -> list[str]:
    """Registered handler names."""
    return sorted(_REGISTRY)


def run(ctx: Context, analysis: Analysis, name: str | None = None) -> Result:
    """Run a handler and, when it finds nothing, its fallbacks in turn."""
    handler = get_handler(name or analysis.intent)
    result = handler.answer(ctx, analysis)
    while not result.findings and handler.fallback and not result.final:
        handler = get_handler(handler.fallback)
        result = _fallen_back(result, handler.answer(ctx, analysis))
    return result


def _fallen_back(first: Result, then: Result) -> Result:
    """`then`, what a fallback found after `first` found nothing, with the passages `first` saw near the
    question and, when `then` finds nothing too, what `first` said (a message says why nothing was found:
    never beside the fallback's answer)."""
    then.related = then.related or first.related
    if not then.findings:
        then.message = then.message or first.message
    return then


def cite(cand: Candidate, meta: PlanMeta | None) -> Citation:
    """A verbatim citation of a candidate sentence."""
    return sentence_citation(cand.sentence, cand.chunk, meta, cand.locality)


def sentence_citation(sent: Sentence, chunk: Chunk, meta: PlanMeta | None, locality: str = "") -> Citation:
    """A verbatim citation of a sentence of a chunk (the file's own text, restored reading beside it)."""
    restored, raw = collapse(sent.restored), collapse(sent.raw)
    return Citation(doc=chunk.doc, lines=(sent.line_start, sent.line_end), quote=raw, heading=chunk.heading,
                    plan_id=chunk.plan_id, locality=meta.label if meta else locality,
                    restored="" if restored == raw else restored)


def lines_citation(ctx: Context, meta: PlanMeta, doc: str, lines: tuple[int, int], heading: str = "") -> Citation:
    """A citation of whole lines of a plan."""
    raw, restored = ctx.lines(doc)
    a, b = lines
    quote, reading = collapse(" ".join(raw[a - 1:b])), collapse(" ".join(restored[a - 1:b]))
    return Citation(doc=doc, lines=(a, b), quote=quote, heading=heading, plan_id=meta.plan_id, locality=meta.label,
                    restored="" if reading == quote else reading)


def _scope(ctx: Context, analysis: Analysis) -> list[str]:
    return list(analysis.plan_ids)


# ---------------------------------------------------------------- retrieval-based answers


def _evidence(analysis: Analysis, cands: Sequence[Candidate]) -> list[Candidate]:
    """The sentences that may answer: good enough evidence, stating a value of the kind asked (if any), and
    naming the document the question names (if any)."""
    pool = [c for c in cands if c.typed] if wanted_kinds(analysis) else list(cands)
    if any("/" in e or "-" in e for e in analysis.entities):
        pool = [c for c in pool if c.entity]
    return [c for c in pool if accepts(c, analysis)]


def _best_by_plan(analysis: Analysis, cands: Sequence[Candidate]) -> list[list[Candidate]]:
    """The supporting sentences, grouped by plan, for the plans that answer; [] to abstain."""
    if not cands or analysis.unknown_place:
        return []
    kinds = wanted_kinds(analysis)
    pool = _evidence(analysis, cands)
    if not pool:
        return []
    best = pool[0]
    groups: list[list[Candidate]] = []
    seen: set[str] = set()
    for cand in pool:
        pid = cand.chunk.plan_id
        if pid in seen:
            continue
        if pid != best.chunk.plan_id and not (analysis.ambiguous or analysis.per_plan):
            continue
        if pid != best.chunk.plan_id and cand.score < 0.85 * best.score and not analysis.per_plan:
            continue
        seen.add(pid)
        group = [cand]
        # A second kind asked for ("trong bao lâu và qua cơ quan nào") may sit in a neighbouring sentence.
        for kind in kinds[1:]:
            if value_of(kind, cand.sentence.restored, analysis):
                continue
            other = next((c for c in cands if c.chunk is cand.chunk and c is not cand
                          and value_of(kind, c.sentence.restored, analysis)), None)
            if other is not None:
                group.append(other)
        if "many" in analysis.wants and kinds and cand.value:
            group += _enumeration(cand, kinds[0], analysis)
        groups.append(group)
    return groups


MAX_ITEMS = 12  # items of one enumeration given as a plural question's answer


def _enumeration(cand: Candidate, kind: str, analysis: Analysis) -> list[Candidate]:
    """The items after an answer that ends with ";" (how Vietnamese administrative text separates the items of an
    enumeration), while each gives a value of the kind asked: a plural question wants every one."""
    sents = [s for s, _, _ in chunk_sentences(cand.chunk)]
    at = next((i for i, s in enumerate(sents) if s == cand.sentence), None)
    out: list[Candidate] = []
    if at is None:
        return out
    prev = cand.sentence
    for sent in sents[at + 1:at + 1 + MAX_ITEMS]:
        value = value_of(kind, sent.restored, analysis) if prev.restored.rstrip().endswith(";") else ""
        if not value:
            break
        out.append(replace(cand, sentence=sent, value=value))
        prev = sent
    return out


@register("text")
class TextHandler(Handler):
    """Free questions (and typed ones a structured handler could not settle): the best sentences that cover
    the question and, when it asks for a value, state one."""

    from_sentences = True

    def answer(self, ctx: Context, analysis: Analysis) -> Result:
        cands = ctx.retrieve(analysis, _scope(ctx, analysis))
        result = Result(related=cands[:6])
        result.retrieved = list(dict.fromkeys((c.chunk.doc, c.chunk.line_start, c.chunk.line_end) for c in cands))
        for group in _best_by_plan(analysis, cands):
            meta = ctx.plans.get(group[0].chunk.plan_id)
            short = "; ".join(dict.fromkeys(c.value for c in group if c.value))
            result.findings.append(Finding(group[0].chunk.plan_id, short, tuple(cite(c, meta) for c in group)))
        return result


@register("value")
class ValueHandler(TextHandler):
    """How many / how much / what share / how long: only a sentence that states such a value answers."""


# ---------------------------------------------------------------- obligations


def _chunk_dense(ctx: Context, analysis: Analysis) -> Callable[[Obligation], float]:
    """The dense similarity to the question of the chunk an obligation sits in."""
    by_doc: dict[str, list[tuple[int, int, float]]] = {}
    for c in ctx.retrieve(analysis, _scope(ctx, analysis)):
        by_doc.setdefault(c.chunk.doc, []).append((c.chunk.line_start, c.chunk.line_end, c.dense))
    return lambda o: max((d for a, b, d in by_doc.get(o.doc, []) if a <= o.lines[1] and o.lines[0] <= b), default=0.0)


def rank_tasks(ctx: Context, analysis: Analysis, obligations: Sequence[Obligation],
               with_units: bool = False) -> list[tuple[float, float, Obligation]]:
    """(score, word coverage, obligation), best first. A Vietnamese question is scored by coverage alone; an
    English one, whose words meet the tasks only through the lexicon, is first ranked with its chunk's dense
    similarity, then its best tasks are compared with it one by one (as sentences are: evidence.py)."""
    matched = match_tasks(ctx, analysis, obligations, with_units)
    if analysis.language != "en":
        return matched
    dense = _chunk_dense(ctx, analysis)
    first = sorted(((s + DENSE_WEIGHT * dense(o), c, o) for s, c, o in matched),
                   key=lambda x: (-x[0], x[2].doc, x[2].lines))
    top, rest = first[:RERANK], first[RERANK:]
    # Compared as the plan states it: the unit, then what it must do (the unit is often only in the heading).
    sims = ctx.similarity([o.compared() for _, _, o in top])
    # Every task here states what a who/when question wants (a lead, a deadline): typed, as a sentence stating
    # the wanted value is.
    out = [(cross_lingual_score(s, d, typed=True), s, o) for (_, s, o), d in zip(top, sims, strict=True)]
    out += [(t - 1.0, s, o) for t, s, o in rest]
    return sorted(out, key=lambda x: (-x[0], x[2].doc, x[2].lines))


@lru_cache(maxsize=200_000)
def _task_bag(o: Obligation, with_units: bool) -> tuple[frozenset[str], str]:
    """An obligation's task, task as written and heading (and units), folded: its words and the padded text
    (kept: a duties question over every plan compares itself with thousands of them)."""
    extra = f" {' '.join(o.lead)} {' '.join(o.support)}" if with_units else ""
    text = f" {fold(f'{o.task} {o.task_raw} {o.heading}{extra}')} "
    return frozenset(text.split()), text


def match_tasks(ctx: Context, analysis: Analysis, obligations: Sequence[Obligation],
                with_units: bool = False) -> list[tuple[float, float, Obligation]]:
    """(score, coverage, obligation), best first: how much of the question their task (and heading; with
    `with_units`, their units) covers, words weighted by rarity in the corpus and among these tasks; the score
    adds a little for the question's words side by side (it orders, the coverage decides acceptance)."""
    bags = [_task_bag(o, with_units) for o in obligations]
    weights = weigh_groups(analysis, ctx.stats, bags)
    total = sum(w for _, w in weights) or 1.0
    scored = []
    for o, (ws, padded) in zip(obligations, bags, strict=True):
        coverage = sum(w for g, w in weights if covers(g, ws, padded)) / total
        scored.append((coverage + phrase_bonus(analysis, padded), coverage, o))
    return sorted(scored, key=lambda x: (-x[0], x[2].doc, x[2].lines))


def _pool(ctx: Context, analysis: Analysis, everywhere: bool = False) -> list[Obligation]:
    """The obligations a question is about: of the plans it names; else (unless `everywhere`, for a deadline or
    a unit asked of every plan) of the plans its search finds, as a person would look only in those."""
    if analysis.plan_ids:
        return ctx.obligations(analysis.plan_ids)
    if everywhere:
        return ctx.obligations()
    found = [c.chunk.plan_id for c in ctx.retrieve(analysis, [])[:SEARCHED_SENTENCES]]
    return ctx.obligations(list(dict.fromkeys(found))[:SEARCHED_PLANS])


def obligation_citations(ctx: Context, o: Obligation, with_lead: bool, with_deadline: bool) -> tuple[Citation, ...]:
    """The task's lines, and the lines that name its lead or state its deadline when those are elsewhere."""
    meta = ctx.plans[o.plan_id]
    raw, restored = ctx.lines(o.doc)
    out = [Citation(doc=o.doc, lines=o.lines, quote=collapse(" ".join(raw[o.lines[0] - 1:o.lines[1]])),
                    heading=o.heading, plan_id=o.plan_id, locality=o.locality,
                    restored=_restored(raw, restored, o.lines))]
    extra = []
    if with_lead and o.lead_lines:
        extra.append(o.lead_lines)
    if with_deadline and o.deadline_lines and not (o.lines[0] <= o.deadline_lines[0] and
                                                   o.deadline_lines[1] <= o.lines[1]):
        extra.append(o.deadline_lines)
    for lines in extra:
        out.append(lines_citation(ctx, meta, o.doc, lines, o.heading))
    return tuple(out)


def _restored(raw: Sequence[str], restored: Sequence[str], lines: tuple[int, int]) -> str:
    a, b = lines
    quote, reading = collapse(" ".join(raw[a - 1:b])), collapse(" ".join(restored[a - 1:b]))
    return "" if reading == quote else reading


def _best_tasks(ctx: Context, analysis: Analysis, pool: Sequence[Obligation],
                keep: Callable[[Obligation], bool]) -> list[Obligation]:
    """The obligations that best match the question (one per plan, or every plan when it is a list)."""
    scored = rank_tasks(ctx, analysis, [o for o in pool if keep(o)])
    if not scored or not accepts_task(scored[0][1], scored[0][0], analysis):
        return []
    top = scored[0][0]
    chosen: list[Obligation] = []
    plans_seen: set[str] = set()
    for total, s, o in scored:
        good = accepts_task(s, total, analysis)
        if not good or (total < 0.9 * top and not analysis.per_plan):
            break
        if o.plan_id in plans_seen and not analysis.per_plan:
            continue
        if o.plan_id in plans_seen and s < top:
            continue
        plans_seen.add(o.plan_id)
        chosen.append(o)
    return chosen[:12]


@register("who")
class WhoHandler(Handler):
    """Who leads (and who supports) a task: the obligations table, matched by the task's words."""

    fallback = "text"

    def answer(self, ctx: Context, analysis: Analysis) -> Result:
        # "Who must … and by when?": the task asked about has a deadline, and the answer gives it.
        dated = "date" in analysis.wants
        found = (_plan_leads(ctx, analysis) if analysis.about_plan else []) or _best_tasks(
            ctx, analysis, _pool(ctx, analysis), lambda o: bool(o.lead) and (not dated or o.deadline is not None))
        result = Result(retrieved=[(o.doc, *o.lines) for o in found])
        support = bool(re.search(r"\b(phoi hop|coordinat\w*|support\w*|cung voi)\b", fold(analysis.effective)))
        for o in found:
            note = f"phối hợp: {', '.join(o.support)}" if support and o.support else ""
            who = ", ".join(o.lead)
            if dated and o.deadline is not None:
                who += f" — {_due_text(o.deadline)}"
            result.findings.append(Finding(o.plan_id, who,
                                           obligation_citations(ctx, o, with_lead=True, with_deadline=dated), note))
        return result


def _due_text(deadline: TimeExpr) -> str:
    """A deadline as an answer: its normalised label when it has a date or recurs, else the plan's wording."""
    return deadline.label if deadline.end or deadline.recurrence else deadline.text


def _plan_leads(ctx: Context, analysis: Analysis) -> list[Obligation]:
    """For a question about a plan as a whole: per plan, the first task that puts a unit in charge of carrying
    the plan out ("Chủ trì, phối hợp … tổ chức thực hiện Kế hoạch này"); plans put that charge first."""
    spec = cues()["whole_plan"]
    charge, objects = [fold(c) for c in spec["charge"]], [fold(o) for o in spec["object"]]
    pool = sorted((o for o in _pool(ctx, analysis) if o.lead), key=lambda o: o.lines)
    out: list[Obligation] = []
    for pid in analysis.plan_ids:
        for o in (o for o in pool if o.plan_id == pid):
            task = f" {' '.join(fold(o.task).replace(',', ' ').split())} "
            if any(f" {c} " in task for c in charge) and any(f" {x} " in task for x in objects):
                out.append(o)
                break
    return out


@register("when")
class WhenHandler(Handler):
    """By when a task is due: the obligations table (deadline normalised), else a sentence that states a date."""

    fallback = "text"

    def answer(self, ctx: Context, analysis: Analysis) -> Result:
        if analysis.about_plan:
            periods = _plan_periods(ctx, analysis)
            if periods.findings:
                return periods
        dated = [o for o in _pool(ctx, analysis) if o.deadline is not None and o.deadline.kind != "none"]
        if "start" in analysis.wants:  # a deadline is where a task ends; "từ khi nào?" asks where it begins
            dated = [o for o in dated if o.deadline is not None and o.deadline.names_start]
        scored = rank_tasks(ctx, analysis, dated, with_units=True)
        result = Result()
        if not scored or not accepts_task(scored[0][1], scored[0][0], analysis):
            return result
        top = scored[0][0]
        tied = [x for x in scored if x[0] >= 0.95 * top]
        if "day" in analysis.wants:
            # "trước ngày nào?" asks for a day: of the deadlines that fit as well ("đánh giá hằng năm … gửi báo
            # cáo trước ngày 15/11 hằng năm"), one that names its day answers (a stable sort keeps their order).
            tied.sort(key=lambda x: not (x[2].deadline is not None and x[2].deadline.names_day))
        plans_seen: set[str] = set()
        for _, _, o in tied:
            if (o.plan_id in plans_seen and not analysis.per_plan) or o.deadline is None:
                continue
            plans_seen.add(o.plan_id)
            result.retrieved.append((o.doc, *o.lines))
            result.findings.append(Finding(o.plan_id, _due_text(o.deadline),
                                           obligation_citations(ctx, o, with_lead=False, with_deadline=True)))
        return result


@lru_cache(maxsize=1)
def _period_field() -> re.Pattern[str]:
    """A sentence (folded) that opens with a plan's period field: "2. Thời gian thực hiện: …" (the labels of
    sections.txt's role "period", as the structure reads a heading's)."""
    periods = [words for role, words in wordlists.roles("sections.txt") if role == "period"]
    labels = "|".join(re.escape(p) for p in sorted(periods, key=len, reverse=True))
    return re.compile(rf"^\W*(?:(?:[0-9]+|[ivx]+|[a-z])[.)]?\s+)*(?:{labels})\b")


def _plan_periods(ctx: Context, analysis: Analysis) -> Result:
    """For "when" asked of a plan as a whole ("Kế hoạch … được thực hiện từ khi nào?"): per plan, the first
    sentence that opens with its period field ("Thời gian thực hiện: …") and states the time asked, outside the
    tasks (a task's field block has a "Thời gian thực hiện" of its own); else the span its title states."""
    result = Result()
    for meta in _targets(ctx, analysis):
        tasks = [o.lines for o in ctx.obligations([meta.plan_id])]
        # The field may also be a heading over the paragraph that states the span ("IV. THỜI GIAN THỰC HIỆN").
        fields = ((sent, chunk) for chunk in ctx.plan_chunks(meta.plan_id)
                  for under in [bool(chunk.heading_path) and bool(_period_field().match(fold(chunk.heading_path[-1])))]
                  for sent, _, folded in chunk_sentences(chunk) if (under or _period_field().match(folded))
                  and not any(a <= sent.line_start <= b for a, b in tasks))
        # No period field: a title states the span it covers ("… giai đoạn 2025-2026 trên địa bàn xã").
        title = fold(meta.full_title)
        titled = ((sent, chunk) for sent, chunk in _header_sentences(ctx, meta) if fold(sent.restored) in title)
        found = next(((sent, chunk, dates) for source in (fields, titled) for sent, chunk in source
                      for dates in [dates_asked(sent.restored, analysis)] if dates), None)
        if found is not None:
            sent, chunk, dates = found
            result.retrieved.append((chunk.doc, chunk.line_start, chunk.line_end))
            result.findings.append(Finding(meta.plan_id, dates[0], (sentence_citation(sent, chunk, meta),)))
    return result


@register("duties")
class DutiesHandler(Handler):
    """Who must do what by when: every obligation due in the time asked, or of the unit asked, plan by plan."""

    fallback = "text"

    def answer(self, ctx: Context, analysis: Analysis) -> Result:
        pool = _pool(ctx, analysis, everywhere=True)
        window = analysis.window
        if window is not None:
            start, end, exact = window
            due = [o for o in pool if o.due == end] if exact else []
            pool = due or [o for o in pool if o.due is not None and o.due <= end and (start is None or o.due >= start)]
        units = _units_named(analysis, pool)
        if units:
            pool = [o for o in pool if any(u in fold(x) for u in units for x in (*o.lead, *o.support))]
        generic = {w for phrase in cues()["duties"]["generic"] for w in fold(phrase).split()}
        analysis = analysis.without(generic)
        ranked = rank_tasks(ctx, analysis, pool, with_units=True)
        if window is None and not units:
            ranked = [x for x in ranked if accepts_task(x[1], x[0], analysis)]
        elif any(s > 0 for _, s, _ in ranked) and not units:
            ranked = [x for x in ranked if x[1] > 0]
        duties = [o for *_, o in sorted(ranked, key=lambda x: (-x[0], x[2].due or date.max, x[2].doc, x[2].lines))]
        result = Result(retrieved=[(o.doc, *o.lines) for o in duties[:MAX_LISTED]])
        if not duties:
            result.message = ("No obligation in the plans matches this deadline or unit." if analysis.language == "en"
                              else "Không có nhiệm vụ nào trong các kế hoạch khớp với thời hạn hoặc đơn vị này.")
            return result
        for o in duties[:MAX_LISTED]:
            when = o.deadline.label if o.deadline else ("no deadline" if analysis.language == "en"
                                                        else "không nêu thời hạn")
            result.findings.append(Finding(o.plan_id, f"{', '.join(o.lead)} — {when}",
                                           obligation_citations(ctx, o, with_lead=False, with_deadline=False)))
        if len(duties) > MAX_LISTED:
            more = len(duties) - MAX_LISTED
            result.message = (f"… {more} more: see the Obligations tab or `plans obligations`."
                              if analysis.language == "en"
                              else f"… và {more} nhiệm vụ khác: xem thẻ Nghĩa vụ hoặc lệnh `plans obligations`.")
        return result


def _units_named(analysis: Analysis, obligations: Sequence[Obligation]) -> list[str]:
    """Units the question names, by their folded form, longest first."""
    text = f" {fold(analysis.effective)} {analysis.expansion} "
    names = {fold(u) for o in obligations for u in (*o.lead, *o.support)}
    found = [n for n in names if len(n.split()) >= 2 and f" {n} " in text]
    return sorted(set(found), key=len, reverse=True)


# ---------------------------------------------------------------- what the header and the signature say


def _targets(ctx: Context, analysis: Analysis) -> list[PlanMeta]:
    return [ctx.plans[p] for p in analysis.plan_ids if p in ctx.plans]


_HEADER = ("header", "preamble")


def _header_sentences(ctx: Context, meta: PlanMeta, having: re.Pattern[str] | None = None,
                      chunks: Sequence[Chunk] | None = None) -> list[tuple[Sentence, Chunk]]:
    """The sentences of a plan's header and preamble (its header chunks, when already read; of the chunks whose
    text has `having`, if given: a question over hundreds of plans splits only the chunks it can cite)."""
    out = []
    for chunk in ctx.plan_chunks(meta.plan_id, _HEADER) if chunks is None else chunks:
        if having is not None and not having.search(f"{chunk.raw_text}\n{chunk.restored_text}"):
            continue
        out += [(s, chunk) for s in sentences_of(chunk, line_breaks=True)]
    return out


@register("issuance")
class IssuanceHandler(Handler):
    """A plan's number and date of issue, from its header, citing the letterhead lines that print them."""

    fallback = "text"

    def answer(self, ctx: Context, analysis: Analysis) -> Result:
        result = Result()
        asks_number = bool(re.search(r"\b(so hieu|ky hieu|number|so may|so bao nhieu|numbered)\b",
                                     f"{fold(analysis.effective)} {analysis.effective.lower()}"))
        asks_date = "date" in analysis.wants or not asks_number
        targets = _targets(ctx, analysis)
        if not targets and analysis.window is not None:
            # "Which plans were issued in 9/2025?": every plan whose date of issue falls in that time.
            start, end, _ = analysis.window
            targets = [m for m in ctx.plans.values() if m.date and _in_window(m.date, start, end)]
            asks_date, asks_number = True, False
        headers = ctx.plans_chunks([m.plan_id for m in targets], _HEADER)  # one read for them all
        for meta in targets:
            digits = re.match(r"\s*(\d+)", meta.number)
            sents = _header_sentences(ctx, meta, chunks=headers.get(meta.plan_id, []))
            cites: list[Citation] = []
            short: list[str] = []
            if asks_number and digits:
                hit = next(((s, c) for s, c in sents if re.search(rf"(?<!\d){digits.group(1)}\s*/", s.raw)), None)
                if hit:
                    cites.append(sentence_citation(hit[0], hit[1], meta))
                    short.append(meta.number)
            if asks_date and meta.date:
                hit = _date_line(sents, meta.date)
                if hit:
                    if not any(c.lines == (hit[0].line_start, hit[0].line_end) for c in cites):
                        cites.append(sentence_citation(hit[0], hit[1], meta))
                    short.append(_date_label(meta.date))
            if cites:
                result.findings.append(Finding(meta.plan_id, "; ".join(short), tuple(cites)))
                result.retrieved += [(c.doc, *c.lines) for c in cites]
        if not result.findings and len(targets) == 1:
            # The plan is known and its header leaves the field blank ("Số:   /KH-UBND"): say so, do not guess.
            meta = targets[0]
            result.final = True
            what = ("number" if asks_number else "date of issue") if analysis.language == "en" else (
                "số hiệu" if asks_number else "ngày ban hành")
            result.message = (f"The header of {meta.label}'s plan leaves its {what} blank." if analysis.language == "en"
                              else f"Phần đầu kế hoạch của {meta.label} để trống {what}.")
        return result


def _date_line(sents: Sequence[tuple[Sentence, Chunk]], iso: str) -> tuple[Sentence, Chunk] | None:
    """The letterhead line that dates the plan ("Hòa Bình, ngày 26" / "tháng 11 năm 2025" may span two lines):
    the first header line, or pair of lines, that states the date of issue."""
    from corpus.times import find_times

    y, m, *d = (int(x) for x in iso.split("-"))
    for i, (sent, chunk) in enumerate(sents):
        pairs = [(sent, chunk)]
        if i + 1 < len(sents) and sents[i + 1][1] is chunk:
            nxt = sents[i + 1][0]
            pairs.append((Sentence(sent.line_start, nxt.line_end, f"{sent.raw} {nxt.raw}",
                                   f"{sent.restored} {nxt.restored}"), chunk))
        for cand, owner in pairs:
            for expr, _, _ in find_times(cand.restored):
                e = expr.end
                if e and (e.year, e.month) == (y, m) and (not d or expr.kind != "day" or e.day == d[0]):
                    return cand, owner
    return None


def _in_window(iso: str, start: date | None, end: date) -> bool:
    """Whether a date of issue (yyyy-mm-dd or yyyy-mm) falls in a window."""
    parts = [int(x) for x in iso.split("-")]
    if len(parts) < 2:
        return False
    day = date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)
    return (start is None or day >= start.replace(day=1) if len(parts) == 2 else start is None or day >= start) \
        and day <= end


def _date_label(iso: str) -> str:
    parts = iso.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])}/{int(parts[1])}/{parts[0]}"
    return f"{int(parts[1])}/{parts[0]}" if len(parts) == 2 else iso


@register("place")
class PlaceHandler(Handler):
    """Which province or city a commune's, ward's or special zone's plan belongs to, quoting the plan where it
    names it (its letterhead, or the province's plan it carries out), else from the register of units."""

    fallback = "text"

    def answer(self, ctx: Context, analysis: Analysis) -> Result:
        from corpus.places import COMMUNE_LEVELS, PROVINCE_LEVELS, lookup, province_of

        result = Result()
        for meta in _targets(ctx, analysis):
            if meta.level not in COMMUNE_LEVELS:
                continue  # a province's or ministry's plan belongs to no province
            sents = _header_sentences(ctx, meta)
            named = [(s, c, p) for s, c in sents for p in _provinces_named(s.restored)
                     if not meta.province or fold(p) == fold(meta.province)]
            source = ""
            if named:
                sent, chunk, province = named[0]
            elif meta.province and sents:
                # the plan does not name it: say where the province comes from (the register of units, else the
                # plan's record), citing the letterhead line that names the unit
                own = [(s, c) for s, c in sents if fold(meta.locality) in fold(s.restored)] or sents
                (sent, chunk), province = own[0], meta.province
                registered = fold(province_of(meta.locality, meta.level)) == fold(province)
                source = ("register" if registered else "record")
            else:
                continue
            level = next((p.level for p in lookup(province) if p.level in PROVINCE_LEVELS), "tỉnh")
            if analysis.language == "en":
                said = {"register": " — from the register of administrative units", "record": " — from the plan's record"}
                short = f"{province} ({level}){said.get(source, '')}"
            else:
                said = {"register": " (theo danh mục đơn vị hành chính)", "record": " (theo thông tin ghi cho kế hoạch)"}
                short = f"{level} {province}{said.get(source, '')}"
            result.findings.append(Finding(meta.plan_id, short, (sentence_citation(sent, chunk, meta),)))
            result.retrieved.append((chunk.doc, chunk.line_start, chunk.line_end))
        return result


def _provinces_named(text: str) -> list[str]:
    """Provinces and centrally governed cities a text names after their level word ("UBND tỉnh Quảng Ngãi")."""
    from corpus.places import PROVINCE_LEVELS, lookup

    out: list[str] = []
    # each level as written lowercase, capitalised and in capitals ("tỉnh", "Tỉnh", "TỈNH")
    levels = "|".join(form for level in PROVINCE_LEVELS for form in (level, level[:1].upper() + level[1:], level.upper()))
    for m in re.finditer(rf"\b(?:{levels})\s+((?:\w+\s*){{1,3}})", nfc(text)):
        words = m.group(1).split()
        for n in range(len(words), 0, -1):  # the longest name the register knows ("Hồ Chí Minh" before "Hồ")
            # lookup gives current units first; a province merged away in 2025 ("TỈNH KON TUM") is still one a plan
            # of its time names
            found = [p for p in lookup(" ".join(words[:n])) if p.level in PROVINCE_LEVELS]
            if found:
                out.append(found[0].name)
                break
    return out


@register("signer")
class SignerHandler(Handler):
    """Who signed: the name line of each plan's signature block."""

    def answer(self, ctx: Context, analysis: Analysis) -> Result:
        result = Result()
        for meta in _targets(ctx, analysis):
            for chunk in ctx.plan_chunks(meta.plan_id, ("closing",))[:1]:
                found = find_signer(chunk.raw_text.split("\n"), chunk.restored_text.split("\n"), chunk.line_start)
                if found is not None:
                    title = f" ({meta.signer_title})" if meta.signer_title else ""
                    result.findings.append(Finding(meta.plan_id, collapse(found.restored) + title,
                                                   (sentence_citation(found, chunk, meta),)))
                    result.retrieved.append((chunk.doc, chunk.line_start, chunk.line_end))
        return result


@register("implements")
class ImplementsHandler(Handler):
    """Which documents a plan carries out (its opening "Thực hiện …"/"Căn cứ …"), or which plans carry out a
    document the question names."""

    fallback = "text"

    def answer(self, ctx: Context, analysis: Analysis) -> Result:
        result = Result()
        # The plan's own number names the plan ("Quyết định 12/QĐ-UBND … triển khai những văn bản nào?"), not a
        # document it carries out.
        own = {fold(normalise_code(m.number)) for m in _targets(ctx, analysis) if m.number}
        codes = {fold(normalise_code(c)) for c in codes_in(analysis.effective)} - own
        # words of the cues that route here ("triển khai", "văn bản nào") only say what is asked
        asking = {w for kind in ("implement", "code") for p in cues()["wants"][kind] for w in fold(p).split()}
        if not codes and len([t for t in analysis.terms if t not in asking]) > 3:
            # "… tổ chức cung cấp dịch vụ X theo nghị định nào?" asks about a task's basis, not the plan's own:
            # the sentences answer it (the fallback), not the opening.
            return result
        numbers = {c.split("/")[0] for c in codes}
        found: list[tuple[PlanMeta, list[str]]] = []
        for meta in _targets(ctx, analysis) or list(ctx.plans.values()):
            if codes:
                wanted = [c for c in meta.implements if fold(normalise_code(c)) in codes
                          or fold(c).split("/")[0] in numbers]
            else:
                # A title that names what the plan carries out ("Kế hoạch triển khai Quyết định số 06/QĐ-TTg …")
                # says it all; the "Căn cứ …" lines below it are the plan's legal basis.
                title = fold(meta.full_title)
                wanted = [c for c in meta.implements if fold(c) in title] or list(meta.implements)
            if wanted:
                found.append((meta, wanted))
        headers = ctx.plans_chunks([meta.plan_id for meta, _ in found], _HEADER)  # one read for them all
        for meta, wanted in found:
            first = re.compile(rf"(?<![\d.]){re.escape(wanted[0].split('/')[0])}\s*/")
            hit = next(((s, c) for s, c in _header_sentences(ctx, meta, first, headers.get(meta.plan_id, []))
                        if first.search(s.raw + " " + s.restored)), None)
            if hit is None:
                continue
            short = "" if codes else ", ".join(wanted[:3])
            result.findings.append(Finding(meta.plan_id, short, (sentence_citation(hit[0], hit[1], meta),)))
            result.retrieved.append((hit[1].doc, hit[1].line_start, hit[1].line_end))
        return result


# ---------------------------------------------------------------- lists over plans


_MULTI = ("implements", "duties", "issuance")
_ONE_PER_PLAN = ("implements", "issuance")  # one finding a plan (duties lists obligations, and caps them itself)


@register("list")
class ListHandler(Handler):
    """A question over several plans ("which plans …?", "compare X and Y"): each plan answered on its own."""

    def answer(self, ctx: Context, analysis: Analysis) -> Result:
        inner = get_handler(analysis.inner)
        said: Result | None = None
        if analysis.inner in _MULTI:
            # These read every plan's header or obligations at once; when that finds nothing, the plans are
            # searched as for any question over plans (a wide search, each plan answered by the fallback).
            said = inner.answer(ctx, replace(analysis, intent=analysis.inner))
            if analysis.inner in _ONE_PER_PLAN and len(said.findings) > SEARCHED_PLANS and not analysis.plan_ids:
                # "Which plans carry out Decision 1565?" over thousands of plans: the first are answered, all are
                # counted and listed for export, as for any list question.
                said.plans_found = [f.citations[0] for f in said.findings if f.citations]
                said.findings = said.findings[:SEARCHED_PLANS]
            if said.findings or said.final or not inner.fallback:
                return said
            inner = get_handler(inner.fallback)
        result = self._each_plan(ctx, analysis, inner)
        return result if said is None else _fallen_back(said, result)

    @staticmethod
    def _each_plan(ctx: Context, analysis: Analysis, inner: Handler) -> Result:
        """The plans named (or, naming none, found by a wide search), each answered by `inner`."""
        plan_ids = list(analysis.plan_ids)
        found: list[Candidate] = []
        if not plan_ids or len(plan_ids) > SEARCHED_PLANS:
            # Which plans speak of it at all: the plans of the accepted sentences of a wide search of all plans
            # (or of the many the question names: a bare number or a province can name hundreds); the first few
            # are answered, all are counted and listed (with their best sentence) for export.
            cands = ctx.retrieve(replace(analysis, per_plan=False), plan_ids, wide=True)
            # A plan answered from its sentences is counted by the evidence it would be answered from; one
            # answered from its obligations or header, by any sentence good enough to answer from.
            pool = _evidence(analysis, cands) if inner.from_sentences else [c for c in cands if accepts(c, analysis)]
            best: dict[str, Candidate] = {}
            for c in pool:
                best.setdefault(c.chunk.plan_id, c)
            found = list(best.values())
            plan_ids = [c.chunk.plan_id for c in found[:SEARCHED_PLANS]]
        result = Result(plans_found=[cite(c, ctx.plans.get(c.chunk.plan_id)) for c in found])
        for pid in plan_ids:
            # A plan the search found is answered from its best chunks, as the search ranked it among all plans; a
            # plan the question names, from the whole of it.
            sub = replace(analysis, plan_ids=(pid,), per_plan=False, intent=inner.name, ambiguous=False,
                          skim=bool(found))
            part = run(ctx, sub, inner.name)
            result.findings += part.findings[:1]
            result.retrieved += part.retrieved
            result.related += part.related[:1]
        return result


def plans_label(plans: Mapping[str, PlanMeta], ids: Sequence[str]) -> str:
    """The plans' labels joined, for messages."""
    return ", ".join(plans[p].label for p in ids if p in plans)
