"""Web UI through gradio_client (a launched app over a temp index), plus fast unit tests of its pieces."""

from __future__ import annotations

import itertools
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from ui_fixtures import ACCENTED, FOLLOW_UP, NO_ANSWER, UNACCENTED, FakeAssistant, UIServer, ui_server

from assistant.types import Answer, Citation
from corpus.records import PlanMeta
from ui.feedback import FeedbackLog
from ui.i18n import keys, t
from ui.render import Turn, esc, messages, parse_ref, plain_text, stream_prefixes

__all__ = ["ui_server"]  # the fixture, imported for pytest


def _client(server: UIServer) -> Any:
    from gradio_client import Client

    return Client(server.url, verbose=False, download_files=False)


def _texts(chat: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(role, title, text) of each Chatbot message as gradio_client returns it."""
    out = []
    for msg in chat:
        content = msg["content"]
        text = "".join(part.get("text", "") for part in content) if isinstance(content, list) else str(content)
        out.append((msg["role"], (msg.get("metadata") or {}).get("title", ""), text))
    return out


def _ask(client: Any, question: str, plan: str = "*", lang: str = "vi") -> list[tuple[str, str, str]]:
    chat, box = client.predict(question, plan, lang, api_name="/ask")
    assert box == ""  # the question box is cleared
    return _texts(chat)


# ---------------------------------------------------------------- through gradio_client (slow: real index)

@pytest.mark.slow
def test_ask_answers_with_numbered_citations(ui_server: UIServer) -> None:
    client = _client(ui_server)
    msgs = _ask(client, ACCENTED)
    assert msgs[0][0] == "user" and "Dương Kinh" in msgs[0][2]
    answer = msgs[1][2]
    assert 'class="answer"' in answer and "abstain" not in answer
    assert re.search(r'<a class="cite-ref" href="#src-0-c-1"[^>]*>\[1\]</a>', answer)
    titles = [title for _, title, _ in msgs]
    assert any(t("sources_title", "vi") in title for title in titles)
    job = client.submit(UNACCENTED, "*", "vi", api_name="/ask")
    job.result()
    assert len(job.outputs()) >= 3  # streamed: "searching", growing text, final with sources


@pytest.mark.slow
def test_marker_opens_highlighted_source(ui_server: UIServer) -> None:
    client = _client(ui_server)
    _ask(client, ACCENTED)
    html, _view = client.predict("0-c-1:123", "vi", "restored", api_name="/source")
    assert "Kế hoạch số 49/KH-UBND" in html and "phường Dương Kinh" in html and "Mục:" in html
    first, last = (int(x) for x in re.search(r'data-first="(\d+)" data-last="(\d+)"', html).groups())  # type: ignore[union-attr]
    highlighted = [int(n) for n in re.findall(r'<div class="ln-row hl" id="L(\d+)"', html)]
    assert highlighted == list(range(first, last + 1))
    shown = [int(n) for n in re.findall(r'id="L(\d+)"', html)]
    assert shown[0] == max(1, first - 8) and shown[-1] >= last + 1
    raw = (ui_server.settings.corpus_dir / "000_35dce5dc0de49619.txt").read_text(encoding="utf-8-sig").split("\n")
    assert raw[first - 1].strip()[:20] in html.replace("&#x27;", "'")
    gone, _ = client.predict("7-c-1", "vi", "restored", api_name="/source")
    assert t("source_gone", "vi") in gone


@pytest.mark.slow
def test_abstention_shows_related_passages_not_citations(ui_server: UIServer) -> None:
    msgs = _ask(_client(ui_server), NO_ANSWER)
    assert 'class="answer abstain"' in msgs[1][2] and "🤷" in msgs[1][2]
    titles = [title for _, title, _ in msgs]
    assert not any(t("sources_title", "vi") in title for title in titles)
    related = [text for _, title, text in msgs if t("related_title", "vi") in title]
    assert related and "#src-0-r-1" in related[0] and "#src-0-c-" not in related[0]


@pytest.mark.slow
def test_plan_filter_limits_citations(ui_server: UIServer) -> None:
    msgs = _ask(_client(ui_server), "tỷ lệ hài lòng năm 2025", plan="cam-giang")
    assert t("scope", "vi") in msgs[1][2] and "Cẩm Giang" in msgs[1][2]
    sources = "".join(text for _, title, text in msgs if title)
    assert "Cẩm Giang" in sources and "Dương Kinh" not in sources


@pytest.mark.slow
def test_bad_question_is_shown_not_raised(ui_server: UIServer) -> None:
    client = _client(ui_server)
    msgs = _ask(client, "x" * 2100)
    assert 'class="answer error"' in msgs[1][2] and "2000" in msgs[1][2]
    assert _ask(client, "   ") == msgs  # an empty question changes nothing
    assert len(_ask(client, ACCENTED)) > len(msgs)


@pytest.mark.slow
def test_sessions_are_isolated_and_follow_ups_use_own_history(ui_server: UIServer) -> None:
    a, b = _client(ui_server), _client(ui_server)
    barrier = threading.Barrier(2)

    def converse(client: Any, first: str) -> list[tuple[str, str, str]]:
        barrier.wait()
        _ask(client, first)
        barrier.wait()
        return _ask(client, FOLLOW_UP)

    with ThreadPoolExecutor(2) as pool:
        fa, fb = pool.submit(converse, a, ACCENTED), pool.submit(converse, b, UNACCENTED)
        msgs_a, msgs_b = fa.result(), fb.result()
    users_a = [text for role, _, text in msgs_a if role == "user"]
    users_b = [text for role, _, text in msgs_b if role == "user"]
    assert len(users_a) == 2 and "Dương Kinh" in users_a[0] and "Sa Thay" not in "".join(users_a)
    assert len(users_b) == 2 and "Sa Thay" in users_b[0] and "Dương Kinh" not in "".join(users_b)
    follow_a = [text for role, _, text in msgs_a if role == "assistant"][-2:]
    understood_a = re.search(r'class="understood">[^<]*', "".join(follow_a))
    assert understood_a and "hài lòng" in understood_a.group(0)
    understood_b = re.search(r'class="understood">[^<]*', "".join(text for _, _, text in msgs_b))
    assert understood_b is None or "hài lòng" not in understood_b.group(0)
    fresh = _ask(_client(ui_server), FOLLOW_UP)  # a new browser session starts empty: no history to use
    assert sum(role == "user" for role, _, _ in fresh) == 1 and "understood" not in fresh[1][2]


@pytest.mark.slow
def test_new_conversation_clears_history(ui_server: UIServer) -> None:
    client = _client(ui_server)
    _ask(client, ACCENTED)
    cleared = client.predict("vi", api_name="/new_conversation")
    assert cleared[0] == []
    msgs = _ask(client, FOLLOW_UP)
    assert sum(role == "user" for role, _, _ in msgs) == 1 and "understood" not in msgs[1][2]


@pytest.mark.slow
def test_copy_gives_plain_text_with_citations(ui_server: UIServer) -> None:
    client = _client(ui_server)
    _ask(client, ACCENTED)
    copied = client.predict("vi", api_name="/copy")
    text = copied["value"] if isinstance(copied, dict) else copied
    assert text.startswith("Hỏi: ") and "[1]" in text and "000_35dce5dc0de49619.txt" in text
    assert "<" not in text.replace("<=", "")


def _read_feedback(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines]


@pytest.mark.slow
def test_feedback_appends_valid_jsonl(ui_server: UIServer) -> None:
    client = _client(ui_server)
    before = len(_read_feedback(ui_server.feedback_file))
    status, _ = client.predict("", "vi", api_name="/feedback_up")
    assert status == t("fb_none", "vi")  # nothing answered yet in this session
    _ask(client, ACCENTED)
    status, comment = client.predict("Đúng, có trích dẫn.", "vi", api_name="/feedback_down")
    assert status == t("fb_saved", "vi") and comment == ""
    records = _read_feedback(ui_server.feedback_file)
    assert len(records) == before + 1
    rec = records[-1]
    assert {"timestamp", "question", "answer", "citations", "rating", "comment"} <= set(rec)
    assert rec["question"] == ACCENTED and rec["rating"] == "down" and rec["comment"] == "Đúng, có trích dẫn."
    assert rec["citations"] and rec["citations"][0]["doc"] == "000_35dce5dc0de49619.txt"


@pytest.mark.slow
def test_feedback_from_concurrent_sessions(ui_server: UIServer) -> None:
    before = len(_read_feedback(ui_server.feedback_file))
    questions = [ACCENTED, UNACCENTED, NO_ANSWER, "tỷ lệ hài lòng xã Cẩm Giang"]

    def session(i: int) -> None:
        client = _client(ui_server)
        _ask(client, questions[i % len(questions)])
        for j in range(4):
            api = "/feedback_up" if j % 2 else "/feedback_down"
            assert client.predict(f"phiên {i} lần {j} " + "ý kiến " * 30, "vi", api_name=api)[1] == ""

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(session, range(6)))
    records = _read_feedback(ui_server.feedback_file)[before:]
    assert len(records) == 24
    for i in range(6):
        mine = [r for r in records if r["comment"].startswith(f"phiên {i} ")]
        assert len(mine) == 4 and {r["question"] for r in mine} == {questions[i % len(questions)]}


@pytest.mark.slow
def test_full_queue_says_busy_and_recovers(ui_server: UIServer) -> None:
    from gradio_client import Client

    from ui.app import build_app, free_port, launch

    demo = build_app(ui_server.assistant, ui_server.settings)
    url = launch(demo, port=free_port(), block=False, concurrency=1, max_queue=1)
    try:
        clients = [Client(url, verbose=False) for _ in range(8)]

        def ask(c: Any) -> str:
            try:
                c.predict(ACCENTED, "*", "vi", api_name="/ask")
                return "ok"
            except Exception as exc:
                return type(exc).__name__ + str(exc)
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(ask, clients))
        assert "ok" in results
        assert all(r == "ok" or "Queue is full" in r for r in results), results
        assert clients[0].predict(ACCENTED, "*", "vi", api_name="/ask")[0]  # still serving
    finally:
        demo.close()


@pytest.mark.slow
def test_plans_endpoint_serves_metadata_and_full_text(ui_server: UIServer) -> None:
    meta, text, _ = _client(ui_server).predict("003_5169ba26eefcfb70.txt", "raw", "en", api_name="/plan")
    assert "32/KH-UBND" in meta and "Sa Thầy" in meta and "Implements" in meta
    lines = (ui_server.settings.corpus_dir / "003_5169ba26eefcfb70.txt").read_text(encoding="utf-8-sig")
    assert text.count('class="ln-row') == len(lines.rstrip("\n").split("\n"))


# ---------------------------------------------------------------- unit tests (fast, no server)

def _meta(**kw: Any) -> PlanMeta:
    base: dict[str, Any] = {"doc": "x.txt", "plan_id": "x", "locality": "Dương Kinh", "level": "phường",
                            "number": "49/KH-UBND", "date": "2025-09-17", "title": "Kế hoạch X"}
    return PlanMeta(**{**base, **kw})


def _answer(text: str = "Theo kế hoạch: “a” [1] “b” [2] [3]", abstained: bool = False) -> Answer:
    cits = (Citation("x.txt", (3, 4), "a", "I. A", "x", "phường Dương Kinh"),
            Citation("x.txt", (9, 9), "b", "II. B", "x", "phường Dương Kinh"))
    return Answer(question="q?", answer=text, abstained=abstained, citations=() if abstained else cits,
                  related=cits if abstained else (), effective_question="q?")


def test_markers_link_only_existing_citations_and_html_is_escaped() -> None:
    plans = {"x": _meta()}
    turn = Turn("<script>alert(1)</script> *bold* $x$", "", _answer())
    html = "".join(m["content"] for m in messages([turn], "vi", plans))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&#42;bold&#42;" in html
    assert 'href="#src-0-c-1"' in html and 'href="#src-0-c-2"' in html and "#src-0-c-3" not in html
    assert "[3]" in html  # a marker with no citation stays plain text


def test_abstention_renders_related_not_citations() -> None:
    msgs = messages([Turn("q?", "", _answer("Không tìm thấy.", abstained=True))], "en", {"x": _meta()})
    assert "abstain" in msgs[1]["content"] and "No answer found" in msgs[1]["content"]
    assert msgs[2]["metadata"]["title"].startswith(t("related_title", "en"))
    assert "#src-0-r-1" in msgs[2]["content"] and "#src-0-c-" not in msgs[2]["content"]


def test_parse_ref_and_stream_prefixes() -> None:
    assert parse_ref("2-c-1:1712345") == (2, "c", 1) and parse_ref("0-r-3") == (0, "r", 3)
    assert parse_ref("") is None and parse_ref("../etc") is None and parse_ref("1-x-1") is None
    text = "Theo kế hoạch của phường Dương Kinh: “một câu khá dài để chia thành nhiều phần” [1]"
    parts = stream_prefixes(text)
    assert len(parts) > 2 and parts[-1] == text and all(len(a) < len(b) for a, b in itertools.pairwise(parts))


def test_plain_text_copy_lists_citations() -> None:
    text = plain_text(Turn("q?", "", _answer()), "vi", {"x": _meta()})
    assert "Hỏi: q?" in text and "[1] phường Dương Kinh (49/KH-UBND)" in text and "dòng 9–9 (x.txt)" in text


def test_repaired_plan_shows_restored_reading_with_raw_one_toggle_away() -> None:
    from assistant.service import PlanText
    from ui.source import plan_text_html, source_html

    raw = tuple(f"dong {i} ke hoach" for i in range(1, 31))
    restored = tuple(f"dòng {i} kế hoạch" for i in range(1, 31))
    pt = PlanText(_meta(), raw, restored, True, ((15, "ke", "kế"),))
    cit = Citation("x.txt", (15, 16), "dong 15 ke hoach dong 16 ke hoach", "I. A", "x", "phường Dương Kinh")
    shown = source_html(pt, cit, "c", 1, "restored", "vi")
    assert "dòng 16 kế hoạch" in shown and t("repaired_note", "vi") in shown
    assert re.search(r'dòng 15 <span class="uncertain" title="[^"]*ke[^"]*">kế</span> hoạch', shown)
    assert re.findall(r'ln-row hl" id="L(\d+)"', shown) == ["15", "16"]
    assert 'id="L7"' in shown and 'id="L6"' not in shown and 'id="L24"' in shown and 'id="L25"' not in shown
    assert "dong 15 ke hoach" in source_html(pt, cit, "c", 1, "raw", "vi")
    plain = PlanText(_meta(), raw, raw, False, ())
    assert "dong 15 ke hoach" in source_html(plain, cit, "c", 1, "restored", "vi")
    assert plan_text_html(pt, "raw", "en").count('class="ln-row') == 30


def test_every_interface_string_has_both_languages() -> None:
    for key in keys():
        assert t(key, "vi") and t(key, "en")
    assert esc("a|b_c") == "a&#124;b&#95;c"


def test_chat_handler_streams_uses_history_and_caches(tmp_path: Path) -> None:
    from assistant.settings import load_settings
    from ui.handlers import ChatUI

    fake = FakeAssistant()
    ui = ChatUI(fake, load_settings(feedback_file=tmp_path / "fb.jsonl"), stream_delay=0)  # type: ignore[arg-type]
    updates = list(ui.ask("câu một?", "*", "vi", []))
    assert len(updates) >= 3 and "pending" in updates[0][0][-1]["content"] and updates[0][1] == []
    assert "[1]" in updates[-1][0][1]["content"] and 'href="#src-0-c-2"' in updates[-1][0][1]["content"]
    turns = updates[-1][1]
    assert len(turns) == 1 and any(m.get("metadata") for m in updates[-1][0])
    turns = list(ui.ask("câu hai?", "fake", "vi", turns))[-1][1]
    assert fake.calls[-1] == ("câu hai?", "fake", ("câu một?",))  # earlier questions as the assistant understood them
    list(ui.ask("câu một?", "*", "vi", []))
    assert len(fake.calls) == 2  # same question, filter and history: answered from the cache
    errored = list(ui.ask("bad", "*", "en", turns))[-1]
    assert len(errored[1]) == 3 and errored[1][-1].error and "error" in errored[0][-1]["content"]
    assert ui.rate("up", "ok", "vi", errored[1])[0] == t("fb_saved", "vi")
    assert FeedbackLog(tmp_path / "fb.jsonl").read()[0]["turn"] == 1  # the latest answered turn, not the error


def test_feedback_log_is_line_atomic_under_threads(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "fb" / "feedback.jsonl")
    answer = _answer()
    big = "ý" * 50_000  # far beyond any pipe/page size, to expose interleaving

    def write(i: int) -> None:
        for j in range(25):
            log.append({"i": i, "j": j, "pad": big if j % 5 == 0 else ""})
        log.record(answer, "up" if i % 2 else "down", f"c{i}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(16)))
    records = log.read()
    assert len(records) == 16 * 26
    assert sorted((r["i"], r["j"]) for r in records if "j" in r) == [(i, j) for i in range(16) for j in range(25)]
    rated = [r for r in records if "rating" in r]
    assert len(rated) == 16 and all(r["citations"][0]["lines"] == [3, 4] for r in rated)
    with pytest.raises(ValueError):
        log.record(answer, "meh")


def test_feedback_is_bounded_and_failures_hide_server_paths(tmp_path: Path) -> None:
    from assistant.settings import load_settings
    from ui.feedback import FeedbackLimitError
    from ui.handlers import ChatUI

    answer = _answer()
    log = FeedbackLog(tmp_path / "fb.jsonl", per_session=3, per_minute=5)
    for _ in range(3):
        log.record(answer, "up", session="a")
    with pytest.raises(FeedbackLimitError):
        log.record(answer, "up", session="a")  # one session's fourth rating in a minute
    log.record(answer, "up", session="b")
    log.record(answer, "up", session="c")
    with pytest.raises(FeedbackLimitError):
        log.record(answer, "up", session="d")  # the sixth rating of all sessions
    assert len(log.read()) == 5
    small = FeedbackLog(tmp_path / "small.jsonl", max_log_bytes=2000)
    small.record(answer, "up", session="a")
    with pytest.raises(FeedbackLimitError, match="full"):
        small.record(answer, "down", "x" * 1500, session="b")
    # A log that cannot be written: the user is told so, without the server's path.
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    ui = ChatUI(FakeAssistant(), load_settings(feedback_file=blocked), stream_delay=0)  # type: ignore[arg-type]
    turn = Turn(question="q", plan="", answer=answer)
    status, comment = ui.rate("up", "ý kiến", "vi", [turn], session="s")
    assert status.startswith("⚠️") and str(tmp_path) not in status and comment == "ý kiến"


def _raw_post(url: str, path: str, declared: int, body: bytes = b"") -> int:
    """Status of a POST that declares a body size (sending only the first bytes of it)."""
    import socket
    from urllib.parse import urlparse

    parts = urlparse(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {parts.hostname}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {declared}\r\n\r\n".encode() + body)
        return int(sock.recv(200).split()[1])


def test_oversized_requests_are_refused_and_never_logged(ui_server: UIServer) -> None:
    assert _raw_post(ui_server.url, "/gradio_api/queue/join", 100 * 1024 * 1024, b'{"data": ["') == 413
    assert _raw_post(ui_server.url, "/gradio_api/upload", 100 * 1024 * 1024) == 413
    assert _raw_post(ui_server.url, "/gradio_api/queue/join", 2, b"{}") == 422  # a small bad body is the app's to refuse


def test_log_lines_are_capped() -> None:
    import io

    from ui.guard import CappedStream

    sink = io.StringIO()
    stream = CappedStream(sink, max_line=50)  # type: ignore[arg-type]
    stream.write("short\n")
    stream.write("A" * 10_000)
    stream.write("B" * 10_000 + "\nnext line\n")
    lines = sink.getvalue().split("\n")
    assert lines[0] == "short" and len(lines[1]) < 70 and "[line cut]" in lines[1] and lines[2] == "next line"


@pytest.mark.slow
def test_paths_outside_the_app_are_not_served(ui_server: UIServer) -> None:
    import urllib.error
    import urllib.request

    for path in ("file=/etc/passwd", "gradio_api/file=/etc/passwd", "gradio_api/file=../../../../etc/passwd",
                 "gradio_api/file=..%2F..%2F..%2Fetc%2Fpasswd", "gradio_api/file=%2e%2e/%2e%2e/etc/passwd",
                 "static/../../etc/passwd", "gradio_api/file=/proc/self/environ",
                 f"gradio_api/file={ui_server.feedback_file}", "gradio_api/file=//etc/passwd"):
        try:
            with urllib.request.urlopen(ui_server.url + path, timeout=30) as response:
                status, body = response.status, response.read(4096)
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read(4096)
        assert status in (400, 403, 404) and b"root:" not in body, (path, status)
