"""The typed records that pass between stages: plan metadata and chunks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlanMeta:
    """What the manifest (or the header) says about one plan file."""

    doc: str  # file name inside the corpus folder
    plan_id: str  # stable short id, e.g. "duong-kinh-49"
    issuer: str = ""
    locality: str = ""  # correct spelling, e.g. "Dương Kinh"
    level: str = ""  # tỉnh / xã / phường
    aliases: tuple[str, ...] = ()  # spellings people type: "Duong Kinh", "DK"…
    number: str = ""  # e.g. "49/KH-UBND"
    date: str = ""  # ISO yyyy-mm-dd when known
    title: str = ""
    implements: tuple[str, ...] = ()
    province: str = ""
    kind: str = ""  # plan / decision (a decision that issues the plan attached below it)
    signer: str = ""
    signer_title: str = ""  # "Phó Chủ tịch", "Thứ trưởng" …
    attached_title: str = ""  # a decision: the title of the plan it issues

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanMeta:
        """PlanMeta from its JSON form (a build record's entry: tuples stored as lists)."""
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**values)

    @property
    def full_title(self) -> str:
        """Its title and, for a decision, the title of the plan it issues: the words that name its topic."""
        return f"{self.title} {self.attached_title}"

    @property
    def label(self) -> str:
        """Human label: level + locality ("phường Dương Kinh"), or the issuer ("Bộ Tài chính")."""
        if self.locality:
            return f"{self.level} {self.locality}".strip()
        return self.issuer or self.doc


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage of a plan, with where it came from."""

    plan_id: str
    doc: str
    heading_path: tuple[str, ...]
    line_start: int  # 1-based, inclusive, in the original file
    line_end: int  # 1-based, inclusive
    raw_text: str  # the file's own text for those lines (what citations quote)
    restored_text: str  # readable Vietnamese (equal to raw when no repair applies)
    segmented_text: str = ""  # underthesea word segmentation of the restored text
    kind: str = "body"  # body / item / bullet / table / closing
    plan_hash: str = ""
    # Values of table rows under known column headings: (label's first and last line, value's first and last
    # line, column heading, unit); see corpus.structure.Block.cells.
    cells: tuple[tuple[int, int, int, int, str, str], ...] = ()

    @property
    def heading(self) -> str:
        """Heading path joined for display."""
        return " › ".join(self.heading_path)
