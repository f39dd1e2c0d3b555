"""Evidence: every sentence of the retrieved chunks scored against the question, and the typed value (a date, a
duration, an amount, a count, a percentage, a body, a code) each sentence gives for what the question asks."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.query import Analysis, Group
from corpus.header import CODE, normalise_code
from corpus.quantities import Quantity, counts, quantities, total_after_label
from corpus.records import Chunk
from corpus.sentences import Sentence, sentences_of
from corpus.structure import field_of
from corpus.text import fold, nfc
from corpus.times import TimeExpr, find_times
from corpus.units import split_units, starts_unit

VALUE_KINDS = ("date", "duration", "percent", "money", "count", "agency", "code")
# Document references: "Quyết định số 2437/QĐ-TTg ngày 04/11/2025", "Luật Thủy sản năm 2017" date the document,
# not the task.
_REFERENCE_BEFORE = re.compile(r"(?:luat|nghi dinh|nghi quyet|quyet dinh|chi thi|thong tu|cong van|ke hoach so|"
                               r"huong dan|thong bao|to trinh|ket luan|chuong trinh so)\b[^.;]{0,60}$")


@dataclass(frozen=True)
class Candidate:
    """One sentence of a retrieved chunk with its features, its score and the value it gives."""

    sentence: Sentence
    chunk: Chunk
    locality: str
    rank: int
    dense: float
    lex: float  # share of the question's weighted content words the sentence (or its heading) has
    entity: bool  # it has every date/code the question gives
    score: float
    value: str = ""  # the short answer it gives for what the question wants ("" when none)
    typed: bool = False  # it gives a value of a wanted kind


class TermStats:
    """Chunk frequencies of folded terms across the committed plans (for IDF)."""

    def __init__(self, df: Mapping[str, int], n_chunks: int) -> None:
        self.df = df
        self.n = max(n_chunks, 1)

    def known(self, syllable: str) -> bool:
        """Whether any chunk contains the folded syllable."""
        return f"s:{syllable}" in self.df

    def idf(self, syllable: str) -> float:
        """BM25 IDF of a folded syllable; unseen terms count as rare."""
        df = self.df.get(f"s:{syllable}", 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))



@lru_cache(maxsize=4096)
def _alternatives(group: Group) -> tuple[frozenset[str], tuple[str, ...]]:
    """A group's one-word alternatives (looked up in a word set) and its phrases, padded (searched in text)."""
    return (frozenset(alt for alt, _ in group if " " not in alt),
            tuple(f" {alt} " for alt, _ in group if " " in alt))


def covers(group: Group, words: AbstractSet[str], padded: str) -> bool:
    """Whether any alternative of a question word's group is in a text (its folded words, and folded text padded)."""
    singles, phrases = _alternatives(group)
    return not singles.isdisjoint(words) or any(p in padded for p in phrases)


def weigh_groups(analysis: Analysis, stats: TermStats,
                 bags: Sequence[tuple[AbstractSet[str], str]]) -> list[tuple[Group, float]]:
    """The question's word groups the corpus knows, each weighted by rarity in the corpus and among `bags`
    (BM25 IDF of both, geometric mean) times how sure the word's mapping is (an English word's lexicon
    confidence; a plan-title word's low weight)."""
    return [(group, weight) for group, weight, _ in _weigh(analysis, stats, bags)]


def _weigh(analysis: Analysis, stats: TermStats,
           bags: Sequence[tuple[AbstractSet[str], str]]) -> list[tuple[Group, float, list[bool]]]:
    """weigh_groups, with which bags each group covers (so that scoring does not look again)."""
    mapped = dict(analysis.term_weights)
    groups = analysis.groups or tuple(((t, 1.0),) for t in analysis.terms)
    n = max(len(bags), 1)
    out: list[tuple[Group, float, list[bool]]] = []
    for group in groups:
        known = tuple((alt, conf) for alt, conf in group if all(stats.known(w) for w in alt.split()))
        if not known:
            continue
        covered = [covers(known, words, padded) for words, padded in bags]
        df = sum(covered)
        local = math.log(1 + (n - df + 0.5) / (df + 0.5))
        best = max(math.sqrt(max(stats.idf(w) for w in alt.split())) * min(conf, mapped.get(alt, 1.0))
                   for alt, conf in known)
        out.append((known, best * math.sqrt(local), covered))
    return out


def phrase_bonus(analysis: Analysis, padded: str) -> float:
    """A little (up to 0.1) for the question's words side by side in a text ("tổng kết", not "tổng hợp … kết
    quả"): it orders texts that cover the same words; `padded` is the folded text with a space each side."""
    pairs = [f" {a} {b} " for a, b in itertools.pairwise(analysis.terms)]
    return 0.1 * sum(p in padded for p in pairs) / max(len(pairs), 1)


TITLE_YEARS_BONUS = 0.05  # a tie-breaker, half the largest phrase bonus
_SPAN_OF_YEARS = re.compile(r"\b20\d\d\s*[-–—]\s*20\d\d\b")


def dense_norm(cos: float) -> float:
    """e5 cosines crowd into 0.72-0.88: that band stretched to 0-1."""
    return float(min(max((cos - 0.72) / 0.16, 0.0), 1.0))


@lru_cache(maxsize=20000)
def chunk_sentences(chunk: Chunk) -> tuple[tuple[Sentence, frozenset[str], str], ...]:
    """A chunk's sentences with their folded word sets and folded text (cached: chunks are immutable)."""
    out = []
    for sent in sentences_of(chunk):
        folded = fold(sent.restored)
        out.append((sent, frozenset(folded.split()), folded))
    return tuple(out)


def reference_span(text: str, start: int) -> bool:
    """Whether the date starting at `start` dates a cited document rather than a task."""
    # A cited document dates only its own clause: "… Nghị định số 226/2025/NĐ-CP; thời gian ban hành trước ngày
    # 30 tháng 11" is a deadline. (Not split at ". ": "UBND TP. HCM ngày 12/11/2025" is one clause.)
    before = text[max(0, start - 80):start].split(";")[-1]
    if CODE.search(before[-40:]) and re.search(r"ng[aà]y\s*$", before.lower()) is not None:
        return True
    if CODE.search(before[-30:]):
        return True
    return bool(_REFERENCE_BEFORE.search(fold(before)))


# "có hiệu lực (thi hành) (kể) từ (ngày)", folded: the words that date when a document takes effect.
_TAKES_EFFECT = re.compile(r"(?<!het )(?<!ngung )(?<!ngưng )\bhieu luc(?: thi hanh)?(?: ke)? tu(?: ngay)?\s*$")


def dates_in(text: str, days: bool = False, starts: bool = False) -> list[str]:
    """Deadlines and dates a sentence states, as written (cue words kept), document references left out; with
    `days`, only those that name a day (the question asks "ngày nào?"); with `starts`, only those that say when
    something begins (the question asks "từ khi nào?")."""
    return [quote for quote, _ in _dates(text, days, starts)]


def _dates(text: str, days: bool, starts: bool) -> list[tuple[str, TimeExpr]]:
    """dates_in, each quote with its time expression."""
    out = []
    for expr, a, b in find_times(text):
        if expr.kind == "none" or (days and not expr.names_day):
            continue
        # A cited document's date is no task's, but the day it takes effect is when something begins: "Luật … số
        # 42/VBHN-VPQH (có hiệu lực từ 01/7/2024)" answers "from what date is it in force?".
        if reference_span(text, a) and not (starts and _TAKES_EFFECT.search(fold(text[max(0, a - 40):a]))):
            continue
        cue = re.search(r"(?:trước|chậm nhất|đến|trong|kể từ|bắt đầu từ|bắt đầu|từ|vào|hoàn thành|before|by|from|"
                        r"since|starting)\s+(?:ngày\s+|tháng\s+|năm\s+)?$", text[max(0, a - 20):a], re.IGNORECASE)
        quote = (text[max(0, a - 20) + cue.start():b] if cue else text[a:b]).strip()
        if starts and not replace(expr, text=quote).names_start:
            continue
        out.append((quote, expr))
    return out


def dates_asked(text: str, analysis: Analysis) -> list[str]:
    """The dates a sentence states that are of the kind the question asks: a day for "ngày nào?", a start for
    "từ khi nào?"; a bare frequency ("2 lần/tháng", "hằng năm": how often, not when) only after the others."""
    found = _dates(text, days="day" in analysis.wants, starts="start" in analysis.wants)
    found.sort(key=lambda pair: pair[1].kind == "recurring" and ":" not in pair[1].recurrence)
    return [quote for quote, _ in found]


def codes_in(text: str) -> list[str]:
    """Document codes a sentence cites."""
    return [normalise_code(m.group(1)) for m in CODE.finditer(text)]


@lru_cache(maxsize=1)
def _verbs() -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """The words that end a body's name (units.txt [verbs] and a few prepositions): as written, and folded."""
    from corpus import wordlists

    names = [*wordlists.sections("units.txt")["verbs"], "chủ trì", "phối hợp", "tham mưu", "có trách nhiệm",
             "về", "theo", "trước", "đến", "để", "nhằm", "trong", "tại", "khi", "tổ chức", "gửi", "thực hiện"]
    written = {tuple(nfc(v).lower().split()) for v in names}
    return (tuple(sorted(written, key=len, reverse=True)),
            tuple(sorted({tuple(fold(v).split()) for v in names}, key=len, reverse=True)))


def _name_at(tokens: Sequence[str]) -> str:
    """The body's name that opens `tokens`: up to the verb or the clause's end. Words with diacritics are
    compared as written ("Tài chính" is a name, "tại" a preposition); words without, folded."""
    written, folded_verbs = _verbs()
    lowered = [nfc(t).lower().strip(",.;:()") for t in tokens]
    folded = [fold(t) for t in tokens]
    accented = any(fold(t) != t for t in lowered)
    end = 0
    while end < len(tokens) and end < 16:
        if end > 0 and (any(tuple(lowered[end:end + len(v)]) == v for v in written) if accented
                        else any(tuple(folded[end:end + len(v)]) == v for v in folded_verbs)):
            break
        end += 1
        if tokens[end - 1].rstrip().endswith((".", ";", ":", ")")):
            break
    return " ".join(tokens[:end]).strip(" ,.;:()")


@lru_cache(maxsize=100_000)
def _units_in(text: str, heading: tuple[str, ...]) -> tuple[str, ...]:
    """units_in, kept per text: every question scores the sentences of the chunks it retrieves again."""
    return tuple(units_in(text, heading))


def units_in(text: str, heading: Sequence[str] = ()) -> list[str]:
    """The body a sentence assigns or names: its subject ("Sở Tài chính chủ trì …"), the body after "Giao" /
    "Đề nghị", else the body its section heading names (bullets under "1. Sở Tài chính:" say "Chủ trì …")."""
    role, value = field_of(text)
    if role in ("lead", "support") and starts_unit(value):
        return split_units(value.rstrip(" .;"))  # "- Cơ quan chủ trì: Sở …": the label is not a body
    tokens = text.split()
    if tokens and re.match(r"^(?:[-+•*]|\d+[.)]|[a-zđ]\))$", tokens[0]):
        tokens = tokens[1:]
    start = 0
    if tokens and fold(tokens[0]) == "giao":
        start = 1
    elif len(tokens) > 1 and fold(" ".join(tokens[:2])) == "de nghi":
        start = 2
    found = _bodies_at(tokens[start:])
    if found:
        return found
    for title in reversed(heading):
        title = re.sub(r"^\s*(?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s*", "", title)
        if starts_unit(title):
            name = _name_at(title.split())
            if name:
                return split_units(name)
    # A body the sentence sends to or works with ("gửi phản ánh về Sở Nội vụ"): capitalised names only.
    for i in range(1, len(tokens)):
        if tokens[i][:1].isupper() and (found := _bodies_at(tokens[i:])):
            return found
    return []


def _bodies_at(tokens: Sequence[str]) -> list[str]:
    """The bodies named where `tokens` open with a body's name (up to its verb), split as the plan lists them;
    [] when they do not."""
    if tokens and starts_unit(" ".join(tokens[:6])):
        name = _name_at(tokens)
        if name:
            return split_units(name)
    return []


_VIA = re.compile(r"\b(?:thông\s+)?qua\s+", re.IGNORECASE)


@lru_cache(maxsize=100_000)
def _via_units(text: str) -> tuple[str, ...]:
    """The body a report or a dossier goes through, named after "qua" ("Báo cáo Ủy ban nhân dân tỉnh về kết quả
    (qua Sở Nội vụ)", "gửi thông qua Văn phòng …"); none when the sentence names no such body. The body is a
    name, capitalised: "qua các năm", "qua các hội nghị" say how or when, not through whom."""
    text = nfc(text)
    for match in _VIA.finditer(text):
        rest = text[match.end():].split()
        if rest and rest[0][:1].isupper() and (found := _bodies_at(rest)):
            return tuple(found)
    return ()


def quantity_for(kind: str, text: str, counted: Sequence[str] = (), lead: str = "", rate: bool = False,
                 total: bool = False) -> Quantity | None:
    """The quantity of a wanted kind a sentence gives; for a count, the one that counts the asked noun (any of
    its renderings; after the question's own verb when several do), or the total a label gives when a total is
    asked ("Tổng cộng 732": a table's total row names no unit); of a rate ("đồng/năm") and a total, the one the
    question asks."""
    found = quantities(text)
    if kind == "count":
        labelled = total_after_label(text) if total else None
        if labelled is not None and (not labelled.unit or any(counts(labelled, n) for n in counted)):
            return labelled
        # the renderings in their order: the first that counts something here ("văn bản" before a loose "hồ sơ")
        counting = next(([q for q in found if counts(q, n)] for n in counted if any(counts(q, n) for q in found)),
                        [])
        if len(counting) > 1 and lead:
            wanted = set(lead.split())
            near = [len(wanted & set(fold(text[:q.start]).split()[-3:])) for q in counting]
            counting = [counting[near.index(max(near))]]
        if counting:
            return counting[0]
        if counted:
            return None
        plain = [q for q in found if q.kind in ("count", "number")]
        if not plain and not lead:
            # a bare "… là bao nhiêu?" names no unit: an amount or a share is its answer as well
            plain = [q for q in found if q.kind in ("money", "percent")]
        return plain[0] if plain else None
    typed = [q for q in found if q.kind == kind]
    # A budget line states the rate and the total it makes ("100.000 đồng/người x 100 người = 10.000.000 đồng"): the
    # value after "=" is the total, a value per unit ("…/người") the rate; otherwise the first value answers.
    if rate:
        typed.sort(key=lambda q: "/" not in q.text)
    else:
        typed.sort(key=lambda q: not text[:q.start].rstrip().endswith("="))
    return typed[0] if typed else None


def value_of(kind: str, text: str, analysis: Analysis, heading: Sequence[str] = ()) -> str:
    """The short answer a sentence gives for one wanted kind, or ""."""
    if kind == "date":
        dates = dates_asked(text, analysis)
        return dates[0] if dates else ""
    if kind == "code":
        codes = codes_in(text)
        if "many" in analysis.wants:  # "những quyết định nào?": every document the sentence names
            return "; ".join(dict.fromkeys(codes))
        return codes[0] if codes else ""
    if kind == "agency":
        if "via" in analysis.wants:
            return ", ".join(_via_units(text)[:2])
        units = _units_in(text, tuple(heading))
        return ", ".join(units[:2]) if units else ""
    q = quantity_for(kind, text, analysis.counted, analysis.count_lead, "rate" in analysis.wants,
                     "total" in analysis.wants)
    return q.text if q is not None else ""


def wanted_kinds(analysis: Analysis) -> tuple[str, ...]:
    """The value kinds a question asks for, most specific first (a percentage answers "how many %")."""
    wants = [w for w in analysis.wants if w in VALUE_KINDS]
    if "count" in wants and any(w in wants for w in ("percent", "money", "duration")):
        wants.remove("count")
    if analysis.intent == "who" or analysis.inner == "who":
        wants = ["agency"] + [w for w in wants if w != "agency"]
    if analysis.intent == "when" or analysis.inner == "when":
        wants = ["date"] + [w for w in wants if w != "date"]
    return tuple(dict.fromkeys(wants))


def score_sentences(analysis: Analysis, hits: Sequence[tuple[Chunk, str, Sequence[float]]],
                    query_vec: Sequence[float], stats: TermStats) -> list[Candidate]:
    """Every sentence of every hit, scored: how much of the question it covers (words weighted by their rarity
    in the corpus and among these sentences), the dates/codes the question gives, the value it asks for, and the
    chunk's similarity to the question."""
    q = np.asarray(query_vec, dtype=np.float32)
    pool = [(chunk, locality, vec, s) for chunk, locality, vec in hits for s in chunk_sentences(chunk)]
    if not pool:
        return []
    weighed = _weigh(analysis, stats, [(words, f" {folded} ") for *_, (_, words, folded) in pool])
    total = sum(w for _, w, _ in weighed) or 1.0
    wanted_entities = [e for e in analysis.entities if "/" in e or "-" in e or "%" in e]
    # A year the question names ("targets for 2027") must be where the answer comes from, or its heading.
    years = [e for e in analysis.entities if re.fullmatch(r"20\d\d", e)]
    # A year that also names the plan ("… năm 2025") only rules out a section of another year ("b) Năm 2026").
    title_years = [y for y in re.findall(r"\b20\d\d\b", analysis.effective) if y not in years]
    kinds = wanted_kinds(analysis)
    structural = analysis.intent in ("issuance", "signer", "implements") or analysis.inner in (
        "issuance", "signer", "implements")
    out: list[Candidate] = []
    focus: list[float] = []  # the share of each sentence's words that are the question's
    asked = {w for g, _, _ in weighed for alt, _ in g for w in alt.split()}
    # per chunk: its similarity to the question, and the weight of the groups its headings cover (the nearest whole,
    # the one above half)
    by_chunk: dict[tuple[str, int], tuple[float, list[float]]] = {}
    for rank, (chunk, locality, vec, (sent, words, folded)) in enumerate(pool):
        key = (chunk.doc, chunk.line_start)
        if key not in by_chunk:
            # A table's rows all sit under its title: there the title is broad, as a heading further up is.
            # (A header's or closing's path is a name for the block, "Phần mở đầu", not a heading of it.)
            broad = chunk.kind in ("table", "group", "row", "header", "preamble", "closing")
            near_text = fold(chunk.heading_path[-1]) if chunk.heading_path and not broad else ""
            near, near_padded = set(near_text.split()), f" {near_text} "
            heading_text = fold(" ".join(chunk.heading_path[-2:]))
            heading, heading_padded = set(heading_text.split()), f" {heading_text} "
            by_chunk[key] = (dense_norm(float(np.dot(q, np.asarray(vec, dtype=np.float32)))) if len(vec) else 0.0,
                             [w if covers(g, near, near_padded) else 0.5 * w if covers(g, heading, heading_padded)
                              else 0.0 for g, w, _ in weighed])
        dense, in_heading = by_chunk[key]
        padded = f" {folded} "
        lex = sum(w if covered[rank] else half
                  for (_, w, covered), half in zip(weighed, in_heading, strict=True)) / total
        lex += phrase_bonus(analysis, padded)
        entity = bool(wanted_entities) and all(e in _entities(sent) for e in wanted_entities)
        # A year inside a span a heading states ("BIỂU … GIAI ĐOẠN 2026 – 2028") does not make it that year's section.
        section = _SPAN_OF_YEARS.sub(" ", " ".join(chunk.heading_path))
        # A sentence that states a year of its own (a budget form's column, "… – Năm 2025: 12.900 triệu đồng") is of
        # that year, whatever years its heading spans.
        own_years = bool(years) and bool(re.search(r"\b20\d\d\b", _SPAN_OF_YEARS.sub(" ", folded)))
        if years and not all(y in folded or (y in section and not own_years) for y in years):
            lex *= 0.5
        elif title_years:
            heading_years = set(re.findall(r"\b20\d\d\b", " ".join(chunk.heading_path[1:])))
            if heading_years and not heading_years & set(title_years):
                lex *= 0.5
            elif not years and all(y in folded for y in title_years):
                # Of sentences that cover the question alike, the one that states the period it names ("cả giai
                # đoạn 2026-2030": "… từ năm 2026-2030: … = 7.500.000.000 đồng", not "… 01 năm: …").
                lex += TITLE_YEARS_BONUS
        values: list[str] = []
        for kind in kinds:
            found = (value_of(kind, sent.restored, analysis, chunk.heading_path)
                     or value_of(kind, sent.raw, analysis, chunk.heading_path))
            if found and found not in values:
                values.append(found)
            if len(values) == 2:
                break
        value, typed = "; ".join(values), bool(values)
        score = lex + (0.5 if entity else 0.0) + (0.2 if typed else 0.0) + 0.3 * dense
        if chunk.kind in ("header", "preamble", "closing") and not structural:
            score -= 0.25  # a title or "Căn cứ …" line restates the topic; it rarely answers
        if len(words) < 4:
            score -= 0.2  # fragments ("a) Năm 2025") make poor answers
        out.append(Candidate(sent, chunk, locality, rank, dense, lex, entity, score, value, typed))
        focus.append(len(words & asked) / max(len(words), 1))
    # Of sentences that score alike (list items that repeat the question's words), the one that says least
    # besides them: "(4) ít nhất 70% số người hưởng … nhận tiền … không dùng tiền mặt", not "(2) ít nhất 85% …
    # mở mới tài khoản, ví điện tử … để nhận tiền … không dùng tiền mặt".
    order = sorted(range(len(out)), key=lambda i: (-round(out[i].score, 9), -focus[i], out[i].chunk.doc,
                                                   out[i].sentence.line_start))
    return [out[i] for i in order]


# Sentences (or tasks) an English question compares itself with, one by one: each is embedded at question time,
# the bulk of an English answer's latency. 12 -> 8 changed no answer on any of the five sets (English p50 -20%);
# 5 lost a dev question.
RERANK = 8
_PASSAGE_VECTORS: dict[str, Any] = {}


def similarities(texts: Sequence[str], query_vec: Sequence[float],
                 embed: Callable[[list[str]], Any]) -> list[float]:
    """The question's similarity to each text, embedded as a passage (vectors cached: plans' text is fixed),
    stretched to 0-1 (dense_norm)."""
    missing = [t for t in dict.fromkeys(texts) if t not in _PASSAGE_VECTORS]
    if missing:
        if len(_PASSAGE_VECTORS) > 20000:
            _PASSAGE_VECTORS.clear()
        _PASSAGE_VECTORS.update(zip(missing, embed(missing), strict=True))
    q = np.asarray(query_vec, dtype=np.float32)
    return [dense_norm(float(np.dot(q, np.asarray(_PASSAGE_VECTORS[t], dtype=np.float32)))) for t in texts]


def cross_lingual_score(lex: float, dense: float, typed: bool = False, entity: bool = False) -> float:
    """How an English question's evidence is scored once compared one by one: the lexicon's word coverage is
    weak evidence, the multilingual model's similarity carries more."""
    return 0.5 * lex + 0.8 * dense + (0.2 if typed else 0.0) + (0.5 if entity else 0.0)


def rerank_cross_lingual(cands: list[Candidate], query_vec: Sequence[float],
                         embed: Callable[[list[str]], Any], every_plan: bool = False) -> list[Candidate]:
    """An English question meets the plans' Vietnamese words only loosely through the lexicon; the multilingual
    model compares it with each of the best sentences directly (chunk similarity blurs which sentence answers).
    The best sentences get that similarity as their `dense`, and a score that leans on it. `every_plan` (a
    question over many plans): the best sentence of every plan found is compared too, so that one plan whose
    sentences crowd the top does not hide the others (their vectors are made at ingest, so no embedding here,
    unless this machine's embedding cache lacks them: an index another machine filled)."""
    top: list[Candidate] = []
    seen: set[tuple[str, int]] = set()
    for c in cands:
        key = (c.chunk.doc, c.sentence.line_start)
        if key not in seen:
            seen.add(key)
            top.append(c)
        if len(top) == RERANK:
            break
    if every_plan:
        docs = {c.chunk.doc for c in top}
        for c in cands:
            if c.chunk.doc not in docs:
                docs.add(c.chunk.doc)
                top.append(c)
    dense = similarities([c.sentence.restored for c in top], query_vec, embed)
    scored = {(c.chunk.doc, c.sentence.line_start): (d, cross_lingual_score(c.lex, d, c.typed, c.entity))
              for c, d in zip(top, dense, strict=True)}
    out = [replace(c, dense=scored[k][0], score=scored[k][1]) if (k := (c.chunk.doc, c.sentence.line_start)) in scored
           else replace(c, score=c.score - 1.0) for c in cands]
    out.sort(key=lambda c: (-c.score, c.chunk.doc, c.sentence.line_start))
    return out


def _entities(sent: Sentence) -> set[str]:
    from assistant.query import entities

    return set(entities(sent.restored)) | set(entities(sent.raw))
