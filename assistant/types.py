"""The answer records every front end (CLI, web UI, evals) receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    """One cited span: verbatim text of lines [first, last] of a corpus file."""

    doc: str  # file name inside corpus/plans
    lines: tuple[int, int]  # 1-based, inclusive
    quote: str  # verbatim source text (whitespace collapsed)
    heading: str = ""
    plan_id: str = ""
    locality: str = ""  # e.g. "phường Dương Kinh"
    restored: str = ""  # readable reading of the quote (OCR plans); "" when equal to quote
    page: int = 0  # the PDF (or multi-page scan) page of the first line; 0 when the file has no pages

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape of a citation ("page" only for files that have pages)."""
        out: dict[str, Any] = {"doc": self.doc, "lines": [self.lines[0], self.lines[1]], "quote": self.quote,
                               "heading": self.heading}
        if self.page:
            out["page"] = self.page
        return out


@dataclass(frozen=True)
class Finding:
    """What a handler found in one plan: the decisive phrase and the cited lines that state it."""

    plan_id: str
    short: str  # "Quý IV/2026", "Sở Tài chính", "188 trạm"; "" when the quotes are the answer
    citations: tuple[Citation, ...]
    note: str = ""  # e.g. "phối hợp: …", shown after the short answer


@dataclass(frozen=True)
class Answer:
    """A short answer, its supporting citations, and what it cost."""

    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    related: tuple[Citation, ...] = ()  # nearest passages offered when abstaining; not citations
    timings_ms: dict[str, float] = field(default_factory=dict)
    language: str = "vi"  # vi / vi-noaccent / en
    effective_question: str = ""  # after follow-up resolution
    # (doc, first, last) of the chunks read, best first: as reranked by their best sentence, and as the hybrid
    # search returned them (the two hit@k figures of `plans eval`).
    retrieved: tuple[tuple[str, int, int], ...] = ()
    first_stage: tuple[tuple[str, int, int], ...] = ()
    # A question over many plans ("which plans …?"): every plan found, best first, each with its best passage;
    # the answer text shows the first few, `plans ask --csv` and the web UI's download give them all.
    plans_found: tuple[Citation, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The public JSON contract (see README: "JSON output")."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "timings_ms": dict(self.timings_ms),
        } | ({"plans_found": [{"plan_id": c.plan_id, **c.to_json()} for c in self.plans_found]}
             if self.plans_found else {})
