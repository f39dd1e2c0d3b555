"""Plans as offices receive them: Word files, text PDFs and scans (real python-docx, pypdfium2 and Tesseract on
files made here), bad files of each type skipped with reasons, and answers that cite the file and its page."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus.reader import PlanFile, Skipped, read_plan
from corpus.text import fold
from evals.docs import FONT, header, make_docx, make_scan_pdf, make_scan_png, make_text_pdf
from evals.metrics import syllable_accuracy

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="Tesseract is not installed (scripts/test.sh installs it)")
needs_font = pytest.mark.skipif(not FONT.exists(), reason=f"{FONT} is missing (Debian fonts-noto-core)")

TASKS = ["I. NHIỆM VỤ",
         "1. Công an xã rà soát, cập nhật dữ liệu dân cư trên địa bàn, hoàn thành trước ngày 15/11/2025.",
         "2. Văn phòng Ủy ban nhân dân xã tổng hợp, báo cáo kết quả trước ngày 20/12/2025."]
TABLE = [["TT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
         ["1", "Số hóa hồ sơ hộ tịch", "Công chức Tư pháp - Hộ tịch", "Văn phòng Ủy ban nhân dân xã", "Tháng 10/2025"],
         ["2", "Lắp đặt camera an ninh tại các thôn", "Công an xã", "Các thôn", "Quý IV/2025"]]


def _read(path: Path, **kwargs: Any) -> PlanFile:
    plan = read_plan(path, **kwargs)
    assert isinstance(plan, PlanFile), plan
    return plan


def _reason(path: Path, **kwargs: Any) -> str:
    plan = read_plan(path, **kwargs)
    assert isinstance(plan, Skipped), f"{path.name} was read"
    return plan.reason


def test_docx_keeps_paragraphs_and_table_rows_in_reading_order(tmp_path: Path) -> None:
    from corpus.obligations.extract import extract_obligations

    paragraphs = [*header("Tân Lập", "12", "Chuyển đổi số năm 2025"), *TASKS, "II. PHỤ LỤC"]
    plan = _read(make_docx(tmp_path / "kh.docx", paragraphs, TABLE, ["III. TỔ CHỨC THỰC HIỆN"]))
    assert plan.method == "docx" and plan.pages == ()
    assert list(plan.lines[:len(paragraphs)]) == paragraphs  # paragraphs exactly, one per line
    cells = [line for line in plan.lines[len(paragraphs):] if line]
    assert cells == [c for row in TABLE for c in row] + ["III. TỔ CHỨC THỰC HIỆN"]
    assert plan.lines[len(paragraphs)] == "" and "" in plan.lines[-3:]  # cells apart, as flattened tables are
    # The one structure reader rebuilds the rows: the table's lead column is the row's lead.
    obligations = extract_obligations(plan.doc, "tan-lap-12", "xã Tân Lập", plan.lines, plan.lines)
    camera = [o for o in obligations if "camera" in o.task]
    assert camera and camera[0].lead == ("Công an xã",), obligations


@needs_font
def test_text_pdf_lines_match_the_source_line_for_line_with_pages(tmp_path: Path) -> None:
    pages = [[*header("Hòa Bình", "7", "Phòng chống thiên tai năm 2025"), *TASKS[:2]],
             [TASKS[2], "III. TỔ CHỨC THỰC HIỆN", "Các ban, ngành xã triển khai kế hoạch này."]]
    plan = _read(make_text_pdf(tmp_path / "kh.pdf", pages))
    assert plan.method == "pdf-text"
    assert list(plan.lines) == pages[0] + pages[1]
    assert plan.pages == (1,) * len(pages[0]) + (2,) * len(pages[1])


@needs_tesseract
@needs_font
def test_scans_are_read_by_tesseract_with_diacritics(tmp_path: Path) -> None:
    lines = [*header("Hòa Bình", "7", "Phòng chống thiên tai năm 2025"), *TASKS]
    pdf = _read(make_scan_pdf(tmp_path / "scan.pdf", [lines[:5], lines[5:]]))
    png = _read(make_scan_png(tmp_path / "scan.png", lines))
    for plan in (pdf, png):
        assert plan.method == "ocr"
        accuracy = syllable_accuracy([line for line in plan.lines if line.strip()], lines)
        assert accuracy >= 0.9, (accuracy, plan.lines)
    assert set(pdf.pages) == {1, 2} and png.pages == ()
    assert "15/11/2025" in " ".join(pdf.lines)


@needs_tesseract
@needs_font
def test_extracted_text_is_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus import readers

    path = make_scan_png(tmp_path / "scan.png", [*header("An Bình", "3", "Vệ sinh môi trường"), *TASKS])
    first = _read(path, cache_dir=tmp_path / "cache")

    def no_ocr(_: bytes) -> str:
        raise AssertionError("OCR ran again")

    monkeypatch.setattr(readers, "ocr_image", no_ocr)
    again = _read(path, cache_dir=tmp_path / "cache")
    assert again.lines == first.lines and again.method == "ocr"


def _encrypted_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), encrypt="secret")
    pdf.drawString(50, 700, "Ke hoach so 12 cua Uy ban nhan dan xa Tan Lap")
    pdf.showPage()
    pdf.save()
    return path


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(200):  # 200 MB of zeros: a few hundred KB zipped
                member.write(chunk)
    return path


def _no_pages_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_bad_files_of_each_type_are_skipped_with_reasons(tmp_path: Path) -> None:
    from PIL import Image

    _encrypted_pdf(tmp_path / "locked.pdf")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    (tmp_path / "nopages.pdf").write_bytes(_no_pages_pdf())
    _zip_bomb(tmp_path / "bomb.docx")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    Image.new("L", (800, 600), 255).save(tmp_path / "blank.png")
    (tmp_path / "plan.odt").write_bytes(b"PK\x03\x04")
    assert "encrypted" in _reason(tmp_path / "locked.pdf")
    assert "damaged PDF" in _reason(tmp_path / "broken.pdf")
    assert "no pages" in _reason(tmp_path / "nopages.pdf")
    assert "zip bomb" in _reason(tmp_path / "bomb.docx")
    assert "damaged .docx" in _reason(tmp_path / "broken.docx")
    assert "unsupported file type .odt" in _reason(tmp_path / "plan.odt")
    assert "too large" in _reason(tmp_path / "bomb.docx", max_bytes=1000)
    if shutil.which("tesseract"):
        assert "no text found by OCR" in _reason(tmp_path / "blank.png")


@needs_tesseract
@needs_font
def test_a_long_pdf_reads_in_bounded_time_with_progress(tmp_path: Path) -> None:
    lines = [f"{i}. Nhiệm vụ số {i} của kế hoạch, hoàn thành trong quý IV năm 2025." for i in range(1, 40)]
    path = make_text_pdf(tmp_path / "long.pdf", [lines] * 300)
    said: list[str] = []
    plan = _read(path, progress=said.append, max_bytes=50 * 1024 * 1024)
    assert max(plan.pages) == 300 and len(plan.lines) == 300 * len(lines)
    assert any("page 300/300" in s for s in said)


# ---------------------------------------------------------------- answers about added plans (real stack)

@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path, Any]]:
    """A real index of three plans as an office receives them: a .docx, a text PDF and a scanned PDF."""
    if not FONT.exists() or shutil.which("tesseract") is None:
        pytest.skip("needs fonts-noto-core and Tesseract (scripts/test.sh installs them)")
    from assistant.service import Assistant
    from assistant.settings import load_settings
    from index.build import ingest

    root = tmp_path_factory.mktemp("office")
    plans = root / "plans"
    plans.mkdir()
    make_docx(plans / "tan-lap.docx", [*header("Tân Lập", "12", "Chuyển đổi số năm 2025"), *TASKS])
    make_text_pdf(plans / "hoa-binh.pdf",
                  [header("Hòa Bình", "7", "Phòng chống thiên tai năm 2025"),
                   ["I. NHIỆM VỤ", "1. Ban Chỉ huy phòng chống thiên tai xã diễn tập ứng phó bão lũ, "
                    "hoàn thành trước ngày 30/6/2025."]])
    make_scan_pdf(plans / "an-binh-scan.pdf",
                  [header("An Bình", "3", "Tổng vệ sinh môi trường năm 2025"),
                   ["I. NHIỆM VỤ", "1. Đoàn Thanh niên xã ra quân dọn vệ sinh các tuyến đường,",
                    "hoàn thành trước ngày 31/5/2025."]])
    settings = load_settings(store_dir=root / "store", corpus_dir=plans, manifest=root / "none.toml")
    report = ingest(settings)
    assistant = Assistant.open(settings)
    yield assistant, plans, report
    assistant.close()


@pytest.mark.slow
def test_answers_about_added_plans_cite_the_file_and_page(office: tuple[Any, Path, Any]) -> None:
    from evals.metrics import Verbatim

    assistant, plans, report = office
    assert sorted(report.indexed) == ["an-binh-scan.pdf", "hoa-binh.pdf", "tan-lap.docx"], report.lines()
    check = Verbatim(plans)
    cases = (("Công an xã Tân Lập phải hoàn thành rà soát dữ liệu dân cư trước ngày nào?", "15/11/2025",
              "tan-lap.docx", 0),
             ("Xã Hòa Bình diễn tập ứng phó bão lũ hoàn thành trước ngày nào?", "30/06/2025", "hoa-binh.pdf", 2),
             ("Đoàn Thanh niên xã An Bình dọn vệ sinh các tuyến đường hoàn thành trước ngày nào?", "31/05/2025",
              "an-binh-scan.pdf", 2))
    for question, due, doc, page in cases:
        answer = assistant.ask(question)
        assert not answer.abstained and due in answer.answer, answer.answer
        cited = [c for c in answer.citations if c.doc == doc]
        assert cited and all(check(c.to_json()) for c in cited)
        assert cited[0].page == page and (("page" in cited[0].to_json()) == bool(page))
    assert fold("An Bình") in fold(" ".join(m.label for m in assistant.plan_list()))

