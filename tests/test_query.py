"""Question analysis and answer-type checks, on the real manifest (no index, no models)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answerers import asked_count, states_count
from assistant.extract import heading_date, short_answer
from assistant.query import analyse, count_lead, counted_noun, strip_places
from assistant.scoring import Candidate
from corpus.manifest import load_manifest
from corpus.records import Chunk, PlanMeta
from corpus.sentences import Sentence

MANIFEST = Path(__file__).resolve().parents[1] / "corpus" / "manifest.toml"


@pytest.fixture(scope="module")
def metas() -> list[PlanMeta]:
    return list(load_manifest(MANIFEST).plans.values())


@pytest.mark.parametrize(("question", "expected"), [
    ("Kế hoạch của xã Sa Thầy phải cung cấp bao nhiêu dịch vụ?", "Kế hoạch phải cung cấp bao nhiêu dịch vụ?"),
    ("xa Sa Thay phai cung cap bao nhieu dich vu?", "phai cung cap bao nhieu dich vu?"),
    ("How many services must Sa Thầy commune provide?", "How many services must provide?"),
    ("What about Sa Thay commune's targets for 2026?", "What about targets for 2026?"),
])
def test_strip_places_drops_the_named_locality_and_its_level(metas: list[PlanMeta], question: str,
                                                             expected: str) -> None:
    assert strip_places(question, metas, ["sa-thay"]) == expected


def test_strip_places_keeps_other_places_and_short_questions(metas: list[PlanMeta]) -> None:
    # Only the named plans' places go; a question that is little more than the place stays whole.
    assert strip_places("Đắk Lắk và Sa Thầy khác nhau thế nào?", metas, ["sa-thay"]) == \
        "Đắk Lắk và khác nhau thế nào?"
    assert strip_places("xã Sa Thầy?", metas, ["sa-thay"]) == "xã Sa Thầy?"
    assert strip_places("xã Sa Thầy ở đâu?", metas, []) == "xã Sa Thầy ở đâu?"


def test_analysis_search_text_and_list_questions(metas: list[PlanMeta]) -> None:
    one = analyse("Xã Cẩm Giang đặt chỉ tiêu bao nhiêu phần trăm hồ sơ trực tuyến?", metas)
    assert one.plan_ids == ("cam-giang",) and not one.per_plan
    assert "Cẩm Giang" not in one.search and "hồ sơ trực tuyến" in one.search
    assert analyse("Những kế hoạch nào giao nhiệm vụ cho Công an?", metas).per_plan
    assert analyse("which plans mention VNeID?", metas).per_plan
    two = analyse("Chỉ tiêu của tỉnh Đắk Lắk và xã Cẩm Giang là bao nhiêu?", metas)
    assert two.per_plan and set(two.plan_ids) == {"dak-lak", "cam-giang"}


def test_year_word_is_not_a_search_term(metas: list[PlanMeta]) -> None:
    analysis = analyse("mục tiêu năm 2026 của xã Cẩm Giang là gì?", metas)
    assert "nam" not in analysis.terms and "2026" in analysis.entities


def _cand(restored: str) -> Candidate:
    chunk = Chunk(plan_id="p", doc="p.txt", heading_path=(), line_start=1, line_end=1, raw_text=restored,
                  restored_text=restored, segmented_text=restored)
    return Candidate(Sentence(1, 1, restored, restored), chunk, "", 0, 0.0, 1.0, False, 1.0)


def test_how_many_needs_a_number_and_percentages_need_a_percent(metas: list[PlanMeta]) -> None:
    how_many = asked_count(analyse("Xã Cẩm Giang có bao nhiêu tổ công nghệ số?", metas))
    assert how_many == "number"
    assert states_count(how_many, _cand("Cung cấp 25 dịch vụ công trực tuyến."))
    assert not states_count(how_many, _cand("Huy động thành viên Tổ công nghệ số cộng đồng."))
    assert not states_count(how_many, _cand("T6 cong nghé s6"))  # OCR digits inside words are not numbers
    percent = asked_count(analyse("Tỷ lệ hồ sơ trực tuyến là bao nhiêu phần trăm?", metas))
    assert states_count(percent, _cand("đạt tối thiểu 80%."))
    assert not states_count(percent, _cand("đạt tối thiểu 80 hồ sơ."))
    what = asked_count(analyse("Ai chủ trì tuyên truyền?", metas))
    assert states_count(what, _cand("Văn phòng HĐND và UBND xã chủ trì."))


@pytest.mark.parametrize(("question", "language", "counted", "lead"), [
    ("xa Sa Thay phai cung cap bao nhieu dich vu cong truc tuyen?", "vi-noaccent", "dich vu", "cung cap"),
    ("xa Sa Thay phai bao dam cung cap bao nhieu dich vu cong truc tuyen?", "vi-noaccent", "dich vu", "cung cap"),
    ("Xã phải cung cấp bao nhiêu thủ tục hành chính?", "vi", "thu tuc", "cung cap"),
    ("Bao nhiêu thủ tục được cung cấp?", "vi", "thu tuc", ""),
    ("Tỷ lệ hồ sơ là bao nhiêu phần trăm?", "vi", "", "so la"),
    ("How many online public services must the commune provide?", "en", "dich vu", ""),
    ("What share of dossiers is processed online?", "en", "", ""),
])
def test_counted_noun_and_its_verb(question: str, language: str, counted: str, lead: str) -> None:
    assert counted_noun(question, language) == counted
    assert count_lead(question, language) == lead


def test_short_answer_prefers_the_number_that_counts_what_was_asked() -> None:
    cand = _cand("Cung cấp dịch vụ công đối với 388 thủ tục hành chính và 463 dịch vụ công trực tuyến.")
    assert short_answer(("number",), cand, "dich vu").startswith("463")
    assert short_answer(("number",), cand, "thu tuc").startswith("388")
    assert short_answer(("number",), cand).startswith("388")
    # two numbers count "dịch vụ": the one after the question's verb ("cung cấp bao nhiêu") answers it
    two = _cand("(1) Duy trì hiệu quả 25 dịch vụ công trực tuyến toàn trình. (2) Cung cấp 463 dịch vụ công trực tuyến.")
    assert short_answer(("number",), two, "dich vu", "cung cap").startswith("463")
    assert short_answer(("number",), two, "dich vu", "duy tri").startswith("25")
    assert short_answer(("number",), two, "dich vu").startswith("25")  # no verb to go by: the first


def test_heading_date_reads_period_headings() -> None:
    assert heading_date(("II. CHỈ TIÊU CỤ THỂ", "1. Đến hết năm 2025")) == "Đến hết năm 2025"
    assert heading_date(("a) Năm 2026",)) == "Năm 2026"
    assert heading_date(("Các nhiệm vụ đến ngày 31 tháng 12 năm 2025",)) == "ngày 31 tháng 12 năm 2025"
    assert heading_date(("Nhiệm vụ trọng tâm",)) == ""


def test_codes_broken_across_lines_are_one_entity() -> None:
    from index.sparse import entities

    wrapped = entities("Thong tu s6 11/2025/TT-BKHCN sửa đổi Thông tư số 21/2023/TT-\nBTTTT ngay 31/12/2023")
    assert set(entities("Thông tư 21/2023/TT-BTTTT")) <= set(wrapped)
    assert "07-kh-du" in entities("Kế hoạch hành động số 07- KH/ĐU")
    # A spaced dash between words or years is not a code.
    assert entities("Phòng Văn hóa - Xã hội") == [] and "2025-2026" not in entities("giai đoạn 2025 - 2026")


def test_accented_stop_words_do_not_swallow_content_words(metas: list[PlanMeta]) -> None:
    # Folded, "đăng" (nhập) and "Sở" look like the stop words "đang" and "số"; accented, they do not.
    accented = analyse("Người dân nộp hồ sơ trong bao nhiêu phút kể từ lúc đăng nhập, theo Sở Khoa học?", metas)
    assert {"dang", "nhap", "so", "khoa"} <= set(accented.terms)
    plain = analyse("Xã đang làm gì?", metas)
    assert "dang" not in plain.terms and "lam" not in plain.terms


def test_numbers_inside_dates_and_codes_are_not_counts(metas: list[PlanMeta]) -> None:
    preamble = _cand("Thực hiện Quyết định số 1565/QĐ-TTg ngày 18/7/2025 về dịch vụ công trực tuyến.")
    assert short_answer(("number",), preamble) == ""
    how_many = asked_count(analyse("Tỉnh phải cung cấp bao nhiêu dịch vụ công trực tuyến?", metas))
    assert not states_count(how_many, preamble)
    assert states_count(how_many, _cand("Cung cấp 982 dịch vụ công trực tuyến với ít nhất 1.000 hồ sơ/năm."))
