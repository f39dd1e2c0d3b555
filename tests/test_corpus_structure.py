"""Structure-aware chunking of the real plans: heading paths, exact line spans, real underthesea."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, MANIFEST

from corpus.chunker import chunk_plan
from corpus.header import read_header
from corpus.manifest import load_manifest
from corpus.reader import PlanFile, read_plan
from corpus.segment import segment
from corpus.sentences import split_sentences
from corpus.text import collapse


def _plan(name: str) -> PlanFile:
    plan = read_plan(CORPUS / name)
    assert isinstance(plan, PlanFile)
    return plan


def test_seed_files_are_byte_identical_to_shared_seeds() -> None:
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not seeds.exists():
        import pytest

        pytest.skip("shared/seeds is not beside this checkout")
    for seed in seeds.glob("*.txt"):
        assert (CORPUS / seed.name).read_bytes() == seed.read_bytes()


def test_chunks_carry_exact_raw_lines_and_heading_paths() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        plan = _plan(path.name)
        chunks = chunk_plan(plan.doc, "p", plan.sha256, plan.lines, plan.lines, with_segmentation=False)
        assert len(chunks) > 20
        for c in chunks:
            assert c.raw_text == "\n".join(plan.lines[c.line_start - 1:c.line_end])
            assert 1 <= c.line_start <= c.line_end <= len(plan.lines)
        assert any(len(c.heading_path) >= 2 for c in chunks)


def test_clean_plan_heading_path_of_reporting_task() -> None:
    plan = _plan("002_8d078f4651206baf.txt")
    chunks = chunk_plan(plan.doc, "ba-dinh", plan.sha256, plan.lines, plan.lines, with_segmentation=False)
    hit = next(c for c in chunks if "10/11/2025" in c.raw_text)
    assert hit.heading_path[0].startswith("III. TỔ CHỨC THỰC HIỆN")
    assert hit.line_start == 94


def test_sentences_are_verbatim_substrings_of_their_lines() -> None:
    plan = _plan("000_35dce5dc0de49619.txt")
    sents = split_sentences(plan.lines[330:345], plan.lines[330:345], 331)
    assert sents
    for s in sents:
        assert collapse(s.raw) in collapse(" ".join(plan.lines[s.line_start - 1:s.line_end]))
    assert any("10/11/2025" in s.raw and s.line_end == 338 for s in sents)


def test_underthesea_segments_compounds() -> None:
    assert "chất_lượng" in segment("Nâng cao chất lượng dịch vụ công trực tuyến")


def test_segmenting_loads_no_translator_and_the_optional_pipelines_still_import() -> None:
    # In a fresh process: underthesea's own import would load transformers and torch for its translator.
    code = ("import sys; from corpus.segment import segment; out = segment('Nâng cao chất lượng dịch vụ'); "
            "loaded = 'transformers' in sys.modules or 'torch' in sys.modules; "
            "import underthesea.address; print(out, loaded)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent, check=True)
    words = done.stdout.split()
    assert "chất_lượng" in words and words[-1] == "False", done.stdout + done.stderr


def test_header_detection_and_manifest() -> None:
    meta = read_header("x.txt", _plan("000_35dce5dc0de49619.txt").lines)
    # An OCR scan read raw: the gazetteer restores the place name's diacritics.
    assert (meta.level, meta.locality, meta.number, meta.date) == ("phường", "Dương Kinh", "49/KH-UBND", "2025-09-17")
    manifest = load_manifest(MANIFEST)
    assert {m["locality"] for m in manifest.plans.values()} == {"Dương Kinh", "Đắk Lắk", "Ba Dinh", "Sa Thầy",
                                                              "Cẩm Giang"}


def test_a_bullet_about_receiving_dossiers_is_not_the_signature_block() -> None:
    from corpus.structure import blocks as parse_blocks
    from corpus.structure import is_closing

    lines = ("I. NHIỆM VỤ", "1. Trung tâm phục vụ hành chính công", "- Nơi nhận hồ sơ là bộ phận một cửa.",
             "- Báo cáo kết quả trước ngày 10/11/2025.", "", "Nơi nhận:", "- Lưu: VT.")
    blocks = parse_blocks(lines, lines)
    assert [b.kind for b in blocks if b.kind == "closing"] == ["closing"]
    assert next(b for b in blocks if "10/11/2025" in b.restored_text).kind == "bullet"
    assert not is_closing("- Nơi nhận hồ sơ là bộ phận một cửa.") and is_closing("Noi nhn: TM. UY BAN NHAN DAN")


def test_a_table_of_values_numbered_under_its_header_reads_each_value_under_its_heading() -> None:
    from corpus.chunker import chunk_plan

    lines = tuple((Path(__file__).resolve().parent / "plans" / "ward_targets.txt").read_text(
        encoding="utf-8").splitlines())
    cells = [c for chunk in chunk_plan("w.txt", "w", "h", lines, lines, with_segmentation=False)
             for c in chunk.cells]
    read = {(lines[a - 1], lines[c - 1]): (heading, unit) for a, _, c, _, heading, unit in cells}
    # Headings over headings (flattened top row first) are read over equal runs of the columns' own headings;
    # the column numbering ("A B 1 2 3 4") tells how many columns there are, so "55" is no row index.
    assert read[("Đào tạo kỹ năng số cho cán bộ, công chức", "55")] == \
        ("Dự kiến năm 2026 – Ngân sách phường", "Triệu đồng")
    assert read[("Lắp đặt thiết bị tại bộ phận một cửa", "30")] == ("Kế hoạch năm 2025 – Xã hội hóa", "Triệu đồng")
    assert read[("Tổng cộng", "50")] == ("Dự kiến năm 2026 – Xã hội hóa", "Triệu đồng")
    assert len(cells) == 12


def test_a_header_that_cannot_be_read_with_certainty_labels_no_value() -> None:
    from corpus.structure import value_columns

    numbered = ["A", "B", "1", "2", "3"]
    assert value_columns(["STT", "Nội dung", "Năm 2024", "Năm 2025", "Năm 2026"], numbered, 3) == \
        ["Năm 2024", "Năm 2025", "Năm 2026"]
    # "Năm hiện hành 2025" heads two columns beside three headed on both rows: reading it over the last
    # columns would put 2026 under 2025, so no heading is given.
    header = ["STT", "Nội dung", "Năm hiện hành 2025", "Năm 2026", "Năm 2027", "Kế hoạch", "Ước thực hiện"]
    assert value_columns(header, ["1", "2", "3", "4", "5", "6"], 4) == []
    # Two upper headings over five columns do not divide evenly, and nothing tells where one run ends.
    assert value_columns(["STT", "Nội dung", "X", "Y", "a", "b", "c", "d", "e"], ["A", "B", *"12345"], 5) == []
    # Four columns under two headings divide evenly, but 2 + 2 puts 2026 under 2025: 1 + 3 is the one reading.
    assert value_columns(["STT", "Nội dung", "Năm 2025", "Dự kiến 03 năm kế hoạch", "Ước thực hiện", "Năm 2026",
                          "Năm 2027", "Năm 2028"], ["A", "B", *"1234"], 4)[:2] == \
        ["Năm 2025 – Ước thực hiện", "Dự kiến 03 năm kế hoạch – Năm 2026"]
    # Nor do years when two splits keep every run of one kind (each run all years here).
    assert value_columns(["STT", "Nội dung", "Kế hoạch", "Dự kiến", "Năm 2026", "Năm 2027", "Năm 2028"],
                         ["A", "B", *"123"], 3) == []


def test_uneven_upper_headings_are_read_when_one_split_keeps_each_run_of_one_kind() -> None:
    from corpus.chunker import chunk_plan

    # A budget form: "Năm 2025" over two columns, "Dự kiến 03 năm kế hoạch" over three year columns, and the
    # columns numbered from 2 under the letters (its first value column merged into the header).
    header = ["Đơn vị: Triệu đồng.", "", "STT", "", "Nội dung", "", "Năm 2025", "", "Dự kiến 03 năm kế hoạch", "",
              "Dự toán HĐND tỉnh quyết định", "", "Đánh giá thực hiện", "", "Năm 2026", "", "Năm 2027", "",
              "Năm 2028", "", "A", "", "B", "", "2", "", "3", "", "4", "", "5", "", "6", ""]
    rows = ["A", "", "TỔNG CHI NSĐP", "", "26.811", "", "27.535", "", "26.278", "", "29.284", "", "30.928", "",
            "I", "", "CHI ĐẦU TƯ PHÁT TRIỂN", "", "5.937", "", "5.817", "", "6.508", "", "7.409", "", "8.525"]
    lines = ("KẾ HOẠCH", "Tài chính 03 năm 2026 - 2028", "", *header, *rows)
    cells = [c for chunk in chunk_plan("b.txt", "b", "h", lines, lines, with_segmentation=False)
             for c in chunk.cells]
    read = {(lines[a - 1], lines[c - 1]): (heading, unit) for a, _, c, _, heading, unit in cells}
    assert read[("TỔNG CHI NSĐP", "29.284")] == ("Dự kiến 03 năm kế hoạch – Năm 2027", "Triệu đồng")
    assert read[("CHI ĐẦU TƯ PHÁT TRIỂN", "5.817")] == ("Năm 2025 – Đánh giá thực hiện", "Triệu đồng")
    assert len(cells) == 10


def test_a_catalogue_row_states_its_columns_as_facts_of_its_name_and_no_task() -> None:
    from corpus.obligations import extract_obligations
    from corpus.sentences import cell_sentences

    # A decision's list of procedures, one cell per line: the code's column comes before the name's.
    cells = ["TT", "Mã TTHC", "Tên thủ tục hành chính", "Lĩnh vực", "Cơ quan thực hiện",
             "1", "2.001234", "Cấp giấy phép vận chuyển thuốc bảo vệ thực vật", "Bảo vệ thực vật",
             "Ủy ban nhân dân cấp tỉnh",
             "2", "2.001235", "Công bố hết dịch hại cây trồng", "Trồng trọt", "Ủy ban nhân dân cấp xã"]
    lines = ("QUYẾT ĐỊNH", "Công bố danh mục thủ tục hành chính", "", "Điều 1. Công bố kèm theo Quyết định này.", "",
             *[x for c in cells for x in (c, "")])
    facts = [s.restored for chunk in chunk_plan("c.txt", "c", "h", lines, lines, with_segmentation=False)
             for s in cell_sentences(chunk, chunk.raw_text.split("\n"), chunk.restored_text.split("\n"))]
    assert "Công bố hết dịch hại cây trồng – Mã TTHC: 2.001235" in facts
    assert "Cấp giấy phép vận chuyển thuốc bảo vệ thực vật – Lĩnh vực: Bảo vệ thực vật" in facts
    # who carries a procedure out is no task of the decision's
    assert not [o for o in extract_obligations("c.txt", "c", "tỉnh Hòa Bình", lines, lines) if "dịch hại" in o.task]


def test_a_second_task_under_one_row_number_is_a_row_of_its_own() -> None:
    from corpus.obligations import extract_obligations
    from corpus.structure import parse

    # Row 1 holds two tasks: the PDF prints its number, support, time, product and funding cells once (merged
    # over both), so the second task and its lead follow the first row's last cell.
    cells = ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm",
             "Nguồn kinh phí",
             "1", "Xây dựng phòng máy chủ phục vụ cơ sở dữ liệu đất đai của tỉnh", "Sở Nông nghiệp và Môi trường",
             "Sở Tài chính, UBND các xã, phường", "Quý III/2026", "Phòng máy chủ được đưa vào vận hành",
             "Ngân sách tỉnh",
             "Sao lưu dự phòng dữ liệu đất đai hằng tuần và phục hồi dữ liệu khi có sự cố",
             "Trung tâm Công nghệ thông tin tỉnh",
             "2", "Đào tạo cán bộ quản trị hệ thống", "Sở Nội vụ", "Các sở, ngành", "Quý IV/2026",
             "Lớp đào tạo", "Ngân sách tỉnh"]
    lines = ["KẾ HOẠCH", "Xây dựng cơ sở dữ liệu đất đai", "", "Phụ lục", "NHIỆM VỤ CỤ THỂ", "",
             *[x for c in cells for x in (c, "")]]
    outline = parse(lines)
    rows = [(node, [(c.role, outline.cell_text(c)) for c in node.cells]) for node, _ in outline.walk()
            if node.kind == "row"]
    assert len(rows) == 3
    second = dict(rows[1][1])
    assert second["task"].startswith("Sao lưu dự phòng") and second["lead"] == "Trung tâm Công nghệ thông tin tỉnh"
    assert second["index"] == "1" and second["time"] == "Quý III/2026"  # the merged cells are its own too
    assert dict(rows[0][1])["funding"] == "Ngân sách tỉnh" and "Sao lưu" not in dict(rows[0][1])["product"]
    found = {o.task[:20]: o.lead for o in extract_obligations("d.txt", "d", "tỉnh Hòa Bình", tuple(lines),
                                                               tuple(lines))}
    assert found.get("Sao lưu dự phòng dữ ") == ("Trung tâm Công nghệ thông tin tỉnh",), found


def test_a_table_of_values_cut_by_guess_states_no_facts() -> None:
    from corpus.sentences import cell_sentences

    # No column numbering, and values alone on their lines read as the next rows' indexes.
    cells = ["TT", "Nội dung", "Số lượng", "Đơn giá", "Thành tiền", "Ghi chú",
             "1", "Thuê hội trường", "Hai ngày", "500.000", "1.000.000", "Theo hợp đồng",
             "2", "Bồi dưỡng báo cáo viên", "Bốn buổi", "300.000", "1.200.000", "Theo Thông tư 36",
             "3", "Phô tô tài liệu", "Một trăm bộ", "25.000", "2.500.000", "Theo thực tế"]
    lines = ("KẾ HOẠCH", "Hội nghị tập huấn", "", "III. KINH PHÍ", "", *[x for c in cells for x in (c, "")])
    facts = [s.restored for chunk in chunk_plan("v.txt", "v", "h", lines, lines, with_segmentation=False)
             for s in cell_sentences(chunk, chunk.raw_text.split("\n"), chunk.restored_text.split("\n"))]
    assert facts == []


def test_each_form_of_a_plan_is_its_own_annex_titled_by_its_header() -> None:
    # Budget forms follow one another with the same columns ("Mẫu biểu số 01", "… 02"); each is an annex of its own,
    # and its rows carry its title ("DỰ TOÁN THU …"), which the bare "Mẫu biểu số 02" does not say.
    from corpus.chunker import chunk_plan

    ward = (Path(__file__).resolve().parent / "plans" / "ward_targets.txt").read_text(encoding="utf-8").splitlines()
    body, table = ward[:48], ward[52:115]
    lines = tuple([*body, "", "Mẫu biểu số 01", "", "DỰ TOÁN CHI NGÂN SÁCH PHƯỜNG", "",
                   "(Kèm theo Kế hoạch số 58/KH-UBND của Ủy ban nhân dân phường Hạc Thành)", "", *table, "",
                   "Mẫu biểu số 02", "", "DỰ TOÁN THU NGÂN SÁCH PHƯỜNG", "",
                   "(Kèm theo Kế hoạch số 58/KH-UBND của Ủy ban nhân dân phường Hạc Thành)", "", *table])
    chunks = chunk_plan("w.txt", "w", "h", lines, lines, with_segmentation=False)
    totals = [c for c in chunks if "Tổng cộng" in c.restored_text]
    assert [c.heading_path[0] for c in totals] == ["Mẫu biểu số 01 DỰ TOÁN CHI NGÂN SÁCH PHƯỜNG",
                                                   "Mẫu biểu số 02 DỰ TOÁN THU NGÂN SÁCH PHƯỜNG"]
