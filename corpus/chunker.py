"""Turn a plan's blocks into retrievable Chunks along its structure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from corpus.records import Chunk
from corpus.segment import segment
from corpus.structure import Block, Outline, blocks


@dataclass(frozen=True)
class ChunkSettings:
    """How plans are cut; recorded in the index so a changed setting forces a rebuild."""

    max_words: int = 160
    merge_below: int = 40
    merge_up_to: int = 120
    # 2: one structure parser (tables as rows, decisions, attached documents); 3: rules; 4: tables of values;
    # 5: headings that state more than their title; 6: a form's signature block inside a document ends;
    # 7: a short part title closed by a full stop ("IV. Tổ chức thực hiện.") is a part, a numbered section over
    # numbered subsections a title however long, more column headings ("Cơ quan đầu mối") read a table; 8: a bare
    # number is a page number only at a page break (else a flattened table's value), a short line that heads
    # nothing is content; 9: a numbered line that ends with a comma goes on over the next line (no title); 10: a
    # bare number on a plan's last line is a value; 11: an annex's heading path holds its header's title; 12: a
    # form's columns numbered from 2 and uneven upper headings, a text table's other columns as facts of its rows;
    # 13: a second task under one row number (its number cell merged) is a row of its own; 14: a Roman-numbered
    # heading in capitals is a part whatever follows it; 15: body text under a heading in capitals is a passage of
    # its own, and a part that says more than its title ("Phần 3: Kiến nghị cấp trên (…)") is one too; 16: a column
    # headed "Cơ quan, đơn vị" is the lead's; 17: a field label in lower case at a line's start goes on with the
    # line above ("… (Cơ quan" / "chủ trì: …"); 18 (undone in 19): a time line closing a run of tasks without
    # fields moved to their section; 19: chunks as in 17 (the line is only marked as the run's time); 20: a table
    # ends where a plan's next part opens with its running text in the same block (after a page number or not)
    version: int = 20

    def as_dict(self) -> dict[str, int]:
        """Plain form for the build record."""
        return {"max_words": self.max_words, "merge_below": self.merge_below,
                "merge_up_to": self.merge_up_to, "version": self.version}


def _words(block: Block) -> int:
    return len(block.restored_text.split())


def _split_long(block: Block, max_words: int) -> Iterator[Block]:
    """Split a long multi-line block at line ends that close a sentence."""
    if _words(block) <= max_words or len(block.raw_lines) == 1:
        yield block
        return
    start, count = 0, 0
    for i, line in enumerate(block.restored_lines):
        count += len(line.split())
        last = i == len(block.restored_lines) - 1
        if last or (count >= max_words * 0.6 and line.rstrip().endswith((".", ";", ":"))):
            lo, hi = block.line_start + start, block.line_start + i
            yield Block(block.kind, lo, hi, block.heading_path, block.raw_lines[start:i + 1],
                        block.restored_lines[start:i + 1], False,
                        tuple(c for c in block.cells if lo <= min(c[0], c[2]) and max(c[1], c[3]) <= hi))
            start, count = i + 1, 0


def _states_more_than_its_title(block: Block) -> bool:
    """A heading that says more than the title its children carry (Outline.title: up to its first colon, or
    14 words): "1. Dự toán kinh phí … 01 năm: 1.500.000.000 đồng. Trong đó:" or "e) Cơ quan thực hiện: Ủy ban
    nhân dân cấp tỉnh" state a value or a body; it is a passage of its own too, or nothing could find that."""
    if block.kind not in ("part", "num", "item", "bullet", "plus", "para", "article"):
        return False
    text = block.restored_text.rstrip().rstrip(":").rstrip()
    if block.kind == "part":
        # A long title in capitals is only a title ("II. DỰ BÁO CÁC CHỈ TIÊU …"); a part that goes on in running
        # text ("Phần 3: Kiến nghị cấp trên (hỗ trợ, bảo đảm các điều kiện …)") says something of its own.
        letters = [ch for ch in text if ch.isalpha()]
        if not letters or sum(ch.isupper() for ch in letters) >= 0.7 * len(letters):
            return False
    return ": " in text or len(text.split()) > 14


def _groups(blocks: list[Block], settings: ChunkSettings) -> Iterator[list[Block]]:
    """Content blocks, with short siblings under one heading merged."""
    group: list[Block] = []
    for block in blocks:
        if not block.restored_text or (block.is_heading and not _states_more_than_its_title(block)):
            continue
        for piece in _split_long(block, settings.max_words):
            size = sum(_words(b) for b in group)
            same_parent = bool(group) and group[-1].heading_path == piece.heading_path \
                and group[-1].kind == piece.kind and piece.kind not in ("closing",)
            if group and same_parent and size < settings.merge_below \
                    and size + _words(piece) <= settings.merge_up_to:
                group.append(piece)
                continue
            if group:
                yield group
            group = [piece]
    if group:
        yield group


def chunk_plan(doc: str, plan_id: str, plan_hash: str, raw: tuple[str, ...], restored: tuple[str, ...],
               settings: ChunkSettings | None = None, with_segmentation: bool = True,
               outline: Outline | None = None) -> list[Chunk]:
    """Chunks of one plan: heading path, exact line span, raw, restored and segmented text."""
    settings = settings or ChunkSettings()
    chunks: list[Chunk] = []
    spans: set[tuple[int, int]] = set()
    for group in _groups(blocks(raw, restored, outline), settings):
        first, last = group[0].line_start, group[-1].line_end
        if (first, last) in spans:
            continue  # "a) …; b) …" on one line: two items, one span of lines, one chunk
        spans.add((first, last))
        restored_text = "\n".join(restored[first - 1:last])
        heading = group[0].heading_path
        context = heading[-1] if heading else ""
        cells = tuple(c for b in group for c in b.cells)
        # A row of values is found by its columns' headings too ("năm 2028"), which only the header states.
        columns = "\n".join(dict.fromkeys(c[4] for c in cells))
        chunks.append(Chunk(
            plan_id=plan_id, doc=doc, heading_path=heading, line_start=first, line_end=last,
            raw_text="\n".join(raw[first - 1:last]), restored_text=restored_text,
            segmented_text=segment(f"{context}\n{restored_text}\n{columns}".rstrip()) if with_segmentation else "",
            kind=group[0].kind, plan_hash=plan_hash, cells=cells,
        ))
    return chunks
