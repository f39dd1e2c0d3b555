"""The one reading of a plan's structure, used by chunking and obligations alike.

A plan's lines become a tree of nodes: the letterhead and preamble, parts (I., II.), numbered sections (1., 1.2.),
items (a), b)), bullets (-, +), paragraphs, a decision's articles (Điều 1, 2, 3), field lines ("Đơn vị chủ trì:
…"), tables flattened one cell per line (rebuilt into rows whose cells carry their column's role), the closing
(Nơi nhận, signature) and the documents attached after it (the plan a decision issues, appendices).
Headings split over lines, hard-wrapped paragraphs, OCR page numbers and footnotes are handled here, once.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from corpus import wordlists
from corpus.text import collapse, fold, nfc
from corpus.times import is_time_cell
from corpus.units import starts_unit

_BOOKMARK = re.compile(r"^\s*\[bookmark:[^\]]*\]\s*")
_ROMAN = re.compile(r"^(?:[IVXLl1]{1,4})\s*[.,]\s*\S")
_ROMAN_ONLY = re.compile(r"^(?:[IVX]{1,5})\s*[.)]?$")
_UPPER_LETTER = re.compile(r"^[A-ZĐ]\s*\.\s*\S")
_PART_WORD = re.compile(r"^(?:PHẦN|Phần|CHƯƠNG|Chương)\s+(?:[IVX]+|\d+|thứ\s+\w+|THỨ\s+\w+)\b")
_ARTICLE = re.compile(r"^(?:Điều|ĐIỀU|Dieu|Điêu|Đìều)\s+\d{1,2}\s*[.:]")
_NUM = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\s*[.)]\s*(?=\S)(?!\d)")
_ITEM = re.compile(r"^(?:[a-hđ]|[A-H]|c¢|¢)\s?\)\s*\S|^[a-hđ]\.\s+\S")
_BULLET = re.compile(r"^[-–•*−●▪·]\s*\S")
_PLUS = re.compile(r"^\+\s*\S")
_PAGE = re.compile(r"^\d{1,3}$")
_FOOTNOTE = re.compile(r"^\d(?:[a-z]|\s+[A-ZĐ])")
_SENT_END = re.compile(r"[.;:!?]['\")\]”]*$")
MARKER_TOKEN = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-hđA-H]\)|c¢\)|¢\)|[a-hđ]\.|[-–•*+−●▪·])$")
_MIDLINE_ITEM = re.compile(r"^[a-hđ]\)$")
_MARKER_ONLY = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-hđ]\)|[IVX]{1,4}\.|[-–•*+−●▪·])$")
_ROW_INDEX = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3}){0,2}|[IVX]{1,5}|[A-ZĐ])\s*[.)]?\s*$")
_GROUP_INDEX = re.compile(r"^\s*(?:[IVX]{1,5}|[A-ZĐ])\s*[.)]?\s*$")
_GROUP_TITLE = re.compile(r"^\s*(?:[IVX]{1,5}|[A-ZĐ])\s*[.)]\s*\S")

LEVELS = {"doc": 0, "part": 1, "article": 2, "num": 2, "item": 3, "bullet": 4, "plus": 5, "para": 6}
ROLES = ("index", "task", "name", "lead", "support", "time", "product", "funding", "note", "value", "other",
         "unplaced")


@dataclass(frozen=True)
class Token:
    """One whitespace-separated word of the plan: its line, the file's form and the restored reading."""

    line: int  # 1-based
    raw: str
    text: str


@dataclass(frozen=True)
class Cell:
    """One cell of a table row: its column's role and heading, and its tokens [start, end)."""

    role: str
    label: str
    start: int
    end: int


@dataclass
class Node:
    """A structural unit: its own tokens [start, end) (children excluded) and what it is."""

    kind: str  # doc / header / preamble / part / article / num / item / bullet / plus / para / field
    #            / table / group / row / closing
    start: int
    end: int
    depth: int = 0  # numbering depth of a section ("1.2." is 2)
    children: list[Node] = field(default_factory=list)
    role: str = ""  # parts and sections: tasks / org / goals / …; fields: lead / support / time / …
    cells: tuple[Cell, ...] = ()  # table rows
    columns: tuple[tuple[str, str], ...] = ()  # tables: (role, heading) per column
    unit: str = ""  # rows of a table of values: what the values count, as the table states ("Triệu đồng")
    closes_run: bool = False  # a time field under the last task of a run: the time of every task of the run


@dataclass
class Outline:
    """A plan's tokens and its tree of nodes, in document order."""

    tokens: list[Token]
    roots: list[Node]
    n_lines: int

    def walk(self) -> Iterator[tuple[Node, tuple[Node, ...]]]:
        """Every node with its ancestors, in document order."""
        def rec(node: Node, path: tuple[Node, ...]) -> Iterator[tuple[Node, tuple[Node, ...]]]:
            yield node, path
            for child in node.children:
                yield from rec(child, (*path, node))
        for root in self.roots:
            yield from rec(root, ())

    def lines(self, node: Node) -> tuple[int, int]:
        """First and last line of a node's own tokens."""
        return self.tokens[node.start].line, self.tokens[node.end - 1].line

    def subtree_end(self, node: Node) -> int:
        """Token index after a node and all its descendants."""
        return self.subtree_end(node.children[-1]) if node.children else node.end

    def text(self, start: int, end: int, raw: bool = False) -> str:
        """Tokens [start, end) joined by single spaces, restored (or raw)."""
        return " ".join(t.raw if raw else t.text for t in self.tokens[start:end])

    def body(self, node: Node, raw: bool = False) -> str:
        """A node's own text without its list marker."""
        start = node.start
        if start < node.end and MARKER_TOKEN.match(self.tokens[start].raw) and node.kind != "row":
            start += 1
        return self.text(start, node.end, raw)

    def title(self, node: Node) -> str:
        """Short title for heading paths: up to the first colon, or the first 14 words."""
        if node.kind == "row":
            task = next((c for c in node.cells if c.role == "task"), None)
            text = self.text(task.start, task.end) if task else self.text(node.start, node.end)
        else:
            text = collapse(self.text(node.start, node.end))
        head = re.split(r"(?<=\S):\s", text, maxsplit=1)[0]
        words = head.split()
        return " ".join(words[:14]) + (" …" if len(words) > 14 else "")

    def header_title(self, node: Node) -> str | None:
        """The title of the header an attached document or annex opens with ("PHỤ LỤC II" / "THÔNG SỐ, …"), if any."""
        first = node.children[0] if node.children else None
        return self.title(first) if first is not None and first.kind == "header" else None

    def is_heading(self, node: Node) -> bool:
        """A title line such as "1. Mục tiêu chung" (its children hold the content)."""
        if node.kind in ("doc", "part", "group", "table"):
            return True
        if node.kind == "num" and any(c.kind == "num" for c in node.children):
            return True  # "2. Các giải pháp …" over "2.1. Thu NSNN": a section with subsections is a title however long
        if node.kind in ("num", "item", "bullet", "plus", "para", "article"):
            text = collapse(self.text(node.start, node.end))
            if text.endswith(":") and node.children and len(text.split()) <= 60:
                return True  # "2. Sở Giáo dục và Đào tạo chủ trì, phối hợp với …:" introduces its bullets
            if len(text.split()) > 16:
                return False
            return not re.search(r"[.;]\s*$", text) or text.rstrip().endswith(":")
        return False

    def cell_text(self, cell: Cell, raw: bool = False) -> str:
        """A cell's text on one line."""
        return self.text(cell.start, cell.end, raw)


# ---------------------------------------------------------------- lines


def _upper_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) / len(letters) if len(letters) >= 4 else 0.0


def _heading_like(text: str) -> bool:
    words = text.split()
    return len(words) <= 20 and not re.search(r"[.;]['\")\]”]*$", text.rstrip())


def _short_title(text: str) -> bool:
    """A few words closed by a full stop that name what a section holds ("IV. Tổ chức thực hiện.", sections.txt):
    some plans end their part titles so; "II. Sở Y tế chủ trì thực hiện." is a sentence."""
    return len(text.split()) <= 8 and bool(re.search(r"[^.]\.$", text.rstrip())) and bool(_role_of(text))


_PART_KEYS = ("nhiemvu", "giaiphap", "noidung", "tochucthuchien", "muctieu", "mucdich", "yeucau", "chitieu")


def _line_kind(line: str, para: str) -> str:
    """Structural kind of one line; `para` is the line joined with its continuation (a heading split over lines)."""
    s = _BOOKMARK.sub("", line).strip()
    if not s:
        return "blank"
    if _PAGE.match(s):
        return "page"
    if re.fullmatch(r"[-_–—=.*•]{3,}", s):
        return "blank"  # a rule under a letterhead column, not a bullet
    if _MARKER_ONLY.match(s):
        s = para  # "3." alone on its line, the heading on the next
    if _ARTICLE.match(s):
        return "article"
    if _PART_WORD.match(s):
        return "part"
    num = _NUM.match(s)
    if _ROMAN.match(s) or _UPPER_LETTER.match(s) or num:
        # Capitals are counted only on a line that opens with a marker: most open with none, and a question over
        # many plans splits thousands of lines into sentences (classify: 260 -> 70 ms on the 29 plans' lines).
        upper = _upper_share(para) >= 0.7
        # A heading in capitals is one whatever follows it: body text right below it is not its continuation.
        own_upper = _upper_share(s) >= 0.7 and len(s.split()) >= 3
        if _ROMAN.match(s) and not re.match(r"^\d+\s*[.,]", s) and (
                upper or own_upper or (re.match(r"^[IVX]{1,4}\s*\.\s*[A-ZĐÀ-Ỹ]", s) and (_heading_like(para) or _short_title(para)))):
            return "part"
        if _UPPER_LETTER.match(s) and upper and len(para.split()) >= 2:
            return "part"
        if upper and num and any(k in fold(para).replace(" ", "") for k in _PART_KEYS):
            return "part"  # OCR read "III." as "1."
    if num:
        return "num"
    if _ITEM.match(s):
        return "item"
    if _BULLET.match(s):
        return "bullet"
    if _PLUS.match(s):
        return "plus"
    return "text"


def classify(line: str) -> str:
    """Structural kind of one raw line: blank / part / section / item / bullet / plus / text."""
    kind = _line_kind(line, line)
    return {"num": "section", "article": "section", "page": "text"}.get(kind, kind)


def is_closing(line: str) -> bool:
    """The "Nơi nhận:" / "TM. ỦY BAN NHÂN DÂN" line that starts the signature block (not a bullet about it)."""
    stripped = line.strip()
    if stripped[:1] in "-+•*" or not stripped:
        return False
    folded = fold(stripped).replace(" ", "")
    if folded.startswith("noinh"):
        return ":" in stripped[:14] or len(stripped.split()) <= 6
    return folded.startswith(("tmuyban", "ktchutich", "tmubnd", "ktbotruong", "ktthutuong", "tmchinhphu",
                              "ktgiamdoc", "tmbanthuongvu", "tmdanguy"))


def is_doc_start(line: str) -> bool:
    """A document-type word alone in capitals ("KẾ HOẠCH", "PHỤ LỤC II"): a document or appendix begins."""
    s = line.strip()
    if not s or _upper_share(s) < 0.9 or len(s.split()) > 5:
        return False
    f = fold(s)
    rest = next((f[len(t):].strip() for t in wordlists.folded("doctypes.txt") if f == t or f.startswith(t + " ")),
                None)
    return rest is not None and (not rest or bool(re.fullmatch(r"(?:so\s+)?(?:[ivxl]+|\d{1,2}[a-z]?)", rest)))


def _annex_start(lines: Sequence[str], i: int) -> bool:
    """ "Mẫu biểu số 01" / "Phụ lục 2" in any case, with a "(Kèm theo Kế hoạch số …)" line just below it."""
    s = lines[i].strip()
    f = fold(s)
    if not s or len(s.split()) > 5 or not any(f == t or f.startswith(t + " ") for t in wordlists.folded("doctypes.txt")):
        return False
    return any(fold(lines[j]).startswith(("kem theo", "ban hanh kem theo")) and lines[j].strip().startswith("(")
               for j in range(i + 1, min(i + 7, len(lines))))


def _is_enacting(line: str) -> bool:
    """A decision's "QUYẾT ĐỊNH:" line, after which its articles come."""
    s = line.strip()
    return s.endswith(":") and fold(s) == "quyet dinh" and _upper_share(s) >= 0.9


def tokenize(raw_lines: Sequence[str], restored_lines: Sequence[str]) -> tuple[list[Token], list[tuple[int, int]]]:
    """All tokens of the plan, and per line its token range (bookmark artefacts left out)."""
    toks: list[Token] = []
    ranges: list[tuple[int, int]] = []
    for number, (raw, restored) in enumerate(zip(raw_lines, restored_lines, strict=True), start=1):
        raw_toks = raw.split()
        res_toks = restored.split()
        if len(res_toks) != len(raw_toks):
            res_toks = raw_toks
        bookmark = _BOOKMARK.match(raw)
        skip = len(bookmark.group(0).split()) if bookmark else 0
        first = len(toks)
        toks.extend(Token(number, r, t) for r, t in zip(raw_toks[skip:], res_toks[skip:], strict=True))
        ranges.append((first, len(toks)))
    return toks, ranges


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class _Block:
    """Consecutive non-blank lines (0-based, inclusive): one table cell when text is flattened one per line."""

    first: int
    last: int
    text: str


def _blocks(lines: Sequence[str], lo: int, hi: int) -> list[_Block]:
    out: list[_Block] = []
    i = lo
    while i < hi:
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j + 1 < hi and lines[j + 1].strip():
            j += 1
        out.append(_Block(i, j, collapse(" ".join(lines[i:j + 1]))))
        i = j + 1
    return out


def column_role(heading: str) -> str:
    """The role of a column heading or field label ("Cơ quan chủ trì" -> "lead"), or "" when unknown."""
    f = fold(heading)
    for role, label in wordlists.roles("columns.txt"):
        if f == label:
            return role
    return ""


def _is_label(text: str) -> bool:
    return (len(text.split()) <= 10 and not _SENT_END.search(text.rstrip())) or text.rstrip().endswith(":")


def _header_at(blocks: Sequence[_Block], i: int) -> int:
    """Number of column-heading cells starting at block i (0 when no table header starts there)."""
    j = i
    known = 0
    starts_index = column_role(blocks[i].text) == "index"
    while (j < len(blocks) and _is_label(blocks[j].text) and not _ROW_INDEX.match(blocks[j].text)
           and not _GROUP_TITLE.match(blocks[j].text)):
        role = column_role(blocks[j].text)
        if role and role != "index":
            known += 1
        elif not role and not starts_index:
            break
        j += 1
    n = j - i
    if (starts_index and n >= 3 and known >= 1) or (known >= 2 and n >= 3):
        return n
    return 0


def _cell_type(text: str) -> str:
    """What a cell holds: time / unit / funding / text."""
    f = fold(text)
    if is_time_cell(text):
        return "time"
    if re.match(r"(?:ngan sach|kinh phi|nguon|chi thuong xuyen|von|xa hoi hoa|du toan)\b", f):
        return "funding"
    words = text.split()
    if starts_unit(text) and len(words) <= 60 and not re.search(r"[.:]$", text.rstrip()):
        # A list of bodies: its parts (split at commas and ";") each start like a name.
        parts = [p for p in re.split(r"[;,]\s*|\s+và\s+", text) if p.strip()]
        named = sum(starts_unit(p) or len(p.split()) <= 2 for p in parts)
        if named >= 0.6 * len(parts):
            return "unit"
    return "text"


_FIT = {  # (column role, cell type) -> score of putting that cell in that column
    ("task", "text"): 2.0, ("task", "unit"): 0.5, ("task", "time"): -2.0, ("task", "funding"): -1.0,
    ("lead", "unit"): 3.0, ("lead", "text"): -1.0, ("lead", "time"): -3.0, ("lead", "funding"): -2.0,
    ("support", "unit"): 3.0, ("support", "text"): -1.0, ("support", "time"): -3.0, ("support", "funding"): -2.0,
    ("time", "time"): 3.0, ("time", "text"): -2.0, ("time", "unit"): -3.0, ("time", "funding"): -2.0,
    ("funding", "funding"): 3.0, ("funding", "text"): 0.0, ("funding", "unit"): -1.0, ("funding", "time"): -1.0,
}
_SKIP = -0.1  # an empty column (PDF text drops empty cells)


def _fit(role: str, kind: str) -> float:
    return _FIT.get((role, kind), {"time": -0.5, "unit": 0.0, "funding": 0.5, "text": 1.0}[kind])


def _continue_cost(role: str) -> float:
    return -1.5 if role in ("task", "name", "product", "note", "other", "") else -4.0


_RESTART = -3.0  # a second task under the row's number (its number cell merged over both): rarer than a broken cell


def align_cells(kinds: Sequence[str], roles: Sequence[str]) -> list[int]:
    """Column index for each cell, in order: cells keep their order, empty cells are allowed, a cell broken in
    two by a blank line may continue its column. Maximises how well each cell's type fits its column. A row may
    go back to its task column after its lead's (a cell going back: a second task of the same number, whose
    number cell, and any other cell it leaves out, the PDF printed once for both: merged)."""
    n, m = len(kinds), len(roles)
    if n == 0 or m == 0:
        return [min(i, m - 1) if m else 0 for i in range(n)]
    neg = float("-inf")
    best = [[neg] * m for _ in range(n)]
    back = [[-1] * m for _ in range(n)]
    # Leaving a column empty costs more for the columns rarely empty: the task, then its lead.
    skip = [{"task": 1.0, "lead": 0.5}.get(r, -_SKIP) for r in roles]
    task = roles.index("task") if "task" in roles else -1
    lead = roles.index("lead") if "lead" in roles else -1
    after_lead = range(lead + 1, m) if 0 <= task < lead else range(0)

    def skipped(k: int, j: int) -> float:
        return -sum(skip[k + 1:j])

    for j in range(m):
        best[0][j] = _fit(roles[j], kinds[0]) + skipped(-1, j) + (1.0 if j == 0 else 0.0)
    for i in range(1, n):
        for j in range(m):
            options = [(best[i - 1][j] + _continue_cost(roles[j]), j)]
            options += [(best[i - 1][k] + skipped(k, j) + _fit(roles[j], kinds[i]), k) for k in range(j)]
            if j == task:
                options += [(best[i - 1][k] + _RESTART + _fit(roles[j], kinds[i]), k) for k in after_lead]
            score, k = max(options)
            best[i][j], back[i][j] = score, k
    j = max(range(m), key=lambda c: best[n - 1][c])
    out = [0] * n
    for i in range(n - 1, -1, -1):
        out[i] = j
        j = back[i][j]
    return out


@dataclass(frozen=True)
class _TableRegion:
    first: int  # line index of the first header cell
    last: int  # line index after the table
    header: list[_Block]
    rows: list[list[_Block]]
    numbered: list[_Block] = field(default_factory=list)  # the row numbering the columns ("A B 1 2 3"), if any
    unit: str = ""  # what its values count, as stated above it ("Đơn vị: Triệu đồng")
    values: int = 0  # with numbered columns: how many of them hold values


# A form's table numbers its columns under the header ("A, B, 1, 2, 3 …": the letters for the text columns, the
# numbers for the value columns; or "1, 2, 3 …", or "(1) (2) …"), the convention of budget and statistics forms.
_COLUMN_LETTER = re.compile(r"^\(?([A-ZĐ])\)?$")
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2})\)?$")
# "Đơn vị: Triệu đồng." / "ĐVT: tỷ đồng" above a table (a label of the "measure" role, corpus/data/columns.txt):
# what its values count.
_TABLE_UNIT = re.compile(r"^\(?([^:()]{1,20}?)\s*:\s*([^.;()]{1,30})")
# A value cell of such a table: a number, a share, or a dash for none.
_VALUE_CELL = re.compile(r"^[(-]?\s*\d[\d.,]*\s*%?\)?$|^[-–—x]$")


def _column_numbers(blocks: Sequence[_Block], i: int) -> int:
    """How many cells from block i number the columns in order (A, B, … then 1, 2, …; or 1, 2, …), 0 if none."""
    j, letters = i, 0
    while j < len(blocks) and (m := _COLUMN_LETTER.match(blocks[j].text)) and m.group(1) == "ABCDEFGH"[letters]:
        letters, j = letters + 1, j + 1
    numbers, first = 0, 1
    # after the letters a form may number from 2 ("A, B, 2, 3 …": its first value column merged into its header)
    if letters and j < len(blocks) and (m := _COLUMN_NUMBER.match(blocks[j].text)) and m.group(1) == "2":
        first = 2
    while (j < len(blocks) and (m := _COLUMN_NUMBER.match(blocks[j].text))
           and int(m.group(1)) == first + numbers):
        numbers, j = numbers + 1, j + 1
    return j - i if numbers >= 1 and j - i >= 3 else 0


def _value_rows_of(blocks: Sequence[_Block], wanted: int = 0) -> list[list[_Block]]:
    """The rows of a table whose columns are numbered (its cells are values). A row is its index, if any, a
    label, then its values: an index followed by a label, or a label after a value, begins a row. A number is
    ambiguous ("60" may be a value or the next row's index): with `wanted` values per row known, a row short of
    them takes it as a value."""
    rows: list[list[_Block]] = []
    for j, b in enumerate(blocks):
        row = rows[-1] if rows else []
        nxt = blocks[j + 1].text if j + 1 < len(blocks) else ""
        values = _values_in(row)
        if not row:
            starts = True
        elif _ROW_INDEX.match(b.text) and len(b.text) <= 5:
            short = bool(wanted) and b.text[:1].isdigit() and 0 < values < wanted
            starts = bool(nxt) and not _VALUE_CELL.match(nxt) and not short
        else:
            after_index = len(row) == 1 and bool(_ROW_INDEX.match(row[0].text))
            starts = not _VALUE_CELL.match(b.text) and bool(_VALUE_CELL.match(row[-1].text)) and not after_index
        if starts:
            rows.append([b])
        else:
            row.append(b)
    return rows


def _text_columns(header: Sequence[str], numbered: Sequence[str]) -> int:
    """How many of the numbered columns hold text (index, label, unit of measure), 0 if the header does not
    say: the letters number them, else their headings lead the header."""
    letters = sum(bool(_COLUMN_LETTER.match(x)) for x in numbered)
    if letters:
        return letters
    return sum(1 for _ in itertools.takewhile(lambda h: column_role(h) in ("index", "task", "measure"), header[:3]))


def _values_in(row: Sequence[_Block]) -> int:
    """How many values a row holds after its label (its index is no value)."""
    label = next((k for k, b in enumerate(row) if not _VALUE_CELL.match(b.text)), len(row))
    return sum(bool(_VALUE_CELL.match(b.text)) for b in row[label:])


def _values_per_row(rows: Sequence[Sequence[_Block]]) -> int:
    """The commonest count of values in a row (rows missing some are rarer than full ones), 0 if none."""
    counts = Counter(_values_in(row) for row in rows)
    counts.pop(0, None)
    return counts.most_common(1)[0][0] if counts else 0


def _part_with_body(lines: Sequence[str], b: _Block) -> bool:
    """Whether a block is a plan's next part and its running text, not a table's group row: a heading in capitals
    that names a section of a plan ("IV. KINH PHÍ THỰC HIỆN", sections.txt), after a page number or not, with
    sentences right under it in the same block ("Kinh phí thực hiện Kế hoạch được bố trí …."): a table's cells
    are set apart by blank lines."""
    k = b.first + 1 if lines[b.first].strip().isdigit() else b.first
    if k >= b.last:
        return False
    line = lines[k].strip()
    body = " ".join(lines[k + 1:b.last + 1])
    return (_line_kind(line, line) == "part" and _upper_share(line) >= 0.7 and bool(_role_of(line))
            and bool(_SENT_END.search(body)) and _upper_share(body) < 0.5)


def _find_tables(lines: Sequence[str], lo: int, hi: int) -> list[_TableRegion]:
    """Tables flattened one cell per line between lines lo and hi: header cells, then rows of cells."""
    blocks = _blocks(lines, lo, hi)
    out: list[_TableRegion] = []
    i = 0
    while i < len(blocks):
        n = _header_at(blocks, i)
        if not n:
            i += 1
            continue
        header = blocks[i:i + n]
        numbered = blocks[i + n:i + n + _column_numbers(blocks, i + n)]
        rows: list[list[_Block]] = []
        j = i + n + len(numbered)
        body = j
        while j < len(blocks):
            b = blocks[j]
            first_line = lines[b.first]
            if (is_closing(first_line) or is_doc_start(first_line) or _header_at(blocks, j)
                    or (_line_kind(first_line, b.text) == "part" and not _GROUP_TITLE.match(b.text)
                        and _upper_share(b.text) >= 0.7 and len(b.text.split()) > 3)):
                break
            if _part_with_body(lines, b):
                break
            if _ROW_INDEX.match(b.text) or (_GROUP_TITLE.match(b.text) and len(b.text.split()) <= 14) or not rows:
                rows.append([b])
            else:
                rows[-1].append(b)
            j += 1
        values = 0
        if numbered:
            # The header tells how many values a row holds, else a first cut into rows does.
            text = _text_columns([b.text for b in header], [b.text for b in numbered])
            values = len(numbered) - text if text else _values_per_row(_value_rows_of(blocks[body:j]))
            rows = _value_rows_of(blocks[body:j], values)
        last = blocks[j].first if j < len(blocks) else hi
        if rows:
            unit = next((m.group(2) for b in blocks[max(0, i - 3):i]
                         if (m := _TABLE_UNIT.match(b.text)) and column_role(m.group(1)) == "measure"), "")
            out.append(_TableRegion(header[0].first, last, header, rows, numbered, unit.strip(), values))
        i = j
    return out


# ---------------------------------------------------------------- units


def _units(raw_lines: Sequence[str], toks: list[Token], ranges: list[tuple[int, int]]) -> list[Node]:
    """Paragraph-level units in document order (tables as table/group/row units)."""
    n = len(raw_lines)
    nonblank = [line for line in raw_lines if line.strip()]
    # Word-processor exports keep one paragraph per line; OCR and PDF text wrap lines and separate by blanks.
    line_mode = sum(len(line) > 160 for line in nonblank) >= 0.3 * max(1, len(nonblank))
    indented = _short_first_lines(raw_lines)
    closing_at = [False] * n
    doc_at = [False] * n
    in_closing = signed = False  # signed: the signer's title came (recipients, numbered or not, come before it)
    for i, line in enumerate(raw_lines):
        if (is_doc_start(line) or _annex_start(raw_lines, i)) and (in_closing or (i > 0 and _seen_body(raw_lines[:i]))):
            doc_at[i], in_closing = True, False
        elif not in_closing and is_closing(line):
            in_closing = True
        elif in_closing and signed and _reopens_body(line):
            # Once signed, a signature block holds a name and seal, never a numbered part or item: a form's
            # closing inside a document (a ministry's procedures with their model decisions) ends where the
            # document's next part or item opens ("II. LĨNH VỰC TRỒNG TRỌT", "7. Quyết định về số lượng …").
            in_closing = False
        if in_closing and _signer_title().match(line.strip()):
            signed = True
        elif not in_closing:
            signed = False
        closing_at[i] = in_closing
    # Tables, outside closings, each inside one document: the forms of a budget plan ("Mẫu biểu số 01" … "04")
    # follow one another with the same columns, and one table run on over them would hide where each begins.
    tables: dict[int, _TableRegion] = {}
    start = 0
    while start < n:
        while start < n and closing_at[start]:
            start += 1
        end = start + 1 if start < n else n
        while end < n and not closing_at[end] and not doc_at[end]:
            end += 1
        for t in _find_tables(raw_lines, start, end):
            tables[t.first] = t
        start = end

    units: list[Node] = []
    current: Node | None = None
    prev_line = -1
    footnote = False
    i = 0

    def span(first: int, last: int) -> tuple[int, int]:
        return ranges[first][0], ranges[last][1]

    while i < n:
        if i in tables:
            t = tables[i]
            units.extend(_table_units(t, span))
            current, prev_line, i = None, t.last - 1, t.last
            continue
        raw = raw_lines[i]
        a, b = ranges[i]
        if doc_at[i]:
            units.append(Node("doc", a, b))
            current, prev_line, i = units[-1], i, i + 1
            continue
        if closing_at[i]:
            if a < b:
                if current is None or current.kind != "closing":
                    current = Node("closing", a, b)
                    units.append(current)
                else:
                    current.end = b
            prev_line, i = i, i + 1
            continue
        para = _paragraph_text(raw_lines, i)
        kind = _line_kind(raw, para)
        if kind == "blank" or (kind == "page" and _page_number(raw_lines, i)) or a == b:
            i += 1
            continue
        if kind == "page":
            kind = "text"  # a value of a table flattened one cell per line ("48", "Tổng cộng", "732")
        if _is_enacting(raw):
            kind = "part"
        gap = prev_line >= 0 and i - prev_line > 1
        text = _BOOKMARK.sub("", raw).strip()
        new = kind in ("part", "num", "item", "bullet", "plus", "article")
        if (new and kind == "part" and not gap and current is not None and current.kind == "part"
                and current.end - current.start <= 12 and _continues_heading(raw_lines[prev_line], text, False)):
            new = False  # "II. PHẠM" / "VI, ĐỐI TƯỢNG …": a capitals heading going on, not part VI
        if not new and current is not None:
            if current.kind in ("doc", "closing", "table", "row", "group"):
                new = True
            else:
                prev = raw_lines[prev_line].rstrip()
                first = text[:1]
                upper = first.isupper() or first.isdigit()
                unit_lines = toks[current.end - 1].line - toks[current.start].line + 1
                # A title never ends with a comma: "17. Khuyến khích Liên đoàn Lao động tỉnh, Hội Nông dân tỉnh," goes
                # on with "Liên minh Hợp tác xã xây dựng …" on the next line.
                title_like = (current.kind in ("part", "num", "item", "article") and not prev.endswith(",")
                              and not _SENT_END.search(prev) and current.end - current.start <= 30)
                if line_mode:
                    new = upper
                elif gap:
                    # One blank line separates paragraphs; OCR page breaks leave several (and a page number).
                    new = upper and (bool(_SENT_END.search(prev)) or title_like or i - prev_line == 2)
                elif not indented:
                    new = upper and title_like and unit_lines == 1 and current.end - current.start <= 16
                    if new and _continues_heading(prev, text, i + 1 >= n or not raw_lines[i + 1].strip()):
                        new = False
                if (not new and upper and current.kind == "part" and _upper_share(text) < 0.7
                        and _upper_share(" ".join(raw_lines[toks[current.start].line - 1:prev_line + 1])) >= 0.7):
                    new = True  # "V. KINH PHÍ THỰC HIỆN" / "Tổng kinh phí …": body text under a heading in capitals
        if not new and current is not None and column_role(_field_label(text)) and ":" in text \
                and not text[:1].islower():
            # "Đơn vị chủ trì: …" on its own line is a field of the task above; "chủ trì: …" in lower case goes on
            # with the line above ("… (Cơ quan" / "chủ trì: Sở …; thời gian: …)")
            new = True
        if footnote:
            if not new and not gap:
                prev_line, i = i, i + 1
                continue
            footnote = False
        if kind == "text" and gap and (new or current is None) and _FOOTNOTE.match(text):
            footnote = True  # "2 Được thành lập tại …" at the foot of a page
            prev_line, i = i, i + 1
            continue
        if new or current is None:
            node_kind = {"text": "para"}.get(kind, kind)
            num = _NUM.match(para if _MARKER_ONLY.match(text) else text)
            depth = len(num.group(1).split(".")) if kind == "num" and num else 0
            current = Node(node_kind, a, b, depth)
            units.append(current)
        else:
            current.end = b
        prev_line, i = i, i + 1
    units = _split_midline_items(units, toks)
    _mark_fields(units, toks)
    _mark_header(units, toks, raw_lines)
    return units


def _continues_heading(prev: str, line: str, ends_paragraph: bool) -> bool:
    """A heading split over lines ("I. MỤC" / "ĐÍCH, YÊU CẦU", "1. Sở" / "Tài chính"): capitals go on in
    capitals, or the next line closes the paragraph and the two still read as one title."""
    if _upper_share(prev) >= 0.7 and _upper_share(line) >= 0.7:
        return True
    return ends_paragraph and (_heading_like(f"{prev.strip()} {line.strip()}") or len(line.split()) <= 6)


def _short_first_lines(lines: Sequence[str]) -> bool:
    """Whether paragraphs here open with a short first line (PDF text of an indented paragraph: "Căn cứ Luật Tổ
    chức chính" / "quyền địa phương …"). There a line right after a title never starts a paragraph of its own;
    in OCR scans a title line ("b) Năm 2026") may be followed directly by its body."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    multi = [p for p in paragraphs if len(p) >= 3]
    short = sum(len(p[0]) < 0.6 * max(len(x) for x in p[1:]) for p in multi)
    return bool(multi) and short >= 0.5 * len(multi)


def _page_number(lines: Sequence[str], i: int) -> bool:
    """Whether a bare number line is a page number: one set apart by a page break, two blank lines or more."""
    # A flattened table writes its values one per line with one blank line between (in the 29 plans of this
    # corpus 1,060 of 1,061 bare numbers are such values), often at the plan's very end ("Tổng cộng" / "732").
    def blanks(step: int) -> int:
        j, count = i + step, 0
        while 0 <= j < len(lines) and not lines[j].strip():
            j, count = j + step, count + 1
        return count
    return blanks(-1) >= 2 or blanks(1) >= 2


@lru_cache(maxsize=1)
def _signer_title() -> re.Pattern[str]:
    """The signer's title in capitals, after the authority it signs with: "CHỦ TỊCH", "KT. GIÁM ĐỐC", "Q. CHỦ
    TỊCH" (the titles of corpus/data/titles.txt, which header.py reads the signer's office from)."""
    titles = sorted({nfc(t).upper() for t in wordlists.words("titles.txt")}, key=len, reverse=True)
    return re.compile(r"^(?:(?:TM|KT|Q|TL|TUQ)\.\s*)?(?:PHÓ\s+)?(?:" + "|".join(map(re.escape, titles)) + r")\b")
# A part or item marked by a roman numeral, a number or "Phần" (a lone capital letter may be "Q." of a signer).
_BODY_MARKER = re.compile(r"^(?:[IVXL]{1,5}\s*[.:]|\d{1,2}(?:\.\d{1,2})*\s*[.)]|PHẦN\s|Phần\s)")


def _reopens_body(line: str) -> bool:
    """Whether a line opens a numbered part or item of a document body ("II. LĨNH VỰC …", "7. Quyết định …")."""
    stripped = line.strip()
    return classify(stripped) in ("part", "section") and bool(_BODY_MARKER.match(stripped))


def _seen_body(lines: Sequence[str]) -> bool:
    """Whether a document body (a part, an article or a closing) came before: a doc-type word after it starts
    an attached document; before it, it is the document's own title."""
    return any(is_closing(line) or _ARTICLE.match(line.strip()) for line in lines)


_STARTS_MARKER = re.compile(r"^(?:[IVXLl1]{1,4}\s*[.,]|\d{1,2}(?:\.\d{1,2})*\s*[.)]|[a-hđ]\)|[-–•*+−●▪·])(?:\s|$)")


def _paragraph_text(lines: Sequence[str], i: int) -> str:
    """Line i joined with the lines that continue it (up to a blank line or a line that opens with a list
    marker, at most 3 lines): a heading split over lines is judged whole."""
    parts = [lines[i].strip()]
    for j in range(i + 1, min(i + 3, len(lines))):
        nxt = _BOOKMARK.sub("", lines[j]).strip()
        if not nxt or _STARTS_MARKER.match(nxt) or len(parts[-1]) > 160:
            break
        parts.append(nxt)
    return " ".join(parts)


def _field_label(text: str) -> str:
    """The label before the colon of "- Cơ quan chủ trì: Sở …" (marker left out), or ""."""
    body = re.sub(r"^[-–•*+−]\s*", "", text)
    head, sep, _ = body.partition(":")
    return head if sep and len(head.split()) <= 8 else ""


def field_of(text: str) -> tuple[str, str]:
    """(role, value) of a "label: value" line whose label is a known column ("- Cơ quan chủ trì: Sở …" ->
    ("lead", "Sở …")), else ("", "")."""
    role = column_role(_field_label(text))
    if not role or role in ("index", "task"):
        return "", ""
    return role, text.split(":", 1)[1].strip()


def _mark_fields(units: list[Node], toks: list[Token]) -> None:
    """Units that are "label: value" lines with a known label become field nodes with that role."""
    for u in units:
        if u.kind not in ("para", "bullet", "plus"):
            continue
        text = " ".join(t.raw for t in toks[u.start:u.end])
        role = column_role(_field_label(text)) or column_role(_field_label(" ".join(t.text for t in toks[u.start:u.end])))
        if role and role not in ("index", "task"):
            u.kind, u.role = "field", role


def _mark_header(units: list[Node], toks: list[Token], raw_lines: Sequence[str]) -> None:
    """Before the first part, article or section: letterhead and title (header), then "Căn cứ …"/"Thực hiện …"
    paragraphs (preamble). A doc node absorbs the title lines of the document it starts."""
    seen_body = False
    in_doc_title = False
    preamble = False
    for u in units:
        if u.kind in ("part", "article", "num", "table", "closing", "bullet", "item", "plus"):
            seen_body = True
            in_doc_title = False
            continue
        if u.kind == "doc":
            in_doc_title, preamble = True, False
            continue
        if seen_body and not in_doc_title:
            continue
        first = fold(toks[u.start].raw + " " + " ".join(t.raw for t in toks[u.start + 1:u.start + 3]))
        capitals = _upper_share(" ".join(t.raw for t in toks[u.start:u.end])) >= 0.7
        if first.startswith(("thuc hien", "can cu", "thue hien", "thuc hi", "theo de nghi", "xet de nghi")) and (
                not capitals):
            preamble = True
        if u.kind in ("para", "field"):
            u.kind = "preamble" if preamble else "header"


def _split_midline_items(units: list[Node], toks: list[Token]) -> list[Node]:
    """ "… dịch vụ công. b) Triển khai …" on one line: two items."""
    out: list[Node] = []
    for u in units:
        if u.kind in ("table", "row", "group", "closing", "doc"):
            out.append(u)
            continue
        start = u.start
        for k in range(u.start + 2, u.end):
            if _MIDLINE_ITEM.match(toks[k].raw) and toks[k - 1].raw.endswith((".", ";")) and k + 1 < u.end:
                out.append(Node(u.kind, start, k, u.depth))
                start = k
                u = Node("item", k, u.end)
        out.append(Node(u.kind, start, u.end, u.depth, role=u.role))
    return out


def _table_units(t: _TableRegion, to_tokens: Callable[[int, int], tuple[int, int]]) -> list[Node]:
    """A table's header node, then its group and row nodes (cells aligned to the header's columns)."""
    columns = tuple((column_role(b.text) or "other", b.text) for b in t.header)
    a, _ = to_tokens(t.header[0].first, t.header[0].last)
    end = (t.numbered or t.header)[-1]
    _, b = to_tokens(end.first, end.last)
    out = [Node("table", a, b, columns=columns)]
    if t.numbered:
        return out + _value_rows(t, columns, to_tokens)
    body_cols = [c for c in columns if c[0] != "index"] or list(columns)
    roles = [r for r, _ in body_cols]
    for row in t.rows:
        first = row[0]
        rs, _ = to_tokens(first.first, first.last)
        _, re_ = to_tokens(row[-1].first, row[-1].last)
        if rs >= re_:
            continue
        index_cell = bool(_ROW_INDEX.match(first.text))
        content = row[1:] if index_cell else row
        group = (bool(_GROUP_INDEX.match(first.text)) and len(content) <= 1) or (
            bool(_GROUP_TITLE.match(first.text)) and len(row) == 1)
        cells: list[Cell] = []
        if index_cell:
            s, e = to_tokens(first.first, first.last)
            cells.append(Cell("index", columns[0][1] if columns and columns[0][0] == "index" else "", s, e))
        kinds = [_cell_type(c.text) for c in content]
        placed = align_cells(kinds, roles)
        # A cell going back to the task column starts a second task of the same number: a row of its own, which
        # keeps the number and the cells printed once for both (merged: its support, time, product …).
        starts = [0] + [i for i in range(1, len(placed)) if placed[i] < placed[i - 1]]
        parts = [(content[a:b], placed[a:b]) for a, b in zip(starts, [*starts[1:], len(content)], strict=True)]
        first_row: list[Cell] = []
        for n, (blocks_, cols) in enumerate(parts):
            own = list(cells)  # the number cell, if any
            for cell, col in zip(blocks_, cols, strict=True):
                s, e = to_tokens(cell.first, cell.last)
                role, label = body_cols[col]
                if own and own[-1].label == label and own[-1].role == role:
                    own[-1] = Cell(role, label, own[-1].start, e)  # a cell broken by a blank line
                else:
                    own.append(Cell(role, label, s, e))
            if n == 0:
                first_row = own
            else:  # the cells printed once for both
                have = {c.role for c in own}
                own += [c for c in first_row if c.role not in have]
            a = rs if n == 0 else to_tokens(blocks_[0].first, blocks_[0].last)[0]
            b = re_ if n == len(parts) - 1 else to_tokens(blocks_[-1].first, blocks_[-1].last)[1]
            out.append(Node("group" if group else "row", a, b, cells=tuple(own), columns=columns))
    if _cut_by_guess(t):  # its cells are no facts of their rows
        for u in out:
            u.cells = tuple(replace(c, role="unplaced") if c.role in _FACT_ROLES else c for c in u.cells)
    return out


def _cut_by_guess(t: _TableRegion) -> bool:
    """Whether a table without column numbering holds values its rows could not be cut by: a value alone on its
    row ("2", "300.000") is a cell of the row before that read like the next row's index, and one row in five
    like that says the cells of the table sit in no column for sure."""
    lone = sum(1 for row in t.rows if len(row) == 1 and _VALUE_CELL.match(row[0].text))
    return lone >= 0.2 * len(t.rows)


def value_columns(header: Sequence[str], numbered: Sequence[str], values: int) -> list[str]:
    """The headings of a table's value columns, given its header cells, the cells numbering its columns and
    how many values its rows hold; [] when the header cannot be read with certainty.

    The text columns (index, label, unit) come first. A header with more cells than columns has headings over
    headings, flattened top row first: read as the upper headings first, each over an equal run of the columns'
    own headings ("Dự kiến 03 năm kế hoạch" over "Năm 2026", "Năm 2027", "Năm 2028"), else over uneven runs when
    exactly one split keeps each run of one kind (all its columns name a year or none does). Upper headings may
    also sit beside columns headed on both rows, which that reading gets wrong: it is refused when an upper
    heading names a year and a column under it names another.
    """
    text = len(numbered) - values
    above = list(header[text:])
    if values <= 0 or text < 0 or len(above) < values:
        return []
    if len(above) == values:
        return above
    over, own = above[:len(above) - values], above[len(above) - values:]
    if not values % len(over):
        span = values // len(over)
        if all(_fits(upper, own[k * span:(k + 1) * span], False) for k, upper in enumerate(over)):
            return [f"{over[k // span]} – {h}" for k, h in enumerate(own)]
    # Uneven runs ("Năm 2025" over two columns, "Dự kiến 03 năm kế hoạch" over "Năm 2026", "Năm 2027", "Năm 2028"):
    # read only when one split alone keeps each run's years under its heading's and each run of one kind (all
    # its columns name a year, or none does).
    found = _fitting_runs(over, own, limit=2)
    return [f"{u} – {h}" for u, h in zip(found[0], own, strict=True)] if len(found) == 1 else []


def _years(text: str) -> set[str]:
    return set(re.findall(r"\b(?:19|20)\d\d\b", text))


def _fitting_runs(over: Sequence[str], own: Sequence[str], limit: int) -> list[list[str]]:
    """Up to `limit` ways to lay the upper headings, in order, over contiguous runs (at least one column each) of
    the columns `own` that keep every run fitting (_fits); runs are checked as they are laid, so a header of
    many headings costs little."""
    found: list[list[str]] = []

    def lay(k: int, start: int, uppers: list[str]) -> None:
        if len(found) >= limit:
            return
        if k == len(over):
            if start == len(own):
                found.append(uppers)
            return
        left = len(over) - k - 1  # the headings still to lay each need a column
        for end in range(start + 1, len(own) - left + 1):
            if _fits(over[k], own[start:end], True):
                lay(k + 1, end, uppers + [over[k]] * (end - start))

    lay(0, 0, [])
    return found


def _fits(upper: str, run: Sequence[str], alike: bool) -> bool:
    """Whether an upper heading fits over a run of column headings: none of their years falls outside its own,
    and (alike) all of them name a year or none does."""
    years = _years(upper)
    under = [_years(heading) for heading in run]
    if years and any(u and not u <= years for u in under):
        return False
    return not alike or len({bool(u) for u in under}) == 1


def _value_rows(t: _TableRegion, columns: tuple[tuple[str, str], ...],
                to_tokens: Callable[[int, int], tuple[int, int]]) -> list[Node]:
    """The rows of a table of values: index, label, then one cell per value column, each cell under its column's
    heading when the row has a value for every column (a row missing some cannot be placed: PDF text drops empty
    cells), else under none."""
    headings = value_columns([b.text for b in t.header], [b.text for b in t.numbered], t.values)
    text_columns = len(t.numbered) - t.values
    out: list[Node] = []
    for row in t.rows:
        rs, _ = to_tokens(row[0].first, row[0].last)
        _, re_ = to_tokens(row[-1].first, row[-1].last)
        if rs >= re_:
            continue
        index = bool(_ROW_INDEX.match(row[0].text)) and len(row) > 1
        cells: list[Cell] = []
        if index:
            s, e = to_tokens(row[0].first, row[0].last)
            cells.append(Cell("index", columns[0][1] if columns[0][0] == "index" else "", s, e))
        body = row[1:] if index else row
        label = list(itertools.takewhile(lambda b: not _VALUE_CELL.match(b.text), body))
        values = body[len(label):]
        if label:
            s, _ = to_tokens(label[0].first, label[0].last)
            _, e = to_tokens(label[-1].first, label[-1].last)
            cells.append(Cell("task", columns[1][1] if text_columns >= 2 and len(columns) > 1 else "", s, e))
        placed = len(values) == len(headings)
        for k, b in enumerate(values):
            s, e = to_tokens(b.first, b.last)
            cells.append(Cell("value", headings[k] if placed else "", s, e))
        out.append(Node("row", rs, re_, cells=tuple(cells), columns=columns, unit=t.unit))
    return out


# ---------------------------------------------------------------- tree


_NOT_TASKS = ("goals", "review", "funding")
_SECTION_NUMBER = re.compile(r"^(?:[0-9ivx]+[0-9.]*\s+|[a-z]\s+)")  # folded: "1. " / "IV. " / "a) " left as "1 ", "iv ", "a "


def _role_of(text: str, among_tasks: bool = False) -> str:
    """A heading's role by the words it holds; `among_tasks` (a section of a part that lists tasks): a role that
    holds no tasks not when its words are one topic of several ("5. Hạ tầng, an toàn thông tin và kinh phí"),
    only when they are the heading's ("5. Kinh phí thực hiện", "8. Phương án huy động kinh phí")."""
    f = fold(text)
    squeezed = f.replace(" ", "")
    label = _SECTION_NUMBER.sub("", f.strip())  # the heading after its number ("1.", "IV.", "a)")
    for role, words in wordlists.roles("sections.txt"):
        if among_tasks and role in _NOT_TASKS and re.search(rf"(?:,|\bva)\s+(?:\w+\s+)*?{re.escape(words)}\b", label):
            continue
        if role == "period":
            # The label itself, after its number: "1. Thời gian thực hiện", "IV. THỜI GIAN TỔ CHỨC THỰC HIỆN:".
            if re.fullmatch(rf"{re.escape(words)}(?:\s+ke hoach)?", label):
                return role
            continue
        if (f"{words} " in f"{f} " and (f.startswith(words) or len(f.split()) <= 12)) or words.replace(" ", "") in squeezed[:40]:
            return role
    return ""


# Which units a unit of each kind may sit under (the stack is popped to the nearest); numbered headings nest by
# depth and fields attach to their task, so those two are placed in _tree itself.
_PARENTS: dict[str, tuple[str, ...]] = {
    "header": ("doc",),  # a header, preamble or closing stays under the attached document it belongs to, if any
    "preamble": ("doc",),
    "closing": ("doc",),
    "part": ("doc",),
    "article": ("doc", "part"),
    "item": ("doc", "part", "article", "num"),
    "bullet": ("doc", "part", "article", "num", "item"),
    "para": ("doc", "part", "article", "num", "item"),
    "table": ("doc", "part", "article", "num", "item"),
    "plus": ("doc", "part", "article", "num", "item", "bullet"),
    "group": ("table",),
    "row": ("table", "group"),
}


def _tree(units: list[Node], toks: list[Token]) -> list[Node]:
    """Nest units: documents > parts > numbered sections (by depth) > items > bullets > pluses; paragraphs and
    fields under the nearest section or item; table rows under their group, groups under their table."""
    roots: list[Node] = []
    stack: list[Node] = []

    def attach(u: Node) -> None:
        (stack[-1].children if stack else roots).append(u)

    for u in units:
        if u.kind == "doc":
            stack = []
            roots.append(u)
            stack.append(u)
            continue
        if u.kind in _PARENTS:
            while stack and stack[-1].kind not in _PARENTS[u.kind]:
                stack.pop()
        elif u.kind == "num":
            while stack and not (stack[-1].kind in ("doc", "part", "article")
                                 or (stack[-1].kind == "num" and stack[-1].depth < u.depth)):
                stack.pop()
        elif u.kind == "field":
            while stack and stack[-1].kind in ("field", "row", "group"):
                stack.pop()
            parent_children = stack[-1].children if stack else roots
            # A field belongs to the task just before it ("- Xây dựng …" then "- Chủ trì: Sở …").
            prev = parent_children[-1] if parent_children else None
            if prev is not None and prev.kind in ("bullet", "para", "plus") and not any(
                    c.kind != "field" for c in prev.children):
                prev.children.append(u)
                continue
        attach(u)
        if u.kind in ("part", "article", "num", "item", "bullet", "table", "group"):
            stack.append(u)
    _closing_times(roots)
    return roots


_TASK_KINDS = ("num", "item", "bullet", "plus", "para")


def _closing_times(nodes: list[Node]) -> None:
    """A time line that closes a run of tasks none of which has fields ("1.1. …", "1.2. …", "1.3. …" then
    "Thời gian thực hiện: Quý III/2025.") states the time of the run, not of its last task: it is marked so
    (it stays where it is, under the last task, for the passages that quote it)."""
    for node in nodes:
        _closing_times(node.children)
        last = node.children[-1] if node.children else None
        if last is None or last.kind not in _TASK_KINDS or len(last.children) != 1:
            continue
        time = last.children[0]
        if time.kind != "field" or time.role != "time":
            continue
        run = [c for c in node.children[:-1] if c.kind == last.kind]
        if run and not any(g.kind == "field" for c in run for g in c.children):
            time.closes_run = True


def _assign_roles(outline: Outline) -> None:
    """A section's role (tasks / org / period / goals / review / funding) from its heading, else its parent's."""
    def rec(node: Node, inherited: str) -> None:
        role = inherited
        if (node.kind in ("doc", "article", "num") and outline.is_heading(node)) or node.kind == "part":
            for reading in (False, True):
                found = _role_of(outline.text(node.start, node.end, raw=reading),
                                 among_tasks=inherited in ("tasks", "org") and node.kind != "part")
                if found:
                    role = found
                    break
        if node.kind == "doc" and role == inherited:
            role = ""  # an attached document starts afresh
        if node.kind != "field":
            node.role = role
        for child in node.children:
            rec(child, role)
    for root in outline.roots:
        rec(root, "")


def parse(raw_lines: Sequence[str], restored_lines: Sequence[str] | None = None) -> Outline:
    """The structure of a plan from its lines (and their restored reading, line-aligned)."""
    restored_lines = restored_lines if restored_lines is not None else raw_lines
    if len(raw_lines) != len(restored_lines):
        raise ValueError(f"restored reading has {len(restored_lines)} lines, raw has {len(raw_lines)}")
    toks, ranges = tokenize(raw_lines, restored_lines)
    units = _units(raw_lines, toks, ranges)
    outline = Outline(toks, _tree(units, toks), len(raw_lines))
    _assign_roles(outline)
    return outline


@dataclass(frozen=True)
class Block:
    """A node's own lines, for chunking: what it is, where it is, and the titles of its ancestors."""

    kind: str
    line_start: int  # 1-based inclusive
    line_end: int
    heading_path: tuple[str, ...]  # ancestors only
    raw_lines: tuple[str, ...]
    restored_lines: tuple[str, ...]
    is_heading: bool
    # A table row's cells under known column headings (its values; in a text table, its cells of other columns):
    # (label's first and last line, the cell's first and last line, the cell's column heading, what the table's
    # values count) per cell. A cell may come before its label ("TT | Mã TTHC | Tên thủ tục …").
    cells: tuple[tuple[int, int, int, int, str, str], ...] = ()

    @property
    def restored_text(self) -> str:
        """Restored text on one line."""
        return collapse(" ".join(self.restored_lines))


def blocks(raw: Sequence[str], restored: Sequence[str], outline: Outline | None = None) -> list[Block]:
    """Every node of the plan as a Block with its heading path, in document order."""
    outline = outline or parse(raw, restored)
    out: list[Block] = []
    for node, ancestors in outline.walk():
        if node.end <= node.start:
            continue
        a, b = outline.lines(node)
        if node.kind in ("header", "preamble"):
            path: tuple[str, ...] = ("Phần mở đầu",)
        elif node.kind == "closing":
            path = ("Nơi nhận, chữ ký",)
        else:
            path = tuple(_path_title(outline, p) for p in ancestors if p.kind != "table")
        # A short line that heads nothing (a cell of a flattened table, "02 lần/tháng") is content: no child carries
        # it in its heading path, so as a title it would be in no passage at all.
        heading = outline.is_heading(node) and node.kind not in ("row",) and (
            bool(node.children) or node.kind in ("doc", "part", "group", "table"))
        out.append(Block(node.kind, a, b, path, tuple(raw[a - 1:b]), tuple(restored[a - 1:b]), heading,
                         _labelled_values(outline, node)))
    return out


def _path_title(outline: Outline, node: Node) -> str:
    """A node's title in its children's heading path; an attached document or annex is titled by its header too."""
    # "PHỤ LỤC II" says nothing of what the annex holds; the lines under it do ("THÔNG SỐ, TẦN SUẤT, … SỐ LƯỢNG MẪU
    # QUAN TRẮC …", "Mẫu biểu số 04 … CHI NGÂN SÁCH ĐỊA PHƯƠNG"), and a question names the table by them.
    title = outline.title(node)
    header = outline.header_title(node) if node.kind == "doc" else None
    if header is not None:
        title = f"{title} {header.split('(')[0].strip()}".strip()  # not "(Kèm theo Kế hoạch số …)"
    return title


# Columns of a text table read as a fact of the row's label ("Công bố dịch hại … – Mã TTHC: 5.000125"); who leads,
# works with and by when are the obligations' (corpus/obligations), which read them from the same cells.
_FACT_ROLES = ("other", "product")


def _labelled_values(outline: Outline, node: Node) -> tuple[tuple[int, int, int, int, str, str], ...]:
    """A row's values with their column headings and the lines of the row's label (see Block.cells); a row of a
    text table gives its cells of other columns the same way."""
    # a catalogue names its rows ("Tên thủ tục hành chính", role "name") where a plan's table states tasks
    label = next((c for c in node.cells if c.role in ("task", "name")), None)
    if label is None or node.kind != "row":
        return ()
    first, last = outline.tokens[label.start].line, outline.tokens[label.end - 1].line
    values = [c for c in node.cells if c.role == "value" and c.label]
    if not any(c.role == "value" for c in node.cells):
        values = [c for c in node.cells if c.role in _FACT_ROLES and c.label and c.end > c.start]
    return tuple((first, last, outline.tokens[c.start].line, outline.tokens[c.end - 1].line, c.label, node.unit)
                 for c in values)
