"""The comparison of an English question with the plans' sentences one by one (assistant/evidence.py), with a
fake passage embedder (the comparison's arithmetic is what is tested, not the model)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.evidence import RERANK, Candidate, rerank_cross_lingual
from corpus.records import Chunk
from corpus.sentences import Sentence


def _candidate(doc: str, line: int, score: float) -> Candidate:
    text = f"Câu {line} của kế hoạch {doc}."
    chunk = Chunk(plan_id=doc, doc=doc, heading_path=(), line_start=line, line_end=line, raw_text=text,
                  restored_text=text)
    return Candidate(Sentence(line, line, text, text), chunk, "", 0, 0.5, 0.5, False, score)


def _fake_embed_as_the_question(texts: Sequence[str]) -> list[list[float]]:
    """A fake embedder: every passage is the question's own vector (similarity 1)."""
    return [[1.0, 0.0] for _ in texts]


def test_a_question_over_many_plans_compares_the_best_sentence_of_every_plan() -> None:
    # One plan's sentences crowd the top; the other plan's best sentence comes after them.
    crowded = [_candidate("a.txt", line, 3.0 - line / 100) for line in range(1, RERANK + 3)]
    other = _candidate("b.txt", 7, 1.0)
    query = np.array([1.0, 0.0])
    for every_plan in (False, True):
        ranked = rerank_cross_lingual([*crowded, other], query, _fake_embed_as_the_question, every_plan)
        b = next(c for c in ranked if c.chunk.doc == "b.txt")
        compared = [c for c in ranked if c.dense != 0.5]  # compared ones carry the model's similarity
        if every_plan:
            assert b in compared and len(compared) == RERANK + 1 and b.score > 1.0
        else:
            assert b not in compared and len(compared) == RERANK and b.score == 0.0
