"""Feedback log: one JSON line per rating, appended safely from concurrent sessions."""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.types import Answer

RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 2000
MAX_RECORD_BYTES = 64 * 1024  # an answer with its citations is a few KB; a record this big is not feedback
MAX_LOG_BYTES = 50 * 1024 * 1024
PER_SESSION_PER_MINUTE = 10
PER_MINUTE = 120  # all sessions together


class FeedbackLimitError(ValueError):
    """A rating was refused: too many too fast, too large, or the log is full."""


class FeedbackLog:
    """Appends feedback records to a JSONL file; each record is one write of one line, under a lock; bounded in
    record size, log size and rate (per session and overall), so feedback cannot fill the disk."""

    def __init__(self, path: Path, max_log_bytes: int = MAX_LOG_BYTES, per_session: int = PER_SESSION_PER_MINUTE,
                 per_minute: int = PER_MINUTE) -> None:
        self.path = Path(path)
        self.max_log_bytes, self.per_session, self.per_minute = max_log_bytes, per_session, per_minute
        self._lock = threading.Lock()
        self._recent: deque[tuple[float, str]] = deque()  # (time, session) of the last minute's ratings

    def _admit(self, session: str) -> None:
        """Refuse a rating beyond the rate limits (sliding minute)."""
        now = time.monotonic()
        while self._recent and now - self._recent[0][0] > 60:
            self._recent.popleft()
        if len(self._recent) >= self.per_minute or \
                (session and sum(s == session for _, s in self._recent) >= self.per_session):
            raise FeedbackLimitError("too many ratings in the last minute; try again in a minute")
        self._recent.append((now, session))

    def record(self, answer: Answer, rating: str, comment: str = "", session: str = "",
               **extra: Any) -> dict[str, Any]:
        """Append one rating of an answer; returns the record written."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        entry: dict[str, Any] = {
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "question": answer.question,
            "effective_question": answer.effective_question or answer.question,
            "answer": answer.answer,
            "abstained": answer.abstained,
            "citations": [c.to_json() for c in answer.citations],
            "rating": rating,
            "comment": (comment or "").strip()[:MAX_COMMENT_CHARS],
            **extra,
        }
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        if len(line) > MAX_RECORD_BYTES:
            raise FeedbackLimitError(f"the rating is too large ({len(line) // 1024} KB)")
        with self._lock:
            self._admit(session)
        self.append(entry)
        return entry

    def append(self, entry: dict[str, Any]) -> None:
        """Write one record as one line: a thread lock, an advisory file lock, one write, flush and fsync."""
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size + len(line) > self.max_log_bytes:
                raise FeedbackLimitError("the feedback log is full; an administrator must archive it")
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                view = memoryview(line)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)  # closing releases the flock

    def read(self) -> list[dict[str, Any]]:
        """Every record so far (for tests and reports)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
