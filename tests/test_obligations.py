"""Obligations: deadline parsing (incl. OCR forms), extraction from the real plans, filters and exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import CORPUS, MANIFEST

from corpus.manifest import load_manifest, resolve_meta, with_defaults
from corpus.obligations import (
    Obligation,
    extract_corpus,
    extract_obligations,
    filter_obligations,
    find_deadlines,
    parse_time,
    parse_user_date,
    parse_user_month,
    timeline_png,
    to_csv,
    to_ics,
    to_json,
    to_table,
)
from corpus.reader import PlanFile, read_plan
from corpus.restore import read_plan_lines
from corpus.text import collapse
from corpus.times import find_times, is_time_cell, parse_cell

DUONG_KINH = "000_35dce5dc0de49619.txt"
BA_DINH = "002_8d078f4651206baf.txt"
SA_THAY = "003_5169ba26eefcfb70.txt"
DAK_LAK = "001_075f96d36d7c55b9.txt"


# ---------------------------------------------------------------- deadlines


@pytest.mark.parametrize(("text", "kind", "start", "end", "recurrence"), [
    ("trước ngày 10/11/2025", "day", None, date(2025, 11, 10), ""),
    ("trude ngay 10/11/2025", "day", None, date(2025, 11, 10), ""),  # OCR
    ("Thời gian hoàn thành: tháng 12/2025", "month", date(2025, 12, 1), date(2025, 12, 31), ""),
    ("Thot gian hoan thanh: Thang 12/2025.", "month", date(2025, 12, 1), date(2025, 12, 31), ""),  # OCR
    ("Thoi gian hoan thanh dau thang 9/2025", "month", date(2025, 9, 1), date(2025, 9, 30), ""),
    ("thang 12 ndm 2025", "month", date(2025, 12, 1), date(2025, 12, 31), ""),  # OCR "năm"
    ("hoàn thành chậm nhất đến tháng 8/2025", "month", date(2025, 8, 1), date(2025, 8, 31), ""),
    ("hoan thanh chdm nhit dén thang 8/2025", "month", date(2025, 8, 1), date(2025, 8, 31), ""),  # OCR
    ("định kỳ hằng tháng trước ngày 13", "recurring", None, None, "monthly:13"),
    ("dinh ky truée ngay 13 hang thang", "recurring", None, None, "monthly:13"),  # OCR
    ("định kỳ 6 tháng", "recurring", None, None, "monthly/6"),
    ("Quý IV/2025", "quarter", date(2025, 10, 1), date(2025, 12, 31), ""),
    ("Quy lV/2025", "quarter", date(2025, 10, 1), date(2025, 12, 31), ""),  # OCR "lV"
    ("thường xuyên", "continuous", None, None, ""),
    ("Thoi gian hoan thanh: Thudng xuyén trong 6 thang cudi nim 2025", "continuous",
     date(2025, 7, 1), date(2025, 12, 31), ""),
    ("năm 2025", "year", date(2025, 1, 1), date(2025, 12, 31), ""),
    ("trong năm 2025-2026", "range", date(2025, 1, 1), date(2026, 12, 31), ""),
    ("15/03/2026", "day", None, date(2026, 3, 15), ""),
    ("Trudce ngay 20 thang 12 ndm 2025", "day", None, date(2025, 12, 20), ""),
    ("từ tháng 3 đến tháng 6/2026", "range", date(2026, 3, 1), date(2026, 6, 30), ""),
    ("Từ tháng 3 đến tháng 11 hàng năm", "recurring", None, None, "yearly"),  # a season, every year
])
def test_parse_deadline(text: str, kind: str, start: date | None, end: date | None, recurrence: str) -> None:
    d = parse_time(text)
    assert d is not None
    assert (d.kind, d.start, d.end, d.recurrence, d.flagged) == (kind, start, end, recurrence, False)
    assert d.text and d.text in text  # the source wording, not a rewrite


def test_a_yearly_season_begins_something_and_is_said_as_written() -> None:
    season = parse_time("Thời gian thực hiện: Từ tháng 3 đến tháng 11 hàng năm")
    assert season is not None and season.names_start and season.label == "Từ tháng 3 đến tháng 11 hàng năm"
    assert not season.names_day
    # Without the colon, and in a task sentence whose "hằng năm" lies inside the season.
    plain = parse_time("Thời gian thực hiện từ tháng 3 đến tháng 11 hằng năm")
    assert plain is not None and plain.names_start and plain.label == "từ tháng 3 đến tháng 11 hằng năm"
    found = find_deadlines("Chi cục lấy mẫu quan trắc từ tháng 3 đến tháng 11 hằng năm.")
    assert [(d.kind, d.label) for d, _, _ in found] == [("recurring", "từ tháng 3 đến tháng 11 hằng năm")]
    # "Đầu tư" (to invest) is no "từ".
    invest = parse_time("Đầu tư tháng 3 đến tháng 5 hằng năm")
    assert invest is None or invest.kind != "recurring" or not invest.names_start


def test_an_annual_plan_or_budget_is_not_a_yearly_task() -> None:
    # "hằng năm" after a plan or budget noun says which plan; after a verb, or leading the clause, the task recurs.
    for text in ("bố trí kinh phí từ nguồn vốn ngân sách địa phương trong kế hoạch hàng năm",
                 "lập và giao dự toán ngân sách nhà nước hàng năm và kế hoạch tài chính",
                 "xác định chỉ tiêu, mục tiêu, nhiệm vụ hằng năm và cả giai đoạn"):
        assert parse_time(text) is None, text
    for text, recurrence in (("Báo cáo kết quả hằng năm về Sở Y tế", "yearly"),
                             ("Hằng năm, trước ngày 30/11 báo cáo UBND tỉnh", "yearly:30/11"),
                             ("xây dựng kế hoạch định kỳ hằng năm", "yearly")):
        found = parse_time(text)
        assert found is not None and (found.kind, found.recurrence) == ("recurring", recurrence), text


def test_an_ongoing_duty_is_read_where_a_sentence_of_the_task_opens_with_it() -> None:
    from corpus.times import leading_continuous

    lines = ["KẾ HOẠCH", "Thực hiện công tác phòng, chống dịch bệnh năm 2026", "I. TỔ CHỨC THỰC HIỆN",
             "1. Sở Y tế", "a) Hướng dẫn điều trị cho người bệnh tại các cơ sở. Thường xuyên phối hợp với",
             "Công an tỉnh kiểm tra các cơ sở.", "2. Sở Tài chính",
             "a) Bố trí kinh phí chi thường xuyên trong dự toán để thực hiện Kế hoạch."]
    found = {o.lead[0]: o for o in extract_obligations("t.txt", "t", "tỉnh Hòa Bình", lines, lines)}
    health = found["Sở Y tế"].deadline
    assert health is not None and (health.kind, health.text) == ("continuous", "Thường xuyên")
    assert found["Sở Tài chính"].deadline is None  # "chi thường xuyên" names the spending, not a duty's time
    text = "Hướng dẫn điều trị. Thường xuyên phối hợp"
    hit = leading_continuous(text)
    assert hit is not None and text[hit[1]:hit[2]] == "Thường xuyên"
    assert leading_continuous("Bố trí chi đầu tư phát triển 2 tỷ đồng; thường xuyên 500 triệu đồng") is None


def test_impossible_and_ambiguous_dates_are_kept_as_written_and_flagged() -> None:
    d = parse_time("Sa Thay, ngay 76 thing 9 nam 2025")  # OCR of the 003 header date
    assert d is not None and d.flagged
    assert d.text == "ngay 76 thing 9 nam 2025"
    assert d.kind == "month" and (d.start, d.end) == (date(2025, 9, 1), date(2025, 9, 30))  # no day invented
    assert "76" in d.flag_reason
    feb = parse_time("trước ngày 31/02/2025")
    assert feb is not None and feb.flagged and feb.kind == "month" and feb.end == date(2025, 2, 28)
    month13 = parse_time("tháng 13/2025")
    assert month13 is not None and month13.flagged and month13.kind == "year"
    no_year = parse_time("trước ngày 10/11")
    assert no_year is not None and no_year.flagged and no_year.end is None and no_year.start is None
    assert "⚠" in no_year.label


def test_a_time_counted_from_an_event_is_relative_and_gets_no_dates() -> None:
    # How a plan sets a deadline it cannot date; its event is part of the wording, up to the clause's end.
    for text, quote in (("Khôi phục cấp điện cho trạm bơm trong 12-24 giờ sau khi bão tan.",
                         "trong 12-24 giờ sau khi bão tan"),
                        ("gửi kế hoạch về Sở Nội vụ trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch này.",
                         "trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch này"),
                        ("Báo cáo chậm nhất là 05 ngày làm việc sau khi kết thúc đợt thi đua; gửi Sở Nội vụ",
                         "chậm nhất là 05 ngày làm việc sau khi kết thúc đợt thi đua"),
                        ("Trả lời trong thời gian 07 ngày kể từ ngày nhận hồ sơ.",
                         "trong thời gian 07 ngày kể từ ngày nhận hồ sơ"),
                        ("Power is restored within 12-24 hours after the storm passes.",
                         "within 12-24 hours after the storm passes")):
        found = find_deadlines(text)
        assert [(d.kind, d.text, d.start, d.end) for d, _, _ in found] == [("relative", quote, None, None)], text
        assert not found[0][0].names_start and not found[0][0].names_day
    # From the day a document is signed or issued is where a period begins, not a deadline.
    start = parse_time("Đợt thi đua được triển khai thực hiện từ ngày ban hành Kế hoạch đến khi tổ chức Đại hội.")
    assert start is not None and (start.kind, start.text) == ("relative", "từ ngày ban hành Kế hoạch")
    assert start.names_start and find_deadlines("Quyết định này có hiệu lực kể từ ngày ký.") == []
    # A date or a year inside the event is the time: "Trong 10 ngày kể từ ngày 01/7/2025", "chậm nhất 05 ngày
    # trước ngày 20/11/2025" are dated, and a period from the plan's issue falls due at its end.
    assert [(d.kind, d.end) for d, _, _ in find_deadlines("Chậm nhất 05 ngày trước ngày 20/11/2025 gửi đăng ký.")] \
        == [("day", date(2025, 11, 20))]
    assert [e.kind for e, _, _ in find_times("Trong 5 năm kể từ năm 2025 tỉnh đầu tư xây dựng 10 trạm.")] == ["year"]
    due = find_deadlines("Thời gian thực hiện: từ ngày ban hành Kế hoạch đến hết năm 2025.")
    assert [(d.kind, d.end) for d, _, _ in due] == [("year", date(2025, 12, 31))]
    cell = parse_cell("Từ ngày ký ban hành đến 31/12/2025")
    assert cell is not None and (cell.kind, cell.end) == ("day", date(2025, 12, 31))
    # Without a word that bounds it, it says when a thing happens, not by when, and is no time cell.
    assert find_deadlines("Tổ chức tập huấn 02 ngày sau khi khai giảng lớp học.") == []
    assert not is_time_cell("Kiểm tra 02 ngày sau khi khai giảng lớp học tại xã")
    # A length alone counts from nothing; "nhóm" is no "năm"; English "of" counts from an event only after "within".
    assert parse_time("Tập huấn 02 ngày cho 50 học viên.") is None
    assert parse_time("Chia thành 05 nhóm sau khi có quyết định thành lập.") is None
    assert [e.kind for e, _, _ in find_times("A total of 30 days of training in 2025.")] == ["year"]


def test_english_weekly_recurrence_is_read_though_folding_writes_w_as_u() -> None:
    for text in ("Report weekly to the Department.", "every week"):
        found = parse_time(text)
        assert found is not None and (found.kind, found.recurrence) == ("recurring", "weekly"), text


def test_no_deadline_in_plain_text() -> None:
    assert parse_time("Tăng cường tuyên truyền về dịch vụ công trực tuyến") is None


def test_find_deadlines_needs_a_cue_so_references_and_targets_are_not_deadlines() -> None:
    text = ("Tổ chức thực hiện theo Nghị định số 137/2024/NĐ-CP ngày 23/10/2024; rút ngắn 20% thời gian "
            "trong năm 2025 (có hiệu lực từ 01/7/2024). Thời gian hoàn thành: Tháng 12/2025.")
    found = find_deadlines(text)
    assert [(d.kind, d.end) for d, _, _ in found] == [("month", date(2025, 12, 31))]
    d, a, b = found[0]
    assert text[a:b].startswith("Thời gian hoàn thành") and d.text == "Thời gian hoàn thành: Tháng 12/2025"
    two = find_deadlines("Thời gian hoàn thành cho đánh giá của năm 2025: tháng 11/2025; thời gian hoàn thành "
                         "cho đánh giá của năm 2026: tháng 11/2026.")
    assert [d.end for d, _, _ in two] == [date(2025, 11, 30), date(2026, 11, 30)]
    without_date = find_deadlines("Thoi gian hoan thanh: Theo 16 trinh cua Bo Cong an va Chinh phu.")
    assert [d.kind for d, _, _ in without_date] == ["none"]
    # a bare "Thời gian:" label is a cue when a time follows it, and nothing when none does
    label = find_deadlines("(Trách nhiệm thực hiện: Sở Nội vụ; thời gian: năm 2026).")
    assert [(d.kind, d.text) for d, _, _ in label] == [("year", "thời gian: năm 2026")]
    assert find_deadlines("Mỗi ngày dành thời gian: 2 giờ để tự học.") == []
    assert find_deadlines("Thời gian: 8 giờ 00, ngày 20/5/2025; địa điểm: hội trường UBND xã.") == []
    assert find_deadlines("Kéo dài thời gian: không quá 6 tháng, tính từ ngày 01/01/2025.") == []


# ---------------------------------------------------------------- extraction on the real plans


def _plan(doc: str) -> PlanFile:
    plan = read_plan(CORPUS / doc)
    assert isinstance(plan, PlanFile)
    return plan


def _extract(doc: str, repair: bool = True) -> list[Obligation]:
    plan = _plan(doc)
    meta, _ = resolve_meta(doc, plan.lines, load_manifest(MANIFEST))
    meta = with_defaults(meta)
    reading = read_plan_lines(plan.lines, enabled=repair)
    return extract_obligations(plan.doc, meta.plan_id, meta.label, reading.raw, reading.lines)


@pytest.mark.parametrize(("doc", "lines", "lead"), [
    (DUONG_KINH, (336, 338), "Trung tâm Phục vụ hành chính công phường"),
    (BA_DINH, (94, 94), "Trung tâm Phục vụ hành chính công xã"),
])
def test_reporting_obligation_of_10_november(doc: str, lines: tuple[int, int], lead: str) -> None:
    obls = _extract(doc)
    due = [o for o in obls if o.deadline and o.deadline.end == date(2025, 11, 10)]
    assert len(due) == 1
    o = due[0]
    assert o.lines == lines and o.lead == (lead,) and o.deadline is not None and o.deadline.kind == "day"
    file_lines = _plan(doc).lines
    quoted = collapse(" ".join(file_lines[lines[0] - 1:lines[1]]))
    assert o.task_raw in quoted  # verbatim from the file
    assert "10/11/2025" in o.task_raw and o.deadline.text in quoted  # deadline wording as the file has it
    assert o.deadline_lines is not None and lines[0] <= o.deadline_lines[0] <= o.deadline_lines[1] <= lines[1]


def test_every_raw_quote_is_verbatim_and_inside_its_lines() -> None:
    obls = extract_corpus(CORPUS, MANIFEST, repair=False)
    assert len({o.doc for o in obls}) == 5
    for o in obls:
        file_lines = _plan(o.doc).lines
        assert 1 <= o.lines[0] <= o.lines[1] <= len(file_lines)
        assert o.task_raw in collapse(" ".join(file_lines[o.lines[0] - 1:o.lines[1]])), (o.doc, o.lines)
        assert o.lead and all(o.lead)


def test_implicit_leads_follow_the_gold_convention() -> None:
    obls = _extract(BA_DINH, repair=False)
    by_line = {o.lines[0]: o for o in obls}
    assert by_line[48].lead == ("UBND xã",)  # "Nhiệm vụ, giải pháp": the issuing commune
    assert by_line[86].lead == ("các Phòng, Trung tâm xã",)  # "Tổ chức thực hiện": units from "Nơi nhận"
    assert by_line[87].lead == ("Cán bộ, công chức, viên chức",)  # subject named in the sentence
    assert by_line[73].support == ("các doanh nghiệp viễn thông",)
    evaluations = [o for o in obls if o.lines == (81, 84)]  # one section, two dated evaluations
    assert [o.deadline.end for o in evaluations if o.deadline] == [date(2025, 11, 30), date(2026, 11, 30)]
    assert set(evaluations[0].support) == {"Tổ Công nghệ số cộng đồng", "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
                                           "các tổ chức chính trị xã hội"}


def test_unit_headings_section_deadlines_and_recurrence_in_other_plans() -> None:
    dak_lak = _extract(DAK_LAK, repair=False)
    leads = {lead for o in dak_lak for lead in o.lead}
    assert {"Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh", "Công an tỉnh", "UBND các xã, phường"} <= leads
    police = [o for o in dak_lak if o.lead == ("Công an tỉnh",)]
    assert police and police[0].deadline is not None and police[0].deadline.kind == "none"
    sa_thay = _extract(SA_THAY, repair=False)
    monthly = [o for o in sa_thay if o.deadline and o.deadline.kind == "recurring"]
    # "định kỳ" without its period is a recurrence too; the monthly one keeps its day.
    assert ("monthly:13", ("các cơ quan, tổ chức, đơn vị",)) in [(o.deadline.recurrence, o.lead)
                                                                  for o in monthly if o.deadline]
    inherited = [o for o in sa_thay if 194 <= o.lines[0] <= 321]  # section 2.1 "… đến ngày 30 tháng 6 năm 2025"
    assert inherited and all(o.deadline and o.deadline.end == date(2025, 6, 30) for o in inherited)
    assert all(o.deadline_lines == (190, 190) for o in inherited)


# ---------------------------------------------------------------- filters


@pytest.fixture(scope="module")
def corpus_obligations() -> list[Obligation]:
    return extract_corpus(CORPUS, MANIFEST, repair=False)


def test_filters(corpus_obligations: list[Obligation]) -> None:
    november = filter_obligations(corpus_obligations, due_in=(2025, 11))
    assert {(o.plan_id, o.lines) for o in november} >= {("duong-kinh", (336, 338)), ("ba-dinh", (94, 94))}
    assert any(o.deadline and o.deadline.kind == "recurring" for o in november)  # monthly report falls due too
    assert all(o.deadline for o in november)
    early = filter_obligations(corpus_obligations, before=date(2025, 9, 30), plan="ba-dinh")
    assert early and all(o.plan_id == "ba-dinh" for o in early)
    assert all(o.due is not None and o.due <= date(2025, 9, 30) for o in early)
    late = filter_obligations(corpus_obligations, after=date(2026, 1, 1))
    assert {o.deadline.end for o in late if o.deadline and o.deadline.end} == {date(2026, 11, 30)}
    for who in ("trung tam phuc vu", "Trung tâm Phục vụ", "TRUNG TAM PHUC VU HANH CHINH CONG"):
        found = filter_obligations(corpus_obligations, who=who)
        assert {o.plan_id for o in found} >= {"duong-kinh", "ba-dinh", "cam-giang"}
    assert filter_obligations(corpus_obligations, who="doanh nghiep vien thong")  # support units count
    assert {o.plan_id for o in filter_obligations(corpus_obligations, plan="Duong Kinh")} == {"duong-kinh"}
    assert {o.doc for o in filter_obligations(corpus_obligations, plan="003")} == {SA_THAY}


def test_user_dates_and_their_errors() -> None:
    assert parse_user_date("10/11/2025") == date(2025, 11, 10)
    assert parse_user_date("2025-11-10") == date(2025, 11, 10)
    assert parse_user_date("11/2025") == date(2025, 11, 1)
    assert parse_user_month("11/2025") == parse_user_month("2025-11") == (2025, 11)
    for bad in ("next week", "10.11", "31/02/2025", "2025/11/10"):
        with pytest.raises(ValueError) as err:
            parse_user_date(bad)
        message = str(err.value)
        assert bad in message and "dd/mm/yyyy" in message and "yyyy-mm-dd" in message and "mm/yyyy" in message
    with pytest.raises(ValueError, match="mm/yyyy"):
        parse_user_month("13/2025")


# ---------------------------------------------------------------- exports


def _unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_ics_is_valid_icalendar(corpus_obligations: list[Obligation]) -> None:
    ics = to_ics(corpus_obligations, since=date(2025, 10, 1), stamp=datetime(2025, 10, 1, 8, 0))
    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    raw_lines = ics.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in raw_lines)
    lines = _unfold(ics)[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR" and "VERSION:2.0" in lines
    depth, events = 0, list[list[str]]()
    for line in lines:
        if line.startswith("BEGIN:"):
            depth += 1
            if line == "BEGIN:VEVENT":
                events.append([])
        elif line.startswith("END:"):
            depth -= 1
        elif events and depth == 2:
            events[-1].append(line)
        assert depth >= 0
    assert depth == 0
    dated = [o for o in corpus_obligations if o.deadline and (o.deadline.end or (o.deadline.kind == "recurring" and o.deadline.recurrence))]
    assert len(events) == len(dated) > 10
    for props in events:
        starts = [p for p in props if p.startswith("DTSTART")]
        assert len(starts) == 1 and re.fullmatch(r"DTSTART;VALUE=DATE:\d{8}", starts[0])
        assert any(p.startswith("UID:") for p in props) and any(p.startswith("DTSTAMP:20251001T") for p in props)
        assert any(p.startswith("SUMMARY:") for p in props) and any("Dòng" in p for p in props)
    report = next(e for e in events if any("DTSTART;VALUE=DATE:20251110" in p for p in e)
                  and any("Trung tâm Phục vụ hành chính công xã" in p for p in e))
    assert any(p.startswith("SUMMARY:Trung tâm Phục vụ hành chính công xã") for p in report)
    monthly = next(e for e in events if any(p.startswith("RRULE:FREQ=MONTHLY") for p in e))
    assert "RRULE:FREQ=MONTHLY;BYMONTHDAY=13" in monthly and "DTSTART;VALUE=DATE:20251013" in monthly


def test_table_json_csv_and_timeline(corpus_obligations: list[Obligation], tmp_path: Path) -> None:
    subset = filter_obligations(corpus_obligations, plan="ba-dinh")
    table = to_table(subset)
    assert table.splitlines()[0].startswith("Kế hoạch") and f"{len(subset)} nghĩa vụ" in table
    data = json.loads(to_json(subset))
    assert len(data) == len(subset) and data[-1]["deadline"]["end"] == "2025-11-10"
    rows = list(csv.DictReader(io.StringIO(to_csv(subset))))
    assert len(rows) == len(subset) and rows[-1]["deadline_end"] == "2025-11-10"
    png = timeline_png(corpus_obligations, tmp_path / "timeline.png", today=date(2025, 10, 1))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_benchmark_meets_targets_on_the_gold_plans() -> None:
    from evals.obligations_bench import TARGET, run

    result = run(repair=False)
    assert result["pair_p"] >= TARGET and result["pair_r"] >= TARGET
    assert result["deadline_acc"] >= TARGET
