"""Folders of this process's own for files the UI hands out (CSV, calendars, charts): never the corpus or store."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections import deque
from pathlib import Path


class Exports:
    """A temp root with one fresh folder per request; only the last `keep` are kept (Gradio copies a returned
    file into its own cache, so older folders are not needed once answered)."""

    def __init__(self, prefix: str, keep: int) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        atexit.register(shutil.rmtree, self.root, True)
        self.keep = keep
        self._dirs: deque[Path] = deque()
        self._lock = threading.Lock()

    def new_dir(self, rotate: bool = True) -> Path:
        """A fresh folder; with `rotate`, the oldest beyond `keep` are removed."""
        out = Path(tempfile.mkdtemp(prefix="f-", dir=self.root))
        if not rotate:
            return out
        with self._lock:
            self._dirs.append(out)
            old = [self._dirs.popleft() for _ in range(max(0, len(self._dirs) - self.keep))]
        for d in old:
            shutil.rmtree(d, ignore_errors=True)
        return out
