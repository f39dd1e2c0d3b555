"""Short answers pulled from a supporting sentence: a date, a number, a unit, a document code."""

from __future__ import annotations

import re

from assistant.scoring import Candidate
from corpus.text import fold

_DATE_PHRASES = [
    r"(?:ngày|ngay)\s*\d{1,2}\s*th\w{0,4}\s*\d{1,2}\s*n\w{0,2}\s*\d{4}",
    r"(?:trước|truoc|chậm nhất|trong|đến|before|by)?\s*(?:ngày|ngay)?\s*\d{1,2}/\d{1,2}/\d{4}",
    r"(?:trước|trong|đến|chậm nhất)?\s*(?:tháng|thang)\s*\d{1,2}\s*/\s*\d{4}",
    r"(?:Quý|Quy|quý|quy)\s*[IVX]+\s*/?\s*(?:năm\s*)?\d{4}",
    r"(?:định kỳ|hằng|hàng)\s+(?:tháng|quý|năm)(?:[^.;,]{0,30}?\d{1,2})?",
    r"[Tt]hường xuyên",
    r"(?:năm|nam)\s+20\d\d",
]
# "1. Đến hết năm 2025", "b) Năm 2026": a section that sets the period for everything under it.
_HEADING_YEAR = r"(?:[Đđ]ến\s+)?(?:hết|cuối)\s+năm\s+20\d\d|^(?:[a-zđ0-9]{1,2}[.)]\s*)?[Nn]ăm\s+20\d\d"
# A count or a percentage, not a piece of a date or a code ("18" of "18/7/2025", "1565" of "1565/QĐ-TTg").
_NUMBER = re.compile(r"(?<![\w/-])(\d+(?:[.,]\d+)?\s*%|\d+(?:[.,]\d+)?)(?![\d/-])(\s+[^\s\d,.;:()]+){0,4}")
_CODE = re.compile(r"\b\d{1,5}\s*/\s*[A-ZĐ][\wĐđ/]*(?:-\s?[\wĐđ]+)*|\b\d{1,3}-KH/[A-ZĐ]+\b")
_UNIT_LEAD = re.compile(r"^(?:[-+•]\s*|\d+[.)]\s*|[a-zđ]\)\s*)?(?:Giao\s+)?(?P<unit>(?:UBND|Ủy ban|Uỷ ban|Sở|Phòng|Công an|"
                        r"Trung tâm|Văn phòng|Ban|Đoàn|Hội|Tổ|Các|Cán bộ|Chủ tịch|Bưu điện|Ngân hàng|Mặt trận)"
                        r"[^,;:.]{0,80}?)(?=\s+(?:chủ trì|có trách nhiệm|phối hợp|tổng hợp|thực hiện|triển khai|"
                        r"tham mưu|báo cáo|căn cứ|xây dựng|rà soát|theo dõi|hướng dẫn|khẩn trương|chịu trách nhiệm)|:|,)")


def short_answer(wants: tuple[str, ...], cand: Candidate, counted: str = "", lead: str = "") -> str:
    """The decisive phrases for the wanted types (at most two), or "" when the sentence has none.

    `counted` (folded) is what a "how many" question counts: the number that counts it is preferred, and
    among those the one after the question's own verb (`lead`, "cung cap" for "cung cấp bao nhiêu").
    """
    found: list[str] = []
    for kind in wants:
        if kind == "number" and "percent" in wants and found:
            continue  # a percentage already answers "how much"
        phrase = _phrase(kind, cand, counted, lead)
        if phrase and not any(phrase in f or f in phrase for f in found):
            found.append(phrase)
        if len(found) == 2:
            break
    return "; ".join(found)


def _phrase(kind: str, cand: Candidate, counted: str = "", lead: str = "") -> str:
    """The phrase of one wanted type in a candidate sentence."""
    text = cand.sentence.restored
    if kind == "date":
        for pattern in _DATE_PHRASES:
            m = re.search(pattern, text)
            if m:
                return m.group(0).strip()
    elif kind == "code":
        m = _CODE.search(text)
        if m:
            return re.sub(r"\s+", "", m.group(0))
    elif kind == "percent":
        m = re.search(r"\d+(?:[.,]\d+)?\s*%", text)
        if m:
            return m.group(0).strip()
    elif kind == "number":
        numbers = [m for m in _NUMBER.finditer(text) if not re.fullmatch(r"\d{4}", m.group(1))]
        counting = [m for m in numbers if counted and f" {counted}" in f" {fold(m.group(0))}"]
        if len(counting) > 1 and lead:
            # "hiệu quả 25 dịch vụ … Cung cấp 463 dịch vụ" asked "cung cấp bao nhiêu dịch vụ": 463
            wanted = set(lead.split())
            before = [len(wanted & set(fold(text[: m.start()]).split()[-3:])) for m in counting]
            counting = [counting[before.index(max(before))]]
        if counting or numbers:
            return (counting or numbers)[0].group(0).strip()
    elif kind == "agency":
        m = _UNIT_LEAD.search(text)
        if m:
            return m.group("unit").strip()
        heading = cand.chunk.heading_path[-1] if cand.chunk.heading_path else ""
        m = _UNIT_LEAD.search(re.sub(r"^\d+\.\s*", "", heading) + ":")
        if m:
            return m.group("unit").strip()
    return ""


def heading_date(heading_path: tuple[str, ...]) -> str:
    """A deadline stated by a section heading ("Các nhiệm vụ trọng tâm đến ngày 31 tháng 12 năm 2025")."""
    for title in reversed(heading_path):
        for pattern in (*_DATE_PHRASES[:4], _HEADING_YEAR):
            m = re.search(pattern, title)
            if m:
                return re.sub(r"^[a-zđ0-9]{1,2}[.)]\s*", "", m.group(0).strip())
    return ""
