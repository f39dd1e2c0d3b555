"""The OCR repair on plans of new topics: clean lines of ../shared/plans-extra/ damaged the way the seed scans
are, restored, and scored syllable by syllable; plus the same lines clean (they must come back untouched).

Damage: every letter of a clean line emits what the OCR channel learned from the four seed scans
(corpus/repair/data/channel.json: for each glyph class, how often it came out exact, without its marks, with its
tone dropped or changed, with another vowel shape, or as a literal string such as "ir" for "ư"), sampled with a
fixed seed. Only letters are damaged, so tokens stay aligned for scoring. The damage rate is checked against the
real scans: the share of syllables changed by the damage is printed beside the same share in the hand gold
(evals/repair/handgold.jsonl, raw OCR against hand restoration).

Lines come from the dev and holdout plans of evals/sets/extra-split.json and are reported apart: the repair's
rules may be developed on dev; holdout is looked at as totals only. Each line is restored after the line right
before it in its plan (damaged alike, not scored; none after a blank line, where the restorer starts a new
passage), as the restorer reads a plan's hard-wrapped lines, and also alone; until 2026-12-07 the drawn lines were
restored as one passage, each read after an unrelated line.

    python evals/repair_newtopic.py [--lines N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from corpus.repair.syllable import fold, nfc, split_tone  # noqa: E402
from evals.repair_bench import norm_token  # noqa: E402

EXTRA = ROOT.parent / "shared" / "plans-extra"
SPLIT = ROOT / "evals" / "sets" / "extra-split.json"
CHANNEL = ROOT / "corpus" / "repair" / "data" / "channel.json"
HANDGOLD = ROOT / "evals" / "repair" / "handgold.jsonl"
SEED = 20261206
_SHAPES = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "d": "dđ"}
_TONES = {1: "\u0301", 2: "\u0300", 3: "\u0309", 4: "\u0303", 5: "\u0323"}
_LETTERS = re.compile(r"[^\W\d_]")


def _with_tone(shape: str, tone: int) -> str:
    return nfc(shape + _TONES[tone]) if tone else shape


class Damager:
    """Samples OCR damage letter by letter from the channel learned on the seed scans."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.table: dict[str, dict[str, float]] = json.loads(CHANNEL.read_text(encoding="utf-8"))

    def letter(self, g: str) -> str:
        """What the scanner makes of one letter."""
        low = g.lower()
        shape, tone = split_tone(low)
        counts = self.table.get(f"{shape}{1 if tone else 0}")
        if not counts:
            return g
        key = self.rng.choices(list(counts), weights=list(counts.values()))[0]
        if key == "=":
            out = low
        elif key == "0":
            out = fold(low)
        elif key == "T-":
            out = shape
        elif key == "T~":
            out = _with_tone(shape, self.rng.choice([t for t in range(6) if t != tone]))
        elif key == "S~":
            family = _SHAPES.get(fold(shape), fold(shape))
            others = [s for s in family if s != shape] or [shape]
            out = _with_tone(self.rng.choice(others), tone)
        else:
            out = key[2:]
        return out.upper() if g.isupper() and out.isalpha() else out

    def line(self, text: str) -> str:
        """A clean line as the scanner would have given it (spaces, digits and punctuation kept)."""
        return "".join(self.letter(ch) if _LETTERS.match(ch) else ch for ch in nfc(text))


def syllable_score(restored: list[str], gold: list[str]) -> tuple[int, int]:
    """(tokens equal to the gold's, tokens) position by position, compared as evals/repair_bench.py compares
    (edge punctuation stripped, case-insensitive, tone placement normalised); a line whose token count changed
    scores its tokens as wrong."""
    right = total = 0
    for out, want in zip(restored, gold, strict=True):
        a, b = out.split(), want.split()
        total += len(b)
        if len(a) == len(b):
            right += sum(norm_token(x) == norm_token(y) for x, y in zip(a, b, strict=True))
    return right, total


def changed_share(raw: list[str], gold: list[str]) -> float:
    """Share of gold syllables (with letters) that the raw text spells differently."""
    changed = total = 0
    for r, g in zip(raw, gold, strict=True):
        a, b = r.split(), g.split()
        if len(a) != len(b):
            continue
        for x, y in zip(a, b, strict=True):
            if _LETTERS.search(y):
                total += 1
                changed += norm_token(x) != norm_token(y)
    return changed / max(total, 1)


def pick_lines(docs: list[str], n: int, rng: random.Random) -> list[tuple[str, str]]:
    """n body lines (at least 6 words, mostly letters) from the plans, drawn at random, each with the line right
    before it in its plan ("" after a blank line or at the plan's start: the restorer reads a plan in passages
    split at blank lines): the context the restorer reads it after in a plan."""
    pool: list[tuple[str, str]] = []
    for doc in docs:
        before = ""
        for line in (EXTRA / doc).read_text(encoding="utf-8").split("\n"):
            words = line.split()
            letters = sum(ch.isalpha() for ch in line)
            if len(words) >= 6 and letters >= 0.6 * len(line.replace(" ", "")):
                pool.append((nfc(before.strip()), nfc(line.strip())))
            before = line
    rng.shuffle(pool)
    return pool[:n]


def restore_after(restorer: Any, lines: list[str], before: list[str] | None) -> list[str]:
    """Each line restored after the line before it (both as given), or alone when `before` is None: one
    passage per line, apart from the others (a blank line between), as a plan's lines are read in their plan."""
    width = 1 if before is None else 2
    passages: list[str] = []
    for k, line in enumerate(lines):
        passages += ([] if before is None else [before[k]]) + [line, ""]
    return [r.text for r in restorer.restore_lines(passages)][width - 1::width + 1]


def main(argv: list[str] | None = None) -> int:
    """Build the sets, restore them, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=300, help="lines per set (default 300)")
    args = parser.parse_args(argv)
    if not EXTRA.is_dir():
        print(f"{EXTRA} is absent: the new-topic repair set cannot be built; skipped")
        return 0
    from corpus.repair import load_restorer

    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    gold_rows = [json.loads(x) for x in HANDGOLD.read_text(encoding="utf-8").splitlines() if x.strip()]
    real = changed_share([r["raw"] for r in gold_rows], [r["restored"] for r in gold_rows])
    restorer = load_restorer()
    for name in ("dev", "holdout"):
        docs = [d if d.endswith(".txt") else f"{d}.txt" for d in split[name]]
        rng = random.Random(f"{SEED}-{name}")
        picked = pick_lines(docs, args.lines, rng)
        clean = [line for _, line in picked]
        damager = Damager(rng)
        damaged = [damager.line(line) for line in clean]
        before = [damager.line(line) for line, _ in picked]  # after the scored lines: their damage stays the same
        rate = changed_share(damaged, clean)
        started = time.perf_counter()
        restored = restore_after(restorer, damaged, before)
        seconds = time.perf_counter() - started
        right, total = syllable_score(restored, clean)
        alone, _ = syllable_score(restore_after(restorer, damaged, None), clean)
        untouched = restore_after(restorer, clean, [line for line, _ in picked])
        same = sum(a == b for a, b in zip(untouched, clean, strict=True))
        kept, kept_total = syllable_score(untouched, clean)
        print(f"{name} ({len(docs)} plans, {len(clean)} lines): damage changes {rate:.1%} of syllables (the real "
              f"scans: {real:.1%}); restored after the line before it {right / total:.2%} syllables right "
              f"({right}/{total}), alone {alone / total:.2%}, raw {syllable_score(damaged, clean)[0] / total:.2%}; "
              f"clean lines untouched {same}/{len(clean)}, {kept / kept_total:.2%} of syllables ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
