"""Content-addressed passage vectors beside the index: a text embedded once is never embedded again.

Communes copy their province's plan, and a rebuild for a setting that does not change what the embedder sees
(chunking kept, a new planted-line list, a new store engine) would otherwise re-embed everything. Keyed by the
SHA-256 of the exact passage text, in one SQLite file per embedder (its name, version and dimension).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders import Embedder

Embed = Callable[[list[str]], Any]


def _key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class EmbedCache:
    """Passage vectors by text hash for one embedder; safe to open from one process at a time (the ingest lock)."""

    def __init__(self, folder: Path, embedder: Embedder) -> None:
        describe = json.dumps(embedder.describe(), sort_keys=True)
        name = hashlib.sha256(describe.encode("utf-8")).hexdigest()[:12]
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{name}.sqlite"
        self.dim = embedder.dim
        self.hits = self.misses = 0
        # One ingest thread embeds at a time (index.build's single embedding worker), not the one that opened it.
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key BLOB PRIMARY KEY, v BLOB NOT NULL)")

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def embed(self, texts: Sequence[str], embed: Embed) -> Any:
        """Vectors of texts (float32, one row each): cached ones read, the others embedded with `embed` and kept."""
        keys = [_key(t) for t in texts]
        found: dict[bytes, Any] = {}
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            rows = self._db.execute(f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(part))})", part)
            for key, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape == (self.dim,):
                    found[key] = vec
        todo = [i for i, k in enumerate(keys) if k not in found]
        first: dict[bytes, int] = {}
        unique = [i for i in todo if first.setdefault(keys[i], i) == i]  # a text twice in one batch: once
        if unique:
            fresh = np.asarray(embed([texts[i] for i in unique]), dtype=np.float32)
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?)",
                                     [(keys[i], fresh[j].tobytes()) for j, i in enumerate(unique)])
            found.update({keys[i]: fresh[j] for j, i in enumerate(unique)})
        self.hits += len(texts) - len(unique)
        self.misses += len(unique)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([found[k] for k in keys])
