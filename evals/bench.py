"""Speed and memory benchmark: cold ingest, no-op re-ingest, warm ask latency, peak memory. Prints figures."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLANS = [str(REPO / ".venv" / "bin" / "plans")] if (REPO / ".venv" / "bin" / "plans").exists() else \
    [sys.executable, "-m", "assistant.cli"]

ASK_SCRIPT = """
import json, resource, sys, time
from assistant.service import Assistant
from assistant.settings import load_settings
from evals.sets import SETS_DIR, load_set
t0 = time.perf_counter()
a = Assistant.open(load_settings())
questions = [i.question for i in load_set(SETS_DIR / "dev.jsonl")]
a.ask(questions[0]); a.obligations()
opened = time.perf_counter() - t0
times = []
for q in questions * int(sys.argv[1]):
    t = time.perf_counter(); a.ask(q); times.append((time.perf_counter() - t) * 1000)
times.sort()
print(json.dumps({"open_s": opened, "n": len(times), "p50": times[len(times) // 2],
                  "p95": times[int(0.95 * (len(times) - 1))], "max": times[-1],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return time.perf_counter() - started, out.stdout


def main() -> None:
    """Run every measurement in fresh processes against a temporary store."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="Passes over the dev questions for latency.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary store.")
    args = parser.parse_args()
    store = Path(tempfile.mkdtemp(prefix="plans-bench-"))
    env = {**os.environ, "PLANS_STORE_DIR": str(store), "HF_HUB_OFFLINE": "1"}
    try:
        cold, out = _run([*PLANS, "ingest"], env)
        rss_ingest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        noop, _ = _run([*PLANS, "ingest"], env)
        inproc = subprocess.run([sys.executable, "-c", "import time; t=time.perf_counter();"
                                 "from assistant.settings import load_settings; from index.build import ingest;"
                                 "r=ingest(load_settings()); print(r.seconds)"],
                                env=env, capture_output=True, text=True, cwd=REPO)
        _, ask_out = _run([sys.executable, "-c", ASK_SCRIPT, str(args.rounds)], env)
        ask = json.loads(ask_out.strip().splitlines()[-1])
        rss_all = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end")
        print(out.strip().splitlines()[0])
        rows = [
            ("cold ingest, 5 plans (command wall time)", f"{cold:.1f} s", "≤ 30 s"),
            ("re-ingest, nothing changed (command wall time)", f"{noop:.2f} s", "≤ 2 s"),
            ("re-ingest, nothing changed (ingest() itself)", f"{float(inproc.stdout.strip() or 'nan'):.2f} s", ""),
            ("open assistant + first answer", f"{ask['open_s']:.1f} s", ""),
            (f"warm ask p50 over {ask['n']} questions", f"{ask['p50']:.0f} ms", "≤ 100 ms"),
            ("warm ask p95", f"{ask['p95']:.0f} ms", "≤ 250 ms"),
            ("peak memory, ingest process", f"{rss_ingest:.0f} MB", "≤ 1536 MB"),
            ("peak memory, any process", f"{max(rss_all, ask['rss_mb']):.0f} MB", "≤ 1536 MB"),
        ]
        width = max(len(r[0]) for r in rows)
        for name, value, target in rows:
            print(f"{name:<{width}}  {value:>10}  {target}")
    finally:
        if not args.keep:
            shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
