"""The seam between raw OCR text and its restored reading (diacritic repair)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache


@dataclass(frozen=True)
class PlanReading:
    """A plan's restored lines, line-aligned with the raw ones, and how they were produced."""

    lines: tuple[str, ...]
    repaired: bool
    score: float  # share of tokens the detector found damaged
    uncertain: tuple[tuple[int, str, str], ...] = ()  # (line number, raw token, restored token)
    raw: tuple[str, ...] = ()  # the raw lines as indexed: planted lines blanked, numbering kept
    planted: tuple[tuple[int, str, str], ...] = ()  # (line number, the line as written, why it was set aside)


@lru_cache(maxsize=1)
def repair_available() -> bool:
    """Whether the OCR repair stage (corpus.repair) is installed in this checkout."""
    try:
        from corpus import repair
    except ImportError:
        return False
    return all(hasattr(repair, name) for name in ("load_restorer", "needs_repair", "version"))


def repair_version() -> str:
    """Identifies the repair model, for the index's build record."""
    if not repair_available():
        return "none"
    from corpus.repair import version

    return version()


def restore_diacritics(text: str) -> str:
    """Vietnamese typed without its diacritics, with them put back by the repair's restorer (the same model and
    dictionary as a scan's reading); unchanged when the repair stage is not installed."""
    if not repair_available():
        return text
    from corpus.repair import restore_text_lines

    return restore_text_lines([text])[0]


def read_plan_lines(raw: Sequence[str], enabled: bool = True) -> PlanReading:
    """Restore a plan's lines if it needs repair (otherwise the raw lines unchanged), and set aside the lines
    planted to steer an assistant: they are blanked in both readings, so nothing downstream can answer with them."""
    return _quarantine(_restore(raw, enabled), raw)


def _quarantine(reading: PlanReading, raw: Sequence[str]) -> PlanReading:
    from corpus.planted import find_planted

    planted = [(n, raw[n - 1], reason) for n, reason in find_planted(reading.lines, raw)]
    gone = {n for n, _, _ in planted}

    def blank(lines: Sequence[str]) -> tuple[str, ...]:
        return tuple("" if n in gone else x for n, x in enumerate(lines, start=1))

    return replace(reading, lines=blank(reading.lines), raw=blank(raw), planted=tuple(planted))


def _restore(raw: Sequence[str], enabled: bool) -> PlanReading:
    if not enabled or not repair_available():
        return PlanReading(tuple(raw), repaired=False, score=0.0)
    from corpus.repair import load_restorer, needs_repair

    damaged, score = needs_repair("\n".join(raw))
    if not damaged:
        return PlanReading(tuple(raw), repaired=False, score=score)
    restored = load_restorer().restore_lines(list(raw))
    lines: list[str] = []
    uncertain: list[tuple[int, str, str]] = []
    for number, (raw_line, rec) in enumerate(zip(raw, restored, strict=True), start=1):
        # The token-for-token contract keeps quotes mappable; a line that breaks it stays raw.
        ok = len(rec.text.split()) == len(raw_line.split())
        lines.append(rec.text if ok else raw_line)
        if ok:
            uncertain.extend((number, t.raw, t.restored) for t in rec.uncertain)
    return PlanReading(tuple(lines), repaired=True, score=score, uncertain=tuple(uncertain))
