"""Eval metrics: accent/OCR-insensitive answer matching, citation recall/precision, hit@k, abstention."""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path
from statistics import median
from typing import Any

from corpus.text import collapse, fold
from evals.sets import EvalItem


def phrase_in(phrase: str, answer_folded: str) -> bool:
    """One gold phrase (alternatives split by |) in the folded answer: digits exact, letters fuzzy (≥ 0.8)."""
    for alt in phrase.split("|"):
        target = fold(alt)
        if not target:
            continue
        if f" {target} " in f" {answer_folded} ":
            return True
        words, n = answer_folded.split(), len(target.split())
        digits = re.findall(r"\d+", target)
        for i in range(0, max(len(words) - n + 1, 1)):
            window = " ".join(words[i:i + n])
            if re.findall(r"\d+", window) != digits:
                continue
            if SequenceMatcher(None, window, target).ratio() >= 0.8:
                return True
    return False


def answer_correct(item: EvalItem, answer: dict[str, Any]) -> bool:
    """Answerable: not abstained and every gold phrase present. Unanswerable: abstained."""
    if not item.answerable:
        return bool(answer["abstained"])
    if answer["abstained"]:
        return False
    folded = fold(answer["answer"])
    return all(phrase_in(p, folded) for p in item.answers)


def overlaps(doc: str, lines: Sequence[int], gold_doc: str, gold: Sequence[int]) -> bool:
    """Same file and intersecting line spans."""
    return doc == gold_doc and lines[0] <= gold[1] and gold[0] <= lines[1]


def corpus_lines(corpus_dir: Path | Sequence[Path], doc: str) -> list[str]:
    """A plan's lines as ingest numbers them (corpus.reader), or [] when the file is missing or unreadable;
    with several folders, the first that has the file."""
    from corpus.reader import PlanFile, read_plan

    for folder in [corpus_dir] if isinstance(corpus_dir, Path) else corpus_dir:
        path = folder / doc
        if path.is_file():
            plan = read_plan(path)
            return list(plan.lines) if isinstance(plan, PlanFile) else []
    return []


class Verbatim:
    """Checks that a citation's quote is the text of its file at the given lines."""

    def __init__(self, corpus_dir: Path | Sequence[Path]) -> None:
        self.corpus_dir = corpus_dir
        self._files: dict[str, list[str]] = {}

    def __call__(self, citation: dict[str, Any]) -> bool:
        """True when the collapsed quote occurs in the collapsed cited lines."""
        doc = citation["doc"]
        if doc not in self._files:
            self._files[doc] = corpus_lines(self.corpus_dir, doc)
        lines = self._files[doc]
        first, last = citation["lines"]
        if not lines or not 1 <= first <= last <= len(lines):
            return False
        return collapse(citation["quote"]) in collapse(" ".join(lines[first - 1:last]))


def score_item(item: EvalItem, answer: dict[str, Any], verbatim: Verbatim) -> dict[str, Any]:
    """Per-question metrics."""
    cites = answer["citations"]
    retrieved = answer.get("retrieved", [])
    first_stage = answer.get("first_stage") or retrieved
    gold = item.citations
    cited_gold = [any(overlaps(c["doc"], c["lines"], g.doc, g.lines) for c in cites) for g in gold]
    relevant = [verbatim(c) and (not gold or any(overlaps(c["doc"], c["lines"], g.doc, g.lines) for g in gold))
                for c in cites]

    def hit(k: int, ranking: Sequence[Sequence[Any]] = retrieved) -> bool:
        return any(overlaps(doc, (a, b), g.doc, g.lines) for doc, a, b in ranking[:k] for g in gold)

    rank = next((i + 1 for i, (doc, a, b) in enumerate(retrieved)
                 if any(overlaps(doc, (a, b), g.doc, g.lines) for g in gold)), None)
    return {
        "id": item.id, "kind": item.kind, "lang": item.lang, "critical": item.critical,
        "plans": list(item.plans), "correct": answer_correct(item, answer),
        "citation_recall": (sum(cited_gold) / len(gold)) if gold else None,
        "citation_precision": (sum(relevant) / len(cites)) if cites and gold else None,
        "verbatim": [verbatim(c) for c in cites],
        "hit1": hit(1) if gold else None, "hit5": hit(5) if gold else None, "hit10": hit(10) if gold else None,
        "hit5_first_stage": hit(5, first_stage) if gold else None,
        "mrr": (1.0 / rank if rank else 0.0) if gold else None,
        "abstained": bool(answer["abstained"]), "unanswerable": not item.answerable,
        "latency_ms": float(answer.get("timings_ms", {}).get("total", 0.0)),
    }


def _mean(values: Sequence[Any]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def _pct(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate metrics over rows."""
    answerable = [r for r in rows if not r["unanswerable"]]
    abstained = [r for r in rows if r["abstained"]]
    unanswerable = [r for r in rows if r["unanswerable"]]
    all_verbatim = [v for r in rows for v in r["verbatim"]]
    latencies = [r["latency_ms"] for r in rows]
    return {
        "n": len(rows),
        "answer": _mean([r["correct"] for r in rows]),
        "answer_answerable": _mean([r["correct"] for r in answerable]),
        "citation_recall": _mean([r["citation_recall"] for r in rows]),
        "citation_precision": _mean([r["citation_precision"] for r in rows]),
        "verbatim": (sum(all_verbatim) / len(all_verbatim)) if all_verbatim else 1.0,
        "hit1": _mean([r["hit1"] for r in rows]), "hit5": _mean([r["hit5"] for r in rows]),
        "hit10": _mean([r["hit10"] for r in rows]), "mrr": _mean([r["mrr"] for r in rows]),
        "hit5_first_stage": _mean([r.get("hit5_first_stage") for r in rows]),
        "abstention": _mean([r["abstained"] == r["unanswerable"] for r in rows]),
        "abstention_precision": _mean([r["unanswerable"] for r in abstained]) if abstained else None,
        "abstention_recall": _mean([r["abstained"] for r in unanswerable]) if unanswerable else None,
        "latency_p50_ms": median(latencies) if latencies else 0.0,
        "latency_p95_ms": _pct(latencies, 0.95),
    }


def syllable_accuracy(read: list[str], truth: list[str]) -> float:
    """Share of the truth's syllables that the reading has, in order (longest common subsequence)."""
    a, b = " ".join(read).split(), " ".join(truth).split()
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[-1]))
        previous = current
    return previous[-1] / max(len(b), 1)
