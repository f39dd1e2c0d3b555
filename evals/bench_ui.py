"""Web UI latency: first streamed update and full answer per question, then 20 concurrent sessions.

Run: python -m evals.bench_ui [--build] [--store DIR] [--questions 10] [--sessions 20] [--json out.json]
Launches the app in this process on a free local port (the embedded store allows one process: stop
`plans serve` first, or pass --build to index into a temp dir).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("OMP_NUM_THREADS", "1")  # as `plans serve` does (see ui.app.serve)

DEV_SET = Path(__file__).resolve().parent / "sets" / "dev.jsonl"
TARGETS = {"first_update_s": 0.5, "full_s": 1.0, "concurrent_p95_s": 3.0}


def questions(n: int, offset: int = 0) -> list[str]:
    """n distinct dev-set questions, spread over plans and languages (round-robin by id prefix)."""
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(row["id"].split("-")[0], []).append(row["question"])
    mixed: list[str] = []
    while any(groups.values()):
        for key in list(groups):
            if groups[key]:
                mixed.append(groups[key].pop(0))
    return mixed[offset:offset + n]


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _has_answer_text(msg: dict[str, Any]) -> bool:
    texts = list(_strings(msg.get("output", {})))
    return any('class="answer' in s and "answer pending" not in s for s in texts)


def timed_ask(base: str, fn_index: int, question: str) -> dict[str, float]:
    """One question over Gradio's SSE protocol: seconds to first update, first answer text, completion."""
    import httpx

    session = uuid.uuid4().hex[:11]
    started = time.perf_counter()
    marks: dict[str, float] = {}
    with httpx.Client(timeout=60) as http:
        joined = http.post(f"{base}gradio_api/queue/join",
                           json={"data": [question, "*", "vi", None], "fn_index": fn_index, "session_hash": session,
                                 "event_data": None, "trigger_id": None})
        joined.raise_for_status()
        with http.stream("GET", f"{base}gradio_api/queue/data", params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                now = time.perf_counter() - started
                kind = msg.get("msg")
                if kind == "process_generating":
                    marks.setdefault("first_update", now)
                    if _has_answer_text(msg):
                        marks.setdefault("first_text", now)
                elif kind == "process_completed":
                    if not msg.get("success", False):
                        raise RuntimeError(f"failed: {msg.get('output')}")
                    marks.setdefault("first_update", now)
                    marks.setdefault("first_text", now)
                    marks["full"] = now
                    break
    return marks


def single_session(base: str, fn_index: int, qs: list[str]) -> list[dict[str, float]]:
    """Each question once, one at a time, each in a fresh session."""
    return [timed_ask(base, fn_index, q) for q in qs]


def concurrent_sessions(url: str, qs: list[str]) -> tuple[list[float], list[str], int]:
    """len(qs) gradio_client sessions asking at once: (latencies, errors, answered)."""
    from gradio_client import Client

    clients = [Client(url, verbose=False, download_files=False) for _ in qs]
    barrier = threading.Barrier(len(qs))

    def run(i: int) -> tuple[float, str, bool]:
        barrier.wait()
        started = time.perf_counter()
        try:
            chat, _ = clients[i].predict(qs[i], "*", "vi", api_name="/ask")
        except Exception as exc:
            return time.perf_counter() - started, f"{type(exc).__name__}: {exc}", False
        took = time.perf_counter() - started
        text = json.dumps(chat, ensure_ascii=False)
        answered = 'class=\\"answer' in text and "answer error" not in text and "answer pending" not in text
        return took, "", answered

    with ThreadPoolExecutor(len(qs)) as pool:
        results = list(pool.map(run, range(len(qs))))
    return [r[0] for r in results], [r[1] for r in results if r[1]], sum(r[2] for r in results)


def main(argv: list[str] | None = None) -> int:
    """Launch the app locally, measure, print the figures; exit 1 if a target is missed."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, help="index folder (default: settings / PLANS_STORE_DIR)")
    ap.add_argument("--build", action="store_true", help="build a fresh index in a temp dir first (repair off)")
    ap.add_argument("--questions", type=int, default=10)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=None, help="queue concurrency per event (default: the app's)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    from assistant.service import Assistant
    from assistant.settings import load_settings
    from ui.app import build_app, free_port, launch

    tmp = Path(tempfile.mkdtemp(prefix="plans-bench-ui-"))
    overrides: dict[str, Any] = {"feedback_file": tmp / "feedback.jsonl"}
    if args.build:
        overrides.update(store_dir=tmp / "store", repair=False)
    elif args.store:
        overrides["store_dir"] = args.store
    settings = load_settings(**overrides)
    if args.build:
        from index.build import ingest

        print("building a temp index …", flush=True)
        print("\n".join(ingest(settings).lines()))
    assistant = Assistant.open(settings)
    demo = None
    try:
        assistant.warm()
        direct = []
        for q in questions(args.questions):
            started = time.perf_counter()
            assistant.ask(q)
            direct.append(time.perf_counter() - started)
        demo = build_app(assistant, settings)
        url = launch(demo, port=free_port(), block=False,
                     **({"concurrency": args.concurrency} if args.concurrency else {}))
        config = json.loads(__import__("urllib.request").request.urlopen(f"{url}config").read())
        fn_index = next(d["id"] for d in config["dependencies"] if d.get("api_name") == "ask")
        single_session(url, fn_index, questions(2, offset=args.questions))  # warm the HTTP path
        runs = single_session(url, fn_index, questions(args.questions))
        # The simulated users run in their own process, so their client threads do not share the server's GIL.
        qs = questions(args.sessions, offset=args.questions + 2)  # unseen: no answer comes from the UI's cache
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as users:
            users.submit(time.sleep, 0).result()  # start the process outside the measurement
            cpu0 = time.process_time()
            lat, errors, answered = users.submit(concurrent_sessions, url, qs).result()
            server_cpu = time.process_time() - cpu0
        # The floor: the same questions one after another, straight to the Assistant (which answers one at
        # a time), so no schedule of concurrent sessions can finish them sooner.
        cpu0, serial_floor = time.process_time(), 0.0
        for q in qs:
            started = time.perf_counter()
            assistant.ask(q)
            serial_floor += time.perf_counter() - started
        floor_cpu = time.process_time() - cpu0
    finally:
        if demo is not None:
            demo.close()
        assistant.close()
        shutil.rmtree(tmp, ignore_errors=True)

    first = [r["first_update"] for r in runs]
    text = [r["first_text"] for r in runs]
    full = [r["full"] for r in runs]
    figures = {
        "questions": len(runs), "direct_ask_median_s": statistics.median(direct), "direct_ask_max_s": max(direct),
        "first_update_median_s": statistics.median(first), "first_update_max_s": max(first),
        "first_text_median_s": statistics.median(text), "first_text_max_s": max(text),
        "full_median_s": statistics.median(full), "full_max_s": max(full),
        "sessions": args.sessions, "concurrent_answered": answered, "concurrent_errors": len(errors),
        "concurrent_p50_s": statistics.median(lat), "concurrent_p95_s": pct(lat, 95),
        "concurrent_max_s": max(lat), "serial_floor_s": serial_floor, "server_cpu_s": server_cpu, "floor_cpu_s": floor_cpu,
    }
    ok = {"first update ≤ 0.5 s": figures["first_text_max_s"] <= TARGETS["first_update_s"],
          "full answer ≤ 1 s": figures["full_max_s"] <= TARGETS["full_s"],
          f"{args.sessions} concurrent p95 ≤ 3 s": figures["concurrent_p95_s"] <= TARGETS["concurrent_p95_s"],
          "all answered, no errors": not errors and answered == args.sessions}
    print(f"\nWeb UI, warm, answerer={settings.answerer}, {len(runs)} questions one at a time (fresh session each):")
    print(f"  Assistant.ask direct      median {figures['direct_ask_median_s']:.3f} s   max {figures['direct_ask_max_s']:.3f} s")
    print(f"  first streamed update     median {figures['first_update_median_s']:.3f} s   max {figures['first_update_max_s']:.3f} s"
          "   (the question + 'searching…')")
    print(f"  first answer text         median {figures['first_text_median_s']:.3f} s   max {figures['first_text_max_s']:.3f} s")
    print(f"  full answer + sources     median {figures['full_median_s']:.3f} s   max {figures['full_max_s']:.3f} s")
    print(f"\n{args.sessions} concurrent sessions (gradio_client, different questions):")
    print(f"  answered {answered}/{args.sessions}, errors {len(errors)}   p50 {figures['concurrent_p50_s']:.3f} s   "
          f"p95 {figures['concurrent_p95_s']:.3f} s   max {figures['concurrent_max_s']:.3f} s")
    print(f"  floor: the same {args.sessions} questions asked one after another directly: {serial_floor:.3f} s")
    print(f"  server CPU during the concurrent run {server_cpu:.3f} s; the floor's CPU {floor_cpu:.3f} s")
    for err in errors[:5]:
        print("  error:", err)
    print("\nTargets:")
    for name, passed in ok.items():
        print(f"  {'PASS' if passed else 'MISS'}  {name}")
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "targets": ok}, indent=2, ensure_ascii=False) + "\n")
    return 0 if all(ok.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
