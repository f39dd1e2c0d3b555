"""Header-metadata benchmark: fields read from each plan's header against the blind hand-labelled gold.

Gold: evals/sets/metadata-extra.jsonl (24 plans of ../shared/plans-extra, labelled by a helper who saw neither
the code nor its output). Reported for the dev and the holdout plans apart (evals/sets/extra-split.json); the
holdout is printed as totals only. Skipped, saying so, when ../shared/plans-extra is absent.

Usage: python evals/metadata_bench.py [--list]   (--list prints the dev plans' wrong fields)
"""

from __future__ import annotations

import argparse
import json
import sys
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from corpus.header import normalise_code, read_header  # noqa: E402
from corpus.reader import PlanFile, read_plan  # noqa: E402
from corpus.records import PlanMeta  # noqa: E402
from corpus.text import fold, nfc  # noqa: E402

GOLD = ROOT / "evals" / "sets" / "metadata-extra.jsonl"
SPLIT = ROOT / "evals" / "sets" / "extra-split.json"
EXTRA = ROOT.parent / "shared" / "plans-extra"
TARGET = 0.95
FIELDS = ("kind", "number", "date", "issuer", "level", "locality", "province", "title", "signer", "signer_title",
          "implements", "attached_title")


def _exact_text(a: str, b: str) -> bool:
    """Same text, case-insensitive, diacritics included (a place name without them is wrong)."""
    return nfc(a).strip().lower() == nfc(b).strip().lower()


def _close_text(a: str, b: str) -> bool:
    """Titles: the same words, folded, at ≥ 0.9 similarity (spacing and capitals of a reflowed title aside)."""
    fa, fb = fold(a), fold(b)
    return fa == fb or SequenceMatcher(None, fa, fb).ratio() >= 0.9


def _codes(values: list[str] | tuple[str, ...]) -> set[str]:
    return {fold(normalise_code(v)).replace(" ", "") for v in values}


def field_right(name: str, pred: PlanMeta, gold: dict[str, Any]) -> bool:
    """Whether one field was read right."""
    value = getattr(pred, "attached_title" if name == "attached_title" else name)
    want = gold.get("attached_plan_title" if name == "attached_title" else name, "")
    if name == "implements":
        p, g = _codes(value), _codes(want)
        if not g:
            return not p
        hit = len(p & g)
        return hit >= 0.8 * len(g) and hit >= 0.8 * max(len(p), 1)
    if name in ("title", "attached_title"):
        return (not value and not want) or (bool(value) and bool(want) and _close_text(value, want))
    if name == "number":
        return fold(normalise_code(value)) == fold(normalise_code(want))
    if name in ("kind", "level", "date", "signer_title"):
        return fold(value) == fold(want)
    return _exact_text(value, want)


def run() -> dict[str, Any]:
    """Read every gold plan's header and score each field."""
    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: dict[str, Any] = {"dev": {}, "holdout": {}, "wrong": []}
    for gold in rows:
        part = "holdout" if gold["doc"] in split["holdout"] else "dev"
        plan = read_plan(EXTRA / gold["doc"])
        if not isinstance(plan, PlanFile):
            raise SystemExit(f"{gold['doc']}: {plan.reason}")
        meta = read_header(plan.doc, plan.lines)
        for name in FIELDS:
            ok = field_right(name, meta, gold)
            tally = out[part].setdefault(name, [0, 0])
            tally[0] += ok
            tally[1] += 1
            if not ok and part == "dev":
                value = getattr(meta, name)
                want = gold.get("attached_plan_title" if name == "attached_title" else name)
                out["wrong"].append(f"{gold['doc'][:8]} {name}: got {value!r} want {want!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Print per-field accuracy for dev and holdout; exit 1 below the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--list", action="store_true", help="print the dev plans' wrong fields")
    args = parser.parse_args(argv)
    if not EXTRA.is_dir():
        print(f"skipped: {EXTRA} is absent (the metadata gold describes the plans there)")
        return 0
    result = run()
    ok = True
    print(f"{'field':<16} {'dev':>10} {'holdout':>10}")
    totals = {"dev": [0, 0], "holdout": [0, 0]}
    for name in FIELDS:
        cells = []
        for part in ("dev", "holdout"):
            right, n = result[part].get(name, [0, 0])
            totals[part][0] += right
            totals[part][1] += n
            cells.append(f"{right}/{n}")
        print(f"{name:<16} {cells[0]:>10} {cells[1]:>10}")
    for part in ("dev", "holdout"):
        right, n = totals[part]
        share = right / n if n else 0.0
        ok = ok and share >= TARGET
        print(f"metadata {part}: {right}/{n} fields right = {share:.1%} (target ≥ {TARGET:.0%})")
    if args.list:
        print("\n".join(result["wrong"]))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
