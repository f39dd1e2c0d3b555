"""Recognise a plan's structure (parts, sections, items, bullets, closing) and cut it into blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.text import collapse, fold

_PART = re.compile(r"^\s*(?:I|II|III|IV|V|VI|VII|VIII|IX|X|IL|Il|Ill|IIl|lV|Vl)\s*[.,]\s*\S")
_SECTION = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\s*\.\s*(?=\S)(?!\d)")
_ITEM = re.compile(r"^\s*(?:[a-zđ]\S?\)|\d{1,2}\))\s*\S")
_BULLET = re.compile(r"^\s*[-–•*]\s*\S")
_PLUS = re.compile(r"^\s*\+\s*\S")
_SENT_END = re.compile(r"[.;:!?]['\")\]]*\s*$|\.\s*/\s*\.?\s*$")

LEVELS = {"part": 1, "section": 2, "item": 3, "bullet": 4, "plus": 5}


@dataclass(frozen=True)
class Block:
    """A structural unit: consecutive lines that belong together, with its place in the plan."""

    kind: str  # header / preamble / part / section / item / bullet / plus / para / closing
    line_start: int  # 1-based inclusive
    line_end: int
    heading_path: tuple[str, ...]  # ancestors only
    raw_lines: tuple[str, ...]
    restored_lines: tuple[str, ...]
    is_heading: bool  # short title line such as "1. Mục tiêu chung"

    @property
    def restored_text(self) -> str:
        """Restored text on one line."""
        return collapse(" ".join(self.restored_lines))

    @property
    def title(self) -> str:
        """Short title for heading paths: up to the first colon, or the first 14 words."""
        text = self.restored_text
        head = re.split(r"(?<=\S):\s", text, maxsplit=1)[0]
        words = head.split()
        return " ".join(words[:14]) + (" …" if len(words) > 14 else "")


def classify(line: str) -> str:
    """Structural kind of one raw line: blank / part / section / item / bullet / plus / text."""
    if not line.strip():
        return "blank"
    stripped = line.strip()
    if _PART.match(stripped):
        letters = [ch for ch in stripped if ch.isalpha()]
        if letters and sum(ch.isupper() for ch in letters) >= 0.7 * len(letters):
            return "part"
    if _SECTION.match(stripped):
        return "section"
    if _ITEM.match(stripped):
        return "item"
    if _BULLET.match(stripped):
        return "bullet"
    if _PLUS.match(stripped):
        return "plus"
    return "text"


def is_closing(line: str) -> bool:
    """The "Nơi nhận:" / "TM. ỦY BAN NHÂN DÂN" line that starts the signature block (not a bullet about it)."""
    stripped = line.strip()
    if stripped[:1] in "-+•*" or not stripped:
        return False
    folded = fold(stripped).replace(" ", "")
    if folded.startswith("noinh"):
        return ":" in stripped[:14] or len(stripped.split()) <= 6
    return folded.startswith(("tmuyban", "ktchutich", "tmubnd"))


def _is_heading(kind: str, text: str) -> bool:
    words = text.split()
    if kind == "part":
        return True
    if kind in ("section", "item", "bullet", "plus", "para") and len(words) <= 16:
        return not re.search(r"[.;]\s*$", text) or text.rstrip().endswith(":")
    return False


def _paragraphs(lines: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """Group line indices into (kind, first, last) paragraphs, 0-based inclusive."""
    paras: list[tuple[str, int, int]] = []
    current: list[int] = []
    kind = "para"
    closing = False
    for i, line in enumerate(lines):
        lk = classify(line)
        if not closing and is_closing(line):
            if current:
                paras.append((kind, current[0], current[-1]))
            closing, current, kind = True, [], "closing"
        if closing:
            if lk != "blank":
                current.append(i)
            continue
        if lk == "blank":
            continue
        starts_new = lk in LEVELS
        if not starts_new and current and not any(k == "part" for k, _, _ in paras) and i - current[-1] > 1:
            starts_new = True  # before the first part (the header) a blank line always separates paragraphs
        elif not starts_new and current:
            prev = lines[current[-1]].rstrip()
            gap = i - current[-1] > 1
            first = line.lstrip()[:1]
            # A blank line ends a paragraph only if the sentence before it ended there.
            starts_new = gap and bool(_SENT_END.search(prev)) and (first.isupper() or first.isdigit())
            # A short title line ("b) Năm 2026") followed by a capitalised line starts a new paragraph.
            if not gap and len(current) == 1 and classify(prev) in LEVELS and first.isupper():
                prev_text = prev.strip()
                starts_new = starts_new or (len(prev_text.split()) <= 10 and not re.search(r"[.;,]$", prev_text))
        if starts_new and current:
            paras.append((kind, current[0], current[-1]))
            current = []
        if not current:
            kind = lk if lk in LEVELS else "para"
        current.append(i)
    if current:
        paras.append((kind, current[0], current[-1]))
    return paras


def parse_blocks(raw: tuple[str, ...], restored: tuple[str, ...]) -> list[Block]:
    """Cut a plan's lines into blocks, each with the heading path of its ancestors."""
    if len(raw) != len(restored):
        raise ValueError(f"restored reading has {len(restored)} lines, raw has {len(raw)}")
    paras = _paragraphs(raw)
    first_part = next((i for i, (k, _, _) in enumerate(paras) if k == "part"), len(paras))
    # The letterhead and title come first; "Thực hiện …"/"Căn cứ …" paragraphs after them are running text.
    preamble = next((i for i, (_, a, _) in enumerate(paras[:first_part])
                     if fold(raw[a]).startswith(("thuc hien", "can cu", "thue hien", "thuc hi"))), first_part)
    stack: list[tuple[int, str]] = []  # (level, title)
    blocks: list[Block] = []
    for index, (kind, a, b) in enumerate(paras):
        raw_lines, restored_lines = raw[a:b + 1], restored[a:b + 1]
        if index < first_part:
            kind = "header" if index < preamble else "preamble"
        text = collapse(" ".join(restored_lines))
        heading = _is_heading(kind, text) if kind not in ("header", "preamble", "closing") else False
        level = LEVELS.get(kind, 6 if kind == "para" else 0)
        if kind in LEVELS or kind == "para":
            while stack and stack[-1][0] >= level:
                stack.pop()
        path: tuple[str, ...]
        if kind in ("header", "preamble"):
            path = ("Phần mở đầu",)
        elif kind == "closing":
            path = ("Nơi nhận, chữ ký",)
        else:
            path = tuple(title for _, title in stack)
        block = Block(kind, a + 1, b + 1, path, raw_lines, restored_lines, heading)
        blocks.append(block)
        if (kind in LEVELS and (heading or kind in ("section", "item"))) or (kind == "para" and heading):
            stack.append((level, block.title))
    return blocks
