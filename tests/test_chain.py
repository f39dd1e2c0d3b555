"""Which chunks the retriever reads: a plan the question means is read whole; a plan a list question found by
searching is skimmed (its best chunks and those the search found of it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from assistant.chain import PlansRetriever
from assistant.query import Analysis
from corpus.records import Chunk
from index.store import Hit


def _hit(line: int) -> Hit:
    chunk = Chunk(plan_id="p", doc="p.txt", heading_path=("I. Nhiệm vụ",), line_start=line, line_end=line,
                  raw_text=f"Nhiệm vụ {line}.", restored_text=f"Nhiệm vụ {line}.")
    return Hit(chunk=chunk, score=1.0 / line, locality="tỉnh A", dense=(1.0, 0.0))


class FakeStore:
    """A fake store, named as one: a plan of 50 one-line chunks; the hybrid search returns the first `limit`;
    records each call's mode and limit."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def hybrid(self, name: str, dense: Sequence[float], sparse: tuple[list[int], list[float]],
               plan_hashes: Sequence[str], plan_ids: Sequence[str] = (), limit: int = 10, prefetch: int = 40,
               mode: str = "hybrid") -> list[Hit]:
        self.calls.append((mode, limit))
        return [_hit(n) for n in range(1, min(limit, 50) + 1)]


ANALYSIS = Analysis(question="Ai chủ trì?", effective="Ai chủ trì?", language="vi", plan_ids=("p",),
                    unknown_place="", wants=("agency",), terms=("chu tri",), entities=(), expansion="")


def _lines(store: Any, analysis: Analysis, also: Sequence[Hit] = ()) -> list[int]:
    retriever = PlansRetriever(store, "c", ["h"], analysis, [1.0, 0.0], 8, scope=["p"], scope_chunks=50, also=also)
    return [n.node.metadata["chunk"].line_start for n in retriever.retrieve("Ai chủ trì?")]


def test_a_plan_the_question_means_is_read_whole() -> None:
    store = FakeStore()
    assert _lines(store, ANALYSIS) == list(range(1, 51))
    assert store.calls == [("hybrid", 8), ("dense", 50)]


def test_a_plan_skimmed_for_a_list_is_read_through_its_best_chunks_and_those_the_search_found() -> None:
    store = FakeStore()
    found = [_hit(40), _hit(3), _hit(40)]  # what the wide search found of this plan (one already among the best)
    assert _lines(store, replace(ANALYSIS, skim=True), found) == [1, 2, 3, 4, 5, 6, 7, 8, 40]
    assert store.calls == [("hybrid", 8)]  # the rest of the plan is not read
