"""Folding, language detection and file reading with precise skip reasons."""

from __future__ import annotations

from pathlib import Path

from fakes import to_cp1258

from corpus.reader import PlanFile, Skipped, read_plan
from corpus.text import detect_language, fold


def test_fold_meets_accented_unaccented_and_ocr_spellings() -> None:
    assert fold("Kế hoạch") == fold("Ke hoach") == fold("Ké hoach") == "ke hoach"
    assert fold("Pak Lak") == fold("Đắk Lắk") == "dak lak"
    assert fold("S6: 49") == "so 49"
    assert fold("1565/QP-TTG") == fold("1565/QĐ-TTg")
    assert fold("Tw do") == "tu do"
    assert fold("10/11/2025") == "10 11 2025"  # numbers are never letter-folded


def test_detect_language() -> None:
    assert detect_language("Ai phải báo cáo trước ngày 10/11/2025?") == "vi"
    assert detect_language("xa Sa Thay phai bao cao truoc ngay nao") == "vi-noaccent"
    assert detect_language("Who must report by 10/11/2025?") == "en"


def test_reader_skips_bad_files_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (tmp_path / "cp1258.txt").write_bytes(to_cp1258("Kế hoạch số 12 của ủy ban nhân dân xã") * 3)
    (tmp_path / "utf16.txt").write_bytes("Kế hoạch số 12 của ủy ban nhân dân xã\n".encode("utf-16") * 3)
    reasons = {p.name: read_plan(p) for p in tmp_path.iterdir()}
    assert all(isinstance(r, Skipped) for r in reasons.values())
    assert "empty" in reasons["empty.txt"].reason  # type: ignore[union-attr]
    assert "binary" in reasons["binary.txt"].reason  # type: ignore[union-attr]
    assert "cp1258" in reasons["cp1258.txt"].reason.lower()  # type: ignore[union-attr]
    assert "iconv" in reasons["cp1258.txt"].reason  # type: ignore[union-attr]
    assert "UTF-16" in reasons["utf16.txt"].reason  # type: ignore[union-attr]


def test_reader_keeps_lines_exact(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text("KẾ HOẠCH\n\tSố: 12/KH-UBND  \nnội dung kế hoạch dài hơn hai mươi chữ cái\n", encoding="utf-8")
    plan = read_plan(path)
    assert isinstance(plan, PlanFile)
    assert plan.lines == ("KẾ HOẠCH", "\tSố: 12/KH-UBND  ", "nội dung kế hoạch dài hơn hai mươi chữ cái")
