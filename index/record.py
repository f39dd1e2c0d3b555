"""The build record saved next to an index: what built it, which plans it holds (the commit point)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import PlansError


class IndexMismatchError(PlansError, RuntimeError):
    """The index was built by a different setup than the one querying it."""


class NoIndexError(PlansError, RuntimeError):
    """No index has been built yet."""


@dataclass
class BuildRecord:
    """Configuration of a build plus the committed plans (file -> hash, id, chunk count, metadata)."""

    config: dict[str, Any]
    collection: str
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)
    avgdl: float = 60.0
    built_at: str = ""
    location: str = ""

    @property
    def plan_hashes(self) -> list[str]:
        """Content hashes of the committed plans: queries see only these."""
        return [p["sha256"] for p in self.plans.values()]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {"config": self.config, "collection": self.collection, "plans": self.plans,
                "avgdl": self.avgdl, "built_at": self.built_at, "location": self.location}


def config_key(config: dict[str, Any]) -> str:
    """Short stable hash of a build configuration; names the collection."""
    blob = json.dumps(config, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:12]


def load_record(path: Path) -> BuildRecord | None:
    """The committed record, or None when no index was ever built."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return BuildRecord(config=data["config"], collection=data["collection"], plans=data.get("plans", {}),
                           avgdl=float(data.get("avgdl", 60.0)), built_at=data.get("built_at", ""),
                           location=data.get("location", ""))
    except (OSError, ValueError, KeyError) as exc:
        raise NoIndexError(f"The build record {path} is unreadable ({exc}). Rebuild with: plans ingest --rebuild") \
            from exc


def save_record(path: Path, record: BuildRecord) -> None:
    """Write atomically (temp file + rename): a crash leaves the previous record intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".build-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record.to_json(), handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def check_compatible(record: BuildRecord, current: dict[str, Any]) -> None:
    """Refuse to query an index built with another embedder, segmenter, chunking or repair setup."""
    diffs = [f"{key}: index has {record.config.get(key)!r}, this setup has {current.get(key)!r}"
             for key in sorted(set(record.config) | set(current)) if record.config.get(key) != current.get(key)]
    if diffs:
        # Switching back is offered for the embedder, the setting users change; chunking, segmenter, repair and
        # the like are how this version of the code reads plans, and only a rebuild (its vectors mostly from the
        # embedding cache) fits them.
        back = ""
        if record.config.get("embedder") != current.get("embedder"):
            back = f"   (or switch back: PLANS_EMBEDDER={record.config.get('embedder', {}).get('key', '?')})"
        raise IndexMismatchError(
            "The index was built with a different setup:\n  " + "\n  ".join(diffs)
            + "\nRebuild it for this setup with: plans ingest" + back)
