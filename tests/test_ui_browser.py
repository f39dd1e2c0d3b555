"""Web UI in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_fixtures import ACCENTED, NO_ANSWER, FakeAssistant, UIServer, ui_server

__all__ = ["ui_server"]  # the fixture, imported for pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="headless Chromium missing: apt-get install -y chromium fonts-noto-core"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium (playwright creates a fresh profile for it)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="python playwright package missing")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS[1:])
        yield chromium
        chromium.close()


def _open(browser: Any, url: str) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.goto(url)
    pg.wait_for_selector("#question textarea")
    return pg


@pytest.fixture(scope="module")
def page(browser: Any, ui_server: UIServer) -> Iterator[Any]:
    """A page on the real app, in its own browser context (so its own Gradio session)."""
    pg = _open(browser, ui_server.url)
    yield pg
    pg.context.close()


@pytest.fixture(scope="module")
def repaired_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a fake Assistant whose one plan has a restored reading (no index needed)."""
    from assistant.settings import load_settings
    from ui.app import build_app, free_port, launch

    settings = load_settings(feedback_file=tmp_path_factory.mktemp("fb") / "feedback.jsonl")
    demo = build_app(FakeAssistant(repaired=True), settings)  # type: ignore[arg-type]
    yield launch(demo, port=free_port(), block=False)
    demo.close()


def test_ask_click_marker_see_highlighted_source(page: Any, ui_server: UIServer) -> None:
    # The examples are drawn after the page's first paint: wait for them rather than read too early.
    page.wait_for_function("() => (document.querySelector('#examples')?.innerText || '').includes('Which agency')")
    examples = page.inner_text("#examples")
    assert "Dương Kinh" in examples and "xa Sa Thay" in examples and "Which agency" in examples
    page.fill("#question textarea", ACCENTED)
    page.press("#question textarea", "Enter")
    marker = page.wait_for_selector("#chat .answer:not(.pending) a.cite-ref")
    assert marker.inner_text().strip() == "[1]"
    assert "49/KH-UBND" in page.inner_text("#chat")
    marker.click()
    page.wait_for_selector("#src-panel .ln-row.hl")
    panel = page.inner_text("#src-panel")
    assert "Kế hoạch số 49/KH-UBND" in panel and "phường Dương Kinh" in panel and "Mục:" in panel
    box = page.query_selector("#src-panel .src-panel")
    first, last = int(box.get_attribute("data-first")), int(box.get_attribute("data-last"))
    lit = [int(el.get_attribute("data-line")) for el in page.query_selector_all("#src-panel .ln-row.hl")]
    assert lit == list(range(first, last + 1))
    raw = (ui_server.settings.corpus_dir / "000_35dce5dc0de49619.txt").read_text(encoding="utf-8-sig").split("\n")
    hl_text = page.inner_text("#src-panel .ln-row.hl .tx >> nth=0")
    assert hl_text.strip() == raw[first - 1].strip()
    page.wait_for_timeout(800)  # let the scroll-to-highlight settle before the picture
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)
    assert (ARTIFACTS / "ui-answer.png").stat().st_size > 20_000


def test_abstention_english_switch_and_new_conversation(page: Any) -> None:
    page.fill("#question textarea", NO_ANSWER)
    page.press("#question textarea", "Enter")
    page.wait_for_selector("#chat .sources.r a.cite-ref")  # related passages come with the final update
    assert page.query_selector("#chat .answer.abstain") and "🔍" in page.inner_text("#chat")
    page.click("#lang label:has-text('English')")
    page.wait_for_function("() => document.querySelector('#send').innerText.includes('Send')")
    assert "No answer found" in page.inner_text("#chat")
    page.click("#new-chat")
    page.wait_for_function("() => !document.querySelector('#chat .answer')")
    page.click("#lang label:has-text('Tiếng Việt')")
    page.wait_for_function("() => document.querySelector('#send').innerText.includes('Gửi')")


def test_plans_tab_full_text_toggle(page: Any) -> None:
    page.click("button[role='tab']:has-text('Các kế hoạch')")
    page.wait_for_selector("#plans-table")
    assert len(page.query_selector_all("#plans-table tbody tr")) == 5
    rows = page.query_selector_all("#plan-full .ln-row")
    assert len(rows) > 100 and re.match(r"\d+", rows[0].inner_text())
    page.click("button[role='tab']:has-text('Hỏi đáp')")


def test_repaired_plan_source_shows_restored_reading_and_raw_toggle(browser: Any, repaired_url: str) -> None:
    pg = _open(browser, repaired_url)
    try:
        pg.fill("#question textarea", "kế hoạch số hóa?")
        pg.press("#question textarea", "Enter")
        pg.click("#chat .answer:not(.pending) a.cite-ref >> nth=0")
        pg.wait_for_selector("#src-panel .ln-row.hl")
        assert pg.is_visible("#src-view")  # the restored/raw toggle exists only for repaired plans
        assert pg.inner_text("#src-panel .ln-row.hl .tx >> nth=0") == "dòng 20 kế hoạch số hóa"
        assert "khôi phục dấu" in pg.inner_text("#src-panel")
        pg.click("#src-view label:has-text('Bản quét gốc')")
        pg.wait_for_function("() => document.querySelector('#src-panel .ln-row.hl .tx').innerText.startsWith('dong 20')")
        pg.click("button[role='tab']:has-text('Các kế hoạch')")
        assert pg.is_visible("#plan-view") and "dòng 1 kế hoạch" in pg.inner_text("#plan-full")
    finally:
        pg.context.close()
