"""Metadata from any plan's header: issuer and level, locality (with diacritics), number, date, title, signer,
the documents it implements, and, for a decision, the plan it issues. Reads letterheads whose two columns come
one after the other, dates and titles split over lines, and OCR text (through its restored reading)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from corpus import wordlists
from corpus.places import COMMUNE_LEVELS, LEVELS, PROVINCE_LEVELS, province_of, spelled
from corpus.records import PlanMeta
from corpus.structure import Outline, is_closing, is_doc_start, parse
from corpus.text import collapse, fold, nfc, strip_accents
from corpus.times import find_times
from corpus.units import head_length, starts_unit, words_of

REQUIRED = ("issuer", "level", "number", "date", "title")
# The national motto, OCR-tolerant ("Déc 1ap - Tu do - Hanh phiic").
_MOTTO = re.compile(r"c\w{1,2}ng h\w{1,2} x\w h\w{1,2}i ch\w{1,2} ngh\w{1,2} vi\w{1,2}t nam"
                    r"|d\w{1,2}c l\w{1,2}p t\w d\w h\w{1,3}h ph\w{1,3}c")
# "Số: 45-KH/ĐU": a Party body's number joins its type with a hyphen, its issuer with a slash.
_NUMBER = re.compile(r"(?:^|\s)S[ốoóôồổ6ỗ]\s*[:.]\s*((?:\d[\d.]*[a-zA-Z]?\s*)?(?:/|-(?=[A-ZĐ]{1,6}/))\s*[A-ZĐ][\wĐđ]*"
                     r"(?:\s*[-/]\s*[\wĐđ]+)*)")
# Document codes: 06/QĐ-TTg, 72/2025/QH15, 66.2/2025/NQ-CP, 46-CT/TW, 459-KHHĐ/TU.
CODE = re.compile(r"(?<![\w/.])(\d{1,5}(?:\.\d{1,3})?(?:/\d{4})?\s?/\s?[A-ZĐ][A-Za-zĐđ0-9&]*(?:\s?-\s?[A-ZĐa-zđ][A-Za-zĐđ0-9&]*)*"
                  r"|\d{1,4}\s?-\s?[A-ZĐ][A-Za-zĐđ]{0,6}\s?/\s?[A-ZĐ]{1,6})(?![\w/])")
_ISSUER_LEVELS = tuple(sorted(LEVELS, key=len, reverse=True))  # "thành phố" before "tỉnh", "thị xã" before "xã"
_STOP_TITLE = ("can cu", "thuc hien", "theo de nghi", "xet de nghi", "kinh gui", "ban hanh kem theo", "kem theo")
_AUTHORITY = ("uy ban nhan dan", "ubnd", "bo truong", "chu tich", "thu tuong", "giam doc", "hoi dong nhan dan",
              "truong ban")


def _folded_lines(lines: Sequence[str]) -> list[str]:
    return [fold(line) for line in lines]


def _header_end(lines: Sequence[str], outline: Outline) -> int:
    """Index (0-based) of the first line after the header and preamble: the first part, article or section."""
    for node, _ in outline.walk():
        if node.kind in ("part", "article", "num", "table", "closing", "doc"):
            return outline.tokens[node.start].line - 1
    return min(len(lines), 80)


def _sentence_case(text: str) -> str:
    """A title printed in capitals, in sentence case; codes ("06/QĐ-TTG") and roman numerals keep their case."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or sum(ch.isupper() for ch in letters) < 0.7 * len(letters):
        return text
    from corpus.repair.syllable import is_valid_syllable

    words = []
    for w in text.split():
        core = w.strip(",.;:()“”\"")
        # Codes, roman numerals and acronyms keep their capitals; a Vietnamese syllable does not ("SUNG", "VI").
        if re.search(r"\d", w) or (core.isupper() and len(core) >= 2 and not is_valid_syllable(core.lower())):
            words.append(normalise_code(w) if "/" in w else w)
        else:
            words.append(w.lower())
    out = " ".join(words)
    return out[:1].upper() + out[1:]


def normalise_code(code: str) -> str:
    """A document code without spaces, the Prime Minister's "TTg" in its usual case."""
    code = re.sub(r"\s+", "", code).strip(".,;:)")
    return re.sub(r"(?i)(?<=-)ttg\b", "TTg", code)


def _without_motto(text: str) -> str:
    """The letterhead without the national motto, wherever the two columns put it (one after the other, or
    interleaved line by line in a scan)."""
    words = [w for w in nfc(text).split() if fold(w)]
    folded = [fold(w) for w in words]
    joined = " ".join(folded)
    drop: set[int] = set()
    for m in _MOTTO.finditer(joined):
        first = len(joined[:m.start()].split())
        drop.update(range(first, first + len(m.group(0).split())))
    return " ".join(w for i, w in enumerate(words) if i not in drop)


def _issuer(letterhead: str) -> tuple[str, str, str, str]:
    """(issuer, level, locality, province) from the letterhead text (motto removed)."""
    words = nfc(letterhead).split()
    folded = [fold(w) for w in words]
    joined = " ".join(folded)
    found: list[tuple[str, str]] = []  # (level key, name) for each "Ủy ban nhân dân <level> <name>"
    for m in re.finditer(r"(?:uy ban nhan dan|ubnd)\s+(" + "|".join(_ISSUER_LEVELS) + r")\s+(.+?)"
                         r"(?=\s+(?:uy ban nhan dan|ubnd)\b|$)", joined):
        start = len(joined[:m.start(2)].split())
        n = len(m.group(2).split())
        found.append((m.group(1), " ".join(words[start:start + n])))
    party = _party_committee(words, joined)
    if party is not None:
        return party
    if found:
        key, name = found[-1]
        name = re.sub(r"[-–_]{2,}.*$", "", name).strip(" -–,.")
        level = LEVELS[key]
        body, name = _body_under(name)
        locality = spelled(name, level)
        if body:  # "UBND TỈNH GIA LAI" / "SỞ Y TẾ": the department is the issuer, of that province
            return f"{body} {level} {locality}", level, locality, province_of(locality, level)
        if len(found) > 1:
            province = spelled(re.sub(r"[-–_]{2,}.*$", "", found[0][1]).strip(" -–,."), "tỉnh")
        else:
            province = province_of(locality, level)
        level_word = "Thành phố" if level == "thành phố" and fold(locality) == "ho chi minh" else level
        return f"Ủy ban nhân dân {level_word} {locality}", level, locality, province
    if joined.startswith("thu tuong chinh phu") or " thu tuong chinh phu" in f" {joined}":
        return "Thủ tướng Chính phủ", "chính phủ", "", ""
    if joined.startswith("chinh phu"):
        return "Chính phủ", "chính phủ", "", ""
    ministry = re.match(r"bo\s+(.+)$", joined)
    local = _local_body(words) if ministry else None
    if local is not None:  # "BỘ CÔNG AN" / "CÔNG AN TỈNH ĐẮK LẮK": the ministry's body in a province issues it
        return local
    if ministry:
        name = " ".join(words[1:1 + len(ministry.group(1).split())])
        return "Bộ " + _body_case(name), "bộ", "", ""
    if words and sum(w.isupper() for w in words) >= 0.7 * len(words):
        return _body_case(" ".join(words)), "other", "", ""  # a body that is not a people's committee
    return "", "", "", ""


# "ĐẢNG BỘ TỈNH NGHỆ AN" / "ĐẢNG ỦY XÃ NAM ĐÀN", "TỈNH ỦY GIA LAI": a Party committee and the place it leads.
_PARTY = re.compile(r"(dang uy|dang bo|ban thuong vu dang uy)\s+(" + "|".join(_ISSUER_LEVELS) + r")\s+(.+?)"
                    r"(?=\s+(?:dang uy|dang bo|ban thuong vu|tinh uy|thanh uy)\b|\s+\*|$)"
                    r"|\b(tinh|thanh) uy\s+(.+?)(?=\s+(?:dang uy|dang bo|ban thuong vu)\b|\s+\*|$)")


def _party_committee(words: Sequence[str], joined: str) -> tuple[str, str, str, str] | None:
    """(issuer, level, locality, province) of a Party committee's letterhead, the lowest committee it names."""
    found = list(_PARTY.finditer(joined))
    if not found:
        return None
    m = found[-1]
    name_group = 3 if m.group(1) else 5
    start = len(joined[:m.start(name_group)].split())
    name = " ".join(words[start:start + len(m.group(name_group).split())]).strip(" *-–,.")
    if m.group(1):
        level = LEVELS[m.group(2)]
        locality = spelled(name, level)
        head = "Đảng ủy" if m.group(1) != "dang bo" else "Đảng bộ"
        return f"{head} {level} {locality}", level, locality, province_of(locality, level)
    level = "tỉnh" if m.group(4) == "tinh" else "thành phố"
    locality = spelled(name, level)
    return f"{'Tỉnh ủy' if level == 'tỉnh' else 'Thành ủy'} {locality}", level, locality, locality


def _headed_case(name: str) -> str:
    """A body's name in capitals as running text writes it, its specialty capitalised after its head: "SỞ Y TẾ"
    -> "Sở Y tế", "SỞ GIÁO DỤC VÀ ĐÀO TẠO" -> "Sở Giáo dục và Đào tạo", "CÔNG AN" -> "Công an"."""
    tokens = name.split()
    n = head_length(words_of(tokens), 0)
    rest = _body_case(" ".join(tokens[n:]))
    return f"{_body_case(' '.join(tokens[:n]))} {rest}".strip()


def _body_under(name: str) -> tuple[str, str]:
    """(body, place) of "GIA LAI SỞ Y TẾ" (a department under the province's committee), else ("", name)."""
    words = name.split()
    for k in range(1, len(words) - 1):
        if starts_unit(" ".join(words[k:]).lower()):
            return _headed_case(" ".join(words[k:])), " ".join(words[:k])
    return "", name


def _local_body(words: Sequence[str]) -> tuple[str, str, str, str] | None:
    """(issuer, level, locality, province) of "BỘ CÔNG AN CÔNG AN TỈNH ĐẮK LẮK": a body, its level, its place
    after the ministry's name; None when the letterhead names no such body."""
    folded = [fold(w) for w in words]
    for j in range(2, len(words) - 2):
        if not starts_unit(" ".join(words[j:j + 4]).lower()):
            continue
        for k in range(j + 1, len(words) - 1):
            key = next((lv for lv in ("thanh pho", "tinh") if folded[k:k + len(lv.split())] == lv.split()), "")
            if key:
                level = LEVELS[key]
                name = " ".join(words[k + len(key.split()):]).strip(" *-–,.")
                if not name:
                    return None
                locality = spelled(name, level)
                return f"{_headed_case(' '.join(words[j:k]))} {level} {locality}", level, locality, locality
        return None
    return None


def _body_case(name: str) -> str:
    """A body's name printed in capitals, as it is written in running text: "Nông nghiệp và Môi trường"."""
    if not name or _sentence_case(name) == name:
        return name
    out: list[str] = []
    capital = True
    for w in name.split():
        low = w.lower()
        out.append(low[:1].upper() + low[1:] if capital else low)
        capital = low in ("và", ",") or w.endswith(",")
    return " ".join(out)


def _paragraphs_after(lines: Sequence[str], start: int, limit: int) -> list[tuple[int, str]]:
    """(first line, text) of the paragraphs from line `start` up to `limit`, blank-line separated."""
    out: list[tuple[int, str]] = []
    current: list[str] = []
    first = start
    for i in range(start, min(limit, len(lines))):
        if lines[i].strip():
            if not current:
                first = i
            current.append(lines[i].strip())
        elif current:
            out.append((first, collapse(" ".join(current))))
            current = []
    if current:
        out.append((first, collapse(" ".join(current))))
    return out


def _title_after(lines: Sequence[str], doc_line: int, limit: int) -> str:
    """The title under a document-type line ("KẾ HOẠCH" / "QUYẾT ĐỊNH"), joined across its lines."""
    rest = lines[doc_line].strip()
    m = re.match(r"^(?:KẾ HOẠCH|QUYẾT ĐỊNH|Kế hoạch|Quyết định)\s*(.*)$", rest)
    parts = [m.group(1)] if m and m.group(1).strip() else []
    for _, text in _paragraphs_after(lines, doc_line + 1, limit)[:4]:
        f = fold(text)
        capitals = _sentence_case(text) != text
        if text.startswith("(") or re.match(r"^[-_–]{3,}", text) or (f.startswith(_STOP_TITLE) and not capitals):
            break
        if parts and ((f.startswith(_AUTHORITY) and capitals) or is_closing(text)):
            break  # the enacting authority ("ỦY BAN NHÂN DÂN THÀNH PHỐ …") comes after a decision's title
        if parts and (len(text.split()) > 45 or (not capitals and _sentence_case(parts[-1]) != parts[-1])):
            break  # running text after a title in capitals
        parts.append(text)
        if len(parts) >= 3:
            break
    return _sentence_case(collapse(" ".join(parts)))


def _signature(lines: Sequence[str], outline: Outline) -> tuple[str, str]:
    """(signer, title) of the first closing block: the name line and the office above it."""
    from corpus.signature import find_signer

    closing = next((n for n, _ in outline.walk() if n.kind == "closing"), None)
    if closing is None:
        return "", ""
    a, b = outline.lines(closing)
    block = list(lines[a - 1:b])
    found = find_signer(block, block, a)
    if found is None:
        return "", ""
    titles = sorted(wordlists.words("titles.txt"), key=len, reverse=True)
    office = ""
    for line in block[:found.line_start - a]:
        f = f" {fold(line)} "
        for t in titles:
            if (f" {fold(t)} " in f and not f.strip().startswith(("tm", "kt"))) or f.strip() == fold(t):
                office = t
                break
    return collapse(found.restored), office


def _codes(text: str, own: str) -> list[str]:
    out: list[str] = []
    for m in CODE.finditer(text):
        code = normalise_code(m.group(1))
        if code and fold(code) != fold(own) and code not in out and re.search(r"[A-Za-zĐđ]", code):
            out.append(code)
    return out


def read_header(doc: str, lines: Sequence[str], restored: Sequence[str] | None = None,
                outline: Outline | None = None) -> PlanMeta:
    """What a plan's header says, read from its restored reading when it has one."""
    text_lines = list(restored) if restored is not None and len(restored) == len(lines) else list(lines)
    outline = outline or parse(lines, text_lines)
    end = max(_header_end(text_lines, outline), 1)
    head = text_lines[:end]
    folded = _folded_lines(head)
    # The "Số: …" line (possibly "Số:" alone, the number on the next line).
    joined = " ".join(line.strip() for line in head)
    m = _NUMBER.search(joined)
    number = normalise_code(m.group(1)) if m else ""
    number_at = next((i for i, f in enumerate(folded) if re.match(r"^s\w{0,2}\s*(?:\d|$)", f) or
                      re.search(r"\bs[o6]\s+\d*\s*kh\b|\bs[o6]\s+\d+\s+\w+", f)), None)
    doc_line = next((i for i, line in enumerate(head) if fold(line).startswith(("ke hoach", "quyet dinh"))
                     and len(fold(line).split()) <= 3 and _sentence_case(line) != line.strip()), None)
    if doc_line is None:
        doc_line = next((i for i, line in enumerate(head) if is_doc_start(line)), None)
    letter_end = number_at if number_at is not None else (doc_line if doc_line is not None else min(len(head), 8))
    letterhead = " ".join(head[:max(letter_end, 1)])
    letter_text = re.sub(r"[-_–]{3,}", " ", _without_motto(letterhead))
    issuer, level, locality, province = _issuer(letter_text)
    # Date of issue: the "…, ngày 26 tháng 11 năm 2025" line, before the title.
    date = ""
    date_zone = " ".join(line.strip() for line in head[(number_at or 0):(doc_line if doc_line is not None else end)])
    for expr, a, _ in find_times(date_zone):
        before = fold(date_zone[max(0, a - 40):a])
        # "Hòa Bình, ngày 26 tháng 11 năm 2025": after the place and a comma; not "trước ngày …" of a task.
        if not (date_zone[max(0, a - 40):a].rstrip().endswith(",") or a == 0) or before.endswith(("truoc", "den")):
            continue
        if expr.kind == "day" and expr.end:
            date = expr.end.isoformat()
            break
        if expr.kind == "month" and expr.end and re.search(r"ng\w{0,2}y", fold(expr.text) + " " + fold(date_zone)):
            date = f"{expr.end.year:04d}-{expr.end.month:02d}"
            break
    kind = ""
    title = ""
    if doc_line is not None:
        kind = "decision" if fold(head[doc_line]).startswith("quyet dinh") else "plan"
        title = _title_after(head, doc_line, end)
    if not kind:
        kind = "decision" if "/QĐ" in number.upper() or "/QD" in number.upper() else ("plan" if number else "")
    # Documents implemented: codes in the title and in the opening ("Thực hiện …", "Căn cứ …"), not in the
    # "Theo đề nghị …" line that names who proposed it.
    opening = [title]
    for _, para in _paragraphs_after(text_lines, (doc_line or 0) + 1, end):
        f = fold(para)
        if f.startswith(("theo de nghi", "xet de nghi")):
            continue
        if f.startswith(("can cu", "thuc hien", "trien khai", "de trien khai", "nham")) or kind == "plan":
            opening.append(para)
    implements = tuple(_codes(" ".join(opening), number))
    signer, signer_title = _signature(text_lines, outline)
    attached = ""
    if kind == "decision":
        doc_node = next((n for n, _ in outline.walk() if n.kind == "doc"), None)
        # Only an attached plan (or programme) has a title to report; a list of procedures or forms does not.
        if doc_node is not None and fold(outline.text(doc_node.start, doc_node.end)).startswith(
                ("ke hoach", "chuong trinh", "de an", "phuong an")):
            start = outline.tokens[doc_node.start].line - 1
            attached = _title_after(text_lines, start, min(len(text_lines), start + 25))
    plan_id = make_id(doc, number, locality, issuer)
    return PlanMeta(doc=doc, plan_id=plan_id, issuer=issuer, level=level, locality=locality, province=province,
                    number=number, date=date, title=title, implements=implements, kind=kind, signer=signer,
                    signer_title=signer_title, attached_title=attached,
                    aliases=(fold(locality).title(),) if locality else ())


def slug(text: str, ocr: bool = True) -> str:
    """Lowercase ASCII words joined by hyphens; ocr undoes OCR confusions (for text read from a scan, never for a
    file name, where "w" and a digit inside a word are meant)."""
    folded = fold(text) if ocr else strip_accents(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def make_id(doc: str, number: str, locality: str, issuer: str) -> str:
    """A stable id from what the plan says: place (or issuer's code) and number ("can-tho-153"), else the file
    name's stem."""
    digits = re.match(r"\s*(\d[\d.]*)", number)
    if not digits:
        return slug(Path(doc).stem, ocr=False) or "plan"
    place = slug(locality)
    if not place:
        code = re.sub(r"^[^/]*/", "", number)
        place = slug(code.split("-")[-1]) if "-" in code else slug(issuer)[:24]
    return f"{place}-{digits.group(1).rstrip('.').lstrip('0') or '0'}" if place else slug(number)


def missing_fields(meta: PlanMeta) -> list[str]:
    """The header fields that could not be read."""
    missing = [key for key in REQUIRED if not getattr(meta, key)]
    if meta.level in (*PROVINCE_LEVELS, *COMMUNE_LEVELS) and not meta.locality:
        missing.append("locality")
    return missing
