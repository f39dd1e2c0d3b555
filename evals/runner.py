"""`plans eval`: run eval sets through the assistant, score, compare configurations, write a report."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.settings import REPO_ROOT, Settings
from evals.baseline import compare, default_path, save
from evals.metrics import Verbatim, score_item, summarise
from evals.sets import EvalError, EvalItem, check_set, load_set, resolve_set, set_corpus

__all__ = ["EvalError", "run_cli", "run_items"]
# name -> retrieval mode and build overrides; configs with overrides get their own cached index.
CONFIGS: dict[str, dict[str, Any]] = {
    "hybrid": {"mode": "hybrid"},
    "hybrid+repair": {"mode": "hybrid", "repair": True},
    "hybrid-norepair": {"mode": "hybrid", "repair": False},
    "dense": {"mode": "dense"},
    "sparse": {"mode": "sparse"},
    "dense-norepair": {"mode": "dense", "repair": False},
}
COLUMNS = ("answer", "citation_recall", "citation_precision", "verbatim", "hit1", "hit5", "hit10", "mrr",
           "hit5_first_stage", "abstention", "latency_p50_ms", "latency_p95_ms")


def run_items(assistant: Any, items: list[EvalItem], mode: str = "hybrid",
              progress: bool = True) -> list[tuple[EvalItem, dict[str, Any]]]:
    """Ask every question; keep the full answer JSON (plus retrieval) for scoring and reports."""
    from tqdm import tqdm

    out = []
    from assistant.query import QuestionError

    for item in tqdm(items, desc=f"eval {mode}", unit="q", disable=None if progress else True, leave=False):
        try:
            answer = assistant.ask(item.question, mode=mode)
        except QuestionError as exc:
            raise EvalError(f"{item.id}: the question is rejected: {exc}") from None
        data = answer.to_json()
        data["retrieved"] = [list(r) for r in answer.retrieved]
        data["first_stage"] = [list(r) for r in answer.first_stage or answer.retrieved]
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
    """Summaries per value of a row field (lang, kind, plans: a question counts for each of its plans)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        values = r[key] if isinstance(r[key], list) else [r[key]]
        for value in values or ["(none)"]:
            groups.setdefault(str(value)[:14], []).append(r)
    return {k: summarise(v) for k, v in sorted(groups.items())}


def _parse_thresholds(text: str | None) -> dict[str, float]:
    if not text:
        return {}
    out: dict[str, float] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        if name.strip() not in COLUMNS or not value:
            raise EvalError(f"--fail-under {part!r}: use NAME=VALUE with NAME one of {', '.join(COLUMNS)}")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise EvalError(f"--fail-under {part!r}: {value!r} is not a number (e.g. answer=0.9)") from None
    return out


def _write_report(folder: Path, set_path: Path, summaries: dict[str, dict[str, Any]],
                 results: dict[str, list[tuple[EvalItem, dict[str, Any]]]],
                 rows: dict[str, list[dict[str, Any]]]) -> Path:
    """Markdown summary + JSON with every answer and citation."""
    folder.mkdir(parents=True, exist_ok=True)
    md = [f"# Eval report {time.strftime('%Y-%m-%d %H:%M')}", "", f"Set: `{set_path.name}`", "", "```",
          table(summaries), "```", ""]
    for name, r in rows.items():
        md += [f"## {name}: per language", "```", table(breakdown(r, "lang")), "```",
               f"## {name}: per kind", "```", table(breakdown(r, "kind")), "```",
               f"## {name}: per plan", "```", table(breakdown(r, "plans")), "```"]
        wrong = [x["id"] for x in r if not x["correct"]]
        md += [f"Wrong answers ({len(wrong)}): {', '.join(wrong) or 'none'}", ""]
    from evals.charts import draw

    charts = draw(folder, summaries, {n: breakdown(r, "lang") for n, r in rows.items()},
                  {n: [x["latency_ms"] for x in r] for n, r in rows.items()})
    md += ["## Charts", *[f"![{c.stem}]({c.name})" for c in charts]]
    (folder / "summary.md").write_text("\n".join(md), encoding="utf-8")
    dump = {name: [{"item": item.__dict__ | {"citations": [c.__dict__ for c in item.citations]}, "answer": ans,
                    "score": row} for (item, ans), row in zip(results[name], rows[name], strict=True)]
            for name in results}
    (folder / "results.json").write_text(json.dumps({"summaries": summaries, "results": dump}, ensure_ascii=False,
                                                    indent=1, default=str), encoding="utf-8")
    return folder


def run_cli(settings: Settings, set_name: str, tier: str, configs: str, write_report: bool, check_only: bool,
            jsonl: bool, fail_under: str | None, echo: Callable[[str], None],
            open_assistant: Callable[[Settings], Any], baseline: Path | None = None,
            save_baseline: bool = False) -> int:
    """The whole `plans eval` command; returns the exit code."""
    set_path = resolve_set(set_name)
    items = load_set(set_path, tier)
    folders = set_corpus(set_path)
    if folders is not None:
        absent = [str(f) for f in folders if not f.is_dir()]
        if absent:
            echo(f"skipped {set_path.name}: its plans are read from {', '.join(absent)}, which is absent here.")
            return 0
    corpus: Path | list[Path] = folders if folders is not None else settings.corpus_dir
    problems = check_set(items, corpus)
    if check_only:
        for p in problems:
            echo(p)
        echo(f"{len(items)} questions checked, {len(problems)} problem(s).")
        return 1 if problems else 0
    note = _stderr if jsonl else echo  # with --jsonl, stdout carries only the JSON lines
    for p in problems:
        note(f"warning: {p}")
    names = [c.strip() for c in configs.split(",") if c.strip()]
    for name in names:
        # A saved index is a configuration too: a store folder with its build record.
        if name not in CONFIGS and (Path(name) / "build.json").is_file():
            CONFIGS[name] = {"mode": "hybrid", "store_dir": Path(name)}
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        raise EvalError(f"Unknown config(s) {unknown}. Known configs: {', '.join(CONFIGS)}, "
                        "or the path of a saved index (a folder with build.json).")
    thresholds = _parse_thresholds(fail_under)
    verbatim = Verbatim(corpus)
    summaries: dict[str, dict[str, Any]] = {}
    results: dict[str, list[tuple[EvalItem, dict[str, Any]]]] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        config_settings = _config_settings(settings, CONFIGS[name], echo, folders)
        assistant = open_assistant(config_settings)
        try:
            results[name] = run_items(assistant, items, mode=CONFIGS[name]["mode"], progress=not jsonl)
        finally:
            assistant.close()
        rows[name] = [score_item(item, ans, verbatim) for item, ans in results[name]]
        summaries[name] = summarise(rows[name])
        if jsonl:
            for (item, ans), row in zip(results[name], rows[name], strict=True):
                echo(json.dumps({"config": name, "id": item.id, "answer": ans, "score": row}, ensure_ascii=False))
    if not jsonl:
        echo(f"{set_path.name} ({tier}, {len(items)} questions); percentages, latency in ms")
        echo(table(summaries))
        first = rows[names[0]]
        echo("\nper language:\n" + table(breakdown(first, "lang")))
        echo("\nper kind:\n" + table(breakdown(first, "kind")))
        echo("\nper plan:\n" + table(breakdown(first, "plans")))
        wrong = [r["id"] for r in first if not r["correct"]]
        echo(f"\nwrong ({len(wrong)}): {', '.join(wrong) or 'none'}")
    if write_report:
        folder = REPO_ROOT / "evals" / "reports" / time.strftime("%Y-%m-%d_%H%M%S")
        written = _write_report(folder, set_path, summaries, results, rows)
        note(f"report: {written}")
    code = 0
    base_path = baseline or default_path(set_path.name, tier, names[0])
    comparison = compare(base_path, rows[names[0]])
    if comparison is not None and not jsonl:
        echo("\n".join(comparison.lines()) + f"  ({base_path.name})")
    if comparison is not None and comparison.critical_broken:
        note("FAIL: critical question(s) broken: " + ", ".join(comparison.critical_broken))
        code = 1
    if save_baseline:
        save(base_path, rows[names[0]], summaries[names[0]])
        note(f"baseline saved: {base_path}")
    failed = [f"{k} {summaries[names[0]].get(k)} < {v}" for k, v in thresholds.items()
              if (summaries[names[0]].get(k) or 0.0) < v]
    if failed:
        note("FAIL: " + "; ".join(failed))
        code = 1
    return code


def _stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr)


def _config_settings(settings: Settings, config: dict[str, Any], echo: Callable[[str], None],
                     folders: list[Path] | None = None) -> Settings:
    """Settings for a configuration; build overrides, and sets over other folders, get their own (cached,
    incremental) index under .plans/eval-stores/."""
    from dataclasses import replace

    overrides = {k: v for k, v in config.items() if k != "mode"}
    if "store_dir" in overrides:
        return replace(settings, store_dir=overrides["store_dir"])
    if folders is None and (not overrides or all(getattr(settings, k) == v for k, v in overrides.items())):
        return settings
    key = "-".join(f"{k}={v}" for k, v in sorted(overrides.items()))
    if folders is not None:
        # A folder by its parent and its name: "corpus/plans" and "evals/zoo/plans" are two stores, not one "plans".
        key = "+".join(f"{f.parent.name}-{f.name}" for f in folders) + (f"-{key}" if key else "")
    config_settings = replace(settings, store_dir=settings.store_dir.parent / "eval-stores" / key, **overrides)
    from index.build import ingest

    report = ingest(config_settings, paths=folders)
    _stderr(f"[{key}] " + report.lines()[0])
    return config_settings
