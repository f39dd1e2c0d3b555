"""Adding plans from the web UI: staging, editable metadata, indexing in the UI's own process, rollback, names;
and the "Add plans" tab driven in a real headless Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings, load_settings
from evals.docs import header, make_docx
from index.record import load_record
from ui.add_plans import AddPlans, safe_name

PLANS = Path(__file__).resolve().parent / "plans"
CHROMIUM = Path("/usr/bin/chromium")
TASK = "1. Công an xã rà soát, cập nhật dữ liệu dân cư trên địa bàn, hoàn thành trước ngày 15/11/2025."


def _settings(root: Path) -> Settings:
    corpus = root / "plans"
    corpus.mkdir()
    for name in ("field_blocks.txt", "ward_targets.txt"):
        shutil.copy(PLANS / name, corpus / name)
    return load_settings(store_dir=root / "store", corpus_dir=corpus, manifest=root / "manifest.toml",
                         feedback_file=root / "feedback.jsonl", max_plan_mb=1)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[Any, Settings]]:
    """A ChatUI over a real index of two plans, in a temp folder with its own manifest."""
    import fakes

    from assistant.service import Assistant
    from index.build import ingest
    from ui.handlers import ChatUI

    settings = _settings(tmp_path)
    embedder = fakes.FakeHashEmbedder()
    ingest(settings, embedder=embedder)
    assistant = Assistant.open(settings, embedder=embedder)
    yield ChatUI(assistant, settings, stream_delay=0), settings
    assistant.close()


def test_file_names_are_sanitised() -> None:
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("C:\\Users\\x\\Kế hoạch số 12.DOCX") == "Kế_hoạch_số_12.docx"
    assert safe_name(".hidden.pdf") == "hidden.pdf"
    assert safe_name("<script>.pdf") == "script.pdf"
    assert safe_name("....") == "plan"


def test_stage_edit_and_add_makes_the_plan_searchable(office: tuple[Any, Settings], tmp_path: Path) -> None:
    chat, settings = office
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    docx = make_docx(uploads / "KH 12 Tân Lập.docx", [*header("Tân Lập", "12", "Chuyển đổi số năm 2025"), TASK])
    (uploads / "notes.odt").write_bytes(b"PK\x03\x04")
    (uploads / "big.txt").write_bytes(b"x" * (2 * 1024 * 1024))
    duplicate = shutil.copy(PLANS / "ward_targets.txt", uploads / "copy.txt")
    adder = AddPlans(chat, settings)
    staged = adder.stage([str(docx), str(uploads / "notes.odt"), str(uploads / "big.txt"), str(duplicate)])
    rows = adder.rows(staged, "en")
    assert [r[0] for r in rows] == ["KH_12_Tân_Lập.docx", "notes.odt", "big.txt", "copy.txt"]
    assert rows[0][1] == "✅ ready" and rows[0][4] == "Tân Lập" and rows[0][5].startswith("12")
    assert "not supported" in rows[1][1] and "larger than 1 MB" in rows[2][1]
    assert "already in the index (ward_targets.txt)" in rows[3][1]
    rows[0][7] = "Chuyển đổi số\nnăm 2025 (đã sửa)"  # an edit, with a newline that must not break the manifest
    message = adder.add(staged, rows, "en")
    assert message.startswith("Added 1 plan") and "KH_12_Tân_Lập.docx" in message
    assert (settings.corpus_dir / "KH_12_Tân_Lập.docx").exists()
    assert not (settings.corpus_dir / "notes.odt").exists() and not (settings.corpus_dir / "copy.txt").exists()
    meta = next(m for m in chat.assistant.plan_list() if m.doc == "KH_12_Tân_Lập.docx")
    assert meta.title == "Chuyển đổi số năm 2025 (đã sửa)" and meta.locality == "Tân Lập"
    assert "KH_12_Tân_Lập.docx" in chat.texts and meta.plan_id in chat.plans  # the Plans tab lists it
    answer = chat.assistant.ask("Công an xã Tân Lập rà soát dữ liệu dân cư hoàn thành trước ngày nào?")
    assert any(c.doc == "KH_12_Tân_Lập.docx" for c in answer.citations), answer.answer
    # The edit is kept for later ingests, as a manifest entry with only that field.
    from corpus.manifest import load_manifest

    entry = load_manifest(settings.manifest).get("KH_12_Tân_Lập.docx")
    assert entry == {"doc": "KH_12_Tân_Lập.docx", "title": "Chuyển đổi số năm 2025 (đã sửa)"}


def test_a_failed_addition_leaves_index_folder_and_manifest_as_they_were(
        office: tuple[Any, Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chat, settings = office
    settings.manifest.write_text("# kept as it is\n", encoding="utf-8")
    record = load_record(settings.build_record)
    docx = make_docx(tmp_path / "kh.docx", [*header("An Bình", "3", "Vệ sinh môi trường"), TASK])
    adder = AddPlans(chat, settings)
    staged = adder.stage([str(docx)])
    rows = adder.rows(staged, "vi")
    rows[0][4] = "An Bình Mới"

    def broken(*_: Any, **__: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(chat.assistant, "add_plans", broken)
    message = adder.add(staged, rows, "vi")
    assert message.startswith("⚠️") and "disk full" in message
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == ["field_blocks.txt", "ward_targets.txt"]
    assert settings.manifest.read_text(encoding="utf-8") == "# kept as it is\n"
    assert load_record(settings.build_record) == record


# ---------------------------------------------------------------- in a real headless browser

def shows(page: Any, selector: str, text: str) -> None:
    """Wait until the element's visible text contains text."""
    page.wait_for_function("([sel, text]) => (document.querySelector(sel)?.innerText || '').includes(text)",
                           arg=[selector, text])


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium missing: apt-get install -y chromium")
def test_upload_tab_adds_a_plan_in_the_browser(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="python playwright package missing")
    from assistant.service import Assistant
    from index.build import ingest
    from ui.app import build_app, free_port, launch

    settings = _settings(tmp_path)
    ingest(settings)
    assistant = Assistant.open(settings)
    demo = build_app(assistant, settings)
    url = launch(demo, port=free_port(), block=False, max_upload_bytes=settings.max_plan_mb * 1024 * 1024)
    docx = make_docx(tmp_path / "Kế hoạch Tân Lập.docx", [*header("Tân Lập", "12", "Chuyển đổi số năm 2025"), TASK])
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
            page.set_default_timeout(60_000)
            page.goto(url)
            page.get_by_role("tab", name="Thêm kế hoạch").click()
            page.set_input_files("#add-files input[type=file]", str(docx))
            shows(page, "#add-files", "Kế hoạch Tân Lập")  # the name, its suffix on a line of its own
            page.click("#add-read")
            shows(page, "#add-table", "sẵn sàng")
            assert "Tân Lập" in page.inner_text("#add-table")
            page.click("#add-go")
            shows(page, "#add-status", "Đã thêm 1 kế hoạch")
            assert "Kế_hoạch_Tân_Lập.docx" in page.inner_text("#add-status")
            page.get_by_role("tab", name="Các kế hoạch").click()
            shows(page, "#plans-table", "Tân Lập")
            page.get_by_role("tab", name="Nghĩa vụ").click()
            shows(page, "#obl-table", "rà soát, cập nhật dữ liệu dân cư")  # the new plan's duty is listed
            page.get_by_role("tab", name="Hỏi đáp").click()
            page.fill("#question textarea", "Công an xã Tân Lập rà soát dữ liệu dân cư hoàn thành trước ngày nào?")
            page.press("#question textarea", "Enter")
            page.wait_for_selector("#chat .answer:not(.pending) a.cite-ref")
            assert "15/11/2025" in page.inner_text("#chat")
            browser.close()
    finally:
        demo.close()
        assistant.close()
    assert (settings.corpus_dir / "Kế_hoạch_Tân_Lập.docx").exists()
