"""Turn tokenised lines into decoding slots: candidate options per word piece, fixed symbols otherwise."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from corpus.repair.codes import CodeBook
from corpus.repair.decoder import Option
from corpus.repair.lm import CODE, EOS, NUM, PUNCT, UNK
from corpus.repair.syllable import is_valid_syllable, nfc
from corpus.repair.tokens import Piece

_SENTENCE_END = frozenset(".!?;")
# Digits the scanner produces for letters ("13" = "là", "16" = "lộ", "161" = "lỗi").
_LETTER_DIGITS = frozenset("1346089")


@dataclass
class Slot:
    """A decoding position; line/token/piece locate a word piece whose output the choice sets."""

    options: list[Option]
    line: int = -1
    token: int = -1
    piece: int = -1


@dataclass
class LineWork:
    """Per-line bookkeeping while a block is decoded."""

    raw: str
    tokens: list[tuple[int, int, str]]
    pieces: list[list[Piece]]
    outputs: list[list[str]] = field(default_factory=list)
    conf: list[list[float]] = field(default_factory=list)


def mostly_upper(line: str) -> bool:
    """Whether most letters of the line are capitals (a heading)."""
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def list_marker(work: LineWork, ti: int, pi: int) -> str | None:
    """The label letter when the piece opens the line as an item label ("a)", "b.", "c¢)" -> "c")."""
    piece = work.pieces[ti][pi]
    if ti != 0 or pi != 0 or len(piece.text) > 2:
        return None
    rest = "".join(p.text for p in work.pieces[ti][pi + 1 :])
    if rest[:1] not in (")", "."):
        return None
    letters = [c for c in piece.text if c.isalpha()]
    if len(letters) == 1:
        return letters[0]
    return "c" if piece.text == "¢" else None  # a lone cent sign is a misread c


_ROMAN_LIKE = re.compile(r"[IVXL1l]+")
_ROMAN = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")


def roman_heading(work: LineWork, ti: int, pi: int) -> str | None:
    """The numeral of a heading whose Roman number the scanner wrote with ones ("I11." = "III.")."""
    piece = work.pieces[ti][pi]
    text = piece.text
    if ti != 0 or pi != 0 or not _ROMAN_LIKE.fullmatch(text):
        return None
    rest = "".join(p.text for p in work.pieces[ti][pi + 1 :])
    if rest[:1] not in (".", ")") or not any(c in "IVX" for c in text) or not any(c in "1l" for c in text):
        return None
    fixed = text.replace("1", "I").replace("l", "I")
    return fixed if _ROMAN.fullmatch(fixed) else None


def digit_word(piece: Piece, ti: int, ps: list[Piece]) -> bool:
    """A short all-digit piece standing alone between words may be a misread word ("phải 13 người")."""
    text = piece.text
    return (
        piece.kind == "num"
        and 1 <= len(text) <= 3
        and text[0] == "1"
        and all(c in _LETTER_DIGITS for c in text)
        and len(ps) == 1
    )


class SlotBuilder:
    """Builds the slot sequence of a block of lines; word options come from a callback."""

    def __init__(
        self, book: CodeBook, options: Callable[[str, bool], list[Option]], digit_word_cost: float
    ) -> None:
        """options(text, upper_line) -> list[Option] gives a word piece's candidates."""
        self.book = book
        self.options = options
        self.digit_word_cost = digit_word_cost

    def build(self, block: list[int], works: list[LineWork], damaged: list[bool]) -> list[Slot]:
        """Slots for every piece of the block's lines, mirroring model.symbolize."""
        slots: list[Slot] = []
        in_sentence = False
        for li in block:
            work = works[li]
            upper_line = mostly_upper(work.raw)
            for ti, ps in enumerate(work.pieces):
                for pi, piece in enumerate(ps):
                    kind = piece.kind
                    numeral = roman_heading(work, ti, pi) if damaged[li] else None
                    if numeral is not None:
                        slots.append(Slot([Option(UNK, numeral, 0.0)], li, ti, pi))
                        in_sentence = True
                    elif kind == "word":
                        slots.append(Slot(self._word(work, ti, pi, damaged[li], upper_line), li, ti, pi))
                        in_sentence = True
                    elif kind == "code":
                        fixed = self.book.match(piece.text) if damaged[li] else None
                        slots.append(Slot([Option(CODE, fixed or nfc(piece.text), 0.0)], li, ti, pi))
                        in_sentence = True
                    elif kind == "num" and damaged[li] and digit_word(piece, ti, ps):
                        keep = Option(NUM, nfc(piece.text), 0.0)
                        words = [
                            replace(o, cost=o.cost + self.digit_word_cost)
                            for o in self._call(piece.text, upper_line)
                            if o.symbol != UNK
                        ]
                        slots.append(Slot([keep, *words], li, ti, pi))
                        in_sentence = True
                    elif kind in ("num", "keep"):
                        slots.append(Slot([Option(NUM if kind == "num" else UNK, nfc(piece.text), 0.0)]))
                        in_sentence = True
                    elif any(c in _SENTENCE_END for c in piece.text) and in_sentence:
                        slots.append(Slot([Option(EOS, "", 0.0)]))
                        in_sentence = False
                    elif in_sentence:
                        slots.append(Slot([Option(PUNCT, "", 0.0)]))
        return slots

    def _call(self, text: str, upper_line: bool) -> list[Option]:
        """Invoke the options callback."""
        return self.options(text, upper_line)

    def _word(self, work: LineWork, ti: int, pi: int, damaged: bool, upper_line: bool) -> list[Option]:
        """Options of a word piece; clean lines and item labels keep their text."""
        piece = work.pieces[ti][pi]
        marker = list_marker(work, ti, pi)
        if damaged and marker is None:
            return self._call(piece.text, upper_line)
        if damaged and marker is not None:
            return [Option(marker.lower() if is_valid_syllable(marker.lower()) else UNK, marker, 0.0)]
        low = nfc(piece.text.lower())
        return [Option(low if is_valid_syllable(low) else UNK, nfc(piece.text), 0.0)]
