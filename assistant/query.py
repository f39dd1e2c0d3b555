"""Question analysis: validation, language, which plan(s), what kind of answer (and so which handler), the
content words (English ones mapped to the index's Vietnamese words), the time window, follow-ups."""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.glossary import SURE
from assistant.resolve import HasTerm, acronym, issuer_in_full, name_body, resolve
from corpus import wordlists
from corpus.errors import PlansError
from corpus.header import CODE, normalise_code
from corpus.records import PlanMeta
from corpus.text import collapse, detect_language, fold, fold_map, nfc
from corpus.times import TimeExpr, entity_forms, find_times, month_bounds

MAX_QUESTION_CHARS = 2000
TITLE_WEIGHT = 0.3
DATA = Path(__file__).resolve().parent / "data"
Translate = Callable[[Sequence[str]], list[list[tuple[str, float]]]]
Restore = Callable[[str], str]


class QuestionError(PlansError, ValueError):
    """A question that cannot be asked as given."""


@lru_cache(maxsize=1)
def cues() -> dict[str, Any]:
    """assistant/data/cues.toml: what each want's cue phrases are, and the routes."""
    data: dict[str, Any] = tomllib.loads((DATA / "cues.toml").read_text(encoding="utf-8"))
    return data


def stop_words() -> frozenset[str]:
    """Function words as written (corpus/data/stopwords.txt): accented Vietnamese, English."""
    return frozenset(w.lower() for w in wordlists.words("stopwords.txt"))


@lru_cache(maxsize=1)
def _stop_phrases() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """The function words of several syllables (stopwords.txt), as written and folded, syllable by syllable."""
    return tuple((tuple(w.split()), tuple(fold(w).split())) for w in sorted(stop_words()) if " " in w)


@lru_cache(maxsize=1)
def _ignored() -> tuple[frozenset[str], frozenset[str]]:
    """(as written, folded) words that are not content: function words and answer-type words."""
    words = stop_words() | {nfc(w) for w in (*cues()["type_words"]["vi"], *cues()["type_words"]["en"])}
    return frozenset(words), frozenset(fold(w) for w in words)


# One question word's alternatives: (folded Vietnamese word or phrase, how sure the mapping is).
Group = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Analysis:
    """What the handlers need to know about a question."""

    question: str  # as asked (NFC, collapsed)
    effective: str  # after follow-up resolution
    language: str
    plan_ids: tuple[str, ...]  # the plans the question means (empty: any plan)
    unknown_place: str  # a named place with no plan in the corpus, else ""
    wants: tuple[str, ...]  # date / duration / percent / money / count / agency / code / signer / issuance / …
    terms: tuple[str, ...]  # folded content words, English ones mapped to Vietnamese
    entities: tuple[str, ...]  # dates / codes / numbers in the question
    expansion: str  # folded Vietnamese words added for an English question
    search: str = ""  # the text to retrieve with (the plan-naming words left out)
    reading: str = ""  # an unaccented question's search text with its diacritics restored, else ""
    per_plan: bool = False  # the answer is a list over plans: search and answer each
    # one of the many plans a list question found by searching: its best chunks are read, not the whole plan
    skim: bool = False
    # what "how many" counts, folded Vietnamese ("dich vu" for "bao nhiêu dịch vụ …"); an English noun has each
    # rendering the plans use ("datasets": "bo du lieu", "tap du lieu")
    counted: tuple[str, ...] = ()
    count_lead: str = ""  # the words before "bao nhiêu", folded
    intent: str = "text"  # the handler that answers (assistant/handlers.py)
    inner: str = "text"  # for a list over plans: the handler each plan is answered by
    ambiguous: bool = False  # several plans fit equally
    resolved_by: str = ""  # number / place / issuer / topic / ""
    window: tuple[date | None, date, bool] | None = None  # (start, end, exact) a deadline question asks about
    term_weights: tuple[tuple[str, float], ...] = ()  # English-mapped terms weigh what the mapping is sure of
    # What coverage counts: one group per question word; an English word's group holds the Vietnamese words it
    # maps to (any one of them present covers it), a Vietnamese word is a group of itself.
    groups: tuple[Group, ...] = ()
    about_plan: bool = False  # asks about the plan as a whole ("who leads its implementation?")

    def without(self, words: AbstractSet[str]) -> Analysis:
        """The analysis with these folded words left out of what coverage counts (terms and groups alike)."""
        return replace(self, terms=tuple(t for t in self.terms if t not in words),
                       groups=_groups_without(self.groups, words))



def _groups_without(groups: Sequence[Group], words: AbstractSet[str]) -> tuple[Group, ...]:
    """Groups with the alternatives made only of these words left out (and groups left empty dropped)."""
    return tuple(g for g in (tuple(a for a in grp if not set(a[0].split()) <= words) for grp in groups) if g)


_WORD = re.compile(r"[^\W_]+")
_FOLLOW_UP = re.compile(r"^(?:con|va|what about|how about|and|the con)\b.*?(?:thi sao|the nao|\?|$)")


def validate(question: str) -> str:
    """NFC + collapse, or a QuestionError with the limits."""
    text = collapse(nfc(question or ""))
    if not text:
        raise QuestionError("Câu hỏi trống. / The question is empty: type a question about the plans.")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"Câu hỏi quá dài ({len(text)} ký tự, tối đa {MAX_QUESTION_CHARS}). / The question is "
                            f"{len(text)} characters long; the limit is {MAX_QUESTION_CHARS}. Shorten it.")
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("Câu hỏi không có chữ nào. / The question has no words.")
    return text


def _present(cue: str, folded: str, lowered: str) -> bool:
    return f" {cue} " in f" {folded} " or f" {cue} " in f" {lowered} "


def _accented(text: str) -> bool:
    """Whether a text is written with its diacritics (then "số nào" and "sở nào" can be told apart)."""
    letters = [ch for ch in nfc(text).lower() if ch.isalpha()]
    return sum(not ch.isascii() for ch in letters) >= 0.05 * max(len(letters), 1)


# Money per unit as a question writes it: "đồng/người", "triệu đồng / năm", "VND/person" (folded, slash kept).
_PER_UNIT = re.compile(r"\b(?:dong|vnd|trieu|ty)\s*/\s*[a-z]")


@lru_cache(maxsize=1)
def _which_heads() -> frozenset[str]:
    """The nouns of the two-word "which X" / "what X" cues of cues.toml."""
    return frozenset({p.split()[1] for ps in cues()["wants"].values() for p in ps
                      if p.isascii() and len(p.split()) == 2 and p.split()[0] in ("which", "what")}
                     - set(cues()["which_names"]["auxiliaries"]))


def _which_head(text: str) -> str:
    """An English "which"/"what" before a proper name and the noun it modifies asks for that noun: "which
    Ministry of Science and Technology decision" is read "which decision" when "which decision" is a cue."""
    heads, links = _which_heads(), set(cues()["which_names"]["links"])
    words = text.split()
    for i, word in enumerate(words[:-2]):
        if word.lower() not in ("which", "what"):
            continue
        # the name: capitalised words (any script: "Đồng Nai") and the small words inside it; the first word after
        # at least one of them that a cue asks for is the head ("… Trade Decision sets": the capitalised head too)
        for j in range(i + 2, min(len(words), i + 12)):
            before = words[j - 1].strip(",;:'’")
            if not (before[:1].isupper() or before.lower() in links):
                break
            if words[j].lower().strip(",.;:?!") in heads and words[i + 1][:1].isupper():
                return " ".join([*words[:i + 1], *words[j:]])
    return text


def find_wants(text: str) -> tuple[str, ...]:
    """The kinds of answer a question asks for, by the cue phrases of assistant/data/cues.toml.

    A cue written with diacritics is one that folding would confuse with another ("sở nào" which department,
    "số nào" which number): it is matched as written in an accented question, folded in an unaccented one.
    """
    text = _which_head(text)
    folded = fold(text)
    lowered = " ".join(_WORD.findall(nfc(text).lower())) + (" %" if "%" in text else "")
    accented = _accented(text)
    # "mỗi năm mấy đợt" counts per year: its unit is read as no "năm mấy" (which year).
    units, per = cues()["time_units"]["words"], cues()["time_units"]["per"]
    lowered = re.sub(rf"\b((?:{'|'.join(per)})\s+)(?:{'|'.join(units)})\s+(?=mấy\b)", r"\1", lowered)
    folded = re.sub(rf"\b((?:{'|'.join(map(fold, per))})\s+)(?:{'|'.join(map(fold, units))})\s+(?=may\b)", r"\1",
                    folded)

    def present(cue: str) -> bool:
        if cue.isascii():
            return _present(cue, folded, lowered)
        return f" {nfc(cue)} " in f" {lowered} " if accented else _present(fold(cue), folded, folded)

    wants = [kind for kind, phrases in cues()["wants"].items() if any(present(p) for p in phrases)]
    if "rate" not in wants and _PER_UNIT.search(fold_map(text)[0]):  # fold() drops the slash
        wants.append("rate")  # "… bao nhiêu đồng/người?": money per unit, written with a slash
    if "code" in wants and "list" in wants and "implement" not in wants:
        # "Kế hoạch nào" is both "which plans …?" and "which plan (is replaced, is meant)?". Vietnamese says which
        # by the place: at the head of the question it is the subject, a list of plans ("Những kế hoạch nào giao
        # …"); after a verb it is the document asked for ("… thay thế kế hoạch nào"). Questions about what is
        # implemented keep "code" (the implements route reads them).
        listing = {fold(p) for p in cues()["wants"]["list"]}
        shared = listing & {fold(p) for p in cues()["wants"]["code"]}
        own = any(present(p) for p in cues()["wants"]["code"] if fold(p) not in listing)
        head = f" {' '.join(folded.split()[:4])} "
        if not own and any(f" {p} " in head for p in shared):
            wants.remove("code")
    if "count" in wants and "date" in wants:
        # "từ tháng mấy đến tháng mấy?" asks which months: a "mấy" after a calendar unit counts nothing.
        folded = re.sub(rf"\b(?:{'|'.join(map(fold, units))})\s+may\b", " ", folded)
        lowered = re.sub(rf"\b(?:{'|'.join(units)})\s+mấy\b", " ", lowered)
        if not any(present(p) for p in cues()["wants"]["count"]):
            wants.remove("count")
    if "duration" in wants and "date" in wants:
        # "within what time" asks how long: the "what time" inside it asks no date.
        spans = [p for p in cues()["wants"]["duration"] if present(p)]
        folded = re.sub("|".join(rf"\b{re.escape(fold(p))}\b" for p in spans), " ", folded)
        lowered = re.sub("|".join(rf"\b{re.escape(nfc(p))}\b" for p in spans), " ", lowered)
        if not any(present(p) for p in cues()["wants"]["date"]):
            wants.remove("date")
    if {"issued", "code"} <= set(wants) and ({"implement", "replace"} & set(wants)) \
            and _asks_what_is_implemented(folded):
        wants.remove("issued")
    if "money" in wants and not any(present(p) for p in cues()["money"]["amount"]) and set(wants) & {
            "source", "agency", "date", "code", "signer"}:
        # "kinh phí", "dự toán", "budget" name the topic; the question word asks for something else: "… từ những
        # nguồn nào?" (where it comes from), "Phòng nào … lập dự toán?" (who), "Khi nào …?" (when).
        wants.remove("money")
    return tuple(wants)


def _asks_what_is_implemented(folded: str) -> bool:
    """Whether a Vietnamese question asks for a document as the object of an implementing or replacing verb.

    Vietnamese keeps a question word where its answer would stand: the object of a verb follows the verb. So in
    "Quyết định … ban hành kế hoạch triển khai những văn bản nào?" the document asked is what is implemented, in
    "… đã thay thế quyết định nào?" what is replaced, not the issuing one ("Quyết định nào ban hành kế hoạch …?"
    puts it before the verb, as the subject).
    """
    verbs = [fold(p) for p in (*cues()["wants"]["implement"], *cues()["wants"]["replace"])]
    documents = [fold(p) for p in cues()["wants"]["code"]]
    return any(re.search(rf"\b{re.escape(v)}\s+(?:(?:nhung|cac|mot)\s+)?{re.escape(d)}\b", folded)
               for v in verbs for d in documents)


def route(wants: Sequence[str], skip: Sequence[str] = ()) -> str:
    """The first route of cues.toml whose conditions hold."""
    have = set(wants)
    for r in cues()["route"]:
        if r["intent"] in skip:
            continue
        if set(r.get("all", [])) <= have and (not r.get("any") or have & set(r["any"])) \
                and not have & set(r.get("none", [])):
            return str(r["intent"])
    return "text"


def counted_noun(text: str, language: str, translate: Translate | None = None) -> tuple[tuple[str, ...], str]:
    """(what a "how many" question counts, the verb before it), folded: "bao nhiêu dịch vụ" -> ("dich vu",)."""
    if language == "en":
        m = re.search(r"\bhow many\s+((?:[a-z'-]+\s*){1,4})", text.lower())
        if not m:
            return (), ""
        words: list[str] = []
        for word in m.group(1).split():
            if word in stop_words():
                break
            words.append(word)
        if not words or translate is None:
            return (), ""
        mapped = translate([words[-1]])  # English puts the head noun last
        if not mapped or not mapped[0]:
            return (), ""
        # every rendering as sure as the best (the glossary's that the plans use), not just the first
        best = mapped[0][0][1]
        return tuple(dict.fromkeys(v for v, conf in mapped[0] if conf >= best)), ""
    # "mấy" (how many) folds to "may", as "máy" (machine) does: an accented question is read as written.
    accented = _accented(text)
    asked = " ".join(_WORD.findall(nfc(text).lower())) if accented else fold(text)
    how_many = r"(?:bao nhiêu|mấy)" if accented else r"(?:bao nhieu|may)"
    m = re.search(rf"\b{how_many}\s+(\w+(?:\s+\w+)?)", asked)
    noun = fold(m.group(1)) if m else ""
    if not noun or noun.split()[0] in {"phan", "la", "ty", "nam", "thi", "va", "o", "tai", "trong", "ngay"}:
        return (), ""
    lead = re.search(rf"((?:\w+\s+){{1,2}}){how_many}\s", asked)
    return (noun,), (fold(lead.group(1)) if lead else "")


def question_window(text: str) -> tuple[date | None, date, bool] | None:
    """(start, end, exact) of the time a deadline question names: a day (exact), a month, a quarter, a year's
    end; None when it names none. A year is never assumed."""
    window_words, by_words = ("|".join(re.escape(fold(w)) for w in cues()["time_units"][k]) for k in ("window", "by"))
    for expr, _, _ in find_times(text):
        if expr.end is None:
            continue
        before = fold(text[:text.find(expr.text)])
        by = re.search(rf"\b(?:{by_words})\s*$", before)
        if expr.kind == "day":
            return None, expr.end, True
        if expr.kind == "range" and _years_only(expr) and not re.search(rf"\b(?:{window_words})\s*$", before):
            # A span of whole years with no time word before it names a period ("thời kỳ 2021-2030", "the
            # 2026–2031 elections", "Bắc Ninh 2026-2030"): the plan's or the programme's, not a time asked about.
            continue
        if expr.kind in ("month", "quarter", "range"):
            return (None if by else expr.start), expr.end, False
        if expr.kind == "year" and (expr.start is None or by):
            return None, expr.end, False
    return None


def _years_only(expr: TimeExpr) -> bool:
    """A span from the start of one year to the end of a later one ("2026-2030")."""
    return (expr.start is not None and expr.end is not None and (expr.start.month, expr.start.day) == (1, 1)
            and (expr.end.month, expr.end.day) == (12, 31) and expr.end.year > expr.start.year)


def _terms(text: str, language: str) -> list[str]:
    """Folded content words: not function words, not words that only say what kind of answer is wanted. A word
    written with diacritics is judged as written ("phấn đấu" is content, "phần trăm" is not), and so is every word
    of a question written with them (the "tri" of "cử tri" is not the "trì" of "chủ trì"); a word of a question
    typed without them, by its folded form, even when a name in it is pasted with them ("Co quan nao chu tri … ở
    tỉnh Hòa Bình")."""
    written, folded_ignored = _ignored()
    phrases = _stop_phrases()
    words = _WORD.findall(nfc(text).lower())
    # Most syllables of Vietnamese written with diacritics carry one (or "đ"): under 40% of the words, the
    # question was typed without them.
    as_written = language == "vi" and sum(not w.isascii() for w in words) >= 0.4 * max(len(words), 1)
    # "bao giờ / bao nhiêu / bao lâu" ask when / how many; a time ("Quý IV/2025", "năm 2026") is matched as a
    # time, not as words.
    for _, a, b in sorted(find_times(text), key=lambda t: -t[1]):
        text = text[:a] + " " + text[b:]
    lowered = re.sub(r"\bbao (giờ|nhiêu|lâu)\b|\bnăm (?=20\d\d\b)", " ", nfc(text).lower())
    out: list[str] = []
    tokens = _WORD.findall(lowered)
    folded = [fold(t) for t in tokens]
    skip = 0
    for at, token in enumerate(tokens):
        # A function phrase ("lần lượt": respectively) is matched as written, or folded in a question typed
        # without diacritics; its syllables alone may be content ("3 lần", "lượt khách").
        for as_typed, as_folded in phrases:
            n = len(as_typed)
            if tuple(tokens[at:at + n]) == as_typed or (not as_written and language != "en"
                                                         and tuple(folded[at:at + n]) == as_folded):
                skip = max(skip, n)
        if skip:
            skip -= 1
            continue
        if token in written or (token.isascii() and language != "en" and not as_written
                                and fold(token) in folded_ignored):
            continue
        word = token if language == "en" and token.isascii() else fold(token)
        out += [w for w in word.split() if (len(w) > 1 and not w.isdigit()) or _ordinal(w, lowered)]
    return list(dict.fromkeys(out))


# "Sở KH&CN", "Sở TN&MT", "GD&ĐT": capitals for the syllables of a body's name, "&" for "và" (not a code's part
# after "/", as in "182/KH-UBND").
_ACRONYM = re.compile(r"(?<![\w/])[A-ZĐ]{1,4}(?:\s?[&-]\s?[A-ZĐ]{1,4})+(?![\w/])|(?<![\w/])[A-ZĐ]{3,6}(?![\w/])")


@lru_cache(maxsize=1)
def _name_initials() -> dict[str, str]:
    """Known bodies' names (corpus/data/units.txt) by their initials without the head word (resolve.acronym:
    "khcn" -> "khoa hoc va cong nghe"); an initialism two names share is left out."""
    from corpus.units import GAZETTEER

    found: dict[str, set[str]] = {}
    for name, _ in GAZETTEER:
        letters = acronym(name)
        body = " ".join(name_body(name))
        if len(letters) >= 2:
            found.setdefault(letters, set()).add(body)
    return {letters: next(iter(names)) for letters, names in found.items() if len(names) == 1}


def _with_acronyms(groups: list[Group], question: str) -> list[Group]:
    """A body named by its initials ("Sở KH&CN") is one word of the question, which the plan may write either
    way: its letters and its full name ("khoa học và công nghệ") are alternatives of one group."""
    for m in _ACRONYM.finditer(question):
        written = fold(m.group(0))
        full = _name_initials().get(written.replace(" ", ""))
        parts = written.split()
        if not full:
            continue
        at = next((i for i in range(len(groups) - len(parts) + 1)
                   if [g[0][0] for g in groups[i:i + len(parts)]] == parts), None)
        if at is None:
            continue
        groups = [*groups[:at], ((written, 1.0), (full, 1.0)), *groups[at + len(parts):]]
    return groups


@lru_cache(maxsize=1)
def _equivalents() -> tuple[tuple[str, ...], ...]:
    """Sets of folded forms the plans use for one meaning: an abbreviation and its phrase (corpus/data/
    abbreviations.txt: "nsnn", "ngan sach nha nuoc"), and phrases of one sense (corpus/data/equivalents.txt: "toi
    thieu", "it nhat", "khong duoi" …); the set with the longest form first."""
    pairs = [(fold(abbr), phrase) for abbr, phrase in wordlists.roles("abbreviations.txt")]
    sets = [tuple(dict.fromkeys(fold(form) for form in line.split("|") if fold(form)))
            for line in wordlists.words("equivalents.txt")]
    return tuple(sorted([(phrase, abbr) for abbr, phrase in pairs] + [s for s in sets if len(s) > 1],
                        key=lambda forms: -max(len(f) for f in forms)))


def _with_equivalents(groups: list[Group], weights: Mapping[str, float], question: str) -> list[Group]:
    """A phrase the plans also write another way (abbreviated: "ngân sách nhà nước", "NSNN"; in other words:
    "tối thiểu", "ít nhất", "từ … trở lên") is one word of the question with every form as alternatives: the
    question's groups of its syllables give way to it (it weighs as little as its lightest syllable: a plan-title
    phrase stays light), and a group that has one form (an English word rendered) gains the others.
    `question`: folded."""
    padded = f" {question} "
    taken: list[tuple[int, int]] = []  # where the question's phrases already read are: a shorter one inside is not
    for forms in _equivalents():
        present = [form for form in forms if f" {form} " in padded]
        written = max(present, key=len) if present else None
        if written is not None:
            start = padded.index(f" {written} ") + 1
            span = (start, start + len(written))  # the words alone: a phrase beside it is not inside it
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            taken.append(span)
            if not any(alt in forms for g in groups for alt, _ in g):
                # every form the question writes ("ít nhất 5 người trở lên") gives way, not only the first read
                parts = {w for form in present for w in form.split()}
                conf = min([weights[w] for w in parts if w in weights] or [1.0])
                at = next((i for i, g in enumerate(groups) if len(g) == 1 and g[0][0] in parts), len(groups))
                rest = [g for g in groups if not (len(g) == 1 and g[0][0] in parts)]
                groups = [*rest[:at], tuple((form, conf) for form in forms), *rest[at:]]
                continue
        out = []
        for group in groups:
            alts = dict(group)
            had = next((alts[form] for form in forms if form in alts), None)
            if had is not None:
                group = (*group, *((form, had) for form in forms if form not in alts))
            out.append(group)
        groups = out
    return groups


def _ordinal(word: str, text: str) -> bool:
    """A small number that names an item ("Dự án 8", "Project 8", "điểm 3"), not a year or a count of things."""
    # `word` is folded, so unpadded: "Đợt 02" names item 2.
    return word.isdigit() and len(word) <= 2 and bool(re.search(rf"[^\W\d_]+\s+0*{word}\b(?!\s*[/.,%])", text))


def about_plan(text: str, named_words: AbstractSet[str]) -> bool:
    """Whether a question asks about a plan as a whole: it names the plan ("kế hoạch", "plan") and all its other
    words are the plan's name, question words, function words or words of carrying a plan out (cues.toml)."""
    spec = cues()["whole_plan"]
    text = CODE.sub(" ", nfc(text))
    folded = f" {' '.join(_WORD.findall(fold(text)))} "
    if not any(f" {fold(p)} " in folded for p in spec["plan"]):
        return False
    phrases = {fold(p) for p in spec["words"]} | {fold(p) if not p.isascii() else p
                                                  for ps in cues()["wants"].values() for p in ps}
    for phrase in sorted(phrases, key=len, reverse=True):
        while f" {phrase} " in folded:
            folded = folded.replace(f" {phrase} ", " ")
    _, ignored = _ignored()
    return not [w for w in folded.split() if len(w) > 1 and not w.isdigit() and w not in named_words
                and w not in ignored]


_YEAR_SPAN = re.compile(r"\b(?:19|20)\d\d\s*[-–—]\s*(?:19|20)\d\d\b")


def _lone_years(text: str, by: bool = True) -> set[str]:
    """The years a text states outside a span of years (without `by`: nor as the time something is due by)."""
    years = set(re.findall(r"\b(?:19|20)\d\d\b", _YEAR_SPAN.sub(" ", text)))
    if not by:
        by_words, fillers = ("|".join(re.escape(fold(w)) for w in cues()["time_units"][k]) for k in ("by", "by_year"))
        folded = fold(text)
        years = {y for y in years if not re.search(rf"\b(?:{by_words})\s+(?:(?:{fillers})\s+)?{y}\b", folded)}
    return years


def entities(text: str) -> list[str]:
    """Dates, codes and numbers the question gives, in the forms the index stores."""
    out = list(entity_forms(text))
    out += [fold(normalise_code(m.group(1))).replace(" ", "-") for m in CODE.finditer(text)]
    out += re.findall(r"(?<![\d/.,])\d+(?:[.,]\d+)?%?(?![\d/])", re.sub(r"\d{1,2}/\d{1,2}/\d{4}", " ", text))
    return list(dict.fromkeys(out))


def _effective(text: str, history: Sequence[str], plans: Sequence[PlanMeta]) -> str:
    """A follow-up ("còn xã Sa Thầy thì sao?") read with the question before it."""
    if not history:
        return text
    folded = fold(text)
    if _FOLLOW_UP.match(folded) and len(folded.split()) <= 12:
        previous = history[-1]
        now = resolve(text, _terms(text, detect_language(text)), plans)
        before = resolve(previous, _terms(previous, detect_language(previous)), plans)
        if now.plan_ids and before.plan_ids and now.by in ("place", "number", "issuer"):
            new_meta = next(m for m in plans if m.plan_id == now.plan_ids[0])
            effective = previous
            for meta in plans:
                if meta.plan_id in before.plan_ids:
                    for name in sorted({meta.label, *meta.aliases, meta.locality}, key=len, reverse=True):
                        if name:
                            effective = re.sub(re.escape(name), new_meta.label, effective, flags=re.IGNORECASE)
            return effective if effective != previous else f"{previous} ({new_meta.label})"
        return f"{previous} {text}"
    if len(folded.split()) <= 4 and not resolve(text, _terms(text, detect_language(text)), plans).plan_ids:
        return f"{history[-1]} {text}"
    return text


def analyse(question: str, plans: Sequence[PlanMeta], history: Sequence[str] = (),
            translate: Translate | None = None, restore: Restore | None = None,
            has_term: HasTerm | None = None) -> Analysis:
    """Analyse a validated question in the context of earlier questions of the conversation.

    `translate` maps English words to the index's Vietnamese words (index.lexicon); without it English words
    are kept as they are. `restore` puts the diacritics back into Vietnamese typed without them (the OCR
    repair's restorer); without it such a question is searched as typed. `has_term(plan_id, word)` says whether
    a plan's text has a folded word: the plans of a place are then told apart by their content too.
    """
    text = validate(question)
    effective = _effective(text, history, plans)
    language = detect_language(text)
    terms = _terms(effective, language)
    weights: dict[str, float] = {}
    groups: list[Group] = []
    expansion = ""
    english_map: dict[str, list[tuple[str, float]]] = {}  # an English word -> the Vietnamese words it maps to
    mapped: list[tuple[str, float]] = []
    english_groups: list[tuple[str, Group]] = []  # an English word or phrase, with what it maps to
    if language == "en" and translate is not None:
        english = [t for t in terms if t.isascii() and not t.isdigit()]
        # Pairs and triples of its words too: a glossary has fixed phrases ("voter turnout", "department of home
        # affairs"); only pairs are looked up among the index's nearest words (service.translate).
        phrases = [f"{a} {b}" for a, b in itertools.pairwise(english)]
        phrases += [" ".join(t) for t in zip(english, english[1:], english[2:], strict=False)]
        sources = [*english, *phrases]
        each = translate(sources)
        english_map = dict(zip(english, each, strict=False))
        # A phrase mapped with certainty ("national assembly": "quốc hội", "certificate of merit": "bằng khen") says
        # what its words mean there: their own mappings ("quốc gia", "giấy chứng nhận") are left out.
        sure = [set(src.split()) for src, alts in zip(sources, each, strict=True)
                if " " in src and alts and all(conf >= SURE for _, conf in alts)]
        kept = [(src, alts) for src, alts in zip(sources, each, strict=True)
                if alts and not any(set(src.split()) < phrase for phrase in sure)]
        english_groups = [(src, tuple(alts)) for src, alts in kept]
        groups = [alts for _, alts in english_groups]
        mapped = [pair for _, alts in kept for pair in alts]
        expansion = " ".join(v for v, _ in mapped)
        for v, score in mapped:
            for w in v.split():
                weights[w] = max(weights.get(w, 0.0), score)
        # The English words themselves are not in the plans (some spell Vietnamese syllables: "the", "an"):
        # their Vietnamese neighbours, item numbers and Vietnamese words quoted in the question are matched.
        quoted = [t for t in _terms(effective, "vi") if not t.isascii()]
        terms = list(dict.fromkeys([*(w for v, _ in mapped for w in v.split()), *(t for t in terms if t.isdigit()),
                                    *quoted]))
        groups += [((t, 1.0),) for t in terms if t.isdigit() or t in quoted]
    resolution = resolve(effective, terms, plans, has_term, "\n".join(v for v, _ in mapped))
    content = tuple(t for t in terms if t not in resolution.named_words)
    window = question_window(effective)
    wants = find_wants(effective) + (("dated",) if window is not None else ())
    per_plan = (len(resolution.plan_ids) >= 2 and not resolution.ambiguous) or ("list" in wants and len(resolution.plan_ids) != 1)
    intent = route(wants)
    inner = intent
    if per_plan:
        inner, intent = intent, "list"
    counted, lead = counted_noun(effective, language, translate)
    search = " ".join(w for w in effective.split() if fold(w) not in resolution.named_words) or effective
    # What names the plan (its number, the period in its title) is not something the answer must contain.
    named = [m for m in plans if m.plan_id in resolution.plan_ids]
    titles = " ".join(f"{m.number} {m.full_title}" for m in named)
    # A year of the plan's period ("2026-2028") asked on its own ("năm 2028") picks a year inside the plan; a year
    # the title states on its own ("… năm 2025"), or the horizon a target is set by ("by 2030", "đến năm 2030"),
    # only names the plan.
    own = set(entities(titles)) - (_lone_years(effective, by=False) - _lone_years(titles))
    title_words = {w for m in named for w in fold(m.full_title).split()}
    # An issuer named in full ("của Bộ Nông nghiệp và Môi trường") names the plan as its title does.
    padded_question = f" {fold(effective)} "
    title_words |= {w for m in named if issuer_in_full(m, padded_question) for w in fold(m.issuer).split()}
    if named:
        # Words of the plan's title named the plan; inside it they are everywhere: they weigh little.
        for t in content:
            if t in title_words:
                weights[t] = min(weights.get(t, 1.0), TITLE_WEIGHT)
    # The words that name the plan: its place or number, its title's words, English words that map onto them.
    english_named = {w for w, alts in english_map.items() if any(set(a.split()) <= title_words for a, _ in alts)}
    # about_plan reads the question folded, and folding is Vietnamese ("public" reads "dublic", as OCR'd "Pắk" is
    # "Đắk"): the English words are kept in both forms.
    plan_words = resolution.named_words | title_words | english_named | {fold(w) for w in english_named}
    if not groups:
        groups = _with_acronyms([((t, 1.0),) for t in content], effective)
    else:
        # Words that only named the plan leave the groups too, and so do an English question's words that name
        # its place ("Dak Lak": their nearest Vietnamese words are noise).
        named_english = {tuple(alts) for src, alts in english_groups if set(fold(src).split()) & resolution.named_words}
        groups = list(_groups_without([g for g in groups if g not in named_english], resolution.named_words))
    groups = _with_equivalents(groups, weights, fold(effective))
    search = search if len(search.split()) >= 3 else effective
    # The dense model reads Vietnamese typed without diacritics poorly (e5 learned written Vietnamese): such a
    # question is searched with them restored. Words are matched folded, so only the dense search changes.
    reading = restore(search) if restore is not None and language == "vi-noaccent" else ""
    return Analysis(question=text, effective=effective, language=language, plan_ids=resolution.plan_ids,
                    unknown_place=resolution.unknown_place, wants=wants, terms=content,
                    entities=tuple(e for e in entities(effective) if e not in own),
                    expansion=expansion, search=search, reading=reading if reading != search else "",
                    per_plan=per_plan, counted=counted, count_lead=lead, intent=intent, inner=inner,
                    ambiguous=resolution.ambiguous, resolved_by=resolution.by,
                    window=window, term_weights=tuple(sorted(weights.items())), groups=tuple(groups),
                    about_plan=bool(named) and about_plan(effective, plan_words))


def month_window(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month (for callers that filter by month)."""
    return month_bounds(year, month)
