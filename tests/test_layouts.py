"""One structure parser for every layout, one time parser, headers and unit lists: on small plans written for
these tests (tests/plans/), never on eval questions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from corpus.chunker import chunk_plan
from corpus.header import make_id, read_header
from corpus.manifest import Manifest, resolve_meta, unique_ids
from corpus.obligations import extract_obligations
from corpus.reader import PlanFile, read_plan
from corpus.records import PlanMeta
from corpus.structure import align_cells, classify, parse
from corpus.times import find_deadlines, find_times, is_time_cell, parse_cell, parse_time
from corpus.units import before_assigning, defined_short_names, same_unit, split_units, starts_unit

PLANS = Path(__file__).resolve().parent / "plans"



def _letterhead(issuer: str, number: str, title: str) -> list[str]:
    """The opening of a plan written for a test: its issuer, number and title, each set off by a blank line."""
    return [issuer, "", f"Số: {number}", "", "KẾ HOẠCH", title, ""]

def _plan(name: str) -> PlanFile:
    plan = read_plan(PLANS / name)
    assert isinstance(plan, PlanFile)
    return plan


# ---------------------------------------------------------------- time expressions


@pytest.mark.parametrize(("text", "kind", "start", "end", "recurrence"), [
    ("Quý IV/2025", "quarter", date(2025, 10, 1), date(2025, 12, 31), ""),
    ("Quí IV-2025", "quarter", date(2025, 10, 1), date(2025, 12, 31), ""),
    ("trong quý IV năm 2025", "quarter", date(2025, 10, 1), date(2025, 12, 31), ""),
    ("6 tháng cuối năm 2025", "range", date(2025, 7, 1), date(2025, 12, 31), ""),
    ("6 tháng đầu năm 2026", "range", date(2026, 1, 1), date(2026, 6, 30), ""),
    ("trước ngày 15 hằng tháng", "recurring", None, None, "monthly:15"),
    ("hằng năm, trước ngày 30/11", "recurring", None, None, "yearly:30/11"),
    ("Định kỳ hằng năm (trước ngày 15 tháng 12)", "recurring", None, None, "yearly:15/12"),
    ("giám sát tuyến xã và báo cáo hằng ngày", "recurring", None, None, "daily"),
    ("trước ngày 15/12 hằng năm", "recurring", None, None, "yearly:15/12"),
    ("định kỳ 6 tháng", "recurring", None, None, "monthly/6"),
    ("tổ chức diễn tập một lần/năm", "recurring", None, None, "yearly"),
    ("ngày 26\ntháng 11 năm 2025", "day", None, date(2025, 11, 26), ""),
    ("Năm 2025 - 2026", "range", date(2025, 1, 1), date(2026, 12, 31), ""),
    ("giai đoạn 2026-2030", "range", date(2026, 1, 1), date(2030, 12, 31), ""),
    ("đến hết năm 2025", "year", None, date(2025, 12, 31), ""),
    ("từ tháng 6 đến tháng 9/2025", "range", date(2025, 6, 1), date(2025, 9, 30), ""),
    ("từ ngày 20 tháng 11 năm 2025 đến ngày 03 tháng 12\nnăm 2025", "range", date(2025, 11, 20), date(2025, 12, 3), ""),
    ("từ ngày 08 đến ngày 10 tháng 12 năm 2025", "range", date(2025, 12, 8), date(2025, 12, 10), ""),
    ("thường xuyên", "continuous", None, None, ""),
    ("by November 10, 2025", "day", None, date(2025, 11, 10), ""),
    ("in the fourth quarter of 2025", "quarter", date(2025, 10, 1), date(2025, 12, 31), ""),
    ("by the end of 2026", "year", None, date(2026, 12, 31), ""),
])
def test_one_parser_reads_every_form(text: str, kind: str, start: date | None, end: date | None,
                                     recurrence: str) -> None:
    expr = parse_time(text)
    assert expr is not None, text
    assert (expr.kind, expr.start, expr.end, expr.recurrence) == (kind, start, end, recurrence)


def test_no_year_is_ever_assumed() -> None:
    for text in ("hoàn thành trong tháng 10", "Quý IV", "trước ngày 15/12"):
        expr = parse_time(text)
        assert expr is not None and expr.start is None and expr.end is None, text
        assert expr.flagged


def test_cells_and_bare_years() -> None:
    assert is_time_cell("Quý IV/2026") and is_time_cell("2025") and is_time_cell("Năm 2025 - 2026")
    assert not is_time_cell("Xây dựng bản đồ số các điểm du lịch năm 2025 cho toàn tỉnh và các xã")
    # A time column's cell may carry a note after its time; a task cell opening with an adverb of time may not.
    noted = "Thường xuyên, định kỳ hằng quý báo cáo về Sở Tài chính"
    assert is_time_cell(noted) and not is_time_cell("Thường xuyên tuyên truyền chuyển đổi số cho người dân trên địa bàn")
    due = parse_cell(noted)  # the work goes on; what falls due is the quarterly report
    assert due is not None and due.kind == "recurring" and due.recurrence == "quarterly"
    ongoing = parse_cell("Thường xuyên")
    assert ongoing is not None and ongoing.kind == "continuous"
    year = parse_cell("2027")
    assert year is not None and (year.kind, year.start, year.end) == ("year", date(2027, 1, 1), date(2027, 12, 31))
    assert parse_time("2027") is None  # a bare number in running text is not a year


def test_find_times_quotes_the_source() -> None:
    text = "Báo cáo trước ngày 10/11/2025 và tổng kết vào Quý IV/2026."
    found = find_times(text)
    assert [text[a:b] for _, a, b in found] == ["ngày 10/11/2025", "Quý IV/2026"]


# ---------------------------------------------------------------- structure


def test_decision_issuing_a_plan_with_an_appendix_table() -> None:
    plan = _plan("decision_with_table.txt")
    outline = parse(plan.lines)
    kinds = [(n.kind, outline.lines(n)) for n, _ in outline.walk()]
    assert ("article", (34, 35)) in kinds and ("closing", (44, 51)) in kinds
    docs = [n for n, _ in outline.walk() if n.kind == "doc"]
    assert [outline.text(d.start, d.end) for d in docs] == ["KẾ HOẠCH", "PHỤ LỤC"]
    # The heading split over two lines is one part, and its role comes from both lines.
    part = next(n for n, _ in outline.walk() if n.kind == "part" and "TỔ CHỨC" in outline.text(n.start, n.end))
    assert outline.lines(part) == (68, 69) and part.role == "org"
    rows = [n for n, _ in outline.walk() if n.kind == "row"]
    assert len(rows) == 3
    second = {c.role: outline.cell_text(c) for c in rows[1].cells}
    # The empty "phối hợp" and "sản phẩm"-less cells are dropped in the text; cells still find their columns.
    assert second == {"index": "2", "task": "Cải tạo 12 nhà vệ sinh đạt chuẩn tại điểm du lịch",
                      "lead": "UBND các xã, phường", "time": "Năm 2027", "product": "Công trình"}


def test_a_forms_signature_block_ends_where_the_next_numbered_part_or_item_opens() -> None:
    plan = _plan("procedures_with_forms.txt")
    chunks = chunk_plan(plan.doc, "p", plan.sha256, plan.lines, plan.lines, with_segmentation=False)
    closings = [c for c in chunks if c.kind == "closing"]
    # The decision's own signature block and the model decision's, and nothing after them.
    assert [c.raw_text.splitlines()[0] for c in closings] == ["Nơi nhận:", "Nơi nhận:"]
    assert all("Trình tự" not in c.raw_text and "LĨNH VỰC" not in c.raw_text for c in closings)
    upkeep = next(c for c in chunks if "kế hoạch bảo trì" in c.raw_text)
    assert upkeep.kind != "closing" and "trước ngày 30 tháng 11" in upkeep.raw_text
    pest = next(c for c in chunks if "03 ngày làm việc" in c.raw_text)
    assert pest.kind != "closing" and any("TRỒNG TRỌT" in h for h in pest.heading_path)
    # Recipients numbered, an acting head's "Q." before the title: still one signature block.
    lines = ("ỦY BAN NHÂN DÂN XÃ AN PHÚ", "", "Số: 5/KH-UBND", "", "KẾ HOẠCH", "Về việc tuyên truyền", "",
             "I. MỤC ĐÍCH", "", "Nâng cao nhận thức.", "", "Nơi nhận:", "1. UBND tỉnh;", "2. Lưu: VT.", "",
             "TM. ỦY BAN NHÂN DÂN", "Q. CHỦ TỊCH", "(Đã ký)", "", "Nguyễn Văn An")
    kinds = [(c.kind, c.line_start, c.line_end) for c in chunk_plan("t.txt", "t", "h", lines, lines,
                                                                   with_segmentation=False)]
    assert kinds[-1] == ("closing", 12, 20)


def test_chunks_follow_the_structure_and_keep_exact_lines() -> None:
    plan = _plan("decision_with_table.txt")
    chunks = chunk_plan(plan.doc, "p", plan.sha256, plan.lines, plan.lines, with_segmentation=False)
    for c in chunks:
        assert c.raw_text == "\n".join(plan.lines[c.line_start - 1:c.line_end])
    row = next(c for c in chunks if "bản đồ số" in c.raw_text)
    assert row.kind == "row" and "Hạ tầng du lịch" in row.heading_path[-1]


def test_alignment_prefers_the_lead_column_for_a_lone_unit() -> None:
    assert align_cells(["text", "unit", "time"], ["task", "lead", "support", "time"]) == [0, 1, 3]
    assert align_cells(["text", "unit", "unit", "time"], ["task", "lead", "support", "time"]) == [0, 1, 2, 3]


# ---------------------------------------------------------------- obligations


def test_obligations_from_table_rows_field_blocks_and_unit_sections() -> None:
    plan = _plan("decision_with_table.txt")
    obls = extract_obligations(plan.doc, "p", "tỉnh Hòa Bình", plan.lines, plan.lines)
    by_line = {o.lines[0]: o for o in obls}
    # Decision boilerplate (entry into force, who executes it) is no obligation.
    assert not any(o.lines[0] < 44 for o in obls)
    row = by_line[106]
    assert row.lead == ("Sở Văn hóa, Thể thao và Du lịch",)
    assert row.support == ("Sở Khoa học và Công nghệ", "UBND các xã, phường")
    assert row.deadline is not None and row.deadline.kind == "quarter" and row.deadline.end == date(2026, 12, 31)
    assert by_line[119].lead == ("UBND các xã, phường",) and by_line[119].deadline is not None
    assert by_line[77].deadline is not None and by_line[77].deadline.recurrence == "yearly:30/11"

    fields = _plan("field_blocks.txt")
    obls = extract_obligations(fields.doc, "p", "tỉnh Hòa Bình", fields.lines, fields.lines)
    first = next(o for o in obls if o.lines[0] == 20)
    assert first.lead == ("Sở Nông nghiệp và Môi trường",) and first.lines == (20, 28)
    assert first.support == ("Sở Khoa học và Công nghệ", "Ủy ban nhân dân các xã, phường")
    assert first.deadline is not None and first.deadline.kind == "quarter"
    third = next(o for o in obls if o.lines[0] == 36)
    assert third.lead == ("Sở Tư pháp",) and third.deadline is not None and third.deadline.recurrence == "quarterly"
    # Each field line is part of its task, never an obligation of its own.
    assert not any(o.lines[0] in (23, 26, 28, 32, 34, 38, 40, 42) for o in obls)


def test_a_cell_that_lists_bodies_line_by_line_keeps_them_apart() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "9/KH-UBND", "Dữ liệu quy hoạch"),
             "I. NHIỆM VỤ", "", "TT", "", "Nội dung", "", "Cơ quan chủ trì", "", "Cơ quan phối hợp", "",
             "Thời gian hoàn thành", "", "1", "", "Bố trí nhân lực vận hành hệ thống thông tin.", "",
             "Các sở, ngành, UBND xã, phường, đặc khu", "Sở Tài chính", "", "Sở Nội vụ", "", "Năm 2026", "",
             "2", "", "Đồng bộ dữ liệu về Trung tâm dữ liệu quốc gia.", "", "Văn phòng", "UBND tỉnh", "",
             "Sở Tài chính", "", "Quý IV/2026", ""]
    rows = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert rows[20].lead == ("Các sở, ngành", "UBND xã, phường, đặc khu", "Sở Tài chính")
    assert rows[31].lead == ("Văn phòng UBND tỉnh",)  # a name wrapped after its head is one name


def test_a_table_whose_columns_are_headed_co_quan_dau_moi_and_thoi_gian_thuc_hien_hoan_thanh() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "9/KH-UBND", "Dữ liệu quy hoạch"),
             "I. NHIỆM VỤ", "", "TT", "", "Nhiệm vụ", "", "Cơ quan đầu mối", "", "Thời gian thực hiện/hoàn thành", "",
             "1", "", "Số hóa hồ sơ quy hoạch xây dựng.", "", "Sở Xây dựng", "", "Quý III/2026", "",
             "2", "", "Cập nhật cơ sở dữ liệu đất đai.", "", "Sở Nông nghiệp và Môi trường", "", "Năm 2026", ""]
    rows = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert rows[18].lead == ("Sở Xây dựng",) and rows[18].deadline is not None
    assert rows[18].deadline.kind == "quarter"
    assert rows[26].lead == ("Sở Nông nghiệp và Môi trường",) and rows[26].deadline is not None


def test_the_implementing_units_of_the_recipients_list_are_not_a_department() -> None:
    from corpus.obligations.extract import _org_default

    closing = ["Nơi nhận:", "- Như Điều 3;", "- Bộ Nông nghiệp và Môi trường;", "- Cục Quản lý đê điều và PCTT;",
               "- Các sở, ban, ngành, đơn vị Thành phố;", "- UBND các phường, xã, đặc khu;", "- Lưu: VT."]
    # "Cục …" is one letter from "Các …" (which the OCR-tolerant match allows): it is one recipient, not the
    # plan's implementing units.
    assert _org_default(closing, closing, "thành phố").startswith("Các sở, ban, ngành")
    leaders = ["Nơi nhận:", "- Các Phó chủ tịch UBND tỉnh;", "- Các sở: Nông nghiệp và Môi trường, Tài chính;"]
    assert not _org_default(leaders, leaders, "tỉnh").startswith("Các Phó chủ tịch")  # whom it is sent to


def test_bullets_that_only_name_a_programme_part_belong_to_the_item_above() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "7/KH-UBND", "Phòng, chống ma túy năm 2026"),
             "III. TỔ CHỨC THỰC HIỆN", "", "1. Công an tỉnh", "",
             "a) Tổ chức thực hiện các dự án do Bộ Công an chủ trì:", "",
             "- Dự án 1: “Phòng ngừa tội phạm về ma túy”.", "",
             "- Tiểu dự án 2 (Dự án 7): “Truyền thông phòng, chống ma túy”.", "",
             "- Tổ chức tuyên truyền tại các trường học, hoàn thành trước ngày 30/6/2026.", "",
             "b) Tập huấn cho lực lượng công an xã, hoàn thành trước ngày 30/9/2026."]
    obls = extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)
    starts = {o.lines[0] for o in obls}
    assert 12 in starts and not starts & {14, 16}  # the parts a) covers are named, not assigned
    assert 18 in starts and 20 in starts  # a bullet with a verb is a task
    item = next(o for o in obls if o.lines[0] == 12)
    assert item.lead == ("Công an tỉnh",) and item.lines[1] >= 16


def test_one_assigned_bullet_among_unassigned_activities_keeps_its_own_lines() -> None:
    # A plan that assigns work by unit (section III) lists activities without units (section II); the one
    # bullet there that names a unit is that unit's task, on its own line, not the whole of item 1.
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "8/KH-UBND", "Khắc phục hậu quả lũ năm 2025"),
             "I. MỤC ĐÍCH", "", "Bảo đảm sức khỏe người dân.", "", "II. NỘI", "DUNG HOẠT ĐỘNG TRIỂN KHAI", "",
             "1.", "Công tác vệ sinh môi trường", "", "a) Thu gom rác thải", "", "- Tổ chức thu gom rác thải sau lũ.",
             "", "- Khơi thông cống rãnh bị tắc nghẽn.", "", "b) Tiêu độc, khử trùng", "",
             "- Trung tâm Kiểm soát bệnh tật tỉnh chủ trì cấp hóa chất khử trùng.", "",
             "- Hướng dẫn người dân tự vệ sinh nhà cửa.", "", "III. TỔ CHỨC THỰC HIỆN", "", "1. Sở Y tế", "",
             "- Chủ trì triển khai kế hoạch.", "", "2. Sở Tài chính", "", "- Bố trí kinh phí thực hiện."]
    obls = extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)
    cdc = [o for o in obls if o.lead == ("Trung tâm Kiểm soát bệnh tật tỉnh",)]
    # Its own bullet (and the next one of b), whose subject it is), line by line: not lines 15-28.
    assert cdc and cdc[0].lines == (26, 26) and all(o.lines[0] == o.lines[1] >= 26 for o in cdc)
    assert any(o.lead == ("Sở Y tế",) for o in obls) and any(o.lead == ("Sở Tài chính",) for o in obls)


def test_what_looks_like_a_recurrence_but_is_not() -> None:
    assert parse_time("Ngân hàng ngày càng mở rộng dịch vụ") is None  # "hàng ngày càng" is no "hằng ngày"
    assert parse_time("phục vụ cuộc sống hằng ngày của người dân") is None
    six_monthly = parse_time("Hằng năm, 6 tháng 1 lần tổ chức kiểm tra")
    assert six_monthly is not None and six_monthly.recurrence == "yearly"  # not "yearly:6/1"
    whole_month = parse_time("từ ngày 01/10/2025 đến ngày 31/10/2025")
    assert whole_month is not None and whole_month.names_day  # its days are written, though they bound a month
    month = parse_time("trong tháng 10/2025")
    assert month is not None and not month.names_day
    assert split_units("Các sở, ban, ngành, đoàn thể tỉnh") == ["Các sở, ban, ngành, đoàn thể tỉnh"]
    assert split_units("các tổ chức chính trị - xã hội, hội Nông dân") == ["các tổ chức chính trị - xã hội",
                                                                           "hội Nông dân"]


def test_the_unit_a_first_bullet_names_is_the_unsaid_subject_of_the_next() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "9/KH-UBND", "Chuyển đổi số năm 2025"),
             "I. MỤC ĐÍCH", "", "Nâng cao hiệu quả.", "", "II. TỔ CHỨC THỰC HIỆN", "", "1. Sở Y tế", "",
             "- Chủ trì triển khai kế hoạch.", "", "2. Sở Tài chính", "", "- Bố trí kinh phí thực hiện.", "",
             "3. Chế độ thông tin, báo cáo", "",
             "- Các cơ quan, đơn vị định kỳ trước ngày 13 hằng tháng báo cáo tình hình thực hiện về UBND tỉnh.", "",
             "- Tổng kết kết quả thực hiện Kế hoạch này và gửi về UBND tỉnh trước ngày 05/12/2025."]
    obls = {o.lines: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert obls[(24, 24)].deadline is not None and obls[(24, 24)].deadline.recurrence == "monthly:13"
    summary = obls.get((26, 26))  # its own task, with its own deadline, not part of the monthly report's lines
    assert summary is not None and summary.lead == ("các cơ quan, đơn vị",)
    assert summary.deadline is not None and summary.deadline.end == date(2025, 12, 5)


def test_a_label_before_a_colon_is_not_the_subject_and_a_bank_is_not_monthly() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "9/KH-UBND", "Chi trả trợ cấp"),
             "I. MỤC ĐÍCH", "", "Nâng cao hiệu quả.", "", "II. NỘI DUNG THỰC HIỆN", "",
             "a) Ủy ban nhân dân xã, phường tuyên truyền, vận động người hưởng trợ cấp mở tài khoản.", "",
             "b) Mở tài khoản và phát hành thẻ: Ủy ban nhân dân xã, phường phối hợp với các ngân hàng thương mại mở "
             "tài khoản cho đối tượng.", ""]
    obls = {o.lines: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    # "b) <what is done>: <who does it> …": the unit after the label leads; "ngân hàng thương mại" is no
    # "hằng tháng" (a lenient reading of OCR'd "tháng" must not take "thương").
    assert obls[(16, 16)].lead == ("Ủy ban nhân dân xã, phường",) and obls[(16, 16)].deadline is None
    assert parse_time("các ngân hàng thông tin, ngân hàng thương mại") is None
    monthly = parse_time("báo cáo hằng tháng")
    assert monthly is not None and monthly.recurrence == "monthly"


def test_a_head_that_holds_a_verb_is_part_of_the_name() -> None:
    from corpus.units import subject_at, words_of

    def subject(text: str) -> tuple[str, ...] | None:
        tokens = text.split()
        found = subject_at(words_of(tokens), tokens, 0)
        return found[0] if found else None

    # "quản lý", "chỉ đạo" are verbs after a name, but inside "Ban Quản lý …", "Ban Chỉ đạo …" they name it.
    assert subject("Ban Quản lý các Khu công nghiệp tỉnh chủ trì tổ chức tập huấn") == (
        "Ban Quản lý các Khu công nghiệp tỉnh",)
    assert subject("Ban Chỉ đạo 389 tỉnh chủ trì kiểm tra") == ("Ban Chỉ đạo 389 tỉnh",)
    assert subject("Ban hành kế hoạch kiểm tra") is None


def test_a_unit_set_off_by_a_colon_leads_its_duties_in_the_organisation_part() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "9/KH-UBND", "Quan trắc môi trường"),
             "I. NỘI DUNG", "", "- Các thông số: Độ mặn, pH, oxy hòa tan.", "", "II. TỔ CHỨC THỰC HIỆN", "",
             "1. Sở Nông nghiệp và Môi trường chủ trì tổ chức quan trắc.", "",
             "2. Sở Tài chính: Căn cứ khả năng cân đối ngân sách, trình cấp có thẩm quyền phê duyệt kinh phí.", "",
             "3. Các cơ sở nuôi trồng thủy sản: Theo dõi, giám sát môi trường tại cơ sở.", ""]
    leads = {o.lines[0]: o.lead for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert leads[16] == ("Sở Tài chính",) and leads[18] == ("Các cơ sở nuôi trồng thủy sản",)
    assert 10 not in leads  # outside that part, "Các thông số: …" lists no duties


def test_a_part_title_with_a_full_stop_and_a_long_section_title_over_subsections() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "49/KH-UBND", "Tài chính 03 năm 2026 - 2028"),
             "I. Dự toán kinh phí.", "", "Kinh phí thực hiện: 500.000.000 đồng.", "",
             "II. Tổ chức thực hiện.", "", "1. Sở Tài chính:", "", "- Tham mưu bố trí dự toán kinh phí hằng năm.", "",
             "III. DỰ BÁO TÁC ĐỘNG VÀ GIẢI PHÁP", "",
             "1. Các giải pháp tổ chức thực hiện kế hoạch tài chính - ngân sách nhà nước 03 năm 2026 - 2028", "",
             "1.1. Thu ngân sách", "", "- Theo dõi chặt chẽ tiến độ thu ngân sách trên từng địa bàn.", ""]
    assert classify("II. Tổ chức thực hiện.") == "part"
    assert classify("II. Sở Tài chính thực hiện các việc sau đây theo kế hoạch.") == "text"
    assert classify("II. Sở Y tế chủ trì thực hiện.") == "text"  # short, but no section's name
    outline = parse(lines, lines)
    roles = {outline.lines(u)[0]: u.role for u, _ in outline.walk() if u.kind in ("part", "num")}
    assert roles[8] == "funding" and roles[12] == "org" and roles[14] == "org"  # not the budget part's
    # a numbered section over numbered subsections is a title, however long: its words give the role
    assert roles[20] == "org" and roles[22] == "org"
    leads = {o.lines[0]: o.lead for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert leads[14] == ("Sở Tài chính",)
    assert leads[20] == ("UBND tỉnh",)  # the solutions under it are tasks, the issuer's where none is named


def test_a_task_list_that_names_its_lead_after_the_task_in_brackets_or_after_a_semicolon() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "45/KH-UBND", "Phòng, chống bệnh dại năm 2025"),
             "I. NHIỆM VỤ, GIẢI PHÁP", "",
             "1. Rà soát, thống kê tổng đàn chó, mèo trên địa bàn (Sở Nông nghiệp và Môi trường chủ trì, phối hợp "
             "với Sở Y tế; thời gian hoàn thành: Quý II/2025).", "",
             "2. Tổ chức tiêm phòng vắc xin dại cho đàn chó, mèo (UBND các xã thực hiện; hoàn thành trước ngày "
             "30/6/2025).", "",
             "3. Tuyên truyền về phòng, chống bệnh dại (Báo và Phát thanh, Truyền hình tỉnh chủ trì).", "",
             "4. Giám sát, điều tra ổ dịch dại trên người; Sở Y tế chủ trì, thời gian thực hiện: cả năm 2025.", "",
             "5. Tổ chức tập huấn cho cán bộ thú y (theo hướng dẫn của Cục Thú y).", "",
             "6. Tổ chức hội nghị sơ kết (Cơ quan chủ trì: Sở Nội vụ; thời gian: Quý III/2025).", "",
             "7. Kiểm tra công tác tiêm phòng; đơn vị thực hiện: Chi cục Chăn nuôi và Thú y.", "",
             "II. TỔ CHỨC THỰC HIỆN", "",
             "1. Sở Nông nghiệp và Môi trường", "Chủ trì triển khai Kế hoạch; báo cáo UBND tỉnh trước ngày 15/12/2025.",
             ""]
    obls = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert obls[10].lead == ("Sở Nông nghiệp và Môi trường",) and obls[10].support == ("Sở Y tế",)
    assert obls[10].deadline is not None and obls[10].deadline.text == "thời gian hoàn thành: Quý II/2025"
    assert obls[12].lead == ("UBND các xã, phường",) and obls[12].deadline is not None  # the gazetteer's name
    assert obls[12].deadline.text == "trước ngày 30/6/2025"  # the bracket closing it is not part of the quote
    assert obls[14].lead == ("Báo và Phát thanh, Truyền hình tỉnh",)
    assert obls[16].lead == ("Sở Y tế",)
    # a bracket that names no one doing the task leaves it to the issuer, as any task that names no unit
    assert obls[18].lead == ("UBND tỉnh",)
    # a field label in the bracket or after a semicolon is no subject ("Cơ quan" is not the lead)
    assert obls[20].lead == ("Sở Nội vụ",) and obls[22].lead == ("Chi cục Chăn nuôi và Thú y",)


def test_a_task_title_that_says_who_leads_leads_the_tasks_under_it() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "51/KH-UBND", "Chuyển đổi số năm 2026"),
             "II. NHIỆM VỤ, GIẢI PHÁP", "",
             "1. Sở Khoa học và Công nghệ chủ trì, phối hợp với các sở, ngành thực hiện các nhiệm vụ sau:", "",
             "- Xây dựng nền tảng dữ liệu dùng chung.", "", "- Hoàn thành trục tích hợp trước ngày 30/9/2026.", "",
             "2. Phát triển hạ tầng số", "", "- Phủ sóng 5G toàn tỉnh.", ""]
    obls = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert obls[12].lead == obls[14].lead == ("Sở Khoa học và Công nghệ",)
    assert obls[12].support == ("các sở, ngành",)
    assert obls[16].lead == ("UBND tỉnh",)  # a title naming a task: the issuer's, as before


def test_lettered_and_unnumbered_unit_headings_lead_the_bullets_under_them() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "50/KH-UBND", "Phòng chống dịch bệnh năm 2026"),
             "III. TỔ CHỨC THỰC HIỆN", "", "1. Trách nhiệm của các sở, ngành", "",
             "a) Sở Y tế", "", "- Hướng dẫn chuyên môn phòng, chống dịch bệnh.", "",
             "- Báo cáo kết quả về UBND tỉnh trước ngày 15/12/2026.", "",
             "b) Sở Giáo dục và Đào tạo chủ trì, phối hợp với Sở Y tế:", "",
             "- Tuyên truyền phòng bệnh trong trường học.", "",
             "2. Sở Nội vụ", "", "a) Công tác thi đua", "", "- Hướng dẫn khen thưởng.", "",
             "IV. TRÁCH NHIỆM CỦA ĐỊA PHƯƠNG", "", "UBND các xã, phường:", "",
             "- Tổ chức vệ sinh môi trường, diệt lăng quăng.", "", "- Báo cáo kết quả trước ngày 10/12/2026.", ""]
    obls = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert obls[14].lead == obls[16].lead == ("Sở Y tế",)
    assert obls[18].lead == ("Sở Giáo dục và Đào tạo",) and obls[18].support == ("Sở Y tế",)
    assert obls[22].lead == ("Sở Nội vụ",)  # a lettered title that names a task keeps the unit above it
    # an unnumbered heading that is a unit's name and a colon leads the bullets after it, and is no task itself
    assert 30 not in obls and obls[32].lead == obls[34].lead == ("UBND các xã, phường",)


def test_unit_headings_reach_no_further_than_their_own_tasks() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "52/KH-UBND", "Phòng chống dịch bệnh năm 2026"),
             "I. NHIỆM VỤ, GIẢI PHÁP", "", "UBND các xã, phường:", "", "- Tổ chức vệ sinh môi trường.", "",
             "1. Công tác truyền thông", "", "- Tăng cường tuyên truyền phòng bệnh.", "",
             "II. TỔ CHỨC THỰC HIỆN", "", "1. Sở Y tế", "", "a) Phòng, chống dịch bệnh", "",
             "- Giám sát ca bệnh tại cộng đồng.", "",
             "2. Giao Sở Tài chính chủ trì, chịu", "trách nhiệm: bố trí kinh phí; báo cáo UBND tỉnh trước ngày "
             "15/12/2026.", ""]
    obls = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert obls[12].lead == ("UBND các xã, phường",)
    # the heading "UBND các xã, phường:" ends at the next section
    assert 16 not in obls or obls[16].lead != ("UBND các xã, phường",)
    # "a) Phòng, chống dịch bệnh" names a field of work, not a body: the unit above it leads
    assert obls[20].lead == ("Sở Y tế",) and obls[20].lines == (20, 24)
    # a wrapped "chịu / trách nhiệm:" is no field label: the lead stays the one "Giao" names
    assert obls[26].lead == ("Sở Tài chính",) and obls[26].deadline is not None


def test_bullets_straight_under_a_part_do_not_inherit_the_first_ones_unit() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "53/KH-UBND", "Chuyển đổi số năm 2026"),
             "I. NHIỆM VỤ, GIẢI PHÁP", "", "- Sở Khoa học và Công nghệ chủ trì xây dựng nền tảng dữ liệu.", "",
             "- Tăng cường tuyên truyền về chuyển đổi số.", "", "II. TỔ CHỨC THỰC HIỆN", "", "1. Sở Nội vụ", "",
             "- Hướng dẫn thi đua.", "", "2. Sở Tài chính", "", "- Bố trí kinh phí.", ""]
    leads = {o.lines[0]: o.lead for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert leads[10] == ("Sở Khoa học và Công nghệ",)
    assert leads.get(12) != ("Sở Khoa học và Công nghệ",)
    assert leads[16] == ("Sở Nội vụ",) and leads[20] == ("Sở Tài chính",)


def test_a_lead_named_inside_the_task_as_a_field_or_by_giao_after_a_comma() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "48/KH-UBND", "Cải cách hành chính năm 2026"),
             "I. NHIỆM VỤ, GIẢI PHÁP", "",
             "1. Rà soát thủ tục hành chính nội bộ, giao Sở Tư pháp chủ trì thực hiện, hoàn thành trong quý III/2026.",
             "", "2. Số hóa hồ sơ thủ tục hành chính. Cơ quan chủ trì: Sở Khoa học và Công nghệ; cơ quan phối hợp: "
             "UBND các xã; thời gian hoàn thành: tháng 10/2026.", "",
             "3. Bồi dưỡng kỹ năng số cho công chức (Trách nhiệm thực hiện: Sở Nội vụ; thời gian: năm 2026).", ""]
    obls = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert obls[10].lead == ("Sở Tư pháp",) and obls[10].deadline is not None
    assert obls[12].lead == ("Sở Khoa học và Công nghệ",) and obls[12].support[0].startswith("UBND các xã")
    assert obls[14].lead == ("Sở Nội vụ",)
    assert obls[14].deadline is not None and obls[14].deadline.kind == "year"


def test_titles_of_the_organisation_part_that_encourage_direct_or_only_name_a_unit() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "46/KH-UBND", "Chuyển đổi số năm 2026"),
             "I. TỔ CHỨC THỰC HIỆN", "",
             "1. Sở Nông nghiệp và Môi trường", "chỉ đạo Chi cục Thủy lợi thực hiện các nội dung sau:", "",
             "- Lập dự toán kinh phí quan trắc, trình Sở Tài chính thẩm định.", "",
             "2. Khuyến khích Liên đoàn Lao động tỉnh, Hội Nông dân tỉnh xây dựng kế hoạch hành động và tham gia "
             "phát triển kinh tế số.", "",
             "3. Đề nghị các tổ chức cung", "cấp dịch vụ chi trả", "",
             "a) Tích cực tham gia phong trào thi đua chi trả không dùng tiền mặt.", "",
             "4. Tỉnh", "đoàn", "",
             "Chỉ đạo hệ thống tổ chức Đoàn các cấp tham gia mạng lưới hỗ trợ chuyển đổi số.", "",
             "5. Sở Công Thương", "", "- Khuyến khích các doanh nghiệp tham gia sàn thương mại điện tử.", "",
             "6. Báo và Phát thanh, Truyền hình tỉnh và các cơ quan báo chí đóng trên địa bàn", "",
             "Tuyên truyền sâu rộng về nội dung Kế hoạch.", ""]
    leads = {o.lines[0]: o.lead for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    # "X chỉ đạo Y thực hiện": both answer for it; the name ends at the verb
    assert leads[10] == ("Sở Nông nghiệp và Môi trường", "Chi cục Thủy lợi")
    assert leads[15] == ("Liên đoàn Lao động tỉnh", "Hội Nông dân tỉnh")
    # a bare collective and the verb that restricts it are one name
    assert leads[17] == ("các tổ chức cung cấp dịch vụ chi trả",)
    assert leads[22] == ("Tỉnh đoàn",)
    # a unit's duty to encourage others stays its own
    assert leads[27] == ("Sở Công Thương",)
    # a title that is names alone is read whole: "báo chí đóng" is no "chủ động"
    assert leads[31] == ("Báo và Phát thanh, Truyền hình tỉnh", "các cơ quan báo chí đóng trên địa bàn")


def test_a_task_list_grouped_under_unit_headings_gives_each_group_its_unit() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "47/KH-UBND", "Phòng, chống thiên tai năm 2026"),
             "I. NHIỆM VỤ CỤ THỂ", "",
             "1. Sở Nông nghiệp và Môi trường", "",
             "- Rà soát phương án ứng phó thiên tai, hoàn thành trước ngày 30/4/2026.", "",
             "- Kiểm tra an toàn hồ đập trước mùa mưa lũ.", "",
             "2. UBND các xã, phường", "",
             "- Xây dựng phương án sơ tán dân, hoàn thành trong quý II/2026.", "",
             "3. Tổ chức diễn tập ứng phó thiên tai cấp tỉnh", "",
             "a) Sở Y tế: Chuẩn bị cơ số thuốc, hóa chất phòng dịch sau thiên tai.", "",
             "b) Bố trí lực lượng xung kích tại các điểm sơ tán.", "",
             "II. TỔ CHỨC THỰC HIỆN", "",
             "Các sở, ngành, địa phương báo cáo kết quả trước ngày 15/12/2026.", ""]
    obls = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert obls[12].lead == obls[14].lead == ("Sở Nông nghiệp và Môi trường",)
    assert obls[16].lead == ("UBND các xã, phường",) and obls[16].deadline is not None
    # under a title that names a task, not a unit: a known body before a colon leads its item, the issuer the rest
    assert obls[22].lead == ("Sở Y tế",)
    assert obls[24].lead == ("UBND tỉnh",)
    heads = [*lines[:8], "1. Ban Quản lý các khu công nghiệp tỉnh", "", "- Rà soát phương án phòng cháy tại các khu.",
             ""]
    assert [o.lead for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", heads, heads)] == [
        ("Ban Quản lý các khu công nghiệp tỉnh",)]  # "quản lý" is its head's word, not a verb


def test_a_noun_label_and_its_list_describe_the_plan_they_assign_nothing() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "9/KH-UBND", "Quan trắc môi trường"),
             "I. NỘI DUNG", "", "1. Vùng nuôi tôm", "",
             "- Địa điểm quan trắc: Vùng nuôi tôm thuộc xã Tân Lạc.", "",
             "- Mẫu trầm tích: pH đất, sulfur tổng số, Cu, Pb, Zn.", "",
             "- Nhiệm vụ: Xây dựng bản đồ các điểm quan trắc trước ngày 30/11/2025.", "",
             "- Tuyên truyền: Hướng dẫn người nuôi tự quan trắc chất lượng nước.", ""]
    found = {o.lines[0] for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert found == {16, 18}  # the work (a verb before or after the label), not the places and parameters


def test_unit_lists_split_where_a_new_name_begins() -> None:
    assert split_units("Các sở, ngành, UBND xã, phường, đặc khu") == ["Các sở, ngành", "UBND xã, phường, đặc khu"]
    assert split_units("Sở Văn hóa, Thể thao và Du lịch; Sở Nội vụ") == ["Sở Văn hóa, Thể thao và Du lịch",
                                                                           "Sở Nội vụ"]
    assert split_units("Sở Tài chính (cơ quan chủ trì)") == ["Sở Tài chính"]
    # Kinds of bodies listed in lower case are one collective; a capitalised "Ban …" is a name of its own.
    assert split_units("Thủ trưởng sở, ban, ngành thành phố, Chủ tịch UBND xã") == [
        "Thủ trưởng sở, ban, ngành thành phố", "Chủ tịch UBND xã"]
    assert split_units("Các Sở, ban, ngành khác") == ["Các Sở, ban, ngành khác"]
    assert split_units("Sở Tài chính, Ban Quản lý các Khu công nghiệp") == ["Sở Tài chính",
                                                                             "Ban Quản lý các Khu công nghiệp"]
    assert starts_unit("Báo Hòa Bình") and not starts_unit("Bảo đảm an toàn thông tin")
    # the province's merged newspaper and broadcaster has a comma in its name; the e-portal is a body of its own
    assert split_units("Báo và Phát thanh, Truyền hình Hòa Bình, Cổng Thông tin điện tử tỉnh") == [
        "Báo và Phát thanh, Truyền hình Hòa Bình", "Cổng Thông tin điện tử tỉnh"]
    assert starts_unit("Đoàn Thanh niên") and not starts_unit("Hoàn thành trước quý IV")


def test_a_subject_is_read_whole_however_the_plan_writes_its_list() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "12/KH-UBND", "Phát động đợt thi đua năm 2026"),
             "I. NỘI DUNG THI ĐUA", "", "1. Thi đua hoàn thành các chỉ tiêu phát triển kinh tế - xã hội.", "",
             "2. Thi đua đẩy mạnh cải cách hành chính.", "", "II. TỔ CHỨC THỰC HIỆN", "",
             "1. Thời gian thực hiện", "", "Từ ngày ban hành đến hết năm 2026.", "", "2. Trách nhiệm thực hiện", "",
             "- Các cơ quan, đơn vị, địa phương, doanh nghiệp căn cứ chức năng, nhiệm vụ được giao xây dựng kế",
             "hoạch hưởng ứng đợt thi đua.", "",
             "- Đề nghị Ủy ban Mặt trận Tổ quốc tỉnh, các tổ chức chính trị - xã hội vận động hội viên tham gia.",
             "", "- Hội đồng Thi đua - Khen thưởng tỉnh phân công rõ trách nhiệm các thành viên.", "",
             "- Các cơ quan, đơn vị căn cứ Kế hoạch này tổ chức phát động thi đua.", ""]
    found = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    # a collective of lower-case kinds is one body; "căn cứ chức năng …", "căn cứ Kế hoạch này" follow a subject
    assert found[22].lead == ("các cơ quan, đơn vị, địa phương, doanh nghiệp",)
    assert found[29].lead == ("các cơ quan, đơn vị",)
    # a known name written short ends where it is written: the next body of the list is not swallowed
    assert len(found[25].lead) == 2 and found[25].lead[0].startswith("Ủy ban Mặt trận Tổ quốc")
    assert found[25].lead[0].endswith("tỉnh") and same_unit(found[25].lead[1], "các tổ chức chính trị - xã hội")
    # a known name with a dash in it, and its level
    assert found[27].lead == ("Hội đồng Thi đua - Khen thưởng tỉnh",)
    # an OCR slip in the last word of a known name still names it as the subject
    from corpus.units import subject_at, words_of

    tokens = ["Sở", "Giáo", "dục", "và", "Đào", "1ạo", "chủ", "trì,", "phối", "hợp", "với", "Sở", "Y", "tế"]
    assert subject_at(words_of(tokens), tokens, 0) == (("Sở Giáo dục và Đào tạo",), 6)


# ---------------------------------------------------------------- headers and ids


def test_header_of_a_decision_split_over_lines() -> None:
    plan = _plan("decision_with_table.txt")
    meta = read_header(plan.doc, plan.lines)
    assert (meta.kind, meta.number, meta.date) == ("decision", "715/QĐ-UBND", "2025-11-26")
    assert (meta.issuer, meta.level, meta.locality) == ("Ủy ban nhân dân tỉnh Hòa Bình", "tỉnh", "Hòa Bình")
    assert meta.title.startswith("Ban hành kế hoạch phát triển du lịch cộng đồng")
    assert meta.implements == ("09/2017/QH14", "147/QĐ-TTg")  # not the proposal "88/TTr-SVHTTDL"
    assert (meta.signer, meta.signer_title) == ("Trần Thị Bình", "Phó Chủ tịch")
    assert meta.attached_title == "Phát triển du lịch cộng đồng giai đoạn 2026 - 2030"


def test_header_without_diacritics_gets_them_from_the_gazetteer() -> None:
    plan = _plan("commune_ocr_header.txt")
    meta = read_header(plan.doc, plan.lines)
    assert (meta.level, meta.locality, meta.province) == ("xã", "Sa Thầy", "Quảng Ngãi")
    assert meta.number == "41/KH-UBND" and meta.date == "2025-10-02" and meta.plan_id == "sa-thay-41"


def test_a_file_with_no_header_keeps_its_stem_and_says_what_is_missing(tmp_path: Path) -> None:
    lines = ("Một số việc cần làm trong tháng.", "", "- Rà soát hồ sơ trước ngày 10/12/2025.")
    meta, missing = resolve_meta("ghi-chu.txt", lines, Manifest({}))
    assert meta.plan_id == "ghi-chu" and {"issuer", "number", "date"} <= set(missing)


def test_two_plans_with_one_id_both_stay_and_a_warning_names_both() -> None:
    a = PlanMeta(doc="a.txt", plan_id=make_id("a.txt", "12/KH-UBND", "Hòa Bình", ""))
    b = PlanMeta(doc="b.txt", plan_id=make_id("b.txt", "12/KH-UBND", "Hòa Bình", ""))
    metas, warnings = unique_ids([a, b])
    assert [m.plan_id for m in metas] == ["hoa-binh-12", "hoa-binh-12-2"]
    assert len(warnings) == 1 and "a.txt" in warnings[0] and "b.txt" in warnings[0]


def test_the_manifest_only_overrides() -> None:
    plan = _plan("field_blocks.txt")
    meta, _ = resolve_meta(plan.doc, plan.lines, Manifest({plan.doc: {"plan_id": "nong-nghiep-so"}}))
    assert meta.plan_id == "nong-nghiep-so" and meta.number == "12/KH-UBND" and meta.locality == "Hòa Bình"


def test_every_value_of_a_table_flattened_one_cell_per_line_is_in_a_passage() -> None:
    # An appendix table the structure reader does not rebuild (no column headings it knows): its values are bare
    # numbers and short cells, one per line. Each must be in some chunk; before, "48" and "732" were dropped as
    # page numbers and "02 lần/tháng" as a title heading nothing.
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "9/KH-UBND", "Quan trắc môi trường năm 2026"),
             "I. NỘI DUNG", "", "1. Lấy mẫu nước tại các vùng nuôi tôm theo phụ lục kèm theo.", "",
             "PHỤ LỤC", "SỐ LƯỢNG MẪU QUAN TRẮC", "", "Môi trường nuôi cá lồng:", "03 khu vực nuôi", "",
             "02 lần/tháng", "", "08 tháng", "(từ tháng 3 đến tháng 10)", "", "3", "", "48", "", "Tổng cộng", "",
             "732", "", "7", "", "", "", "2. Kết quả gửi Sở Nông nghiệp và Môi trường."]
    chunks = chunk_plan("t.txt", "p", "h", tuple(lines), tuple(lines), with_segmentation=False)
    text = "\n".join(c.restored_text for c in chunks)
    for value in ("02 lần/tháng", "48", "Tổng cộng", "732", "Kết quả gửi"):
        assert value in text.split("\n") or value in text, value
    covered = {n for c in chunks for n in range(c.line_start, c.line_end + 1)}
    assert {18, 25, 29} <= covered
    # "7" set apart by page-break blank lines is the page's number, not a value of the row it follows.
    outline = parse(lines, lines)
    texts = [outline.text(n.start, n.end) for n, _ in outline.walk() if n.end > n.start]
    assert "732" in texts and "7" not in texts
    # A table's total on the plan's last line is a value too, not a page number.
    last = chunk_plan("t.txt", "p", "h", tuple(lines[:29]), tuple(lines[:29]), with_segmentation=False)
    assert any("732" in c.restored_text.split() for c in last)


def test_a_numbered_line_ending_with_a_comma_goes_on_and_its_request_names_every_unit() -> None:
    # Hard-wrapped: "17. Khuyến khích A, B," / "C xây dựng …" is one item, addressed to all three; before, its first
    # line was read as a title over a paragraph led by C alone.
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI", "9/KH-UBND", "Phát triển kinh tế số"),
             "I. TỔ CHỨC THỰC HIỆN", "", "1. Sở Khoa học và Công nghệ chủ trì, hướng dẫn triển khai Kế hoạch.", "",
             "2. Khuyến khích Liên đoàn Lao động tỉnh, Hội Nông dân tỉnh,",
             "Liên minh Hợp tác xã xây dựng kế hoạch hành động và chỉ đạo hệ thống tổ chức",
             "thành viên tham gia phát triển công nghệ số.", ""]
    found = {o.lines: o.lead for o in extract_obligations("t.txt", "p", "tỉnh Đồng Nai", lines, lines)}
    assert found[(12, 14)] == ("Liên đoàn Lao động tỉnh", "Hội Nông dân tỉnh", "Liên minh Hợp tác xã")


def test_a_lead_cell_that_says_what_its_units_do_names_only_the_units() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "9/KH-UBND", "Dữ liệu mở"), "I. NHIỆM VỤ", "",
             "TT", "", "Nhiệm vụ", "", "Cơ quan chủ trì", "", "Thời gian hoàn thành", "",
             "1", "", "Công bố dữ liệu mở phục vụ phát triển kinh tế số.", "",
             "Sở KH&CN chủ trì hướng dẫn, tổng hợp; Các sở, ngành, UBND cấp xã thực", "hiện công bố hằng năm.", "",
             "Năm 2026", "", "2", "", "Cập nhật cơ sở dữ liệu đất đai.", "", "Sở Tài chính; UBND các xã, phường", "",
             "Năm 2027", ""]
    rows = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Bắc Ninh", lines, lines)}
    assert rows[18].lead == ("Sở KH&CN", "Các sở, ngành", "UBND cấp xã")
    assert rows[27].lead == ("Sở Tài chính", "UBND các xã, phường")
    # A name that holds such a verb goes on with a capital: the body is named whole.
    assert before_assigning("Ban Chỉ đạo thực hiện Chương trình MTQG tỉnh") == "Ban Chỉ đạo thực hiện Chương trình MTQG tỉnh"
    assert before_assigning("UBND cấp xã thực hiện công bố dữ liệu") == "UBND cấp xã"


def test_a_task_heading_that_names_a_period_frames_the_tasks_under_it() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "61/KH-UBND", "Phát triển du lịch"),
             "I. NHIỆM VỤ, GIẢI PHÁP", "", "1. Các giải pháp thực hiện kế hoạch 03 năm 2026 - 2028", "",
             "- Sở Văn hóa, Thể thao và Du lịch chủ trì quảng bá điểm đến trên nền tảng số.", "",
             "- Sở Tài chính bố trí kinh phí trước ngày 15/01/2026.", "",
             "2. Nhiệm vụ năm 2025 và định hướng năm 2026", "", "- Sở Nội vụ rà soát biên chế.", "",
             "3. Triển khai thi hành Luật Đất đai năm 2024", "", "- Sở Tài chính chủ trì hướng dẫn định giá đất.", ""]
    by_line = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    framed = by_line[12].deadline
    assert by_line[12].lead == ("Sở Văn hóa, Thể thao và Du lịch",)
    assert framed is not None and (framed.kind, framed.start, framed.end) == (
        "range", date(2026, 1, 1), date(2028, 12, 31))
    assert by_line[12].deadline_lines == (10, 10)
    own = by_line[14].deadline  # a task's own date wins over its heading's period
    assert own is not None and own.kind == "day" and own.end == date(2026, 1, 15)
    assert by_line[16].deadline is None  # a heading naming two times frames nothing
    assert by_line[20].deadline is None  # the year of a law the heading cites dates the law


def test_a_sentence_that_hands_work_to_a_unit_is_a_task_in_a_section_that_holds_none() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "62/KH-UBND", "Thi đua chi trả không dùng tiền mặt"),
             "I. KẾT QUẢ THỰC HIỆN NĂM 2024", "", "Năm 2024, Sở Y tế chủ trì tổ chức 12 lớp tập huấn cho cán bộ xã.",
             "", "II. TIÊU CHÍ ĐÁNH GIÁ", "",
             "a) Trên cơ sở kết quả thực hiện các chỉ tiêu, giao Sở Y tế thành lập đoàn kiểm tra, đánh giá kết quả thi "
             "đua.", "", "b) Tập thể đạt từ 90 điểm trở lên được xếp loại xuất sắc.", "",
             "III. TỔ CHỨC THỰC HIỆN", "", "Sở Tài chính bố trí kinh phí thực hiện.", ""]
    found = {o.lines[0]: o.lead for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert found.get(14) == ("Sở Y tế",)  # named by "giao", cut before its verb "thành lập"
    assert 10 not in found and 16 not in found  # a review says what was done; a criterion assigns nothing
    other = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "64/KH-UBND", "Cải cách hành chính"),
             "I. MỤC ĐÍCH, YÊU CẦU", "", "- Giao chỉ tiêu cụ thể cho từng xã, phường.", "",
             "II. NHIỆM VỤ", "", "2. Cắt giảm thời gian thực hiện thủ tục hành chính", "",
             "- Sở Tư pháp rà soát quy trình nội bộ.", ""]
    leads = {o.lines[1]: o.lead for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", other, other)}
    assert 10 not in leads  # "Giao chỉ tiêu …" names no unit
    assert leads.get(16) == ("Sở Tư pháp",)  # a task about a time limit is no period section
    assert found.get(20) == ("Sở Tài chính",)


def test_a_period_item_in_the_organisation_part_says_when_the_plan_runs_and_assigns_nothing() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "63/KH-UBND", "Đợt thi đua chào mừng Đại hội"),
             "I. NỘI DUNG", "", "1. Đẩy mạnh tuyên truyền về Đợt thi đua.", "",
             "II. THỜI GIAN VÀ TRÁCH NHIỆM THỰC HIỆN", "", "1. Thời gian thực hiện", "",
             "Đợt thi đua được triển khai thực hiện từ ngày ban hành Kế hoạch đến hết năm 2026.", "",
             "2. Trách nhiệm thực hiện", "", "a) Sở Nội vụ hướng dẫn các cơ quan đăng ký thi đua.", ""]
    found = {o.lines: o.lead for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert not [span for span in found if span[0] <= 16 and span[1] >= 14], found
    assert [lead for span, lead in found.items() if span[1] == 20] == [("Sở Nội vụ",)]


def test_a_heading_in_capitals_with_body_text_right_below_it_is_a_part() -> None:
    lines = ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ CẦN THƠ", "Số: 12/KH-UBND", "KẾ HOẠCH", "Bảo đảm trật tự an toàn giao thông",
             "II. MỤC TIÊU", "a) Giảm 5% số vụ tai nạn giao thông.", "b) 100% học sinh được tuyên truyền về",
             "luật giao thông.", "III. NHIỆM VỤ, GIẢI PHÁP", "Các sở, ban, ngành thành phố tập trung thực hiện",
             "các nhiệm vụ sau đây.", "1. Tuyên truyền", "a) Sở Y tế chủ trì tổ chức tập huấn sơ cứu, hoàn thành",
             "trong tháng 11/2025."]
    outline = parse(lines)
    parts = [outline.lines(n)[0] for n, _ in outline.walk() if n.kind == "part"]
    assert 10 in parts, parts  # not the tail of item b)
    obls = extract_obligations("t.txt", "p", "thành phố Cần Thơ", lines, lines)
    assert [o.lead for o in obls] == [("Sở Y tế",)] and obls[0].lines[0] <= 14 <= obls[0].lines[1]
    assert obls[0].deadline is not None and obls[0].deadline.kind == "month"


def test_one_cell_that_names_the_lead_and_the_support_by_their_labels() -> None:
    lines = [*_letterhead("BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "64/KH-BNNMT", "Chuyển đổi số năm 2026"),
             "I. NHIỆM VỤ", "", "STT", "", "Nhiệm vụ", "", "Đơn vị thực hiện", "", "Thời hạn", "",
             "1", "", "Xây dựng cơ sở dữ liệu đất đai", "", "Chủ trì: Cục Quản lý đất đai; phối hợp:",
             "Cục Chuyển đổi số", "", "Quý IV/2026", "",
             "2", "", "Hiện đại hóa mạng lưới quan trắc", "", "Chủ trì: Cục Khí tượng", "Thủy văn",
             "Phối hợp: Vụ Kế hoạch - Tài chính", "", "Năm 2027", ""]
    obls = extract_obligations("t.txt", "p", "Bộ Nông nghiệp và Môi trường", lines, lines)
    assert [(o.lead, o.support) for o in obls] == [
        (("Cục Quản lý đất đai",), ("Cục Chuyển đổi số",)),
        (("Cục Khí tượng Thủy văn",), ("Vụ Kế hoạch - Tài chính",))]


def test_prose_that_assigns_several_tasks_a_paragraph_gives_each_sentence_its_lead() -> None:
    lines = ["ỦY BAN NHÂN DÂN", "XÃ NAM PHÚC", "Số: 47/KH-UBND", "KẾ HOẠCH", "Chuyển đổi số năm 2025",
             "III. NHIỆM VỤ", "1. Xây dựng chính quyền số",
             "Giao Văn phòng HĐND và UBND xã chủ trì rà soát văn bản đi được ký số, hoàn thành",
             "trước ngày 30/9/2025. Giao Công an xã chủ trì kích hoạt tài khoản định danh điện tử",
             "cho công dân, hoàn thành trong tháng 10/2025. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam xã",
             "phối hợp tuyên truyền, vận động Nhân dân tham gia."]
    obls = extract_obligations("t.txt", "p", "xã Nam Phúc", lines, lines)
    got = [(o.lead, o.deadline.end if o.deadline else None) for o in obls]
    assert got == [(("Văn phòng HĐND và UBND xã",), date(2025, 9, 30)), (("Công an xã",), date(2025, 10, 31)),
                   (("Ủy ban Mặt trận Tổ quốc Việt Nam xã",), None)], got


@pytest.mark.parametrize(("text", "kind", "recurrence"), [
    ("Sở Y tế chỉ đạo các bệnh viện trực cấp cứu 24/24 giờ; thực hiện thường xuyên.", "continuous", ""),
    ("Tuyên truyền kỹ năng phòng tránh thiên tai cho người dân (thường xuyên).", "continuous", ""),
    ("Cung cấp bản tin thời tiết nguy hiểm hằng ngày trong mùa mưa bão.", "recurring", "daily"),
    # "thường xuyên" right before a verb says how often the work is done
    ("Phòng Văn hóa phối hợp các xã thường xuyên kiểm tra, xử lý vi phạm về quảng cáo.", "continuous", ""),
])
def test_a_closing_clause_that_says_how_often_is_the_deadline(text: str, kind: str, recurrence: str) -> None:
    found = find_deadlines(text)
    assert [(d.kind, d.recurrence) for d, _, _ in found] == [(kind, recurrence)], text


@pytest.mark.parametrize("text", ["Kinh phí chi thường xuyên 500 triệu đồng.",
                                  "Chi đầu tư 2 tỷ đồng; thường xuyên 500 triệu đồng.",
                                  "Bố trí kinh phí chi thường xuyên thực hiện nhiệm vụ giáo dục nghề nghiệp.",
                                  "Bố trí nguồn kinh phí thường xuyên theo phân cấp ngân sách.",
                                  "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên chủ trì mở lớp xóa mù chữ.",
                                  "Một số xã không thường xuyên cập nhật dữ liệu hộ nghèo."])
def test_thuong_xuyen_inside_a_clause_names_a_thing(text: str) -> None:
    assert find_deadlines(text) == [], text


@pytest.mark.parametrize(("text", "kind", "first", "last", "recurrence"), [
    # "vào" a time says when the work is done, as "trước" says by when
    ("Sở Nội vụ tham mưu tổ chức sơ kết 01 năm thực hiện vào tháng 10/2026.", "month", date(2026, 10, 1),
     date(2026, 10, 31), ""),
    ("Tổ chức hội nghị tổng kết vào Quý IV/2026.", "quarter", date(2026, 10, 1), date(2026, 12, 31), ""),
    ("Phấn đấu 100% hồ sơ được số hóa vào năm 2030.", "year", date(2030, 1, 1), date(2030, 12, 31), ""),
    # a yearly day after the verb that completes the work
    ("Hằng năm, hoàn thành trước ngày 30/11.", "recurring", None, None, "yearly:30/11"),
])
def test_when_a_task_is_done_by_vao_or_by_a_yearly_day(text: str, kind: str, first: date | None, last: date | None,
                                                       recurrence: str) -> None:
    assert [(d.kind, d.start, d.end, d.recurrence) for d, _, _ in find_deadlines(text)] == [
        (kind, first, last, recurrence)], text


@pytest.mark.parametrize(("text", "times"), [
    ("Đưa vào sử dụng hệ thống quản lý văn bản năm 2026.", []),
    # a date right after a verb that dates a document or a start is no deadline (corpus/data/dating_verbs.txt) …
    ("Rà soát các văn bản do tỉnh ban hành trước ngày 01/7/2025.", []),
    ("Căn cứ Luật Dữ liệu có hiệu lực vào ngày 01/7/2025, rà soát các quy trình.", []),
    ("Bắt đầu triển khai vào năm 2026 và hoàn thành trước ngày 31/12/2027.", [("day", None, date(2027, 12, 31), "")]),
    # … after the verb's object it is one
    ("UBND xã ban hành kế hoạch trước ngày 15/10/2025.", [("day", None, date(2025, 10, 15), "")]),
    # "vào" a month or quarter of no year: the recurrence says when
    ("Cập nhật dữ liệu vào tháng 3 hằng năm.", [("recurring", None, None, "yearly")]),
    # what a year completes is no day of it
    ("Hằng năm, hoàn thành 01-02 đợt kiểm tra.", [("recurring", None, None, "yearly")]),
])
def test_when_a_date_is_no_deadline_of_the_task(text: str, times: list[tuple[str, date | None, date | None, str]]
                                                ) -> None:
    assert [(d.kind, d.start, d.end, d.recurrence) for d, _, _ in find_deadlines(text)] == times, text


# The letterhead of a provincial plan written for the tests below.
_QUANG_NGAI = ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "Số: 205/KH-UBND", "KẾ HOẠCH", "Phòng, chống thiên tai"]


def test_a_lead_stated_once_under_a_section_title_leads_its_tasks() -> None:
    lines = [*_QUANG_NGAI, "II. NHIỆM VỤ, GIẢI PHÁP", "3. Công tác tìm kiếm cứu nạn", "Cơ quan chủ trì: Bộ Chỉ huy Quân sự tỉnh.",
             "a) Xây dựng kế hoạch ứng phó sự cố, thiên tai năm 2025 (cơ quan phối hợp: Công an tỉnh;",
             "thời gian: tháng 9/2025).", "b) Tổ chức diễn tập phòng thủ dân sự tại 02 xã (thời gian: Quý IV/2025).",
             "c) Sở Y tế chủ trì bố trí kíp cấp cứu cơ động (thời gian: thường xuyên)."]
    obls = extract_obligations("t.txt", "p", "tỉnh Quảng Ngãi", lines, lines)
    assert [o.lead for o in obls] == [("Bộ Chỉ huy Quân sự tỉnh",), ("Bộ Chỉ huy Quân sự tỉnh",), ("Sở Y tế",)]
    assert obls[0].support == ("Công an tỉnh",)


def test_body_text_right_under_a_heading_in_capitals_is_a_passage() -> None:
    lines = ("ỦY BAN NHÂN DÂN", "XÃ NAM PHÚC", "Số: 47/KH-UBND", "KẾ HOẠCH", "Chuyển đổi số năm 2025",
             "I. MỤC ĐÍCH", "1. Nâng cao chất lượng phục vụ người dân.", "V. KINH PHÍ THỰC HIỆN",
             "Tổng kinh phí dự kiến thực hiện Kế hoạch là 1.245 triệu đồng, trong đó ngân sách",
             "tỉnh hỗ trợ 800 triệu đồng.", "VI. TỔ CHỨC THỰC HIỆN",
             "Trong quá trình triển khai, tập trung thực hiện đồng bộ các nhiệm vụ như sau:",
             "1. Văn phòng HĐND và UBND xã tổng hợp kết quả, báo cáo trước ngày 15/12/2025.")
    chunks = chunk_plan("t.txt", "p", "h", lines, lines, with_segmentation=False)
    budget = [c for c in chunks if "1.245 triệu đồng" in c.restored_text]
    assert budget and budget[0].line_start == 9 and budget[0].heading_path[-1].startswith("V. KINH PHÍ")
    obls = extract_obligations("t.txt", "p", "xã Nam Phúc", list(lines), list(lines))
    assert [o.lead for o in obls] == [("Văn phòng HĐND và UBND xã",)]  # not the sentence that announces it


def test_a_unit_cell_merged_over_several_rows_leads_each_of_them() -> None:
    cells = ["TT", "Cơ quan, đơn vị", "Nhiệm vụ", "Thời gian hoàn thành",
             "1", "Sở Văn hóa, Thể thao và Du lịch", "Xây dựng bộ nhận diện thương hiệu du lịch", "Quý IV/2025",
             "2", "Tổ chức Tuần Văn hóa Trà và Du lịch hồ Núi Cốc", "Tháng 11/2025",
             "3", "Sở Công Thương", "Xây dựng chuỗi cửa hàng giới thiệu đặc sản trà", "Năm 2026"]
    lines = ["ỦY BAN NHÂN DÂN", "TỈNH THÁI NGUYÊN", "", "Số: 214/KH-UBND", "", "KẾ HOẠCH",
             "Phát triển du lịch năm 2025", "", "PHÂN CÔNG NHIỆM VỤ", ""]
    for cell in cells:
        lines += [cell, ""]
    obls = extract_obligations("t.txt", "p", "tỉnh Thái Nguyên", lines, lines)
    assert [o.lead for o in obls] == [("Sở Văn hóa, Thể thao và Du lịch",), ("Sở Văn hóa, Thể thao và Du lịch",),
                                      ("Sở Công Thương",)]
    assert [o.deadline.kind if o.deadline else None for o in obls] == ["quarter", "month", "year"]


def test_a_label_in_lower_case_at_a_line_start_goes_on_with_the_line_above() -> None:
    lines = [*_QUANG_NGAI, "II. NHIỆM VỤ", "2. Dự báo, cảnh báo",
             "a) Cung cấp kịp thời bản tin thời tiết nguy hiểm cho các địa phương (Cơ quan",
             "chủ trì: Sở Nông nghiệp và Môi trường; thời gian: hằng ngày trong mùa mưa",
             "bão)."]
    obls = extract_obligations("t.txt", "p", "tỉnh Quảng Ngãi", lines, lines)
    assert [o.lead for o in obls] == [("Sở Nông nghiệp và Môi trường",)]
    assert obls[0].deadline is not None and obls[0].deadline.recurrence == "daily"


def test_what_huy_dong_mobilises_is_no_supporting_body_unless_it_is_one() -> None:
    lines = [*_QUANG_NGAI, "II. NHIỆM VỤ", "1. Bộ Chỉ huy Quân sự tỉnh xây dựng kế hoạch huy động lực lượng, phương tiện ứng phó",
             "thiên tai, hoàn thành trong tháng 9/2025.",
             "2. Sở Y tế chủ trì, phối hợp với Sở Tài chính tổ chức tập huấn sơ cấp cứu, hoàn thành",
             "trong tháng 10/2025."]
    obls = extract_obligations("t.txt", "p", "tỉnh Quảng Ngãi", lines, lines)
    assert [o.support for o in obls] == [(), ("Sở Tài chính",)], [o.support for o in obls]


def _names(text: str) -> tuple[str, ...]:
    from corpus.units import units_at, words_of

    tokens = text.split()
    return units_at(words_of(tokens), tokens, 0)[0]


def test_a_stop_word_is_told_from_a_word_of_a_name_by_its_diacritics() -> None:
    # Folded, "khí" is "khi", "thiên tai" has "tại", "Trồng" is "trong": accented text tells them apart.
    assert _names("Đài Khí tượng Thủy văn tỉnh Quảng Ngãi; thời gian: hằng ngày") == (
        "Đài Khí tượng Thủy văn tỉnh Quảng Ngãi",)
    assert _names("Chi cục Trồng trọt và Bảo vệ thực vật chủ trì thực hiện") == (
        "Chi cục Trồng trọt và Bảo vệ thực vật",)
    assert _names("Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh chủ trì") == (
        "Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh",)
    # the stop itself still ends a name, accented or not (text typed without diacritics cannot tell)
    assert _names("Sở Y tế khi cần thiết báo cáo kết quả") == ("Sở Y tế",)
    assert _names("So Y te khi can thiet bao cao ket qua") == ("Sở Y tế",)
    # and so in a plan: the lead of a task whose field block names a meteorological station
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "5/KH-UBND", "Phòng, chống thiên tai năm 2026"),
             "I. NHIỆM VỤ", "", "1. Dự báo, cảnh báo kịp thời bản tin thời tiết nguy hiểm cho các địa phương (Cơ "
             "quan chủ trì: Đài Khí tượng Thủy văn tỉnh Quảng Ngãi; thời gian: hằng ngày trong mùa mưa bão).", ""]
    found = extract_obligations("t.txt", "p", "tỉnh Quảng Ngãi", lines, lines)
    assert [o.lead for o in found] == [("Đài Khí tượng Thủy văn tỉnh Quảng Ngãi",)]


def test_a_lead_field_that_names_partners_by_their_verb_keeps_them_apart() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "21/KH-UBND", "Sắp xếp đơn vị sự nghiệp năm 2026"),
             "I. NHIỆM VỤ", "", "1. Rà soát, sắp xếp các đơn vị sự nghiệp công lập thuộc tỉnh.", "",
             "- Đơn vị thực hiện: Sở Nội vụ chủ trì; Sở Tài chính, Sở Y tế phối hợp.", "",
             "- Thời gian thực hiện: Quý II/2026.", "",
             "2. Xây dựng hệ thống quản lý văn bản điều hành.", "",
             "- Cơ quan chủ trì: Văn phòng Ủy ban nhân dân tỉnh chủ trì, phối hợp với Sở Khoa học và Công nghệ.", "",
             "- Thời gian hoàn thành: Tháng 9/2026.", ""]
    found = {o.lines[0]: o for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert found[10].lead == ("Sở Nội vụ",) and found[10].support == ("Sở Tài chính", "Sở Y tế")
    assert found[16].lead[0].startswith("Văn phòng") and len(found[16].lead) == 1
    assert found[16].support == ("Sở Khoa học và Công nghệ",)
    # the same with a comma after the lead's verb; and a list that names no lead's verb stays the lead
    for field, lead, support in [
            ("Sở Nội vụ chủ trì, Sở Tài chính và Sở Y tế phối hợp.", ("Sở Nội vụ",), ("Sở Tài chính", "Sở Y tế")),
            ("Sở Nội vụ, Sở Tài chính.", ("Sở Nội vụ", "Sở Tài chính"), ())]:
        plan = [*lines[:11], f"- Đơn vị thực hiện: {field}", ""]
        (one,) = extract_obligations("t.txt", "p", "tỉnh Hòa Bình", plan, plan)
        assert (one.lead, one.support) == (lead, support), field


def test_a_tasks_time_field_is_its_deadline_unless_its_wording_sets_one() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "22/KH-UBND", "Cải cách hành chính năm 2025"),
             "I. NHIỆM VỤ", "", "1. Rà soát các văn bản quy phạm pháp luật do tỉnh ban hành trước ngày 01/7/2025.", "",
             "- Đơn vị chủ trì: Sở Tư pháp.", "", "- Thời gian thực hiện: Trước ngày 31/12/2025.", ""]
    found = extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)
    assert [(o.lead, o.deadline.end if o.deadline else None) for o in found] == [
        (("Sở Tư pháp",), date(2025, 12, 31))]
    # a deadline the task's wording sets is more precise than its field's year
    lines[9] = "1. Rà soát các văn bản quy phạm pháp luật của tỉnh, hoàn thành trước ngày 30/6/2025."
    lines[13] = "- Thời gian thực hiện: Năm 2025."
    found = extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)
    assert [o.deadline.end if o.deadline else None for o in found] == [date(2025, 6, 30)]


def test_a_subject_may_take_every_level_or_a_bracketed_apposition_before_its_verb() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH", "23/KH-UBND", "Phát động đợt thi đua năm 2026"),
             "I. TỔ CHỨC THỰC HIỆN", "",
             "1. Sở Nông nghiệp và Môi trường (cơ quan thường trực Ban Chỉ huy Phòng thủ dân sự tỉnh) theo dõi, đôn đốc "
             "việc thực hiện Kế hoạch.", "",
             "2. Hội đồng Thi đua - Khen thưởng các cấp phân công rõ trách nhiệm các thành viên.", ""]
    found = {o.lines[0]: o.lead for o in extract_obligations("t.txt", "p", "tỉnh Hòa Bình", lines, lines)}
    assert found == {10: ("Sở Nông nghiệp và Môi trường",), 12: ("Hội đồng Thi đua - Khen thưởng các cấp",)}


def test_a_subject_after_an_opening_time_and_its_comma_leads() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", "21/KH-UBND", "Bảo đảm trật tự an toàn giao thông năm 2026"), "I. TỔ CHỨC THỰC HIỆN", "",
             "1. Định kỳ 6 tháng (trước ngày 15/6 và 15/12), các đơn vị báo cáo kết quả thực hiện về Sở Xây dựng.", "",
             "2. Hằng năm, Sở Xây dựng tổng hợp, báo cáo UBND thành phố.", "",
             "3. Trước ngày 15/12/2025, UBND các xã, phường gửi báo cáo về Sở Xây dựng.", ""]
    found = {o.lines[0]: o.lead for o in extract_obligations("t.txt", "p", "thành phố Cần Thơ", lines, lines)}
    assert found == {10: ("các đơn vị",), 12: ("Sở Xây dựng",), 14: ("UBND các xã, phường",)}, found


def test_one_line_that_holds_several_fields_gives_each_its_role() -> None:
    lines = [*_letterhead("ỦY BAN NHÂN DÂN THÀNH PHỐ ĐÀ NẴNG", "31/KH-UBND", "Quản lý chất thải năm 2026"),
             "I. NHIỆM VỤ CỤ THỂ", "1. Nhóm nhiệm vụ về cơ chế", "1.1. Ban hành hướng dẫn kỹ thuật về phân loại chất thải",
             "Cơ quan thực hiện: Sở Nông nghiệp và Môi trường; Cơ quan phối hợp: Sở Xây dựng, Sở Tư",
             "pháp; Thời hạn: trước ngày 31/10/2025.",
             "1.2. Xây dựng định mức kinh tế - kỹ thuật thu gom chất thải",
             "Cơ quan thực hiện: Sở Xây dựng; Cơ quan phối hợp: Sở Tài chính; Thời", "hạn: Quý IV/2025."]
    found = [(o.lead, o.support, o.deadline.kind if o.deadline else None, o.deadline.end if o.deadline else None)
             for o in extract_obligations("t.txt", "p", "thành phố Đà Nẵng", lines, lines)]
    assert found == [(("Sở Nông nghiệp và Môi trường",), ("Sở Xây dựng", "Sở Tư pháp"), "day", date(2025, 10, 31)),
                     (("Sở Xây dựng",), ("Sở Tài chính",), "quarter", date(2025, 12, 31))], found


def test_a_time_line_closing_a_run_of_tasks_is_the_time_of_each_and_posts_lead() -> None:
    lines = ["ỦY BAN NHÂN DÂN", "XÃ NAM ĐÀN", "Số: 40/KH-UBND", "", "KẾ HOẠCH", "Triển khai Đề án 06 năm 2025", "",
             "I. NHIỆM VỤ VÀ PHÂN CÔNG THỰC HIỆN", "1. Kiện toàn tổ chức",
             "1.1. Trưởng Công an xã chủ trì rà soát, phân công cán bộ phụ trách địa bàn từng xóm.",
             "1.2. Công chức Văn phòng - Thống kê chủ trì tham mưu ban hành Quy chế hoạt động của Tổ công tác.",
             "Thời gian thực hiện: Quý III/2025.",
             "2. Hạ tầng, an toàn thông tin và kinh phí",
             "2.1. Công chức Tài chính - Kế toán chủ trì tham mưu bố trí kinh phí thực hiện Kế hoạch.",
             "2.2. Công chức Văn phòng - Thống kê chủ trì rà soát hệ thống máy tính tại trụ sở.",
             "Thời gian thực hiện: Quý IV/2025."]
    found = [(o.lines[0], o.lead, o.deadline.end if o.deadline else None)
             for o in extract_obligations("t.txt", "p", "xã Nam Đàn", lines, lines)]
    # a section that names funding as one topic of several still lists tasks
    assert found == [(10, ("Trưởng Công an xã",), date(2025, 9, 30)),
                     (11, ("Công chức Văn phòng - Thống kê",), date(2025, 9, 30)),
                     (14, ("Công chức Tài chính - Kế toán",), date(2025, 12, 31)),
                     (15, ("Công chức Văn phòng - Thống kê",), date(2025, 12, 31))], found
    # a task that has fields of its own keeps its time field to itself
    lines[10:12] = ["1.2. Ban hành Quy chế hoạt động của Tổ công tác.", "Đơn vị chủ trì: Công chức Văn phòng - Thống kê.",
                    "Thời gian thực hiện: Quý III/2025."]
    first = extract_obligations("t.txt", "p", "xã Nam Đàn", lines, lines)[0]
    assert first.lines[0] == 10 and first.deadline is None


@pytest.mark.parametrize(("text", "kind", "first", "last"), [
    ("Tăng cường tuần tra tại cổng trường, từ ngày 25/8 đến ngày 30/9/2025.", "range", date(2025, 8, 25),
     date(2025, 9, 30)),
    ("Lồng ghép nội dung vào hoạt động trải nghiệm từ tháng 9/2025 đến tháng 5/2026.", "range", date(2025, 9, 1),
     date(2026, 5, 31)),
    ("Rà soát quy chế phối hợp; hoàn thành trước 31/12/2025.", "day", None, date(2025, 12, 31)),
    ("Kiểm tra các cơ sở lưu trú trong tháng 01 và tháng 02/2026.", "range", date(2026, 1, 1), date(2026, 2, 28)),
])
def test_a_span_or_a_bare_date_the_task_gives_is_its_time(text: str, kind: str, first: date | None,
                                                            last: date | None) -> None:
    found = [(e.kind, e.start, e.end) for e, _, _ in find_deadlines(text)]
    assert found == [(kind, first, last)], found


def test_two_quarters_that_share_a_year_are_one_span_and_a_document_in_force_sets_no_time() -> None:
    cell = parse_cell("Quý III và Quý IV năm 2025")
    assert cell is not None and (cell.kind, cell.start, cell.end) == ("range", date(2025, 7, 1), date(2025, 12, 31))
    assert find_deadlines("Luật có hiệu lực từ ngày 01/7/2025 đến ngày 31/12/2025.") == []


def test_a_short_name_the_plan_defines_is_said_in_full() -> None:
    lines = [*_letterhead("BỘ TÀI CHÍNH", "12/KH-BTC", "Chuyển đổi số ngành tài chính năm 2026"),
             "I. TỔ CHỨC THỰC HIỆN",
             "1. Cục Tin học và Thống kê tài chính (sau đây gọi tắt là Cục THTK) là đơn vị đầu mối theo dõi Kế hoạch.",
             "2. Vụ Ngân sách nhà nước (Vụ NSNN) chủ trì, phối hợp với Kho bạc Nhà nước (KBNN) hướng dẫn thanh toán.",
             "3. Cục THTK chủ trì nâng cấp hệ thống báo cáo, hoàn thành trong Quý II/2026.",
             "4. Vụ NSNN chủ trì, phối hợp với Cục THTK rà soát quy trình, hoàn thành trong tháng 6/2026.",
             "Chỉ số oxy hòa tan (DO) được theo dõi hằng tháng."]
    found = {o.lines[0]: (o.lead, o.support) for o in extract_obligations("t.txt", "p", "Bộ Tài chính", lines, lines)}
    assert found[11] == (("Cục Tin học và Thống kê tài chính",), ())
    assert found[12] == (("Vụ Ngân sách nhà nước",), ("Cục Tin học và Thống kê tài chính",))
    assert defined_short_names(lines) == {"cuc thtk": "Cục Tin học và Thống kê tài chính",
                                          "vu nsnn": "Vụ Ngân sách nhà nước", "kbnn": "Kho bạc Nhà nước"}


@pytest.mark.parametrize(("letterhead", "issuer", "level", "locality", "number"), [
    (["UBND TỈNH GIA LAI", "SỞ Y TẾ", "Số: 1725/KH-SYT"], "Sở Y tế tỉnh Gia Lai", "tỉnh", "Gia Lai", "1725/KH-SYT"),
    (["ĐẢNG BỘ TỈNH NGHỆ AN", "ĐẢNG ỦY XÃ NAM ĐÀN", "*", "Số: 45-KH/ĐU", "ĐẢNG CỘNG SẢN VIỆT NAM"],
     "Đảng ủy xã Nam Đàn", "xã", "Nam Đàn", "45-KH/ĐU"),
    (["BỘ CÔNG AN", "CÔNG AN TỈNH ĐẮK LẮK", "Số: 3125/KH-CAT"], "Công an tỉnh Đắk Lắk", "tỉnh", "Đắk Lắk",
     "3125/KH-CAT"),
    (["ỦY BAN NHÂN DÂN", "XÃ TÂN HỘI", "Số: 12/KH-UBND"], "Ủy ban nhân dân xã Tân Hội", "xã", "Tân Hội", "12/KH-UBND"),
])
def test_the_lowest_body_of_a_letterhead_issues_the_plan(letterhead: list[str], issuer: str, level: str,
                                                           locality: str, number: str) -> None:
    lines = [*letterhead, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             f"{locality}, ngày 10 tháng 7 năm 2025", "", "KẾ HOẠCH", "Chuyển đổi số năm 2025", "",
             "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "Nâng cao hiệu quả quản lý."]
    meta = read_header("t.txt", lines)
    assert (meta.issuer, meta.level, meta.locality, meta.number) == (issuer, level, locality, number)


def test_a_periodic_health_check_is_no_recurrence_and_a_standard_body_keeps_its_name() -> None:
    lines = ["UBND TỈNH GIA LAI", "SỞ Y TẾ", "Số: 17/KH-SYT", "", "KẾ HOẠCH", "Hồ sơ sức khỏe điện tử năm 2025", "",
             "I. TỔ CHỨC THỰC HIỆN",
             "1. Giao Phòng Nghiệp vụ Y chủ trì xây dựng hướng dẫn về gói khám sức khỏe định kỳ; thời hạn: trước "
             "ngày 31/7/2025.",
             "2. Giao Phòng Tổ chức cán bộ chủ trì, phối hợp với các đơn vị trực thuộc rà soát, điều động bác sĩ "
             "luân phiên; thời hạn: Quý IV/2025.",
             "3. Trung tâm Kiểm soát bệnh tật tỉnh định kỳ báo cáo kết quả về Sở Y tế."]
    found = [(o.lines[0], o.lead, o.deadline.kind if o.deadline else None)
             for o in extract_obligations("t.txt", "p", "tỉnh Gia Lai", lines, lines)]
    assert found == [(9, ("Phòng Nghiệp vụ Y",), "day"), (10, ("Phòng Tổ chức cán bộ",), "quarter"),
                     (11, ("Trung tâm Kiểm soát bệnh tật tỉnh",), "recurring")], found


def test_a_table_ends_where_the_next_part_opens_with_its_text_after_a_page_number() -> None:
    lines = ["ỦY BAN NHÂN DÂN", "PHƯỜNG HẠC THÀNH", "Số: 31/KH-UBND", "", "KẾ HOẠCH", "Trật tự đô thị năm 2025", "",
             "III. NHIỆM VỤ VÀ PHÂN CÔNG THỰC HIỆN", "",
             "STT", "", "Nội dung công việc", "", "Thời gian thực hiện", "", "Đơn vị chủ trì", "", "Đơn vị phối hợp", "",
             "1", "", "Ra quân lập lại trật tự vỉa hè", "", "Tháng 9/2025", "", "Công an phường", "",
             "Phòng Kinh tế, Hạ tầng và Đô thị", "",
             "2", "", "Sơ kết 01 năm thực hiện Kế hoạch", "", "Tháng 10/2026", "", "Phòng Kinh tế, Hạ tầng và Đô thị", "",
             "Các phòng, đơn vị liên quan", "",
             "6", "IV. KINH PHÍ THỰC HIỆN",
             "Kinh phí thực hiện Kế hoạch được bố trí trong dự toán ngân sách phường năm 2025.",
             "V. TỔ CHỨC THỰC HIỆN",
             "1. Công an phường chủ trì, phối hợp với Ban Chỉ huy Quân sự phường bảo đảm an ninh, trật tự.",
             "2. Trưởng các tổ dân phố phổ biến Kế hoạch đến từng hộ gia đình trong tháng 10/2025."]
    found = {o.lines[0]: o.lead for o in extract_obligations("t.txt", "p", "phường Hạc Thành", lines, lines)}
    assert found.get(44) == ("Công an phường",), found
    rows = [o.lines for o in extract_obligations("t.txt", "p", "phường Hạc Thành", lines, lines) if o.lines[0] < 40]
    assert all(last < 40 for _, last in rows), rows  # the last row ends before the page number


def test_a_subject_ends_before_dua_dang_tai_pho_bien_and_la_don_vi() -> None:
    lines = [*_letterhead("BỘ TÀI CHÍNH", "14/KH-BTC", "Chuyển đổi số năm 2026"), "I. TỔ CHỨC THỰC HIỆN",
             "1. Cục Tin học và Thống kê tài chính là đơn vị đầu mối giúp Bộ trưởng theo dõi Kế hoạch.",
             "2. Vụ Tổ chức cán bộ đưa kết quả thực hiện Kế hoạch vào tiêu chí đánh giá hằng năm.",
             "3. Văn phòng Bộ đăng tải Kế hoạch trên Cổng Thông tin điện tử Bộ Tài chính.",
             "4. Trưởng các tổ dân phố phổ biến Kế hoạch đến từng hộ gia đình."]
    found = {o.lines[0]: o.lead for o in extract_obligations("t.txt", "p", "Bộ Tài chính", lines, lines)}
    assert found == {9: ("Cục Tin học và Thống kê tài chính",), 10: ("Vụ Tổ chức cán bộ",), 11: ("Văn phòng Bộ",),
                     12: ("Trưởng các tổ dân phố",)}, found


def test_a_subject_before_a_bracket_and_a_ministrys_default_is_the_ministry_not_its_deputies() -> None:
    lines = [*_letterhead("BỘ TÀI CHÍNH", "15/KH-BTC", "Chuyển đổi số năm 2026"), "I. TỔ CHỨC THỰC HIỆN",
             "1. Cục Tin học và Thống kê tài chính (sau đây gọi tắt là Cục THTK) là đơn vị đầu mối theo dõi Kế hoạch.",
             "2. Tổ chức sơ kết việc thực hiện Kế hoạch trong Quý IV/2026.", "",
             "Nơi nhận:", "- Bộ trưởng (để b/c);", "- Các Thứ trưởng;", "- Lưu: VT, THTK."]
    found = {o.lines[0]: o.lead for o in extract_obligations("t.txt", "p", "Bộ Tài chính", lines, lines)}
    assert found == {9: ("Cục Tin học và Thống kê tài chính",), 10: ("Bộ Tài chính",)}, found


@pytest.mark.parametrize(("text", "recurrence"), [
    ("Tổng hợp, báo cáo kết quả trước 15/12 hằng năm.", "yearly:15/12"),
    ("Gửi báo cáo về Sở Nội vụ trước 20 hằng tháng.", "monthly:20"),
    ("Tổ chức ngày hội 15/12 hằng năm.", "yearly"),  # a bare date with no cue is no day of the year's deadline
])
def test_a_cue_stands_for_ngay_before_a_recurring_day(text: str, recurrence: str) -> None:
    assert [(e.kind, e.recurrence) for e, _, _ in find_deadlines(text)] == [("recurring", recurrence)]
