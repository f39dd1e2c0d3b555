"""Which plan(s) a question means: by number, by place (with its level), by issuing body, and by topic (the
words of a plan's title and, among the plans of a named place, of its text), together. Two plans that fit equally
are both kept; a place the corpus has no plan for is reported with the places it does have."""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus import wordlists
from corpus.places import LEVELS, lookup
from corpus.records import PlanMeta
from corpus.text import detect_language, fold, strip_accents

_LEVEL_WORDS = {**{k: v for k, v in LEVELS.items()}, "tp": "thành phố", "commune": "xã", "ward": "phường",
                "province": "tỉnh", "city": "thành phố", "district": "huyện"}
MAX_PER_PLACE = 2  # plans of one place kept when a question names several places and the topic does not decide
_DOC_WORDS = r"(?:ke hoach|quyet dinh|kh|qd|plan|decision|van ban|so)"


@dataclass(frozen=True)
class Resolution:
    """The plans a question names or is about, how they were found, and what it named that the corpus lacks."""

    plan_ids: tuple[str, ...] = ()
    by: str = ""  # number / place / issuer / topic / "" (no plan in particular)
    ambiguous: bool = False  # more than one plan fits the place and topic equally
    unknown_place: str = ""  # a real place named in the question that no plan covers
    named_words: frozenset[str] = frozenset()  # folded words that only served to name the plan(s)


def _words(text: str) -> list[str]:
    return fold(text).split()


@lru_cache(maxsize=1)
def _aliases() -> dict[str, tuple[str, ...]]:
    """Other ways people write a place (corpus/data/place_aliases.txt): "TP.HCM" for Hồ Chí Minh."""
    out: dict[str, list[str]] = {}
    for line in wordlists.words("place_aliases.txt"):
        name, _, rest = line.partition(":")
        out.setdefault(fold(name), []).extend(fold(a) for a in rest.split(",") if fold(a))
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _english_bodies() -> tuple[tuple[str, str], ...]:
    """(English name lowercased, Vietnamese name folded) of the central bodies (assistant/data/bodies_en.toml; kept
    out of corpus/data, whose every change makes the saved obligations be read again)."""
    path = Path(__file__).resolve().parent / "data" / "bodies_en.toml"
    names: dict[str, str] = tomllib.loads(path.read_text(encoding="utf-8"))["names"]
    return tuple((" ".join(en.lower().split()), fold(vi)) for vi, en in names.items())


HasTerm = Callable[[str, str], bool]  # has_term(plan_id, folded word): whether a plan's text has the word


def name_body(name: str) -> list[str]:
    """A body's name without its head word, folded: "Bộ Văn hóa, Thể thao và Du lịch" -> "van hoa … du lich"."""
    return [w for w in fold(name).split() if w not in ("bo", "so", "cua")]


def acronym(name: str) -> str:
    """Initials of a body's name without its head word: "Bộ Văn hóa, Thể thao và Du lịch" -> "vhttdl"."""
    return "".join(w[0] for w in name_body(name) if w != "va")


def issuer_in_full(meta: PlanMeta, padded: str) -> bool:
    """Whether a question (folded, padded with a space each side) writes a plan's issuer out in full."""
    return bool(meta.issuer) and _has(padded, fold(meta.issuer))


def _names_issuer(meta: PlanMeta, padded: str, english: AbstractSet[str]) -> bool:
    """Whether a question (folded, padded) names a plan's issuer: in full, by its initials ("Bộ VHTTDL") or, in
    English, by a body's English name (`english`: the Vietnamese names of those the question gives)."""
    return bool(meta.issuer) and (issuer_in_full(meta, padded) or bool(_issuer_words(meta, padded))
                                  or fold(meta.issuer) in english)


def _issuer_words(meta: PlanMeta, padded: str) -> set[str]:
    """The words that name a plan's issuer and nothing else: its initials ("Bộ VHTTDL"). A name written in full
    ("Bộ Nông nghiệp và Môi trường") is a ministry's topic too: its words stay in the question (analyse weighs
    them as title words, issuer_in_full)."""
    initials = acronym(meta.issuer) if meta.issuer else ""
    if _has(padded, "bo " + initials) and initials:
        return {"bo", initials}
    return {initials} if _has(padded, initials) else set()


def _has(padded: str, phrase: str) -> bool:
    return bool(phrase) and f" {phrase} " in padded


@lru_cache(maxsize=65536)
def place_names(meta: PlanMeta) -> tuple[tuple[str, str], ...]:
    """(folded name, level) pairs by which a question may name a plan's place (kept per plan: a question over
    thousands of plans must not fold every name again)."""
    out: list[tuple[str, str]] = []
    for name, level in ((meta.locality, meta.level), (meta.province, "tỉnh")):
        f = fold(name)
        if f:
            out.append((f, level))
            out += [(a, level) for a in _aliases().get(f, ())]
            if " " in f:
                out.append((f.replace(" ", ""), level))
    out += [(fold(a), meta.level) for a in meta.aliases if fold(a)]
    return tuple(dict.fromkeys(out))


def _numbers(question: str) -> set[int]:
    """Document numbers a question gives ("153/KH-UBND", "kế hoạch số 0124", "quyết định 2820")."""
    text = strip_accents(question).lower()
    out = {int(m.group(1)) for m in re.finditer(r"\b(\d{1,5})\s*/\s*[a-z]", text)}
    # Folding unpads numbers ("số 05" folds to "so 5"): the plain words keep a number as written.
    plain = " ".join(re.findall(r"[^\W_]+", text.replace("đ", "d")))
    for words in (fold(question), plain):
        out |= {int(m.group(1)) for m in re.finditer(rf"\b{_DOC_WORDS}\s+(?:so\s+)?(\d{{2,5}})\b(?!\s*/\s*\d)", words)}
    return out


@lru_cache(maxsize=65536)
def _plan_number(meta: PlanMeta) -> int | None:
    """The plan's own number ("153" of "153/KH-UBND"), kept per plan as place_names."""
    m = re.match(r"\s*(\d{1,5})", meta.number)
    return int(m.group(1)) if m else None


def _title_words(meta: PlanMeta) -> list[str]:
    return _words(meta.full_title)


@lru_cache(maxsize=65536)
def _topic_words(meta: PlanMeta) -> frozenset[str]:
    """The folded words of a plan's titles and issuer (kept per plan, as place_names)."""
    return frozenset(_title_words(meta)) | frozenset(_words(meta.issuer))


LONE_SYLLABLE = 0.5  # a syllable shared outside any shared pair: as likely another word as the same one


@lru_cache(maxsize=65536)
def _topic_pairs(meta: PlanMeta) -> frozenset[str]:
    """The folded word pairs of a plan's titles and issuer, side by side as written."""
    return frozenset(f"{a} {b}" for words in (_title_words(meta), _words(meta.issuer))
                     for a, b in itertools.pairwise(words))


def topic_scores(terms: Sequence[str], plans: Sequence[PlanMeta], question: str = "") -> dict[str, float]:
    """How much of the question's content the plan's title covers, weighted by how rare each word is among
    the titles (IDF): 0..1.

    Most Vietnamese words are two syllables: a syllable the title shares with the question inside a pair both
    write ("môi trường") is the same word, one shared alone ("chất" of "hóa chất" and of "chất lượng") is as
    often another word, and counts half. Without the question's text (English, mapped word by word) every shared
    word counts whole."""
    titles = {m.plan_id: _topic_words(m) for m in plans}
    asked_terms = set(terms)
    # Only the question's words need a document frequency: counting every title word of thousands of plans
    # took most of a question's analysis.
    df = Counter(t for words in titles.values() for t in asked_terms.intersection(words))
    n = max(len(plans), 1)
    weights = {t: math.log(1 + (n - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5)) for t in asked_terms}
    # math.fsum: a sum over a set, in an order that changes with the hash seed, must not tell two plans apart.
    total = math.fsum(weights.values()) or 1.0
    # Pairs are taken within each line: an English question's mapped words come one a line (see resolve).
    asked = {f"{a} {b}" for line in question.splitlines() for a, b in itertools.pairwise(fold(line).split())}
    out: dict[str, float] = {}
    for m in plans:
        words = titles[m.plan_id]
        if asked:
            paired = {w for pair in asked.intersection(_topic_pairs(m)) for w in pair.split()}
            out[m.plan_id] = math.fsum(w * (1.0 if t in paired else LONE_SYLLABLE) for t, w in weights.items()
                                       if t in words) / total
        else:
            out[m.plan_id] = math.fsum(w for t, w in weights.items() if t in words) / total
    return out


def content_scores(terms: Sequence[str], plans: Sequence[PlanMeta], has_term: HasTerm) -> dict[str, float]:
    """How much of the question's content each plan's text has, weighted by how rare each word is among these
    plans (IDF): 0..1. A word every plan has weighs little."""
    words = set(terms)
    present = {m.plan_id: {t for t in words if has_term(m.plan_id, t)} for m in plans}
    df = Counter(t for found in present.values() for t in found)
    n = len(plans)
    # A word none of them has (an English word the lexicon left as it is) tells them nothing apart: left out.
    weights = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in words if df[t]}
    total = math.fsum(weights.values()) or 1.0  # fsum: order-free, as in topic_scores
    return {pid: math.fsum(weights[t] for t in found) / total for pid, found in present.items()}


def _unknown_place(question: str, folded: str, plans: Sequence[PlanMeta]) -> str:
    """A real place (by the gazetteer) named with its level word, or a province named alone, that no plan
    covers: "xã Tân Hòa", "tỉnh Gia Lai". Lists of levels ("UBND phường, xã") are not places."""
    known = {n for m in plans for n, _ in place_names(m)}
    # English puts the name first: "the Hoàn Kiếm ward plan", "Gia Lai province".
    for m in re.finditer(r"((?:[A-ZĐ][\w']*\s+){1,3})(ward|commune|province|district|city)\b", question):
        name = fold(m.group(1))
        en_level = _LEVEL_WORDS[m.group(2).lower()]
        if name and name not in known and name.split()[0] not in ("the", "which", "each", "what", "every", "a"):
            found = lookup(name)
            if found:
                return f"{en_level} {found[0].name}"
    words = folded.split()
    for i, w in enumerate(words):
        pair = f"{w} {words[i + 1]}" if i + 1 < len(words) else ""
        level = _LEVEL_WORDS.get(pair) or _LEVEL_WORDS.get(w) or ""
        if not level:
            continue
        skip = 2 if f"{w} {words[i + 1] if i + 1 < len(words) else ''}" in _LEVEL_WORDS else 1
        for n in (3, 2, 1):
            name = " ".join(words[i + skip:i + skip + n])
            if len(name.split()) < n or name in known:
                continue
            found = lookup(name)
            if found and any(p.level == level or (level in ("tỉnh", "thành phố") and p.level in ("tỉnh", "thành phố"))
                             for p in found):
                return f"{level} {found[0].name}"
    return ""


def _several_places(own: Sequence[PlanMeta], terms: Sequence[str], named: set[str],
                    question: str) -> Resolution | None:
    """Two or more places named as subjects ("kế hoạch ma túy của Cần Thơ và của Đồng Nai"): each place's
    best-fitting plans, together; None when fewer than two places are named. A place named as where another one
    lies ("xã Sa Thầy, tỉnh Kon Tum") is the address of the other, not a second subject."""
    by_place: dict[str, list[PlanMeta]] = {}
    for meta in own:
        by_place.setdefault(fold(meta.locality), []).append(meta)
    containers = {fold(m.province) for m in own if fold(m.province) != fold(m.locality)}
    places = [group for key, group in by_place.items() if key not in containers]
    if len(places) < 2:
        return None
    content = [t for t in terms if t not in named]
    chosen: list[str] = []
    for group in places:
        scores = topic_scores(content, group, question)
        best = max(scores.values())
        chosen += [m.plan_id for m in sorted(group, key=lambda m: (-scores[m.plan_id], m.plan_id))
                   if scores[m.plan_id] >= 0.8 * best][:MAX_PER_PLACE]
    return Resolution(tuple(chosen), "place", False, "", frozenset(named))


def resolve(question: str, terms: Sequence[str], plans: Sequence[PlanMeta],
            has_term: HasTerm | None = None, rendered: str = "") -> Resolution:
    """The plans a question means (see the module docstring); `has_term(plan_id, word)`, when given, lets the
    content of the plans of a named place weigh beside their titles. `rendered`: an English question's words
    in the Vietnamese they were mapped to, one a line (their syllables pair only within a word)."""
    folded = fold(question)
    padded = f" {folded} "
    named: set[str] = set()
    numbers = _numbers(question)
    by_number = [m for m in plans if _plan_number(m) in numbers] if numbers else []
    if len(by_number) > 1:
        # "kế hoạch 26 của xã Cẩm Giang": the place tells plans of one number apart.
        placed = [m for m in by_number if any(_has(padded, n) for n, _ in place_names(m))]
        by_number = placed or by_number
    if by_number:
        named |= {w for m in by_number for w in _words(m.number)}
        named |= {w for m in by_number for n, _ in place_names(m) if _has(padded, n) for w in n.split()}
        # "Quyết định 4385 của Bộ VHTTDL": the issuer's initials beside the number name the plan too.
        named |= {w for m in by_number for w in _issuer_words(m, padded)}
        return Resolution(tuple(m.plan_id for m in by_number), "number", False, "", frozenset(named))
    # Places: a plan is named by its own place, or (weaker) by the province its place lies in.
    own: list[PlanMeta] = []
    within: list[PlanMeta] = []
    for meta in plans:
        for name, _level in place_names(meta):
            if not _has(padded, name):
                continue
            named |= set(name.split())
            # The level word before the name ("tỉnh Hòa Bình", "xã Sa Thầy") names the place too.
            before = padded[:padded.find(f" {name} ")].split()
            if before and (before[-1] in _LEVEL_WORDS or " ".join(before[-2:]) in _LEVEL_WORDS):
                named |= set(before[-2:] if " ".join(before[-2:]) in _LEVEL_WORDS else before[-1:])
            if name in (fold(meta.locality), *(_aliases().get(fold(meta.locality), ()))) or \
                    name.replace(" ", "") == fold(meta.locality).replace(" ", ""):
                own.append(meta)
            else:
                within.append(meta)
            break
    lowered = " ".join(question.lower().split())
    in_english = [(en, vi) for en, vi in _english_bodies() if en in lowered]  # "the Ministry of Health's plan"
    english = {vi for _, vi in in_english}
    issuers = [m for m in plans if m.level in ("bộ", "chính phủ", "other") and _names_issuer(m, padded, english)]
    named |= {w for en, _ in in_english for w in fold(en).split()}
    # An English question's words are mapped one by one: its Vietnamese pairs are those inside each mapped word.
    english_question = detect_language(question) == "en"
    asked = rendered if english_question else question
    several = _several_places(own, terms, named, asked) if not issuers else None
    if several is not None:
        return several
    pool = list(dict.fromkeys([*own, *issuers])) or within
    by = "place" if own or within else ""
    if issuers:
        by = "issuer"
        named |= {w for m in issuers for w in _issuer_words(m, padded)}
    if not pool:
        unknown = _unknown_place(question, folded, plans)
        if unknown:
            return Resolution((), "", False, unknown, frozenset())
        pool, by = list(plans), ""
    content = [t for t in terms if t not in named]
    scores = topic_scores(content, pool, asked)
    if by and has_term is not None and len(pool) > 1 and not english_question:
        # Titles are short: "thanh toán không dùng tiền mặt" is in the text of a place's digital-economy plan,
        # not in its title. The words of the question each plan's text has, weighted by how few of these plans
        # have them, count beside the title. Not an English question's: its words, mapped one by one to their
        # nearest Vietnamese words, are in most long plans' text.
        for plan_id, share in content_scores(content, pool, has_term).items():
            scores[plan_id] += share
    ranked = sorted(pool, key=lambda m: (-scores[m.plan_id], m.plan_id))
    if not ranked:  # an empty index: nothing to narrow to
        return Resolution((), "", False, "", frozenset(named))
    if len(ranked) == 1:
        return Resolution((ranked[0].plan_id,), by, False, "", frozenset(named))
    best = scores[ranked[0].plan_id]
    if not by:
        # No place, number or body named: narrow to one plan only when its title clearly holds the topic.
        if best >= 0.45 and scores[ranked[1].plan_id] < 0.6 * best:
            return Resolution((ranked[0].plan_id,), "topic", False, "", frozenset(named))
        return Resolution((), "", False, "", frozenset(named))
    close = [m for m in ranked if scores[m.plan_id] >= 0.8 * best and best > 0] or ranked
    if len(close) == 1:
        return Resolution((close[0].plan_id,), by, False, "", frozenset(named))
    # Several plans of the place fit the topic equally: answer from each, and say so.
    return Resolution(tuple(m.plan_id for m in close[:4]), by, True, "", frozenset(named))
