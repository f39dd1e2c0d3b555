"""Question analysis without an index: which plan, which kind of answer, which words; values and units."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.evidence import dates_in, quantity_for, units_in, value_of
from assistant.query import analyse, counted_noun, find_wants, route
from assistant.resolve import resolve
from corpus.header import read_header
from corpus.quantities import quantities
from corpus.reader import PlanFile, read_plan
from corpus.records import PlanMeta

PLANS = Path(__file__).resolve().parent / "plans"


@pytest.fixture(scope="module")
def metas() -> list[PlanMeta]:
    out = []
    for path in sorted(PLANS.glob("*.txt")):
        plan = read_plan(path)
        assert isinstance(plan, PlanFile)
        out.append(read_header(plan.doc, plan.lines))
    # A commune of the same province and a second plan numbered like another, to tell apart.
    out.append(PlanMeta(doc="x.txt", plan_id="tan-lac-12", issuer="Ủy ban nhân dân xã Tân Lạc", level="xã",
                        locality="Tân Lạc", province="Hòa Bình", number="12/KH-UBND",
                        title="Phòng, chống dịch bệnh trên đàn gia súc năm 2025"))
    return out


def _ids(metas: list[PlanMeta], question: str) -> tuple[str, ...]:
    return resolve(question, question.lower().split(), metas).plan_ids


def test_plans_are_named_by_place_number_and_topic_together(metas: list[PlanMeta]) -> None:
    # Two plans of Hòa Bình province: the topic decides.
    assert analyse("Kế hoạch chuyển đổi số nông nghiệp của tỉnh Hòa Bình giao ai chủ trì?", metas).plan_ids == \
        ("hoa-binh-12",)
    assert analyse("Quyết định du lịch cộng đồng tỉnh Hòa Bình có hiệu lực khi nào?", metas).plan_ids == \
        ("hoa-binh-715",)
    # Two plans numbered 12: the place decides.
    assert analyse("Kế hoạch số 12 của xã Tân Lạc về dịch bệnh gia súc", metas).plan_ids == ("tan-lac-12",)
    # Typed without diacritics, and in English.
    assert analyse("ke hoach ha tang vien thong phuong Hac Thanh", metas).plan_ids == ("hac-thanh-58",)
    assert analyse("What does the Hac Thanh ward plan say about 5G?", metas).plan_ids == ("hac-thanh-58",)


def test_a_syllable_shared_outside_a_shared_word_counts_less() -> None:
    # "hóa chất" is not "chất lượng", "cấp hóa chất" not "cung cấp": the plan whose title writes "môi trường"
    # as the question does is the one meant, although the other shares more lone syllables.
    services = PlanMeta(doc="a.txt", plan_id="quang-tri-1", level="tỉnh", locality="Quảng Trị", number="1/KH-UBND",
                        title="Nâng cao chất lượng cung cấp dịch vụ công trực tuyến, cá nhân hóa cho người dân")
    floods = PlanMeta(doc="b.txt", plan_id="quang-tri-2", level="tỉnh", locality="Quảng Trị", number="2/KH-UBND",
                      title="Khắc phục môi trường và phòng, chống dịch bệnh sau lụt bão")
    question = "Ở Quảng Trị, đơn vị nào cấp hóa chất, máy phun để xử lý môi trường sau lũ lụt?"
    assert analyse(question, [services, floods]).plan_ids[0] == "quang-tri-2"
    # Typed without diacritics ("moi" may be "mỗi", a function word), it is at least among those answered.
    assert "quang-tri-2" in analyse("o Quang Tri don vi nao cap hoa chat, may phun de xu ly moi truong sau lu lut?",
                                    [services, floods]).plan_ids


def test_the_plans_of_a_place_are_told_apart_by_their_content_when_their_titles_do_not_say() -> None:
    # Neither title holds "thanh toán không dùng tiền mặt"; the drug plan's title shares "đến năm 2030" with the
    # question. The digital-economy plan's text has the question's words, the drug plan's has not.
    digital = PlanMeta(doc="a.txt", plan_id="dong-nai-179", level="tỉnh", locality="Đồng Nai", number="179/KH-UBND",
                       title="Phát triển kinh tế số và xã hội số giai đoạn 2026 - 2030")
    drugs = PlanMeta(doc="b.txt", plan_id="dong-nai-182", level="tỉnh", locality="Đồng Nai", number="182/KH-UBND",
                     title="Triển khai chương trình mục tiêu quốc gia phòng, chống ma túy đến năm 2030")
    texts = {"dong-nai-179": "ty trong giao dich thanh toan khong dung tien mat dat muc tieu den nam 2030",
             "dong-nai-182": "muc tieu den nam 2030 giam so nguoi nghien ma tuy"}

    def has_term(plan_id: str, word: str) -> bool:
        return word in texts[plan_id].split()

    question = "Đồng Nai đặt mục tiêu đến năm 2030 giao dịch thanh toán không dùng tiền mặt đạt bao nhiêu?"
    assert analyse(question, [digital, drugs]).plan_ids[0] == "dong-nai-182"  # by the titles alone
    assert analyse(question, [digital, drugs], has_term=has_term).plan_ids == ("dong-nai-179",)
    # A question the titles settle stays settled.
    assert analyse("Kế hoạch phòng, chống ma túy của Đồng Nai giao đơn vị nào chủ trì?", [digital, drugs],
                   has_term=has_term).plan_ids == ("dong-nai-182",)


def test_money_named_apart_from_how_much_is_still_asked_for() -> None:
    # English puts words between "how much" and "money"; "tiền" alone is not a cue ("không dùng tiền mặt").
    assert "money" in find_wants("How much bonus money does each winning ward receive?")
    assert "money" not in find_wants("Bao nhiêu xã đạt chỉ tiêu thanh toán không dùng tiền mặt?")


def test_a_time_span_asked_is_a_duration_not_a_date() -> None:
    for asked in ("Phải xử lý điểm nước tù đọng trong khoảng thời gian bao lâu sau khi nước rút?",
                  "phai xu ly diem nuoc tu dong trong khoang thoi gian bao lau sau khi nuoc rut?",
                  "Within what time must the reports be sent?"):
        wants = find_wants(asked)
        assert "duration" in wants and "date" not in wants, asked
    assert "date" in find_wants("Thời gian nào bắt đầu đợt thi đua?")
    # "khoảng thời gian nào" may ask for a period (from … to …): a date stays wanted
    assert "date" in find_wants("Chiến dịch triển khai trong khoảng thời gian nào?")
    assert {"date", "duration"} <= set(find_wants("Trong bao lâu và đến khi nào phải hoàn thành?"))


def test_a_body_named_by_its_initials_is_one_word_written_either_way() -> None:
    from assistant.evidence import covers
    from corpus.text import fold

    groups = analyse("Các sở phải gửi báo cáo về Sở KH&CN trước ngày nào?", []).groups
    acronym = next(g for g in groups if any(alt == "kh cn" for alt, _ in g))
    for sentence in ("gửi báo cáo về Sở Khoa học và Công nghệ", "gửi báo cáo về Sở KH&CN"):
        folded = fold(sentence)
        assert covers(acronym, set(folded.split()), f" {folded} ")
    # A document's code is no body's initials; a word in capitals that is no known body stays as it is.
    assert all(len(g) == 1 for g in analyse("Kế hoạch 182/KH-UBND giao việc gì cho UBND xã?", []).groups)


def test_a_span_of_years_names_a_period_unless_a_time_word_asks_for_it() -> None:
    from assistant.query import question_window

    # The plan's or the programme's period: no deadline window.
    assert question_window("Quy hoạch mạng lưới cơ sở văn hóa thời kỳ 2021-2030 giao ai chủ trì?") is None
    assert question_window("Under the plan for the 2026–2031 elections, who must report?") is None
    # Asked as a time: a window.
    window = question_window("Những việc nào phải hoàn thành trong 2026-2027?")
    assert window is not None and window[1].year == 2027


def test_a_ministry_named_in_english_names_its_plan() -> None:
    health = PlanMeta(doc="h.txt", plan_id="byt-10", issuer="Bộ Y tế", level="bộ", number="10/KH-BYT",
                      title="Phòng, chống dịch bệnh truyền nhiễm năm 2026")
    culture = PlanMeta(doc="c.txt", plan_id="bvhttdl-11", issuer="Bộ Văn hóa, Thể thao và Du lịch", level="bộ",
                       number="11/KH-BVHTTDL", title="Phát triển văn hóa đọc năm 2026")
    ids = analyse("Which unit leads the reporting in the Ministry of Health's plan?", [health, culture]).plan_ids
    assert ids == ("byt-10",)
    ids = analyse("In the Ministry of Culture, Sports and Tourism plan, who reports yearly?", [health, culture]).plan_ids
    assert ids == ("bvhttdl-11",)


def test_the_issuer_named_beside_a_number_names_the_plan_and_weighs_little() -> None:
    culture = PlanMeta(doc="c.txt", plan_id="bvhttdl-11", issuer="Bộ Văn hóa, Thể thao và Du lịch", level="bộ",
                       number="11/QĐ-BVHTTDL", title="Kế hoạch phát triển thư viện")
    # Its initials only name it: they leave the words the answer must cover.
    short = analyse("Theo Quyết định 11 của Bộ VHTTDL, tổng vốn đầu tư là bao nhiêu?", [culture])
    assert short.plan_ids == ("bvhttdl-11",)
    assert {"bo", "vhttdl"}.isdisjoint(short.terms) and {"tong", "von", "dau", "tu"} <= set(short.terms)
    # Written in full, a ministry's name is its topic too: its words stay, weighing as the title's words do.
    full = analyse("Quyết định 11 của Bộ Văn hóa, Thể thao và Du lịch đặt mục tiêu gì cho du lịch?", [culture])
    weights = dict(full.term_weights)
    assert full.plan_ids == ("bvhttdl-11",) and "du" in full.terms and "lich" in full.terms
    assert weights["lich"] < 1.0 and weights.get("muc", 1.0) == 1.0


def test_how_many_is_read_as_written() -> None:
    # "mấy" asks how many; "máy" (a machine) folds to the same letters and asks nothing.
    assert "count" not in find_wants("Đơn vị nào cấp máy phun thuốc khử trùng?")
    assert counted_noun("Đơn vị nào cấp máy phun thuốc khử trùng?", "vi") == ((), "")
    assert "count" in find_wants("Mỗi năm lấy mẫu mấy đợt?")
    assert counted_noun("Mỗi năm lấy mẫu mấy đợt?", "vi")[0] == ("dot",)
    assert "count" in find_wants("moi nam lay mau may dot?")  # unaccented: "may" may be either; it asks
    # After a calendar unit, "mấy" asks which month or day, and counts nothing.
    for asked in ("Lấy mẫu từ tháng mấy đến tháng mấy?", "lay mau tu thang may den thang may?"):
        assert {"date", "start"} <= set(find_wants(asked)) and "count" not in find_wants(asked)
    assert "day" in find_wants("Hạn nộp báo cáo là ngày mấy?")
    assert {"date", "count"} <= set(find_wants("Tháng mấy phải lấy bao nhiêu mẫu?"))
    # After a word of "each", "mấy" counts per unit; "máy" (a machine) after a unit asks no time.
    for per_unit in ("Mỗi năm lấy mẫu mấy đợt?", "Một ngày mấy lần báo cáo?", "moi nam may dot kiem tra?"):
        assert "count" in find_wants(per_unit) and "date" not in find_wants(per_unit)
    assert "date" not in find_wants("Ai lắp đặt thang máy cho trường?")


def test_plans_that_fit_equally_are_all_kept(metas: list[PlanMeta]) -> None:
    analysis = analyse("Các kế hoạch của Hòa Bình nói gì?", metas)
    assert analysis.ambiguous or analysis.per_plan or len(analysis.plan_ids) >= 2


def test_several_places_named_are_each_answered(metas: list[PlanMeta]) -> None:
    # Two places as subjects: each place's plan of the topic, answered plan by plan.
    both = analyse("So sánh mục tiêu chuyển đổi số nông nghiệp của tỉnh Hòa Bình và của phường Hạc Thành", metas)
    assert set(both.plan_ids) == {"hoa-binh-12", "hac-thanh-58"}
    assert both.per_plan and both.intent == "list"
    assert "sanh" not in both.terms  # "so sánh" only says that the answer compares
    who = analyse("Ai chủ trì tập huấn chuyển đổi số trong kế hoạch của tỉnh Hòa Bình và của phường Hạc Thành?", metas)
    assert who.per_plan and who.inner == "who" and not who.ambiguous
    # A province named as the address of a commune is not a second subject.
    assert analyse("Kế hoạch dịch bệnh gia súc của xã Tân Lạc, tỉnh Hòa Bình", metas).plan_ids == ("tan-lac-12",)


def test_an_unknown_place_is_reported_and_levels_are_not_places(metas: list[PlanMeta]) -> None:
    assert analyse("Kế hoạch của tỉnh Gia Lai có bao nhiêu trạm 5G?", metas).unknown_place == "tỉnh Gia Lai"
    assert analyse("What is the deadline in the Hoàn Kiếm ward plan?", metas).unknown_place == "phường Hoàn Kiếm"
    levels = analyse("Các sở, ngành, UBND phường, xã, đặc khu phải làm gì trong kế hoạch du lịch Hòa Bình?", metas)
    assert not levels.unknown_place


@pytest.mark.parametrize(("question", "intent"), [
    ("Ai ký quyết định du lịch cộng đồng của tỉnh Hòa Bình?", "signer"),
    ("Kế hoạch 58/KH-UBND ban hành ngày nào?", "issuance"),
    ("The Hac Thanh ward plan: what is its number and signing date?", "issuance"),
    ("Quyết định nào ban hành kế hoạch triển khai Nghị quyết 57?", "issuance"),
    ("Quyết định 12/QĐ-UBND ban hành kế hoạch thực hiện những văn bản nào?", "implements"),
    ("Ai chủ trì rà soát vị trí đặt trạm phát sóng?", "who"),
    ("Phòng nào phối hợp với Phòng Văn hóa - Xã hội lập dự toán kinh phí?", "who"),
    ("Hạn ban hành kế hoạch hành động của phường là khi nào?", "when"),  # a task's deadline, not the plan's date
    ("Cơ quan nào bố trí kinh phí thực hiện kế hoạch?", "who"),  # money named, an agency asked
    ("Kinh phí thực hiện kế hoạch là bao nhiêu tỷ đồng?", "value"),
    ("Which unit leads the review of antenna sites?", "who"),
    ("Khi nào phải hoàn thành tập huấn kỹ năng số?", "when"),
    ("By when must the training be finished?", "when"),
    ("Phường Hạc Thành có bao nhiêu trạm 5G?", "value"),
    ("What share of dossiers must be handled fully online?", "value"),
    ("What minimum security level must the information system meet?", "text"),  # "minimum" is not a share
    ("Những việc gì phải xong trước ngày 30/11/2025?", "duties"),
    ("Who must report by 15/12/2025?", "duties"),
    ("Kế hoạch này nói gì về du lịch cộng đồng?", "text"),
])
def test_routes_come_from_the_cue_data(question: str, intent: str) -> None:
    assert route(find_wants(question) + (("dated",) if "/20" in question else ())) == intent


def test_accented_words_are_judged_as_written(metas: list[PlanMeta]) -> None:
    terms = analyse("Phường Hạc Thành phấn đấu bao nhiêu phần trăm hồ sơ trực tuyến?", metas).terms
    assert "phan" in terms  # "phấn" (phấn đấu) is content; "phần trăm" only asks for a share
    sở = analyse("Sở Tư pháp phải làm gì?", metas).terms
    assert "so" in sở  # "Sở" is a body; "số" would be a function word
    timed = analyse("Việc gì phải hoàn thành trong Quý IV/2025?", metas)
    assert "quy" not in timed.terms and timed.window is not None
    # A word without diacritics in a question written with them is as written: "cử tri" (voters) keeps "tri",
    # which is not the "trì" of "chủ trì"; typed without diacritics, "tri" may be either and is left out.
    assert "tri" in analyse("Tỷ lệ cử tri đi bầu đạt bao nhiêu?", metas).terms
    assert "tri" not in analyse("Ty le cu tri di bau dat bao nhieu?", metas).terms
    # Typed without diacritics around a name pasted with them: still read folded ("co quan nao" asks, "chu tri"
    # is no content).
    assert not {"co", "nao", "chu", "tri"} & set(analyse("Co quan nao chu tri ke hoach của UBND tỉnh?", metas).terms)


def test_counted_noun_and_the_values_that_count_it() -> None:
    assert counted_noun("Phường có bao nhiêu trạm phát sóng 5G?", "vi") == (("tram phat",), "phuong co")
    text = "Duy trì 25 dịch vụ công trực tuyến; cung cấp 463 dịch vụ và 388 thủ tục hành chính."
    q = quantity_for("count", text, ("dich vu",), "cung cap")
    assert q is not None and q.text.startswith("463 dịch vụ")
    q = quantity_for("count", text, ("thu tuc",))
    assert q is not None and q.text.startswith("388 thủ tục")
    assert quantity_for("count", text, ("tram",)) is None  # nothing here counts stations


def test_an_english_which_asks_for_the_noun_after_a_proper_name() -> None:
    # The name between "which" and its noun modifies the noun: a decision is asked for, not a ministry.
    assert find_wants("Which Ministry of Industry and Trade decision sets the export rules?") == ("code",)
    assert "agency" in find_wants("Which Ministry coordinates the campaign?")
    assert "code" in find_wants("Which Prime Minister's directive does the plan carry out?")
    assert find_wants("Which Đồng Nai decision sets the export rules?") == ("code",)  # capitals of any script
    assert find_wants("Which Ministry of Industry and Trade Decision sets the export rules?") == ("code",)
    # an auxiliary after the name is no head: the body is still asked for
    assert "agency" in find_wants("Which Office must review the locations of the stations?")
    # "thuộc tính nào" (which attributes) is no "thuộc tỉnh nào" (which province)
    assert "province" not in find_wants("Cơ sở dữ liệu gồm những thuộc tính nào?")
    assert "province" in find_wants("Phường Hạc Thành thuộc tỉnh, thành phố nào?")


def test_the_day_a_cited_document_takes_effect_answers_when_it_begins_and_no_deadline() -> None:
    text = "b) Hướng dẫn thanh toán theo Luật Giao dịch điện tử số 42/VBHN-VPQH (có hiệu lực từ 01/7/2024)."
    for question in ("From what date has the law been in force?", "Luật này có hiệu lực từ ngày nào?"):
        assert value_of("date", text, analyse(question, [])) == "từ 01/7/2024"
    # Still a cited document's date, never a task's deadline.
    assert dates_in(text) == [] and value_of("date", text, analyse("Hạn chót là khi nào?", [])) == ""
    # the day one ceases to be in force begins nothing
    repealed = "Bãi bỏ Quyết định số 12/2020/QĐ-UBND (hết hiệu lực từ ngày 01/7/2025)."
    assert value_of("date", repealed, analyse("Văn bản này có hiệu lực từ ngày nào?", [])) == ""


def test_an_english_count_takes_every_sure_rendering_of_its_noun() -> None:
    def fake_translate(words: Sequence[str]) -> list[list[tuple[str, float]]]:
        """A fake glossary: two sure renderings of "datasets", then a looser word."""
        return [[("bo du lieu", 1.0), ("tap du lieu", 1.0), ("du lieu", 0.6)] for _ in words]

    nouns, _ = counted_noun("How many open datasets will be published by 2030?", "en", fake_translate)
    assert nouns == ("bo du lieu", "tap du lieu")
    q = quantity_for("count", "Đến năm 2030, công bố 20 tập dữ liệu mở trên Cổng dữ liệu.", nouns)
    assert q is not None and q.text.startswith("20 tập dữ liệu")
    # the renderings in their order: a looser one ("hồ sơ" of "documents") counts only where no closer one does
    q = quantity_for("count", "Hỗ trợ 120 hộ gia đình; ban hành 5 văn bản hướng dẫn.", ("van ban", "tai lieu", "ho so"))
    assert q is not None and q.text.startswith("5 văn bản")


def test_quantities_keep_units_and_skip_dates_and_codes() -> None:
    found = quantities("Nhu cầu vốn khoảng 121.732 tỷ đồng; 98% cử tri; trong 10 ngày; Quyết định số 2437/QĐ-TTg "
                       "ngày 04/11/2025; năm 2025 có 40 điểm.")
    assert [(q.kind, q.text) for q in found] == [("money", "121.732 tỷ đồng"), ("percent", "98%"),
                                                  ("duration", "10 ngày"), ("count", "40 điểm")]
    assert found[0].value == 121732.0


def test_a_unit_written_with_a_slash_ends_where_its_words_end() -> None:
    # "lần/tháng" is one token and two folded words: the span stops there, not a word later ("; thời", "(chi").
    found = quantities("tần suất 2 lần/tháng; thời gian quan trắc; số lượng mẫu 06 mẫu/năm (chi tiết tại phụ lục)")
    assert [q.text for q in found] == ["2 lần/tháng", "06 mẫu/năm"]
    # A length inside a time counted from an event is a quantity too.
    assert [q.text for q in quantities("Xử lý trong 24-48 giờ sau khi nước rút.")] == ["24-48 giờ"]


def test_a_question_for_a_milestone_asks_when() -> None:
    # "đến mốc nào" (by which milestone) asks for a time; "dự toán" only names the topic.
    wants = find_wants("Các khoản chi đã giao trong dự toán đầu năm mà đến mốc nào hằng năm chưa phân bổ thì bị thu hồi?")
    assert "date" in wants and "money" not in wants and route(wants) == "when"


def test_a_question_asking_which_document_is_replaced_is_not_about_issuance() -> None:
    # The question word after "thay thế" asks for its object, as after "triển khai"; before the verb it is the
    # issuing document.
    replaced = find_wants("Quyết định 2853/QĐ-UBND ban hành kế hoạch phòng chống thiên tai đã thay thế quyết định "
                          "nào?")
    assert "code" in replaced and "issued" not in replaced and route(replaced) != "issuance"
    assert route(find_wants("Quyết định nào ban hành kế hoạch phòng chống thiên tai?")) == "issuance"


def test_a_budget_line_gives_its_rate_or_its_total_as_asked() -> None:
    line = "Dự toán giai đoạn 2026 - 2030: 1.500.000.000 đồng/năm x 05 năm = 7.500.000.000 đồng."
    total, rate = quantity_for("money", line), quantity_for("money", line, rate=True)
    assert total is not None and total.text == "7.500.000.000 đồng"
    assert rate is not None and rate.text == "1.500.000.000 đồng/năm"
    assert "rate" in find_wants("Dự toán mỗi năm là bao nhiêu?") and "rate" not in find_wants("Tổng dự toán là bao nhiêu?")
    assert "rate" in find_wants("Mức hỗ trợ tiền ăn là bao nhiêu đồng/người?")
    for question in ("Tổng kinh phí hợp đồng năm 2025 là bao nhiêu?", "Kinh phí hỗ trợ cộng đồng người dân tộc là bao nhiêu?",
                     "What is the total budget of the annual plan?"):
        assert "rate" not in find_wants(question), question
    # Without a total after "=", the first value answers, a rate or not ("… trong đó ngân sách trung ương 1,5 tỷ").
    part = quantity_for("money", "Tổng kinh phí 2 tỷ đồng/năm, trong đó ngân sách trung ương 1,5 tỷ đồng.")
    assert part is not None and part.text == "2 tỷ đồng/năm"


def test_a_question_asking_which_day_is_answered_only_by_a_day() -> None:
    assert "day" in find_wants("Xã phải gửi báo cáo trước ngày nào?")
    assert "day" in find_wants("By what date must the report be sent?")
    assert "day" not in find_wants("Khi nào phải hoàn thành?")  # "when" takes a month or a year too
    assert dates_in("Báo cáo kết quả trước ngày 15/12/2025.", days=True) == ["trước ngày 15/12/2025"]
    assert dates_in("Báo cáo UBND tỉnh trước ngày 15 hằng tháng.", days=True) != []
    assert dates_in("Tổ chức từ ngày 01/10 đến ngày 20/11/2025.", days=True) != []
    for text in ("Hoàn thành trong năm 2025.", "Thực hiện trong Quý IV/2025.", "Nhiệm kỳ 2026 - 2031.",
                 "Định kỳ báo cáo UBND tỉnh.", "Hoàn thành trong tháng 11/2025."):
        assert dates_in(text, days=True) == [], text
        assert dates_in(text) != [], text  # they are times, only not days


def test_a_question_asking_since_when_is_answered_only_by_a_start() -> None:
    assert "start" in find_wants("Đợt thi đua được tính từ thời điểm nào?")
    assert "start" in find_wants("Since when has the programme run?")
    assert "start" not in find_wants("Khi nào phải hoàn thành?")
    assert dates_in("Thời gian thực hiện: Từ tháng 10/2025 đến hết năm 2026.", starts=True) == ["Từ tháng 10/2025"]
    assert dates_in("Kể từ ngày 01/01/2026, các xã thực hiện.", starts=True) == ["Kể từ ngày 01/01/2026"]
    for text in ("Báo cáo kết quả trước ngày 15/12/2025.", "Thực hiện thường xuyên.", "Hoàn thành trong Quý IV/2025."):
        assert dates_in(text, starts=True) == [], text
        assert dates_in(text) != [], text


def test_dates_of_cited_documents_are_not_answers() -> None:
    assert dates_in("Thực hiện Quyết định số 2437/QĐ-TTg ngày 04/11/2025 của Thủ tướng Chính phủ.") == []
    assert dates_in("Báo cáo kết quả trước ngày 15/12/2025.") == ["trước ngày 15/12/2025"]
    # A cited document dates only its own clause: after ";" a date is the task's again.
    assert dates_in("Ban hành kế hoạch theo mẫu của Nghị định số 226/2025/NĐ-CP; thời gian ban hành trước ngày 30 "
                    "tháng 11.") == ["trước ngày 30 tháng 11"]
    assert dates_in("Thực hiện Nghị định số 226/2025/NĐ-CP; Quyết định số 12/QĐ-UBND ngày 04/11/2025.") == []


def test_the_body_a_sentence_assigns() -> None:
    assert units_in("- Sở Tài chính chủ trì, phối hợp với Sở Nội vụ bố trí kinh phí.") == ["Sở Tài chính"]
    assert units_in("Giao Trung tâm Phục vụ hành chính công phường tổng hợp kết quả.") == [
        "Trung tâm Phục vụ hành chính công phường"]
    assert units_in("- Chủ trì xây dựng bộ tiêu chí.", ("II. TỔ CHỨC THỰC HIỆN", "1. Sở Văn hóa, Thể thao và Du lịch")) \
        == ["Sở Văn hóa, Thể thao và Du lịch"]



def test_which_plans_asks_for_plans_not_for_a_document_number() -> None:
    from assistant.query import find_wants

    listing = find_wants("Những kế hoạch nào giao việc tổng hợp kết quả, báo cáo Ủy ban nhân dân?")
    assert "list" in listing and "code" not in listing
    assert "code" in find_wants("Kế hoạch căn cứ văn bản nào?")
    assert "code" in find_wants("Cà Mau có kế hoạch tài chính 3 năm, thay thế kế hoạch nào?")  # after the verb
    assert "code" in find_wants("Những kế hoạch nào triển khai Quyết định nào của tỉnh?")
    assert "code" in find_wants("Which decision does the plan implement?")


def test_a_task_with_the_question_s_words_side_by_side_ranks_first() -> None:
    from types import SimpleNamespace

    from assistant.evidence import TermStats
    from assistant.handlers import match_tasks
    from corpus.obligations import Obligation

    def task(line: int, text: str) -> Obligation:
        return Obligation("p", "p.txt", "xã A", (line, line), ("các cơ quan",), (), text, text, None, "")

    monthly = task(10, "Định kỳ trước ngày 13 hằng tháng tổng hợp, báo cáo kết quả thực hiện gửi về UBND xã")
    summary = task(12, "Tổng kết kết quả thực hiện Kế hoạch này và gửi về UBND xã trước ngày 05/12/2025")
    words = {"tong", "ket", "qua", "gui", "ubnd", "hop", "bao", "cao"}
    fake_ctx = SimpleNamespace(stats=TermStats({f"s:{w}": 1 for w in words}, 10))  # a fake of the assistant
    analysis = analyse("Tổng kết kết quả thực hiện phải gửi về UBND xã trước ngày nào?", [])
    assert "tong" in analysis.terms  # "tổng kết" is what is asked about, not "tổng số"
    ranked = match_tasks(fake_ctx, analysis, [monthly, summary])  # type: ignore[arg-type]
    assert ranked[0][2] is summary and ranked[0][0] > ranked[1][0]
    assert ranked[0][1] <= 1.0 and ranked[0][1] == ranked[1][1]  # the bonus orders; the coverage stays as it is


def test_an_unaccented_question_is_searched_with_its_diacritics_restored(metas: list[PlanMeta]) -> None:
    given: list[str] = []

    def fake_restore(text: str) -> str:  # a fake restorer: records what it is given, marks what it returns
        given.append(text)
        return f"restored {text}"

    unaccented = analyse("Ke hoach chuyen doi so nong nghiep tinh Hoa Binh: tap huan cho nong dan khi nao?", metas,
                         restore=fake_restore)
    # The search text (the words naming the plan left out) is restored; words are still matched folded.
    assert given == [unaccented.search] and unaccented.reading == f"restored {unaccented.search}"
    assert "Hoa Binh" not in unaccented.search and "nong dan" in unaccented.search
    accented = analyse("Kế hoạch chuyển đổi số nông nghiệp tỉnh Hòa Bình: tập huấn cho nông dân khi nào?", metas,
                       restore=fake_restore)
    english = analyse("When must farmers be trained under the Hoa Binh agricultural digital plan?", metas,
                      restore=fake_restore)
    assert accented.reading == english.reading == "" and len(given) == 1
    assert unaccented.terms == accented.terms


def test_the_restorer_reads_an_unaccented_question() -> None:
    from corpus.restore import restore_diacritics

    assert restore_diacritics("tap huan ky nang so cho nong dan phai hoan thanh khi nao?") == \
        "tập huấn kỹ năng số cho nông dân phải hoàn thành khi nào?"
    assert restore_diacritics("What is the deadline?") == "What is the deadline?"


def test_a_year_of_the_plans_period_asked_alone_is_asked_the_horizon_is_not() -> None:
    plan = PlanMeta(doc="b.txt", plan_id="ca-mau-204", issuer="Ủy ban nhân dân tỉnh Cà Mau", level="tỉnh",
                    locality="Cà Mau", province="Cà Mau", number="204/KH-UBND",
                    title="Kế hoạch tài chính - ngân sách nhà nước 03 năm 2026-2028")
    assert "2028" in analyse("Kế hoạch tài chính - ngân sách nhà nước 03 năm 2026-2028 của tỉnh Cà Mau: tổng thu "
                             "dự kiến năm 2028 là bao nhiêu?", [plan]).entities
    # The period's end as the horizon of a target, or the period itself, only names the plan.
    assert "2028" not in analyse("Kế hoạch tài chính 03 năm 2026-2028 của tỉnh Cà Mau đặt mục tiêu thu gì đến "
                                 "năm 2028?", [plan]).entities
    assert "2028" not in analyse("What revenue does Ca Mau's 2026-2028 financial plan target by 2028?",
                                 [plan]).entities


def test_a_padded_number_in_a_question_keeps_naming_a_plan_or_an_item() -> None:
    from assistant.query import _terms
    from assistant.resolve import _numbers

    assert _numbers("Kế hoạch số 05 của UBND xã An Phú") == {5} and _numbers("ke hoach so 0125") == {125}
    assert "2" in _terms("Đợt 02 tổ chức khi nào?", "vi")  # folded "dot 2": item 2, as "Đợt 2" is


def test_a_function_phrase_is_no_content_but_its_syllables_alone_may_be() -> None:
    from assistant.query import _terms

    # "lần lượt" (respectively) says how to read two answers; no sentence that gives them repeats it.
    for question, lang in (("Tỷ lệ của tỉnh A và tỉnh B lần lượt là bao nhiêu?", "vi"),
                           ("Ty le cua tinh A va tinh B lan luot la bao nhieu?", "vi-noaccent")):
        terms = _terms(question, lang)
        assert "lan" not in terms and "luot" not in terms, terms
    # "lượt khách" (visitor arrivals) and "3 lần" (times) are content.
    assert "luot" in _terms("Bao nhiêu lượt khách du lịch?", "vi")
    assert "lan" in _terms("Kiểm tra bao nhiêu lần mỗi năm?", "vi")


class _FakeHeaders:
    """A fake handler context (only what the list and implements handlers read): plans whose headers cite a
    decision, each a one-line header chunk."""

    def __init__(self, n: int) -> None:
        from corpus.records import Chunk

        self.plans = {f"p{i}": PlanMeta(doc=f"p{i}.txt", plan_id=f"p{i}", locality=f"xã X{i}", level="xã",
                                        number=f"{i}/KH-UBND", title="Kế hoạch chuyển đổi số",
                                        implements=("1565/QĐ-TTg",)) for i in range(n)}
        self.chunks = {pid: Chunk(pid, m.doc, ("Kế hoạch",), 3, 3, "Thực hiện Quyết định số 1565/QĐ-TTg.",
                                  "Thực hiện Quyết định số 1565/QĐ-TTg.", kind="preamble")
                       for pid, m in self.plans.items()}
        self.read: list[str] = []

    def plan_chunks(self, plan_id: str, kinds: tuple[str, ...] = ()) -> list[object]:
        self.read.append(plan_id)
        return [self.chunks[plan_id]]

    def plans_chunks(self, plan_ids: list[str], kinds: tuple[str, ...] = ()) -> dict[str, list[object]]:
        self.read.append(",".join(plan_ids))
        return {p: [self.chunks[p]] for p in plan_ids}


def test_a_list_of_many_plans_answers_the_first_and_counts_and_lists_them_all() -> None:
    from typing import Any, cast

    from assistant.handlers import SEARCHED_PLANS, run

    ctx = _FakeHeaders(SEARCHED_PLANS + 5)
    analysis = analyse("Những kế hoạch nào thực hiện Quyết định 1565/QĐ-TTg?", list(ctx.plans.values()))
    assert analysis.intent == "list" and analysis.inner == "implements"
    result = run(cast(Any, ctx), analysis)
    assert len(result.findings) == SEARCHED_PLANS  # an answer a person can read
    assert [c.plan_id for c in result.plans_found] == list(ctx.plans)  # every plan, each cited, for the export
    assert all(c.lines == (3, 3) and "1565/QĐ-TTg" in c.quote for c in result.plans_found)
    assert ctx.read == [",".join(ctx.plans)]  # their headers read in one pass, not plan by plan


def test_an_english_questions_mapped_words_pair_their_syllables_only_within_a_word() -> None:
    # Mapped word by word, the question's syllables also meet the other title one by one ("người dân", "dịch vụ
    # công"); the words the glossary gives are whole Vietnamese words, so only "thi đua" and "bầu cử" count whole.
    elections = PlanMeta(doc="a.txt", plan_id="quang-tri-5", level="tỉnh", locality="Quảng Trị", number="5/KH-UBND",
                         title="Phát động phong trào thi đua thực hiện thành công cuộc bầu cử đại biểu Hội đồng "
                               "nhân dân")
    services = PlanMeta(doc="b.txt", plan_id="quang-tri-6", level="tỉnh", locality="Quảng Trị", number="6/KH-UBND",
                        title="Nâng cao chất lượng cung cấp dịch vụ công trực tuyến toàn trình cho người dân, "
                              "doanh nghiệp")
    fake_glossary = {"emulation": ["thi dua"], "elections": ["bau cu"], "dossiers": ["ho so"],
                     "proposing": ["de xuat", "de nghi"], "people": ["nhan dan", "nguoi dan", "nguoi"],
                     "awards": ["khen thuong"], "department": ["so", "phong", "vu"], "submitted": ["trinh", "nop"],
                     "online": ["truc tuyen"]}

    def fake_translate(words: Sequence[str]) -> list[list[tuple[str, float]]]:
        return [[(v, 1.0) for v in fake_glossary.get(w, [])] for w in words]

    question = ("In Quang Tri's emulation plan for the elections, by when must dossiers proposing people for awards "
                "be submitted online to the department?")
    assert analyse(question, [elections, services], translate=fake_translate).plan_ids == ("quang-tri-5",)


def test_a_phrase_mapped_surely_replaces_its_words_and_place_names_map_to_nothing() -> None:
    plan = PlanMeta(doc="a.txt", plan_id="quang-tri-5", level="tỉnh", locality="Quảng Trị", number="5/KH-UBND",
                    title="Phát động phong trào thi đua thực hiện thành công cuộc bầu cử")
    fake_map = {"certificate merit": [("bang khen", 1.0)], "certificate": [("giay chung nhan", 1.0)],
                "merit": [("thanh tich", 1.0)], "quang": [("quang cao", 0.4)], "tri": [("tri thuc", 0.3)],
                "tri certificate": [("chung chi", 0.2)], "commune": [("xa", 1.0)]}

    def fake_translate(words: Sequence[str]) -> list[list[tuple[str, float]]]:
        return [fake_map.get(w, []) for w in words]

    analysis = analyse("Which commune of Quang Tri gets a certificate of merit?", [plan], translate=fake_translate)
    alternatives = {alt for group in analysis.groups for alt, _ in group}
    assert {"bang khen", "xa"} <= alternatives
    assert not alternatives & {"giay chung nhan", "thanh tich", "quang cao", "tri thuc", "chung chi"}


def test_a_frequency_says_how_often_so_a_when_question_gets_the_dated_time_first() -> None:
    from assistant.evidence import dates_asked

    sentence = ("+ Các thông số: độ mặn, pH quan trắc với tần suất 2 lần/tháng; thời gian quan trắc từ tháng 3 đến "
                "tháng 10 năm 2026; số lượng mẫu 240 mẫu/năm.")
    asked = dates_asked(sentence, analyse("Vùng nuôi tôm được quan trắc trong khoảng thời gian nào?", []))
    assert asked[0] == "từ tháng 3 đến tháng 10 năm 2026" and "2 lần/tháng" in asked
    # A recurrence anchored on a day is a deadline, not a frequency.
    assert dates_asked("Tổ chức họp 2 lần/năm; báo cáo trước ngày 15 hằng tháng.", analyse("Báo cáo khi nào?", [])) \
        == ["trước ngày 15 hằng tháng", "2 lần/năm"]
    assert dates_asked("Thực hiện báo cáo hằng tháng; thời hạn gửi trước ngày 15 hằng tháng",
                       analyse("Báo cáo khi nào?", []))[0].endswith("trước ngày 15 hằng tháng")


def test_a_phrase_the_plans_also_write_abbreviated_matches_either_form() -> None:
    from assistant.evidence import covers
    from corpus.text import fold

    def group_with(question: str, alt: str) -> tuple[tuple[str, float], ...]:
        return next(g for g in analyse(question, []).groups if any(a == alt for a, _ in g))

    full = group_with("Ước thu ngân sách nhà nước cả năm đạt bao nhiêu tỷ đồng?", "ngan sach nha nuoc")
    short = group_with("Thu NSNN năm nay ước đạt bao nhiêu?", "nsnn")
    for group in (full, short):
        for sentence in ("a) Tình hình thu NSNN năm 2025", "Tổng thu ngân sách nhà nước 10.367 tỷ đồng"):
            folded = fold(sentence)
            assert covers(group, set(folded.split()), f" {folded} "), (group, sentence)
    # The phrase is one word of the question: its syllables are not also asked for one by one.
    assert not any(g == (("sach", 1.0),) for g in analyse("Thu ngân sách nhà nước đạt bao nhiêu?", []).groups)
    # The longest phrase is read: "dịch vụ công trực tuyến" is one word, not also "dịch vụ công".
    online = analyse("Chỉ tiêu dịch vụ công trực tuyến toàn trình là bao nhiêu?", []).groups
    assert [g for g in online if any(alt.startswith("dich vu") for alt, _ in g)] == [
        (("dich vu cong truc tuyen", 1.0), ("dvctt", 1.0))]


def test_a_bound_is_one_word_in_any_of_its_wordings() -> None:
    from assistant.evidence import covers
    from corpus.text import fold

    # "tối thiểu", "ít nhất", "không dưới", "… trở lên" bound a target alike: a question in one wording meets a
    # plan in another, and the bound weighs as one word, not as its syllables one by one.
    for question in ("Tỷ lệ cử tri đi bầu phải đạt tối thiểu bao nhiêu?", "Ty le cu tri di bau it nhat la bao nhieu?"):
        groups = analyse(question, []).groups
        bound = next(g for g in groups if any(alt == "toi thieu" for alt, _ in g))
        assert {alt for alt, _ in bound} >= {"toi thieu", "it nhat", "khong duoi", "tro len"}
        assert (("thieu", 1.0),) not in groups
        folded = fold("+ Có tỷ lệ cử tri đi bầu cử đạt từ 98% trở lên;")
        assert covers(bound, set(folded.split()), f" {folded} ")
    # "không quá" is not a form of "tối đa": folded it is "không qua" (without going through).
    most = next(g for g in analyse("Mức hỗ trợ tối đa là bao nhiêu?", []).groups if any(a == "toi da" for a, _ in g))
    folded = fold("Người dân nộp hồ sơ không qua bưu chính.")
    assert not covers(most, set(folded.split()), f" {folded} ")
    # A phrase beside another is read as well: "NSNN" next to "ít nhất".
    groups = analyse("Chi NSNN ít nhất bao nhiêu?", []).groups
    assert any(alt == "nsnn" for g in groups for alt, _ in g) and any(alt == "it nhat" for g in groups for alt, _ in g)


def test_a_question_asking_which_quarter_asks_when_and_one_asking_through_whom_asks_via() -> None:
    assert "date" in analyse("By which quarter must wards finish the land-use database?", []).wants
    via = analyse("Các đơn vị báo cáo UBND tỉnh kết quả thông qua cơ quan nào?", [])
    assert "via" in via.wants and "agency" in via.wants
    assert value_of("agency", "- Báo cáo Ủy ban nhân dân tỉnh về kết quả Đợt thi đua (qua Sở Nội vụ) khi tổng kết.",
                    via) == "Sở Nội vụ"
    # A sentence that names no body a report goes through gives no answer to it; "qua các năm", "qua các hội nghị"
    # say how or when, not through whom.
    assert value_of("agency", "- Sở Tài chính chủ trì tổng hợp kết quả.", via) == ""
    assert value_of("agency", "Các sở báo cáo kết quả qua các hội nghị giao ban hằng quý.", via) == ""


def test_a_total_asked_for_is_read_from_the_total_row_of_a_flattened_table() -> None:
    flattened = "Kim loại nặng 2 lần/năm 02 tháng 3 6 Tổng cộng 732"
    # "Tổng cộng" labels the row: the 6 before it counts nothing.
    assert not any(q.unit.startswith("tong") for q in quantities(flattened))
    asked = analyse("Theo phụ lục, tổng cộng bao nhiêu mẫu được quan trắc?", [])
    assert "total" in asked.wants and asked.intent == "value"
    found = quantity_for("count", flattened, asked.counted, total=True)
    assert found is not None and found.text == "732"
    # Without a total asked, a count of another noun is no answer.
    assert quantity_for("count", flattened, ("mau",)) is None
    # A total that counts something else is not the total asked for; "công" is no "cộng".
    found = quantity_for("count", "Tổng cộng 5 xã, 120 hộ được hỗ trợ", ("ho",), total=True)
    assert found is not None and found.text.startswith("120 hộ")
    assert [q.unit for q in quantities("Xây dựng 10 công trình, 3 Cổng thông tin")] == ["cong trinh", "cong thong tin"]


def test_provinces_a_text_names_include_those_merged_away_in_2025() -> None:
    from assistant.handlers import _provinces_named

    # a plan of its time names the province it then belonged to
    assert _provinces_named("ỦY BAN NHÂN DÂN TỈNH KON TUM") == ["Kon Tum"]
    assert _provinces_named("Thực hiện Kế hoạch số 47/KH-UBND của UBND tỉnh Quảng Ngãi") == ["Quảng Ngãi"]
    assert _provinces_named("Ủy ban nhân dân xã Sa Thầy") == []


def test_a_measure_word_in_capitals_after_a_number_opens_another_cell() -> None:
    # "… 1" / "Tỷ lệ hồ sơ …": a row number, then the next cell of a flattened table, not "1 tỷ" (a billion).
    assert all(q.kind != "money" for q in quantities("Chỉ tiêu Mục tiêu 1 Tỷ lệ hồ sơ được xử lý trực tuyến"))
    assert [(q.kind, q.text) for q in quantities("Tổng kinh phí là 1.245 triệu đồng, 500 USD")] == [
        ("money", "1.245 triệu đồng"), ("money", "500 USD")]
