"""One ingest at a time per index: a file lock taken before the build record is read, released at exit or death."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from index.store import StoreError

LOCK_NAME = ".ingest.lock"


class IngestBusyError(StoreError):
    """Another ingest holds this index."""


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


@contextmanager
def ingest_lock(store_dir: Path, wait_s: float, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the index's ingest lock; wait up to wait_s seconds for another ingest, saying so, then stop clearly.

    Reading the build record, embedding and committing all happen under it, so two ingests can never each commit
    a record that lacks the other's plans. flock is released by the kernel when the holder dies (kill -9).
    """
    store_dir.mkdir(parents=True, exist_ok=True)
    path = store_dir / LOCK_NAME
    handle = path.open("a+", encoding="ascii")
    try:
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(path)
                if time.monotonic() >= deadline:
                    raise IngestBusyError(
                        f"Another `plans ingest`{holder} is updating the index at {store_dir}; nothing was changed "
                        f"by this one. Wait for it to finish, then run the same command again (it waited "
                        f"{wait_s:.0f} s; PLANS_INGEST_WAIT sets how long).") from None
                if not told:
                    say(f"another ingest{holder} is updating this index; waiting for it (up to {wait_s:.0f} s)…")
                    told = True
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # releases the flock
