"""The public restorer: turns raw (possibly OCR-damaged) lines into readable Vietnamese, token by token."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from corpus.repair.candidates import SyllableTrie
from corpus.repair.channel import ChannelTable
from corpus.repair.codes import CodeBook
from corpus.repair.decoder import NameBonus, Option, Scorer, confidences, viterbi
from corpus.repair.detect import THRESHOLD, damage_score, line_is_clean, word_stats
from corpus.repair.lm import BOS, EOS, UNK
from corpus.repair.memory import WordMemory, check_weight
from corpus.repair.model import Model
from corpus.repair.names import found_names, inject
from corpus.repair.proposals import Proposer
from corpus.repair.resources import DATA_DIR
from corpus.repair.slots import LineWork, Slot, SlotBuilder, mostly_upper
from corpus.repair.syllable import apply_case, canon, case_pattern, fold, is_valid_syllable, nfc
from corpus.repair.tokens import Piece, split_pieces, split_tokens

UNCERTAIN_BELOW = 0.6


@dataclass(frozen=True)
class TokenRepair:
    """One whitespace token of a line: raw text, its restoration, offsets in the raw line, confidence."""

    raw: str
    restored: str
    start: int
    end: int
    confidence: float


@dataclass(frozen=True)
class RestoredLine:
    """A raw line, its restored text (same tokens, same whitespace) and the per-token detail."""

    raw: str
    text: str
    tokens: tuple[TokenRepair, ...]

    @property
    def uncertain(self) -> tuple[TokenRepair, ...]:
        """Tokens whose chosen restoration is below 0.6 confidence (changed or ambiguous)."""
        return tuple(t for t in self.tokens if t.confidence < UNCERTAIN_BELOW)


@dataclass
class Settings:
    """Decoder knobs (tuned on plan lines aligned to the clean plan, the channel's weight on the new-topic dev lines;
    never on the hand gold)."""

    # How far the letters' channel outweighs the LM: 1.3 was set on the seeds' scans aligned to the clean plan; 0.9
    # on the new-topic dev lines (evals/repair_newtopic.py, lines then restored as one passage: 97.00 -> 97.40%; each
    # after the line right before it, as now, with the field text's fifth batch: 1.3 97.34%, 1.1 97.40%, 0.9 97.74%,
    # 0.7 97.82%, 0.9 kept; hand gold unchanged at 98.40%, though
    # a word the whole-word memory read there may now go to the LM: "đi timg ngd" reads "đi tặng ngờ", not "từng").
    channel_weight: float = 0.9
    # Leaving a word unrecognised (names, English, acronyms) costs a flat amount plus a spelling
    # cost per letter, as an unknown-word model P(<unk>) * P(spelling) would.
    keep_base: float = 5.0
    keep_per_char: float = 2.5
    digit_word_cost: float = 2.0  # reading a short number ("13") as a word ("là")
    max_options: int = 6
    # Context proposals (proposals.py): at most this many per word, asked for by one of the first
    # proposal_rank + 1 readings of a neighbour, and within proposal_slack nats of the word's best reading
    # on the two neighbouring bigrams.
    max_proposals: int = 3
    proposal_rank: int = 2
    proposal_slack: float = 3.0
    # Past the shortlist, options that spell a dictionary word with a neighbour's option ("dé dang" ->
    # "dễ dàng": "dàng" is too rare alone to make the shortlist of "dang").
    max_spare: int = 24
    option_margin: float = 8.0  # drop options this far (nats) behind the best by channel + unigram
    beam: int = 12
    margin: float = 6.0  # channel search: keep candidates this close (nats) to the best
    search_limit: int = 32
    temperature: float = 1.5  # flattens the overconfident local posterior (calibrated on the 2-fold CV)
    name_bonus: float = 5.0  # two capitalised words spelling a gazetteer name ("Dương Kinh")
    # Share of the whole-word estimate P(raw word | syllable) in the channel probability ("từng" was
    # written "timg" 8 of 15 times; the letters alone price that like "tăng").
    memory_weight: float = 0.5


class Restorer:
    """Noisy-channel restorer: channel candidates per word, 4-gram LM Viterbi per paragraph."""

    def __init__(
        self,
        model: Model,
        table: ChannelTable,
        settings: Settings | None = None,
        memory: WordMemory | None = None,
    ) -> None:
        """Wire the model, channel (letters, and whole words when a memory is given) and code book."""
        self.model = model
        self.settings = settings or Settings()
        self.memory = memory
        check_weight(self.settings.memory_weight)
        self.trie = SyllableTrie(model.inventory, table)
        self.book = CodeBook(model.codes)
        self._options: dict[tuple[str, bool], list[Option]] = {}
        self._name_heads = frozenset(a for a, _ in model.name_pairs)
        self._builder = SlotBuilder(self.book, self._word_options, self.settings.digit_word_cost)
        self._names = NameBonus(model.name_pairs, self.settings.name_bonus)
        self._proposer = Proposer(model.lm.word_pairs)

    # ---- public API -------------------------------------------------------------------------
    def restore_line(self, line: str) -> RestoredLine:
        """Restore one line on its own (no neighbouring context)."""
        return self.restore_lines([line])[0]

    def restore_lines(self, lines: Sequence[str]) -> list[RestoredLine]:
        """Restore lines in order; consecutive non-empty lines share LM context."""
        lines = list(lines)
        doc_damaged = damage_score("\n".join(lines)) >= THRESHOLD if len(lines) > 1 else None
        works = [self._prepare(line) for line in lines]
        self._continue_codes(works)
        damaged = [self._line_damaged(work, doc_damaged) for work in works]
        blocks: list[list[Slot]] = []
        block: list[int] = []
        for idx, line in enumerate([*lines, ""]):
            if line.strip():
                block.append(idx)
                continue
            if block and any(damaged[i] for i in block):
                blocks.append(self._builder.build(block, works, damaged))
            block = []
        for slots in blocks:
            self._propose(slots, works)
            self._widen(slots)
        results = [self._decode(slots, self.model.lm) for slots in blocks]
        names = found_names(blocks, [r[0] for r in results], self.model.name_pairs)
        for bi in inject(blocks, [r[0] for r in results], works, names, self.model.name_pairs, self.model.uncased):
            results[bi] = self._decode(blocks[bi], self.model.lm)
        for slots, (chosen, conf) in zip(blocks, results, strict=True):
            for sl, j, c in zip(slots, chosen, conf, strict=True):
                if sl.line >= 0:
                    works[sl.line].outputs[sl.token][sl.piece] = sl.options[j].text
                    works[sl.line].conf[sl.token][sl.piece] = c
        return [self._assemble(w) for w in works]

    # ---- internals --------------------------------------------------------------------------
    def _decode(self, slots: list[Slot], lm: Scorer) -> tuple[list[int], list[float]]:
        """Best option per slot and its local confidence."""
        options = [sl.options for sl in slots]
        s = self.settings
        chosen = viterbi(lm, options, s.channel_weight, s.beam, self._names)
        return chosen, confidences(lm, options, chosen, s.channel_weight, self._names, s.temperature)

    def _line_damaged(self, work: LineWork, doc_damaged: bool | None) -> bool:
        """Whether a line should be restored, using the document's verdict for short lines."""
        line = work.raw
        total, invalid, _, _ = word_stats(line)
        if total == 0:
            # no words to judge by: only document codes can be fixed ("1565/QP-TTG")
            return any(
                p.kind == "code" and self.book.match(p.text) != p.text for ps in work.pieces for p in ps
            )
        clean = line_is_clean(line)
        if doc_damaged is None or total >= 8:
            return not clean
        if doc_damaged:
            return not (clean and total >= 6)
        return invalid > 0 and not clean

    def _prepare(self, line: str) -> LineWork:
        """Tokenise a line into pieces; outputs default to the raw pieces."""
        tokens = split_tokens(line)
        pieces = [self._split_merged(split_pieces(tok, self.book.is_code)) for _, _, tok in tokens]
        if not mostly_upper(line):
            # in running text a short all-capitals word that spells a known code is that code ("DU" = "ĐU")
            for ps in pieces:
                for i, p in enumerate(ps):
                    if (
                        p.kind == "word"
                        and p.text.isupper()
                        and len(p.text) >= 2
                        and self.book.is_code(p.text)
                    ):
                        ps[i] = Piece(p.text, "code")
                    elif p.kind == "word" and not_vietnamese(p.text):
                        ps[i] = Piece(p.text, "keep")
        work = LineWork(raw=line, tokens=tokens, pieces=pieces)
        work.outputs = [[nfc(p.text) for p in ps] for ps in pieces]
        work.conf = [[1.0 for _ in ps] for ps in pieces]
        return work

    def _continue_codes(self, works: list[LineWork]) -> None:
        """A capitalised word right after a token ending in '/' or '-' (also across a line break)
        continues a document code: "07-KH/" + "DU," is "07-KH/ĐU,"."""
        prev = ""
        for work in works:
            for ps in work.pieces:
                first = ps[0] if ps else None
                if (
                    first is not None
                    and first.kind == "word"
                    and prev.endswith(("/", "-"))
                    and first.text.isupper()
                    and len(first.text) >= 2
                    and self.book.is_code(first.text)
                ):
                    ps[0] = Piece(first.text, "code")
                prev = "".join(p.text for p in ps)

    def _search(self, text: str) -> list[tuple[str, float]]:
        """Channel candidates of a raw word with this restorer's search settings."""
        return self.trie.search(text, margin=self.settings.margin, limit=self.settings.search_limit)

    def _split_merged(self, pieces: list[Piece]) -> list[Piece]:
        """Split a word the scanner glued together ("SATHAY" -> "SA" + "THAY") when both halves read well."""
        out: list[Piece] = []
        for piece in pieces:
            text = piece.text
            # only capitalised words: in running text a long bad word is damage, not two words glued
            if piece.kind != "word" or len(text) < 5 or not text.isalpha() or not text[:1].isupper():
                out.append(piece)
                continue
            single = self._search(text)
            if single and single[0][1] <= 4.0:
                out.append(piece)
                continue
            best: tuple[float, int] | None = None
            for i in range(2, len(text) - 1):
                if not (is_valid_syllable(fold(text[:i])) and is_valid_syllable(fold(text[i:]))):
                    continue  # both halves must at least look like bare syllables
                left, right = self._search(text[:i]), self._search(text[i:])
                if left and right and left[0][1] <= 1.5 and right[0][1] <= 1.5:
                    cost = left[0][1] + right[0][1]
                    if best is None or cost < best[0]:
                        best = (cost, i)
            if best is None:
                out.append(piece)
            else:
                out.extend((Piece(text[: best[1]], "word"), Piece(text[best[1] :], "word")))
        return out

    def _word_options(self, text: str, upper_line: bool) -> list[Option]:
        """Channel candidates for one word piece, plus leaving it unchanged (cached per word)."""
        key = (text, upper_line)
        hit = self._options.get(key)
        if hit is None:
            hit = self._compute_options(text, upper_line)
            if len(self._options) > 200_000:
                self._options.clear()  # bound memory on huge inputs
            self._options[key] = hit
        return list(hit)  # slots edit their options (names, spares): never the cached list

    def _compute_options(self, text: str, upper_line: bool) -> list[Option]:
        """Channel candidates for one word piece, plus leaving it unchanged."""
        raw_text = text  # the memory is keyed by the raw word, before the canonical respelling below
        pattern = word_case(text, upper_line)
        low = nfc(text.lower())
        s = self.settings
        opts: dict[str, Option] = {}
        cap = pattern in ("title", "upper")
        if is_valid_syllable(low) and canon(low) != low:
            text = apply_case(canon(low), pattern)  # "uỷ" -> "ủy": the inventory holds one spelling
            low = canon(low)
        found = dict(self._search(text))
        if self.memory is not None and s.memory_weight:
            seen = self.memory.readings(raw_text)
            for syl in seen:
                found.setdefault(syl, math.inf)  # a damage the letter channel cannot explain at all
            found = {syl: WordMemory.mix(seen, syl, c, s.memory_weight) for syl, c in found.items()}
        for syl, cost in found.items():
            opts[syl] = _option(syl, cost, raw_text, pattern, upper_line)
        keep_sym = low if is_valid_syllable(low) else UNK
        keep_cost = s.keep_base + s.keep_per_char * len(text)
        if pattern == "upper" and not upper_line and len(text) >= 3 and not is_valid_syllable(fold(text)):
            keep_cost = s.keep_base  # capitals in running text that cannot be a syllable: an acronym
        elif not upper_line and element_symbol(text):
            keep_cost = 0.0  # kept for free: a syllable reading must win on its neighbours alone ("Tb chức")
        if keep_sym not in opts:
            opts[keep_sym] = Option(keep_sym, nfc(text), keep_cost, cap)
        lm = self.model.lm
        scored = sorted(
            ((s.channel_weight * o.cost - _log(lm.p_uni(o.symbol)), o) for o in opts.values()),
            key=lambda x: x[0],
        )
        best = scored[0][0]
        kept = [o for sc, o in scored[: s.max_options] if sc <= best + s.option_margin]
        if cap:
            # A capitalised word may start a known name ("Sở" of "Sở Khoa học"): keep that reading in play even
            # when plain frequency ("Số") pushed it out; the name bonus decides if the next word fits.
            kept += [o for sc, o in scored[s.max_options:] if o.symbol in self._name_heads
                     and sc <= best + s.option_margin][:2]
        taken = {o.symbol for o in kept}
        spare = [
            replace(o, spare=True)
            for sc, o in scored[s.max_options :]
            if o.symbol not in taken and sc <= best + s.option_margin
        ]
        return kept + spare[: s.max_spare]

    def _propose(self, slots: list[Slot], works: list[LineWork]) -> None:
        """Add readings a neighbour's dictionary word asks for but the channel cannot spell (proposals.py)."""
        s, lm = self.settings, self.model.lm
        tops = [[o.symbol for o in sl.options[: s.proposal_rank + 1]] for sl in slots]
        pairs = self._proposer.pairs
        for t, sl in enumerate(slots):
            # one option: fixed text (numbers, codes, clean lines, labels) or a word the channel cannot read
            # at all; the latter is rare and left as it is
            if sl.line < 0 or len(sl.options) < 2:
                continue
            piece = works[sl.line].pieces[sl.token][sl.piece]
            if piece.kind != "word":
                continue
            left = tops[t - 1] if t > 0 else []
            right = tops[t + 1] if t + 1 < len(slots) else []
            best = sl.options[0]
            if any((a, best.symbol) in pairs for a in left[:1]) or any((best.symbol, b) in pairs for b in right[:1]):
                continue  # the best reading already completes a dictionary word with a neighbour's
            have = {o.symbol for o in sl.options}
            found = [(syl, c) for syl, c in self._proposer.propose(piece.text, left, right).items() if syl not in have]
            if not found:
                continue
            # judge them on the neighbouring bigrams; keep the best few within proposal_slack nats of the best
            # reading there
            history = [BOS if a == EOS else a for a in left] or [BOS]  # the decoder restarts after a sentence end
            floor = _local(lm, history, best.symbol, right) - s.channel_weight * best.cost - s.proposal_slack
            judged = sorted(((_local(lm, history, syl, right) - s.channel_weight * c, syl, c) for syl, c in found),
                            key=lambda x: (-x[0], x[1]))
            upper_line = mostly_upper(works[sl.line].raw)
            pattern = word_case(piece.text, upper_line)
            sl.options = sl.options + [
                _option(syl, c, piece.text, pattern, upper_line)
                for score, syl, c in judged[: s.max_proposals]
                if score >= floor
            ]

    def _widen(self, slots: list[Slot]) -> None:
        """Keep a slot's spare options only where they form a dictionary word with a neighbour's option."""
        syms = [{o.symbol for o in sl.options} for sl in slots]
        for t, sl in enumerate(slots):
            if not any(o.spare for o in sl.options):
                continue
            before = syms[t - 1] if t > 0 else set()
            after = syms[t + 1] if t + 1 < len(slots) else set()
            asked = self._proposer.asked(before, after)
            sl.options = [o for o in sl.options if not o.spare or o.symbol in asked]

    def _assemble(self, work: LineWork) -> RestoredLine:
        """Put restored tokens back between the raw line's own whitespace."""
        parts: list[str] = []
        reps: list[TokenRepair] = []
        pos = 0
        for (start, end, tok), outs, confs in zip(work.tokens, work.outputs, work.conf, strict=True):
            parts.append(work.raw[pos:start])
            restored = nfc("".join(outs))
            parts.append(restored)
            reps.append(TokenRepair(tok, restored, start, end, min(confs) if confs else 1.0))
            pos = end
        parts.append(work.raw[pos:])
        return RestoredLine(raw=work.raw, text=nfc("".join(parts)), tokens=tuple(reps))


@lru_cache(maxsize=1)
def _element_symbols() -> frozenset[str]:
    lines = (DATA_DIR / "symbols.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


def not_vietnamese(text: str) -> bool:
    """Whether a word of running text (not a capitals line) is written as something other than a Vietnamese
    syllable, so that no reading of it as one should be forced: a capital consonant after a small letter (IoT,
    pH, eKYC, iGate). The seed scans never give these for a Vietnamese word: inside a word they capitalise only
    vowels ("thAm" = "thẩm"). Measured and left to the decoder: element symbols (element_symbol), capitals that
    spell no syllable (in running text the scans damage capitalised names and codes into such shapes, so keeping
    them lost 8% of names on the hand gold) and a lone capital consonant (the scans drop whole vowels, "Tỷ" read
    "T")."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) != len(text):
        return False
    # a capital vowel inside a word is the scans' reading of a marked one ("thAm" = "thẩm"): only consonants count
    return any(a.islower() and b.isupper() and fold(b) not in "aeiouy" for a, b in itertools.pairwise(text))


def element_symbol(text: str) -> bool:
    """A chemical element symbol that is no syllable (Hg, Pb): likely kept as written, but the scans also damage
    syllables into such shapes ("Tổ" read "Tb", "Sở" read "Sg"), so a reading that fits its neighbours may win."""
    return text in _element_symbols() and not is_valid_syllable(fold(text))


def word_case(text: str, upper_line: bool) -> str:
    """Case pattern a raw word's readings take; a capital inside a word is a misread marked letter
    ("PAy" = "Đẩy", "THi" = "Tối"), so such a word follows its line or its first letter."""
    pattern = case_pattern(text)
    if pattern == "mixed":
        pattern = "upper" if upper_line else ("title" if text[:1].isupper() else "lower")
    return pattern


def _option(syl: str, cost: float, raw: str, pattern: str, upper_line: bool) -> Option:
    """A reading in the raw word's case."""
    # The scanner reads a lower-case l as a capital I ("xử Iy" = "xử lý"); a capital L is not read as I. In a
    # capitals heading the word is in capitals like its line ("QUẢN Iy" = "QUẢN LÝ").
    if pattern == "title" and len(raw) > 1 and raw[0] == "I" and syl.startswith("l"):
        return Option(syl, syl.upper(), cost, True) if upper_line else Option(syl, syl, cost, False)
    return Option(syl, apply_case(syl, pattern), cost, pattern in ("title", "upper"))


def _local(lm: Scorer, left: list[str], syl: str, right: list[str]) -> float:
    """Best bigram score of syl after one of left and before one of right (0 for a missing side)."""
    before = max((lm.logp((a,), syl) for a in left), default=0.0)
    return before + max((lm.logp((syl,), b) for b in right), default=0.0)


def _log(p: float) -> float:
    """Natural log that tolerates zero."""
    return math.log(p) if p > 0 else -1e9


def default_channel_path() -> Path:
    """Path of the committed channel table."""
    return DATA_DIR / "channel.json"


def default_memory_path() -> Path:
    """Path of the committed whole-word confusion counts."""
    return DATA_DIR / "word_channel.json"
