"""Learn the OCR channel: the letter table (data/channel.json, hard EM over the OCR plans) and the
whole-word confusion counts (data/word_channel.json, from the aligned pairs only).

Round 0 learns from OCR words aligned to the clean plan; later rounds add the restorer's own
confident readings of every OCR word (self-training), so frequent damage patterns that the clean
plan does not cover ("chire" = "chức", "dimg" = "dùng") are learned too.

Run: python -m corpus.repair.train_channel  — deterministic; the output is committed so the
restorer never needs the OCR files at run time.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from corpus.repair.align import LinePair, align_lines, strip_punct
from corpus.repair.channel import ChannelTable, learn
from corpus.repair.memory import WordMemory
from corpus.repair.resources import DATA_DIR, PLANS_DIR, clean_plan_files, plan_lines
from corpus.repair.syllable import is_valid_syllable, nfc

# Scanner junk glyphs too rare in the aligned pairs to be learned reliably, with what they stand for
# (seen across the OCR plans: "k¥"/"k§" = "kỹ"/"ký", "1€" = "lệ", "K&" = "Kế", "s¢" = "sẽ", "¢6" = "có").
# Digits too: "ty 18" = "tỷ lệ", "18i" = "lỗi", "b9" = "bộ".
PRIOR_COUNTS: dict[str, dict[str, float]] = {
    "y1": {"L:¥": 3.0, "L:§": 3.0},
    "ê1": {"L:€": 2.0, "L:&": 2.0, "L:¢": 2.0, "L:8": 2.0},
    "ơ1": {"L:&": 2.0, "L:¢": 1.0},
    "ô1": {"L:¢": 1.0, "L:8": 1.0, "L:9": 1.0},
    "c0": {"L:¢": 2.0},  # "¢6" = "có", "c¢)" = "c)"
}
SELF_ROUNDS = 2
SELF_MIN_CONF = 0.9
SELF_WEIGHT = 0.5  # a confident reading counts half as much as an aligned clean word


def ocr_plan_files(plans_dir: Path = PLANS_DIR) -> list[Path]:
    """Plan files that are not clean."""
    clean = set(clean_plan_files())
    return [p for p in sorted(plans_dir.glob("*.txt")) if p not in clean]


def usable_pair(raw: str, gold: str) -> bool:
    """A training pair: a raw word with letters and a real syllable."""
    return bool(raw) and is_valid_syllable(gold) and any(c.isalpha() for c in raw)


def line_pairs(lp: LinePair) -> Iterator[tuple[str, str, int]]:
    """Usable (raw word, clean syllable, index of the clean line) triples of one aligned line."""
    for raw_tok, gold_tok, src in zip(lp.raw_tokens, lp.gold_tokens, lp.gold_lines, strict=True):
        raw, gold = strip_punct(raw_tok), nfc(strip_punct(gold_tok).lower())
        if usable_pair(raw, gold):
            yield raw, gold, src


def aligned_pairs(plans_dir: Path = PLANS_DIR) -> Counter[tuple[str, str]]:
    """(raw word, clean syllable) pairs from every OCR plan aligned to every clean plan."""
    pairs: Counter[tuple[str, str]] = Counter()
    for path in ocr_plan_files(plans_dir):
        ocr = plan_lines(path)
        for clean_path in clean_plan_files():
            for lp in align_lines(ocr, plan_lines(clean_path)):
                pairs.update((raw, gold) for raw, gold, _ in line_pairs(lp))
    return pairs


def self_pairs(table: ChannelTable, plans_dir: Path = PLANS_DIR) -> Counter[tuple[str, str]]:
    """(raw word, restored syllable) pairs the restorer reads with confidence >= SELF_MIN_CONF."""
    from corpus.repair.model import load_model
    from corpus.repair.restorer import Restorer

    restorer = Restorer(load_model(), table)
    pairs: Counter[tuple[str, str]] = Counter()
    for path in ocr_plan_files(plans_dir):
        for line in restorer.restore_lines(plan_lines(path)):
            for tok in line.tokens:
                raw, out = strip_punct(tok.raw), nfc(strip_punct(tok.restored).lower())
                if tok.confidence >= SELF_MIN_CONF and raw.lower() != out and usable_pair(raw, out):
                    pairs[(raw, out)] += 1
    return pairs


def _fit(weighted: dict[tuple[str, str], float]) -> ChannelTable:
    """Learn a table from weighted pairs and add the junk-glyph priors."""
    table = learn((r, g, w) for (r, g), w in sorted(weighted.items()))
    counts = {cls: dict(d) for cls, d in table.counts.items()}
    for cls, extra in PRIOR_COUNTS.items():
        slot = counts.setdefault(cls, {})
        for key, n in extra.items():
            slot[key] = slot.get(key, 0.0) + n
    return ChannelTable(counts, family_beta=0.0)  # learning reads with the counts alone


def train(
    plans_dir: Path = PLANS_DIR, rounds: int = SELF_ROUNDS, aligned: Counter[tuple[str, str]] | None = None
) -> ChannelTable:
    """Each distinct pair weighs min(count, 3) so that frequent words do not dominate; `aligned` is
    aligned_pairs(plans_dir) when the caller already has it."""
    aligned = aligned_pairs(plans_dir) if aligned is None else aligned
    base = {k: float(min(n, 3)) for k, n in aligned.items()}
    table = _fit(base)
    for _ in range(rounds):
        weighted = dict(base)
        for k, n in self_pairs(table, plans_dir).items():
            weighted[k] = weighted.get(k, 0.0) + SELF_WEIGHT * min(n, 3)
        table = _fit(weighted)
    return table


def word_memory(plans_dir: Path = PLANS_DIR, aligned: Counter[tuple[str, str]] | None = None) -> WordMemory:
    """Whole-word confusions from the aligned pairs (the restorer's own readings would only echo it)."""
    aligned = aligned_pairs(plans_dir) if aligned is None else aligned
    return WordMemory.learn((r, g, float(n)) for (r, g), n in sorted(aligned.items()))


def main() -> int:
    """Write data/channel.json and data/word_channel.json."""
    aligned = aligned_pairs()  # both tables learn from the same alignment: align the plans once
    table = train(aligned=aligned)
    out = DATA_DIR / "channel.json"
    out.write_text(table.to_json() + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size} bytes, {len(table.counts)} glyph classes)")
    words = DATA_DIR / "word_channel.json"
    words.write_text(word_memory(aligned=aligned).to_json() + "\n", encoding="utf-8")
    print(f"wrote {words} ({words.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
