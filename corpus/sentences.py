"""Split line-aligned raw/restored text into sentences that keep their exact line span."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.records import Chunk
from corpus.structure import MARKER_TOKEN, classify
from corpus.text import collapse

_END = re.compile(r"[.!?;]['\")\]]*$|:$")


@dataclass(frozen=True)
class Sentence:
    """A sentence: verbatim raw quote, its restored reading, and the lines it spans."""

    line_start: int
    line_end: int
    raw: str  # raw tokens joined by single spaces: a substring of the collapsed source lines
    restored: str


def split_sentences(raw_lines: Sequence[str], restored_lines: Sequence[str], first_line: int,
                    line_breaks: bool = False) -> list[Sentence]:
    """Sentences of a passage; `first_line` is the 1-based number of raw_lines[0].

    With line_breaks every line also ends a sentence (header and signature blocks have no punctuation).
    """
    tokens: list[tuple[int, str, str, bool]] = []  # (line number, raw, restored, starts a line)
    for offset, (raw, restored) in enumerate(zip(raw_lines, restored_lines, strict=True)):
        raw_toks = raw.split()
        res_toks = restored.split()
        if len(res_toks) != len(raw_toks):
            res_toks = raw_toks
        marker = classify(raw) not in ("text", "blank")
        for i, (rt, st) in enumerate(zip(raw_toks, res_toks, strict=True)):
            tokens.append((first_line + offset, rt, st, i == 0 and marker))
    sentences: list[Sentence] = []
    current: list[tuple[int, str, str, bool]] = []

    def flush() -> None:
        if current:
            sentences.append(Sentence(current[0][0], current[-1][0], " ".join(t[1] for t in current),
                                      " ".join(t[2] for t in current)))
            current.clear()

    for idx, tok in enumerate(tokens):
        if tok[3]:
            flush()
        current.append(tok)
        nxt = tokens[idx + 1] if idx + 1 < len(tokens) else None
        if nxt is None:
            break
        ends = bool(_END.search(tok[2])) or bool(_END.search(tok[1]))
        if ends and len(current) == 1 and MARKER_TOKEN.match(tok[1]):
            ends = False  # "1." alone on its line numbers the sentence that follows
        if ends and tok[2].endswith((";", ":")) and nxt[0] == tok[0]:
            ends = False  # a semicolon inside a line separates list parts of one sentence
        if (ends and (nxt[2][:1].isupper() or nxt[2][:1].isdigit() or nxt[3] or nxt[0] != tok[0])) or (line_breaks and nxt[0] != tok[0]):
            flush()
    flush()
    return sentences


def sentences_of(chunk: Chunk, line_breaks: bool | None = None) -> list[Sentence]:
    """A chunk's sentences (in header, closing and table chunks every line ends one; `line_breaks` says so for
    any chunk), then each labelled value of its table rows read as a sentence of its own (cell_sentences)."""
    sentences, cells = sentences_and_cells(chunk, line_breaks)
    return [*sentences, *cells]


def sentences_and_cells(chunk: Chunk, line_breaks: bool | None = None) -> tuple[list[Sentence], list[Sentence]]:
    """sentences_of in its two parts: the chunk's own sentences, and its table cells read as sentences."""
    raw_lines = chunk.raw_text.split("\n")
    restored = chunk.restored_text.split("\n")
    if len(restored) != len(raw_lines):
        restored = raw_lines
    if line_breaks is None:
        line_breaks = chunk.kind in ("header", "closing", "row", "group", "table")
    sentences = split_sentences(raw_lines, restored, chunk.line_start, line_breaks=line_breaks)
    return sentences, cell_sentences(chunk, raw_lines, restored)


def cell_sentences(chunk: Chunk, raw_lines: Sequence[str], restored: Sequence[str]) -> list[Sentence]:
    """Each value of a table row read as the sentence the table means, "<row label> – <column heading>:
    <value> <unit>", quoting the row's lines from its label to that value, or from the value to its label when the
    value's column comes first (a table flattened one cell per line states a value on a line of its own, far from
    what it measures)."""
    def text(lines: Sequence[str], a: int, b: int) -> str:
        return collapse(" ".join(lines[a - chunk.line_start:b - chunk.line_start + 1]))

    return [Sentence(min(a, c), max(b, d), text(raw_lines, min(a, c), max(b, d)),
                     f"{text(restored, a, b)} – {heading}: {text(restored, c, d)}{f' {unit.lower()}' if unit else ''}")
            for a, b, c, d, heading, unit in chunk.cells
            if chunk.line_start <= min(a, c) and max(b, d) <= chunk.line_end and (b < c or d < a)]
