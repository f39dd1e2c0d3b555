"""Benchmark of the OCR/diacritic restorer (corpus.repair); prints figures and writes a report.

(a) OCR lines aligned automatically to the clean plan (002), scored syllable by syllable;
(b) the hand-restored lines in evals/repair/handgold.jsonl (when present);
plus names/codes accuracy, clean pass-through on the clean plan, corpus timing and model size.

Usage: python evals/repair_bench.py [--no-report] [--skip-cold]
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from corpus.repair import Restorer, load_restorer  # noqa: E402
from corpus.repair.align import align_lines, strip_punct  # noqa: E402
from corpus.repair.channel import ChannelTable  # noqa: E402
from corpus.repair.memory import WordMemory  # noqa: E402
from corpus.repair.model import Model, build, cache_dir, load_model  # noqa: E402
from corpus.repair.resources import DATA_DIR, PLANS_DIR, clean_plan_files, place_names, plan_lines  # noqa: E402
from corpus.repair.restorer import default_channel_path, default_memory_path  # noqa: E402
from corpus.repair.syllable import fold, nfc, tone_key  # noqa: E402
from corpus.repair.train_channel import line_pairs  # noqa: E402

HANDGOLD = ROOT / "evals" / "repair" / "handgold.jsonl"
# Hand-restored lines of novel wording kept apart from the hand gold, for tuning (the hand gold never is).
DEVGOLD = ROOT / "evals" / "repair" / "devgold.jsonl"
ABOUT = (
    "Scoring: one restored token against one gold token, edge punctuation stripped, case-insensitive,",
    "tone placement normalised (hoà = hòa). 'raw accuracy' is the same score for the unrestored text.",
    "(a) uses OCR lines aligned automatically to the clean plan, which is also in the LM and was used",
    "to learn the channel, so it is an in-sample figure; (a-cv) holds half of the clean plan's lines",
    "out of the LM and out of the whole-word channel and scores only lines aligned to that half",
    "(the letter channel is the committed one); (d) is a second hand-restored set of novel wording",
    "(evals/repair/devgold.jsonl, no line shared with the hand gold) that tuning may look at;",
    "(b) is the hand gold, never used for training or tuning; (b1)/(b2) split it by whether the",
    "line shares a 5-word run with the clean plan.",
    "Names: tokens of capitalised gazetteer names; codes: tokens holding an acronym or document code.",
)
REPORTS = ROOT / "evals" / "reports"
_LETTERS = re.compile(r"[^\W\d_]+")
_CODE_TOKEN = re.compile(r"[A-ZĐ]{2,}|[0-9]+[/-][A-ZĐ]")


def norm_token(token: str) -> str:
    """Comparison form: NFC, lower case, no edge punctuation, tone placement normalised (hoà = hòa)."""
    core = nfc(strip_punct(nfc(token))).lower()
    return _LETTERS.sub(lambda m: tone_key(m.group()), core)


def is_code_token(gold: str) -> bool:
    """A gold token that is (part of) a document code or acronym."""
    return bool(_CODE_TOKEN.search(strip_punct(gold)))


@dataclass
class Score:
    """Running token tallies for one evaluation set."""

    tokens: int = 0
    correct: int = 0
    raw_correct: int = 0
    name_tokens: int = 0
    name_correct: int = 0
    code_tokens: int = 0
    code_correct: int = 0
    lines: int = 0
    lines_exact: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    def add_line(self, raw: list[str], out: list[str], gold: list[str], names: set[int]) -> None:
        """Score one aligned line (equal-length token lists)."""
        exact = True
        for i, (r, o, g) in enumerate(zip(raw, out, gold, strict=True)):
            ng = norm_token(g)
            if not ng:
                continue
            ok = norm_token(o) == ng
            self.tokens += 1
            self.correct += ok
            self.raw_correct += norm_token(r) == ng
            if i in names:
                self.name_tokens += 1
                self.name_correct += ok
            if is_code_token(g):
                self.code_tokens += 1
                self.code_correct += ok
            if not ok:
                exact = False
                self.errors.append((r, o, g))
        self.lines += 1
        self.lines_exact += exact

    @staticmethod
    def pct(a: int, b: int) -> str:
        """Percentage string."""
        return f"{100.0 * a / b:.2f}%" if b else "n/a"

    def summary(self) -> dict[str, str]:
        """Headline figures."""
        return {
            "syllables": str(self.tokens),
            "syllable accuracy": self.pct(self.correct, self.tokens),
            "raw (unrestored) accuracy": self.pct(self.raw_correct, self.tokens),
            "names": f"{self.pct(self.name_correct, self.name_tokens)} of {self.name_tokens}",
            "codes": f"{self.pct(self.code_correct, self.code_tokens)} of {self.code_tokens}",
            "lines exactly right": f"{self.pct(self.lines_exact, self.lines)} of {self.lines}",
        }


class NameIndex:
    """Multi-syllable place names (normalised) to mark name tokens in gold lines."""

    def __init__(self) -> None:
        """Load the gazetteer names of two or more syllables."""
        self.names: set[tuple[str, ...]] = set()
        for _, name in place_names():
            parts = tuple(norm_token(p) for p in name.split())
            if len(parts) >= 2:
                self.names.add(parts)

    def positions(self, gold: list[str]) -> set[int]:
        """Indices of gold tokens inside a capitalised gazetteer name."""
        out: set[int] = set()
        norm = [norm_token(g) for g in gold]
        for n in (2, 3):
            for i in range(len(gold) - n + 1):
                span = gold[i : i + n]
                if all(strip_punct(t)[:1].isupper() for t in span) and tuple(norm[i : i + n]) in self.names:
                    out.update(range(i, i + n))
        return out


def restorer_of(model: Model, memory: WordMemory | None = None) -> Restorer:
    """A restorer on the committed channel (letters and, unless one is given, whole words)."""
    table = ChannelTable.load(default_channel_path())
    return Restorer(model, table, memory=memory if memory is not None else WordMemory.load(default_memory_path()))


def ocr_files() -> list[Path]:
    """The damaged plans (everything that is not clean)."""
    clean = set(clean_plan_files())
    return [p for p in sorted(PLANS_DIR.glob("*.txt")) if p not in clean]


def eval_aligned(restorer: Restorer, names: NameIndex) -> Score:
    """(a): complete OCR line pairs aligned to the clean plan(s)."""
    score = Score()
    clean = [plan_lines(p) for p in clean_plan_files()]
    for path in ocr_files():
        lines = plan_lines(path)
        restored = restorer.restore_lines(lines)
        for clean_lines in clean:
            for lp in align_lines(lines, clean_lines):
                if not lp.complete:
                    continue
                out = [t.restored for t in restored[lp.line_no].tokens]
                gold = list(lp.gold_tokens)
                score.add_line(list(lp.raw_tokens), out, gold, names.positions(gold))
    return score


def eval_cross_validated(names: NameIndex, folds: int = 2) -> Score:
    """(a-cv): the LM is built without every other line of the clean plan, and scored only on OCR
    lines aligned to the held-out lines, so the figure shows generalisation to unseen wording."""
    score = Score()
    clean_paths = clean_plan_files()
    if not clean_paths:
        return score
    clean = plan_lines(clean_paths[0])
    docs = [(p, plan_lines(p)) for p in ocr_files()]
    aligned = {p: align_lines(lines, clean) for p, lines in docs}
    for part in range(folds):

        def keep(_path: Path, idx: int, held: int = part) -> bool:
            """Keep the clean-plan lines that are not in the held-out part."""
            return idx % folds != held

        # the whole-word channel learns only from tokens aligned to kept clean lines
        seen: dict[tuple[str, str], float] = {}
        for lps in aligned.values():
            for lp in lps:
                for raw_word, syllable, src in line_pairs(lp):
                    if src % folds != part:
                        seen[(raw_word, syllable)] = seen.get((raw_word, syllable), 0.0) + 1.0
        memory = WordMemory.learn((r, g, n) for (r, g), n in seen.items())
        restorer = restorer_of(build(True, keep_line=keep), memory)
        for path, lines in docs:
            restored = restorer.restore_lines(lines)
            for lp in aligned[path]:
                # scored only when every token is aligned to a held-out clean line
                if not lp.complete or any(src % folds != part for src in lp.gold_lines):
                    continue
                out = [t.restored for t in restored[lp.line_no].tokens]
                gold = list(lp.gold_tokens)
                score.add_line(list(lp.raw_tokens), out, gold, names.positions(gold))
    return score


def _token_pairs(raw: list[str], out: list[str], gold: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Align output tokens to gold tokens when the counts differ (hand gold may merge/split)."""
    if len(out) == len(gold):
        return raw, out, gold
    sm = difflib.SequenceMatcher(
        None, [fold(strip_punct(t)) for t in out], [fold(strip_punct(t)) for t in gold]
    )
    r2: list[str] = []
    o2: list[str] = []
    g2: list[str] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            r2 += raw[i1:i2]
            o2 += out[i1:i2]
            g2 += gold[j1:j2]
        else:
            # unmatched gold tokens count as errors against an empty output
            r2 += [""] * (j2 - j1)
            o2 += [""] * (j2 - j1)
            g2 += gold[j1:j2]
    return r2, o2, g2


def _clean_runs(n: int = 5) -> set[tuple[str, ...]]:
    """Every run of n folded words in the clean plan(s) (to split the hand gold by overlap)."""
    runs: set[tuple[str, ...]] = set()
    for path in clean_plan_files():
        words = re.findall(r"\w+", fold(path.read_text(encoding="utf-8")))
        runs.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return runs


def shares_clean_run(text: str, runs: set[tuple[str, ...]], n: int = 5) -> bool:
    """Whether a restored line has a run of n words in common with the clean plan."""
    words = re.findall(r"\w+", fold(text))
    return any(tuple(words[i : i + n]) in runs for i in range(len(words) - n + 1))


def eval_handgold(
    restorer: Restorer, names: NameIndex, gold_file: Path = HANDGOLD
) -> tuple[Score, Score, Score] | None:
    """(b): hand-restored lines (all / sharing no 5-word run with the clean plan / sharing one),
    each restored with its whole document as context when the document is found."""
    if not gold_file.is_file():
        return None
    score, novel, shared = Score(), Score(), Score()
    runs = _clean_runs()
    docs: dict[str, list[str]] = {}
    restored_docs: dict[str, list[str]] = {}
    for raw_line in gold_file.read_text(encoding="utf-8").splitlines():
        if not raw_line.strip():
            continue
        rec = json.loads(raw_line)
        raw, gold_text, doc = str(rec["raw"]), str(rec["restored"]), str(rec.get("doc", ""))
        path = PLANS_DIR / doc
        out_text: str | None = None
        if path.is_file():
            if doc not in docs:
                docs[doc] = plan_lines(path)
                restored_docs[doc] = [r.text for r in restorer.restore_lines(docs[doc])]
            line_no = rec.get("line")
            candidates = [i for i, ln in enumerate(docs[doc]) if ln == nfc(raw)]
            if isinstance(line_no, int) and candidates:
                best = min(candidates, key=lambda i: min(abs(i - line_no), abs(i + 1 - line_no)))
                out_text = restored_docs[doc][best]
        if out_text is None:
            out_text = restorer.restore_line(raw).text
        r, o, g = _token_pairs(raw.split(), out_text.split(), nfc(gold_text).split())
        score.add_line(r, o, g, names.positions(g))
        subset = shared if shares_clean_run(gold_text, runs) else novel
        subset.add_line(r, o, g, names.positions(g))
    return score, novel, shared


def pass_through(restorer: Restorer) -> tuple[int, int, int, int]:
    """(unchanged syllables, syllables, unchanged lines, lines) on the clean plan(s)."""
    same = total = same_lines = lines_n = 0
    for path in clean_plan_files():
        lines = plan_lines(path)
        for raw, res in zip(lines, restorer.restore_lines(lines), strict=True):
            if not raw.strip():
                continue
            lines_n += 1
            same_lines += res.text == nfc(raw)
            for tok in res.tokens:
                if _LETTERS.search(tok.raw):
                    total += 1
                    same += tok.restored == nfc(tok.raw)
    return same, total, same_lines, lines_n


def timing(skip_cold: bool) -> dict[str, float]:
    """Seconds to restore the whole corpus: cold (model built from scratch) and warm (cached model)."""
    files = sorted(PLANS_DIR.glob("*.txt"))
    out: dict[str, float] = {}
    if not skip_cold:
        with tempfile.TemporaryDirectory() as tmp:
            old = os.environ.get("PLANS_REPAIR_CACHE")
            os.environ["PLANS_REPAIR_CACHE"] = tmp
            try:
                t0 = time.perf_counter()
                restorer = restorer_of(load_model())
                for p in files:
                    restorer.restore_lines(plan_lines(p))
                out["cold"] = time.perf_counter() - t0
                t0 = time.perf_counter()
                restorer = restorer_of(load_model())
                out["load (cached)"] = time.perf_counter() - t0
                for p in files:
                    restorer.restore_lines(plan_lines(p))
                out["warm"] = time.perf_counter() - t0
            finally:
                if old is None:
                    os.environ.pop("PLANS_REPAIR_CACHE", None)
                else:
                    os.environ["PLANS_REPAIR_CACHE"] = old
    lines = sum(len([ln for ln in plan_lines(p) if ln.strip()]) for p in files)
    out["lines"] = float(lines)
    return out


def model_size() -> dict[str, int]:
    """Bytes on disk: committed data files and the cached model."""
    sizes = {p.name: p.stat().st_size for p in sorted(DATA_DIR.iterdir()) if p.is_file()}
    cached = sorted(cache_dir().glob("model-*.pkl"), key=lambda p: p.stat().st_mtime)
    if cached:
        sizes["cache:" + cached[-1].name] = cached[-1].stat().st_size
    return sizes


def main(argv: list[str] | None = None) -> int:
    """Run every evaluation, print the figures and write the markdown report."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-report", action="store_true")
    ap.add_argument("--skip-cold", action="store_true", help="skip the cold-build timing")
    ap.add_argument("--errors", type=int, default=40, help="how many (a) and (d) errors to list")
    ap.add_argument("--skip-cv", action="store_true", help="skip the 2-fold cross-validated (a)")
    ap.add_argument(
        "--heldout", action="store_true", help="also score (a) with the clean plan left out of the LM"
    )
    args = ap.parse_args(argv)

    restorer = load_restorer()
    names = NameIndex()
    lines_md: list[str] = [f"# Restorer benchmark — {dt.date.today().isoformat()}", "", *ABOUT, ""]

    def section(title: str, figures: dict[str, str]) -> None:
        print(f"\n== {title}")
        lines_md.extend([f"## {title}", ""])
        for k, v in figures.items():
            print(f"  {k:28s} {v}")
            lines_md.append(f"- {k}: {v}")
        lines_md.append("")

    a = eval_aligned(restorer, names)
    section("(a) OCR lines aligned to the clean plan (LM includes the clean plan)", a.summary())
    if not args.skip_cv:
        section(
            "(a-cv) 2-fold: half of the clean plan held out of the LM", eval_cross_validated(names).summary()
        )
    if args.heldout:
        held = restorer_of(load_model(include_clean_plans=False))
        section("(a') same lines, clean plan left out of the LM", eval_aligned(held, names).summary())
    dev = eval_handgold(restorer, names, DEVGOLD)
    if dev is not None:
        section("(d) dev gold: hand-restored novel wording, used for tuning", dev[0].summary())
    hand = eval_handgold(restorer, names)
    if hand is None:
        section("(b) hand gold", {"status": f"{HANDGOLD.relative_to(ROOT)} not found"})
    else:
        b, novel, shared = hand
        section("(b) hand gold, all lines", b.summary())
        section("(b1) hand gold, lines sharing no 5-word run with the clean plan", novel.summary())
        section("(b2) hand gold, lines sharing a 5-word run with the clean plan", shared.summary())
    same, total, same_lines, lines_n = pass_through(restorer)
    section(
        "Clean pass-through (clean plan through restore_lines)",
        {
            "syllables untouched": f"{Score.pct(same, total)} of {total}",
            "lines untouched": f"{Score.pct(same_lines, lines_n)} of {lines_n}",
        },
    )
    t = timing(args.skip_cold)
    section(
        "Speed (whole corpus, all plans)",
        {k: (f"{v:.2f} s" if k != "lines" else str(int(v))) for k, v in t.items()},
    )
    section("Model size on disk", {k: f"{v / 1024:.1f} KiB" for k, v in model_size().items()})
    # errors of the sets tuning may look at; the hand gold's stay unlisted (it is the test set)
    for title, sc in (("(a)", a), ("(d)", dev[0] if dev is not None else None)):
        if sc is None or not sc.errors:
            continue
        print(f"\n== {title} errors (raw -> restored | gold), first {args.errors}")
        lines_md.extend([f"## {title} errors (raw → restored | gold)", ""])
        for r, o, g in sc.errors[: args.errors]:
            print(f"  {r!r:18} -> {o!r:18} | {g!r}")
            lines_md.append(f"- `{r}` → `{o}` | `{g}`")
        lines_md.append("")
    if not args.no_report:
        REPORTS.mkdir(parents=True, exist_ok=True)
        out = REPORTS / f"repair-{dt.date.today().isoformat()}.md"
        out.write_text("\n".join(lines_md) + "\n", encoding="utf-8")
        print(f"\nreport: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
