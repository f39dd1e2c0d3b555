"""Eval sets: JSONL questions with gold answers and gold citations; loading and validation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SETS_DIR = Path(__file__).resolve().parent / "sets"
KINDS = ("fact", "who", "cross-plan", "deadline", "unanswerable")
LANGS = ("vi", "vi-noaccent", "en")


class EvalError(ValueError):
    """An eval set or option is malformed."""


@dataclass(frozen=True)
class GoldCitation:
    """A gold span: file and 1-based inclusive lines."""

    doc: str
    lines: tuple[int, int]


@dataclass(frozen=True)
class EvalItem:
    """One eval question."""

    id: str
    question: str
    lang: str
    kind: str
    answers: tuple[str, ...]
    citations: tuple[GoldCitation, ...]
    plans: tuple[str, ...]
    tier: str
    critical: bool

    @property
    def answerable(self) -> bool:
        """False for questions the plans cannot answer."""
        return self.kind != "unanswerable"


def set_corpus(set_path: Path) -> list[Path] | None:
    """The folders a set asks about (evals/sets/corpora.toml), or None for corpus/plans alone."""
    import tomllib

    config = SETS_DIR / "corpora.toml"
    if not config.exists():
        return None
    entry = tomllib.loads(config.read_text(encoding="utf-8")).get(set_path.stem)
    if not entry:
        return None
    root = SETS_DIR.parents[1]
    return [(root / folder).resolve() for folder in entry.get("corpus", [])]


def resolve_set(name: str) -> Path:
    """A set by name (evals/sets/NAME.jsonl) or path."""
    path = Path(name)
    if path.suffix == ".jsonl" and path.exists():
        return path
    candidate = SETS_DIR / f"{name}.jsonl"
    if candidate.exists():
        return candidate
    known = ", ".join(sorted(p.stem for p in SETS_DIR.glob("*.jsonl")))
    raise EvalError(f"No eval set {name!r}. Known sets: {known} (or give a path to a .jsonl file).")


def _item(data: dict[str, Any], where: str) -> EvalItem:
    for key in ("id", "question", "lang", "kind", "answers", "citations"):
        if key not in data:
            raise EvalError(f"{where}: missing field {key!r}")
    if data["kind"] not in KINDS:
        raise EvalError(f"{where}: kind {data['kind']!r} is not one of {', '.join(KINDS)}")
    if data["lang"] not in LANGS:
        raise EvalError(f"{where}: lang {data['lang']!r} is not one of {', '.join(LANGS)}")
    cites = []
    for c in data["citations"]:
        try:
            first, last = int(c["lines"][0]), int(c["lines"][1])
            cites.append(GoldCitation(str(c["doc"]), (first, last)))
        except (KeyError, IndexError, TypeError, ValueError):
            raise EvalError(f"{where}: citation {c!r} needs doc and lines [first, last]") from None
    return EvalItem(id=str(data["id"]), question=str(data["question"]), lang=data["lang"], kind=data["kind"],
                    answers=tuple(str(a) for a in data["answers"]), citations=tuple(cites),
                    plans=tuple(data.get("plans", [])), tier=str(data.get("tier", "full")),
                    critical=bool(data.get("critical", False)))


def load_set(path: Path, tier: str = "full") -> list[EvalItem]:
    """Items of a set; tier "quick" keeps the quick ones. Malformed lines name file and line number."""
    items: list[EvalItem] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(data, dict):
            raise EvalError(f"{where}: expected a JSON object")
        item = _item(data, where)
        if item.id in seen:
            raise EvalError(f"{where}: duplicate id {item.id!r}")
        seen.add(item.id)
        if tier == "full" or item.tier == "quick":
            items.append(item)
    return items


def check_set(items: list[EvalItem], corpus_dir: Path | list[Path]) -> list[str]:
    """Problems with gold citations: missing files, spans outside the file, blank spans."""
    from evals.metrics import corpus_lines, phrase_in  # metrics imports this module: import here

    problems: list[str] = []
    cache: dict[str, list[str]] = {}
    for item in items:
        for cite in item.citations:
            if cite.doc not in cache:
                cache[cite.doc] = corpus_lines(corpus_dir, cite.doc)
            lines = cache[cite.doc]
            first, last = cite.lines
            if not lines:
                problems.append(f"{item.id}: {cite.doc} is not in {corpus_dir}")
            elif not 1 <= first <= last <= len(lines):
                problems.append(f"{item.id}: {cite.doc} lines {first}-{last} are outside the file (1-{len(lines)})")
            elif not "".join(lines[first - 1:last]).strip():
                problems.append(f"{item.id}: {cite.doc} lines {first}-{last} are blank")
        if item.kind in ("fact", "deadline") and item.citations and item.answers:
            # The gold spans must say what the gold answer says: a corpus edit that shifts lines is caught here.
            from corpus.text import fold

            text = " ".join(fold(" ".join(cache.get(c.doc, [])[c.lines[0] - 1:c.lines[1]])) for c in item.citations)
            if not any(phrase_in(phrase, text) for phrase in item.answers):
                problems.append(f"{item.id}: none of the gold answer phrases occurs in its gold span(s) "
                                f"{', '.join(f'{c.doc}:{c.lines[0]}-{c.lines[1]}' for c in item.citations)}")
    return problems
