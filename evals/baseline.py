"""Baselines: save a run's per-question results; compare a later run question by question."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASELINES = Path(__file__).resolve().parent / "baselines"


@dataclass
class Comparison:
    """Per-question changes against a baseline."""

    fixed: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    unchanged: int = 0
    new: list[str] = field(default_factory=list)
    critical_broken: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human summary."""
        out = [f"against baseline: {len(self.fixed)} fixed, {len(self.broken)} broken, {self.unchanged} unchanged, "
               f"{len(self.new)} new"]
        if self.fixed:
            out.append("  fixed:  " + ", ".join(self.fixed))
        if self.broken:
            out.append("  broken: " + ", ".join(self.broken))
        if self.critical_broken:
            out.append("  CRITICAL broken: " + ", ".join(self.critical_broken))
        return out


def default_path(set_name: str, tier: str, config: str) -> Path:
    """Where the baseline of a set, tier and configuration lives."""
    return BASELINES / f"{Path(set_name).stem}-{tier}-{config}.json"


def save(path: Path, rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    """Store per-question correctness and the summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"summary": summary, "questions": {r["id"]: {"correct": r["correct"], "critical": r["critical"],
                                                          "citation_recall": r["citation_recall"]} for r in rows}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")


def compare(path: Path, rows: list[dict[str, Any]]) -> Comparison | None:
    """Changes against the baseline at path (None when there is none)."""
    if not path.exists():
        return None
    base = json.loads(path.read_text(encoding="utf-8"))["questions"]
    result = Comparison()
    for r in rows:
        before = base.get(r["id"])
        if before is None:
            result.new.append(r["id"])
        elif before["correct"] and not r["correct"]:
            result.broken.append(r["id"])
            if r["critical"]:
                result.critical_broken.append(r["id"])
        elif not before["correct"] and r["correct"]:
            result.fixed.append(r["id"])
        else:
            result.unchanged += 1
    return result
