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
query_p95_ms_3500 comes from a second index of 3,500 plans built from the N ingested ones without embedding
again: each extra plan is a copy of an ingested plan's points (the same dense and sparse vectors, so the same
chunks), given another place, id and file, with its record entry, saved reading and saved obligations (its source's). Its queries therefore
search 3,500 plans' worth of points with the filters, plan lists and term statistics of 3,500 plans; what
they cannot show is how well answers hold up among so many near-identical plans. `--country-plans 0` skips it.
Questions are timed once the assistant is open and warm, as the UI starts it (Assistant.warm: models, gazetteer,
saved obligations loaded); that start-up is printed apart. The settings of the environment apply:
`PLANS_TASK_VECTORS=false` measures ingest without embedding every task, and English who/when questions that
then embed their best tasks (each run of questions starts from the embedding cache as ingest left it, with the
sentences and tasks it embedded; the 3,500-plan copy gets that cache too: its plans have the same texts).
"""

from __future__ import annotations

import argparse
import hashlib
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
from typing import Any

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
t = time.perf_counter()
a = Assistant.open(load_settings())
a.warm()  # as the UI does when it starts
start_s = time.perf_counter() - t
times = []
for q in questions:
    t = time.perf_counter(); a.ask(q); times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"start_s": start_s, "times": times}))
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


def source_label(entry: dict[str, Any]) -> str:
    """The label a record entry's plan was indexed under (PlanMeta.label)."""
    meta = entry["meta"]
    return f"{meta.get('level', '')} {meta['locality']}".strip() if meta.get("locality") else (
        meta.get("issuer") or meta["doc"])


def replicate(store: Path, target: Path, plans: int, seed: int) -> int:
    """An index of `plans` plans at `target` from the one at `store`, copying vectors (see the module doc);
    returns the number of points written."""
    from dataclasses import replace

    from corpus.obligations.saved import saved_path
    from corpus.places import places
    from index.build import reading_path
    from index.edge_store import EdgeStore

    rng = random.Random(seed)
    record = json.loads((store / "build.json").read_text(encoding="utf-8"))
    repair = str(record["config"].get("repair", ""))
    target.mkdir(parents=True)
    for item in store.iterdir():  # the lexicon, readings and obligations; not the shards and the cache
        if item.name not in ("edge", "embeddings", "build.json", ".ingest.lock"):
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, target / item.name)
    units = [p for p in places() if p.current and p.level in ("xã", "phường")]
    source = EdgeStore(store)
    copies = EdgeStore(target)
    written = 0
    try:
        copies.ensure_collection(record["collection"], int(record["config"]["embedder"]["dim"]))
        originals = sorted(record["plans"].items())
        out_plans = dict(record["plans"])
        read: dict[str, list[Any]] = {}  # each ingested plan's points, read once

        def points_of(doc: str, entry: dict[str, Any]) -> list[Any]:
            if doc not in read:
                read[doc] = source.plan_points(record["collection"], doc, entry["sha256"])
            return read[doc]

        for doc, entry in originals:
            points = points_of(doc, entry)
            copies.upsert(record["collection"], [c for c, _, _ in points], [d for _, d, _ in points],
                          [sp for _, _, sp in points],
                          {entry["plan_id"]: (source_label(entry), entry["meta"].get("level", ""))})
            written += len(points)
        for k in range(plans - len(originals)):
            doc, entry = originals[k % len(originals)]
            place = rng.choice(units)
            new_doc = f"x{k:05d}-{doc}"
            new_sha = hashlib.sha256(f"{entry['sha256']}:{k}".encode()).hexdigest()
            new_id = f"{entry['plan_id']}-x{k}"
            meta = {**entry["meta"], "doc": new_doc, "plan_id": new_id, "locality": place.name, "level": place.level,
                    "aliases": [], "province": ""}
            label = f"{place.level} {place.name}"
            chunks = [(replace(c, plan_id=new_id, doc=new_doc, plan_hash=new_sha), d, sp)
                      for c, d, sp in points_of(doc, entry)]
            copies.upsert(record["collection"], [c for c, _, _ in chunks], [d for _, d, _ in chunks],
                          [sp for _, _, sp in chunks], {new_id: (label, place.level)})
            written += len(chunks)
            shutil.copy2(reading_path(store, entry["sha256"], repair), reading_path(target, new_sha, repair))
            obligations = saved_path(store / "obligations", entry["sha256"], repair, source_label(entry))
            if obligations.exists():  # as ingest would have saved them (the source's, under the copy's name)
                shutil.copy2(obligations, saved_path(target / "obligations", new_sha, repair, label))
            out_plans[new_doc] = {**entry, "sha256": new_sha, "plan_id": new_id, "meta": meta}
    finally:
        source.close()
        copies.close()
    (target / "build.json").write_text(json.dumps({**record, "plans": out_plans}, ensure_ascii=False),
                                       encoding="utf-8")
    return written


def fresh_cache(root: Path, store: Path) -> None:
    """The embedding cache of `store` as ingest left it (the sentences and tasks it embedded; the copies of a
    plan have its texts): the folder saved after ingest, if any."""
    saved = root / "embeddings-ingest"
    if saved.is_dir():
        shutil.rmtree(store / "embeddings", ignore_errors=True)
        shutil.copytree(saved, store / "embeddings")
    else:
        print(f"({saved} absent: the questions run with the embedding cache as it is)")


def ask_times(env: dict[str, str]) -> list[float] | None:
    """Milliseconds per question of the mix, asked in a fresh process once the assistant is open and warm (as
    the UI starts it: Assistant.warm); the start-up is printed apart."""
    asked = subprocess.run([sys.executable, "-c", ASK_SCRIPT, json.dumps(questions())], env=env, cwd=REPO,
                           capture_output=True, text=True, check=False)
    if asked.returncode != 0:
        print(asked.stderr[-3000:])
        return None
    found = json.loads(asked.stdout.strip().splitlines()[-1])
    print(f"start-up (open the index, warm the models): {found['start_s']:.1f} s")
    return sorted(found["times"])


def p50_p95(times: list[float]) -> tuple[float, float]:
    """Median and 95th percentile."""
    return times[len(times) // 2], times[int(0.95 * (len(times) - 1))]


def questions() -> list[str]:
    """A mix of the eval sets' kinds of questions."""
    from evals.sets import SETS_DIR, load_set

    out: list[str] = []
    for name in ("dev.jsonl", "extra-dev.jsonl"):
        path = SETS_DIR / name
        if path.exists():
            out += [item.question for item in load_set(path)]
    return out


def ingest(args: argparse.Namespace, root: Path, env: dict[str, str]) -> dict[str, float] | None:
    """Generate the plans and ingest them in a fresh process: (plans, chunks, seconds, peak MB), also saved
    in root/ingest.json so that --reuse can measure queries again without ingesting."""
    generated, real = generate(args.plans, root / "plans", args.seed, args.edit, args.own)
    print(f"text shared with the source plan (folded 5-word runs): generated {generated:.1%}; real plans of one "
          f"template (seeds 000, 004 against 002) {real:.1%}")
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest"], env=env, cwd=REPO,
                         capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if out.returncode != 0:
        print(out.stderr[-3000:])
        return None
    print(out.stdout.splitlines()[0])
    record = json.loads((root / "store" / "build.json").read_text(encoding="utf-8"))
    figures = {"plans": len(record["plans"]), "chunks": sum(p["chunks"] for p in record["plans"].values()),
               "seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}
    (root / "ingest.json").write_text(json.dumps(figures), encoding="utf-8")
    return figures


def main(argv: list[str] | None = None) -> int:
    """Generate, ingest, query; print figures and the summary line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plans", type=int, default=20, help="plans to generate and ingest (default 20)")
    parser.add_argument("--edit", type=float, default=0.25, help="share of the template's lines edited")
    parser.add_argument("--own", type=float, default=0.85, help="share of body lines in the place's own wording")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--country-plans", type=int, default=COUNTRY_PLANS,
                        help=f"plans in the copied-vector index (default {COUNTRY_PLANS}; 0: skip it)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (corpus, index, copies)")
    parser.add_argument("--reuse", type=Path, metavar="FOLDER",
                        help="a folder kept by an earlier --keep run: measure queries again, without ingesting")
    args = parser.parse_args(argv)
    root = args.reuse or Path(tempfile.mkdtemp(prefix="plans-scale-"))
    store = root / "store"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PLANS_CORPUS_DIR": str(root / "plans"),
           "PLANS_STORE_DIR": str(store), "PLANS_MANIFEST": str(root / "none.toml")}
    try:
        if args.reuse:
            figures = json.loads((root / "ingest.json").read_text(encoding="utf-8"))
            print(f"reusing {root}: {figures['plans']} plans ingested earlier")
        else:
            found = ingest(args, root, env)
            if found is None:
                return 1
            figures = found
            # Questions keep the sentence vectors they embed beside the index: each run of them starts from the
            # cache as ingest left it, or a second run would find the first one's.
            if (store / "embeddings").is_dir():
                shutil.copytree(store / "embeddings", root / "embeddings-ingest")
        fresh_cache(root, store)
        times = ask_times(env)
        if times is None:
            return 1
        p50, p95 = p50_p95(times)
        print(f"{len(times)} questions at {figures['plans']:.0f} plans: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
        p95_country = "na"
        if args.country_plans > figures["plans"]:
            country = root / "country"
            shutil.rmtree(country, ignore_errors=True)
            started = time.perf_counter()
            points = replicate(store, country, args.country_plans, args.seed)
            fresh_cache(root, country)
            print(f"{args.country_plans}-plan index: {points} points copied in {time.perf_counter() - started:.0f} s "
                  "(vectors reused, not embedded)")
            big = ask_times({**env, "PLANS_STORE_DIR": str(country)})
            if big is None:
                return 1
            b50, b95 = p50_p95(big)
            print(f"{len(big)} questions at {args.country_plans} plans: p50 {b50:.0f} ms, p95 {b95:.0f} ms")
            p95_country = f"{b95:.0f}"
        rate = figures["chunks"] / figures["seconds"]
        country_h = COUNTRY_PLANS * figures["chunks"] / figures["plans"] / rate / 3600
        print(f"scale: plans={figures['plans']:.0f} chunks={figures['chunks']:.0f} ingest_s={figures['seconds']:.1f} "
              f"chunks_per_s={rate:.1f} query_p50_ms={p50:.0f} query_p95_ms={p95:.0f} "
              f"query_p95_ms_3500={p95_country} peak_rss_mb={figures['peak_mb']:.0f} "
              f"country_estimate_h={country_h:.1f}")
        return 0
    finally:
        if args.keep or args.reuse:
            print(f"kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
