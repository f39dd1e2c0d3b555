"""Lexicon benchmark: how well English words map onto the index's Vietnamese words (index/lexicon.py), and
how well the glossary (assistant/data/glossary_en_vi.txt) renders the words it has.

Pairs: evals/sets/lexicon-pairs.jsonl (300 English-Vietnamese administrative words, written by a helper who saw
neither the code nor the plans' answers). The lexicon's three constants (margin, how many kept, the cosine band)
were read off this list, so its figures are in-sample: a regression check, not a measure of generalisation.
Only pairs whose Vietnamese word is in the index's lexicon count (a word the plans never use cannot be found).

Usage: python evals/lexicon_bench.py [--store DIR]   (default: the configured index; run `plans ingest` first)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.settings import load_settings  # noqa: E402
from corpus.text import fold  # noqa: E402

PAIRS = ROOT / "evals" / "sets" / "lexicon-pairs.jsonl"


def main(argv: list[str] | None = None) -> int:
    """Print top-1 accuracy, how often the right word is among those kept, and how many are kept on average."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="index folder (default: the configured store)")
    args = parser.parse_args(argv)
    from index.embedders import get_embedder
    from index.lexicon import Lexicon

    settings = load_settings(**({"store_dir": args.store} if args.store else {}))
    from index.record import load_record

    record = load_record(settings.build_record)
    lexicon = Lexicon.load(settings.store_dir, get_embedder(settings.embedder), record.collection if record else "")
    if not lexicon.keys:
        print(f"No lexicon in {settings.store_dir}: run `plans ingest` first.")
        return 1
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    known = set(lexicon.keys)
    usable = [p for p in pairs if fold(p["vi"]) in known]
    mapped = lexicon.translate_each([p["en"] for p in usable])
    top1 = sum(bool(alts) and alts[0][0] == fold(p["vi"]) for p, alts in zip(usable, mapped, strict=True))
    kept = sum(fold(p["vi"]) in {k for k, _ in alts} for p, alts in zip(usable, mapped, strict=True))
    empty = sum(not alts for alts in mapped)
    n = max(len(usable), 1)
    print(f"lexicon: {len(lexicon.keys)} words in {settings.store_dir}")
    print(f"pairs: {len(pairs)}, with the Vietnamese word in the lexicon: {len(usable)}")
    print(f"top-1 right: {top1 / n:.1%}   right word kept: {kept / n:.1%}   mapped to nothing: {empty / n:.1%}   "
          f"words kept per English word: {sum(len(a) for a in mapped) / n:.2f}")
    # The glossary (assistant/data/glossary_en_vi.txt) was written by another helper than these pairs, neither
    # seeing the other: this is out of sample for it.
    from assistant import glossary

    glossed = [(p, glossary.renderings(p["en"])) for p in pairs]
    covered = [(p, r) for p, r in glossed if r]
    among = sum(fold(p["vi"]) in r for p, r in covered)
    first = sum(r[0] == fold(p["vi"]) for p, r in covered)
    print(f"glossary: has {len(covered)} of the {len(pairs)} English words; the pair's Vietnamese among its "
          f"renderings: {among / max(len(covered), 1):.1%}, first: {first / max(len(covered), 1):.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
