"""Feedback log: one JSON line per rating, appended safely from concurrent sessions."""

from __future__ import annotations

import fcntl
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.types import Answer

RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 2000


class FeedbackLog:
    """Appends feedback records to a JSONL file; each record is one write of one line, under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, answer: Answer, rating: str, comment: str = "", **extra: Any) -> dict[str, Any]:
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
        self.append(entry)
        return entry

    def append(self, entry: dict[str, Any]) -> None:
        """Write one record as one line: a thread lock, an advisory file lock, one write, flush and fsync."""
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
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
