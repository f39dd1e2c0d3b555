"""Scale benchmark: ingest N generated plans for real, measure throughput, memory and query latency.

The plans are derived from the real ones (corpus/plans/ and ../shared/plans-extra/ when present): each copy
takes another commune, ward or province of the gazetteer (its name replaced everywhere), another document number,
dates moved, numbers changed, and a share of its lines reworded, dropped or swapped with a neighbour; so plans of
one template share text the way real ones do. That share is measured (folded 5-word runs of a plan found in
another) on
the seeds, 000 and 004 against 002, and on each generated plan against its source, and both are printed.

    python evals/bench_scale.py --plans 20

The last line is the summary:
    scale: plans=N chunks=C ingest_s=T chunks_per_s=R query_p50_ms=A query_p95_ms=B query_p95_ms_3500=B2
           peak_rss_mb=M country_estimate_h=H
query_p95_ms_3500 is "na" until the benchmark builds a 3,500-plan index (not yet: see the README).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SEEDS = REPO / "corpus" / "plans"
EXTRA = REPO.parent / "shared" / "plans-extra"
COUNTRY_PLANS = 3500
# Rewordings that keep the register (both directions); a generated plan uses some on some lines.
SYNONYMS = (("triển khai", "tổ chức thực hiện"), ("tăng cường", "đẩy mạnh"), ("kịp thời", "đúng thời hạn"),
            ("các cơ quan, đơn vị", "các đơn vị, cơ quan"), ("trên địa bàn", "tại địa phương"),
            ("hiệu quả", "có hiệu quả"), ("nâng cao", "cải thiện"), ("rà soát", "kiểm tra, rà soát"))
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(20\d\d)\b")
_NUMBER_LINE = re.compile(r"^(\s*Số\s*:?\s*)(\d+)")
_COUNT = re.compile(r"\b(\d{2,4})(?=\s+(?:người|hộ|xã|phường|trạm|điểm|cán bộ|lượt|%))")
ASK_SCRIPT = """
import json, sys, time
from assistant.service import Assistant
from assistant.settings import load_settings
questions = json.loads(sys.argv[1])
a = Assistant.open(load_settings())
a.ask(questions[0])
times = []
for q in questions:
    t = time.perf_counter(); a.ask(q); times.append((time.perf_counter() - t) * 1000)
print(json.dumps(times))
"""


def sources() -> list[Path]:
    """The real plans the generated ones derive from."""
    paths = sorted(SEEDS.glob("*.txt"))
    if EXTRA.is_dir():
        paths += sorted(EXTRA.glob("*.txt"))
    else:
        print(f"({EXTRA} absent: generating from the five seeds only)")
    return paths


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """The plan's runs of n words, folded (so that an OCR scan compares with a clean plan)."""
    from corpus.text import fold

    words = fold(text).split()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def shared(a: str, b: str) -> float:
    """Share of b's 5-word runs (folded) that a also has."""
    sb = shingles(b)
    return len(sb & shingles(a)) / max(len(sb), 1)


def variant(text: str, locality: str, place: str, rng: random.Random, edit: float, own: float,
            other: list[str]) -> str:
    """A plan of the same template for another place: names, number, dates and counts changed; a share `own` of
    the body lines replaced by the place's own wording (consecutive lines of another real plan, `other`), and a
    share `edit` of the rest reworded, dropped or swapped with the next."""
    lines = text.split("\n")
    out: list[str] = []
    pool = iter([x for x in other if len(x.split()) > 8])
    i = 0
    while i < len(lines):
        line = lines[i]
        if len(line.split()) > 8 and rng.random() < own:
            line = next(pool, line)
        if locality:
            line = line.replace(locality, place).replace(locality.upper(), place.upper())
        line = _NUMBER_LINE.sub(lambda m: m.group(1) + str(rng.randint(1, 400)), line)
        line = _DATE.sub(lambda m: f"{rng.randint(1, 28):02d}/{m.group(2)}/{m.group(3)}", line)
        line = _COUNT.sub(lambda m: str(max(1, int(int(m.group(1)) * rng.uniform(0.5, 1.5)))), line)
        if len(line.split()) > 8 and rng.random() < edit:
            roll = rng.random()
            if roll < 0.15:
                i += 1
                continue  # dropped
            if roll < 0.3 and i + 1 < len(lines) and len(lines[i + 1].split()) > 8:
                out += [lines[i + 1], line]  # swapped with the next line
                i += 2
                continue
            for a, b in SYNONYMS:
                if a in line:
                    line = line.replace(a, b, 1)
                elif b in line:
                    line = line.replace(b, a, 1)
            words = line.split()
            for _ in range(max(1, len(words) // 8)):  # a word fewer in every eight, as a rewording would
                del words[rng.randrange(len(words))]
            line = " ".join(words)
        out.append(line)
        i += 1
    return "\n".join(out)


def generate(n: int, folder: Path, seed: int, edit: float, own: float) -> tuple[float, float]:
    """Write n plans into folder; returns (median share of a generated plan's runs found in its source,
    median share for the real pairs 000/004 against 002)."""
    from corpus.header import read_header
    from corpus.places import places

    rng = random.Random(seed)
    real = sources()
    units = [p for p in places() if p.current and p.level in ("xã", "phường")]
    metas = {}
    shares = []
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        src = real[k % len(real)]
        text = src.read_text(encoding="utf-8")
        if src not in metas:
            metas[src] = read_header(src.name, text.split("\n")).locality
        place = rng.choice(units).name
        donor = rng.choice([p for p in real if p != src]).read_text(encoding="utf-8").split("\n")
        start = rng.randrange(max(len(donor) // 2, 1))
        out = variant(text, metas[src], place, rng, edit, own, donor[start:] + donor[:start])
        (folder / f"gen{k:05d}_{src.stem[:8]}.txt").write_text(out, encoding="utf-8")
        if k < 60:
            shares.append(shared(text, out))
    seeds = sorted(SEEDS.glob("*.txt"))
    base = (SEEDS / "002_8d078f4651206baf.txt").read_text(encoding="utf-8")
    pairs = [shared(base, p.read_text(encoding="utf-8")) for p in seeds if p.name[:3] in ("000", "004")]
    return statistics.median(shares), statistics.median(pairs)


def questions() -> list[str]:
    """A mix of the eval sets' kinds of questions."""
    from evals.sets import SETS_DIR, load_set

    out: list[str] = []
    for name in ("dev.jsonl", "extra-dev.jsonl"):
        path = SETS_DIR / name
        if path.exists():
            out += [item.question for item in load_set(path)]
    return out


def main(argv: list[str] | None = None) -> int:
    """Generate, ingest, query; print figures and the summary line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plans", type=int, default=20, help="plans to generate and ingest (default 20)")
    parser.add_argument("--edit", type=float, default=0.25, help="share of the template's lines edited")
    parser.add_argument("--own", type=float, default=0.85, help="share of body lines in the place's own wording")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpus and store")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="plans-scale-"))
    try:
        corpus, store = root / "plans", root / "store"
        generated, real = generate(args.plans, corpus, args.seed, args.edit, args.own)
        print(f"text shared with the source plan (folded 5-word runs): generated {generated:.1%}; real plans of one "
              f"template (seeds 000, 004 against 002) {real:.1%}")
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PLANS_CORPUS_DIR": str(corpus), "PLANS_STORE_DIR": str(store),
               "PLANS_MANIFEST": str(root / "none.toml")}
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest"], env=env, cwd=REPO,
                             capture_output=True, text=True, check=False)
        ingest_s = time.perf_counter() - started
        if out.returncode != 0:
            print(out.stderr[-3000:])
            return 1
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        record = json.loads((store / "build.json").read_text(encoding="utf-8"))
        chunks = sum(p["chunks"] for p in record["plans"].values())
        rate = chunks / ingest_s
        print(out.stdout.splitlines()[0])
        asked = subprocess.run([sys.executable, "-c", ASK_SCRIPT, json.dumps(questions())], env=env, cwd=REPO,
                               capture_output=True, text=True, check=False)
        if asked.returncode != 0:
            print(asked.stderr[-3000:])
            return 1
        times = sorted(json.loads(asked.stdout.strip().splitlines()[-1]))
        p50, p95 = times[len(times) // 2], times[int(0.95 * (len(times) - 1))]
        per_plan = chunks / max(len(record["plans"]), 1)
        country_h = COUNTRY_PLANS * per_plan / rate / 3600
        print(f"scale: plans={len(record['plans'])} chunks={chunks} ingest_s={ingest_s:.1f} chunks_per_s={rate:.1f} "
              f"query_p50_ms={p50:.0f} query_p95_ms={p95:.0f} query_p95_ms_3500=na peak_rss_mb={peak} "
              f"country_estimate_h={country_h:.1f}")
        return 0
    finally:
        if args.keep:
            print(f"kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
