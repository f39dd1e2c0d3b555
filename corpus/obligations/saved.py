"""Obligations saved beside the index, so that thousands of plans are not read again at every start.

Extracting one plan's obligations takes about 0.16 s (a 3,500-plan corpus: ten minutes); loading them saved takes
a few milliseconds. A saved file is named by what the extraction depends on: the plan's content hash and repair
key (its reading), its label (the level and issuer read from it) and the code and data of this package (any
change to the reader of obligations makes new files; old ones are simply not looked at).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpus.obligations.extract import Obligation
from corpus.times import TimeExpr

_CORPUS = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def extractor_key() -> str:
    """A hash of the corpus package's code and word lists (the OCR repair model aside: the reading is keyed)."""
    digest = hashlib.sha256()
    files = [*_CORPUS.glob("*.py"), *_CORPUS.glob("obligations/*.py"), *_CORPUS.glob("data/*")]
    for path in sorted(p for p in files if p.is_file()):
        digest.update(path.relative_to(_CORPUS).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def saved_path(folder: Path, sha256: str, repair: str, label: str) -> Path:
    """Where the obligations of this reading, read for a plan of this label, are saved."""
    key = hashlib.sha256(f"{sha256}\n{repair}\n{label}\n{extractor_key()}".encode()).hexdigest()[:32]
    return folder / f"{key}.json"


def _time(data: dict[str, Any] | None) -> TimeExpr | None:
    if data is None:
        return None
    return TimeExpr(str(data["text"]), str(data["kind"]),
                    date.fromisoformat(data["start"]) if data.get("start") else None,
                    date.fromisoformat(data["end"]) if data.get("end") else None,
                    str(data.get("recurrence", "")), bool(data.get("flagged")), str(data.get("flag_reason", "")))


def _span(value: Any) -> tuple[int, int] | None:
    return (int(value[0]), int(value[1])) if value else None


def load(path: Path, plan_id: str, doc: str, locality: str) -> list[Obligation] | None:
    """The saved obligations, under this plan's id, file and label; None when missing or unreadable."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        return [Obligation(plan_id, doc, locality, (int(d["lines"][0]), int(d["lines"][1])), tuple(d["lead"]),
                           tuple(d["support"]), str(d["task"]), str(d["task_raw"]), _time(d["deadline"]),
                           str(d["heading"]), _span(d.get("deadline_lines")), _span(d.get("lead_lines")))
                for d in items]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def save(path: Path, obligations: Sequence[Obligation]) -> None:
    """Write atomically (a reader never sees half a file); a folder that cannot be written is left alone."""
    fields = ("plan_id", "doc", "locality")  # given again at load: the same text may be indexed under two names
    items = [{k: v for k, v in o.as_dict().items() if k not in fields} for o in obligations]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(items, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        return
