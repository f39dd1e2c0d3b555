"""`plans eval`: run eval sets through the assistant, score, compare configurations, write a report."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.settings import REPO_ROOT, Settings
from evals.metrics import Verbatim, score_item, summarise
from evals.sets import EvalError, EvalItem, check_set, load_set, resolve_set

__all__ = ["EvalError", "run_cli", "run_items"]
CONFIGS = ("hybrid", "dense", "sparse")
COLUMNS = ("answer", "citation_recall", "citation_precision", "verbatim", "hit1", "hit5", "hit10", "mrr",
           "abstention", "latency_p50_ms", "latency_p95_ms")


def run_items(assistant: Any, items: list[EvalItem], mode: str = "hybrid",
              progress: bool = True) -> list[tuple[EvalItem, dict[str, Any]]]:
    """Ask every question; keep the full answer JSON (plus retrieval) for scoring and reports."""
    from tqdm import tqdm

    out = []
    for item in tqdm(items, desc=f"eval {mode}", unit="q", disable=None if progress else True, leave=False):
        answer = assistant.ask(item.question, mode=mode)
        data = answer.to_json()
        data["retrieved"] = [list(r) for r in answer.retrieved]
        data["related"] = [c.to_json() for c in answer.related]
        out.append((item, data))
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "  -  "
    if isinstance(value, float) and value <= 1.0:
        return f"{value * 100:5.1f}"
    return f"{float(value):5.0f}"


def table(summaries: dict[str, dict[str, Any]]) -> str:
    """Side-by-side table: one row per configuration."""
    head = f"{'config':<14}" + "".join(f"{c[:9]:>10}" for c in COLUMNS)
    rows = [head] + [f"{name:<14}" + "".join(f"{_fmt(s.get(c)):>10}" for c in COLUMNS)
                     for name, s in summaries.items()]
    return "\n".join(rows)


def breakdown(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """Summaries per value of a row field (lang, kind)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(str(r[key]), []).append(r)
    return {k: summarise(v) for k, v in sorted(groups.items())}


def _parse_thresholds(text: str | None) -> dict[str, float]:
    if not text:
        return {}
    out: dict[str, float] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        if name.strip() not in COLUMNS or not value:
            raise EvalError(f"--fail-under {part!r}: use NAME=VALUE with NAME one of {', '.join(COLUMNS)}")
        out[name.strip()] = float(value)
    return out


def write_report(folder: Path, set_path: Path, summaries: dict[str, dict[str, Any]],
                 results: dict[str, list[tuple[EvalItem, dict[str, Any]]]],
                 rows: dict[str, list[dict[str, Any]]]) -> Path:
    """Markdown summary + JSON with every answer and citation."""
    folder.mkdir(parents=True, exist_ok=True)
    md = [f"# Eval report {time.strftime('%Y-%m-%d %H:%M')}", "", f"Set: `{set_path.name}`", "", "```",
          table(summaries), "```", ""]
    for name, r in rows.items():
        md += [f"## {name}: per language", "```", table(breakdown(r, "lang")), "```",
               f"## {name}: per kind", "```", table(breakdown(r, "kind")), "```"]
        wrong = [x["id"] for x in r if not x["correct"]]
        md += [f"Wrong answers ({len(wrong)}): {', '.join(wrong) or 'none'}", ""]
    (folder / "summary.md").write_text("\n".join(md), encoding="utf-8")
    dump = {name: [{"item": item.__dict__ | {"citations": [c.__dict__ for c in item.citations]}, "answer": ans,
                    "score": row} for (item, ans), row in zip(results[name], rows[name], strict=True)]
            for name in results}
    (folder / "results.json").write_text(json.dumps({"summaries": summaries, "results": dump}, ensure_ascii=False,
                                                    indent=1, default=str), encoding="utf-8")
    return folder


def run_cli(settings: Settings, set_name: str, tier: str, configs: str, write_report: bool, check_only: bool,
            jsonl: bool, fail_under: str | None, echo: Callable[[str], None],
            open_assistant: Callable[[Settings], Any]) -> int:
    """The whole `plans eval` command; returns the exit code."""
    set_path = resolve_set(set_name)
    items = load_set(set_path, tier)
    problems = check_set(items, settings.corpus_dir)
    if check_only:
        for p in problems:
            echo(p)
        echo(f"{len(items)} questions checked, {len(problems)} problem(s).")
        return 1 if problems else 0
    for p in problems:
        echo(f"warning: {p}")
    names = [c.strip() for c in configs.split(",") if c.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        raise EvalError(f"Unknown config(s) {unknown}. Known configs: {', '.join(CONFIGS)}")
    thresholds = _parse_thresholds(fail_under)
    assistant = open_assistant(settings)
    verbatim = Verbatim(settings.corpus_dir)
    summaries: dict[str, dict[str, Any]] = {}
    results: dict[str, list[tuple[EvalItem, dict[str, Any]]]] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    try:
        for name in names:
            results[name] = run_items(assistant, items, mode=name, progress=not jsonl)
            rows[name] = [score_item(item, ans, verbatim) for item, ans in results[name]]
            summaries[name] = summarise(rows[name])
            if jsonl:
                for (item, ans), row in zip(results[name], rows[name], strict=True):
                    echo(json.dumps({"config": name, "id": item.id, "answer": ans, "score": row},
                                    ensure_ascii=False))
    finally:
        assistant.close()
    if not jsonl:
        echo(f"{set_path.name} ({tier}, {len(items)} questions); percentages, latency in ms")
        echo(table(summaries))
        first = rows[names[0]]
        echo("\nper language:\n" + table(breakdown(first, "lang")))
        echo("\nper kind:\n" + table(breakdown(first, "kind")))
        wrong = [r["id"] for r in first if not r["correct"]]
        echo(f"\nwrong ({len(wrong)}): {', '.join(wrong) or 'none'}")
    if write_report:
        folder = REPO_ROOT / "evals" / "reports" / time.strftime("%Y-%m-%d_%H%M%S")
        write_report_path = globals()["write_report"](folder, set_path, summaries, results, rows)
        if not jsonl:
            echo(f"report: {write_report_path}")
    failed = [f"{k} {summaries[names[0]].get(k)} < {v}" for k, v in thresholds.items()
              if (summaries[names[0]].get(k) or 0.0) < v]
    if failed:
        echo("FAIL: " + "; ".join(failed))
        return 1
    return 0
