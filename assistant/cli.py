"""The `plans` command line: a thin layer over the library; errors say what to run next."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from assistant.service import Assistant
    from assistant.settings import Settings


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _settings(**overrides: Any) -> Settings:
    from assistant.settings import SettingsError, load_settings

    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        _fail(str(exc), 2)


def _open(settings: Settings) -> Assistant:
    """Open the assistant or exit with the message that says what to do."""
    from assistant.service import Assistant
    from corpus.errors import PlansError

    try:
        return Assistant.open(settings)
    except PlansError as exc:
        _fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tro-ly-ke-hoach")
def main() -> None:
    """Trợ lý Kế hoạch: ask Vietnamese government plans, get answers that quote their sources.

    Start with `plans ingest`, then `plans ask "..."`, `plans chat` or `plans serve`.
    Settings come from PLANS_* environment variables or plans.toml (see README).
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Re-embed every plan, ignoring what is already indexed.")
def ingest(paths: tuple[Path, ...], rebuild: bool) -> None:
    """Build or update the index; only new or changed plans are re-embedded.

    Plans are read from .txt (UTF-8), .docx, .pdf and scans (.png, .jpg, .tif; OCR by Tesseract); a file that
    cannot be read is skipped with the reason and the rest is indexed.

    Without PATHS the index mirrors corpus/plans (plans whose files are gone are removed); with PATHS those files
    are added or updated and the other indexed plans stay.

    With QDRANT_URL several machines fill one index: each ingest only adds and updates, and plans another worker
    is indexing are left to it (see the README, "Several machines, one index").
    """
    from corpus.errors import PlansError
    from index.build import ingest as run_ingest

    settings = _settings()
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}", 2)
    try:
        report = run_ingest(settings, list(paths) or None, rebuild=rebuild,
                            progress=lambda msg: click.echo(msg, err=True))
    except PlansError as exc:
        _fail(str(exc))
    for line in report.lines():
        click.echo(line)


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
@click.option("--jsonl", is_flag=True, help="Read one question per line on stdin; print one JSON object per line.")
@click.option("--plan", default=None, help="Search only this plan (id, file name or locality).")
@click.option("--k", default=None, type=click.IntRange(1, 50), help="Passages to retrieve (default PLANS_TOP_K, 8).")
@click.option("--csv", "csv_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="For a question over many plans (\"which plans …?\"): write every plan found, with its best "
                   "passage, to this CSV file.")
def ask(question: str | None, as_json: bool, jsonl: bool, plan: str | None, k: int | None,
        csv_path: Path | None) -> None:
    """Answer QUESTION from the plans, citing the exact source lines."""
    from assistant.query import QuestionError, validate
    from corpus.errors import PlansError

    if not jsonl:
        try:
            validate(question or "")
        except QuestionError as exc:
            _fail(str(exc), 2)
    assistant = _open(_settings())
    try:
        if jsonl:
            for line in sys.stdin:
                if not line.strip():
                    continue
                try:
                    out = assistant.ask(line, plan=plan, k=k).to_json()
                except PlansError as exc:
                    out = {"question": line.strip()[:200], "error": str(exc)}
                click.echo(json.dumps(out, ensure_ascii=False))
            return
        try:
            answer = assistant.ask(question or "", plan=plan, k=k)
        except QuestionError as exc:
            _fail(str(exc), 2)
        except PlansError as exc:
            _fail(str(exc))
        if as_json:
            click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        else:
            click.echo(render_answer(answer))
        if csv_path is not None:
            _write_found(csv_path, answer, assistant.plans)
    finally:
        assistant.close()


def _write_found(path: Path, answer: Any, plans: Any) -> None:
    """The plans a list answer found, as CSV (a UTF-8 BOM, so that spreadsheets read Vietnamese)."""
    from assistant.answerers import plans_found_csv

    if not answer.plans_found:
        click.echo("(no CSV written: the answer is not a list of plans; ask \"which plans …?\" for one)", err=True)
        return
    try:
        path.write_text(plans_found_csv(answer, plans), encoding="utf-8-sig")
    except OSError as exc:
        _fail(f"cannot write {path}: {exc}", 2)
    click.echo(f"{len(answer.plans_found)} plans written to {path}", err=True)


def render_answer(answer: Any) -> str:
    """Terminal rendering: the answer, then each citation with file and lines."""
    lines = [answer.answer, ""]
    for i, c in enumerate(answer.citations, 1):
        lines.append(f"[{i}] {c.doc}:{c.lines[0]}-{c.lines[1]}  {c.locality} › {c.heading}")
        lines.append(f"    {c.quote}")
    for c in answer.related:
        lines.append(f"  ~ {c.doc}:{c.lines[0]}-{c.lines[1]}  {c.quote[:160]}")
    return "\n".join(lines).rstrip()


@main.command()
@click.option("--plan", default=None, help="Search only this plan.")
def chat(plan: str | None) -> None:
    """A terminal conversation; follow-ups ("còn xã Sa Thầy thì sao?") reuse the previous question."""
    from corpus.errors import PlansError

    assistant = _open(_settings())
    history: list[str] = []
    click.echo("Trợ lý Kế hoạch — hỏi về các kế hoạch (Ctrl-D để thoát, /new để bắt đầu lại).")
    try:
        while True:
            try:
                question = input("? ")
            except EOFError:
                break
            if question.strip() in ("/new", "/reset"):
                history.clear()
                continue
            if not question.strip():
                continue
            try:
                answer = assistant.ask(question, plan=plan, history=history)
            except PlansError as exc:
                click.echo(str(exc))
                continue
            history.append(answer.effective_question or question)
            click.echo(render_answer(answer) + "\n")
    finally:
        assistant.close()


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def manifest(paths: tuple[Path, ...]) -> None:
    """Show what each plan's header says (id, issuer, number, date, title), where the manifest overrides it,
    and which fields could not be read, with a manifest entry to fill them."""
    from corpus.manifest import ManifestError, load_manifest, resolve_meta, suggest_entry
    from corpus.reader import Skipped, find_plans, read_plan

    settings = _settings()
    try:
        entries = load_manifest(settings.manifest)
    except ManifestError as exc:
        _fail(str(exc))
    for problem in entries.problems:
        click.echo(f"warning: {problem}")
    found, skipped = find_plans(list(paths) or [settings.corpus_dir])
    for skip in skipped:
        click.echo(f"{skip.doc}: skipped: {skip.reason}")
    for path in found:
        plan = read_plan(path, max_bytes=settings.max_plan_mb * 1024 * 1024)
        if isinstance(plan, Skipped):
            click.echo(f"{plan.doc}: skipped: {plan.reason}")
            continue
        meta, missing = resolve_meta(plan.doc, plan.lines, entries)
        source = "header + manifest" if entries.get(plan.doc) else "header"
        status = "ok" if not missing else "not in the header: " + ", ".join(missing)
        click.echo(f"{plan.doc}: id {meta.plan_id} · {meta.label} · {meta.number or '—'} · {meta.date or '—'} "
                   f"({source}) [{status}]")
        if meta.title:
            click.echo(f"  {meta.title[:150]}")
        if missing:
            click.echo(f"  To fill what the header lacks, add to {settings.manifest}:")
            click.echo("\n".join("    " + line for line in suggest_entry(meta).splitlines()))


@main.command()
def restore() -> None:
    """Restore Vietnamese diacritics: one restored line per stdin line (same count, same order)."""
    from corpus.restore import repair_available

    if not repair_available():
        _fail("the OCR repair stage (corpus/repair) is not available in this checkout")
    from corpus.repair import restore_text_lines

    lines = [line.rstrip("\n").rstrip("\r") for line in sys.stdin]
    for out in restore_text_lines(lines):
        click.echo(out)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (keep local unless needed).")
@click.option("--port", default=7860, show_default=True, type=int)
@click.option("--no-login", is_flag=True, help="Serve a non-local address without a login (not recommended).")
def serve(host: str, port: int, no_login: bool) -> None:
    """Start the web UI (offline, no share link; a login is required off this machine)."""
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from ui.app import serve as serve_ui
    except ImportError as exc:
        _fail(f"the web UI is not available: {exc}")
    has_login = bool(os.environ.get("PLANS_UI_USER") and os.environ.get("PLANS_UI_PASSWORD"))
    if host not in ("127.0.0.1", "localhost", "::1") and not has_login:
        if not no_login:
            _fail(f"serving on {host} lets anyone who can reach this machine use the assistant, so a login is "
                  "required: set PLANS_UI_USER and PLANS_UI_PASSWORD (e.g. PLANS_UI_USER=office "
                  f"PLANS_UI_PASSWORD='…' plans serve --host {host}), or pass --no-login to serve without one.", 2)
        click.echo(f"Warning: serving on {host} without a login (--no-login): anyone who can reach this machine "
                   "can use the assistant.", err=True)
    settings = _settings()
    assistant = _open(settings)
    try:
        serve_ui(settings, host=host, port=port, assistant=assistant)
    except (ValueError, OSError) as exc:
        _fail(str(exc))


@main.command()
@click.option("--before", default=None, help="Due on or before DATE (dd/mm/yyyy, yyyy-mm-dd or mm/yyyy).")
@click.option("--after", default=None, help="Due on or after DATE.")
@click.option("--due-in", default=None, help="Due in MONTH (mm/yyyy).")
@click.option("--who", default=None, help="Lead or supporting unit contains TEXT (accents optional).")
@click.option("--plan", default=None, help="Only this plan (id, file name or locality).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "ics"]), default="table", show_default=True)
@click.option("--timeline", type=click.Path(path_type=Path), default=None, help="Also draw deadlines over time (PNG).")
def obligations(before: str | None, after: str | None, due_in: str | None, who: str | None, plan: str | None,
                fmt: str, timeline: Path | None) -> None:
    """Who must do what, by when: obligations extracted from the indexed plans, each with its source lines."""
    from corpus.obligations import (
        filter_obligations,
        parse_user_date,
        parse_user_month,
        timeline_png,
        to_csv,
        to_ics,
        to_json,
        to_table,
    )

    try:
        b = parse_user_date(before) if before else None
        a = parse_user_date(after) if after else None
        month = parse_user_month(due_in) if due_in else None
    except ValueError as exc:
        _fail(str(exc), 2)
    from assistant.query import QuestionError

    assistant = _open(_settings())
    try:
        if plan:
            try:
                plan = assistant.resolve_plan(plan)
            except QuestionError as exc:
                _fail(str(exc), 2)
        items = filter_obligations(assistant.obligations(), before=b, after=a, due_in=month, who=who, plan=plan)
    finally:
        assistant.close()
    render = {"table": to_table, "json": to_json, "csv": to_csv, "ics": to_ics}[fmt]
    click.echo(render(items))
    if timeline is not None:
        timeline_png(items, timeline)
        click.echo(f"timeline: {timeline}", err=True)


@main.command(name="eval")
@click.option("--set", "set_name", default="dev", show_default=True, help="Eval set in evals/sets (name or path).")
@click.option("--tier", type=click.Choice(["quick", "full"]), default="full", show_default=True)
@click.option("--configs", default="hybrid", show_default=True,
              help="Comma-separated: hybrid, hybrid+repair, hybrid-norepair, dense, sparse, dense-norepair, "
                   "or the folder of a saved index.")
@click.option("--report/--no-report", default=True, help="Write a dated report folder under evals/reports.")
@click.option("--check", is_flag=True, help="Only validate the eval set against the corpus.")
@click.option("--jsonl", is_flag=True, help="Print one JSON object per question.")
@click.option("--fail-under", default=None, help="Thresholds, e.g. answer=0.9,hit5=0.95: exit 1 below them.")
@click.option("--baseline", type=click.Path(path_type=Path), default=None,
              help="Baseline to compare with (default: evals/baselines/SET-TIER-CONFIG.json if present).")
@click.option("--save-baseline", is_flag=True, help="Store this run as the baseline.")
def eval_cmd(set_name: str, tier: str, configs: str, report: bool, check: bool, jsonl: bool,
             fail_under: str | None, baseline: Path | None, save_baseline: bool) -> None:
    """Run the eval set and print scores (answer accuracy, citations, hit@k, abstention, latency).

    Compares with the saved baseline question by question (fixed / broken / unchanged) and exits 1 when a
    critical question breaks or a --fail-under threshold is missed. Reports go to evals/reports/DATE/.
    """
    from evals.runner import EvalError, run_cli

    try:
        code = run_cli(_settings(), set_name=set_name, tier=tier, configs=configs, write_report=report,
                       check_only=check, jsonl=jsonl, fail_under=fail_under, echo=click.echo, open_assistant=_open,
                       baseline=baseline, save_baseline=save_baseline)
    except EvalError as exc:
        _fail(str(exc), 2)
    sys.exit(code)


if __name__ == "__main__":
    main()
