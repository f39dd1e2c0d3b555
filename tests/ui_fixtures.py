"""Shared UI test fixtures (no conftest): one temp index, one Assistant and one launched app per test session."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from assistant.service import PlanText
from assistant.types import Answer, Citation
from corpus.records import PlanMeta

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

if TYPE_CHECKING:
    from assistant.service import Assistant
    from assistant.settings import Settings

ACCENTED = "Phường Dương Kinh đặt mục tiêu tỷ lệ người dân, doanh nghiệp hài lòng năm 2025 là bao nhiêu?"
UNACCENTED = "xa Sa Thay phai gui bao cao dinh ky truoc ngay nao hang thang?"
ENGLISH = "Which agency leads the implementation of the Đắk Lắk provincial plan?"
NO_ANSWER = "Kế hoạch của phường Hoàn Kiếm yêu cầu báo cáo trước ngày nào?"
FOLLOW_UP = "Còn xã Cẩm Giang thì sao?"


class FakeAssistant:
    """Just enough Assistant for the UI, no index: one plan (optionally "repaired"), canned answers."""

    def __init__(self, repaired: bool = False) -> None:
        self.repaired = repaired
        self.calls: list[tuple[str, str | None, tuple[str, ...]]] = []
        self.generation = 1  # bumped when the served plans change (Assistant.refresh)

    def plan_list(self) -> list[PlanMeta]:
        """One plan."""
        return [PlanMeta(doc="fake.txt", plan_id="fake", locality="Dương Kinh", level="phường", number="49/KH-UBND",
                         date="2025-09-17", title="Kế hoạch thử nghiệm")]

    def plan_summaries(self) -> list[tuple[PlanMeta, bool]]:
        """The one plan, repaired or not."""
        return [(self.plan_list()[0], self.repaired)]

    def plan_text(self, doc: str) -> PlanText:
        """Raw scan lines without diacritics beside a restored reading."""
        raw = tuple(f"dong {i} ke hoach so hoa" for i in range(1, 41))
        restored = tuple(f"dòng {i} kế hoạch số hóa" for i in range(1, 41)) if self.repaired else raw
        return PlanText(self.plan_list()[0], raw, restored, self.repaired, ())

    def ask(self, question: str, plan: str | None = None, history: Sequence[str] = ()) -> Answer:
        """A two-citation answer (lines 20-21 and 30), or a QuestionError for "bad"."""
        from assistant.query import QuestionError

        self.calls.append((question, plan, tuple(history)))
        if question == "bad":
            raise QuestionError("Câu hỏi không hợp lệ.")
        cits = (Citation("fake.txt", (20, 21), "dong 20 ke hoach so hoa dong 21 ke hoach so hoa", "I. A", "fake",
                         "phường Dương Kinh", "dòng 20 kế hoạch số hóa dòng 21 kế hoạch số hóa"),
                Citation("fake.txt", (30, 30), "dong 30 ke hoach so hoa", "II. B", "fake", "phường Dương Kinh"))
        return Answer(question=question, answer=f"Theo kế hoạch của phường Dương Kinh: “a” [1] “b” [2] ({question})",
                      abstained=False, citations=cits, effective_question=question)


@dataclass
class UIServer:
    """A launched app over a private index: its settings, Assistant, Blocks and local URL."""

    settings: Settings
    assistant: Assistant
    demo: Any
    url: str
    root: Path

    @property
    def feedback_file(self) -> Path:
        """Where this server appends feedback."""
        return Path(self.settings.feedback_file)


_lock = threading.Lock()
_server: UIServer | None = None


def _close(server: UIServer) -> None:
    try:
        server.demo.close()
    finally:
        server.assistant.close()
        shutil.rmtree(server.root, ignore_errors=True)


def shared_server() -> UIServer:
    """Build the index (~30-100 s) and launch the app once per process; closed at exit."""
    global _server
    with _lock:
        if _server is None:
            from assistant.service import Assistant
            from assistant.settings import load_settings
            from index.build import ingest
            from ui.app import build_app, free_port, launch

            root = Path(tempfile.mkdtemp(prefix="plans-ui-test-"))
            settings = load_settings(store_dir=root / "store", repair=False, feedback_file=root / "feedback.jsonl")
            ingest(settings)
            assistant = Assistant.open(settings)
            assistant.warm()
            demo = build_app(assistant, settings)
            url = launch(demo, port=free_port(), block=False)
            _server = UIServer(settings, assistant, demo, url, root)
            atexit.register(_close, _server)
        return _server


@pytest.fixture(scope="session")
def ui_server() -> Iterator[UIServer]:
    """The shared launched app (import this fixture into a test module to use it)."""
    yield shared_server()
