"""Sentence candidates from retrieved chunks, scored against the question."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.query import Analysis
from corpus.records import Chunk
from corpus.sentences import Sentence, split_sentences
from corpus.text import fold
from index.sparse import entities

DATE_WORDS = re.compile(r"\b(\d{1,2}/\d{1,2}/\d{4}|thang \d{1,2}/?\s*(nam )?\d{4}|quy [ivx1l]+|thuong xuyen|"
                        r"hang thang|hang quy|hang nam|dinh ky|truoc ngay|nam 20\d\d|\d{1,2}/20\d\d)\b")
UNIT_WORDS = re.compile(r"\b(ubnd|uy ban|so |phong|cong an|trung tam|van phong|ban |doan|hoi |to cong nghe|"
                        r"cac co quan|cac don vi|can bo|chu tich|ngan hang|buu dien|mat tran)")


@dataclass(frozen=True)
class Candidate:
    """One sentence of a retrieved chunk with its features and score."""

    sentence: Sentence
    chunk: Chunk
    locality: str
    rank: int
    dense: float
    lex: float
    entity: bool
    score: float


class TermStats:
    """Chunk frequencies of folded terms across the committed plans (for IDF)."""

    def __init__(self, df: Mapping[str, int], n_chunks: int) -> None:
        self.df = df
        self.n = max(n_chunks, 1)

    def known(self, syllable: str) -> bool:
        """Whether any chunk contains the folded syllable."""
        return f"s:{syllable}" in self.df

    def idf(self, syllable: str) -> float:
        """BM25 IDF of a folded syllable; unseen terms count as rare."""
        df = self.df.get(f"s:{syllable}", 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))


def _dense_norm(cos: float) -> float:
    # e5 cosines crowd into 0.7-0.9; stretch that band to 0-1.
    return float(min(max((cos - 0.72) / 0.16, 0.0), 1.0))


def score_sentences(analysis: Analysis, hits: Sequence[tuple[Chunk, str, Sequence[float]]],
                    query_vec: Sequence[float], stats: TermStats) -> list[Candidate]:
    """Every sentence of every hit, scored: term coverage (IDF), entities, answer type, dense, rank."""
    q = np.asarray(query_vec, dtype=np.float32)
    # Words no plan contains (English leftovers, typos) cannot be matched and must not dilute coverage.
    weights = {t: stats.idf(t) for t in analysis.terms if not t.isdigit() and stats.known(t)}
    total = sum(weights.values()) or 1.0
    pairs = list(zip(analysis.terms, analysis.terms[1:], strict=False))
    wanted_entities = [e for e in analysis.entities if "/" in e or "-" in e or "%" in e]
    # A year the question names ("targets for 2027") must appear where the answer comes from.
    years = [e for e in analysis.entities if re.fullmatch(r"20\d\d", e)]
    # "bao nhiêu dịch vụ": a number that counts dịch vụ ("463 dịch vụ công").
    counting = re.compile(rf"(?<![\w/])\d[\d.,]*\s+(?:\S+\s+)?{analysis.counted}\b") if analysis.counted else None
    out: list[Candidate] = []
    for rank, (chunk, locality, vec) in enumerate(hits):
        dense = _dense_norm(float(np.dot(q, np.asarray(vec, dtype=np.float32)))) if len(vec) else 0.0
        heading = set(fold(" ".join(chunk.heading_path[-2:])).split())
        raw_lines = chunk.raw_text.split("\n")
        restored_lines = chunk.restored_text.split("\n")
        if len(restored_lines) != len(raw_lines):
            restored_lines = raw_lines
        for sent in split_sentences(raw_lines, restored_lines, chunk.line_start,
                                    line_breaks=chunk.kind in ("header", "closing")):
            folded = fold(sent.restored)
            words = folded.split()
            present = set(words)
            lex = sum(w if t in present else (0.5 * w if t in heading else 0.0) for t, w in weights.items()) / total
            joined = f" {folded} "
            lex += 0.1 * sum(f" {a} {b} " in joined for a, b in pairs) / max(len(pairs), 1)
            sent_entities = set(entities(sent.restored)) | set(entities(sent.raw))
            entity = bool(wanted_entities) and all(e in sent_entities for e in wanted_entities)
            if years and not all(y in folded or y in " ".join(chunk.heading_path) for y in years):
                entity = False
                lex *= 0.5
            bonus = 0.0
            if "date" in analysis.wants and DATE_WORDS.search(folded):
                bonus += 0.12
            if "number" in analysis.wants and re.search(r"\d", folded):
                bonus += 0.08
            if counting is not None and counting.search(folded):
                bonus += 0.15
            if "percent" in analysis.wants and "%" in sent.restored:
                bonus += 0.15
            if "agency" in analysis.wants and UNIT_WORDS.search(folded + " "):
                bonus += 0.06
            if "code" in analysis.wants and re.search(r"\d+[-/]\w", sent.restored):
                bonus += 0.08
            if "issuance" in analysis.wants and chunk.kind == "header" and re.search(r"kh\s*ubnd|ngay\s*\d", folded):
                bonus += 0.5
            if len(words) < 4:
                bonus -= 0.2  # fragments ("a) Năm 2025") make poor answers
            score = lex + (0.5 if entity else 0.0) + bonus + 0.3 * dense + 0.04 / (rank + 1)
            out.append(Candidate(sent, chunk, locality, rank, dense, lex, entity, score))
    out.sort(key=lambda c: (-c.score, c.chunk.doc, c.sentence.line_start))
    return out
