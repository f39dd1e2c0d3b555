"""The one parser of time expressions: Vietnamese (OCR-tolerant) and English, normalised, never inventing a year.

Used by obligations (deadlines), the sparse index (date entities), question analysis (the window a question
asks about), answer scoring and short answers. A time expression without a year keeps its kind and wording
but gets no dates: "tháng 10" is month 10 of a year the text does not state.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from corpus.text import collapse, fold, fold_map, source_span

KINDS = ("day", "month", "quarter", "year", "recurring", "continuous", "range", "relative", "none")

# Folded (unaccented, lowercase) spellings with the OCR variants seen in scans:
# "ngdy" ngày, "thing"/"thdang" tháng, "nim"/"ndm" năm, "trude"/"truee" trước. Folding writes every "w" as "u"
# (OCR's ư), so English words are spelt so here too: "uithin", "ueekly".
_NGAY = r"ng[a-z]{0,2}y"
_THANG = r"th(?!(?:uo|o|u)ng\b)[a-z]{0,3}g"  # OCR spells "tháng" "thdang", "thing"…; never "thương", "thông"
_NAM = r"n[a-z]{0,2}m"
_TU = r"(?<!\bdau\s)tu"  # "từ" (from), folded; not the "tư" of "đầu tư" (to invest)
_TRUOC = r"tru[a-z]{0,3}"
_YEAR = r"(?P<y>\d{4})(?!\d)"
_HANG = r"h[ae]ng"
_QUY = r"qu[yi]"
_ROMAN_Q = r"iv|lv|1v|iii|ii|i|l|[1-4]"
_MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
              "october", "november", "december")
_MONTH_EN = "(?P<mn>" + "|".join(_MONTHS_EN) + r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
_ORDINAL_EN = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((k, re.compile(p)) for k, p in (
    # Recurring: "trước ngày 15 hằng tháng", "hằng năm, trước ngày 30/11", "định kỳ 6 tháng", "hằng quý".
    # A season that comes back each year: "từ tháng 3 đến tháng 11 hằng năm".
    ("rec_season", rf"\b{_TU}\s+{_THANG}\s*(?P<m1>\d{{1,2}})\s*(?:-|den|toi)\s*(?:{_THANG}\s*)?(?P<m2>\d{{1,2}})"
                   rf"\s*,?\s*{_HANG}\s+{_NAM}\b"),
    # "trước ngày 15/12 hằng năm", and "trước 15/12 hằng năm" (a cue stands for "ngày"; a bare date does not)
    ("rec_yday", rf"(?:(?:{_TRUOC}|vao|cham\s+nhat)\s+(?:{_NGAY}\s*)?|{_NGAY}\s*)(?P<d>\d{{1,2}})\s*[/-]\s*(?P<m>\d{{1,2}})"
                 rf"(?!\s*[/-]\s*\d)\s*,?\s*{_HANG}\s+{_NAM}\b"),
    ("rec_yday", rf"(?:dinh\s+ky\s+)?{_HANG}\s+{_NAM}\s*[,(]?\s*(?:(?:hoan\s+thanh\s+)?(?:{_TRUOC}|vao|cham\s+nhat)\s+)?"
                 rf"(?:(?:{_NGAY}\s*)?(?P<d>\d{{1,2}})\s*[/-]\s*(?P<m>\d{{1,2}})"
                 rf"|{_NGAY}\s*(?P<d2>\d{{1,2}})\s+{_THANG}\s*(?P<m2>\d{{1,2}}))\b"
                 rf"(?!\s*[/-]\s*\d|\s*,?\s*{_NAM}\s*\d)"),
    ("rec_day", rf"(?:dinh\s+ky\s+)?(?:(?:{_TRUOC}|vao)\s+(?:{_NGAY}\s*)?|{_NGAY}\s*)(?P<d>\d{{1,2}})\s+{_HANG}\s+{_THANG}\b"),
    ("rec_month", rf"(?:dinh\s+ky\s+)?{_HANG}\s+{_THANG}\b(?:\s*,?\s*(?:(?:{_TRUOC}|vao|cham\s+nhat)\s+)?"
                  rf"{_NGAY}\s*(?P<d>\d{{1,2}})\b(?!\s*[/-]\s*\d))?"),
    ("rec_quarter", rf"(?:dinh\s+ky\s+)?{_HANG}\s+{_QUY}\b"),
    ("rec_year", rf"(?:dinh\s+ky\s+)?{_HANG}\s+{_NAM}\b(?!\s*\d)"),
    ("rec_week", r"(?:dinh\s+ky\s+)?h[ae]ng\s+tuan\b"),
    ("rec_daily", rf"(?:dinh\s+ky\s+)?\b{_HANG}\s+{_NGAY}\b(?!\s*(?:\d|cang\b))"),  # not "ngân hàng ngày càng"
    ("rec_every", rf"dinh\s+ky\s+(?P<n>\d{{1,2}}|sau|ba)\s+{_THANG}\b"),
    ("rec_every", rf"(?P<n>\d{{1,2}}|sau|ba)\s+{_THANG}\s+(?:mot|1)\s+lan\b"),
    ("rec_times", rf"(?:(?P<n>\d{{1,2}}|mot|hai|ba)\s+)?lan\s*/\s*(?P<per>{_NAM}|{_QUY}|{_THANG}|tuan)\b"),
    ("rec_any", r"\bdinh\s+ky\b"),
    ("rec_en", r"\b(?P<f>daily|monthly|quarterly|yearly|annually|ueekly|every\s+(?:day|month|quarter|year|ueek))\b"),
    # Days and day ranges.
    ("day_range", rf"tu\s+(?:{_NGAY}\s*)?(?P<d1>\d{{1,2}})\s*/\s*(?P<m1>\d{{1,2}})(?:\s*/\s*(?P<y1>\d{{4}}))?\s*"
                  rf"(?:-|den|toi)\s*(?:{_NGAY}\s*)?(?P<d2>\d{{1,2}})\s*/\s*(?P<m2>\d{{1,2}})\s*/\s*(?P<y2>\d{{4}})"),
    # Written out: "từ ngày 20 tháng 11 năm 2025 đến ngày 03 tháng 12 năm 2025", "từ ngày 08 đến ngày 10 tháng 12
    # năm 2025" (the first day's month and year are the last's when left out).
    ("day_range", rf"tu\s+{_NGAY}\s*(?P<d1>\d{{1,2}})(?:\s*,?\s*{_THANG}\s*(?P<m1>\d{{1,2}})"
                  rf"(?:\s*,?\s*{_NAM}\s*(?P<y1>\d{{4}}))?)?\s*,?\s*(?:-|den|toi)\s*(?:{_NGAY}\s*)?(?P<d2>\d{{1,2}})"
                  rf"\s*,?\s*{_THANG}\s*(?P<m2>\d{{1,2}})\s*,?\s*{_NAM}\s*(?P<y2>\d{{4}})"),
    ("day", rf"(?:{_NGAY}\s*)?(?<![\d/.])(?P<d>\d{{1,2}})\s*[/.-]\s*(?P<m>\d{{1,2}})\s*[/.-]\s*{_YEAR}(?![/.-]?\d)"),
    ("day", rf"{_NGAY}\s*(?P<d>\d{{1,2}})\s*,?\s*{_THANG}\s*(?P<m>\d{{1,2}})\s*,?\s*{_NAM}\s*{_YEAR}"),
    ("iso_day", r"(?<![\d/])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    ("day_en", rf"{_MONTH_EN}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*{_YEAR}"),
    ("day_en", rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_EN}\s*,?\s*{_YEAR}"),
    ("day_noyear", rf"{_NGAY}\s*(?P<d>\d{{1,2}})\s*(?:[/-]\s*|{_THANG}\s*)(?P<m>\d{{1,2}})\b"
                   rf"(?!\s*(?:[/.-]|,?\s*{_NAM})\s*\d)"),
    # Months and month ranges.
    ("month_range", rf"(?:tu\s+)?{_THANG}\s*(?P<m1>\d{{1,2}})(?:\s*[/-]\s*(?P<y1>\d{{4}}))?\s*(?:-|den|toi)\s*"
                    rf"(?:{_THANG}\s*)?(?P<m2>\d{{1,2}})\s*(?:[/-]\s*|,?\s*{_NAM}\s*)(?P<y2>\d{{4}})(?!\d)"),
    ("month", rf"(?:(?:dau|giua|cuoi)\s+)?{_THANG}\s*(?P<m>\d{{1,2}})\s*(?:[/-]\s*|,?\s*{_NAM}\s*){_YEAR}"),
    ("month", rf"(?<![\d/.])(?P<m>\d{{1,2}})\s*/\s*{_YEAR}(?![/\d])"),
    ("month_en", rf"(?:in\s+|of\s+)?{_MONTH_EN}\s+(?:of\s+)?{_YEAR}"),
    ("month_noyear", rf"(?:(?:dau|giua|cuoi)\s+)?{_THANG}\s*(?P<m>\d{{1,2}})\b(?!\s*[/.-]?\s*\d)"
                     rf"(?!\s*,?\s*(?:{_NAM}|den|-)\s*\d)"),
    # Quarters and halves.
    ("quarter", rf"{_QUY}\s*(?P<q>{_ROMAN_Q})\b\s*(?:[/-]\s*|,?\s*(?:{_NAM}\s*)?){_YEAR}"),
    ("quarter_en", r"\b(?:q(?P<q>[1-4])|(?P<o>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)"
                   r"\s*(?:of\s+|/|-)?\s*(?P<y>\d{4})(?!\d)"),
    ("quarter_noyear", rf"{_QUY}\s*(?P<q>iv|iii|ii|i|[1-4])\b(?!\s*[/-]?\s*\d)"),
    ("half", rf"(?P<n>\d{{1,2}}|sau|ba)\s+{_THANG}\s+(?P<part>d[a-z]u|cu[a-z]i)\s+(?:{_NAM}\s*)?{_YEAR}"),
    # Years and year ranges.
    ("year_range", rf"(?:(?:giai\s+doan|trong\s+{_NAM}|tu\s+{_NAM}|{_NAM})\s*)?(?<!\d)(?P<y1>\d{{4}})\s*"
                   rf"(?:-|/|den|toi|to)\s*(?:{_NAM}\s*)?(?P<y2>\d{{4}})(?!\d)"),
    ("year_end", rf"(?:(?:den|truoc|cho)\s+)?(?:het|cuoi)\s+{_NAM}\s*{_YEAR}(?!\s*[-/]\s*\d)"),
    ("year_end", rf"\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+year\s+)?{_YEAR}"),
    ("year_by", rf"\bden\s+{_NAM}\s*{_YEAR}(?!\s*[-/]\s*\d)"),
    ("year", rf"{_NAM}\s*{_YEAR}(?!\s*[-/]\s*\d)"),
    ("year_en", rf"\bin\s+{_YEAR}(?!\s*[-/]\s*\d)"),
    ("continuous", r"\bthu[a-z]{0,2}ng\s+xuy[a-z]n\b|\blien\s+tuc\b|\b(?:on\s*going|continuous(?:ly)?)\b"),
    # A time counted from an event, how a plan sets a deadline it cannot date: "trong 24-48 giờ sau khi nước rút",
    # "trong thời hạn 05 ngày làm việc kể từ ngày nhận đủ hồ sơ", "chậm nhất là 03 ngày trước khi tổ chức",
    # "within 10 working days of receiving it". It has no dates; its event is up to 8 words of the clause, and one
    # that holds a date or a year is no event but that time (_scan keeps the dated hit).
    ("relative", rf"(?:\b(?:trong|sau|cham\s+nhat(?:\s+la)?(?:\s+sau)?|khong\s+qua|truoc)\s+"
                 rf"(?:(?:vong|thoi\s+han|thoi\s+gian|khoang)\s+)?)?"
                 rf"(?<![\d/.])\d{{1,3}}(?:\s*(?:-|den)\s*\d{{1,3}})?\s+(?:gio|{_NGAY}(?:\s+lam\s+viec)?|tuan|{_THANG}|n[a-z]m)"
                 rf"\s+(?:sau\s+khi|sau\s+{_NGAY}|ke\s+tu|tinh\s+tu|tu\s+khi|truoc\s+khi|truoc\s+{_NGAY})"
                 rf"(?:\s+[a-z0-9/]+){{1,8}}"),
    # From the day a document is signed or issued: "có hiệu lực kể từ ngày ký", "từ ngày ban hành Kế hoạch". Where
    # a period begins, never a deadline (it states no length).
    ("relative", rf"\b(?:ke\s+)?{_TU}\s+{_NGAY}\s+(?:ky|ban\s+hanh)\b(?:\s+(?:ban\s+hanh|ke\s+hoach|quyet\s+dinh)"
                 rf"(?:\s+nay)?)?"),
    # English: "of" counts from an event only after "within" ("30 days of training" is a length).
    ("relative", r"\b(?:(?:uithin|no\s+later\s+than)\s+)(?<![\d/.])\d{1,3}(?:\s*(?:-|to)\s*\d{1,3})?"
                 r"\s+(?:uorking\s+|business\s+)?(?:hours?|days?|ueeks?|months?)\s+(?:after|of|from|since|before)"
                 r"(?:\s+[a-z0-9/]+){1,8}"),
    ("relative", r"(?<![\d/.])\d{1,3}(?:\s*(?:-|to)\s*\d{1,3})?"
                 r"\s+(?:uorking\s+|business\s+)?(?:hours?|days?|ueeks?|months?)\s+(?:after|from|since|before)"
                 r"(?:\s+[a-z0-9/]+){1,8}"),
))

# What may stand just before a time expression and belongs to its wording.
_CUE_BEFORE = re.compile(
    r"(?:th[a-z]{1,2}\s+gian(?:\s+(?:du\s+kien\s+)?(?:hoan\s+thanh|thuc\s+hien)(?:\s+cho\s+[^:;.]{1,80}:)?\s*:?|\s*:)\s*"
    r"(?:(?:nhiem\s+vu)\s+)?(?:(?:tru[a-z]{0,3}|den|trong|vao)\s+)?"
    r"|(?:(?:hoan\s+thanh|thuc\s+hien|bao\s+cao)\s+)?(?:(?:ch[a-z]m|muon)\s+nh[a-z]t\s+(?:la\s+)?)?"
    r"(?:(?:tru[a-z]{0,3}|den(?:\s+het)?|trong|vao|han)\s+)"
    r"|(?:hoan\s+thanh|ch[a-z]m\s+nh[a-z]t)\s+)$")

# Cues that make a time expression in a task sentence a deadline (a date after "ngày" alone is a reference).
_CUES = re.compile(
    r"(?:(?P<tght>\bth[a-z]{1,2}\s+gian\s+(?:du\s+kien\s+)?(?:hoan\s+thanh|thuc\s+hien)\b)"
    r"|(?P<label>\bth[a-z]{1,2}\s+gian(?=\s*:)|\bth[a-z]{1,2}\s+han(?:\s+hoan\s+thanh)?(?=\s*:)))"
    r"(?:\s+cho\s+[^:;.]{1,80}:)?\s*:?\s*"
    r"|(?P<before>\b(?:tru[a-z]{0,3}|vao|ch[a-z]m\s+nh[a-z]t(?:\s+la)?(?:\s+(?:den|vao|truoc|trong))?)\s+"
    r"(?=(?:ng[a-z]{0,2}y|th[a-z]{0,3}g|qu[yi]|n[a-z]{0,2}m)\s*[\divl]|\d{1,2}\s*/\s*\d{1,2}\b))"
    r"|(?P<until>\bden\s+(?:(?=(?:ng[a-z]{0,2}y|th[a-z]{0,3}g)\s*\d)|het\s+(?=n[a-z]{0,2}m\s*\d)))"
    r"|(?P<within>\btrong\s+(?=th[a-z]{0,3}g\s*\d|qu[yi]\s*[\divl]))"
    # "…, từ ngày 25/8 đến ngày 30/9/2025": a span the task's sentence gives is when it is done
    r"|(?P<since>\btu\s+(?=(?:ng[a-z]{0,2}y|th[a-z]{0,3}g)\s*\d))"
    r"|(?P<rec>\bdinh\s+ky\b|\b(?=tru[a-z]{0,3}\s+ng[a-z]{0,2}y\s*\d{1,2}\s+h[ae]ng\s)"
    r"|\b(?=h[ae]ng\s+(?:n[a-z]{0,2}m|qu[yi]|th[a-z]{0,3}g|tuan|ngay)\b)|\b(?=(?:\d{1,2}|mot|hai|ba)\s+lan\s*/))"
    # "… nhiệm vụ thường xuyên", or a closing clause that says only how often ("…; thực hiện thường xuyên.",
    # "(thường xuyên)"): not the noun inside a clause ("kinh phí chi thường xuyên")
    r"|(?P<cont>\bnhiem\s+v[a-z]\s+thu[a-z]{0,2}ng\s+xuy[a-z]n\b"
    r"|(?:(?<=[;,(])|(?<=[;,(]\s))\s*(?:thuc\s+hien\s+)?thu[a-z]{0,2}ng\s+xuy[a-z]n(?=\s*(?:[.;)]|$)))")


@lru_cache(maxsize=1)
def _cues() -> re.Pattern[str]:
    """_CUES, and "thường xuyên" as an adverb: right before a verb (units.txt [verbs] less the function words of
    stopwords.txt: "thường xuyên tổ chức kiểm tra"); find_deadlines leaves out where it names a thing."""
    from corpus import wordlists
    from corpus.units import STOPS

    function_words = set(wordlists.folded("stopwords.txt"))
    verbs = sorted({v for v in STOPS if v != "thuong xuyen" and v not in function_words}, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, v.split())) for v in verbs) or "(?!)"
    return re.compile(_CUES.pattern + rf"|(?P<adv>thu[a-z]{{0,2}}ng\s+xuy[a-z]n(?=\s+(?:{alternatives})\b))")


def _follows(folded: str, start: int, word_list: str) -> bool:
    """Whether the folded text before `start` ends with an entry of a word list (corpus/data): a verb that dates a
    document or a start (dating_verbs.txt), a word that makes "thường xuyên" a name (not_how_often.txt)."""
    from corpus import wordlists

    before = folded[:start].split()
    return any(before[-len(p.split()):] == p.split() for p in wordlists.folded(word_list))


_CLAUSE_END = re.compile(r";|\.(?:\s|$)")
_RELATIVE_CUE = re.compile(r"trong\b|ch[a-z]m\s+nh[a-z]t\b|khong\s+qua\b|uithin\b|no\s+later\s+than\b")


def _states_no_length(text: str) -> bool:
    """Whether a relative time names no length ("từ ngày ban hành Kế hoạch"): it begins a period, sets no deadline."""
    return not any(ch.isdigit() for ch in text)


@dataclass(frozen=True)
class TimeExpr:
    """A normalised time expression; `text` is the source wording, dates are never invented."""

    text: str
    kind: str  # day / month / quarter / year / recurring / continuous / range / relative / none
    start: date | None = None
    end: date | None = None
    recurrence: str = ""  # "monthly", "monthly:13" (day 13), "monthly/6" (every 6 months), "yearly:30/11", …
    flagged: bool = False
    flag_reason: str = ""

    @property
    def names_day(self) -> bool:
        """Whether it names a day of the month ("ngày 30/11/2025", "trước ngày 15 hằng tháng", "1/10–30/11/2025"),
        what a question asking "ngày nào?" / "what date?" wants; a month, quarter, year or period does not."""
        if self.kind == "day":
            return True
        if self.kind == "recurring":
            return ":" in self.recurrence
        if self.kind in ("range", "continuous") and self.start and self.end:
            last = calendar.monthrange(self.end.year, self.end.month)[1]
            # "từ ngày 01/10 đến ngày 31/10/2025" names its days even though they bound whole months.
            return (self.start.day != 1 or self.end.day != last
                    or bool(re.search(r"\bng[aà]y\b|\d{1,2}\s*/\s*\d{1,2}\s*/", self.text, re.IGNORECASE)))
        return False

    @property
    def names_start(self) -> bool:
        """Whether it says when something begins, what "từ khi nào?" / "since when?" wants: a range with its start,
        or a time written after "từ", "kể từ", "bắt đầu (từ)", "from", "since", "starting"."""
        if self.kind in ("range", "continuous") and self.start is not None:
            return True
        # "trong 05 ngày kể từ ngày nhận hồ sơ" counts from an event; it does not say when a task begins, while
        # "từ ngày ban hành Kế hoạch" does.
        at = _start_word(self.text)
        return at == 0 if self.kind == "relative" else at >= 0

    @property
    def label(self) -> str:
        """Short Vietnamese label for tables: "10/11/2025", "tháng 12/2025", "hằng tháng (ngày 13)"."""
        s, e = self.start, self.end
        if self.kind == "day" and e:
            out = e.strftime("%d/%m/%Y")
        elif self.kind == "month" and e:
            out = f"tháng {e.month}/{e.year}"
        elif self.kind == "quarter" and e:
            out = f"Quý {('I', 'II', 'III', 'IV')[(e.month - 1) // 3]}/{e.year}"
        elif self.kind == "year" and e:
            out = f"năm {e.year}" if s else f"đến hết năm {e.year}"
        elif self.kind == "range" and s and e:
            out = (f"{s.year}–{e.year}" if (s.month, s.day, e.month, e.day) == (1, 1, 12, 31)
                   else f"{s.strftime('%d/%m/%Y') if s.day != 1 else f'{s.month}/{s.year}'}–"
                        f"{e.strftime('%d/%m/%Y') if e.day != calendar.monthrange(e.year, e.month)[1] else f'{e.month}/{e.year}'}")
        elif self.kind == "recurring":
            # A yearly season ("Thời gian: Từ tháng 3 đến tháng 11 hằng năm") is said as the plan says it, from the
            # word that begins it.
            at = _start_word(self.text)
            out = " ".join(self.text[at:].split()) if at >= 0 else recurrence_label(self.recurrence)
        elif self.kind == "continuous":
            out = "thường xuyên"
            if s and e and s.year == e.year and (s.day, e.day) == (1, calendar.monthrange(e.year, e.month)[1]):
                out += f", {s.month}–{e.month}/{e.year}"
            elif e:
                out += f" đến {e.strftime('%d/%m/%Y')}"
        else:
            out = self.text
        return out + (" ⚠" if self.flagged else "")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (ISO dates)."""
        return {"text": self.text, "kind": self.kind,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None,
                "recurrence": self.recurrence, "flagged": self.flagged, "flag_reason": self.flag_reason}


_START = re.compile(rf"\b(?:ke\s+tu|{_TU}|bat\s+dau(?:\s+tu)?|from|since|starting)\b")


def _start_word(text: str) -> int:
    """Where in `text` a word that begins a time stands ("từ", "kể từ", "bắt đầu", "from", "since"), or -1."""
    folded, index = fold_map(text)
    m = _START.search(folded)
    return index[m.start()] if m and m.start() < len(index) else -1


def recurrence_label(recurrence: str) -> str:
    """Vietnamese wording of a recurrence code."""
    freq, _, rest = recurrence.partition(":")
    freq, _, every = freq.partition("/")
    names = {"monthly": "tháng", "quarterly": "quý", "yearly": "năm", "weekly": "tuần", "daily": "ngày"}
    base = f"định kỳ {every} {names.get(freq, freq)}" if every else f"hằng {names.get(freq, freq)}"
    return base + (f", trước ngày {rest}" if rest else "")


def schedule(recurrence: str) -> tuple[frozenset[int], int] | None:
    """The months a recurrence falls due in and its day of month (-1: the month's last day); None when the plan
    gives no period ("định kỳ" alone): such a duty has no date to put in a calendar."""
    freq, _, rest = recurrence.partition(":")
    freq, _, every = freq.partition("/")
    if not freq:
        return None
    day, month = -1, 0
    if rest:
        parts = rest.split("/")
        day = int(parts[0]) if parts[0].isdigit() else -1
        month = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    if freq == "yearly":
        return frozenset({month or 12}), day
    if freq == "quarterly":
        return frozenset({3, 6, 9, 12}), day
    if freq == "monthly" and every:
        step = int(every)
        return frozenset(m for m in range(1, 13) if m % step == 0), day
    return frozenset(range(1, 13)), day


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: str
    first: date | None = None
    last: date | None = None
    recurrence: str = ""
    flagged: bool = False
    reason: str = ""


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _plausible(year: int) -> bool:
    return 1990 <= year <= 2100


def _day_hit(start: int, end: int, d: int, m: int, y: int) -> _Hit:
    if not 1 <= m <= 12:
        if _plausible(y):
            return _Hit(start, end, "year", date(y, 1, 1), date(y, 12, 31), flagged=True,
                        reason=f"impossible date {d}/{m}/{y}: there is no month {m}; kept the year only")
        return _Hit(start, end, "day", flagged=True, reason=f"impossible date {d}/{m}/{y}")
    if not _plausible(y):
        return _Hit(start, end, "day", flagged=True, reason=f"implausible year {y} in {d}/{m}/{y}")
    try:
        return _Hit(start, end, "day", None, date(y, m, d))
    except ValueError:
        first, last = month_bounds(y, m)
        return _Hit(start, end, "month", first, last, flagged=True,
                    reason=f"impossible date: day {d} does not exist in {m}/{y} (OCR?); kept the month only")


def _quarter(q: str) -> int:
    if q.isdigit():
        return int(q)
    return {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(q.replace("l", "i").replace("1", "i"), 0)


def _month_en(name: str) -> int:
    return next((i for i, m in enumerate(_MONTHS_EN, 1) if m.startswith(name[:3])), 0)


def _recurring(kind: str, g: dict[str, Any], s: int, e: int) -> _Hit:
    if kind == "rec_every":
        n = {"sau": "6", "ba": "3"}.get(g["n"], g["n"])
        return _Hit(s, e, "recurring", recurrence=f"monthly/{int(n)}")
    if kind == "rec_any":
        return _Hit(s, e, "recurring", recurrence="")  # "định kỳ" without its period
    if kind == "rec_times":
        per = g["per"]
        freq = ("yearly" if per.startswith("n") else "quarterly" if per.startswith("qu") else
                "weekly" if per == "tuan" else "monthly")
        return _Hit(s, e, "recurring", recurrence=freq)
    if kind == "rec_en":
        word = g["f"].split()[-1]
        freq = {"month": "monthly", "quarter": "quarterly", "year": "yearly", "ueek": "weekly", "day": "daily",
                "annually": "yearly", "ueekly": "weekly"}.get(word, word)
        return _Hit(s, e, "recurring", recurrence=freq)
    if kind == "rec_season":
        if not (1 <= int(g["m1"]) <= 12 and 1 <= int(g["m2"]) <= 12):
            return _Hit(s, e, "recurring", recurrence="yearly", flagged=True,
                        reason=f"impossible month in {g['m1']}-{g['m2']}; kept the recurrence only")
        return _Hit(s, e, "recurring", recurrence="yearly")  # its wording keeps the months (label)
    if kind == "rec_yday":
        d, m = int(g.get("d") or g["d2"]), int(g.get("m") or g["m2"])
        if not (1 <= m <= 12 and 1 <= d <= calendar.monthrange(2024, m)[1]):
            return _Hit(s, e, "recurring", recurrence="yearly", flagged=True,
                        reason=f"impossible day {d}/{m}; kept the recurrence only")
        return _Hit(s, e, "recurring", recurrence=f"yearly:{d}/{m}")
    freq = {"rec_day": "monthly", "rec_month": "monthly", "rec_quarter": "quarterly", "rec_year": "yearly",
            "rec_week": "weekly", "rec_daily": "daily"}[kind]
    day = g.get("d")
    if day and not 1 <= int(day) <= 31:
        return _Hit(s, e, "recurring", recurrence=freq, flagged=True,
                    reason=f"impossible day of month {day}; kept the recurrence only")
    return _Hit(s, e, "recurring", recurrence=f"{freq}:{int(day)}" if day else freq)


@lru_cache(maxsize=1)
def _periodic_nouns() -> re.Pattern[str]:
    """corpus/data/periodic_nouns.txt as one pattern matching a text that ends with one of them."""
    from corpus import wordlists

    nouns = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in wordlists.folded("periodic_nouns.txt"))
    return re.compile(rf"(?:^|\W)(?:{nouns})\s*$")


def _attribute(kind: str, m: re.Match[str]) -> bool:
    """ "kế hoạch hằng năm" (the annual plan): the period names which plan or budget, no task recurs."""
    return (kind in ("rec_year", "rec_quarter", "rec_month", "rec_daily") and not m.group(0).startswith("dinh")
            and not m.groupdict().get("d") and bool(_periodic_nouns().search(m.string[max(0, m.start() - 60):m.start()])))


def _hit(kind: str, m: re.Match[str]) -> _Hit | None:
    g = m.groupdict()
    s, e = m.start(), m.end()
    if kind.startswith("rec_"):
        return None if _attribute(kind, m) else _recurring(kind, g, s, e)
    if kind in ("day", "iso_day"):
        return _day_hit(s, e, int(g["d"]), int(g["m"]), int(g["y"]))
    if kind == "day_en":
        return _day_hit(s, e, int(g["d"]), _month_en(g["mn"]), int(g["y"]))
    if kind == "day_noyear":
        return _Hit(s, e, "day", flagged=True, reason=f"no year given for day {g['d']}/{g['m']}; date left open")
    if kind == "day_range":
        y2 = int(g["y2"])
        y1 = int(g["y1"]) if g.get("y1") else y2
        try:
            m1 = int(g["m1"]) if g.get("m1") else int(g["m2"])
            first, last = date(y1, m1, int(g["d1"])), date(y2, int(g["m2"]), int(g["d2"]))
        except ValueError:
            return None
        return _Hit(s, e, "range", first, last) if first <= last and _plausible(y2) else None
    if kind in ("month", "month_en"):
        y, mo = int(g["y"]), int(g["m"]) if kind == "month" else _month_en(g["mn"])
        if not _plausible(y):
            return None
        if not 1 <= mo <= 12:
            return _Hit(s, e, "year", date(y, 1, 1), date(y, 12, 31), flagged=True,
                        reason=f"impossible month {mo}; kept the year only")
        return _Hit(s, e, "month", *month_bounds(y, mo))
    if kind == "month_noyear":
        if not 1 <= int(g["m"]) <= 12:
            return None
        return _Hit(s, e, "month", flagged=True, reason=f"no year given for month {int(g['m'])}; dates left open")
    if kind in ("quarter", "quarter_en"):
        y = int(g["y"])
        q = _ORDINAL_EN[g["o"]] if g.get("o") else _quarter(g["q"])
        if not 1 <= q <= 4 or not _plausible(y):
            return None
        return _Hit(s, e, "quarter", date(y, 3 * q - 2, 1), month_bounds(y, 3 * q)[1])
    if kind == "quarter_noyear":
        return _Hit(s, e, "quarter", flagged=True, reason="no year given for the quarter; dates left open")
    if kind == "half":
        y = int(g["y"])
        months = {"sau": 6, "ba": 3}.get(g["n"]) or int(g["n"])
        if not 1 <= months <= 12 or not _plausible(y):
            return None
        if g["part"].startswith("d"):
            return _Hit(s, e, "range", date(y, 1, 1), month_bounds(y, months)[1])
        return _Hit(s, e, "range", date(y, 13 - months, 1), date(y, 12, 31))
    if kind == "month_range":
        y2, m1, m2 = int(g["y2"]), int(g["m1"]), int(g["m2"])
        y1 = int(g["y1"]) if g.get("y1") else y2
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12 and _plausible(y1) and _plausible(y2)) or (y1, m1) > (y2, m2):
            return None
        return _Hit(s, e, "range", month_bounds(y1, m1)[0], month_bounds(y2, m2)[1])
    if kind == "year_range":
        y1, y2 = int(g["y1"]), int(g["y2"])
        if not (_plausible(y1) and _plausible(y2) and y1 < y2 <= y1 + 15):
            return None
        return _Hit(s, e, "range", date(y1, 1, 1), date(y2, 12, 31))
    if kind in ("year_end", "year_by"):
        y = int(g["y"])
        return _Hit(s, e, "year", None, date(y, 12, 31)) if _plausible(y) else None
    if kind in ("year", "year_en"):
        y = int(g["y"])
        return _Hit(s, e, "year", date(y, 1, 1), date(y, 12, 31)) if _plausible(y) else None
    if kind == "continuous":
        return _Hit(s, e, "continuous")
    if kind == "relative":
        return _Hit(s, e, "relative")
    return None


def _scan(folded: str) -> list[_Hit]:
    """Every time expression in folded text, earliest first, overlaps resolved (earliest, then longest)."""
    found: list[_Hit] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            hit = _hit(kind, m)
            if hit is not None:
                found.append(hit)
    # An event that holds a date or a year is that time: "trong 10 ngày kể từ ngày 01/7/2025", "chậm nhất 05 ngày
    # trước ngày 20/11/2025" are dated.
    dated = [h for h in found if h.kind != "relative"]
    found = [h for h in found if h.kind != "relative" or not any(h.start < d.start < h.end for d in dated)]
    found.sort(key=lambda h: (h.start, -(h.end - h.start)))
    hits: list[_Hit] = []
    for h in found:
        if hits and h.start < hits[-1].end:
            continue
        hits.append(h)
    # "Thường xuyên trong 6 tháng cuối năm 2025": an ongoing task inside a bounded period.
    merged: list[_Hit] = []
    for h in hits:
        prev = merged[-1] if merged else None
        if (prev is not None and prev.kind == "continuous" and prev.last is None and h.first and h.last
                and h.kind in ("range", "year", "month", "quarter")
                and re.fullmatch(r"\s*(?:trong|den|den\s+het|tu)?\s*", folded[prev.end:h.start])):
            merged[-1] = _Hit(prev.start, h.end, "continuous", h.first, h.last)
            continue
        if (prev is not None and prev.kind == h.kind and h.kind in ("month", "quarter") and prev.first is None
                and h.first is not None and h.last is not None
                and re.fullmatch(r"\s*(?:,|va|,\s*va)\s*", folded[prev.end:h.start])):
            # "Quý III và Quý IV năm 2025", "tháng 01 và tháng 02/2026": the year the last states is the first's
            # too, and the two are one span.
            first = _scan(f"{folded[prev.start:prev.end]} nam {h.last.year}")
            if len(first) == 1 and first[0].first is not None and first[0].first < h.first:
                merged[-1] = _Hit(prev.start, h.end, "range", first[0].first, h.last)
                continue
        merged.append(h)
    return merged


def _cue_start(folded: str, start: int) -> int:
    window_start = max(0, start - 140)
    m = _CUE_BEFORE.search(folded[window_start:start])
    return window_start + m.start() if m and m.group(0).strip() else start


def _expr(hit: _Hit, text: str) -> TimeExpr:
    return TimeExpr(text=text, kind=hit.kind, start=hit.first, end=hit.last, recurrence=hit.recurrence,
                    flagged=hit.flagged, flag_reason=hit.reason)


def _quote(text: str, index: list[int], start: int, end: int) -> tuple[str, int, int]:
    a, b = source_span(text, index, start, end)
    return collapse(text[a:b]).strip(" .;,:"), a, b


def find_times(text: str) -> list[tuple[TimeExpr, int, int]]:
    """Every time expression in `text` (any reading: restored, raw OCR, English), with its char span."""
    return list(_times_in(text))


@lru_cache(maxsize=200_000)
def _times_in(text: str) -> tuple[tuple[TimeExpr, int, int], ...]:
    # Kept: a question scores the same plan sentences as the questions before it did.
    folded, index = fold_map(text)
    out = []
    for hit in _scan(folded):
        quote, a, b = _quote(text, index, hit.start, hit.end)
        out.append((_expr(hit, quote), a, b))
    return tuple(out)


def parse_time(text: str) -> TimeExpr | None:
    """The first time expression in `text`, normalised, with its cue words ("trước ngày …"); None if none."""
    folded, index = fold_map(text)
    hits = _scan(folded)
    if not hits:
        return None
    hit = hits[0]
    quote, _, _ = _quote(text, index, _cue_start(folded, hit.start), hit.end)
    return _expr(hit, quote)


_BARE_YEAR = re.compile(r"^\W*(?P<y>(?:19|20)\d\d)\W*$")


def parse_cell(text: str) -> TimeExpr | None:
    """A time column's cell or a time field's value: like parse_time, and a bare year ("2025") is that year; in
    "Thường xuyên, định kỳ hằng quý báo cáo …" the work goes on and what falls due is the schedule named after it."""
    expr = parse_time(text)
    if expr is not None and expr.kind == "relative" and _states_no_length(expr.text):
        # "Từ ngày ký ban hành đến 31/12/2025": what falls due is the date, the start is where the work begins.
        expr = next((e for e, _, _ in find_times(text) if e.kind not in ("relative", "none")), None) or expr
    if expr is not None and expr.kind == "continuous":
        due = next((e for e, _, _ in find_times(text) if e.kind not in ("continuous", "none")), None)
        expr = due or expr
    if expr is None:
        m = _BARE_YEAR.match(text)
        if m:
            y = int(m.group("y"))
            expr = TimeExpr(text=collapse(text).strip(" .;,:"), kind="year", start=date(y, 1, 1), end=date(y, 12, 31))
    return expr


def has_time(text: str) -> bool:
    """Whether `text` states a time (a date, month, quarter, year, recurrence or "thường xuyên")."""
    return bool(_scan(fold_map(text)[0]))


def is_time_cell(text: str) -> bool:
    """A table cell or field value that is a time and little else ("Quý IV/2025", "Năm 2025 - 2026")."""
    if _BARE_YEAR.match(text):
        return True
    folded, _ = fold_map(text)
    # A time counted from an event is a cell's time only with its bounding word ("Trong 10 ngày kể từ …"); "Kiểm tra
    # 02 ngày sau khi khai giảng …" is a task.
    hits = [h for h in _scan(folded) if h.kind != "relative" or _RELATIVE_CUE.match(folded, h.start)]
    if not hits:
        return False
    rest = folded
    for h in sorted(hits, key=lambda h: -h.start):
        rest = rest[:h.start] + " " + rest[h.end:]
    words = [w for w in re.findall(r"[a-z0-9]+", rest)
             if w not in {"tu", "den", "truoc", "trong", "va", "het", "nam", "thang", "ngay", "hoan", "thanh",
                          "chiu", "cham", "nhat", "hang", "dinh", "ky", "du", "kien", "sau", "khi", "theo"}]
    if len(words) <= 3:
        return True
    # A cell that opens with a time set off by punctuation ("Thường xuyên, định kỳ hằng quý báo cáo về Sở Tài
    # chính") is a time column's cell with a note; a task cell opens with its verb ("Thường xuyên tuyên truyền …").
    first = min(hits, key=lambda h: h.start)
    return (not re.search(r"[a-z0-9]", folded[:first.start]) and bool(re.match(r"\s*[,;]", folded[first.end:]))
            and len(folded.split()) <= 20)


def find_deadlines(text: str) -> list[tuple[TimeExpr, int, int]]:
    """Deadlines a task sentence sets (cue + time expression), with their char span in `text`."""
    folded, index = fold_map(text)
    # "Từ ngày ban hành" begins a period and sets no deadline: it is left to other readings.
    hits = [h for h in _scan(folded) if h.kind != "relative" or not _states_no_length(folded[h.start:h.end])]
    out: list[tuple[int, int, _Hit | None]] = []
    for cue in _cues().finditer(folded):
        value = cue.end()
        clause = _CLAUSE_END.search(folded, value)
        clause_end = clause.start() if clause else len(folded)
        chosen: _Hit | None = None
        if cue.group("label"):
            # A bare "Thời gian:" label sets a deadline only when a time opens its value ("Thời gian: Quý IV/2026");
            # "Thời gian: 8 giờ 00, ngày 20/5" dates a meeting, "kéo dài thời gian: không quá 6 tháng" a length.
            chosen = next((h for h in hits if value <= h.start <= value + 1 and h.kind != "duration"), None)
            if chosen is None:
                continue
        elif cue.group("tght"):
            chosen = next((h for h in hits if value <= h.start < clause_end), None)
            if chosen is None:
                out.append((cue.start(), min(clause_end, value + 120), None))
                continue
        elif ((cue.group("adv") or (cue.group("rec") is not None and folded.startswith("dinh ky", cue.start())))
              and _follows(folded, cue.start(), "not_how_often.txt")) or (
                (cue.group("before") or cue.group("until") or cue.group("since"))
                and _follows(folded, cue.start(), "dating_verbs.txt")):
            continue
        elif cue.group("since"):
            chosen = next((h for h in hits if cue.start() <= h.start <= value + 1 and h.kind == "range"), None)
        elif cue.group("cont") or cue.group("adv"):
            chosen = next((h for h in hits if cue.start() <= h.start < cue.end() and h.kind == "continuous"), None)
        elif cue.group("rec") is not None:  # its lookahead forms match empty
            # A season holds its "hằng năm" cue ("từ tháng 3 đến tháng 11 hằng năm"): the whole season is the time.
            chosen = next((h for h in hits if h.kind == "recurring" and (cue.start() <= h.start <= value + 2
                                                                           or h.start < cue.start() < h.end)), None)
        else:
            chosen = next((h for h in hits if cue.start() <= h.start <= value + 1), None)
            if chosen is not None and folded.startswith("vao", cue.start()) and chosen.last is None:
                # "vào tháng 3 hằng năm", "vào quý IV": no date of its own; the recurrence says when
                chosen = None
        if chosen is not None:
            out.append((min(cue.start(), chosen.start), chosen.end, chosen))
    # A time counted from an event carries its own cue ("trong 24-48 giờ sau khi nước rút", "chậm nhất 10 ngày
    # sau khi kết thúc"); without one ("tập huấn 02 ngày sau khi khai giảng") it says when, not by when.
    out += [(h.start, h.end, h) for h in hits if h.kind == "relative" and _RELATIVE_CUE.match(folded, h.start)]
    out.sort(key=lambda t: (t[0], -t[1]))
    result: list[tuple[TimeExpr, int, int]] = []
    last_end = -1
    for start, end, hit in out:
        if start < last_end:
            continue
        last_end = end
        quote, a, b = _quote(text, index, start, end)
        expr = _expr(hit, quote) if hit else TimeExpr(text=quote, kind="none")
        result.append((expr, a, b))
    return result


def heading_period(text: str) -> tuple[TimeExpr, int, int] | None:
    """The period a section heading frames its tasks with ("2. Giải pháp thực hiện kế hoạch 03 năm 2026 - 2028",
    "a) Năm 2026:"): its one time expression when that is a month, quarter, year or span; a heading naming two
    times, a day or a time counted from an event frames nothing."""
    found = find_times(text)
    if len(found) != 1 or found[0][0].kind not in ("month", "quarter", "year", "range"):
        return None
    # The year of a document the heading cites ("1. Triển khai thi hành Luật Đất đai năm 2024", "Nghị quyết số
    # 57-NQ/TW năm 2024") dates that document.
    before = fold(text[:found[0][1]])
    if re.search(r"\d+\s?/\s?[a-z]", before) or re.search(rf"\b(?:{'|'.join(_cited_kinds())})\b", before):
        return None
    return found[0]


@lru_cache(maxsize=1)
def _cited_kinds() -> tuple[str, ...]:
    """Kinds of documents a plan cites (corpus/data/cited_documents.txt), folded, as regex alternatives."""
    from corpus import wordlists

    return tuple(re.escape(w) for w in wordlists.folded("cited_documents.txt"))


def leading_continuous(text: str) -> tuple[TimeExpr, int, int] | None:
    """ "Thường xuyên …" opening a task, or one of its sentences ("… hình thức. Thường xuyên phối hợp …"), makes
    it an ongoing duty (with its char span); inside a sentence, even after ";", the words can name a thing ("kinh
    phí chi thường xuyên", "chi đầu tư 2 tỷ đồng; thường xuyên 500 triệu đồng")."""
    folded, index = fold_map(text)
    m = re.search(r"(?:^|\.\s)\W*(?:tiep\s+tuc\s+)?(thu[a-z]{0,2}ng\s+xuy[a-z]n)\b", folded)
    if not m:
        return None
    quote, a, b = _quote(text, index, m.start(1), m.end(1))
    return TimeExpr(text=quote, kind="continuous"), a, b


def entity_forms(text: str) -> list[str]:
    """Canonical forms of the dates in `text` for exact matching: "10/11/2025" and its month "11/2025",
    "11/2025" for a month, "q4/2025" for a quarter. A day without a year gives "d/m"."""
    out: list[str] = []
    for expr, _, _ in find_times(text):
        s, e = expr.start, expr.end
        if expr.kind == "day" and e:
            out += [f"{e.day}/{e.month}/{e.year}", f"{e.month}/{e.year}"]
        elif expr.kind == "month" and e:
            out.append(f"{e.month}/{e.year}")
        elif expr.kind == "quarter" and e:
            out.append(f"q{(e.month - 1) // 3 + 1}/{e.year}")
        elif expr.kind == "range" and s and e and (s.month, s.day, e.month, e.day) == (1, 1, 12, 31):
            out.append(f"{s.year}-{e.year}")
    return out
