"""Unit names (who leads, who supports): OCR-tolerant matching against a list of common bodies."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from corpus import wordlists
from corpus.text import edit_distance, fold, nfc

_VI_MARKS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĂÂĐÊÔƠƯ")


def _section(name: str) -> tuple[str, ...]:
    return wordlists.sections("units.txt")[name]


def _folded_section(name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fold(w) for w in _section(name) if fold(w)))


# Canonical names of bodies (corpus/data/units.txt). A name that takes a level ("Công an" + "xã") is marked True;
# the level word is read from the text when it follows.
GAZETTEER: tuple[tuple[str, bool], ...] = tuple(
    (line.removesuffix("+level").strip(), line.endswith("+level")) for line in _section("known"))

_LEVELS = {"xa": "xã", "phuong": "phường", "tinh": "tỉnh", "huyen": "huyện"}

# Where a subject noun phrase ends: the verb (or preposition) that follows it.
STOPS: tuple[str, ...] = _folded_section("verbs")
# The one-word ones as written: folded, "khi" is also "khí" (Đài Khí tượng), "tai" "thiên tai", "can" "cán bộ",
# "trong" "Trồng trọt"; a word written with diacritics is the stop only when they are the stop's.
_WRITTEN_STOPS: dict[str, frozenset[str]] = {
    f: frozenset(nfc(w).strip().lower() for w in _section("verbs") if fold(w) == f)
    for f in STOPS if " " not in f}
# Words after a body's name that make it that body at every level ("Hội đồng Thi đua - Khen thưởng các cấp").
_ALL_LEVELS: tuple[str, ...] = _folded_section("all_levels")
# Verbs that show a sentence opens with its subject ("X chủ trì …", "X phải là người đi đầu …").
SUBJECT_CUES: tuple[str, ...] = (*(s for s in STOPS if s not in _folded_section("not_subject_verbs")),
                                 *_folded_section("subject_cues"))
# Words a subject may start with when it is not a known name.
HEADS: tuple[str, ...] = _folded_section("heads")
# Words after which a list of names goes on ("Sở Tài chính và" / "Sở Nội vụ"): no new name starts after them.
LIST_WORDS: frozenset[str] = frozenset(_folded_section("list_words"))
_NOT_HEADS = _folded_section("not_heads")


@dataclass(frozen=True)
class Word:
    """One folded word and the tokens (whitespace-separated source words) it comes from."""

    text: str
    first: int
    last: int


def distance(a: str, b: str) -> int:
    """Levenshtein distance (small strings)."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > 2:
        return 3
    return edit_distance(a, b)


_OCR_U = re.compile(r"(?<=.)(?:ir|tr|tt)")


@lru_cache(maxsize=200_000)
def token_match(pattern: str, word: str) -> bool:
    """A folded pattern word against a folded text word, allowing one OCR slip in words of 2+ letters."""
    if pattern == word:
        return True
    # OCR reads "ư" as "tr"/"ir" ("chtrc", "chirc" for "chức"); neither occurs inside a Vietnamese word.
    word = _OCR_U.sub("u", word)
    if pattern == word:
        return True
    if len(pattern) >= 4:
        return len(word) >= 3 and distance(pattern, word) <= 1
    if len(pattern) == 3:  # short words: keep both ends ("hgp" hợp, "cec" các; not "uy" for "huy")
        return len(word) >= 3 and word[0] == pattern[0] and word[-1] == pattern[-1] and distance(pattern, word) <= 1
    if len(pattern) == 2:
        return bool(word) and word[0] == pattern[0] and distance(pattern, word) <= 1
    return False


def level_word(word: str) -> str:
    """The administrative level a folded word names ("x4" is OCR for "xã"), or ""."""
    if word == "xa" or re.fullmatch(r"x[a-z0-9]", word):
        return "xã"
    for key, name in _LEVELS.items():
        if key != "xa" and token_match(key, word):
            return name
    return ""


@lru_cache(maxsize=100_000)
def _fold_token(token: str) -> tuple[str, ...]:
    return tuple(fold(token).split())


def words_of(tokens: Sequence[str]) -> list[Word]:
    """Folded words of the tokens, with "Ủy ban nhân dân" merged into "ubnd"."""
    flat = [Word(w, i, i) for i, tok in enumerate(tokens) for w in _fold_token(tok)]
    out: list[Word] = []
    i = 0
    while i < len(flat):
        window = [w.text for w in flat[i:i + 4]]
        if len(window) == 4 and all(token_match(p, w) for p, w in zip(("uy", "ban", "nhan", "dan"), window,
                                                                        strict=True)):
            out.append(Word("ubnd", flat[i].first, flat[i + 3].last))
            i += 4
            continue
        out.append(flat[i])
        i += 1
    return out


def phrase_at(words: Sequence[Word], i: int, phrase: str) -> bool:
    """Whether the folded phrase starts at word i (one OCR slip allowed in longer words)."""
    parts = phrase.split()
    if i < 0 or i + len(parts) > len(words):
        return False
    if len(parts) == 1:
        return words[i].text == phrase
    pairs = list(zip(parts, (w.text for w in words[i:i + len(parts)]), strict=True))
    if all(token_match(p, w) for p, w in pairs):
        return True
    # One garbled short word is tolerated when the rest of the phrase is exact ("chﬁ tri" for "chủ trì").
    loose = [(p, w) for p, w in pairs if p != w]
    return len(loose) == 1 and loose[0][1][:1] == loose[0][0][:1] and distance(*loose[0]) <= 1


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    entries = [(name, tuple(w.text for w in words_of(name.split())), level) for name, level in GAZETTEER]
    return tuple(sorted(entries, key=lambda e: -len(e[1])))


def match_unit(words: Sequence[Word], i: int) -> tuple[str, int] | None:
    """A known body named at word i: (canonical name, index after it), longest first."""
    for name, key, takes_level in _gazetteer():
        n = len(key)
        if i + n > len(words) or not token_match(key[0], words[i].text):
            continue
        window = words[i:i + n]
        hits = [token_match(k, w.text) for k, w in zip(key, window, strict=True)]
        if not hits[0] or sum(hits) < math.ceil(0.75 * n) or (n <= 3 and not all(hits)):
            continue
        end = i + n
        matched = i + max(k for k, hit in enumerate(hits) if hit) + 1
        if matched < end and (level_word(words[matched].text)
                              or any(phrase_at(words, matched, cue) for cue in SUBJECT_CUES)):
            # A name written short, its level or its verb right after ("Ủy ban Mặt trận Tổ quốc tỉnh, các …",
            # "UBND các xã thực hiện"): the words it misses are not OCR slips, and what follows is not swallowed.
            end = matched
        if takes_level and end < len(words):
            level = level_word(words[end].text)
            if level:
                return f"{name} {level}", end + 1
            if words[end].text == "thanh" and end + 1 < len(words) and token_match("pho", words[end + 1].text):
                return f"{name} thành phố", end + 2
        return name, end
    return None


def clean_label(text: str) -> str:
    """Strip list markers, dangling punctuation and unbalanced brackets from a name cut out of a sentence."""
    text = re.sub(r"^[\s\-–+•*:;,.]+|[\s\-–+•*:;,.]+$", "", text)
    if text.startswith("(") and ")" not in text:  # a name that opens a bracket: "(Sở Y tế chủ trì"
        text = text[1:]
    if text.count("(") > text.count(")"):
        text = text[:text.rfind("(")].rstrip(" ,;")
    while text.endswith(")") and text.count(")") > text.count("("):  # "… trước ngày 30/6/2025)." of a bracket
        text = text[:-1].rstrip(" ,;.")
    return text.strip()


def span_text(tokens: Sequence[str], words: Sequence[Word], i: int, j: int) -> str:
    """Source text of words [i, j)."""
    if i >= j:
        return ""
    return clean_label(" ".join(tokens[words[i].first:words[j - 1].last + 1]))


def _ends_clause(token: str, semicolon: bool) -> bool:
    stripped = token.rstrip(")\"'”")
    return stripped.endswith((".", ":")) or (not semicolon and stripped.endswith(";"))


def stop_at(words: Sequence[Word], tokens: Sequence[str], j: int) -> bool:
    """Whether a verb that ends a noun phrase starts at word j."""
    for stop in STOPS:
        if phrase_at(words, j, stop) and not _written_otherwise(words, tokens, j, stop):
            # "tổ chức" is also a noun inside lists ("các cơ quan, tổ chức, đơn vị").
            if stop == "to chuc" and j > 0 and (tokens[words[j - 1].last].endswith(",")
                                                 or any(token_match(w, words[j - 1].text)
                                                        for w in ("cac", "va", "hoac"))):
                continue
            return True
    return False


def _written_otherwise(words: Sequence[Word], tokens: Sequence[str], j: int, stop: str) -> bool:
    """Whether word j, which folds to a one-word stop, is another word by its diacritics ("Khí" is no "khi",
    "thiên tai" no "tại"). Only text written with diacritics can tell (at least half of its words carry one: clean
    text has 0.7-0.9, the seeds' scans, which lost most, under 0.2); typed without them, it is the stop."""
    written = _WRITTEN_STOPS.get(stop)
    if not written or words[j].first != words[j].last or len(_fold_token(tokens[words[j].first])) != 1:
        return False
    alphabetic = [t for t in tokens if any(c.isalpha() for c in t)]
    if len(alphabetic) < 5 or 2 * sum(not t.isascii() for t in alphabetic) < len(alphabetic):
        return False
    return nfc(tokens[words[j].first]).strip(".,;:()\"'“”‘’!?-–").lower() not in written


def phrase_end(words: Sequence[Word], tokens: Sequence[str], i: int, max_words: int = 16,
               semicolon: bool = False, whole_head: bool = False) -> int:
    """Index after a noun phrase starting at word i: before the next verb, clause end or length limit. With
    `whole_head`, the words of a head that opens it are its own, even those that are verbs elsewhere ("Ban Quản lý
    các Khu …", "Ban Chỉ đạo …")."""
    head = head_length(words, i) if whole_head else 1
    j = i
    while j < len(words) and j - i < max_words:
        if j >= i + head and stop_at(words, tokens, j):
            break
        j += 1
        last_of_token = j >= len(words) or words[j].first > words[j - 1].last
        if last_of_token and _ends_clause(tokens[words[j - 1].last], semicolon):
            break
    return j


def head_length(words: Sequence[Word], i: int) -> int:
    """How many words the unit head opening at word i has ("Ban Quản lý" 3, "Sở" 1; 1 when none)."""
    folded = tuple(w.text for w in words[i:i + 4])
    return max((len(h) for h in _head_words() if folded[:len(h)] == h), default=1)


def names_a_verb(words: Sequence[Word], i: int) -> bool:
    """Whether a verb that ends a unit's name (units.txt [verbs]) is written at word i, exactly (no OCR slip:
    "báo chí đóng" is no "chủ động")."""
    return any(tuple(w.text for w in words[i:i + len(cue.split())]) == tuple(cue.split()) for cue in SUBJECT_CUES)


def _name_ends(words: Sequence[Word], tokens: Sequence[str], end: int) -> bool:
    """Whether a name may end before word `end` (end of text, punctuation, "và"/"hoặc", a verb)."""
    if end >= len(words) or words[end].first == words[end - 1].last:
        return end >= len(words)
    last = tokens[words[end - 1].last]
    return (last.endswith((",", ";", ".", ":", ")")) or tokens[words[end].first].startswith("(")
            or words[end].text in ("va", "hoac") or stop_at(words, tokens, end))


def units_at(words: Sequence[Word], tokens: Sequence[str], i: int, max_words: int = 16,
             split_commas: bool = False, semicolon: bool = False) -> tuple[tuple[str, ...], int]:
    """Names listed from word i ("Sở X, các đơn vị Y và …"): known names canonical, others as written."""
    names: list[str] = []
    comma = False  # the name being read follows a comma

    def add(name: str) -> None:
        # "các cơ quan, đơn vị, địa phương thuộc tỉnh": lower-case kinds after a comma go on with the collective
        if names and comma and _continues_kinds(names[-1], name, ","):
            names[-1] = f"{names[-1]}, {name}"
        else:
            names.append(name)

    j = i
    while j < len(words):
        known = match_unit(words, j)
        if known and known[1] - j <= 3 and not _name_ends(words, tokens, known[1]):
            known = None  # a short generic name that goes on: "các đơn vị quản lý, vận hành …"
        if known:
            add(known[0])
            j = known[1]
        else:
            end = phrase_end(words, tokens, j, max_words, semicolon)
            if end <= j:
                break
            if split_commas:
                start = j
                for k in range(j, end):
                    tok = tokens[words[k].last]
                    if tok.rstrip().endswith(",") or k == end - 1:
                        names.append(span_text(tokens, words, start, k + 1))
                        start = k + 1
            else:
                add(span_text(tokens, words, j, end))
            j = end
            break
        if j >= len(words):
            break
        tok = tokens[words[j - 1].last]
        joined = tok.endswith(",") or (semicolon and tok.endswith(";"))
        comma = tok.endswith(",")
        if (words[j].text == "va" or token_match("hoac", words[j].text)) and j + 1 < len(words):
            j, comma = j + 1, False
        elif not joined:
            break
    return tuple(n for n in names if n), j


def _head_at(words: Sequence[Word], i: int, head: str) -> bool:
    if " " in head:
        return phrase_at(words, i, head)
    return i < len(words) and token_match(head, words[i].text)


def subject_at(words: Sequence[Word], tokens: Sequence[str], i: int) -> tuple[tuple[str, ...], int] | None:
    """An explicit subject opening a sentence at word i ("Phòng Kinh tế chủ trì …"), or None."""
    known = match_unit(words, i)
    if known:
        name, end = known
        every = next((q for q in _ALL_LEVELS if phrase_at(words, end, q)), "")
        if every:  # the body at every level: "Hội đồng Thi đua - Khen thưởng các cấp"
            n = len(every.split())
            name, end = f"{name} {span_text(tokens, words, end, end + n)}", end + n
        verb = _after_apposition(words, tokens, end)
        if verb < len(words) and any(phrase_at(words, verb, cue) for cue in SUBJECT_CUES):
            return (name,), verb
        if end < len(words) and tokens[words[end - 1].last].endswith(","):
            names, end2 = units_at(words, tokens, i)
            if end2 < len(words) and any(phrase_at(words, end2, cue) for cue in SUBJECT_CUES):
                return names, end2
        return None
    if i >= len(words) or not starts_unit(" ".join(tokens[words[i].first:words[min(i + 4, len(words)) - 1].last + 1])):
        return None
    end = phrase_end(words, tokens, i, max_words=12, whole_head=True)
    # A name ends at a bracket, and the verb comes after it: "Cục … (sau đây gọi tắt là Cục THTK) là đơn vị …".
    end = next((k for k in range(i + 1, end) if tokens[words[k].first].startswith("(")), end)
    verb = _after_apposition(words, tokens, end)
    if verb >= len(words) or end - i < 2 or not any(phrase_at(words, verb, cue) for cue in SUBJECT_CUES):
        return None
    return (span_text(tokens, words, i, end),), verb


_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def _after_apposition(words: Sequence[Word], tokens: Sequence[str], end: int, longest: int = 25) -> int:
    """The word after a bracketed apposition that opens at word `end` ("Sở Nông nghiệp và Môi trường (cơ quan
    thường trực …) theo dõi …"), else `end`."""
    if end >= len(words) or not tokens[words[end].first].startswith("("):
        return end
    for k in range(end, min(len(words), end + longest)):
        if ")" in tokens[words[k].last]:
            return k + 1
    return end


@lru_cache(maxsize=1)
def _head_words() -> tuple[tuple[str, ...], ...]:
    heads = [tuple(fold(h).split()) for h in wordlists.sections("units.txt")["heads"]]
    return tuple(sorted({h for h in heads if h}, key=len, reverse=True))


@lru_cache(maxsize=8)  # called with "heads" and "not_heads" in turn: one slot would be refilled at every call
def _accented(name: str) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted({tuple(nfc(h).lower().split()) for h in _section(name)}, key=len, reverse=True))


def starts_unit(text: str) -> bool:
    """Whether text starts like a unit's name ("Sở …", "UBND …", "các đơn vị …"), judged on the accented words:
    "Báo Nghệ An" is a body, "Bảo đảm …" is not; "Đoàn" is, "Hoàn thành" is not."""
    words = re.sub(r"^[\W\d_]+", "", nfc(text)).lower().replace(",", " ,").split()
    if not words:
        return False
    if any(tuple(words[:len(n)]) == n for n in _accented("not_heads")):
        return False
    if any(tuple(words[:len(h)]) == h for h in _accented("heads")):
        return True
    # Text without diacritics (typed, or OCR before repair): the folded heads of two or more syllables.
    if not any(ch in _VI_MARKS for ch in text):
        folded = fold(text).split()
        return any(len(h) >= 2 and tuple(folded[:len(h)]) == h for h in _head_words())
    return False


@lru_cache(maxsize=1)
def _kinds() -> frozenset[str]:
    """units.txt [kinds], as written (NFC)."""
    return frozenset(nfc(k) for k in _section("kinds"))


@lru_cache(maxsize=1)
def assigning_verbs() -> tuple[str, ...]:
    """units.txt [assigning], folded: verbs that give a task to the unit named just before them."""
    return tuple(fold(v) for v in _section("assigning"))


def bare_collective(name: str) -> bool:
    """Whether a name is "các" and one kind of body alone ("các tổ chức", "các đơn vị"): a verb after it often
    restricts it ("các tổ chức cung cấp dịch vụ") rather than says what it does."""
    words = nfc(name).lower().split()
    return len(words) >= 2 and words[0] == "các" and " ".join(words[1:]) in _kinds()


def _continues_kinds(before: str, piece: str, sep: str) -> bool:
    """ "Các sở, ban, ngành": after a lower-case kind of body, a comma and another lower-case kind ("ban" is a
    head only as a name, "Ban Quản lý …") go on listing kinds; they start no new unit."""
    if sep.strip() != ",":
        return False
    kinds = _kinds()
    last = [w.strip(",;") for w in nfc(before).lower().split()]  # "Các Sở, ban, ngành" is written so too
    first = [w.strip(",;") for w in nfc(piece).split()]
    return (bool(last) and bool(first) and first[0].islower()
            and (first[0] in kinds or " ".join(first[:2]) in kinds)
            and (last[-1] in kinds or " ".join(last[-2:]) in kinds))


def split_units(text: str) -> list[str]:
    """The units of a list as the plan writes it: "Các sở, ngành, UBND xã, phường, đặc khu" is two ("Các sở,
    ngành" and "UBND xã, phường, đặc khu"): a comma, "và" or ";" starts a new unit only before a name's head."""
    text = _PARENTHESES.sub("", text).strip(" .;:")
    pieces = re.split(r"(\s*;\s*|\s*,\s*|\s+và\s+|\s+với\s+)", text)
    units: list[str] = []
    for k in range(0, len(pieces), 2):
        piece = pieces[k].strip()
        if not piece:
            continue
        sep = pieces[k - 1] if k else ""
        if units and (not starts_unit(piece) or (sep.strip() == "" and not sep) or _continues_kinds(units[-1], piece, sep)):
            units[-1] = f"{units[-1]}{sep if sep.strip() else ' '}{piece}" if sep.strip() else f"{units[-1]} {piece}"
        else:
            units.append(piece)
    return [clean_label(u) for u in units if clean_label(u)]


def before_assigning(name: str) -> str:
    """A name cut before a verb that gives it its task (units.txt [assigning]): "Sở KH&CN chủ trì hướng dẫn"."""
    # A lead cell may say what its units do ("Sở KH&CN chủ trì hướng dẫn, tổng hợp; …, UBND cấp xã thực hiện công
    # bố …"); a name that holds such a verb goes on with a capital ("Ban Chỉ đạo thực hiện Chương trình …").
    words = name.split()
    folded = [fold(w) for w in words]
    for k in range(1, len(words)):
        for verb in assigning_verbs():
            n = len(verb.split())
            if folded[k:k + n] == verb.split() and not (k + n < len(words) and words[k + n][:1].isupper()):
                return " ".join(words[:k])
    return name


def same_unit(a: str, b: str, threshold: float = 0.8) -> bool:
    """Whether two unit names are the same body (folded, OCR-tolerant)."""
    fa, fb = (" ".join(w.text for w in words_of(x.split())) for x in (a, b))
    if fa == fb:
        return True
    return SequenceMatcher(None, fa, fb).ratio() >= threshold


_BRACKETED = re.compile(r"\(([^()]{2,60})\)")
_SHORT_FORM = re.compile(r"(?:(?P<head>[A-ZĐ][^\W\d_]*)\s+)?(?P<letters>[A-ZĐ][A-ZĐ&]{1,9})")
_CALLED = ("sau day goi tat la", "sau day viet tat la", "sau day goi la", "goi tat la", "viet tat la")


def defined_short_names(lines: Sequence[str]) -> dict[str, str]:
    """The short names a plan defines for bodies, folded short -> full name as written: "Cục Tin học và Thống kê
    tài chính (sau đây gọi tắt là Cục THTK)", "Vụ Ngân sách nhà nước (Vụ NSNN)", "Kho bạc Nhà nước (KBNN)". The
    full name is the nearest run of words before the bracket whose initials hold the short name's letters in
    order, from its first (after the same head word, when the short name has one)."""
    text = " ".join(nfc(line).strip() for line in lines)
    out: dict[str, str] = {}
    for m in _BRACKETED.finditer(text):
        inner = m.group(1).strip()
        folded_inner = fold(inner)
        for called in _CALLED:
            if folded_inner.startswith(called + " "):
                inner = " ".join(inner.split()[len(called.split()):])
                break
        short = _SHORT_FORM.fullmatch(inner)
        if short is None:
            continue
        words = text[max(0, m.start() - 160):m.start()].split()[-14:]
        full = _full_name(words, short.group("head") or "", fold(short.group("letters")).replace("&", ""))
        if full and starts_unit(full):  # "(DO)" after "Độ mặn, pH, oxy hòa tan" names a measure, not a body
            out.setdefault(fold(inner), full)
    return out


def _full_name(words: Sequence[str], head: str, letters: str) -> str:
    """The nearest run of `words` (ending at the last) named by `letters`, after `head` when given, else ""."""
    initials = [fold(w)[:1] for w in words]
    for k in range(len(words) - 1, -1, -1):
        start = k + 1 if head else k
        if head and fold(words[k]) != fold(head):
            continue
        if start >= len(words) or not words[start][:1].isupper() or initials[start] != letters[:1]:
            continue
        found = iter(initials[start:])
        if all(ch in found for ch in letters):
            return clean_label(" ".join(words[k:]))
    return ""
