"""Obligations tab: through gradio_client over the shared launched app (real index), plus fast unit tests."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from ui_fixtures import FakeAssistant, UIServer, ui_server

from corpus.obligations import Obligation
from corpus.text import fold
from corpus.times import TimeExpr
from ui.i18n import t

__all__ = ["ui_server"]  # the fixture, imported for pytest

DUONG_KINH = "000_35dce5dc0de49619.txt"
BA_DINH = "002_8d078f4651206baf.txt"
FORMATS = ("dd/mm/yyyy", "yyyy-mm-dd", "mm/yyyy")


def _client(server: UIServer, downloads: Path | None = None) -> Any:
    from gradio_client import Client

    return Client(server.url, verbose=False, download_files=str(downloads) if downloads else False)


def _filter(client: Any, plan: str = "*", who: str = "", search: str = "", before: str = "", after: str = "",
            month: str = "", lang: str = "vi") -> tuple[Any, ...]:
    """(table rows, headers, status, timeline, csv, ics) of the Obligations filter API."""
    table, status, timeline, csv_file, ics_file, page = client.predict(plan, who, search, before, after, month,
                                                                       lang, api_name="/obligations")
    assert page == 1  # a new filter shows its first page
    return table["data"], table["headers"], status, timeline, csv_file, ics_file


def _csv_rows(path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))


# ---------------------------------------------------------------- through gradio_client (slow: real index)

@pytest.mark.slow
def test_before_date_keeps_both_reporting_duties_and_exports_them(ui_server: UIServer, tmp_path: Path) -> None:
    client = _client(ui_server, tmp_path)
    rows, headers, status, timeline, csv_path, ics_path = _filter(client, before="10/11/2025")
    assert headers == [t(k, "vi") for k in ("col_no", "col_plan", "col_lines", "col_lead", "col_support",
                                            "col_deadline", "col_task")]
    due_1011 = {(fold(row[1].split(" (")[0]), row[2]) for row in rows if row[5] == "10/11/2025"}
    assert {("phuong duong kinh", "336–338"), ("xa ba dinh", "94")} <= due_1011  # Ba Đình's label may lack accents
    assert f"**{len(rows)}**" in status
    exported = _csv_rows(csv_path)  # the download is exactly the filtered table
    assert len(exported) == len(rows) and Path(csv_path).name == "nghia-vu.csv"
    spans = {(r["doc"], r["line_start"], r["line_end"]) for r in exported if r["deadline_end"] == "2025-11-10"}
    assert {(DUONG_KINH, "336", "338"), (BA_DINH, "94", "94")} <= spans
    assert all(r["deadline_end"] <= "2025-11-10" for r in exported if r["deadline_kind"] != "recurring")
    ics = Path(ics_path).read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR") and ics.rstrip().endswith("END:VCALENDAR")
    assert "DTSTART;VALUE=DATE:20251110" in ics
    assert Path(timeline).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    narrower = _filter(client, who="trung tam phuc vu", before="10/11/2025", after="2025-11-01")[0]
    assert {row[2] for row in narrower} >= {"336–338", "94"} and len(narrower) < len(rows)


@pytest.mark.slow
def test_bad_dates_show_accepted_formats_not_a_traceback(ui_server: UIServer) -> None:
    client = _client(ui_server)
    for before, month, lang in (("31/02/2025", "", "vi"), ("next week", "", "en"), ("", "13/2025", "vi")):
        rows, _, status, timeline, csv_file, ics_file = _filter(client, before=before, month=month, lang=lang)
        assert rows == [] and timeline is None and csv_file is None and ics_file is None
        assert t("obl_formats", lang) in status and (before or month) in status
        assert "Traceback" not in status and "Error" not in status
        assert all(f in status for f in (FORMATS if before else ("mm/yyyy", "yyyy-mm")))
    assert t("obl_before", "en") in _filter(client, before="next week", lang="en")[2]
    rows, headers, status, *_ = _filter(client, month="11/2025", lang="en")  # and the app still serves
    assert rows and headers[0] == "No." and "obligations" in status


@pytest.mark.slow
def test_plan_and_text_filters_and_empty_result(ui_server: UIServer) -> None:
    client = _client(ui_server)
    rows = _filter(client, plan="duong-kinh")[0]
    assert rows and all("Dương Kinh" in row[1] for row in rows)
    found = _filter(client, search="bao cao", month="11/2025")[0]
    assert found and all(row[5] != "—" for row in found)
    rows, _, status, timeline, csv_file, _ = _filter(client, who="khong co don vi nay")
    assert rows == [] and status == t("obl_none", "vi") and timeline is None and csv_file is None


@pytest.mark.slow
def test_row_number_opens_highlighted_source(ui_server: UIServer) -> None:
    client = _client(ui_server)
    rows = _filter(client, plan="duong-kinh", before="10/11/2025", after="10/11/2025")[0]
    number = next(row[0] for row in rows if row[2] == "336–338")
    html, _view = client.predict(str(number), "vi", "restored", api_name="/obligation_source")
    assert 'data-first="336" data-last="338"' in html and f"{t('obligation_n', 'vi')} {number}" in html
    assert re.findall(r'<div class="ln-row hl" id="L(\d+)"', html) == ["336", "337", "338"]
    assert "Trung tâm Phục vụ hành chính công phường" in html and "10/11/2025" in html
    raw = (ui_server.settings.corpus_dir / DUONG_KINH).read_text(encoding="utf-8-sig").split("\n")
    assert raw[336 - 1].strip()[:20] in html.replace("&#x27;", "'")
    gone, _ = client.predict("99999", "vi", "restored", api_name="/obligation_source")
    assert t("obl_gone", "vi") in gone


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="headless Chromium missing")
def test_row_click_in_browser_highlights_source(ui_server: UIServer) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="python playwright package missing")
    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--no-first-run"]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=flags)
        try:
            pg = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            pg.set_default_timeout(30_000)
            pg.goto(ui_server.url)
            pg.click(f"button[role='tab']:has-text('{t('tab_obligations', 'vi')}')")
            pg.wait_for_selector("#obl-table [role=gridcell]")
            unfiltered = pg.inner_text("#obl-status")
            pg.fill("#obl-before textarea, #obl-before input", "10/11/2025")
            pg.press("#obl-before textarea, #obl-before input", "Enter")
            pg.wait_for_function("s => document.querySelector('#obl-status').innerText !== s", arg=unfiltered)
            pg.locator("#obl-table [role=gridcell]:has-text('336–338')").first.click()
            pg.wait_for_selector("#obl-source .ln-row.hl")
            lit = [el.get_attribute("data-line") for el in pg.query_selector_all("#obl-source .ln-row.hl")]
            assert lit == ["336", "337", "338"]
            pg.click("#obl-open-plan")  # the same lines in the plan's full text
            pg.wait_for_selector("#plan-full .ln-row.hl")
            assert [el.get_attribute("data-line") for el in pg.query_selector_all("#plan-full .ln-row.hl")] == lit
        finally:
            browser.close()


# ---------------------------------------------------------------- unit tests (fast, no server)

def _obligation(lines: tuple[int, int], lead: str, deadline: TimeExpr | None, task: str) -> Obligation:
    return Obligation("fake", "fake.txt", "phường Dương Kinh", lines, (lead,), (), task, task, deadline, "I. A")


class ObligedAssistant(FakeAssistant):
    """The fake plan with three duties: one due 10/11/2025, one monthly, one undated."""

    def obligations(self) -> list[Obligation]:
        """Three obligations over the fake plan's lines."""
        return [_obligation((20, 21), "Trung tâm Phục vụ hành chính công", TimeExpr("trước ngày 10/11/2025", "day",
                                                                                  end=date(2025, 11, 10)),
                            "tổng hợp báo cáo"),
                _obligation((30, 30), "UBND phường", TimeExpr("trước ngày 13 hằng tháng", "recurring",
                                                              recurrence="monthly:13"), "gửi báo cáo định kỳ"),
                _obligation((5, 6), "Công an phường", None, "tuyên truyền")]


def _ui(keep: int = 48) -> Any:
    from ui.obligations import ObligationsUI

    fake = ObligedAssistant()
    meta = fake.plan_list()[0]
    return ObligationsUI(fake, {meta.plan_id: meta}, {meta.doc: fake.plan_text(meta.doc)}, keep=keep)  # type: ignore[arg-type]


def test_filters_rows_and_messages() -> None:
    from ui.obligations import FilterError

    ui = _ui()
    assert ui.select("*", "", "", "10/11/2025", "", "", "vi") == [0, 1]  # the monthly duty falls due too
    assert ui.select("fake", "trung tam", "", "", "", "", "vi") == [0]
    assert ui.select("*", "", "BAO CAO dinh ky", "", "", "", "vi") == [1]
    assert ui.select("nope", "", "", "", "", "", "vi") == [0, 1, 2]  # an unknown plan is "all plans"
    row = ui.rows([0], "en")[0]
    assert row == [1, "Dương Kinh ward (49/KH-UBND)", "20–21", "Trung tâm Phục vụ hành chính công", "",
                   "10/11/2025", "tổng hợp báo cáo"]
    assert ui.rows([2], "vi")[0][5] == "—"
    with pytest.raises(FilterError) as err:
        ui.select("*", "", "", "", "2025/11/10", "", "vi")
    assert "2025/11/10" in str(err.value) and t("obl_after", "vi") in str(err.value)
    assert all(f in str(err.value) for f in FORMATS) and " hoặc " in str(err.value)
    res = ui.run("*", "", "", "", "", "1/2025x", "en")
    assert res.rows == [] and res.csv is None and "mm/yyyy" in res.status


def test_exports_stay_in_own_temp_folder_and_rotate() -> None:
    ui = _ui(keep=2)
    root = ui.root.resolve()
    assert root.is_relative_to(Path(tempfile.gettempdir()).resolve())
    made = [ui.run("*", "", "", "", "", "", "vi") for _ in range(3)]
    for res in made:
        for path in (res.csv, res.ics):
            assert path and Path(path).resolve().is_relative_to(root)
    assert not Path(made[0].csv or "").exists() and Path(made[2].csv or "").exists()  # only the newest kept
    assert len(_csv_rows(made[2].csv or "")) == 3
    assert Path(made[2].ics or "").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert made[2].timeline and Path(made[2].timeline).read_bytes()[:4] == b"\x89PNG"
    undated = ui.run("*", "cong an", "", "", "", "", "vi")
    assert undated.timeline is None and len(_csv_rows(undated.csv or "")) == 1


def test_source_panel_highlights_obligation_lines() -> None:
    ui = _ui()
    html, n, repaired = ui.source("1:123", "en", "restored")
    assert n == 1 and repaired is False
    assert re.findall(r'ln-row hl" id="L(\d+)"', html) == ["20", "21"]
    assert "Obligation 1" in html and "Deadline (verbatim)" in html and "trước ngày 10/11/2025" in html
    assert ui.source("4", "vi", "raw")[1] is None and t("obl_gone", "vi") in ui.source("x", "vi", "raw")[0]
    assert ui.open_plan(2) == ("fake.txt", (30, 30)) and ui.open_plan("0") == (None, None)


def test_tab_is_empty_not_broken_without_obligations() -> None:
    from ui.obligations import ObligationsUI

    fake = FakeAssistant()  # no obligations() at all
    ui = ObligationsUI(fake, {}, {}, keep=1)  # type: ignore[arg-type]
    res = ui.run("*", "", "", "", "", "", "en")
    assert ui.obls == [] and res.rows == [] and res.status == t("obl_none", "en") and res.csv is None
    assert ui.plan_choices("vi") == [(t("all_plans", "vi"), "*")]


class ManyObligations(FakeAssistant):
    """The fake plan with 450 dated duties (a province's worth of rows)."""

    def obligations(self) -> list[Obligation]:
        """Duties due on the 1st to the 28th of each month."""
        return [_obligation((1 + i % 40, 1 + i % 40), f"Đơn vị {i}",
                            TimeExpr(f"trước ngày {1 + i % 28}/{1 + i % 12}/2025", "day",
                                     end=date(2025, 1 + i % 12, 1 + i % 28)), f"nhiệm vụ {i}")
                for i in range(450)]


def test_a_long_table_is_shown_a_page_at_a_time_and_exported_whole() -> None:
    from ui.obligations import PAGE_ROWS, ObligationsUI

    fake = ManyObligations()
    meta = fake.plan_list()[0]
    ui = ObligationsUI(fake, {meta.plan_id: meta}, {meta.doc: fake.plan_text(meta.doc)}, keep=2)  # type: ignore[arg-type]
    first = ui.run("*", "", "", "", "", "", "en")
    assert len(first.rows) == PAGE_ROWS and first.page == 1 and first.rows[0][0] == 1
    assert len(_csv_rows(first.csv or "")) == 450  # the export is the whole filter, not the page
    pages = -(-450 // PAGE_ROWS)
    rows, status, page = ui.run_page("*", "", "", "", "", "", "en", pages)
    assert page == pages and len(rows) == 450 - (pages - 1) * PAGE_ROWS and rows[-1][0] == 450
    assert f"page {pages} of {pages}" in status
    assert ui.run_page("*", "", "", "", "", "", "en", 99)[2] == pages  # past the end: the last page
    assert ui.run_page("*", "", "", "", "", "", "en", 0)[2] == 1
    one = ui.run("*", "Đơn vị 7", "", "", "", "", "vi", page=3)  # a small selection has one page
    assert one.page == 1 and "trang" not in one.status


def test_plan_menu_finds_plans_by_place_or_number_without_accents() -> None:
    from corpus.records import PlanMeta
    from ui.render import ALL, MAX_CHOICES, match_plans, plan_menu

    plans = {f"p{i}": PlanMeta(doc=f"p{i}.txt", plan_id=f"p{i}", locality=f"Xã Số {i}", level="xã",
                               number=f"{i}/KH-UBND") for i in range(300)}
    plans["dk"] = PlanMeta(doc="dk.txt", plan_id="dk", locality="Dương Kinh", level="phường", number="49/KH-UBND",
                           title="Nâng cao chất lượng dịch vụ công trực tuyến")
    assert [m.plan_id for m in match_plans(plans, "duong kinh")] == ["dk"]
    assert [m.plan_id for m in match_plans(plans, "DƯƠNG  49/kh")] == ["dk"]
    assert [m.plan_id for m in match_plans(plans, "dich vu cong")] == ["dk"]
    menu = plan_menu(plans, "vi")
    assert menu[0] == (t("all_plans", "vi"), ALL) and len(menu) == MAX_CHOICES + 1
    assert ("xã Xã Số 250 (250/KH-UBND)", "p250") not in menu
    kept = plan_menu(plans, "vi", "duong kinh", keep="p250")  # the plan chosen now stays in the menu
    assert [v for _, v in kept] == [ALL, "p250", "dk"]
    assert plan_menu(plans, "en", "nowhere at all") == [(t("all_plans", "en"), ALL)]


def test_plan_texts_are_read_when_shown_and_only_a_few_kept() -> None:
    from corpus.records import PlanMeta
    from ui.handlers import PlanTexts

    fake = FakeAssistant()
    base = fake.plan_list()[0]
    metas = [PlanMeta(doc=f"p{i}.txt", plan_id=f"p{i}", locality=base.locality, level=base.level) for i in range(500)]
    read: list[str] = []

    def load(doc: str) -> Any:
        read.append(doc)
        return fake.plan_text(doc)

    texts = PlanTexts(load, keep=3)
    texts.reset([(m, i % 2 == 0) for i, m in enumerate(metas)])
    assert len(texts) == 500 and "p499.txt" in texts and read == []  # nothing read to list the plans
    assert [r for _, r in texts.summaries()[:3]] == [True, False, True]
    for doc in ("p1.txt", "p2.txt", "p1.txt", "p3.txt", "p4.txt", "p1.txt"):
        assert texts[doc].raw
    assert read == ["p1.txt", "p2.txt", "p3.txt", "p4.txt"]  # p1 stayed among the three most recent
    with pytest.raises(KeyError):
        texts["nope.txt"]
    texts.reset([(metas[0], False)])
    assert list(texts) == ["p0.txt"] and "p1.txt" not in texts


def test_the_plans_tab_picker_searches_files_and_keeps_the_one_shown() -> None:
    from corpus.records import PlanMeta
    from ui.handlers import ChatUI
    from ui.render import MAX_CHOICES

    class ManyPlans(FakeAssistant):
        """300 plans, each its own file."""

        def plan_summaries(self) -> list[tuple[PlanMeta, bool]]:
            return [(PlanMeta(doc=f"p{i}.txt", plan_id=f"p{i}", locality=f"Tân Lập {i}", level="xã",
                              number=f"{i}/KH-UBND"), False) for i in range(300)]

    from assistant.settings import load_settings

    settings = load_settings(feedback_file=Path(tempfile.mkdtemp()) / "feedback.jsonl")
    chat = ChatUI(ManyPlans(), settings)  # type: ignore[arg-type]
    assert len(chat.doc_choices("vi")) == MAX_CHOICES
    assert [d for _, d in chat.doc_choices("vi", "tan lap 250")] == ["p250.txt"]
    assert [d for _, d in chat.doc_choices("en", "tan lap 250", keep="p7.txt")] == ["p7.txt", "p250.txt"]


def test_the_chat_takes_in_plans_the_assistant_took_in() -> None:
    from corpus.records import PlanMeta
    from ui.handlers import ChatUI

    class Growing(FakeAssistant):
        """A shared index's assistant: after a refresh it serves one more plan (a new generation)."""

        def __init__(self) -> None:
            super().__init__()
            self.extra: list[PlanMeta] = []

        def plan_summaries(self) -> list[tuple[PlanMeta, bool]]:
            return [*super().plan_summaries(), *((m, False) for m in self.extra)]

    from assistant.settings import load_settings

    fake = Growing()
    chat = ChatUI(fake, load_settings(feedback_file=Path(tempfile.mkdtemp()) / "feedback.jsonl"))  # type: ignore[arg-type]
    assert set(chat.plans) == {"fake"}
    fake.extra.append(PlanMeta(doc="new.txt", plan_id="new", locality="Tân Lập", level="xã", number="7/KH-UBND"))
    list(chat.ask("Câu hỏi thử", None, "vi", []))
    assert set(chat.plans) == {"fake"}  # the same generation: nothing to take in
    fake.generation += 1
    list(chat.ask("Câu hỏi khác", None, "vi", []))
    assert set(chat.plans) == {"fake", "new"}
    assert any(value == "new" for _, value in chat.plan_choices("vi"))
